"""A run whose transcript lost a stretch of speech, repeats a phrase more than the
speech does, or has a run of words its reference lacks, says so in its table, its
notes and its JSON (real decoding)."""

from __future__ import annotations

import json
import shutil

from asr_tui.core.samples import SAMPLE
from asr_tui.core.sampling import SAMPLED_MARK
from asr_tui.core.wholeness import EXTRA_MARK, LOST_MARK
from tests.cli_helpers import asr_tui
from tests.speech import espeak

MISSING = "The ferry left the harbour at dawn with forty passengers aboard."
UNWRITTEN = "Now we are engaged in a great civil war, testing whether that nation, or any nation so conceived and so dedicated, can long endure."
CHORUS = "Close the door and open the window. "


def test_lost_speech_and_a_repeated_phrase_are_marked(tmp_path):
    # the bundled speech against a reference with a sentence the audio never says
    speech = SAMPLE.with_suffix(".txt").read_text().strip()
    shutil.copy(SAMPLE, tmp_path / "missing.flac")
    (tmp_path / "missing.txt").write_text(speech.replace("Now we are", f"{MISSING} Now we are"))
    # a phrase said four times, against a reference that says it once
    espeak(CHORUS * 4, tmp_path / "chorus.wav")
    (tmp_path / "chorus.txt").write_text(CHORUS)
    # the bundled speech against a reference without one of its sentences
    shutil.copy(SAMPLE, tmp_path / "unwritten.flac")
    assert UNWRITTEN in speech
    (tmp_path / "unwritten.txt").write_text(speech.replace(UNWRITTEN, ""))
    out = tmp_path / "results.json"
    proc = asr_tui("run", str(tmp_path / "missing.flac"), str(tmp_path / "chorus.wav"), str(tmp_path / "unwritten.flac"),
                   "--backend", "ctranslate2",
                   "--warmup", "0", "--repeat", "1", "--json", str(out), env={"COLUMNS": "160"})
    assert proc.returncode == 0, proc.stderr
    runs = {run["audio"].rsplit("/", 1)[-1]: run for run in json.loads(out.read_text())["runs"]}

    missing = runs["missing.flac"]
    assert missing["lost_words"] == len(MISSING.split())
    assert missing["lost_text"] == "the ferry left the harbor at dawn with 40 passengers aboard"  # as the WER reads it
    assert any(w.startswith(f"{LOST_MARK} lost 11 reference words in a row") for w in missing["warnings"])
    assert f"{LOST_MARK} row 1 (" in proc.stdout and "skipped audio, or text the audio lacks" in proc.stdout

    chorus = runs["chorus.wav"]
    copies = chorus["text"].lower().count("close the door and open the window")
    assert copies >= 3, chorus["text"]
    assert chorus["repeated_phrase"] == "close the door and open the window"
    assert chorus["repeated_words"] == (copies - 1) * 7
    assert chorus["reference_repeated_words"] == 0
    assert any(w.startswith(f"{EXTRA_MARK} says 'close the door and open the window'") for w in chorus["warnings"])
    assert f"{EXTRA_MARK} row 2 (" in proc.stdout
    # the copies after the first are words the reference lacks, too
    assert chorus["added_words"] == chorus["repeated_words"]

    unwritten = runs["unwritten.flac"]
    assert unwritten["lost_words"] == 0 and unwritten["repeated_words"] < 10
    assert unwritten["added_words"] >= len(UNWRITTEN.split()) - 2, unwritten["text"]  # tiny.en may mishear a word or two
    assert unwritten["added_text"].startswith("now we are engaged")
    assert any(w.startswith(f"{EXTRA_MARK} added {unwritten['added_words']} words in a row that the reference lacks")
               for w in unwritten["warnings"])
    # the rows' marks column ends with each one's transcript mark (a busy machine adds its own before it, and
    # a window decoded by sampling its own after it: the chorus's repeats can compress enough to fall back)
    table_rows = [line.split() for line in proc.stdout.splitlines()
                  if any(name in line for name in ("missing.flac", "chorus.wav", "unwritten.flac"))]
    assert [row[0].rstrip(SAMPLED_MARK)[-1] for row in table_rows[:3]] == [LOST_MARK, EXTRA_MARK, EXTRA_MARK], proc.stdout
