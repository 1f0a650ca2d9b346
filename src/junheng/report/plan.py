"""Plan reports (规划方案): Excel a bureau can hand out, HTML with before/after side by side."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pandas as pd

from junheng.plan.result import PlanResult

_NAMES = {
    "layout": ("学校布局调整方案", "School layout plan"),
    "catchment": ("划片招生方案", "Catchment plan"),
    "rotation": ("教师交流轮岗方案", "Teacher rotation plan"),
}
_STATUS = {"optimal": ("最优", "optimal"), "feasible": ("可行（未证明最优）", "feasible"),
           "infeasible": ("无可行解", "infeasible"), "no_solution": ("未找到解", "no solution")}
_ACTION = {"keep": ("保留", "keep"), "close": ("撤并", "close"), "expand": ("扩建", "expand"),
           "build": ("新建", "build"), "assign": ("划入", "assign"),
           "move": ("交流", "move")}


def _h(lang: str, zh: str, en: str) -> str:
    return en if lang == "en" else zh


def summary_rows(plan: PlanResult, lang: str) -> list[tuple[str, Any]]:
    d = plan.to_dict()
    rows = [
        (_h(lang, "方案", "Plan"), _NAMES.get(plan.planner, (plan.planner, plan.planner))[
            1 if lang == "en" else 0]),
        (_h(lang, "求解状态", "Status"), _STATUS[d["status"]][1 if lang == "en" else 0]),
        (_h(lang, "目标值", "Objective"), d["objective"]),
        (_h(lang, "最优界", "Best bound"), d["bound"]),
        (_h(lang, "相对间隙", "Gap"), d["gap"]),
        (_h(lang, "求解时间(秒)", "Solve seconds"), d["solve_seconds"]),
        (_h(lang, "求解器", "Solver"), d["solver"]),
    ]
    for key in ("counts", "exceptions", "compliance"):
        if key in d:
            rows.append((key, str(d[key])))
    return rows


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
    frame["type"] = frame["type"].map(lambda t: _ACTION.get(t, (t, t))[1 if lang == "en"
                                                                        else 0])
    return frame


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

    name = _NAMES.get(plan.planner, (plan.planner, plan.planner))[1 if lang == "en" else 0]
    summary = pd.DataFrame(summary_rows(plan, lang), columns=[_h(lang, "项目", "Item"),
                                                              _h(lang, "内容", "Value")])
    body = (f"<h1>{html.escape(name)}</h1>"
            f"<h2>{_h(lang, '概要', 'Summary')}</h2>{table(summary)}"
            f"<h2>{_h(lang, '调整前后对比', 'Before and after')}</h2>"
            f"{table(before_after_frame(plan, lang))}"
            f"<h2>{_h(lang, '调整清单', 'Actions')}</h2>{table(actions_frame(plan, lang))}")
    style = ("body{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;max-width:1100px;"
             "margin:auto;font-size:10pt}table.data{border-collapse:collapse;width:100%}"
             "table.data td,table.data th{border:1px solid #ccc;padding:2px 5px}"
             "table.data th{background:#ddebf7}h1,h2{color:#1f4e79}")
    style += "@page{size:A4 landscape;margin:12mm}"
    return (f"<!DOCTYPE html><html lang=\"{'en' if lang == 'en' else 'zh-CN'}\"><head>"
            f"<meta charset=\"utf-8\"><title>{html.escape(name)}</title><style>{style}</style>"
            f"</head><body>{body}</body></html>")
