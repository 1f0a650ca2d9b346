"""junheng (均衡): evaluate and plan the balanced development of compulsory education.

``junheng.evaluate(census_or_path, "quality-2017")`` evaluates a county;
``junheng.load_census(path)`` validates and loads a census workbook. Both are
imported on first use so that ``junheng --help`` starts fast.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"
__all__ = ["Census", "DataError", "__version__", "evaluate", "load_census"]


def __getattr__(name: str) -> Any:
    if name == "evaluate":
        return importlib.import_module("junheng.evaluate")  # a callable package
    if name in ("Census", "DataError", "load_census"):
        return getattr(importlib.import_module("junheng.data.census"), name)
    raise AttributeError(f"module 'junheng' has no attribute {name!r}")
