"""The contract every registered backend keeps, run over each name the entry-point
group lists (a plugin's included), so a new backend is tested by being registered.

On the bundled sample, tiny.en decoded greedily: the WER bound; agreement with
openai-whisper's own `transcribe` on the same weights; progress reports that only
move forward and hand over each segment once; the windows the fallback sampled
counted (none greedily); a cancel set at the first report that
stops the work within that chunk and leaves the model usable; `check` accepting
exactly the device and dtype pairs the backend declares, each refusal one line. Each
backend's model is loaded once for the module. A backend that cannot run here (its
framework or the device missing) is skipped with its own one-line reason.
"""

from __future__ import annotations

import threading

import pytest

from asr_tui.core import audio, backends, weights
from asr_tui.core.config import DEVICES, DTYPES, RunConfig
from asr_tui.core.errors import AsrTuiError, Cancelled
from asr_tui.core.metrics import wer
from asr_tui.core.samples import SAMPLE
from tests.bounds import AGREEMENT_WER_BOUND, SAMPLE_WER_BOUND
from tests.devices import why_no_gpu

REFERENCE = SAMPLE.with_suffix(".txt").read_text(encoding="utf-8")
NAMES = backends.names()
# A timestamp may land a little past the audio's end in the zero-padded last window.
END_SLACK_S = 0.5


def contract_config(name: str, device: str = "cpu") -> RunConfig:
    """The same work for every backend: tiny.en, float32, greedy without fallback
    (every backend can decode that way), in the backend's first strategy."""
    strategy = backends.backend_class(name).strategies[0]
    return RunConfig(backend=name, device=device, strategy=strategy, temperatures=(0.0,), warmup=0, repeat=1)


def available(name: str, device: str = "cpu"):
    """A backend ready to load for `device`, or the test skipped with the reason it
    gives for not running here."""
    backend = backends.create(name)
    config = contract_config(name, device)
    try:
        backend.check(config)
        backend.check_available(config)
    except AsrTuiError as exc:
        pytest.skip(f"{name} cannot run on {device} here: {exc}")
    return backend, config


@pytest.fixture(
    scope="module",
    params=[
        pytest.param((name, device), id=f"{name}-{device}", marks=[pytest.mark.gpu] if device == "cuda" else [])
        for name in NAMES
        for device in DEVICES
    ],
)
def loaded(request):
    """One backend with tiny.en resident, as the runner leaves it between passes."""
    name, device = request.param
    backend, config = available(name, device)
    backend.set_threads(config.resolved_threads)
    backend.load(config, weights.resolve(config.model))
    yield backend, config
    backend.release()


class Reports:
    """What a backend told its progress callback."""

    def __init__(self) -> None:
        self.done: list[float] = []
        self.segments: list = []

    def __call__(self, done: float, segments: list) -> None:
        self.done.append(done)
        self.segments.extend(segments)


@pytest.fixture(scope="module")
def sample_run(loaded):
    """The sample transcribed once per backend; the tests below read it."""
    backend, config = loaded
    reports = Reports()
    with audio.decoded(SAMPLE) as clip:
        transcript = backend.transcribe(clip, config, reports, threading.Event())
    return transcript, reports, clip.seconds


@pytest.fixture(scope="module")
def openai_whisper_text() -> str:
    """openai-whisper's own load and transcribe, greedy, on the same converted weights:
    the reference every backend (ours on PyTorch included) is held to."""
    import whisper

    model = whisper.load_model(str(weights.resolve("tiny.en").checkpoint), device="cpu")
    result = whisper.transcribe(model, audio.load(SAMPLE).samples, temperature=0.0, language="en", fp16=False, verbose=None)
    return result["text"].strip()


def test_sample_meets_the_wer_bound(sample_run):
    transcript, _, seconds = sample_run
    assert wer(REFERENCE, transcript.text) <= SAMPLE_WER_BOUND, transcript.text
    starts = [s.start for s in transcript.segments]
    assert starts and starts == sorted(starts)
    assert all(0 <= s.start <= s.end <= seconds + END_SLACK_S for s in transcript.segments), transcript.segments


def test_agrees_with_openai_whisper(sample_run, openai_whisper_text):
    transcript, _, _ = sample_run
    assert wer(openai_whisper_text, transcript.text) <= AGREEMENT_WER_BOUND, (openai_whisper_text, transcript.text)


def test_progress_moves_forward_and_hands_over_each_segment_once(sample_run):
    transcript, reports, seconds = sample_run
    assert reports.done, "no progress was reported"
    assert reports.done == sorted(reports.done), reports.done
    assert all(0 <= done <= seconds + END_SLACK_S for done in reports.done), (reports.done, seconds)
    assert reports.segments == transcript.segments


def test_the_windows_the_fallback_sampled_are_counted(loaded, sample_run):
    """Greedy decoding samples no window; a schedule that starts above 0 samples every
    window, and the transcript says how many (`core.sampling` marks such a result)."""
    backend, config = loaded
    assert sample_run[0].stats.get("sampled_windows") == 0, sample_run[0].stats
    hot = config.with_(temperatures=(0.5,))
    try:
        backend.check(hot)
    except AsrTuiError:
        pytest.skip(f"{config.backend} decodes greedily only: it samples no window")
    with audio.decoded(SAMPLE) as clip:
        transcript = backend.transcribe(clip, hot, Reports(), threading.Event())
    assert transcript.stats.get("sampled_windows", 0) >= 1, transcript.stats


def test_cancel_stops_within_the_chunk_and_leaves_the_model_usable(loaded, long_clip, sample_run):
    """Cancel is set at the first report; no second report may follow. A backend whose
    one chunk is the whole file returns it instead, having had nothing left to stop."""
    backend, config = loaded
    cancel = threading.Event()
    seen: list[float] = []

    def progress(done, _segments):
        seen.append(done)
        cancel.set()

    try:
        with audio.decoded(long_clip[0]) as clip:
            seconds = clip.seconds
            backend.transcribe(clip, config, progress, cancel)
    except Cancelled:
        assert len(seen) == 1 and seen[0] < seconds, (seen, seconds)
    else:
        assert len(seen) == 1 and seen[0] >= seconds - END_SLACK_S, f"not cancelled: reports at {seen} of {seconds:.1f} s"
    # the runner goes on with the next job on the same resident model
    with audio.decoded(SAMPLE) as clip:
        again = backend.transcribe(clip, config, lambda *_: None, threading.Event())
    assert again.text == sample_run[0].text


@pytest.mark.parametrize("name", NAMES)
def test_check_accepts_exactly_the_declared_devices_and_dtypes(name):
    """`check` runs on every edit in the form, framework-free: what the class declares
    must pass, anything else must be one line that names what was refused."""
    backend, _ = available(name)
    declared = backends.backend_class(name).dtypes
    for device in DEVICES:
        for dtype in DTYPES:
            config = contract_config(name, device).with_(dtype=dtype)
            if dtype in declared.get(device, ()):
                backend.check(config)
                continue
            with pytest.raises(AsrTuiError) as info:
                backend.check(config)
            message = str(info.value)
            assert "\n" not in message and (dtype in message or device in message), message


@pytest.mark.parametrize("name", NAMES)
def test_a_backend_that_reads_the_beam_size_accepts_beams(name):
    """The form shows a backend the knobs it reads; showing the beam size and then
    refusing every beam would be a knob that cannot be used."""
    backend, config = available(name)
    if "beam_size" not in backends.backend_class(name).options:
        pytest.skip(f"{name} does not read the beam size")
    backend.check(config.with_(beam_size=5, patience=2.0))


@pytest.mark.parametrize("name", NAMES)
def test_cuda_without_a_gpu_is_one_line(name):
    if why_no_gpu() is None:
        pytest.skip("a GPU is visible here")
    backend = backends.create(name)
    with pytest.raises(AsrTuiError) as info:
        backend.check_available(contract_config(name, "cuda"))
    assert "\n" not in str(info.value)
