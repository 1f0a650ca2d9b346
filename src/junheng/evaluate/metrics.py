"""Inequality measures as pure functions of values and pupil weights.

``weighted_cv`` is the official difference coefficient (差异系数). Gini and
Theil are diagnostics (not in the rules), weighted by pupils in the same way
so that every school counts as many times as it has pupils. No maintained
library offers a student-weighted Theil with a between/within decomposition
that takes resource totals, so these few lines of NumPy do it directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike


@dataclass(frozen=True)
class CVResult:
    """A difference coefficient with its parts; ``cv`` is None when the mean is 0."""

    cv: float | None
    mean: float
    sd: float
    n: int
    pupils: float


def _arrays(values: ArrayLike, students: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(values, dtype=float)
    p = np.asarray(students, dtype=float)
    if x.shape != p.shape or x.ndim != 1:
        raise ValueError("values and students must be 1-D arrays of the same length")
    if np.any(p < 0) or not np.all(np.isfinite(p)) or not np.all(np.isfinite(x)):
        raise ValueError("students must be non-negative and all values finite")
    return x, p


def _weights(p: np.ndarray) -> np.ndarray | None:
    """Pupil shares P_i / P, or None when there are no pupils."""
    total = float(p.sum())
    return None if total <= 0 else p / total


def weighted_cv(values: ArrayLike, students: ArrayLike) -> CVResult:
    """Student-weighted population coefficient of variation (差异系数).

    Source: standards.md §1.5, 《县域义务教育校际均衡指标计算方法（以生均图书册数为例）》:
    差异情况_i = (P_i / P)(x_i − x̄)²; 差异系数 = √(Σ 差异情况) / x̄, with
    x̄ = Σ (P_i / P) x_i (= Σ R_i / Σ P_i, the county aggregate ratio). No n − 1
    correction, no unweighted mean: the 5-school books example gives 0.5153.
    """
    x, p = _arrays(values, students)
    w = _weights(p)
    if w is None:
        return CVResult(None, float("nan"), float("nan"), int(x.size), 0.0)
    mean = float(np.dot(w, x))
    sd = float(np.sqrt(np.dot(w, (x - mean) ** 2)))
    cv = None if mean == 0 else sd / mean
    return CVResult(cv, mean, sd, int(x.size), float(p.sum()))


def cv_contributions(values: ArrayLike, students: ArrayLike) -> np.ndarray:
    """Each school's share of the weighted variance behind the coefficient (sums to 1).

    Term i of Σ (P_i / P)(x_i − x̄)² over the sum: the schools that drive the
    coefficient up have the largest shares. All zeros when every value is equal.
    """
    x, p = _arrays(values, students)
    w = _weights(p)
    if w is None:
        return np.zeros_like(x)
    terms = w * (x - np.dot(w, x)) ** 2
    s = terms.sum()
    return terms / s if s > 0 else np.zeros_like(x)


def weighted_gini(values: ArrayLike, students: ArrayLike) -> float | None:
    """Pupil-weighted Gini coefficient: Σ_i Σ_j w_i w_j |x_i − x_j| / (2 x̄)."""
    x, p = _arrays(values, students)
    w = _weights(p)
    if w is None or float(np.dot(w, x)) <= 0:
        return None
    mean = float(np.dot(w, x))
    order = np.argsort(x)
    xs, ws = x[order], w[order]
    # Σ_i Σ_j w_i w_j |x_i − x_j| = 2 Σ_i w_i x_i (2 F_i − w_i − 1) with F the cumulative weight
    cum = np.cumsum(ws)
    mad = 2.0 * float(np.sum(ws * xs * (2.0 * cum - ws - 1.0)))
    return mad / (2.0 * mean)


def lorenz_curve(values: ArrayLike, students: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative pupil share and resource share, schools sorted by value (from 0, 0)."""
    x, p = _arrays(values, students)
    order = np.argsort(x)
    resources = x[order] * p[order]
    pupils = p[order]
    cp = np.concatenate([[0.0], np.cumsum(pupils)])
    cr = np.concatenate([[0.0], np.cumsum(resources)])
    return (cp / cp[-1] if cp[-1] > 0 else cp), (cr / cr[-1] if cr[-1] > 0 else cr)


@dataclass(frozen=True)
class TheilResult:
    """Theil T index and its decomposition into between- and within-group parts."""

    total: float
    between: float
    within: float
    groups: dict[str, dict[str, float]]  # group -> {theil, resource_share, pupil_share, mean}


def _theil(x: np.ndarray, w: np.ndarray) -> float:
    mean = float(np.dot(w, x))
    if mean <= 0:
        return 0.0
    r = x / mean
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(r > 0, w * r * np.log(r), 0.0)
    return float(terms.sum())


def theil_decomposition(values: ArrayLike, students: ArrayLike,
                        groups: Sequence[str]) -> TheilResult | None:
    """Pupil-weighted Theil T with the exact between/within split by ``groups``.

    T = Σ_g s_g T_g + Σ_g s_g ln(x̄_g / x̄), s_g = group share of the resource
    (Theil 1967; Shorrocks 1980). Returns None when the county mean is not positive.
    """
    x, p = _arrays(values, students)
    labels = np.asarray(groups)
    w = _weights(p)
    if w is None or float(np.dot(w, x)) <= 0:
        return None
    mean = float(np.dot(w, x))
    overall = _theil(x, w)
    between = 0.0
    within = 0.0
    out: dict[str, dict[str, float]] = {}
    for g in sorted(set(labels.tolist())):
        mask = labels == g
        pg = w[mask].sum()
        if pg <= 0:
            continue
        xg = x[mask]
        wg = w[mask] / pg
        mean_g = float(np.dot(wg, xg))
        share = pg * mean_g / mean
        tg = _theil(xg, wg)
        within += share * tg
        if mean_g > 0:
            between += share * np.log(mean_g / mean)
        out[str(g)] = {"theil": tg, "resource_share": float(share), "pupil_share": float(pg),
                       "mean": mean_g}
    return TheilResult(overall, float(between), float(within), out)
