"""Diagnostics (诊断): who drives inequality, urban-rural decomposition, weak schools,
trends over the years and the large-class ledger (大班额台账).

Not part of the official verdict; they tell a bureau where to act.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from junheng.data.census import Census
from junheng.evaluate.metrics import theil_decomposition, weighted_gini
from junheng.evaluate.resource import StageResult, indicator_values
from junheng.standards.loader import Rules


def inequality(parts: pd.DataFrame, rules: Rules) -> dict[str, Any]:
    """Per stage and indicator: pupil-weighted Gini and Theil with the locale split."""
    out: dict[str, Any] = {}
    for stage, sub in parts.groupby("stage") if not parts.empty else []:
        stage_out: dict[str, Any] = {}
        for ind in rules.indicators:
            x = indicator_values(sub, ind)
            known = x.notna().to_numpy()
            if not known.any():
                continue
            xs, ps = x[known].to_numpy(float), sub["students"].to_numpy(float)[known]
            theil = theil_decomposition(xs, ps, sub["locale"].to_numpy()[known])
            stage_out[ind.key] = {
                "gini": weighted_gini(xs, ps),
                "theil": None if theil is None else {
                    "total": theil.total, "between_locale": theil.between,
                    "within_locale": theil.within,
                    "between_share": theil.between / theil.total if theil.total > 0 else None,
                    "groups": theil.groups,
                },
            }
        out[str(stage)] = stage_out
    return out


def weak_schools(stage: StageResult, limit: int = 20) -> list[dict[str, Any]]:
    """School parts ranked weakest first: fewest standards met, then largest mean shortfall."""
    ranked = []
    for s in stage.schools:
        ratios = [r for r in s.ratios.values() if r is not None]
        if not ratios:
            continue
        shortfall = float(np.mean([max(0.0, 1.0 - r) for r in ratios]))
        failing = [k for k, ok in s.meets.items() if ok is False]
        ranked.append({"school_id": s.school_id, "name": s.name, "met": s.met,
                       "shortfall": round(shortfall, 4), "failing": failing,
                       "gaps": {k: s.gaps[k] for k in failing}})
    ranked.sort(key=lambda r: (r["met"], -r["shortfall"]))
    return [r for r in ranked if r["failing"]][:limit]


def cv_drivers(stage: StageResult, top: int = 3) -> dict[str, list[dict[str, Any]]]:
    """For each indicator, the schools with the largest share of the coefficient."""
    out: dict[str, list[dict[str, Any]]] = {}
    for key in stage.indicators:
        shares = [(s.cv_share.get(key, 0.0), s) for s in stage.schools]
        shares.sort(key=lambda t: -t[0])
        out[key] = [{"school_id": s.school_id, "name": s.name, "share": round(v, 4)}
                    for v, s in shares[:top] if v > 0]
    return out


def large_class_ledger(census: Census, large: int, super_large: int) -> list[dict[str, Any]]:
    """Per school and year: classes ≥ ``large`` (大班额, 56) and ≥ ``super_large`` (超大班额, 66).

    Bands from the rule file's ``[classes]`` (standards.md §3).

    A school whose large classes of an earlier year are gone is marked
    ``struck_off`` (销号) in the first year it has none.
    """
    classes = census["classes"]
    if classes.empty:
        return []
    names = dict(zip(census["schools"]["school_id"], census["schools"]["name"], strict=True))
    grouped = classes.groupby(["school_id", "year"])["size"]
    counts = pd.DataFrame({"large": grouped.apply(lambda s: int((s >= large).sum())),
                           "super_large": grouped.apply(lambda s: int((s >= super_large).sum())),
                           "max_size": grouped.max()}).reset_index()
    ledger = []
    for sid, rows in counts.sort_values("year").groupby("school_id"):
        had = False
        for rec in rows.to_dict("records"):
            entry = {"school_id": sid, "name": names.get(sid, sid), "year": int(rec["year"]),
                     "large": int(rec["large"]), "super_large": int(rec["super_large"]),
                     "max_size": int(rec["max_size"]), "struck_off": False}
            if rec["large"] > 0:
                had = True
                ledger.append(entry)
            elif had:
                entry["struck_off"] = True
                ledger.append(entry)
                had = False
    return ledger
