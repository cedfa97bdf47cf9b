"""Corpus mode: folders, globs and manifests as sources, and corpus WER and RTFx that
equal jiwer's measures over the whole set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from asr_tui.core import sources
from asr_tui.core.errors import AsrTuiError
from asr_tui.core.metrics import normalizers
from tests.speech import TEXTS, espeak
from tests.cli_helpers import asr_tui, one_line_error


def touch(path: Path, text: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_folder_and_glob(tmp_path):
    a, b = touch(tmp_path / "set" / "a.wav"), touch(tmp_path / "set" / "sub" / "b.flac")
    touch(tmp_path / "set" / "a.txt", "reference")
    touch(tmp_path / "set" / "notes.md")
    touch(tmp_path / "set" / ".hidden.wav")
    assert sources.expand([tmp_path / "set"]).files == [a, b]
    assert sources.expand([str(tmp_path / "set" / "*.wav")]).files == [a]
    assert sources.expand([str(tmp_path / "**" / "*.flac")]).files == [b]
    # a plain file passes through, and is not listed twice
    assert sources.expand([a, tmp_path / "set"]).files == [a, b]
    # numbers in names read as numbers, as a person lists takes
    takes = [touch(tmp_path / "takes" / f"Take{n}.wav") for n in (2, 10, 1)] + [touch(tmp_path / "takes" / "take2.wav")]
    in_order = [takes[2], takes[0], takes[3], takes[1]]  # a tie in all but case: as written, capitals first
    assert sources.expand([tmp_path / "takes"]).files == in_order
    assert sources.expand([str(tmp_path / "takes" / "*.wav")]).files == in_order
    with pytest.raises(AsrTuiError, match="no audio files in"):
        sources.expand([touch(tmp_path / "empty" / "readme.txt").parent])
    with pytest.raises(AsrTuiError, match="no audio files match"):
        sources.expand([str(tmp_path / "*.ogg")])


def test_tsv_manifest_with_and_without_header(tmp_path):
    a, b = touch(tmp_path / "a.wav"), touch(tmp_path / "clips" / "b.wav")
    ref = touch(tmp_path / "b.ref", "bee")
    headed = touch(tmp_path / "set.tsv", "path\treference\na.wav\t\nclips/b.wav\tb.ref\nmissing.wav\tb.ref\n")
    out = sources.expand([headed])
    assert out.files == [a, b] and out.references == {a: None, b: ref}  # None: timing only
    assert out.missing == [str(tmp_path / "missing.wav")]
    plain = touch(tmp_path / "plain.tsv", "a.wav\thello there\n\nclips/b.wav\n")
    out = sources.expand([plain])
    assert out.files == [a, b] and out.missing == []
    assert out.references == {a: sources.InlineReference("hello there", f"{plain}:1"), b: None}


def test_jsonl_manifest(tmp_path):
    a, b, c = (touch(tmp_path / f"{n}.wav") for n in "abc")
    touch(tmp_path / "c.txt", "see")
    manifest = touch(tmp_path / "set.jsonl", "\n".join(json.dumps(row) for row in [
        {"audio": "a.wav", "text": "one"},
        {"audio_filepath": str(b), "text": "two"},  # NeMo's key, an absolute path
        {"audio": "c.wav", "reference": "c.txt"},
        {"audio": "gone.wav", "text": "three"},
        {"audio": "c.wav", "reference": "gone.txt"},
    ]))
    out = sources.expand([manifest])
    assert out.files == [a, b, c]
    assert out.references[a].text == "one" and out.references[b].text == "two" and out.references[c] == tmp_path / "c.txt"
    assert out.missing == [str(tmp_path / "gone.wav")]  # c.wav's first line decides its reference
    touch(manifest, '{"audio": "a.wav"}\nnot json\n')
    with pytest.raises(AsrTuiError, match=r"set.jsonl:2: not JSON"):
        sources.expand([manifest])
    touch(manifest, '{"audio": "nowhere.wav"}\n')
    with pytest.raises(AsrTuiError, match="names no existing audio file"):
        sources.expand([manifest])


def test_corpus_wer_and_rtfx_over_a_manifest(tmp_path):
    """Three clips with references (one of them deliberately wrong, so the counts are
    not all zero), one without, one missing: the corpus row must be jiwer's measures
    over the referenced set, after Whisper's normaliser, and RTFx total over total."""
    import jiwer

    clips = [espeak(text, tmp_path / f"clip{i}.wav") for i, text in enumerate(TEXTS[:4])]
    references = {clips[0]: TEXTS[0], clips[1]: TEXTS[1], clips[2]: TEXTS[4]}  # clip2 says TEXTS[2]
    rows = [{"audio": p.name, "text": t} for p, t in references.items()]
    rows += [{"audio": clips[3].name}, {"audio": "missing.wav", "text": "never heard"}, {"audio": "corrupt.wav", "text": "x"}]
    (tmp_path / "corrupt.wav").write_bytes(b"RIFF" + b"\x00" * 100)
    manifest = touch(tmp_path / "set.jsonl", "\n".join(json.dumps(r) for r in rows))
    out = tmp_path / "results.json"
    proc = asr_tui("run", "--warmup", "0", "--repeat", "1", "--json", str(out), str(manifest))
    assert proc.returncode == 0, proc.stderr
    assert "missing.wav" in proc.stderr and "corpus" in proc.stdout
    assert "asr-tui: warning: left out, cannot read" in proc.stderr  # one corrupt file does not stop the rest
    doc = json.loads(out.read_text())
    assert [Path(s["file"]).name for s in doc["skipped"]] == ["missing.wav", "corrupt.wav"]
    runs = {Path(r["audio"]).name: r for r in doc["runs"]}
    assert sorted(runs) == sorted(p.name for p in clips)
    [corpus] = doc["corpus"]
    normalize_reference, normalize = normalizers("en")
    truth = jiwer.process_words(
        [normalize_reference(references[p]) for p in references], [normalize(runs[p.name]["text"]) for p in references]
    )
    assert (corpus["substitutions"], corpus["deletions"], corpus["insertions"]) == (
        truth.substitutions, truth.deletions, truth.insertions
    )
    assert corpus["reference_words"] == sum(len(normalize_reference(t).split()) for t in references.values())
    assert corpus["wer"] == pytest.approx(truth.wer, abs=1e-6) and corpus["wer"] > 0.2
    assert corpus["files"] == 4 and corpus["files_without_reference"] == 1
    audio = sum(r["audio_seconds"] for r in runs.values())
    compute = sum(r["warm_median_s"] for r in runs.values())
    assert corpus["audio_seconds"] == pytest.approx(audio, abs=1e-3)
    assert corpus["rtfx"] == pytest.approx(audio / compute, rel=1e-3)
    assert runs[clips[0].name]["reference"] == f"{manifest}:1"
    # one model load over four files: counted on the first row, "reused" on the others
    assert [r["model_reused"] for r in doc["runs"]] == [False, True, True, True]
    assert proc.stdout.count(" reused ") == 3


def test_folder_without_audio_is_exit_2(tmp_path):
    touch(tmp_path / "docs" / "readme.txt")
    assert "no audio files in" in one_line_error(asr_tui("run", str(tmp_path / "docs")))


def test_configurations_that_read_alike_get_rows_of_their_own(tmp_path):
    """Two configurations that differ only in threads were one corpus row, their
    files counted once as a rerun: each is now named by what sets it apart."""
    preset = touch(tmp_path / "threads.toml", 'name = "threads"\n' + "".join(
        f'[[configs]]\nbackend = "ctranslate2"\nthreads = {n}\nwarmup = 0\nrepeat = 1\n' for n in (1, 2)))
    out = tmp_path / "results.json"
    proc = asr_tui("run", "--preset", str(preset), "--json", str(out))
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    names = ["ctranslate2 tiny.en cpu float32 threads=1", "ctranslate2 tiny.en cpu float32 threads=2"]
    assert [c["config_name"] for c in doc["corpus"]] == names
    assert [r["config_name"] for r in doc["runs"]] == names
    assert [r["env"]["threads"] for r in doc["runs"]] == [1, 2]


def test_the_same_configuration_twice_is_refused(tmp_path):
    preset = touch(tmp_path / "twice.toml", 'name = "twice"\n' + '[[configs]]\nbackend = "ctranslate2"\n' * 2)
    assert "configurations 1 and 2 ('ctranslate2 tiny.en cpu float32') have the same settings" in one_line_error(asr_tui("run", "--preset", str(preset)))
