"""What sources name, beyond the folder, glob and manifest cases the corpus tests run:
manifest lines that cannot be used are one line naming file and line, the columns a
TSV header may name in any order, and where a reference is looked for."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from asr_tui.core import sources
from asr_tui.core.errors import AsrTuiError
from asr_tui.core.references import find as find_reference


def touch(path: Path, text: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (['{"audio": "a.wav"}', "", "[1, 2]"], "set.jsonl:3: expected an object with an 'audio' path"),
        (['{"text": "no file"}'], "set.jsonl:1: no audio path (audio or audio_filepath or path)"),
        (['{"audio": 7}'], "set.jsonl:1: no audio path"),
        (['{"audio": "a.wav",'], "set.jsonl:1: not JSON"),
        # a reference that is no text was dropped, and the file ran without WER
        (['{"audio": "a.wav", "text": 5}'], "set.jsonl:1: 'text' must be the reference as text (got 5)"),
        (['{"audio": "a.wav", "reference": 5}'], "set.jsonl:1: 'reference' must be a reference file's path (got 5)"),
    ],
)
def test_unusable_jsonl_lines_name_file_and_line(tmp_path, lines, message):
    touch(tmp_path / "a.wav")
    manifest = touch(tmp_path / "set.jsonl", "\n".join(lines))
    with pytest.raises(AsrTuiError) as info:
        sources.expand([manifest])
    assert str(info.value).startswith(f"{tmp_path}/{message}")


def test_a_spreadsheets_byte_order_mark_is_not_part_of_the_header(tmp_path):
    """Saved as 'UTF-8 with BOM', the header's first cell read '\ufefftext': the header
    became a missing file, or the reference column went unread."""
    audio = touch(tmp_path / "a.wav")
    for header, row in (("audio\ttext", "a.wav\thello"), ("text\taudio", "hello\ta.wav")):
        manifest = tmp_path / "set.tsv"
        manifest.write_bytes(("\ufeff" + header + "\n" + row + "\n").encode("utf-8"))
        found = sources.expand([manifest])
        assert found.files == [audio] and found.missing == [] and found.references[audio].text == "hello"


def test_lines_without_a_reference_are_listed(tmp_path):
    """A column named otherwise ('transcription') gives no reference: the file runs for
    timing only, and the line is listed so the CLI can say so."""
    audio = touch(tmp_path / "a.wav")
    manifest = touch(tmp_path / "set.tsv", "audio\ttranscription\na.wav\thello\n")
    found = sources.expand([manifest])
    assert found.references[audio] is None and found.unreferenced == [f"{manifest}:2"]


def test_tsv_header_columns_in_any_order(tmp_path):
    a, b = touch(tmp_path / "a.wav"), touch(tmp_path / "b.wav")
    manifest = touch(tmp_path / "set.tsv", "sentence\tpath\nhello there\ta.wav\n \tb.wav\n")
    out = sources.expand([manifest])
    assert out.files == [a, b]
    assert out.references == {a: sources.InlineReference("hello there", f"{manifest}:2"), b: None}  # b: timing only


def test_a_blank_text_falls_back_to_the_reference_file(tmp_path):
    a = touch(tmp_path / "a.wav")
    ref = touch(tmp_path / "refs" / "a.txt", "hello")
    manifest = touch(tmp_path / "set.jsonl", json.dumps({"audio": "a.wav", "text": "  ", "reference": "refs/a.txt"}))
    assert sources.expand([manifest]).references == {a: ref}


def test_a_missing_reference_file_is_listed_and_its_audio_still_runs_for_timing(tmp_path):
    """Not against the sibling a.txt in its place: the manifest named another transcript."""
    a = touch(tmp_path / "a.wav")
    touch(tmp_path / "a.txt", "a sibling the manifest did not name")
    manifest = touch(tmp_path / "set.tsv", "audio\treference\na.wav\tgone.txt\n")
    out = sources.expand([manifest])
    assert out.files == [a] and out.references == {a: None} and out.missing == []
    assert out.missing_references == [str(tmp_path / "gone.txt")]


def test_a_file_named_twice_runs_once(tmp_path):
    a, b = touch(tmp_path / "a.wav"), touch(tmp_path / "clips" / "b.wav")
    manifest = touch(tmp_path / "clips" / "set.tsv", "../a.wav\thello\nb.wav\tbee\n")
    out = sources.expand([a, tmp_path / "." / "a.wav", tmp_path / "clips", manifest])
    assert out.files == [a, b]
    assert out.references == {}  # the manifest's lines came after both files: the first naming decides
    out = sources.expand([manifest, a])
    assert out.files == [a, b] and out.references[a] == sources.InlineReference("hello", f"{manifest}:1")


def test_manifests_that_cannot_be_read(tmp_path):
    with pytest.raises(AsrTuiError, match=f"manifest {tmp_path / 'gone.tsv'} does not exist"):
        sources.expand([tmp_path / "gone.tsv"])
    latin = tmp_path / "latin.tsv"
    latin.write_bytes("a.wav\tcaf\xe9\n".encode("latin-1"))
    with pytest.raises(AsrTuiError, match=f"cannot read manifest {latin}: "):
        sources.expand([latin])
    empty = touch(tmp_path / "empty.tsv", "\n\n")
    with pytest.raises(AsrTuiError, match="names no existing audio file"):
        sources.expand([empty])


def test_a_file_whose_name_looks_like_a_glob_is_that_file(tmp_path):
    take = touch(tmp_path / "take[1].wav")
    assert not sources.is_glob(take) and sources.expand([str(take)]).files == [take]
    assert sources.is_glob(tmp_path / "take*.wav")


def test_a_plain_file_passes_through_even_when_missing():
    """Decoding, not source expansion, says why a named file fails."""
    assert sources.expand(["/nowhere/clip.wav", "/nowhere/clip.wav"]).files == [Path("/nowhere/clip.wav")]


def test_reference_beside_the_audio(tmp_path):
    clip = touch(tmp_path / "clip.flac")
    assert find_reference(clip) is None
    plain = touch(tmp_path / "clip.txt", "words")
    assert find_reference(clip) == plain
    full = touch(tmp_path / "clip.flac.txt", "words")
    assert find_reference(clip) == full  # the full name is the more specific
    assert find_reference(plain) is None  # a .txt audio name is never its own reference


def test_the_runner_takes_a_manifests_none_as_no_reference(tmp_path):
    from asr_tui.core.config import RunConfig
    from asr_tui.core.runner import Job, _reference

    a = touch(tmp_path / "a.wav")
    touch(tmp_path / "a.txt", "the sibling")
    assert _reference(Job(RunConfig(), (a,), {a: None}), a) == (None, None, None)
    assert _reference(Job(RunConfig(), (a,), {}), a)[0] == "the sibling"  # a file given alone: its sibling
