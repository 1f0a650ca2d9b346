"""Evaluation (督导评估): indicators, coefficients, verdicts and diagnostics."""

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
