"""A long real-speech clip for benchmarks: public-domain texts spoken by espeak-ng.

Made on first use and cached (with its reference transcript) under the user cache
dir, so every benchmark measures the same audio.

    .venv/bin/python -m benchmarks.long_clip [--clip-repeats 2]   # make it, print where
"""

from __future__ import annotations

from pathlib import Path

from asr_tui.core import paths
from benchmarks import arguments
from benchmarks.clips import speak

PASSAGES = [
    # Lincoln, the Gettysburg Address (1863)
    "Four score and seven years ago our fathers brought forth on this continent, a new nation, conceived in Liberty, "
    "and dedicated to the proposition that all men are created equal. Now we are engaged in a great civil war, testing "
    "whether that nation, or any nation so conceived and so dedicated, can long endure. We are met on a great battle-field "
    "of that war. We have come to dedicate a portion of that field, as a final resting place for those who here gave their "
    "lives that that nation might live. It is altogether fitting and proper that we should do this. But, in a larger sense, "
    "we can not dedicate, we can not consecrate, we can not hallow this ground. The brave men, living and dead, who "
    "struggled here, have consecrated it, far above our poor power to add or detract. The world will little note, nor long "
    "remember what we say here, but it can never forget what they did here. It is for us the living, rather, to be dedicated "
    "here to the unfinished work which they who fought here have thus far so nobly advanced. It is rather for us to be here "
    "dedicated to the great task remaining before us, that from these honored dead we take increased devotion to that cause "
    "for which they gave the last full measure of devotion, that we here highly resolve that these dead shall not have died "
    "in vain, that this nation, under God, shall have a new birth of freedom, and that government of the people, by the "
    "people, for the people, shall not perish from the earth.",
    # The Declaration of Independence (1776), opening
    "When in the Course of human events, it becomes necessary for one people to dissolve the political bands which have "
    "connected them with another, and to assume among the powers of the earth, the separate and equal station to which the "
    "Laws of Nature and of Nature's God entitle them, a decent respect to the opinions of mankind requires that they should "
    "declare the causes which impel them to the separation. We hold these truths to be self-evident, that all men are "
    "created equal, that they are endowed by their Creator with certain unalienable Rights, that among these are Life, "
    "Liberty and the pursuit of Happiness. That to secure these rights, Governments are instituted among Men, deriving "
    "their just powers from the consent of the governed. That whenever any Form of Government becomes destructive of these "
    "ends, it is the Right of the People to alter or to abolish it, and to institute new Government, laying its foundation "
    "on such principles and organizing its powers in such form, as to them shall seem most likely to effect their Safety "
    "and Happiness.",
    # The Preamble to the United States Constitution (1787)
    "We the People of the United States, in Order to form a more perfect Union, establish Justice, insure domestic "
    "Tranquility, provide for the common defence, promote the general Welfare, and secure the Blessings of Liberty to "
    "ourselves and our Posterity, do ordain and establish this Constitution for the United States of America.",
    # Lincoln, Second Inaugural Address (1865), close
    "With malice toward none, with charity for all, with firmness in the right as God gives us to see the right, let us "
    "strive on to finish the work we are in, to bind up the nation's wounds, to care for him who shall have borne the "
    "battle and for his widow and his orphan, to do all which may achieve and cherish a just and lasting peace among "
    "ourselves and with all nations.",
    # Jane Austen, Pride and Prejudice (1813), opening
    "It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife. "
    "However little known the feelings or views of such a man may be on his first entering a neighbourhood, this truth is "
    "so well fixed in the minds of the surrounding families, that he is considered the rightful property of some one or "
    "other of their daughters.",
    # Herman Melville, Moby-Dick (1851), opening
    "Call me Ishmael. Some years ago, never mind how long precisely, having little or no money in my purse, and nothing "
    "particular to interest me on shore, I thought I would sail about a little and see the watery part of the world. It is "
    "a way I have of driving off the spleen and regulating the circulation. Whenever I find myself growing grim about the "
    "mouth; whenever it is a damp, drizzly November in my soul; whenever I find myself involuntarily pausing before coffin "
    "warehouses, and bringing up the rear of every funeral I meet; then, I account it high time to get to sea as soon as I "
    "can.",
]


def long_clip(repeats: int = 1) -> tuple[Path, str]:
    """(path, reference text) of the clip: about 4.2 minutes per repeat."""
    text = " ".join(PASSAGES * repeats)
    path = paths.cache_dir() / "benchmarks" / f"long-speech-x{repeats}.wav"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        speak(text, path, wpm=160)
        path.with_suffix(".txt").write_text(text)
    return path, text


def add_length(parser) -> None:
    """--clip-repeats, for every script that measures the long clip (named apart from
    the measured passes' --repeat)."""
    parser.add_argument("--clip-repeats", type=arguments.positive, default=2,
                        help="how many times the 4.2-minute text is spoken (2: the studies' 8.3-minute clip)")


def main() -> None:
    from asr_tui.core import audio

    parser = arguments.parser(__doc__)
    add_length(parser)
    path, text = long_clip(parser.parse_args().clip_repeats)
    print(f"{audio.probe_seconds(path) / 60:.1f} min, {len(text.split())} words, {path} (reference: {path.with_suffix('.txt')})")


if __name__ == "__main__":
    main()
