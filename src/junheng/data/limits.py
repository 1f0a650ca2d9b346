"""Validation limits, loaded from the versioned ``limits.toml`` beside this module."""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any


def load_limits() -> dict[str, Any]:
    """Return the validation limits (plausibility bounds) as nested dicts."""
    text = resources.files("junheng.data").joinpath("limits.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


LIMITS: dict[str, Any] = load_limits()
