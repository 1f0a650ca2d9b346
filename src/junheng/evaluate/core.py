"""``evaluate``: a county under a rule set, exactly as the official rules say."""

from __future__ import annotations

import datetime as _dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from junheng import __version__
from junheng.data.census import Census, load_census
from junheng.data.schema import STAGES
from junheng.evaluate.diagnostics import cv_drivers, inequality, large_class_ledger, weak_schools
from junheng.evaluate.government import run_checks
from junheng.evaluate.parts import school_parts
from junheng.evaluate.resource import StageResult, evaluate_stage
from junheng.evaluate.texts import stage_name, text
from junheng.standards.loader import Rules, load_rules


@dataclass
class Evaluation:
    """The result of one evaluation; ``to_dict`` gives the ``evaluation.json`` contract."""

    rules: Rules
    year: int
    county_code: str
    county_name: str
    stages: dict[str, StageResult]
    government: dict[str, dict[str, Any]] = field(default_factory=dict)
    diagnostics: dict[str, Any] = field(default_factory=dict)
    source_sha256: str | None = None
    lang: str = "zh"
    source_name: str | None = None
    data_warnings: list[str] = field(default_factory=list)  # validation warnings, described
    school_locations: list[dict[str, Any]] = field(default_factory=list)  # every school, for maps

    @property
    def resource_allocation_pass(self) -> bool | None:
        flags: list[bool | None] = []
        for st in self.stages.values():
            if st.schools_evaluated == 0:
                continue
            flags.append(st.cv_pass)
            if self.rules.school_rule is not None:
                flags.append(st.schools_pass)
        if not flags:
            return None
        if any(f is False for f in flags):
            return False
        return None if any(f is None for f in flags) else True

    @property
    def passes(self) -> bool | None:
        """Overall verdict: False if anything fails, None if anything is not assessed."""
        flags = [self.resource_allocation_pass] + [
            c.get("pass") for c in self.government.values()]
        if any(f is False for f in flags):
            return False
        return None if any(f is None for f in flags) else True

    def reasons(self, lang: str | None = None) -> list[str]:
        """Plain-language reasons for the verdict, most important first."""
        lang = lang or self.lang
        out: list[str] = []
        for stage, st in self.stages.items():
            name = stage_name(stage, lang)
            if st.schools_evaluated == 0:
                out.append(text("reason_no_schools", lang, stage=name))
                continue
            if self.rules.cv_test == "composite" and st.composite is not None and \
                    st.composite_threshold is not None and st.composite > st.composite_threshold:
                out.append(text("reason_composite", lang, stage=name, cv=st.composite,
                                threshold=st.composite_threshold))
            for key, ind in st.indicators.items():
                label = self.rules.indicator(key).name(lang)
                if ind.cv is None and self.rules.cv_test == "each":
                    out.append(text("reason_cv_undefined", lang, stage=name, indicator=label))
                elif ind.cv_pass is False:
                    out.append(text("reason_cv", lang, stage=name, indicator=label, cv=ind.cv,
                                    threshold=ind.cv_threshold))
            failing = [s for s in st.schools if s.passes is False]
            if failing:
                sep = "、" if lang == "zh" else ", "
                names = sep.join(s.name for s in failing[:5]) + ("…" if len(failing) > 5 else "")
                out.append(text("reason_schools", lang, stage=name, count=len(failing),
                                names=names))
            unknown = [s for s in st.schools if s.passes is None]
            if self.rules.school_rule is not None and unknown:
                out.append(text("reason_schools_unknown", lang, stage=name, count=len(unknown)))
        checks = list(self.government.values())
        out += [text("reason_check", lang, name=c["name"], detail=c["detail"])
                for c in checks if c.get("pass") is False]
        out += [text("reason_check_na", lang, name=c["name"])
                for c in checks if c.get("pass") is None]
        return out

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        lang = lang or self.lang
        return {
            "standard": self.rules.standard,
            "rules": {"id": self.rules.id, "version": self.rules.version,
                      "document": self.rules.document},
            "year": self.year,
            "county": {"code": self.county_code, "name": self.county_name},
            "stages": {s: st.to_dict(lang) for s, st in self.stages.items()},
            "government": self.government,
            "verdict": {
                "resource_allocation_pass": self.resource_allocation_pass,
                "pass": self.passes,
                "reasons": self.reasons(lang),
            },
            "diagnostics": self.diagnostics,
            "data_warnings": self.data_warnings,
            "meta": {"junheng": __version__, "source_sha256": self.source_sha256,
                     "source": self.source_name,
                     "generated": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
                     "lang": lang},
        }


def _sha256(path: Path | None) -> str | None:
    if path is None or not path.is_file():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()


def evaluate(census: Census | str | Path, standard: str = "quality-2017", *,
             year: int | None = None, rules: Rules | str | Path | None = None,
             lang: str = "zh") -> Evaluation:
    """Evaluate a county under ``standard`` (or a rule file), for ``year`` (default: latest).

    ``census`` is a :class:`~junheng.data.census.Census` or a workbook path
    (validated first; :class:`~junheng.data.census.DataError` when invalid).
    """
    if not isinstance(census, Census):
        census = load_census(census)
    if rules is None:
        rules = load_rules(standard)
    elif not isinstance(rules, Rules):
        rules = load_rules(rules)
    if year is None:
        year = max(census.years)
    elif year not in census.years:
        raise ValueError(f"year {year} is not in the workbook (years: {census.years})")
    parts, stages = _evaluate_year(census, rules, year)
    diagnostics = {
        "inequality": inequality(parts, rules),
        "cv_drivers": {s: cv_drivers(st) for s, st in stages.items()},
        "weak_schools": {s: weak_schools(st) for s, st in stages.items()},
        "trend": _trend(census, rules, year, stages),
        "large_class_ledger": large_class_ledger(census, **_class_bands(rules)),
    }
    schools = census["schools"]
    locations = [
        {"school_id": r["school_id"], "name": r["name"], "type": r["type"],
         "locale": r["locale"], "lon": None if pd.isna(r["lon"]) else float(r["lon"]),
         "lat": None if pd.isna(r["lat"]) else float(r["lat"])}
        for r in schools.to_dict("records")]
    warnings = [i.describe(lang) for i in census.report.warnings] if census.report else []
    return Evaluation(rules=rules, year=year, county_code=census.county_code,
                      county_name=census.county_name, stages=stages,
                      government=run_checks(census, rules, year, parts, lang),
                      diagnostics=diagnostics, source_sha256=_sha256(census.source), lang=lang,
                      source_name=census.source.name if census.source else None,
                      data_warnings=warnings, school_locations=locations)


def _class_bands(rules: Rules) -> dict[str, int]:
    bands = rules.raw.get("classes", {})
    return {"large": int(bands["large"]), "super_large": int(bands["super_large"])}


def _evaluate_year(census: Census, rules: Rules, year: int
                   ) -> tuple[pd.DataFrame, dict[str, StageResult]]:
    parts, excluded = school_parts(census, rules, year)
    stages = {}
    for stage in STAGES:
        sub = parts[parts["stage"] == stage] if not parts.empty else parts
        stages[stage] = evaluate_stage(sub, [e for e in excluded if e.stage == stage], rules,
                                       stage)
    return parts, stages


def _trend(census: Census, rules: Rules, year: int,
           current: dict[str, StageResult]) -> list[dict[str, Any]]:
    """Coefficients of every year in the workbook up to ``year`` (year-on-year change)."""
    rows = []
    for y in [y for y in census.years if y <= year]:
        stages = current if y == year else _evaluate_year(census, rules, y)[1]
        for stage, st in stages.items():
            rows.append({"year": y, "stage": stage, "schools": st.schools_evaluated,
                         "composite": st.composite,
                         "failing_schools": sum(1 for s in st.schools if s.passes is False),
                         "cv": {k: v.cv for k, v in st.indicators.items()}})
    return rows
