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

from asr_tui.core import paths
from asr_tui.core import threads as thread_counts
from asr_tui.core.backends.base import Backend, ProgressFn, Segment, Transcript, check_cancel
from asr_tui.core.config import RunConfig
from asr_tui.core.errors import AsrTuiError
from asr_tui.core.tokens import vocabulary_kind
from asr_tui.core.weights import Weights

N_SAMPLES = 480_000  # 30 s
STRIDE_SECONDS = 5.0  # batched windows overlap by this much on each side (whisper-jax's chunk / 6)
CHUNK_SECONDS = 30.0
TAIL_SLACK_SECONDS = 1.0  # audio left after the last window's last segment that is let go
MAX_TAIL_WINDOWS = 3
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
    dtypes = {"cpu": ("float32", "bfloat16", "float16"), "cuda": ("float32", "bfloat16", "float16")}
    strategies = ("sequential", "batched")
    compiles = True
    options = frozenset({
        "batch_size", "strategy", "threads", "temperatures", "condition_on_previous_text", "max_new_tokens", "compilation_cache",
        "seed", "compression_ratio_threshold", "logprob_threshold", "no_speech_threshold",
    })

    def __init__(self) -> None:
        self.loaded: _Loaded | None = None
        self._compiled: dict = {}
        self._compile_s = 0.0

    def check(self, config: RunConfig) -> None:
        super().check(config)
        if config.beam_size != 1:
            raise AsrTuiError("the JAX backend decodes greedily (with temperature fallback): beam size must be 1")

    def check_available(self, config: RunConfig) -> None:
        thread_counts.pin_xla(thread_counts.resolve(config.threads))  # before JAX starts
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

    def release(self) -> None:
        self.loaded = None
        self._compiled.clear()

    def set_threads(self, threads: int) -> int:
        return thread_counts.pin_xla(threads)

    # --- compiled calls -----------------------------------------------------------------

    def _call(self, name: str, fn, *args, **static):
        """Run `fn` compiled for these argument shapes, compiling (and timing it) once."""
        import jax

        leaves = jax.tree.leaves(args)
        signature = (name, tuple((getattr(a, "shape", ()), str(getattr(a, "dtype", type(a)))) for a in leaves), tuple(sorted(static.items())))
        compiled = self._compiled.get(signature)
        if compiled is None:
            start = time.perf_counter()
            compiled = jax.jit(fn, static_argnames=tuple(static)).lower(*args, **static).compile()
            self._compile_s += time.perf_counter() - start
            self._compiled[signature] = compiled
        return compiled(*args)

    def _cross_kv(self, mels: list[np.ndarray], batch: int):
        """Encode each window once (one compiled single-window encoder: on the CPU a
        batched encoder is slower per window), pad the batch by repeating the last
        window's features, and project them to every layer's cross-attention K/V."""
        import jax
        import jax.numpy as jnp

        from asr_tui.core.backends.jaxwhisper import model

        params, dims = self.loaded.params, self.loaded.dims
        features = [
            self._call("encode", model.encode, params, jax.device_put(m[None], self.loaded.device), n_head=dims["n_audio_head"])
            for m in mels
        ]
        features = jnp.concatenate(features + [features[-1]] * (batch - len(features)))
        return self._call("cross_kv", model.cross_kv, params, features, n_head=dims["n_text_head"])

    def _detect_language(self, mel_window: np.ndarray, tokenizer) -> str:
        import jax.numpy as jnp

        from asr_tui.core.backends.jaxwhisper import model

        def language_logits(params, xkv, n_head):
            batch = xkv[0][0].shape[0]
            cache = model.empty_cache(params, batch, params["decoder"]["pos"].shape[0], n_head)
            sot = jnp.full((batch, 1), tokenizer.sot, jnp.int32)
            return model.decode(params, sot, 0, cache, xkv, n_head)[0][:, 0]

        xkv = self._cross_kv([mel_window], 1)
        logits = np.asarray(self._call("language", language_logits, self.loaded.params, xkv, n_head=self.loaded.dims["n_text_head"]))[0]
        languages = list(tokenizer.all_language_tokens)
        best = languages[int(np.argmax(logits[languages]))]
        return tokenizer.decode([best]).strip("<|>")

    def _decode_windows(self, mels: list[np.ndarray], prompt: list[int], sot_index: int, config: RunConfig,
                        tokenizer, vocab, cancel: threading.Event, on_batch):
        """Decode windows batch_size at a time; windows that fail openai-whisper's
        quality checks are decoded again at the next temperature of the schedule."""
        import jax
        import jax.numpy as jnp

        from asr_tui.core.backends.jaxwhisper import generate as gen
        from asr_tui.core.backends.jaxwhisper.windows import DecodedWindow, needs_fallback

        # The windows are spread evenly over the fewest calls of at most batch_size:
        # every row of a call costs a full decode step until its longest window ends,
        # so 25 windows run as 13 + 12 rather than 16 + 16 with 7 padding rows.
        calls = -(-len(mels) // config.batch_size)
        batch = -(-len(mels) // calls)
        key = jax.random.PRNGKey(config.seed)
        results: list[DecodedWindow | None] = [None] * len(mels)
        for first in range(0, len(mels), batch):
            check_cancel(cancel)
            chunk = list(range(first, min(first + batch, len(mels))))
            xkv = self._cross_kv([mels[i] for i in chunk], batch)
            pending = list(range(len(chunk)))  # rows of this batch still to decode
            for temperature in config.temperatures:
                # A fallback round decodes only the windows that failed, in the smallest
                # power-of-two batch that holds them: a padded full batch would cost as
                # much as the first round for one window.
                first_round = len(pending) == len(chunk)
                size = batch if first_round else min(batch, gen.prompt_bucket(len(pending), minimum=1))
                rows = pending + [pending[-1]] * (size - len(pending))
                batch_xkv = xkv if first_round else jax.tree.map(lambda a: a[jnp.array(rows)], xkv)
                prompt_array, prompt_len = gen.pad_prompts([prompt], size, vocab.eot)
                key, call_key = jax.random.split(key)
                out = self._call(
                    "generate", gen.generate.__wrapped__, self.loaded.params, batch_xkv, jnp.asarray(prompt_array),
                    jnp.int32(prompt_len), jnp.int32(sot_index), jnp.float32(temperature), call_key,
                    n_head=self.loaded.dims["n_text_head"], vocab=vocab, max_new=config.max_new_tokens,
                )
                tokens, _, sum_logprob, no_speech = (np.asarray(x) for x in out)
                for out_row, row in enumerate(pending):
                    sampled = tokens[out_row].tolist()
                    sampled = sampled[: sampled.index(vocab.eot)] if vocab.eot in sampled else sampled
                    results[chunk[row]] = DecodedWindow(
                        tokens=sampled,
                        avg_logprob=float(sum_logprob[out_row]) / (len(sampled) + 1),
                        no_speech_prob=float(no_speech[out_row]),
                        temperature=temperature,
                        text=tokenizer.decode(sampled).strip(),
                    )
                pending = [row for row in pending if needs_fallback(results[chunk[row]], config)]
                if not pending:
                    break
                check_cancel(cancel)
            on_batch(chunk)
        return results

    # --- transcription --------------------------------------------------------------------

    def transcribe(self, samples: np.ndarray, config: RunConfig, progress: ProgressFn, cancel: threading.Event) -> Transcript:
        import jax
        from whisper.tokenizer import get_tokenizer

        from asr_tui.core.backends.jaxwhisper import mel as jmel
        from asr_tui.core.backends.jaxwhisper.generate import Vocabulary

        self._compile_s = 0.0
        hits_before = _cache_hits
        dims = self.loaded.dims
        multilingual, num_languages = vocabulary_kind(dims["n_vocab"])
        mel = jmel.log_mel_spectrogram(samples, dims["n_mels"], padding=N_SAMPLES)
        content_frames = mel.shape[1] - jmel.N_FRAMES
        with jax.default_device(self.loaded.device):
            language = config.language
            if language is None:
                language = "en"
                if multilingual:
                    language = self._detect_language(jmel.window(mel, 0), get_tokenizer(True, num_languages=num_languages))
            tokenizer = get_tokenizer(multilingual, num_languages=num_languages, language=language, task=config.task)
            vocab = Vocabulary.from_tokenizer(tokenizer, dims["n_vocab"])
            run = self._batched if config.strategy == "batched" else self._sequential
            segments = run(mel, content_frames, config, tokenizer, vocab, progress, cancel)
        text = "".join(s.text for s in segments).strip()
        stats = {"compile_s": self._compile_s, "compile_cache_hits": _cache_hits - hits_before}
        return Transcript(text=text, segments=segments, language=language, stats=stats)

    def _sequential(self, mel, content_frames, config, tokenizer, vocab, progress, cancel) -> list[Segment]:
        """openai-whisper's loop: one window, advance to the last complete segment, repeat."""
        from asr_tui.core.backends.jaxwhisper import mel as jmel
        from asr_tui.core.backends.jaxwhisper.windows import is_silence, split_segments

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
        from asr_tui.core.backends.jaxwhisper import mel as jmel
        from asr_tui.core.backends.jaxwhisper.windows import is_silence, merge_windows, split_segments, window_starts

        total = content_frames / 100
        starts = window_starts(total, CHUNK_SECONDS, STRIDE_SECONDS)
        spans = [(start, min(CHUNK_SECONDS, total - start)) for start in starts]
        mels = [jmel.window(mel, round(start * 100), round(duration * 100)) for start, duration in spans]
        prompt = list(tokenizer.sot_sequence)

        def on_batch(indices: list[int]) -> None:
            start, duration = spans[indices[-1]]
            progress(min(total, start + duration), [])

        sot_index = prompt.index(tokenizer.sot)
        decoded = self._decode_windows(mels, prompt, sot_index, config, tokenizer, vocab, cancel, on_batch)

        def segments_of(window, start: float, duration: float) -> list[Segment]:
            if is_silence(window, config):
                return []
            found = split_segments(window.tokens, start, duration, vocab.timestamp_begin, tokenizer.decode, keep_tail=True)[0]
            return [s for s in found if s.start < start + duration]

        windows = [(start, start + duration, segments_of(w, start, duration)) for (start, duration), w in zip(spans, decoded)]
        # Whisper often closes a window early, expecting the next one to go on from there;
        # after the last window none does, so decode from where it stopped (as the seek rule would).
        for _ in range(MAX_TAIL_WINDOWS):
            start, end, found = windows[-1]
            covered = found[-1].end if found else end
            if total - covered <= TAIL_SLACK_SECONDS:
                break
            duration = total - covered
            tail = self._decode_windows(
                [jmel.window(mel, round(covered * 100), round(duration * 100))], prompt, sot_index, config, tokenizer, vocab, cancel, lambda _: None
            )[0]
            windows[-1] = (start, covered, found)
            windows.append((covered, total, segments_of(tail, covered, duration)))
        segments = merge_windows(windows)
        progress(total, segments)
        return segments

    def decoding_settings(self, config: RunConfig) -> dict:
        """The batched strategy decodes each window on its own (no previous text), in
        whisper-jax's overlapping windows."""
        settings = super().decoding_settings(config)
        if config.strategy == "batched":
            settings |= {"condition_on_previous_text": False, "chunk_length_s": CHUNK_SECONDS, "stride_length_s": STRIDE_SECONDS}
        return settings

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
