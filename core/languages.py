"""The languages Whisper knows, from openai-whisper's own tokenizer table.

Every backend gets a language the same way: checked and turned into its code here,
before any model loads (CTranslate2 would otherwise fall back to English silently,
PyTorch fail mid-run). The table is read from `whisper/tokenizer.py` itself rather
than copied, but without importing the `whisper` package, whose `__init__` imports
torch: checking a flag must not cost a framework import.
"""

from __future__ import annotations

import difflib
import functools
import importlib.util
import sys
from pathlib import Path

from asr_tui.core.errors import AsrTuiError
from asr_tui.core.knobs import invalid


@functools.cache
def _tokenizer_module():
    loaded = sys.modules.get("whisper.tokenizer")
    if loaded is not None:
        return loaded
    spec = importlib.util.find_spec("whisper")  # finds the package without running it
    if spec is None or not spec.submodule_search_locations:
        raise AsrTuiError("openai-whisper is not installed: its language table is needed to check a language")
    path = Path(spec.submodule_search_locations[0]) / "tokenizer.py"
    module_spec = importlib.util.spec_from_file_location("_asr_tui_whisper_tokenizer", path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


def to_code(language: str) -> str:
    """The code for a code or a name in any case ('en', 'English', 'flemish'), or an
    error suggesting the closest ones."""
    module = _tokenizer_module()
    wanted = language.strip().lower()
    if wanted in module.LANGUAGES:
        return wanted
    if wanted in module.TO_LANGUAGE_CODE:
        return module.TO_LANGUAGE_CODE[wanted]
    close = difflib.get_close_matches(wanted, [*module.LANGUAGES, *module.TO_LANGUAGE_CODE], n=3)
    hint = f"; did you mean {' or '.join(close)}?" if close else " (a code such as en or a name such as german)"
    raise invalid(f"Whisper knows no language '{language}'{hint}")
