"""openai-whisper's own `transcribe` on PyTorch: the reference the study measures.

The backend calls the library's long-form loop unchanged so that its timings are the
library's; progress and cancel come from standing in for the tqdm bar that loop
updates once per 30 s window, and from the timestamp tokens the decoder emits inside
a window. Its features are the library's log-mel, computed block by block
(`core.log_mel`) so that a long file's spectrogram costs no whole-file STFT.

Stages (`core.stages`) are timed by forward hooks on the encoder and the text decoder
(each call a stage), inside the library's loop, whose remaining host work (logit
rules, sampling, token-to-text, segments) is `post`. On a GPU each hooked call ends
with a synchronisation: the decoder's costs nothing, as the loop already waits for
every token it checks for the end token; the encoder's once per window.
"""

from __future__ import annotations

import dataclasses
import functools
import sys
import threading
import time
import types
from contextlib import contextmanager

import numpy as np

from asr_tui.core import log_mel
from asr_tui.core.audio import Decoded
from asr_tui.core.backends.base import Backend, check_cancel
from asr_tui.core.backends.longform import loops, pauses
from asr_tui.core.backends.longform.window import DecodedWindow, SampledCount, Window, with_fallback
from asr_tui.core.config import RunConfig
from asr_tui.core.errors import AsrTuiError
from asr_tui.core.stages import StageTimer
from asr_tui.core.transcript import FRAMES_PER_SECOND, ProgressFn, Segment, Transcript
from asr_tui.core.weights import Weights, load_checkpoint


class MustReach:
    """An openai-whisper logit filter (its `LogitFilter.apply`) for `loops.must_reach`:
    a row may not end on a segment it has only begun (two timestamps in a row) before
    its timestamp token in `reach`, as `jaxwhisper.generate` rules it."""

    def __init__(self, reach, sample_begin: int, tokenizer) -> None:
        self.reach = reach  # (rows,) timestamp tokens, on the model's device
        self.sample_begin = sample_begin
        self.timestamp_begin, self.eot = tokenizer.timestamp_begin, tokenizer.eot

    def apply(self, logits, tokens) -> None:
        sampled = tokens[:, self.sample_begin :]
        if sampled.shape[1] < 2:
            return
        last, penultimate = sampled[:, -1], sampled[:, -2]
        begun = (last >= self.timestamp_begin) & (penultimate >= self.timestamp_begin) & (last < self.reach)
        logits[begun, self.eot] = -np.inf


def load_whisper_model(weights: Weights, device: str):
    """Build openai-whisper's module from a checkpoint on disk, never from the network."""
    import torch
    import whisper

    checkpoint = load_checkpoint(weights.checkpoint, map_location=device)
    model = whisper.model.Whisper(whisper.model.ModelDimensions(**checkpoint["dims"]))
    model.load_state_dict(checkpoint["model_state_dict"])
    heads = checkpoint.get("alignment_heads")
    if heads:
        mask = torch.zeros(model.dims.n_text_layer, model.dims.n_text_head, dtype=torch.bool)
        for layer, head in heads:
            mask[layer, head] = True
        model.register_buffer("alignment_heads", mask.to_sparse(), persistent=False)
    elif weights.name in whisper._ALIGNMENT_HEADS:
        model.set_alignment_heads(whisper._ALIGNMENT_HEADS[weights.name])
    return model.to(device)


class _WindowProgress:
    """Progress and cancel for openai-whisper's long-form loop, at two grains.

    Per window: `_WindowBar`, below. Within a window: a pre-hook on the text decoder
    sees each token as it is fed back; a timestamp token says how far into the window
    the decoder has got, so a bar moves while a 30 s window decodes instead of jumping
    at its end, and cancel stops within one token. The decoder loop already waits for
    each token (it checks for the end token), so reading the last one adds no
    synchronisation of its own.
    """

    def __init__(self, progress: ProgressFn, cancel: threading.Event, timestamp_begin: int) -> None:
        self.progress, self.cancel, self.timestamp_begin = progress, cancel, timestamp_begin
        self.window_start_s = 0.0  # where the window being decoded begins
        self.reported_s = 0.0

    def report(self, seconds: float, segments: list[Segment]) -> None:
        # never less than before: a window can end short of its last timestamp
        self.reported_s = max(self.reported_s, seconds)
        self.progress(self.reported_s, segments)

    def decoder_step(self, _module, args) -> None:
        from whisper.audio import TOKENS_PER_SECOND

        check_cancel(self.cancel)
        token = int(args[0][0, -1])
        if token >= self.timestamp_begin:
            seconds = self.window_start_s + (token - self.timestamp_begin) / TOKENS_PER_SECOND
            if seconds > self.reported_s:
                self.report(seconds, [])


class _WindowBar:
    """A tqdm stand-in: openai-whisper updates its bar right after appending a window's
    segments to the local `all_segments`, so the caller's frame holds exactly what was
    just decoded."""

    def __init__(self, state: _WindowProgress, total: int, **_ignored) -> None:
        self.state, self.total = state, total
        self.done = 0
        self.reported = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None

    def update(self, n: int) -> None:
        self.done += n
        segments = sys._getframe(1).f_locals.get("all_segments", [])
        new = [Segment(s["start"], s["end"], s["text"]) for s in segments[self.reported :]]
        self.reported = len(segments)
        self.state.window_start_s = self.done / FRAMES_PER_SECOND
        self.state.report(self.state.window_start_s, new)
        check_cancel(self.state.cancel)


@contextmanager
def _hooked_progress(model, progress: ProgressFn, cancel: threading.Event):
    import whisper  # noqa: F401 - loads the submodule the package's function shadows
    from whisper.tokenizer import get_tokenizer

    timestamp_begin = get_tokenizer(model.is_multilingual, num_languages=model.num_languages).timestamp_begin
    state = _WindowProgress(progress, cancel, timestamp_begin)
    module = sys.modules["whisper.transcribe"]
    original = module.tqdm
    module.tqdm = types.SimpleNamespace(tqdm=functools.partial(_WindowBar, state))
    hook = model.decoder.register_forward_pre_hook(state.decoder_step)
    try:
        yield
    finally:
        hook.remove()
        module.tqdm = original


@contextmanager
def _sampling_counted(model):
    """The windows openai-whisper's `transcribe` decodes by sampling, counted as its
    fallback calls `model.decode`: once per temperature, with the same window's
    features, so a window counts at its first call above 0. (Its segments carry their
    temperature too, but a window skipped as silence after sampling leaves none.)"""
    count = types.SimpleNamespace(windows=0, last=None)
    original = model.decode

    def decode(features, options, *args, **kwargs):
        if options.temperature > 0 and features is not count.last:
            count.windows, count.last = count.windows + 1, features
        return original(features, options, *args, **kwargs)

    model.decode = decode
    try:
        yield count
    finally:
        del model.decode  # the class's own again


@contextmanager
def _given_features(mel):
    """Hand openai-whisper's `transcribe` its features: it computes the log-mel of the
    whole file in one STFT (1.2 GB of complex spectrum for two hours of audio), so the
    function it calls for them returns these, computed block by block, instead."""
    module = sys.modules["whisper.transcribe"]
    original = module.log_mel_spectrogram
    module.log_mel_spectrogram = lambda _audio, _n_mels, padding=0, device=None: mel
    try:
        yield
    finally:
        module.log_mel_spectrogram = original


@contextmanager
def _bfloat16(model, device: str, enabled: bool):
    """bfloat16 under autocast: matrix products and convolutions in bfloat16 with float32
    accumulation, layer norms and the logits in float32 (openai-whisper's layers cast
    back). The encoder's output comes out bfloat16, which `whisper.decode` refuses, so a
    hook hands it on as float32. Autocast caches each weight's cast while its context is
    open: once a pass."""
    import torch

    if not enabled:
        yield
        return
    hook = model.encoder.register_forward_hook(lambda _module, _inputs, output: output.float())
    try:
        with torch.autocast(device, dtype=torch.bfloat16):
            yield
    finally:
        hook.remove()


@contextmanager
def _timed_modules(model, timer: StageTimer, device: str):
    """The encoder's and the decoder's calls as stages of `timer` (see the module's note)."""
    import torch

    def begin(name: str):
        return lambda _module, _args: timer.begin(name)

    def end(_module, _inputs, _output) -> None:
        if device == "cuda":
            torch.cuda.synchronize()
        timer.end()

    hooks = [
        model.encoder.register_forward_pre_hook(begin("encoder")), model.encoder.register_forward_hook(end),
        model.decoder.register_forward_pre_hook(begin("decoder")), model.decoder.register_forward_hook(end),
    ]
    try:
        yield
    finally:
        for hook in hooks:
            hook.remove()


_pass_timer: StageTimer | None = None  # the running pass's, so a compilation is a stage of its own


@functools.cache
def _time_compilations() -> None:
    """Have torch's compile callbacks (registered once a process) open and close the
    running pass's compile stage, so a pass reports compile seconds apart from
    inference, as the JAX backends do. torch compiles only inside a pass."""
    from torch._dynamo import callback

    @callback.on_compile_start
    def started(*_) -> None:
        if _pass_timer is not None:
            _pass_timer.begin("compile")

    @callback.on_compile_end
    def ended(*_) -> None:
        if _pass_timer is not None:
            _pass_timer.end()


@contextmanager
def _timing_pass(timer: StageTimer):
    global _pass_timer
    _pass_timer = timer
    try:
        yield
    finally:
        _pass_timer = None


class PyTorchBackend(Backend):
    name = "pytorch"
    description = "openai-whisper on PyTorch (the reference)"
    dtypes = {"cpu": ("float32", "bfloat16"), "cuda": ("float32", "float16", "bfloat16")}
    strategies = ("sequential", "batched")
    options = frozenset({
        "beam_size", "best_of", "patience", "threads", "temperatures", "condition_on_previous_text", "max_new_tokens", "seed",
        "compression_ratio_threshold", "logprob_threshold", "no_speech_threshold", "strategy", "batch_size",
        "torch_compile",
    })

    def __init__(self) -> None:
        self.model = None
        self.device = "cpu"
        self.encoders: dict[bool, object] = {}  # eager, and compiled once asked for

    def check_available(self, config: RunConfig) -> None:
        if config.device == "cuda":
            import torch

            if not torch.cuda.is_available():
                raise AsrTuiError(
                    "cuda asked for but PyTorch sees no GPU (CPU build of torch, or no driver); "
                    "use --device cpu or install a CUDA build of torch"
                )

    def load(self, config: RunConfig, weights: Weights) -> None:
        # float32 weights at every dtype, as openai-whisper's own load_model gives them:
        # with fp16 its layers cast weights to the input's dtype per call and keep layer
        # norms in float32, so a float16 run is the library's own float16 run. (Halving
        # the module instead would feed float32 activations to float16 layer norms.)
        self.model = load_whisper_model(weights, config.device)
        self.device = config.device
        self.encoders = {False: self.model.encoder}

    def _encoder_for(self, config: RunConfig):
        """The encoder this configuration asks for: configurations sharing the resident
        model may differ in `torch_compile`, so the model gets the eager or the compiled
        one (built once, sharing the eager one's weights) before each pass."""
        if config.torch_compile and True not in self.encoders:
            import torch

            _time_compilations()
            self.encoders[True] = torch.compile(self.encoders[False], dynamic=False)
        return self.encoders[config.torch_compile]

    def kernel_timer(self, dims: dict, state: dict[str, np.ndarray], config: RunConfig):
        """openai-whisper's modules as its decoding loop drives them: float32 weights
        (cast per call at float16), the encoder on a batch, the decoder with the
        library's own key/value-cache hooks, and one device-to-host check per step,
        as its loop makes when it looks for the end token."""
        import torch
        import whisper
        from whisper.model import ModelDimensions

        from asr_tui.core.kernel_bench import PROMPT_TOKENS, KernelTimes

        with torch.device(config.device):  # built where it runs: initialising large-v2 on a CPU takes a minute
            model = whisper.model.Whisper(ModelDimensions(**dims)).eval()
        model.load_state_dict({name: torch.from_numpy(array) for name, array in state.items()})
        self.device = config.device
        dtype = torch.float16 if config.dtype == "float16" else torch.float32
        generator = torch.Generator(config.device).manual_seed(0)

        def sync() -> None:
            if config.device == "cuda":
                torch.cuda.synchronize()

        def timer(batch: int, steps: int) -> KernelTimes:
            mel = torch.randn(batch, dims["n_mels"], 3000, device=config.device, dtype=dtype, generator=generator)
            prompt = torch.zeros(batch, PROMPT_TOKENS, dtype=torch.long, device=config.device)
            cache, hooks = model.install_kv_cache_hooks()
            try:
                with torch.inference_mode():
                    sync()
                    start = time.perf_counter()
                    features = model.encoder(mel)
                    sync()
                    encoded = time.perf_counter()
                    logits = model.decoder(prompt, features, kv_cache=cache)
                    token = logits[:, -1].argmax(-1, keepdim=True)
                    sync()
                    prefilled = time.perf_counter()
                    for _ in range(steps):
                        logits = model.decoder(token, features, kv_cache=cache)
                        token = logits[:, -1].argmax(-1, keepdim=True)
                        bool((token < 0).all())  # the loop's end-token check: a sync per step
                    sync()
                    done = time.perf_counter()
            finally:
                for hook in hooks:
                    hook.remove()
            return KernelTimes(encoded - start, prefilled - encoded, done - prefilled)

        return timer

    def set_threads(self, threads: int) -> int:
        import torch

        torch.set_num_threads(threads)
        return torch.get_num_threads()

    def transcribe(
        self, audio: Decoded, config: RunConfig, progress: ProgressFn, cancel: threading.Event
    ) -> Transcript:
        import torch
        import whisper
        from whisper.audio import N_FRAMES, N_SAMPLES

        torch.manual_seed(config.seed)
        language = config.language
        if language is None and not self.model.is_multilingual:
            language = "en"
        timer = StageTimer()
        # openai-whisper's own features of the whole file, computed block by block
        with timer.stage("log_mel"):
            mel = torch.from_numpy(log_mel.log_mel_spectrogram(audio.blocks(), self.model.dims.n_mels, padding=N_SAMPLES))
            if config.strategy == "batched":
                cuts = pauses.cuts_of(audio.blocks(), mel.shape[-1] - N_FRAMES)
        self.model.encoder = self._encoder_for(config)
        bfloat16 = _bfloat16(self.model, self.device, config.dtype == "bfloat16")
        if config.strategy == "batched":
            with bfloat16, _timed_modules(self.model, timer, self.device), _timing_pass(timer), timer.stage("post"):
                transcript = self._transcribe_batched(mel, cuts, config, language, progress, cancel)
            return dataclasses.replace(transcript, stats=self._stats(timer, config) | transcript.stats)
        with _hooked_progress(self.model, progress, cancel), _given_features(mel), torch.inference_mode(), bfloat16, \
                _timed_modules(self.model, timer, self.device), _timing_pass(timer), timer.stage("post"), \
                _sampling_counted(self.model) as sampled:
            result = whisper.transcribe(
                self.model,
                mel,
                verbose=False,
                temperature=config.temperatures,
                compression_ratio_threshold=config.compression_ratio_threshold,
                logprob_threshold=config.logprob_threshold,
                no_speech_threshold=config.no_speech_threshold,
                condition_on_previous_text=config.condition_on_previous_text,
                beam_size=config.beam_size if config.beam_size > 1 else None,
                patience=config.patience if config.beam_size > 1 else None,  # openai-whisper: only with a beam size
                best_of=config.best_of,
                language=language,
                task=config.task,
                fp16=config.dtype == "float16",
                sample_len=config.max_new_tokens,
            )
            if self.device == "cuda":
                torch.cuda.synchronize()
            segments = [Segment(s["start"], s["end"], s["text"]) for s in result["segments"]]
        return Transcript(text=result["text"].strip(), segments=segments, language=result["language"],
                          stats=self._stats(timer, config) | {"sampled_windows": sampled.windows})

    @staticmethod
    def _stats(timer: StageTimer, config: RunConfig) -> dict:
        stats = {"stages": timer.seconds}
        if config.torch_compile:
            stats["compile_s"] = timer.seconds.get("compile", 0.0)
        return stats

    def _transcribe_batched(self, mel, cuts: pauses.Cuts, config: RunConfig, language: str | None,
                            progress: ProgressFn, cancel: threading.Event) -> Transcript:
        """The batched strategy (`core.backends.longform`, the loop our JAX backend runs)
        on openai-whisper's own decoder (`whisper.decode`'s `DecodingTask`): it takes a
        batch of log-mel windows and decodes them side by side, greedy or beam, with its
        own logit rules and the batched strategy's one (`MustReach`), so framework and
        strategy can be told apart in the study (PyTorch batched against JAX batched,
        each against its sequential row)."""
        import torch
        import whisper
        from whisper.audio import N_FRAMES
        from whisper.tokenizer import get_tokenizer

        model = self.model
        dtype = torch.float16 if config.dtype == "float16" else torch.float32
        with torch.inference_mode():
            mel = mel.to(self.device)
            if language is None:
                _, probs = model.detect_language(whisper.pad_or_trim(mel[:, :N_FRAMES], N_FRAMES).to(dtype))
                language = max(probs, key=probs.get)
            tokenizer = get_tokenizer(model.is_multilingual, num_languages=model.num_languages, language=language, task=config.task)
            sampling = SampledCount()

            def decode_group(features, options, reach: list[int] | None, per_window: int, temperature: float):
                """`whisper.decode` of windows' features, `per_window` rows each, under the
                rule of `loops.must_reach` where `reach` gives each window's timestamp."""
                task = whisper.decoding.DecodingTask(model, options)
                if reach:
                    tokens = torch.tensor([tokenizer.timestamp_begin + r for r in reach], device=self.device)
                    task.logit_filters.append(MustReach(tokens.repeat_interleave(per_window), task.sample_begin, tokenizer))
                # Its loop samples `sample_len` tokens, or until the text is one past the
                # context: a result of that many, its end token added, was cut off.
                room = min(task.sample_len, task.n_ctx + 1 - len(task.initial_tokens))
                return [DecodedWindow(list(r.tokens), r.avg_logprob, r.no_speech_prob, temperature, r.text.strip(),
                                      cut_off=len(r.tokens) >= room) for r in task.run(features)]

            def decode(windows: list[Window], previous: list[int], rows: int, reach: list[int] | None = None) -> list[DecodedWindow]:
                batch = torch.stack([whisper.pad_or_trim(mel[:, w.start : w.start + w.frames], N_FRAMES) for w in windows]).to(dtype)
                # encoded once for every temperature round (`whisper.decode` takes features
                # in place of a log-mel), as the JAX backend keeps its cross-attention K/V
                features = model.encoder(batch)

                def decode_round(pending: list[int], temperature: float) -> list[DecodedWindow]:
                    sampled = temperature > 0
                    options = whisper.DecodingOptions(
                        task=config.task, language=language, temperature=temperature,
                        sample_len=config.max_new_tokens, fp16=dtype == torch.float16,
                        best_of=config.best_of if sampled else None,
                        beam_size=config.beam_size if not sampled and config.beam_size > 1 else None,
                        patience=config.patience if not sampled and config.beam_size > 1 else None,
                        prompt=previous or None,  # whisper.decode makes its prompt of them
                    )
                    # Several rows per window (beams, or best-of samples): openai-whisper
                    # repeats the tokens per row but not the audio features, so a batch of
                    # windows fails in cross-attention; it decodes one window at a time then.
                    per_window = max(options.beam_size or 1, options.best_of or 1)
                    results = []
                    for group in [pending] if per_window == 1 else [[i] for i in pending]:
                        results += decode_group(features[group], options, [reach[i] for i in group] if reach else None, per_window,
                                                temperature)
                    return results

                return sampling.of(windows, with_fallback(len(windows), config, decode_round, cancel))

            segments = loops.batched(decode, cuts, tokenizer, config, progress, cancel)
        if self.device == "cuda":
            torch.cuda.synchronize()
        text = "".join(s.text for s in segments).strip()
        return Transcript(text=text, segments=segments, language=language, stats={"sampled_windows": sampling.windows})

    def decoding_settings(self, config: RunConfig) -> dict:
        settings = super().decoding_settings(config)
        return settings | loops.batched_settings() if config.strategy == "batched" else settings

    def release(self) -> None:
        self.model = None
        self.encoders = {}
        if self.device == "cuda":
            import torch

            torch.cuda.empty_cache()

    def reset_peak_gpu_memory(self) -> None:
        if self.device == "cuda":
            import torch

            torch.cuda.reset_peak_memory_stats()

    def peak_gpu_memory_mb(self) -> float | None:
        if self.device != "cuda":
            return None
        import torch

        return torch.cuda.max_memory_allocated() / 2**20

    def gpu_name(self) -> str | None:
        if self.device != "cuda":
            return None
        import torch

        return torch.cuda.get_device_name()

    def packages(self) -> tuple[str, ...]:
        return ("openai-whisper", "torch")
