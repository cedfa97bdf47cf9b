"""The paragraphs of the docstrings of CPython's standard library (modules, classes and
functions, in the order of `sorted(glob)` over the running Python's `Lib/*.py`) that are
plain prose: 25 words or more, letters and punctuation only (brackets and double quotes
taken away), each said once. API prose of many authors, none of it a clip's before; it
differs between Python versions (this sitting: 3.11.7)."""
import ast
import glob
import os
import re
import sysconfig


def paragraphs() -> list[str]:
    found, seen = [], set()
    for path in sorted(glob.glob(os.path.join(sysconfig.get_paths()["stdlib"], "*.py"))):
        try:
            tree = ast.parse(open(path, encoding="utf-8").read())
        except (SyntaxError, UnicodeDecodeError):
            continue
        for node in ast.walk(tree):
            if not isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for block in re.split(r"\n\s*\n", ast.get_docstring(node) or ""):
                paragraph = re.sub(r"[()\"]", "", re.sub(r"\s+", " ", block).strip())
                if len(paragraph.split()) >= 25 and re.fullmatch(r"[A-Za-z ,;:'\-.?!]+", paragraph) \
                        and paragraph[0].isupper() and paragraph not in seen:
                    seen.add(paragraph)
                    found.append(paragraph)
    return found
