"""An openai-whisper checkpoint as a Hugging Face Whisper directory with Flax weights,
the only form whisper-jax's `FlaxWhisperPipline` loads.

The state dict is renamed into transformers' PyTorch Whisper, which transformers then
turns into Flax parameters itself; the tokenizer is the bundled model's
`tokenizer.json` of the same vocabulary, as for CTranslate2; the generation settings
are derived from openai-whisper's tokenizer, so that whisper-jax suppresses and forces
the same tokens the other backends do. Needs transformers < 5 (the last with Flax
models) and flax, which whisper-jax needs anyway.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from asr_tui.core.errors import AsrTuiError
from asr_tui.core.tokens import MAX_INITIAL_TIMESTAMP_INDEX, suppressed, vocabulary_kind
from asr_tui.core.weights import cache
from asr_tui.core.weights.checkpoint import load_checkpoint
from asr_tui.core.weights.resolution import tokenizer_template

if TYPE_CHECKING:
    from asr_tui.core.weights.resolution import Weights

INSTALL_HINT = "pip install 'transformers<5' flax"


def _generation_config(multilingual: bool, num_languages: int, n_text_ctx: int):
    from transformers import GenerationConfig
    from whisper.tokenizer import get_tokenizer

    tokenizer = get_tokenizer(multilingual, num_languages=num_languages)
    languages = {f"<|{code}|>": token for code, token in zip(tokenizer.all_language_codes, tokenizer.all_language_tokens)}
    return GenerationConfig(
        max_length=n_text_ctx,
        decoder_start_token_id=tokenizer.sot,
        bos_token_id=tokenizer.eot,
        eos_token_id=tokenizer.eot,
        pad_token_id=tokenizer.eot,
        no_timestamps_token_id=tokenizer.no_timestamps,
        prev_sot_token_id=tokenizer.sot_prev,
        begin_suppress_tokens=[*tokenizer.encode(" "), tokenizer.eot],
        suppress_tokens=sorted(suppressed(tokenizer)),
        max_initial_timestamp_index=MAX_INITIAL_TIMESTAMP_INDEX,
        is_multilingual=multilingual,
        lang_to_id=languages if multilingual else {},
        task_to_id={"transcribe": tokenizer.transcribe, "translate": tokenizer.translate} if multilingual else {},
        return_timestamps=False,
    )


# openai-whisper state-dict names -> transformers' (after the "model." prefix)
_RENAMES = (
    (".blocks.", ".layers."), (".cross_attn_ln.", ".encoder_attn_layer_norm."), (".attn_ln.", ".self_attn_layer_norm."),
    (".mlp_ln.", ".final_layer_norm."), (".mlp.0.", ".fc1."), (".mlp.2.", ".fc2."), (".cross_attn.", ".encoder_attn."),
    (".attn.", ".self_attn."), (".query.", ".q_proj."), (".key.", ".k_proj."), (".value.", ".v_proj."), (".out.", ".out_proj."),
    ("encoder.ln_post.", "encoder.layer_norm."), ("decoder.ln.", "decoder.layer_norm."),
    ("decoder.token_embedding.", "decoder.embed_tokens."),
)


def _hf_name(name: str) -> str:
    if name.endswith("positional_embedding"):
        return "model." + name.replace("positional_embedding", "embed_positions.weight")
    for old, new in _RENAMES:
        name = name.replace(old, new)
    return "model." + name


def _pytorch_model(weights: Weights):
    """transformers' PyTorch Whisper holding the checkpoint, and its tokenizer's shape."""
    from transformers import WhisperConfig, WhisperForConditionalGeneration
    from whisper.tokenizer import get_tokenizer

    checkpoint = load_checkpoint(weights.checkpoint)
    dims = checkpoint["dims"]
    multilingual, num_languages = vocabulary_kind(dims["n_vocab"])
    tokenizer = get_tokenizer(multilingual, num_languages=num_languages)
    config = WhisperConfig(
        vocab_size=dims["n_vocab"], num_mel_bins=dims["n_mels"], d_model=dims["n_audio_state"],
        encoder_layers=dims["n_audio_layer"], encoder_attention_heads=dims["n_audio_head"],
        decoder_layers=dims["n_text_layer"], decoder_attention_heads=dims["n_text_head"],
        encoder_ffn_dim=4 * dims["n_audio_state"], decoder_ffn_dim=4 * dims["n_text_state"],
        max_source_positions=dims["n_audio_ctx"], max_target_positions=dims["n_text_ctx"],
        bos_token_id=tokenizer.eot, eos_token_id=tokenizer.eot, pad_token_id=tokenizer.eot,
        decoder_start_token_id=tokenizer.sot, suppress_tokens=[], begin_suppress_tokens=[],
    )
    model = WhisperForConditionalGeneration(config)
    state = {_hf_name(k): v.float() for k, v in checkpoint["model_state_dict"].items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    if unexpected or set(missing) - {"proj_out.weight"}:
        raise AsrTuiError(f"cannot export {weights.name} for whisper-jax: unmatched weights {sorted(unexpected or missing)[:3]}")
    model.tie_weights()
    return model, multilingual, num_languages


def flax_directory(weights: Weights) -> Path:
    """The cached Hugging Face directory for these weights, written on first use."""
    return cache.cached(cache.entry("huggingface", weights.name, weights.sha256), lambda staging: _export(weights, staging))


def _export(weights: Weights, staging: Path) -> None:
    try:
        from transformers import FlaxWhisperForConditionalGeneration, WhisperFeatureExtractor, WhisperProcessor, WhisperTokenizerFast
    except ImportError:
        raise AsrTuiError(f"exporting weights for whisper-jax needs transformers < 5 and flax: {INSTALL_HINT}") from None

    model, multilingual, num_languages = _pytorch_model(weights)
    template_dir = tokenizer_template(multilingual, f"exporting {weights.name} for whisper-jax")
    pytorch_dir = staging / "pytorch"
    model.save_pretrained(pytorch_dir)
    FlaxWhisperForConditionalGeneration.from_pretrained(pytorch_dir, from_pt=True).save_pretrained(staging)
    shutil.rmtree(pytorch_dir)
    _generation_config(multilingual, num_languages, model.config.max_target_positions).save_pretrained(staging)
    tokenizer = WhisperTokenizerFast(tokenizer_file=str(template_dir / "tokenizer.json"))
    # The template marks its control tokens special only in the vocabulary; transformers'
    # long-form decoding (whisper-jax's post-processing) drops just the tokens the
    # tokenizer lists as special, so list them all, as Hugging Face's Whisper tokenizers do.
    controls = [token.content for token in tokenizer.added_tokens_decoder.values() if token.special]
    tokenizer.add_special_tokens({"additional_special_tokens": controls})
    features = WhisperFeatureExtractor(feature_size=model.config.num_mel_bins)
    WhisperProcessor(feature_extractor=features, tokenizer=tokenizer).save_pretrained(staging)
