"""Loading versioned rule files (评估规则文件) for the evaluation.

A rule file is TOML. The national ones ship in ``rules/``; a province can
write its own with ``extends = "quality-2017"`` and only the keys it changes
(tables merge key by key; ``[[indicators]]`` and ``[[checks]]`` entries
merge by ``key``).
"""

from __future__ import annotations

import copy
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

STANDARDS = ("basic-2012", "quality-2017")


class RulesError(ValueError):
    """A rule file is missing, malformed or inconsistent."""


@dataclass(frozen=True)
class Indicator:
    """One school-level indicator (评估指标): numerator / pupils × scale."""

    key: str
    name_zh: str
    name_en: str
    numerator: str
    scale: float
    unit: str
    unit_en: str
    split: bool
    per_stage_column: bool = False
    standard: dict[str, float] = field(default_factory=dict)
    gap: str = "area"  # ceil (whole teachers/rooms), area (m²) or money (yuan)
    deduct_indoor_sports: bool = False
    source: str = ""

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_zh

    def column(self, stage: str) -> str:
        """The census column holding this indicator's numerator for ``stage``."""
        return f"{self.numerator}_{stage}" if self.per_stage_column else self.numerator


@dataclass(frozen=True)
class Rules:
    """A complete, resolved rule set."""

    id: str
    version: str
    name_zh: str
    name_en: str
    document: str
    indicators: tuple[Indicator, ...]
    cv_test: str  # "each" or "composite"
    cv_threshold: dict[str, float]
    scope: dict[str, Any]
    split_weights: dict[str, float]
    school_rule: dict[str, Any] | None
    composite_test: bool
    checks: tuple[dict[str, Any], ...]
    raw: dict[str, Any]
    base: str | None = None

    def indicator(self, key: str) -> Indicator:
        for ind in self.indicators:
            if ind.key == key:
                return ind
        raise KeyError(key)

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_zh

    @property
    def standard(self) -> str:
        """The national standard this rule set belongs to."""
        return self.base or self.id


def _merge_list(base: list[dict[str, Any]], override: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = [copy.deepcopy(item) for item in base]
    index = {item.get("key"): i for i, item in enumerate(out)}
    for item in override:
        key = item.get("key")
        if key in index:
            merged = _merge(out[index[key]], item)
            if item.get("remove"):
                out[index[key]] = {}
            else:
                out[index[key]] = merged
        else:
            out.append(copy.deepcopy(item))
    return [item for item in out if item]


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        elif isinstance(value, list) and value and isinstance(value[0], dict) and isinstance(
                out.get(key), list):
            out[key] = _merge_list(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _read(name_or_path: str | Path) -> dict[str, Any]:
    path = Path(name_or_path)
    try:
        if path.suffix == ".toml" and path.exists():
            text = path.read_text(encoding="utf-8")
        else:
            text = resources.files("junheng.standards").joinpath(
                "rules", f"{name_or_path}.toml").read_text(encoding="utf-8")
    except (FileNotFoundError, OSError) as exc:
        raise RulesError(f"rule file not found: {name_or_path}") from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"rule file {name_or_path} is not valid TOML: {exc}") from exc


def _resolve(data: dict[str, Any], depth: int = 0) -> tuple[dict[str, Any], str | None]:
    parent = data.get("extends")
    if parent is None:
        return data, None
    if depth > 5:
        raise RulesError("rule files extend each other too deeply (cycle?)")
    base, root = _resolve(_read(parent), depth + 1)
    merged = _merge(base, {k: v for k, v in data.items() if k != "extends"})
    return merged, root or parent


def load_rules(name_or_path: str | Path = "quality-2017") -> Rules:
    """Load a shipped rule set by id (``basic-2012``) or a rule file by path."""
    data, base = _resolve(_read(name_or_path))
    try:
        indicators = tuple(
            Indicator(
                key=i["key"], name_zh=i["name_zh"], name_en=i["name_en"],
                numerator=i["numerator"], scale=float(i["scale"]), unit=i["unit"],
                unit_en=i.get("unit_en", i["unit"]), split=bool(i["split"]),
                per_stage_column=bool(i.get("per_stage_column", False)),
                standard={k: float(v) for k, v in i.get("standard", {}).items()},
                gap=i.get("gap", "area"),
                deduct_indoor_sports=bool(i.get("deduct_indoor_sports", False)),
                source=i.get("source", ""),
            )
            for i in data["indicators"]
        )
        rules = Rules(
            id=data["id"], version=str(data["version"]), name_zh=data["name_zh"],
            name_en=data["name_en"], document=data["document"], indicators=indicators,
            cv_test=data["cv"]["test"],
            cv_threshold={k: float(v) for k, v in data["cv"]["threshold"].items()},
            scope=data["scope"],
            split_weights={k: float(v) for k, v in data["split"]["weights"].items()},
            school_rule=data.get("school_rule"),
            composite_test=bool(data.get("composite", {}).get("test", False)),
            checks=tuple(data.get("checks", [])),
            raw=data, base=base,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise RulesError(f"rule file {name_or_path} lacks or mistypes {exc}") from exc
    if rules.cv_test not in ("each", "composite"):
        raise RulesError(f"cv.test must be 'each' or 'composite', got {rules.cv_test!r}")
    return rules
