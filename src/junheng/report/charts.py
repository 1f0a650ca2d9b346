"""Charts of an evaluation as inline SVG (图表), drawn with matplotlib.

Static SVG works the same in a browser, in WeasyPrint's PDF and on a
government intranet with no internet: no JavaScript, no CDN, no tile
server. Text stays text (``svg.fonttype = none``) so the reader's Chinese
font renders it and it can be searched and copied.
"""

from __future__ import annotations

import io
import math
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np

from junheng.evaluate import Evaluation
from junheng.evaluate.metrics import lorenz_curve
from junheng.evaluate.resource import StageResult
from junheng.evaluate.texts import stage_name

PASS, FAIL, UNKNOWN, OUT, LINE = "#2e7d32", "#c62828", "#9e9e9e", "#bdbdbd", "#1f4e79"
CJK_FONTS = ["Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "SimHei",
             "WenQuanYi Micro Hei", "DejaVu Sans"]

_STYLE = {
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.sans-serif": CJK_FONTS,
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.unicode_minus": False,
    "svg.hashsalt": "junheng",  # stable element ids: same input, same SVG
}


def _svg(fig: Any) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg"):]  # drop the XML prolog to inline it in HTML


def _h(lang: str, zh: str, en: str) -> str:
    return en if lang == "en" else zh


def coefficient_chart(ev: Evaluation, stage: str, lang: str) -> str:
    """Each indicator's difference coefficient against its threshold (bar + line)."""
    st = ev.stages[stage]
    keys = list(st.indicators)
    labels = [ev.rules.indicator(k).name(lang) for k in keys]
    values = [st.indicators[k].cv or 0.0 for k in keys]
    limit = ev.rules.cv_threshold.get(stage)
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(7.0, 0.42 * len(keys) + 1.0))
        colors = [FAIL if limit is not None and ev.rules.cv_test == "each" and v > limit
                  else LINE for v in values]
        y = np.arange(len(keys))
        ax.barh(y, values, color=colors, height=0.6)
        for yi, v, k in zip(y, values, keys, strict=True):
            shown = "—" if st.indicators[k].cv is None else f"{v:.3f}"
            ax.text(v, yi, f" {shown}", va="center", fontsize=8)
        if limit is not None:
            ax.axvline(limit, color=FAIL, linestyle="--", linewidth=1)
            word = _h(lang, "上限", "threshold") if ev.rules.cv_test == "each" else _h(
                lang, "综合系数上限", "composite threshold")
            ax.text(limit, len(keys) - 0.4, f" {word} {limit:.2f}", color=FAIL, fontsize=8)
        ax.set_yticks(y, labels)
        ax.invert_yaxis()
        ax.set_xlabel(_h(lang, "差异系数", "difference coefficient"))
        ax.set_title(_h(lang, f"{stage_name(stage, lang)}：各指标校际差异系数",
                        f"{stage_name(stage, lang).capitalize()}: coefficient per indicator"))
        ax.set_xlim(0, max([*values, limit or 0]) * 1.25 + 1e-9)
        return _svg(fig)


def school_values_chart(ev: Evaluation, stage: str, key: str, lang: str) -> str:
    """Every school part's value of one indicator against the standard line."""
    st = ev.stages[stage]
    spec = ev.rules.indicator(key)
    rows = sorted(((s.values.get(key), s) for s in st.schools if s.values.get(key) is not None),
                  key=lambda t: t[0])
    standard = spec.standard.get(stage)
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(7.0, 2.4))
        x = np.arange(len(rows))
        vals = [v for v, _ in rows]
        colors = [UNKNOWN if standard is None else (PASS if v >= standard else FAIL)
                  for v in vals]
        ax.bar(x, vals, color=colors, width=0.8)
        if standard is not None:
            ax.axhline(standard, color=LINE, linestyle="--", linewidth=1)
            ax.text(len(rows) - 0.5 if rows else 0, standard,
                    f"{_h(lang, '标准', 'standard')} {standard:g}", color=LINE,
                    ha="right", va="bottom", fontsize=8)
        mean = st.indicators[key].mean
        if mean is not None and math.isfinite(mean):
            ax.axhline(mean, color=UNKNOWN, linestyle=":", linewidth=1)
        ax.set_xticks([])
        ax.set_xlabel(_h(lang, f"学校（按数值排序，共 {len(rows)} 所）",
                         f"schools, sorted ({len(rows)})"))
        unit = spec.unit if lang == "zh" else spec.unit_en
        ax.set_ylabel(unit)
        ax.set_title(f"{stage_name(stage, lang)} · {spec.name(lang)}", fontsize=9)
        return _svg(fig)


def lorenz_chart(ev: Evaluation, stage: str, lang: str) -> str:
    """Lorenz curves (pupil share vs resource share) of every indicator of a stage."""
    st = ev.stages[stage]
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(5.2, 4.4))
        ax.plot([0, 1], [0, 1], color=UNKNOWN, linewidth=1, linestyle="--",
                label=_h(lang, "完全均衡", "perfect equality"))
        cmap = plt.get_cmap("tab10")
        for i, key in enumerate(st.indicators):
            pairs = [(s.values[key], s.students) for s in st.schools
                     if s.values.get(key) is not None]
            if len(pairs) < 2:
                continue
            cp, cr = lorenz_curve([p[0] for p in pairs], [p[1] for p in pairs])
            ax.plot(cp, cr, color=cmap(i % 10), linewidth=1.3,
                    label=ev.rules.indicator(key).name(lang))
        ax.set_xlabel(_h(lang, "学生累计占比", "cumulative share of pupils"))
        ax.set_ylabel(_h(lang, "资源累计占比", "cumulative share of resources"))
        ax.set_title(_h(lang, f"{stage_name(stage, lang)}：洛伦兹曲线",
                        f"{stage_name(stage, lang).capitalize()}: Lorenz curves"))
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.legend(fontsize=6.5, loc="upper left", frameon=False)
        return _svg(fig)


def _status(ev: Evaluation) -> dict[str, bool | None]:
    """Per school: False if any part fails, True if all parts pass, None otherwise."""
    status: dict[str, bool | None] = {}
    for st in ev.stages.values():
        for s in st.schools:
            prev = status.get(s.school_id, True)
            if prev is False or s.passes is False:
                status[s.school_id] = False
            elif prev is None or s.passes is None:
                status[s.school_id] = None
            else:
                status[s.school_id] = True
    return status


def school_map(ev: Evaluation, lang: str) -> str | None:
    """The schools on their coordinates, coloured by pass/fail; no tiles, equal-area aspect."""
    points = [p for p in ev.school_locations if p["lon"] is not None and p["lat"] is not None]
    if len(points) < 2:
        return None
    status = _status(ev)
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(6.8, 6.0))
        groups = (
            (_h(lang, "达标", "passes"), PASS, "o", lambda s: status.get(s) is True),
            (_h(lang, "未达标", "fails"), FAIL, "o", lambda s: status.get(s) is False),
            (_h(lang, "数据不全", "not assessed"), UNKNOWN, "s", lambda s: s in status and
             status[s] is None),
            (_h(lang, "不在测算范围", "out of scope"), OUT, "x", lambda s: s not in status),
        )
        for label, color, marker, test in groups:
            sel = [p for p in points if test(p["school_id"])]
            if not sel:
                continue
            size = [40 if p["type"] != "teaching_point" else 16 for p in sel]
            ax.scatter([p["lon"] for p in sel], [p["lat"] for p in sel], s=size, c=color,
                       marker=marker, label=f"{label}（{len(sel)}）" if lang == "zh" else
                       f"{label} ({len(sel)})", linewidths=0.8, alpha=0.9)
        mean_lat = float(np.mean([p["lat"] for p in points]))
        ax.set_aspect(1.0 / max(math.cos(math.radians(mean_lat)), 0.1))
        ax.set_xlabel(_h(lang, "经度", "longitude"))
        ax.set_ylabel(_h(lang, "纬度", "latitude"))
        ax.set_title(_h(lang, "学校分布与达标情况", "Schools and whether they pass"))
        ax.legend(fontsize=7, loc="best", frameon=True)
        ax.grid(alpha=0.2)
        return _svg(fig)


def stage_has_schools(st: StageResult) -> bool:
    return st.schools_evaluated > 0


_FATE_STYLE = {  # fate -> (colour, marker, zh, en)
    "keep": (PASS, "o", "保留", "kept"),
    "expand": ("#1565c0", "s", "扩建", "expanded"),
    "build": ("#6a1b9a", "*", "新建", "built"),
    "close": (FAIL, "x", "撤并", "closed"),
}


def plan_map_chart(data: dict[str, Any], lang: str) -> str | None:
    """Before/after map of a layout or catchment plan (布局调整前后示意图), side by side.

    Villages are dots sized by pupils, a thin line joins each village to its
    school (primary solid, junior dashed); schools are marked by their fate in
    the plan. Equirectangular with the aspect corrected at the mean latitude;
    no tiles, so it prints and works offline.
    """
    schools, villages = data.get("schools") or [], data.get("villages") or []
    if len(schools) < 2 or not villages:
        return None
    where = {s["id"]: (s["lon"], s["lat"]) for s in schools}
    where_v = {v["id"]: (v["lon"], v["lat"]) for v in villages}
    first = {"status_quo": _h(lang, "调整前（就近入读现有学校）",
                              "Before (nearest existing school)"),
             "nearest": _h(lang, "就近划片（不计学位）", "Nearest school (places ignored)")}.get(
        data.get("before", "status_quo"), _h(lang, "调整前", "Before"))
    panels = [(first, "before"), (_h(lang, "调整后（本方案）", "After (this plan)"), "after")]
    lats = [s["lat"] for s in schools] + [v["lat"] for v in villages]
    aspect = 1.0 / max(math.cos(math.radians(float(np.mean(lats)))), 0.1)
    sizes = np.array([v["pupils"] for v in villages], dtype=float)
    dot = 4 + 40 * np.sqrt(sizes / max(sizes.max(), 1.0))
    with plt.rc_context(_STYLE):
        fig, axes = plt.subplots(1, 2, figsize=(10.5, 5.4), sharex=True, sharey=True)
        for ax, (title, key) in zip(axes, panels, strict=True):
            from matplotlib.collections import LineCollection

            for stage, style in (("primary", "-"), ("junior", "--")):
                segs = [(where_v[v], where[d]) for v, st, d, _ in data["links"].get(key, [])
                        if st == stage and v in where_v and d in where]
                if segs:
                    ax.add_collection(LineCollection(segs, colors=LINE if stage == "junior"
                                                     else UNKNOWN, linewidths=0.5,
                                                     linestyles=style, alpha=0.6))
            ax.scatter([v["lon"] for v in villages], [v["lat"] for v in villages], s=dot,
                       c="#ffb300", alpha=0.55, linewidths=0,
                       label=_h(lang, "村(社区)，按学生数", "villages, by pupils"))
            for fate, (color, marker, zh, en) in _FATE_STYLE.items():
                if key == "before":
                    sel = [s for s in schools if s["existing"]] if fate == "keep" else []
                    label = _h(lang, "现有学校", "existing schools")
                else:
                    sel = [s for s in schools if s["fate"] == fate]
                    label = _h(lang, zh, en)
                if not sel:
                    continue
                ax.scatter([s["lon"] for s in sel], [s["lat"] for s in sel],
                           s=[14 if s.get("type") == "teaching_point" else 34 for s in sel],
                           c=color, marker=marker, linewidths=1.0, zorder=3,
                           label=f"{label}（{len(sel)}）" if lang == "zh" else
                           f"{label} ({len(sel)})")
            ax.set_aspect(aspect)
            ax.set_title(title, fontsize=9)
            ax.grid(alpha=0.2)
            ax.legend(fontsize=6.5, loc="best", frameon=True)
            ax.set_xlabel(_h(lang, "经度", "longitude"))
        axes[0].set_ylabel(_h(lang, "纬度", "latitude"))
        axes[0].autoscale_view()
        return _svg(fig)
