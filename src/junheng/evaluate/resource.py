"""Resource allocation (资源配置): indicators, coefficients, per-school rule and gaps.

For each stage: every indicator of every in-scope school part (standards.md
§1.4 / §2.2), the student-weighted difference coefficient (§1.5), the 2012
composite (§1.6) or the 2017 per-indicator test (§2.4), the 2017 per-school
rule (§2.3) and the gap of each part to each standard in real units
(Decisions #8).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from junheng.evaluate.metrics import cv_contributions, weighted_cv
from junheng.evaluate.parts import Exclusion
from junheng.standards.loader import Indicator, Rules


@dataclass
class IndicatorResult:
    """One indicator of one stage: county mean, coefficient, threshold."""

    key: str
    cv: float | None
    cv_threshold: float | None
    mean: float
    sd: float
    standard: float | None
    schools_with_data: int
    cv_pass: bool | None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"cv": _r(self.cv), "cv_threshold": self.cv_threshold,
                               "mean": _r(self.mean), "sd": _r(self.sd)}
        if self.standard is not None:
            out["standard"] = self.standard
        out["schools_with_data"] = self.schools_with_data
        out["cv_pass"] = self.cv_pass
        return out


@dataclass
class SchoolPart:
    """One school part (学校学段) with its indicators, compliance and gaps."""

    school_id: str
    name: str
    stage: str
    locale: str
    students: float
    share: float
    split: bool
    values: dict[str, float | None]
    meets: dict[str, bool | None]
    gaps: dict[str, float]
    ratios: dict[str, float | None]  # value / standard
    met: int
    passes: bool | None
    cv_share: dict[str, float] = field(default_factory=dict)
    lon: float | None = None
    lat: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "school_id": self.school_id, "name": self.name, "locale": self.locale,
            "students": int(self.students), "split_share": _r(self.share) if self.split else None,
            "values": {k: _r(v) for k, v in self.values.items()},
            "meets": self.meets, "gaps": self.gaps, "met": self.met, "pass": self.passes,
            "cv_share": {k: _r(v) for k, v in self.cv_share.items()},
        }


@dataclass
class StageResult:
    """The evaluation of one stage (primary or junior)."""

    stage: str
    schools_evaluated: int
    excluded: list[Exclusion]
    indicators: dict[str, IndicatorResult]
    composite: float | None
    composite_threshold: float | None
    cv_pass: bool | None
    schools: list[SchoolPart]
    schools_pass: bool | None

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        from junheng.evaluate.texts import text

        return {
            "schools_evaluated": self.schools_evaluated,
            "excluded": [{"school_id": e.school_id, "name": e.name, "reason_code": e.reason,
                          "reason": text(e.reason, lang)} for e in self.excluded],
            "indicators": {k: v.to_dict() for k, v in self.indicators.items()},
            "composite": {"cv": _r(self.composite), "cv_threshold": self.composite_threshold},
            "cv_pass": self.cv_pass,
            "schools": [s.to_dict() for s in self.schools],
            "schools_pass": self.schools_pass,
        }


def _r(x: float | None, digits: int = 6) -> float | None:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return None
    return round(float(x), digits)


def _coord(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def indicator_values(parts: pd.DataFrame, ind: Indicator) -> pd.Series:
    """x_i = amount_i / pupils_i × scale (standards.md §7 step 2); NaN where unknown."""
    amount = parts[ind.numerator].astype(float)
    if ind.deduct_indoor_sports and "indoor_sports_area" in parts:
        amount = amount - parts["indoor_sports_area"].astype(float).fillna(0.0)
    return amount / parts["students"].astype(float) * ind.scale


def gap_in_units(ind: Indicator, standard: float, students: float, amount: float) -> float:
    """What a part lacks to reach ``standard``: whole teachers/rooms, m², yuan (Decisions #8)."""
    needed = standard * students / ind.scale - amount
    if needed <= 1e-9:
        return 0.0
    if ind.gap == "ceil":
        return float(math.ceil(needed - 1e-9))
    if ind.gap == "money":
        return float(math.ceil(needed - 1e-9))
    return math.ceil(needed * 100 - 1e-6) / 100  # m², to the cent of a square metre


def school_rule(ratios: dict[str, float | None], rule: dict[str, Any]) -> tuple[int, bool | None]:
    """standards.md §2.3: ≥ ``min_met`` standards met and the rest ≥ ``remainder_share``.

    Returns (number met, pass). Unknown values count neither way: the result is
    None (not assessed) unless the known values already decide it.
    """
    known = [r for r in ratios.values() if r is not None]
    unknown = len(ratios) - len(known)
    met = sum(1 for r in known if r >= 1.0)
    failing = [r for r in known if r < 1.0]
    total = len(ratios)
    allowed_fail = total - int(rule["min_met"])
    floor = float(rule["remainder_share"])
    if len(failing) > allowed_fail or any(r < floor for r in failing):
        return met, False
    if unknown:
        return met, None
    return met, True


def evaluate_stage(parts: pd.DataFrame, excluded: list[Exclusion], rules: Rules,
                   stage: str) -> StageResult:
    """Evaluate one stage's school parts under ``rules``."""
    parts = parts.reset_index(drop=True)
    threshold = rules.cv_threshold.get(stage)
    indicators: dict[str, IndicatorResult] = {}
    values: dict[str, pd.Series] = {}
    contributions: dict[str, np.ndarray] = {}
    for ind in rules.indicators:
        x = indicator_values(parts, ind) if not parts.empty else pd.Series(dtype=float)
        values[ind.key] = x
        known = x.notna().to_numpy()
        res = weighted_cv(x[known].to_numpy(float), parts.loc[known, "students"].to_numpy(float))
        contrib = np.full(len(parts), np.nan)
        if known.any():
            contrib[known] = cv_contributions(x[known].to_numpy(float),
                                              parts.loc[known, "students"].to_numpy(float))
        contributions[ind.key] = contrib
        per_indicator_test = rules.cv_test == "each"
        cv_pass = None
        if per_indicator_test and res.cv is not None and threshold is not None:
            cv_pass = res.cv <= threshold
        indicators[ind.key] = IndicatorResult(
            key=ind.key, cv=res.cv, cv_threshold=threshold if per_indicator_test else None,
            mean=res.mean, sd=res.sd, standard=ind.standard.get(stage),
            schools_with_data=int(known.sum()), cv_pass=cv_pass)

    cvs = [r.cv for r in indicators.values()]
    composite = float(np.mean(cvs)) if cvs and all(c is not None for c in cvs) else None
    if rules.cv_test == "composite":
        cv_pass = None if composite is None or threshold is None else composite <= threshold
    else:
        flags = [r.cv_pass for r in indicators.values()]
        cv_pass = False if any(f is False for f in flags) else (
            None if any(f is None for f in flags) else True)
    if parts.empty:
        cv_pass = None

    school_results: list[SchoolPart] = []
    has_standards = rules.school_rule is not None and all(
        stage in ind.standard for ind in rules.indicators)
    for i, row in parts.iterrows():
        vals: dict[str, float | None] = {}
        meets: dict[str, bool | None] = {}
        gaps: dict[str, float] = {}
        ratios: dict[str, float | None] = {}
        for ind in rules.indicators:
            v = values[ind.key].iloc[i]
            vals[ind.key] = None if pd.isna(v) else float(v)
            std = ind.standard.get(stage)
            if std is None:
                continue
            if vals[ind.key] is None:
                meets[ind.key] = None
                ratios[ind.key] = None
                continue
            meets[ind.key] = vals[ind.key] >= std
            ratios[ind.key] = vals[ind.key] / std
            gaps[ind.key] = gap_in_units(ind, std, float(row["students"]),
                                         float(row[ind.numerator]))
        met, passes = (school_rule(ratios, rules.school_rule) if has_standards and
                       rules.school_rule else (sum(bool(m) for m in meets.values()), None))
        school_results.append(SchoolPart(
            school_id=row["school_id"], name=row["name"], stage=stage, locale=row["locale"],
            students=float(row["students"]), share=float(row["share"]), split=bool(row["split"]),
            values=vals, meets=meets, gaps=gaps, ratios=ratios, met=met, passes=passes,
            cv_share={k: float(c[i]) for k, c in contributions.items() if not np.isnan(c[i])},
            lon=_coord(row.get("lon")), lat=_coord(row.get("lat")),
        ))
    if has_standards and school_results:
        flags = [s.passes for s in school_results]
        schools_pass = False if any(f is False for f in flags) else (
            None if any(f is None for f in flags) else True)
    else:
        schools_pass = None
    return StageResult(
        stage=stage, schools_evaluated=len(parts), excluded=excluded, indicators=indicators,
        composite=composite,
        composite_threshold=threshold if rules.cv_test == "composite" else None,
        cv_pass=cv_pass, schools=school_results, schools_pass=schools_pass)
