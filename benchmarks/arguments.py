"""The benchmark scripts' command lines: each one's `--help` opens with its
docstring's first paragraph, whole (a first line stops mid-sentence), and shows
every option's default."""

from __future__ import annotations

import argparse
import math


def parser(doc: str) -> argparse.ArgumentParser:
    return argparse.ArgumentParser(description=" ".join(doc.split("\n\n")[0].split()),
                                   formatter_class=argparse.ArgumentDefaultsHelpFormatter)


def _number(kind: type, least: float, what: str):
    """An argparse type: a `kind` of at least `least`, refused as a usage error (exit 2)
    rather than met later as a traceback or an empty table that looks real."""
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not {what}") from None
        if not (value >= least and math.isfinite(value)):  # inf seconds would build endless audio
            raise argparse.ArgumentTypeError(f"'{text}' is not {what}")
        return value
    parse.__name__ = what  # argparse names the type in its message
    return parse


def _listed(item):
    """A comma-separated list of `item`."""
    def parse(text: str) -> list:
        return [item(part) for part in text.split(",")]
    parse.__name__ = f"list of {item.__name__}"
    return parse


positive = _number(int, 1, "a whole number of at least 1")
at_least_zero = _number(int, 0, "a whole number of at least 0")
positive_seconds = _number(float, 1e-9, "a number of seconds above 0")
positives = _listed(positive)
seeds = _listed(at_least_zero)
seconds_from_zero = _listed(_number(float, 0.0, "a number of seconds of at least 0"))
