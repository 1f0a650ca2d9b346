"""Evaluation (督导评估): indicators, coefficients, verdicts and diagnostics.

The package itself is callable, so the API reads as the issue names it:
``junheng.evaluate(census, "quality-2017")`` is ``junheng.evaluate.evaluate(...)``.
"""

from __future__ import annotations

import sys
import types
from typing import Any

from junheng.evaluate.core import Evaluation, evaluate
from junheng.evaluate.metrics import (
    CVResult,
    cv_contributions,
    theil_decomposition,
    weighted_cv,
    weighted_gini,
)

__all__ = [
    "CVResult",
    "Evaluation",
    "cv_contributions",
    "evaluate",
    "theil_decomposition",
    "weighted_cv",
    "weighted_gini",
]


class _CallableModule(types.ModuleType):
    def __call__(self, *args: Any, **kwargs: Any) -> Evaluation:
        return evaluate(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
