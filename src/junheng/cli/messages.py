"""Messages of the command line itself (Chinese default, English with --lang en)."""

from __future__ import annotations

from typing import Any

from junheng.i18n import render

CLI_MESSAGES: dict[str, tuple[str, str]] = {
    "need_xlsx": ("模板文件名应以 .xlsx 结尾", "the template file name must end in .xlsx"),
    "template_written": ("已生成填报模板：{path}", "Template written: {path}"),
    "step_synth": ("生成模拟县域（{profile}，种子 {seed}）", "Synthesising a {profile} county "
                   "(seed {seed})"),
    "step_write": ("写入 {path}", "Writing {path}"),
    "step_validate": ("校验 {path}", "Validating {path}"),
    "synth_written": ("已生成模拟县域：{path}（{schools} 所学校，{teachers} 名教师）",
                      "Synthetic county written: {path} ({schools} schools, {teachers} "
                      "teachers)"),
    "report_written": ("问题清单已保存：{path}", "Problem list written: {path}"),
    "not_yet": ("命令 {command} 尚未实现（见 issue #{issue}）。",
                "The command '{command}' is not available yet (see issue #{issue})."),
    "demo_title": ("junheng 示例：模拟县域 {name}（{profile}，种子 {seed}）",
                   "junheng demo: synthetic county {name} ({profile}, seed {seed})"),
    "demo_schools": ("学校 {schools} 所（{by_type}）；在校生 {pupils} 人（小学 {primary}，初中 "
                     "{junior}）；专任教师 {teachers} 人；村(社区) {villages} 个。",
                     "{schools} schools ({by_type}); {pupils} pupils ({primary} primary, "
                     "{junior} junior); {teachers} full-time teachers; {villages} villages."),
    "demo_validation": ("数据校验：{errors} 个错误，{warnings} 个警告。",
                        "Validation: {errors} errors, {warnings} warnings."),
    "demo_workbook": ("普查工作簿：{path}", "Census workbook: {path}"),
    "bad_format": ("不支持的格式：{formats}（可选 {allowed}）", "unsupported format: {formats} "
                   "(choose from {allowed})"),
    "step_evaluate": ("评估（{standard}，{year} 学年）", "Evaluating ({standard}, {year})"),
    "step_report": ("写出 {path}", "Writing {path}"),
    "eval_summary": ("{county} {year} 学年 · {standard}：{verdict}",
                     "{county} {year} · {standard}: {verdict}"),
    "eval_stage": ("  {stage}：纳入测算 {n} 所；{cv_text}；学校达标 {schools}",
                   "  {stage}: {n} schools in scope; {cv_text}; schools pass: {schools}"),
    "eval_written": ("结果已写出：{path}", "Written: {path}"),
    "verdict_pass": ("通过", "PASS"),
    "verdict_fail": ("未通过", "FAIL"),
    "verdict_na": ("尚不能判定（部分项目缺少数据）", "undetermined (some items lack data)"),
    "invalid_input": ("输入数据有误，未评估：", "Invalid input, nothing evaluated:"),
    "rules_error": ("规则文件有误：{error}", "Rule file error: {error}"),
    "pdf_unavailable": ("未生成 PDF：缺少 WeasyPrint 所需的系统库或中文字体（Debian/Ubuntu："
                        "apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk）。"
                        "{detail}",
                        "PDF skipped: WeasyPrint's system libraries or a CJK font are missing "
                        "(Debian/Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0 "
                        "fonts-noto-cjk). {detail}"),
    "demo_report": ("主报告（HTML）：{path}", "Main report (HTML): {path}"),
    "bad_param": ("参数应写成 键=值：{item}", "a parameter must be KEY=VALUE: {item}"),
    "unknown_param": ("规划 {planner} 没有参数 {names}；可用参数：{known}",
                      "planner {planner} has no parameter {names}; known: {known}"),
    "missing_param": ("规划 {planner} 必须给出参数 {names}（--param {names}=…）",
                      "planner {planner} needs the parameter {names} (--param {names}=...)"),
    "step_plan": ("求解 {planner}（时限 {seconds:g} 秒）",
                  "Solving {planner} (limit {seconds:g} s)"),
    "infeasible": ("无可行方案：{reasons}", "No feasible plan: {reasons}"),
    "plan_summary": ("{planner}：{status}，目标值 {objective:,.1f}，间隙 {gap:.2f}%，"
                     "用时 {seconds} 秒",
                     "{planner}: {status}, objective {objective:,.1f}, gap {gap:.2f} %, "
                     "{seconds} s"),
    "step_plans": ("规划求解（布局调整、划片、交流轮岗、联盟组建、经费投入、名额分配）",
                   "Planning (layout, catchment, rotation, groups, budget, quotas)"),
    "demo_plan": ("规划 {planner}：{status}（间隙 {gap:.2f}%）{counts} → {path}",
                  "Plan {planner}: {status} (gap {gap:.2f} %) {counts} -> {path}"),
    "demo_plan_infeasible": ("规划 {planner}：无可行方案：{reasons}",
                             "Plan {planner}: infeasible: {reasons}"),
    "demo_rotation": ("交流 {moved} 人，教师指标未达标学段 {before} → {after}",
                      "{moved} teachers move; parts missing a teacher standard {before} -> "
                      "{after}"),
    "demo_quotas": ("{total} 个名额中 {places} 个分配到 {schools} 所初中"
                    "（每百名毕业生：农村 {rural}，其他 {other}）",
                    "{places} of {total} places allocated to {schools} junior schools (per 100 "
                    "graduates: rural {rural}, other {other})"),
    "demo_budget": ("安排经费 {spent:,.0f} 元，达标学段 {before} → {after}（共 {parts}）",
                    "{spent:,.0f} yuan invested; parts passing {before} -> {after} of {parts}"),
    "demo_groups": ("组建 {groups} 个联盟，覆盖 {share:.0%} 的学校",
                    "{groups} alliances formed, covering {share:.0%} of schools"),
    "demo_failed": ("示例数据未通过校验，见上文。", "The demo data failed validation; see above."),
}


def say(code: str, lang: str = "zh", **params: Any) -> str:
    """Render a CLI message."""
    return render(CLI_MESSAGES, code, lang, **params)
