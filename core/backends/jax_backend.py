"""Whisper in JAX (`core.backends.jaxwhisper`) behind the backend interface.

Compilation is timed apart from running: every jitted function is lowered and
compiled ahead of time on first use of a shape, and those seconds are reported as
the pass's `compile_s`, with each program compiled and the shapes it was compiled for
(a warm pass that compiled is flagged by the runner). Results are pulled to NumPy
before a pass ends, so asynchronous dispatch cannot flatter a timing.

Stages (`core.stages`): the encoder's stage ends by waiting for its cross-attention
K/V. That wait costs nothing a pass would not pay: the decode call that follows needs
those arrays, and on a CPU each window's encoder already runs before its decode
starts; it moves the encoder's device time out of the decoder's stage, where
asynchronous dispatch would otherwise put it. The decoder's stage ends when its
tokens reach NumPy, as before.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections import Counter
from dataclasses import dataclass

import numpy as np

from asr_tui.core import log_mel, paths
from asr_tui.core import threads as thread_counts
from asr_tui.core.audio import Decoded
from asr_tui.core.backends import jax_compiles
from asr_tui.core.backends.base import Backend
from asr_tui.core.backends.longform import loops, pauses
from asr_tui.core.backends.longform.window import DecodedWindow, SampledCount, Window, with_fallback
from asr_tui.core.config import RunConfig
from asr_tui.core.errors import AsrTuiError
from asr_tui.core.stages import StageTimer
from asr_tui.core.tokens import initial_tokens, vocabulary_kind
from asr_tui.core.transcript import WINDOW_FRAMES, WINDOW_SAMPLES, ProgressFn, Transcript
from asr_tui.core.weights import Weights

DTYPES = {"float32": "float32", "bfloat16": "bfloat16", "float16": "float16"}


_cache_hits = 0  # persistent compilation cache hits in this process (jax.monitoring)
_listening = False


def _count_cache_hits(event: str, **_kwargs) -> None:
    global _cache_hits
    if event == "/jax/compilation_cache/cache_hits":
        _cache_hits += 1


def _listen_for_cache_hits() -> None:
    global _listening
    if not _listening:
        import jax

        jax.monitoring.register_event_listener(_count_cache_hits)
        _listening = True


def start_xla(threads: int) -> int:
    """Tell XLA, before JAX starts, what it reads only then; return the CPU thread
    count in force (`core.threads`). On a GPU, XLA takes 75 % of its memory up front
    by default: then every run's peak GPU memory reads the same, and a PyTorch
    backend in the same process finds the GPU full. Allocation on demand (unless the
    user chose otherwise) makes the peak what the run used."""
    os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
    return thread_counts.pin_xla(threads)


def jax_device(kind: str):
    import jax

    platform = "cpu" if kind == "cpu" else "gpu"
    try:
        return jax.devices(platform)[0]
    except RuntimeError:
        raise AsrTuiError(
            "cuda asked for but JAX sees no GPU; install jax[cuda12] on a GPU machine or use --device cpu"
        ) from None


def matmul_precision(dtype: str) -> str:
    """float32 must mean float32. On NVIDIA GPUs since Ampere, XLA multiplies float32
    matrices in TF32 (a 10-bit mantissa) unless told otherwise, while PyTorch keeps
    float32 matmuls in float32 by default: the two float32 rows would compare
    different arithmetic. Below float32 XLA's default stands. (No effect on a CPU.)"""
    return "highest" if dtype == "float32" else "default"


def gpu_kind(device) -> str | None:
    """The GPU a JAX device is, or None for none (not loaded, or the CPU)."""
    return None if device is None or device.platform == "cpu" else device.device_kind


def peak_gpu_memory_mb(device) -> float | None:
    """The GPU's peak allocation in this process: XLA keeps no per-run peak and has no
    reset, so a run's figure includes earlier runs in the same process (the GPU study
    runs one configuration per process)."""
    if device is None or device.platform == "cpu":
        return None
    stats = device.memory_stats() or {}
    return stats.get("peak_bytes_in_use", 0) / 2**20


def _shapes(leaves, static: dict) -> str:
    """The arguments a program was compiled for, besides the weights: each array's
    dtype and shape, then the static arguments that are plain values."""
    counts = Counter(f"{getattr(a, 'dtype', type(a).__name__)}{list(getattr(a, 'shape', ()))}" for a in leaves)
    arrays = [shape if n == 1 else f"{n}x {shape}" for shape, n in counts.items()]  # every layer's K/V once
    plain = [f"{k}={v}" for k, v in sorted(static.items()) if isinstance(v, (bool, int, float, str))]
    return ", ".join(arrays + plain)


def _eager(programs: list[str], own: list[dict]) -> list[dict]:
    """The compilations JAX reported beyond the backend's own jitted calls: eager
    operations meeting a new shape (their shapes are not known here)."""
    left = [c["program"] for c in own]
    eager = []
    for name in programs:
        if name in left:
            left.remove(name)
        else:
            eager.append({"program": name, "shapes": None})
    return eager


@dataclass
class _Loaded:
    dims: dict
    params: dict
    device: object
    dtype: str


class JaxBackend(Backend):
    name = "jax"
    description = "Whisper in JAX: jit decode loop (greedy or beam) with KV cache, batched windows"
    dtypes = {"cpu": ("float32", "bfloat16", "float16"), "cuda": ("float32", "bfloat16", "float16")}
    strategies = ("sequential", "batched")
    compiles = True
    options = frozenset({
        "batch_size", "strategy", "beam_size", "best_of", "patience", "threads", "temperatures", "condition_on_previous_text",
        "max_new_tokens", "compilation_cache", "seed", "compression_ratio_threshold", "logprob_threshold", "no_speech_threshold",
    })

    def __init__(self) -> None:
        self.loaded: _Loaded | None = None
        self._compiled: dict = {}
        self._compile_s = 0.0
        self._stages: StageTimer | None = None  # the pass being timed by stage, if any
        self._compilations: list[dict] = []  # what this pass compiled through `_call`

    def _stage(self, name: str):
        return self._stages.stage(name) if self._stages is not None else contextlib.nullcontext()

    def check_available(self, config: RunConfig) -> None:
        start_xla(thread_counts.resolve(config.threads))
        try:
            import jax  # noqa: F401
        except ImportError:
            raise AsrTuiError("the JAX backend needs jax: pip install jax jaxlib") from None
        jax_device(config.device)

    # --- loading ------------------------------------------------------------------------

    def load(self, config: RunConfig, weights: Weights) -> None:
        import jax
        import jax.numpy as jnp

        from asr_tui.core.weights import jax_arrays

        if config.compilation_cache:
            _listen_for_cache_hits()
            jax.config.update("jax_compilation_cache_dir", str(paths.cache_dir() / "jax-compilation"))
            jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)
            jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
        device = jax_device(config.device)
        dims, tree = jax_arrays.load(weights)
        dtype = jnp.dtype(DTYPES[config.dtype])
        params = jax.device_put(jax.tree.map(lambda a: jnp.asarray(a, dtype), tree), device)
        jax.block_until_ready(params)
        self.loaded = _Loaded(dims, params, device, config.dtype)
        self._compiled.clear()

    def kernel_timer(self, dims: dict, state: dict[str, np.ndarray], config: RunConfig):
        """The backend's own model functions, each compiled once per shape (the first
        call's compile seconds reported apart): the encoder on the batch, the
        cross-attention K/V and the prompt, then a compiled loop of single-token steps,
        as `generate` runs them, without the logit rules."""
        import jax
        import jax.numpy as jnp
        from jax import lax

        from asr_tui.core.backends.jaxwhisper import model
        from asr_tui.core.kernel_bench import PROMPT_TOKENS, KernelTimes
        from asr_tui.core.weights.jax_arrays import from_state_dict, per_layer

        device = jax_device(config.device)
        dtype = jnp.dtype(DTYPES[config.dtype])
        tree = per_layer(from_state_dict(state, dims))
        params = jax.device_put(jax.tree.map(lambda a: jnp.asarray(a, dtype), tree), device)
        del tree
        self.loaded = _Loaded(dims, params, device, config.dtype)
        self._compiled.clear()

        def prefill(params, features, prompt, n_ctx, n_head):
            xkv = model.cross_kv(params, features, n_head)
            cache = model.empty_cache(params, prompt.shape[0], n_ctx, n_head)
            logits, cache = model.decode(params, prompt, 0, cache, xkv, n_head)
            return jnp.argmax(logits[:, -1], axis=-1).astype(jnp.int32), cache, xkv

        def decode_steps(params, token, cache, xkv, steps, n_head):
            def step(i, carry):
                token, cache = carry
                logits, cache = model.decode(params, token[:, None], PROMPT_TOKENS + i, cache, xkv, n_head)
                return jnp.argmax(logits[:, 0], axis=-1).astype(jnp.int32), cache

            return lax.fori_loop(0, steps, step, (token, cache))[0]

        def timer(batch: int, steps: int) -> KernelTimes:
            self._compile_s = 0.0
            mel = jax.device_put(np.random.default_rng(batch).standard_normal((batch, dims["n_mels"], 3000), np.float32), device)
            prompt = jax.device_put(np.zeros((batch, PROMPT_TOKENS), np.int32), device)
            with jax.default_device(device):
                start = time.perf_counter()
                features = jax.block_until_ready(self._call("encode", model.encode, params, mel, n_head=dims["n_audio_head"]))
                encoded = time.perf_counter()
                token, cache, xkv = jax.block_until_ready(self._call(
                    "prefill", prefill, params, features, prompt, n_ctx=PROMPT_TOKENS + steps, n_head=dims["n_text_head"]))
                prefilled = time.perf_counter()
                np.asarray(self._call("steps", decode_steps, params, token, cache, xkv, steps=steps, n_head=dims["n_text_head"]))
                done = time.perf_counter()
            # a shape's first call compiles inside its stages; the bench does not time it
            return KernelTimes(encoded - start, prefilled - encoded, done - prefilled, self._compile_s)

        return timer

    def release(self) -> None:
        self.loaded = None
        self._compiled.clear()

    def set_threads(self, threads: int) -> int:
        return start_xla(threads)

    # --- compiled calls -----------------------------------------------------------------

    def _call(self, name: str, fn, *args, **static):
        """Run `fn` compiled for these argument shapes, compiling (and timing it) once,
        with the matrix precision this dtype means (`matmul_precision`)."""
        import jax

        leaves = jax.tree.leaves(args)
        signature = (name, tuple((getattr(a, "shape", ()), str(getattr(a, "dtype", type(a)))) for a in leaves), tuple(sorted(static.items())))
        compiled = self._compiled.get(signature)
        if compiled is None:
            start = time.perf_counter()
            with self._stage("compile"), jax.default_matmul_precision(matmul_precision(self.loaded.dtype)):
                compiled = jax.jit(fn, static_argnames=tuple(static)).lower(*args, **static).compile()
            self._compile_s += time.perf_counter() - start
            self._compiled[signature] = compiled
            self._compilations.append({"program": f"jit({fn.__name__})", "shapes": _shapes(leaves[len(jax.tree.leaves(args[0])):], static)})
        return compiled(*args)

    def _cross_kv(self, mels: list[np.ndarray], batch: int):
        """Encode each window once, pad the batch by repeating the last window, and
        project the features to every layer's cross-attention K/V. On the CPU one
        compiled single-window encoder runs per window (a batched one is slower per
        window there); a GPU encodes the whole batch in one call."""
        import jax
        import jax.numpy as jnp

        from asr_tui.core.backends.jaxwhisper import model

        params, dims, device = self.loaded.params, self.loaded.dims, self.loaded.device
        n_head = dims["n_audio_head"]
        with self._stage("encoder"):
            if device.platform == "cpu":
                features = [self._call("encode", model.encode, params, jax.device_put(m[None], device), n_head=n_head) for m in mels]
                features = jnp.concatenate(features + [features[-1]] * (batch - len(features)))
            else:
                padded = np.stack(mels + [mels[-1]] * (batch - len(mels)))
                features = self._call("encode", model.encode, params, jax.device_put(padded, device), n_head=n_head)
            xkv = self._call("cross_kv", model.cross_kv, params, features, n_head=dims["n_text_head"])
            return jax.block_until_ready(xkv)  # the encoder's stage ends when its output exists

    def _detect_language(self, mel_window: np.ndarray, tokenizer) -> str:
        import jax.numpy as jnp

        from asr_tui.core.backends.jaxwhisper import model

        def language_logits(params, xkv, n_head):
            batch = xkv[0][0].shape[0]
            cache = model.empty_cache(params, batch, params["decoder"]["pos"].shape[0], n_head)
            sot = jnp.full((batch, 1), tokenizer.sot, jnp.int32)
            return model.decode(params, sot, 0, cache, xkv, n_head)[0][:, 0]

        xkv = self._cross_kv([mel_window], 1)
        with self._stage("decoder"):
            logits = np.asarray(self._call("language", language_logits, self.loaded.params, xkv, n_head=self.loaded.dims["n_text_head"]))[0]
        languages = list(tokenizer.all_language_tokens)
        best = languages[int(np.argmax(logits[languages]))]
        return tokenizer.decode([best]).strip("<|>")

    def _decode_windows(self, mel: np.ndarray, windows: list[Window], prompt: list[int], rows: int, reach: list[int] | None,
                        config: RunConfig, tokenizer, vocab, cancel: threading.Event) -> list[DecodedWindow]:
        """Decode windows as one call of `rows` windows; windows that fail openai-whisper's
        quality checks are decoded again at the next temperature of the schedule. As in
        openai-whisper, temperature 0 is a beam search when the beam size is above 1,
        and a temperature above 0 draws `best_of` samples per window and keeps the best:
        either way a window takes that many rows of the call."""
        import jax
        import jax.numpy as jnp

        from asr_tui.core.backends.jaxwhisper import generate as gen

        sot_index = prompt.index(tokenizer.sot)
        key = jax.random.fold_in(jax.random.PRNGKey(config.seed), windows[0].start)
        xkv = self._cross_kv([log_mel.window(mel, w.start, w.frames) for w in windows], rows)
        static = dict(n_head=self.loaded.dims["n_text_head"], vocab=vocab, max_new=config.max_new_tokens)

        def decode_round(pending: list[int], temperature: float) -> list[DecodedWindow]:
            nonlocal key
            # A fallback round decodes only the windows that failed, in the smallest
            # power-of-two batch that holds them: a padded full batch would cost as
            # much as the first round for one window.
            first_round = len(pending) == len(windows)
            size = rows if first_round else min(rows, gen.prompt_bucket(len(pending), minimum=1))
            padded = pending + [pending[-1]] * (size - len(pending))
            beam = config.beam_size if temperature == 0 else 1
            group = config.best_of if temperature > 0 else beam
            # a window's rows (beams, samples) share its K/V (`model.attend`)
            batch_xkv = xkv if first_round else jax.tree.map(lambda a: jnp.take(a, jnp.asarray(padded), axis=0), xkv)
            prompt_array, prompt_len = gen.pad_prompts([prompt], size * group, vocab.eot)
            room = gen.room(prompt_len, prompt_array.shape[1], config.max_new_tokens, self.loaded.dims["n_text_ctx"])
            # a window's timestamp to reach (`loops.must_reach`) for each of its rows; 0: none
            reach_tokens = np.repeat([vocab.timestamp_begin + reach[i] if reach else 0 for i in padded], group).astype(np.int32)
            args = (self.loaded.params, batch_xkv, jnp.asarray(prompt_array), jnp.int32(prompt_len), jnp.int32(sot_index),
                    jnp.asarray(reach_tokens))
            if beam > 1:
                with self._stage("decoder"):
                    out = self._call("beam_search", gen.beam_search.__wrapped__, *args, beam=beam,
                                     candidates=config.beam_candidates, **static)
                    *found, no_speech = (np.asarray(x) for x in out)
                chosen = gen.rank_beams(*found, vocab.eot)
            else:
                key, call_key = jax.random.split(key)
                with self._stage("decoder"):
                    out = self._call("generate", gen.generate.__wrapped__, *args, jnp.float32(temperature), call_key, **static)
                    tokens, _, sum_logprob, no_speech = (np.asarray(x) for x in out)
                chosen, no_speech = gen.best_of_samples(tokens, sum_logprob, group, vocab.eot), no_speech[::group]
            return [
                DecodedWindow(
                    tokens=sampled,
                    avg_logprob=sum_logprob / (len(sampled) + 1),
                    no_speech_prob=float(no_speech[out_row]),
                    temperature=temperature,
                    text=tokenizer.decode(sampled).strip(),
                    cut_off=len(sampled) >= room,
                )
                for out_row, (sampled, sum_logprob) in enumerate(chosen[: len(pending)])
            ]

        return with_fallback(len(windows), config, decode_round, cancel)

    # --- transcription --------------------------------------------------------------------

    def transcribe(self, audio: Decoded, config: RunConfig, progress: ProgressFn, cancel: threading.Event) -> Transcript:
        import jax
        from whisper.tokenizer import get_tokenizer

        from asr_tui.core.backends.jaxwhisper.generate import Vocabulary

        self._compile_s = 0.0
        self._stages, self._compilations = StageTimer(), []
        jax_compiles.listen()
        compiles_before = jax_compiles.mark()
        hits_before = _cache_hits
        dims = self.loaded.dims
        multilingual, num_languages = vocabulary_kind(dims["n_vocab"])
        with self._stages.stage("log_mel"):
            mel = log_mel.log_mel_spectrogram(audio.blocks(), dims["n_mels"], padding=WINDOW_SAMPLES)
            content_frames = mel.shape[1] - WINDOW_FRAMES
            if config.strategy == "batched":
                cuts = pauses.cuts_of(audio.blocks(), content_frames)
        with jax.default_device(self.loaded.device), self._stages.stage("post"):
            language = config.language
            if language is None:
                language = "en"
                if multilingual:
                    language = self._detect_language(log_mel.window(mel, 0), get_tokenizer(True, num_languages=num_languages))
            tokenizer = get_tokenizer(multilingual, num_languages=num_languages, language=language, task=config.task)
            vocab = Vocabulary.from_tokenizer(tokenizer, dims["n_vocab"])
            sampled = SampledCount()

            def decode(windows: list[Window], previous: list[int], rows: int, reach: list[int] | None = None) -> list[DecodedWindow]:
                prompt = initial_tokens(previous, tokenizer, dims["n_text_ctx"])
                return sampled.of(windows, self._decode_windows(mel, windows, prompt, rows, reach, config, tokenizer, vocab, cancel))

            if config.strategy == "batched":
                segments = loops.batched(decode, cuts, tokenizer, config, progress, cancel)
            else:
                segments = loops.sequential(decode, content_frames, tokenizer, config, progress, cancel)
            text = "".join(s.text for s in segments).strip()
        stats = {
            "compile_s": self._compile_s, "compile_cache_hits": _cache_hits - hits_before,
            "stages": self._stages.seconds,
            "compiled": self._compilations + _eager(jax_compiles.programs_since(compiles_before), self._compilations),
            "sampled_windows": sampled.windows,
        }
        self._stages = None
        return Transcript(text=text, segments=segments, language=language, stats=stats)

    def decoding_settings(self, config: RunConfig) -> dict:
        settings = super().decoding_settings(config)
        return settings | loops.batched_settings() if config.strategy == "batched" else settings

    def peak_gpu_memory_mb(self) -> float | None:
        return peak_gpu_memory_mb(None if self.loaded is None else self.loaded.device)

    def gpu_name(self) -> str | None:
        return gpu_kind(None if self.loaded is None else self.loaded.device)

    def packages(self) -> tuple[str, ...]:
        return ("jax", "jaxlib", "openai-whisper")
