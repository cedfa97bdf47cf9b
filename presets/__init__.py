"""Bundled, read-only presets (TOML). Saving one writes a user copy instead."""
