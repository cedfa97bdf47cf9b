"""The two ways over a long recording, apart from how a window is decoded.

`sequential` is openai-whisper's seek loop; `batched` decodes many windows at a time,
cut in pauses (`pauses.cuts_of`), plus a few more where their transcript has a hole
(`seams.redecode`). Both take a `DecodeFn`, so a backend supplies only
the decoding of a batch of windows (with its temperature fallback) and both loops
behave the same whatever the framework.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Protocol

from asr_tui.core.backends.base import check_cancel
from asr_tui.core.backends.longform import pauses, seams
from asr_tui.core.backends.longform.window import DecodedWindow, Window, is_silence, needs_fallback, split_segments
from asr_tui.core.config import RunConfig
from asr_tui.core.transcript import FRAMES_PER_SECOND, SECONDS_PER_TIMESTAMP, WINDOW_FRAMES, ProgressFn, Segment
from asr_tui.core.wholeness import REPEATED_RUN, longest_repetition

MAX_REDECODE_ROUNDS = 5  # rounds of decoding windows again where the transcript has a hole
LAST_SPEECH_SLACK_SECONDS = 1.0  # a segment begun this close to a window's last speech may be left unfinished
REPEAT_WORDS = 4  # a segment this long said twice in one window is the decoder looping
SHOUTED_WORDS = 5  # words in capitals in a row: the decoder shouting, not the text's acronyms
PROMPT_TEMPERATURE = 0.5  # a window decoded above this is no prompt for the next (openai-whisper's rule)
UNSURE_LOGPROB = -0.6  # a window that passed below this average log probability is decoded again after the one before


class DecodeFn(Protocol):
    def __call__(self, windows: list[Window], previous: list[int], rows: int,
                 reach: list[int] | None = None) -> list[DecodedWindow]:
        """Decode `windows` (at most `rows` of them) after the same `previous` tokens
        (the text before them, timestamps included; an empty list for none), from
        which each decoder builds openai-whisper's prompt (`tokens.initial_tokens`,
        or `whisper.DecodingOptions.prompt`), as one call of `rows` rows: a backend
        with compiled shapes pads to `rows`, so every call of a pass has the same
        shape. With `reach` (batched windows, one per window: `must_reach`), a
        transcript may not end on a segment it has only begun before that timestamp
        (in 20 ms steps from the window's start)."""


def must_reach(cuts: pauses.Cuts, window: Window) -> int:
    """The timestamp a batched window's transcript must reach before it may end on a
    segment it has only begun: its last speech (`Cuts.last_speech`) less
    `LAST_SPEECH_SLACK_SECONDS`, in 20 ms steps from its start.

    Whisper ends a transcript on a lone segment start (two timestamps, then the end)
    when it takes the rest of the window for a segment that runs past it; the seek
    rule then decodes it from the next window. A window cut in a pause holds no such
    segment, yet tiny.en ended 11 of 15 windows of a clip with pauses between
    sentences so, some 9 s before their speech did, and the windows decoded again
    there (unprompted, from mid-paragraph, about 15 s long) heard those sentences
    worse. Made to go on, the model hears them with the window's own text before
    them, and no window need be decoded again there."""
    return round(max(cuts.last_speech(window) - LAST_SPEECH_SLACK_SECONDS, 0.0) / SECONDS_PER_TIMESTAMP)


def sequential(decode: DecodeFn, content_frames: int, tokenizer, config: RunConfig,
               progress: ProgressFn, cancel: threading.Event, seek: int = 0, before: Sequence[int] = ()) -> list[Segment]:
    """openai-whisper's loop: one window, advance to the last complete segment, repeat.
    From frame `seek`, after the tokens `before`."""
    all_tokens, prompt_reset_since, segments = list(before), 0, []
    while seek < content_frames:
        window = Window(seek, min(WINDOW_FRAMES, content_frames - seek))
        previous = all_tokens[prompt_reset_since:] if config.condition_on_previous_text else []
        check_cancel(cancel)
        decoded = decode([window], previous, 1)[0]
        if is_silence(decoded, config):
            seek += window.frames
            progress(seek / FRAMES_PER_SECOND, [])
            continue
        new, advance, consumed = split_segments(decoded.tokens, window, tokenizer.timestamp_begin, tokenizer.decode)
        segments.extend(new)
        all_tokens.extend(decoded.tokens[:consumed])
        if not config.condition_on_previous_text or decoded.temperature > PROMPT_TEMPERATURE:
            prompt_reset_since = len(all_tokens)
        seek += advance
        progress(min(seek, content_frames) / FRAMES_PER_SECOND, new)
    return segments


def said_again(segments: list[Segment]) -> int:
    """The index of the first segment of a window whose words, `REPEAT_WORDS` or more,
    are an earlier segment's (case and punctuation aside): the decoder looping, not
    the speaker. The number of segments if none is."""
    said = set()
    for index, segment in enumerate(segments):
        words = tuple(key for key in map(seams.word_key, segment.text.split()) if key)
        if len(words) >= REPEAT_WORDS and words in said:
            return index
        said.add(words)
    return len(segments)


def looped_to_the_limit(decoded: DecodedWindow, last: Segment) -> bool:
    """Whether a window's decoding was cut off (`DecodedWindow.cut_off`: at
    `max_new_tokens`, or where its prompt left less room) on a last segment that
    repeats a phrase back to back (`wholeness.REPEATED_RUN` words past its first
    copy): the decoder looping, not a speaker, whose window ends at its end token. On
    a Scottish voice reading the Rust book, every batched row ended a window on "from
    create.tormel.tormel..." (27 copies) over "crates.io as dependencies": the words
    after it were heard, but the loop was kept, 27 words added."""
    return decoded.cut_off and longest_repetition(last.text).words >= REPEATED_RUN


def shouted(text: str) -> bool:
    """Whether `SHOUTED_WORDS` words in a row (of two letters or more) are in capitals.

    Without the text before it, tiny.en can go on in capitals after a word it spells
    so ("VIM WILL READ THE SWAP FILD USED TO STORE TEXED"), and in capitals it hears
    words worse: on Vim's manual read aloud, batched windows did so on five of eight
    clips (up to 75 words) and trailed sequential, which never did, by up to 3.7
    points. A word of one letter ("I", "a") neither ends such a run nor adds to it."""
    run = 0
    for word in text.split():
        letters = [c for c in word if c.isalpha()]
        if len(letters) < 2:
            continue
        run = run + 1 if all(c.isupper() for c in letters) else 0
        if run >= SHOUTED_WORDS:
            return True
    return False


def batched_settings() -> dict:
    """What the batched strategy applies whatever the configuration says, for a
    backend's `decoding_settings`: each window decoded on its own (no previous text)
    unless it fails at every temperature, shouts (`shouted`) or passes unsure of
    its words (`UNSURE_LOGPROB`), windows of at most 30 s cut in pauses, those
    without sound not decoded, each transcript held to its window's last speech
    (`must_reach`), and a hole no try heard decoded by the seek loop."""
    return {
        "condition_on_previous_text": False,
        "chunk_length_s": WINDOW_FRAMES / FRAMES_PER_SECOND,
        **pauses.SETTINGS,
        "must_reach": f"last speech less {LAST_SPEECH_SLACK_SECONDS:g} s",
        "failed_windows": "decoded again after the previous window's tokens",
        "shouted_windows": f"{SHOUTED_WORDS} words in capitals in a row: decoded again after the previous window's tokens",
        "unsure_windows": f"passed below an average log probability of {UNSURE_LOGPROB:g}: decoded again after the previous "
                          "window's tokens, the likelier kept unless it shouts",
        "unheard_holes": "loud as speech, no try heard: the seek loop over it after the text before",
    }


def batched(decode: DecodeFn, cuts: pauses.Cuts, tokenizer, config: RunConfig,
            progress: ProgressFn, cancel: threading.Event) -> list[Segment]:
    """The windows of `cuts` (consecutive, cut in pauses: `pauses.cuts_of`) decoded
    batch_size per call, without the text before them, but for one that fails at
    every temperature, shouts or passes unsure, decoded again after the window
    before it; then, round by round, a window wherever sound went unheard, and the
    seek loop over a hole no such window heard, merged with its neighbours at the
    seams."""
    windows = cuts.windows
    content_frames = windows[-1].start + windows[-1].frames
    total = content_frames / FRAMES_PER_SECOND
    # A window without sound is not decoded: it has nothing to hear, and decoded, the
    # model can invent a word or two there ("you") that the no-speech rule lets by.
    sounding = [w for w in windows if cuts.sounds(w)]

    def passed_with_speech(window: DecodedWindow) -> bool:
        """Passed the quality checks, and not as silence."""
        return not needs_fallback(window, config) and not is_silence(window, config)

    # The windows are spread evenly over the fewest calls of at most batch_size:
    # every row of a call costs a full decode step until its longest window ends,
    # so 25 windows run as 13 + 12 rather than 16 + 16 with 7 padding rows.
    calls = -(-len(sounding) // config.batch_size)
    rows = -(-len(sounding) // calls) if calls else config.batch_size
    decoded: dict[int, DecodedWindow] = {}  # by window start
    for first in range(0, len(sounding), rows):
        check_cancel(cancel)
        group = sounding[first : first + rows]
        decoded.update(zip((w.start for w in group), decode(group, [], rows, [must_reach(cuts, w) for w in group])))
        progress(min(total, group[-1].end), [])
    # A window that failed at every temperature is decoded again after the tokens of
    # the window before it, where that one passed, heard speech and kept a low
    # temperature (the seek loop drops its prompt after one above 0.5), and kept
    # where it passes and hears speech: alone, tiny.en heard a Caribbean voice's "a
    # secondary section is a named appendix" as "Asek and the Risek, Shoni,
    # Napendiks" at every temperature, and after the previous window's tokens heard
    # it at 0. So is a window that passed with speech but shouts (`shouted`), after
    # a window that does not, and kept where the new try does not shout either. (A
    # licence's disclaimer in capitals, heard so, is decoded again for nothing.)
    # And so is one that passed unsure of its words (`UNSURE_LOGPROB`), kept where
    # the new try is likelier and does not shout: alone, in the middle of a manual
    # read at 210 wpm, tiny.en heard "within the database file names are terminated
    # with a null character" as "within the next day. The next day is the second day
    # of the second day" (-0.65); after the text before it, as sequential decoding
    # heard it (-0.40). On two such clips batched trailed sequential by 3.9 points,
    # and by 1.1 and 2.2 once 4 windows of each were decoded again so.
    for before, window in zip(sounding, sounding[1:]):
        current, prompt = decoded[window.start], decoded[before.start]
        failed, passed = needs_fallback(current, config), passed_with_speech(current)
        shouting = passed and shouted(current.text) and not shouted(prompt.text)
        doubtful = passed and current.avg_logprob < UNSURE_LOGPROB
        if not (failed or shouting or doubtful) or not passed_with_speech(prompt) or prompt.temperature > PROMPT_TEMPERATURE:
            continue
        check_cancel(cancel)
        again = decode([window], prompt.tokens, 1, [must_reach(cuts, window)])[0]
        better = failed or not shouted(again.text) and (shouting or again.avg_logprob > current.avg_logprob)
        if passed_with_speech(again) and better:
            decoded[window.start] = again

    def segments_of(decoded: DecodedWindow, window: Window, speech: bool = False) -> list[Segment]:
        """The window's segments, as the model stamped them, but for a last one it
        looped on (`looped_to_the_limit`): where it was, sound goes unheard, and a
        window is decoded again there."""
        if is_silence(decoded, config) and not speech:
            return []
        found = split_segments(decoded.tokens, window, tokenizer.timestamp_begin, tokenizer.decode, keep_tail=True)[0]
        found = [s for s in found if s.start < window.end]
        return found[:-1] if found and looped_to_the_limit(decoded, found[-1]) else found

    first_pass = {w.start: segments_of(decoded[w.start], w) for w in sounding}
    # How fast this recording is spoken, as the windows that passed heard it (`placed`
    # judges every segment by it): a segment said far slower skipped speech.
    cuts = cuts.paced([s for w in sounding if passed_with_speech(decoded[w.start]) for s in first_pass[w.start]])

    def placed(segments: list[Segment], decoding: DecodedWindow | None) -> list[Segment]:
        """The segments of a window's `decoding` (None: not decoded), stamped where
        their words can be (`Cuts.trimmed`): the holes and seams go by them. Made to
        reach its last speech (`must_reach`), a window can go on without hearing it,
        and a hole its later segments hide is never decoded again (holes are found
        between windows' words). So a window's segments end before the first that
        says again what an earlier one said (`said_again`), before the first that
        skipped speech (`Cuts.skipped_speech`), or after it where it is the window's
        first, and, in a window that failed at every temperature, before speech
        unheard between two of them (`seams.unheard_between`): a window went on
        past "A village carpenter sent at a cabin at a", stamped over two sentences
        it never said; another said its second sentence again over its fourth; a
        third, sampled at temperature 1, stamped nothing over 15 s of speech
        between two of its segments. (A window that passed leaves a beep or a pause
        unstamped, and its stamps can miss a pause's edges by a word.)

        A segment that skipped speech after others is decoded again from where the
        one before it ends, as the seek rule decodes an unfinished segment again:
        kept, it ended where the most sound its words can take does (`Cuts.trimmed`,
        1.8 times the recording's pace), past the speech after them where they were
        said faster. At 240 wpm, a window ended on "There are several ways you can
        print information about the files that match the criteria you gave in the
        Find X-", stamped over 22 s and kept to 8 s, 4 s past its words, and the
        window decoded again from there lost the 16 words between. A window's first
        segment is kept: without it the window heard nothing, and a window decoded
        again there would start where it did."""
        judge = cuts.slowed_to(segments)
        through = next((max(i, 1) for i, s in enumerate(segments) if judge.skipped_speech(s)), len(segments))
        failed = decoding is not None and needs_fallback(decoding, config)
        before_gap = next((i + 1 for i, pair in enumerate(zip(segments, segments[1:])) if seams.unheard_between(cuts, *pair)),
                          len(segments)) if failed else len(segments)
        return [judge.trimmed(s) for s in segments[: min(said_again(segments), through, before_gap)]]

    heard = [(w, placed(first_pass.get(w.start, []), decoded.get(w.start))) for w in windows]
    tried = {w.start for w in windows}
    # A window decoded again over a hole loud as speech, that the no-speech rule calls
    # silent: where a window stopped short, the rule judges the whole window, a few
    # seconds of fast speech and the rest zero-padding; over a longer hole, a try
    # whose words fill the hole's sound heard speech the rule doubted (over 26 s of a
    # Black Country voice reading the rustc book, one try heard a long passage at an
    # average log probability of -1.13 and no-speech 0.89, the other "The the the":
    # 60 words that sequential kept were lost). Or one with far too few words for its
    # sound (`Cuts.too_few_words`: "Massive uptick with" for 5 s of speech): another
    # start may hear the hole whole. Once every start of a hole still open was tried,
    # its likeliest such try is kept, rather than lose its words.
    unsure: dict[tuple[int, int], tuple[float, seams.Redecode, list[Segment]]] = {}  # by hole

    def settle(holes: list[tuple[int, int]]) -> bool:
        """Each of `holes` still open gets its likeliest try in `unsure`, and leaves
        it. Whether any was placed."""
        still_open = seams.open_holes(heard, content_frames, cuts)
        kept = sorted(((still_open[hole], *unsure[hole][1:]) for hole in holes if hole in still_open), key=lambda k: k[0])
        for index, r, spoken in reversed(kept):  # from the end: indices stay valid
            heard[index : index + r.replaces] = [(r.window, spoken)]
        for hole in holes:
            del unsure[hole]
        return bool(kept)

    rounds = 0
    while rounds < MAX_REDECODE_ROUNDS:
        redo = seams.redecode(heard, content_frames, tried, cuts)
        # A hole every start of which was tried gets its likeliest try now, not after
        # the last round: what that try left unheard is a hole of its own, decoded
        # from where its words end. At 245 wpm, three windows decoded over a hole each
        # stopped at "in 1994 NIST published FIPS", and the words after it (15 that
        # sequential decoding kept) were lost.
        attempted = {r.hole for r in redo}
        if settle([hole for hole in unsure if hole not in attempted]):
            continue
        if not redo:
            break
        rounds += 1
        # Decoded together, in power-of-two widths no wider than the first calls: each
        # width is one more compiled shape for a backend that compiles.
        size = min(rows, 1 << (len(redo) - 1).bit_length())
        found: list[DecodedWindow] = []
        for first in range(0, len(redo), size):
            check_cancel(cancel)
            group = [r.window for r in redo[first : first + size]]
            found += decode(group, [], size, [must_reach(cuts, w) for w in group])
        tried.update(r.window.start for r in redo)
        for r, again in reversed(list(zip(redo, found))):  # from the end: indices stay valid
            segments = segments_of(again, r.window)
            if segments and not cuts.too_few_words(segments):
                heard[r.index : r.index + r.replaces] = [(r.window, placed(segments, again))]
                continue
            if not segments and cuts.sounds_like_speech(*r.hole):
                spoken = segments_of(again, r.window, speech=True)
                if r.stopped_short or spoken and not cuts.too_few_words(spoken):
                    segments = spoken
            if segments and (r.hole not in unsure or again.avg_logprob > unsure[r.hole][0]):
                unsure[r.hole] = (again.avg_logprob, r, placed(segments, again))
    settle(list(unsure))
    # A hole still open once its tries are done, loud as speech, is decoded by the seek
    # loop after the text heard before it, as sequential decoding goes over it, from
    # where its first try started to past the next window's first word (or to the
    # end of the window it takes the place of). Alone, from every start, tiny.en
    # heard three sentences alike of the rustc book read by a Lancashire voice ("This
    # flag will set which lints should be set to the allow level. Note: The order of
    # these lint level arguments ...") as "N S N N" or "The The The"; after the text
    # before them it heard two of them, and batched went from 0.2 to 2.4 points
    # better than sequential on that clip.
    for r in reversed(seams.redecode(heard, content_frames, set(), cuts)):  # from the end: indices stay valid
        if not cuts.sounds_like_speech(*r.hole):
            continue
        after = heard[r.index][0] if r.index < len(heard) else None
        end = after.start + after.frames if after and r.replaces else min(
            content_frames, r.hole[1] + round(seams.REDECODE_REACH_SECONDS * FRAMES_PER_SECOND))
        said = " ".join(s.text.strip() for _, found in heard[max(0, r.index - 2) : r.index] for s in found)
        check_cancel(cancel)
        found = sequential(decode, end, tokenizer, config.with_(condition_on_previous_text=True), lambda *_: None, cancel,
                           seek=r.window.start, before=tokenizer.encode(" " + said) if said else [])
        if found:
            heard[r.index : r.index + r.replaces] = [(Window(r.window.start, end - r.window.start), placed(found, None))]
    segments = seams.merge_windows(heard, {w.start for w in windows})
    progress(total, segments)
    return segments
