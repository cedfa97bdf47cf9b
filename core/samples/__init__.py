"""The bundled real-speech sample: the opening of the Gettysburg Address (public
domain), spoken by espeak-ng, with its reference transcript beside it."""

from pathlib import Path

SAMPLE = Path(__file__).with_name("gettysburg.flac")
