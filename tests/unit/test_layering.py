"""The layering the design fixes, checked on the source: the engine (core/) never
imports the UI, and the UI (tui/, cli/) reaches an inference framework only through a
backend. Every import statement counts, also those inside functions, because a lazy
import is still a dependency.

import-linter would say the same, but it cannot walk a package that is mapped over
several folders by an editable install, so the contracts are read from the AST here.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FRAMEWORKS = ("torch", "jax", "jaxlib", "flax", "ctranslate2", "faster_whisper", "whisper", "whisper_jax", "transformers")
CONTRACTS = {
    "core": ("textual", "asr_tui.tui", "asr_tui.cli"),
    "tui": FRAMEWORKS,
    "cli": FRAMEWORKS,
}


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def breaks(module: str, forbidden: tuple[str, ...]) -> bool:
    return any(module == f or module.startswith(f + ".") for f in forbidden)


@pytest.mark.parametrize("folder", sorted(CONTRACTS))
def test_folder_keeps_its_layer(folder):
    violations = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in sorted((ROOT / folder).rglob("*.py"))
        for module in sorted(imported_modules(path))
        if breaks(module, CONTRACTS[folder])
    ]
    assert not violations, "\n".join(violations)


def test_the_contract_sees_a_lazy_import(tmp_path):
    """The check must be able to fail: an import inside a function is found."""
    planted = tmp_path / "planted.py"
    planted.write_text("def later():\n    import torch.nn\n    from textual.app import App\n")
    modules = imported_modules(planted)
    assert breaks("torch.nn", FRAMEWORKS) and "textual.app" in modules


def test_start_up_loads_no_framework():
    """`asr-tui` and `asr-tui run --help` must start at once: no torch or jax until a
    backend is used."""
    code = (
        "import sys, asr_tui.tui.app, asr_tui.cli.run, asr_tui.cli.main; "
        f"print(sorted(m for m in {FRAMEWORKS!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
