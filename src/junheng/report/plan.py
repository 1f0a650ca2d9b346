"""Plan reports (规划方案): Excel a bureau can hand out, HTML with before/after side by side."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pandas as pd

from junheng.plan.result import PlanResult
from junheng.report.charts import plan_map_chart

PLAN_NAMES = {
    "layout": ("学校布局调整方案", "School layout plan"),
    "catchment": ("划片招生方案", "Catchment plan"),
    "rotation": ("教师交流轮岗方案", "Teacher rotation plan"),
    "quotas": ("优质高中招生名额分配到校方案", "Quality high-school places allocated to schools"),
    "groups": ("学校联盟（集团、学区、联片教研）组建方案", "School alliances, groups and zones"),
    "budget": ("经费投入方案", "Budget plan"),
}
STATUS_NAMES = {"optimal": ("最优", "optimal"), "feasible": ("可行（未证明最优）", "feasible"),
                "infeasible": ("无可行解", "infeasible"),
                "no_solution": ("未找到解", "no solution")}
ACTION_NAMES = {"keep": ("保留", "keep"), "close": ("撤并", "close"), "expand": ("扩建", "expand"),
                "build": ("新建", "build"), "assign": ("划入", "assign"),
                "move": ("交流", "move"), "quota": ("名额", "quota"), "group": ("组建", "group"),
                "host": ("轮值主持", "host"), "invest": ("投入", "invest")}


def _h(lang: str, zh: str, en: str) -> str:
    return en if lang == "en" else zh


def counts_text(counts: dict[str, int], lang: str) -> str:
    """``{"keep": 7, "close": 16}`` as "保留 7，撤并 16" / "keep 7, close 16"."""
    return (", " if lang == "en" else "，").join(
        f"{ACTION_NAMES.get(k, (k, k))[1 if lang == 'en' else 0]} {v}" for k, v in counts.items())


def summary_rows(plan: PlanResult, lang: str) -> list[tuple[str, Any]]:
    d = plan.to_dict()
    rows = [
        (_h(lang, "方案", "Plan"), PLAN_NAMES.get(plan.planner, (plan.planner, plan.planner))[
            1 if lang == "en" else 0]),
        (_h(lang, "求解状态", "Status"), STATUS_NAMES[d["status"]][1 if lang == "en" else 0]),
        (_h(lang, "目标值", "Objective"), d["objective"]),
        (_h(lang, "最优界", "Best bound"), d["bound"]),
        (_h(lang, "相对间隙", "Gap"), d["gap"]),
        (_h(lang, "求解时间(秒)", "Solve seconds"), d["solve_seconds"]),
        (_h(lang, "求解器", "Solver"), d["solver"]),
    ]
    if "counts" in d:
        rows.append((_h(lang, "调整数量", "Actions"), counts_text(d["counts"], lang)))
    exc = d.get("exceptions")
    if exc and exc.get("villages"):
        rows.append((_h(lang, "超出上学距离的学生", "Pupils beyond the travel limit"),
                     _h(lang, f"{exc['pupils']:,.0f} 人（{len(exc['villages'])} 个村），"
                              "限值内无学校且其年级不允许寄宿",
                        f"{exc['pupils']:,.0f} pupils in {len(exc['villages'])} villages: "
                        "no school within the limit and boarding not allowed")))
    rows += _budget_rows(d, lang)
    cover = d.get("coverage")
    if isinstance(cover, dict) and "share" in cover:
        rows.append((_h(lang, "覆盖率（纳入分组的学校）", "Coverage (schools in a group)"),
                     _h(lang, f"{cover['share']:.0%}（{cover['grouped']}/{cover['eligible']}；"
                              f"目标 ≥ {cover['target']:.0%}）",
                        f"{cover['share']:.0%} ({cover['grouped']}/{cover['eligible']}; "
                        f"target >= {cover['target']:.0%})")))
    for key, value in (d.get("compliance") or {}).items():
        rows.append((_COMPLIANCE.get(key, (key, key))[1 if lang == "en" else 0], value))
    return rows


def _budget_rows(d: dict[str, Any], lang: str) -> list[tuple[str, Any]]:
    """Money, parts lifted, the cost of full compliance and what one more step buys."""
    rows: list[tuple[str, Any]] = []
    money, passing = d.get("budget"), d.get("passing")
    if isinstance(money, dict):
        rows.append((_h(lang, "预算 / 已安排(元)", "Budget / spent (yuan)"),
                     f"{money['budget']:,.0f} / {money['spent']:,.0f}"))
    if isinstance(passing, dict):
        rows.append((_h(lang, "达标学段：投入前 → 投入后（评估重算）",
                        "Parts passing: before -> after (re-evaluated)"),
                     f"{passing.get('before_engine')} → {passing.get('after_engine')} / "
                     f"{passing.get('parts')}"))
    full = d.get("full_compliance")
    if isinstance(full, dict) and full.get("cost") is not None:
        rows.append((_h(lang, "全部可达标学段达标所需经费(元)",
                        "Cost to bring every part that can pass up to standard (yuan)"),
                     _h(lang, f"{full['cost']:,.0f}（{full['passable']} 个学段；另有 "
                              f"{full['cannot_pass']} 个学段受教师等非投入指标所限）",
                        f"{full['cost']:,.0f} ({full['passable']} parts; {full['cannot_pass']}"
                        " more cannot pass by investment alone)")))
    margin = d.get("marginal")
    if isinstance(margin, dict) and margin.get("parts_gained") is not None:
        rows.append((_h(lang, f"再增加 {margin['step']:,.0f} 元的效果",
                        f"What {margin['step']:,.0f} more yuan buys"),
                     _h(lang, f"多达标 {margin['parts_gained']} 个学段，差距指标变化 "
                              f"{margin['proxy_change']:+.4f}",
                        f"{margin['parts_gained']} more parts pass, shortfall proxy "
                        f"{margin['proxy_change']:+.4f}")))
    return rows


_COMPLIANCE = {
    "eligible": ("符合交流条件的教师", "eligible teachers"),
    "moved": ("交流人数", "teachers moved"),
    "share_moved": ("交流比例", "share moved"),
    "min_share": ("最低交流比例", "minimum share"),
    "backbone_moved": ("交流骨干教师", "backbone teachers moved"),
    "backbone_share": ("骨干教师占交流人数比例", "backbone share of movers"),
    "min_backbone_share": ("最低骨干比例", "minimum backbone share"),
    "max_school_outflow_share": ("单校最大流出比例", "largest outflow share of a school"),
    "max_out_share": ("单校流出上限", "outflow limit per school"),
}


_TABLE_TITLES = {  # extra key -> (zh, en) of planner tables shown in the reports
    "utilisation": ("学校学位利用率", "Utilisation of places"),
    "objective_stages": ("分阶段求解", "Lexicographic stages"),
    "table": ("分配表", "Allocation table"),
    "schools": ("分校投入明细", "Investments by school"),
    "items": ("投入项目与单价", "Items and unit costs"),
    "cannot_pass": ("仅靠投入无法达标的学段", "Parts that investment alone cannot lift"),
    "groups": ("分组名单", "Groups"),
    "strength_spread": ("各轮分组强度与覆盖", "Strength spread and coverage per cycle"),
    "strength": ("学校办学实力得分", "School strength scores"),
    "not_eligible": ("未纳入分组的学校", "Schools not eligible for a group"),
    "pinned_exceptions": ("既有分组的例外", "Exceptions of pinned groups"),
    "warnings": ("提示", "Warnings"),
}
_SKIP_TABLES = {"map"}
_HEADERS = {  # Chinese headers of planner tables that bring none of their own
    "group_id": "组号", "cycle": "轮次", "kind": "组织形式", "core_id": "核心校", "core_name":
    "核心校名称", "member_ids": "成员校", "member_names": "成员校名称", "size": "校数",
    "core_strength": "核心校得分", "member_strength_min": "成员校最低得分",
    "mean_strength": "组均得分", "deviation": "偏离全县均值", "max_km": "最远距离(km)",
    "total_km": "总距离(km)", "townships": "乡镇", "school_id": "学校标识码", "name": "学校名称",
    "locale": "城乡分类", "township": "乡镇(街道)", "strength": "办学实力得分",
    "core_candidate": "可任核心校", "role": "角色", "reason": "原因", "text": "内容",
    "groups": "组数", "schools_grouped": "纳入学校数", "mean_strength_min": "组均得分最低",
    "mean_strength_max": "组均得分最高", "range": "极差", "sd": "标准差",
    "county_mean": "全县均值", "evenness": "均衡项", "km_total": "总距离(km)",
    "status": "状态", "objective": "目标值", "bound": "最优界", "gap": "间隙",
    "seconds": "秒", "formulation": "模型", "share": "覆盖率", "coverage_met": "达到覆盖目标",
    "coverage_status": "覆盖率求解状态", "coverage_bound": "覆盖率上界",
    "capacity": "学位", "pupils": "学生", "stage": "学段", "solve_seconds": "秒",
    "solver": "求解器", "nodes": "节点数", "type": "类型", "village_id": "村(社区)",
    "site_id": "校址", "grades": "年级", "teacher_id": "教师编号", "from": "调出学校",
    "to": "调入学校", "subject": "学科", "backbone": "骨干级别", "km": "距离(km)",
    "boarding": "寄宿", "beyond_limit": "超出距离上限", "places": "名额或学位",
    "item": "项目", "quantity": "数量", "unit": "单位", "cost": "金额(元)", "term": "学期",
    "phase": "阶段", "enrolled_before": "调整前在校生", "start_year": "起始学年",
    "end_year": "结束学年", "cohort": "计算人数", "minimum": "保底名额",
    "exact_quota": "精确份额", "weight": "分配权重",
}
_LOCALE = {"urban": "城区", "town": "镇区", "rural": "乡村"}


def _cells_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Lists (member ids, villages) joined with 、 and dicts as text, so that Excel can hold
    them; missing cells stay missing (shown as —)."""
    for col in frame.columns:
        if frame[col].map(lambda v: isinstance(v, list | dict)).any():
            frame[col] = frame[col].map(lambda v: "、".join(map(str, v)) if isinstance(v, list)
                                        else str(v) if isinstance(v, dict) else v)
    return frame


def one_language(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Keep one of a text column and its twin in the other language (``x``/``x_zh``,
    ``x``/``x_en``, or ``zh``/``en``): the one in ``lang``, under the plain name."""
    frame = frame.copy()
    other = "en" if lang == "zh" else "zh"
    if {"zh", "en"} <= set(frame.columns) and "text" not in frame.columns:
        frame = frame.rename(columns={lang: "text"}).drop(columns=other)
    for col in [c for c in frame.columns if c.endswith(f"_{lang}")]:
        base = col[: -len(lang) - 1]
        if base not in frame.columns:  # x_zh and x_en with no plain x
            frame = frame.rename(columns={col: base})
    for col in list(frame.columns):
        if f"{col}_{lang}" in frame.columns:
            frame[col] = frame.pop(f"{col}_{lang}")
        if f"{col}_{other}" in frame.columns:
            frame.pop(f"{col}_{other}")
    return frame


def extra_tables(plan: PlanResult, lang: str) -> list[tuple[str, pd.DataFrame]]:
    """Every planner-specific table of ``plan.extra`` (a list of records) with its title."""
    out = []
    for key, value in plan.extra.items():
        if (key in _SKIP_TABLES or not isinstance(value, list) or not value
                or not all(isinstance(v, dict) for v in value)):
            continue
        title = _TABLE_TITLES.get(key, (key, key))[1 if lang == "en" else 0]
        frame = pd.DataFrame(value)
        frame = one_language(frame, lang)
        if lang == "zh":
            for col in frame.columns:
                if frame[col].map(lambda v: isinstance(v, bool)).all():
                    frame[col] = frame[col].map({True: "是", False: "否"})
            if "locale" in frame:
                frame["locale"] = frame["locale"].map(lambda v: _LOCALE.get(v, v))
        headers = plan.extra.get(f"{key}_columns")  # Chinese headers the planner gives
        if lang == "zh":
            if key == "utilisation":
                headers = {"share": "利用率"}
            frame = frame.rename(columns={**_HEADERS, **(headers if isinstance(headers, dict)
                                                          else {})})
        for col in frame.columns:  # one line per cell: a source note may span lines
            if frame[col].map(lambda v: isinstance(v, str) and "\n" in v).any():
                frame[col] = frame[col].map(lambda v: " ".join(v.split())
                                            if isinstance(v, str) else v)
        out.append((title, _cells_as_text(frame)))
    return out


def travel_frame(plan: PlanResult, lang: str) -> pd.DataFrame:
    """Travel statistics (mean, 95th percentile, max km, pupils boarding) before/after."""
    travel = plan.extra.get("travel") or {}
    rows = []
    for when, label in (("before", _h(lang, "调整前", "before")),
                        ("after", _h(lang, "调整后", "after"))):
        for stage, st in (travel.get(when) or {}).items():
            rows.append({_h(lang, "时点", "When"): label,
                         _h(lang, "学段", "Stage"): {"all": _h(lang, "全部", "all"),
                                                    "primary": _h(lang, "小学", "primary"),
                                                    "junior": _h(lang, "初中", "junior")
                                                    }.get(stage, stage),
                         _h(lang, "平均(km)", "Mean km"): st.get("mean_km"),
                         _h(lang, "95%分位(km)", "95th pct km"): st.get("p95_km"),
                         _h(lang, "最远(km)", "Max km"): st.get("max_km"),
                         _h(lang, "寄宿学生", "Pupils boarding"): st.get("pupils_boarding")})
    return pd.DataFrame(rows)


def before_after_frame(plan: PlanResult, lang: str) -> pd.DataFrame:
    """Coefficients and failing schools before and after, side by side."""
    rows = []
    if not plan.before or not plan.after:
        return pd.DataFrame(rows)
    for stage, before in plan.before["stages"].items():
        after = plan.after["stages"].get(stage, {})
        for key, cv in before["cv"].items():
            rows.append({_h(lang, "学段", "Stage"): stage, _h(lang, "指标", "Indicator"): key,
                         _h(lang, "调整前", "Before"): cv,
                         _h(lang, "调整后", "After"): after.get("cv", {}).get(key)})
        rows.append({_h(lang, "学段", "Stage"): stage,
                     _h(lang, "指标", "Indicator"): _h(lang, "未达标学校数", "failing schools"),
                     _h(lang, "调整前", "Before"): len(before["failing_schools"]),
                     _h(lang, "调整后", "After"): len(after.get("failing_schools", []))})
    return pd.DataFrame(rows)


def actions_frame(plan: PlanResult, lang: str) -> pd.DataFrame:
    frame = pd.DataFrame(plan.actions)
    if frame.empty:
        return frame
    frame = _cells_as_text(one_language(frame, lang))
    frame["type"] = frame["type"].map(lambda t: ACTION_NAMES.get(t, (t, t))[1 if lang == "en"
                                                                        else 0])
    return frame.rename(columns=_HEADERS) if lang == "zh" else frame


def write_plan_xlsx(plan: PlanResult, path: str | Path, lang: str = "zh") -> Path:
    """One sheet for the summary, one for the actions, one for before/after."""
    path = Path(path)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame(summary_rows(plan, lang), columns=[_h(lang, "项目", "Item"),
                                                        _h(lang, "内容", "Value")]).to_excel(
            writer, sheet_name=_h(lang, "概要", "Summary"), index=False)
        frame = actions_frame(plan, lang)
        frame.to_excel(writer, sheet_name=_h(lang, "调整清单", "Actions"), index=False)
        before_after_frame(plan, lang).to_excel(
            writer, sheet_name=_h(lang, "调整前后", "Before-after"), index=False)
        if plan.extra.get("travel"):
            travel_frame(plan, lang).to_excel(
                writer, sheet_name=_h(lang, "上学距离", "Travel"), index=False)
        for title, frame in extra_tables(plan, lang):
            frame.to_excel(writer, sheet_name=title[:31], index=False)
        for ws in writer.sheets.values():
            ws.freeze_panes = "A2"
            if ws.max_row > 1:
                ws.auto_filter.ref = ws.dimensions
            for col in ws.columns:
                ws.column_dimensions[col[0].column_letter].width = 16
    return path


def write_plan_pdf(plan: PlanResult, path: str | Path, lang: str = "zh") -> Path:
    """The plan page as an A4 PDF (WeasyPrint, Chinese fonts embedded)."""
    from junheng.report.pdf import PdfUnavailable

    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:
        raise PdfUnavailable(str(exc)) from exc
    path = Path(path)
    HTML(string=render_plan_html(plan, lang)).write_pdf(path)
    return path


def write_plan_html(plan: PlanResult, path: str | Path, lang: str = "zh") -> Path:
    """Write the plan page (see :func:`render_plan_html`)."""
    path = Path(path)
    path.write_text(render_plan_html(plan, lang), encoding="utf-8")
    return path


def render_plan_html(plan: PlanResult, lang: str = "zh") -> str:
    """A short, self-contained HTML page: summary, before/after, actions."""
    def table(frame: pd.DataFrame) -> str:
        if frame.empty:
            return "<p>—</p>"
        return frame.to_html(index=False, na_rep="—", float_format=lambda x: f"{x:,.3f}",
                             border=0, classes="data")

    name = PLAN_NAMES.get(plan.planner, (plan.planner, plan.planner))[1 if lang == "en" else 0]
    summary = pd.DataFrame(summary_rows(plan, lang), columns=[_h(lang, "项目", "Item"),
                                                              _h(lang, "内容", "Value")])
    map_svg = plan_map_chart(plan.extra["map"], lang) if plan.extra.get("map") else None
    map_html = (f"<h2>{_h(lang, '布局示意图：调整前后', 'Map: before and after')}</h2>"
                f"<div class=\"map\">{map_svg}</div>") if map_svg else ""
    body = (f"<h1>{html.escape(name)}</h1>"
            f"<h2>{_h(lang, '概要', 'Summary')}</h2>{table(summary)}{map_html}"
            + (f"<h2>{_h(lang, '上学距离', 'Travel')}</h2>{table(travel_frame(plan, lang))}"
               if plan.extra.get("travel") else "")
            + "".join(f"<h2>{html.escape(title)}</h2>{table(frame)}"
                      for title, frame in extra_tables(plan, lang)) +
            f"<h2>{_h(lang, '调整前后对比', 'Before and after')}</h2>"
            f"{table(before_after_frame(plan, lang))}"
            f"<h2>{_h(lang, '调整清单', 'Actions')}</h2>{table(actions_frame(plan, lang))}")
    style = ("body{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;max-width:1100px;"
             "margin:auto;font-size:10pt}table.data{border-collapse:collapse;width:100%}"
             "table.data td,table.data th{border:1px solid #ccc;padding:2px 5px;"
             "font-size:8pt}"
             "table.data th{background:#ddebf7}h1,h2{color:#1f4e79}"
             ".map svg{max-width:100%;height:auto}")
    style += "@page{size:A4 landscape;margin:12mm}"
    return (f"<!DOCTYPE html><html lang=\"{'en' if lang == 'en' else 'zh-CN'}\"><head>"
            f"<meta charset=\"utf-8\"><title>{html.escape(name)}</title><style>{style}</style>"
            f"</head><body>{body}</body></html>")
