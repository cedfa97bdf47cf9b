"""The benchmark scripts' command lines: each one's `--help` opens with its
docstring's first paragraph, whole (a first line stops mid-sentence), and shows
every option's default."""

from __future__ import annotations

import argparse


def parser(doc: str) -> argparse.ArgumentParser:
    return argparse.ArgumentParser(description=" ".join(doc.split("\n\n")[0].split()),
                                   formatter_class=argparse.ArgumentDefaultsHelpFormatter)
