"""Whisper in JAX (`core.backends.jaxwhisper`) behind the backend interface.

Compilation is timed apart from running: every jitted function is lowered and
compiled ahead of time on first use of a shape, and those seconds are reported as
the pass's `compile_s`. Results are pulled to NumPy before a pass ends, so
asynchronous dispatch cannot flatter a timing.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np

from core import paths
from core.backends.base import Backend, ProgressFn, Segment, Transcript, check_cancel
from core.config import RunConfig, default_threads
from core.errors import AsrTuiError
from core.weights import Weights

N_SAMPLES = 480_000  # 30 s
STRIDE_SECONDS = 5.0  # batched windows overlap by this much on each side (whisper-jax's chunk / 6)
CHUNK_SECONDS = 30.0
DTYPES = {"float32": "float32", "bfloat16": "bfloat16", "float16": "float16"}


def jax_device(kind: str):
    import jax

    platform = "cpu" if kind == "cpu" else "gpu"
    try:
        return jax.devices(platform)[0]
    except RuntimeError:
        raise AsrTuiError(
            "cuda asked for but JAX sees no GPU; install jax[cuda12] on a GPU machine or use --device cpu"
        ) from None


@dataclass
class _Loaded:
    dims: dict
    params: dict
    device: object
    dtype: str


class JaxBackend(Backend):
    name = "jax"
    description = "Whisper in JAX: jit decode loop with KV cache, batched windows"
    dtypes = ("float32", "bfloat16", "float16")
    options = ("batch_size", "strategy", "temperatures", "condition_on_previous_text", "max_new_tokens", "compilation_cache")

    def __init__(self) -> None:
        self.loaded: _Loaded | None = None
        self._compiled: dict = {}
        self._compile_s = 0.0

    def check(self, config: RunConfig) -> None:
        super().check(config)
        if config.beam_size != 1:
            raise AsrTuiError("the JAX backend decodes greedily (with temperature fallback): beam size must be 1")
        if config.threads not in (0, default_threads()):
            raise AsrTuiError("JAX on the CPU uses every core this process may use; leave threads at 0")
        if config.strategy == "sequential" and config.batch_size != 1:
            raise AsrTuiError("sequential decoding runs one window at a time: use strategy batched for batch size > 1")

    def check_available(self, config: RunConfig) -> None:
        try:
            import jax  # noqa: F401
        except ImportError:
            raise AsrTuiError("the JAX backend needs jax: pip install jax jaxlib") from None
        jax_device(config.device)

    # --- loading ------------------------------------------------------------------------

    def load(self, config: RunConfig, weights: Weights) -> None:
        import jax
        import jax.numpy as jnp

        from core.backends.jaxwhisper import params as jparams

        if config.compilation_cache:
            jax.config.update("jax_compilation_cache_dir", str(paths.cache_dir() / "jax-compilation"))
            jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)
            jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
        device = jax_device(config.device)
        dims, tree = jparams.load(weights)
        dtype = jnp.dtype(DTYPES[config.dtype])
        params = jax.device_put(jax.tree.map(lambda a: jnp.asarray(a, dtype), tree), device)
        jax.block_until_ready(params)
        self.loaded = _Loaded(dims, params, device, config.dtype)
        self._compiled.clear()

    def release(self) -> None:
        self.loaded = None
        self._compiled.clear()

    # --- compiled calls -----------------------------------------------------------------

    def _call(self, name: str, fn, *args, **static):
        """Run `fn` compiled for these argument shapes, compiling (and timing it) once."""
        import jax

        signature = (name, tuple((getattr(a, "shape", ()), str(getattr(a, "dtype", type(a)))) for a in args), tuple(sorted(static.items())))
        compiled = self._compiled.get(signature)
        if compiled is None:
            start = time.perf_counter()
            compiled = jax.jit(fn, static_argnames=tuple(static)).lower(*args, **static).compile()
            self._compile_s += time.perf_counter() - start
            self._compiled[signature] = compiled
        return compiled(*args)

    def _encode(self, mels: np.ndarray):
        import jax

        from core.backends.jaxwhisper import model

        dims = self.loaded.dims
        mel = jax.device_put(mels, self.loaded.device)
        return self._call("encode", model.encode, self.loaded.params, mel, n_head=dims["n_audio_head"])

    def _detect_language(self, mel_window: np.ndarray, tokenizer) -> str:
        import jax.numpy as jnp

        from core.backends.jaxwhisper import model

        def language_logits(params, audio_features, n_head):
            xkv = model.cross_kv(params, audio_features)
            cache = model.empty_cache(params, audio_features.shape[0], params["decoder"]["pos"].shape[0])
            sot = jnp.full((audio_features.shape[0], 1), tokenizer.sot, jnp.int32)
            return model.decode(params, sot, 0, cache, xkv, n_head)[0][:, 0]

        features = self._encode(mel_window[None])
        logits = np.asarray(self._call("language", language_logits, self.loaded.params, features, n_head=self.loaded.dims["n_text_head"]))[0]
        languages = list(tokenizer.all_language_tokens)
        best = languages[int(np.argmax(logits[languages]))]
        return tokenizer.decode([best]).strip("<|>")

    def _decode_windows(self, mels: list[np.ndarray], prompt: list[int], sot_index: int, config: RunConfig,
                        tokenizer, vocab, cancel: threading.Event, on_batch):
        """Decode windows batch_size at a time; windows that fail openai-whisper's
        quality checks are decoded again at the next temperature of the schedule."""
        import jax
        import jax.numpy as jnp

        from core.backends.jaxwhisper import generate as gen
        from core.backends.jaxwhisper.windows import DecodedWindow, needs_fallback

        batch = config.batch_size
        prompt_array, prompt_len = gen.pad_prompts([prompt], batch, vocab.eot)
        key = jax.random.PRNGKey(config.seed)
        results: list[DecodedWindow | None] = [None] * len(mels)
        pending = list(range(len(mels)))
        for round_index, temperature in enumerate(config.temperatures):
            for start in range(0, len(pending), batch):
                check_cancel(cancel)
                chunk = pending[start : start + batch]
                rows = [mels[i] for i in chunk] + [mels[chunk[-1]]] * (batch - len(chunk))
                features = self._encode(np.stack(rows))
                key, call_key = jax.random.split(key)
                out = self._call(
                    "generate", gen.generate.__wrapped__, self.loaded.params, features, jnp.asarray(prompt_array),
                    jnp.int32(prompt_len), jnp.int32(sot_index), jnp.float32(temperature), call_key,
                    n_head=self.loaded.dims["n_text_head"], vocab=vocab, max_new=config.max_new_tokens,
                )
                tokens, _, sum_logprob, no_speech = (np.asarray(x) for x in out)
                for row, index in enumerate(chunk):
                    sampled = tokens[row].tolist()
                    sampled = sampled[: sampled.index(vocab.eot)] if vocab.eot in sampled else sampled
                    results[index] = DecodedWindow(
                        tokens=sampled,
                        avg_logprob=float(sum_logprob[row]) / (len(sampled) + 1),
                        no_speech_prob=float(no_speech[row]),
                        temperature=temperature,
                        text=tokenizer.decode(sampled).strip(),
                    )
                if round_index == 0:
                    on_batch(chunk)
            pending = [i for i in pending if needs_fallback(results[i], config)]
            if not pending:
                break
        return results

    # --- transcription --------------------------------------------------------------------

    def transcribe(self, samples: np.ndarray, config: RunConfig, progress: ProgressFn, cancel: threading.Event) -> Transcript:
        import jax
        from whisper.tokenizer import get_tokenizer

        from core.backends.jaxwhisper import mel as jmel
        from core.backends.jaxwhisper.generate import Vocabulary

        self._compile_s = 0.0
        dims = self.loaded.dims
        multilingual = dims["n_vocab"] >= 51865
        mel = jmel.log_mel_spectrogram(samples, dims["n_mels"], padding=N_SAMPLES)
        content_frames = mel.shape[1] - jmel.N_FRAMES
        with jax.default_device(self.loaded.device):
            language = config.language
            if language is None:
                language = "en"
                if multilingual:
                    language = self._detect_language(jmel.window(mel, 0), get_tokenizer(True, num_languages=dims["n_vocab"] - 51765 - 1))
            tokenizer = get_tokenizer(
                multilingual, num_languages=dims["n_vocab"] - 51765 - int(multilingual), language=language, task=config.task
            )
            vocab = Vocabulary.from_tokenizer(tokenizer, dims["n_vocab"])
            run = self._batched if config.strategy == "batched" else self._sequential
            segments = run(mel, content_frames, config, tokenizer, vocab, progress, cancel)
        text = "".join(s.text for s in segments).strip()
        return Transcript(text=text, segments=segments, language=language, stats={"compile_s": self._compile_s})

    def _sequential(self, mel, content_frames, config, tokenizer, vocab, progress, cancel) -> list[Segment]:
        """openai-whisper's loop: one window, advance to the last complete segment, repeat."""
        from core.backends.jaxwhisper import mel as jmel
        from core.backends.jaxwhisper.windows import is_silence, split_segments

        n_ctx = self.loaded.dims["n_text_ctx"]
        seek, all_tokens, prompt_reset_since, segments = 0, [], 0, []
        while seek < content_frames:
            size = min(jmel.N_FRAMES, content_frames - seek)
            offset, duration = seek / 100, size / 100
            previous = all_tokens[prompt_reset_since:] if config.condition_on_previous_text else []
            prompt = list(tokenizer.sot_sequence)
            if previous:
                prompt = [tokenizer.sot_prev] + previous[-(n_ctx // 2 - 1):] + prompt
            window = self._decode_windows(
                [jmel.window(mel, seek, size)], prompt, prompt.index(tokenizer.sot), config, tokenizer, vocab, cancel, lambda _: None
            )[0]
            if is_silence(window, config):
                seek += size
                progress(seek / 100, [])
                continue
            new, advance, consumed = split_segments(window.tokens, offset, duration, vocab.timestamp_begin, tokenizer.decode)
            segments.extend(new)
            all_tokens.extend(window.tokens[:consumed])
            if not config.condition_on_previous_text or window.temperature > 0.5:
                prompt_reset_since = len(all_tokens)
            seek += advance
            progress(min(seek, content_frames) / 100, new)
        return segments

    def _batched(self, mel, content_frames, config, tokenizer, vocab, progress, cancel) -> list[Segment]:
        """whisper-jax's way: overlapping windows, batch_size per compiled call, merged at the seams."""
        from core.backends.jaxwhisper import mel as jmel
        from core.backends.jaxwhisper.windows import is_silence, merge_windows, split_segments, window_starts

        total = content_frames / 100
        starts = window_starts(total, CHUNK_SECONDS, STRIDE_SECONDS)
        spans = [(start, min(CHUNK_SECONDS, total - start)) for start in starts]
        mels = [jmel.window(mel, round(start * 100), round(duration * 100)) for start, duration in spans]
        prompt = list(tokenizer.sot_sequence)

        def on_batch(indices: list[int]) -> None:
            start, duration = spans[indices[-1]]
            progress(min(total, start + duration), [])

        decoded = self._decode_windows(mels, prompt, prompt.index(tokenizer.sot), config, tokenizer, vocab, cancel, on_batch)
        windows = []
        for (start, duration), window in zip(spans, decoded):
            found = [] if is_silence(window, config) else split_segments(window.tokens, start, duration, vocab.timestamp_begin, tokenizer.decode)[0]
            windows.append((start, start + duration, [s for s in found if s.start < start + duration]))
        segments = merge_windows(windows)
        progress(total, segments)
        return segments

    def peak_gpu_memory_mb(self) -> float | None:
        if self.loaded is None or self.loaded.device.platform == "cpu":
            return None
        stats = self.loaded.device.memory_stats() or {}
        return stats.get("peak_bytes_in_use", 0) / 2**20

    def gpu_name(self) -> str | None:
        if self.loaded is None or self.loaded.device.platform == "cpu":
            return None
        return self.loaded.device.device_kind

    def packages(self) -> tuple[str, ...]:
        return ("jax", "jaxlib", "openai-whisper")
