"""``junheng demo``: the whole pipeline on a synthetic county, end to end."""

from __future__ import annotations

from pathlib import Path

import click

from junheng.cli.messages import say
from junheng.cli.progress import Steps
from junheng.data.schema import SCHOOL_TYPE

# Demo settings of the planners: the synthetic mountain county's teaching points are tiny,
# so expansions up to 3x their places are allowed, and the layout consolidates to 80 % of
# the current number of schools; the catchment allows 50 % over design capacity (the county
# seat is over-full today). Short solver limits keep the demo under a minute.
DEMO_LAYOUT = {"expansion_share": 3.0, "school_share": 0.8}
DEMO_CATCHMENT = {"capacity_slack": 1.5}
DEMO_SOLVER = {"time_limit": 20.0, "mip_gap": 0.01}
# The demo's elite high school takes about 30 % of the county's junior graduates
# (graduates ≈ junior pupils / 3); a county passes its own enrolment plan as total_places.
DEMO_QUOTA_SHARE_OF_GRADUATES = 0.3


def run_plans(census, out: Path, lang: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Run the built planners with the demo settings; return one summary line each."""
    from junheng.plan import PLANNERS, planner
    from junheng.plan.catchment import CatchmentParameters
    from junheng.plan.layout import LayoutParameters, build_problem
    from junheng.plan.quotas import QuotaParameters
    from junheng.plan.solver import InfeasibleError, SolveOptions
    from junheng.report.plan import (
        PLAN_NAMES,
        STATUS_NAMES,
        counts_text,
        write_plan_html,
        write_plan_xlsx,
    )

    options = SolveOptions(**DEMO_SOLVER)
    year = max(census.years)
    n_schools = int((build_problem(census, LayoutParameters(), year).dests["kind"]
                     == "school").sum())
    layout = LayoutParameters(expansion_share=DEMO_LAYOUT["expansion_share"],
                              max_schools=max(1, round(DEMO_LAYOUT["school_share"] * n_schools)))
    years = census["school_years"]
    graduates = float(years.loc[years["year"] == year, "students_junior"].sum()) / 3
    quotas = QuotaParameters(total_places=max(1, round(DEMO_QUOTA_SHARE_OF_GRADUATES
                                                       * graduates)))
    settings = {"layout": layout, "catchment": CatchmentParameters(**DEMO_CATCHMENT),
                "quotas": quotas}  # the others with their defaults
    lines = []
    for name in PLANNERS:
        cls, solve = planner(name)
        params = settings.get(name) or cls()
        folder = out / "plans" / name
        try:
            plan = solve(census, params, options=options)
        except InfeasibleError as exc:
            lines.append(say("demo_plan_infeasible", lang, planner=name,
                             reasons=exc.message(lang)))
            continue
        folder.mkdir(parents=True, exist_ok=True)
        plan.write_json(folder / "plan.json")
        write_plan_xlsx(plan, folder / "plan.xlsx", lang)
        write_plan_html(plan, folder / "plan.html", lang)
        d = plan.to_dict()
        idx = 1 if lang == "en" else 0
        counts = counts_text(d.get("counts", {}), lang)
        if name == "quotas":
            summary = d["summary"]
            counts = say("demo_quotas", lang, places=d["parameters"]["places"],
                         total=d["parameters"]["total_places"], schools=len(plan.actions),
                         rural=summary.get("rural_places_per_100"),
                         other=summary.get("other_places_per_100"))
        if name == "budget":
            counts = say("demo_budget", lang, spent=d["budget"]["spent"],
                         before=d["passing"]["before_engine"],
                         after=d["passing"]["after_engine"], parts=d["passing"]["parts"])
        if name == "groups":
            cov = d.get("coverage") or {}
            counts = say("demo_groups", lang, groups=sum(a["type"] == "group" and
                                                          a.get("cycle", 1) == 1
                                                          for a in plan.actions),
                         share=cov.get("share") or 0.0)
        if "teacher_standard_failures" in d:
            fails = d["teacher_standard_failures"]
            counts = say("demo_rotation", lang, moved=d["compliance"]["moved"],
                         before=fails["before"], after=fails["after"])
        lines.append(say("demo_plan", lang, planner=PLAN_NAMES[name][idx],
                         status=STATUS_NAMES[d["status"]][idx],
                         gap=(d["gap"] or 0.0) * 100, counts=counts,
                         path=(folder / "plan.html").resolve()))
    return lines


def run_demo(out: Path, profile: str, seed: int, lang: str) -> int:
    """Synthesise, validate, evaluate under both standards, run the planners."""
    from junheng.cli.run import print_evaluation, write_evaluation
    from junheng.data.census import Census
    from junheng.data.io import write_workbook
    from junheng.data.synth import synthesize
    from junheng.data.validate import validate_workbook
    from junheng.evaluate import evaluate
    from junheng.standards import STANDARDS

    out.mkdir(parents=True, exist_ok=True)
    workbook = out / "county.xlsx"
    plan_lines: list[str] = []
    with Steps(4 + len(STANDARDS), lang) as steps:
        steps.next(say("step_synth", lang, profile=profile, seed=seed))
        tables = synthesize(profile, seed)
        steps.next(say("step_write", lang, path=workbook))
        write_workbook(tables, workbook, lang=lang)
        steps.next(say("step_validate", lang, path=workbook))
        report = validate_workbook(workbook)
        evaluations = {}
        if report.ok:
            census = Census(report.tables, workbook, report)
            for standard in STANDARDS:
                steps.next(say("step_evaluate", lang, standard=standard,
                               year=max(census.years)))
                ev = evaluate(census, standard, lang=lang)
                evaluations[standard] = (ev, write_evaluation(
                    ev, out / standard, ["json", "xlsx", "html", "pdf"], lang))
            steps.next(say("step_plans", lang))
            plan_lines = run_plans(census, out, lang)
    if not report.ok:
        click.echo(report.to_text(lang))
        click.echo(say("demo_failed", lang), err=True)
        return 1
    schools = report.tables["schools"]
    years = report.tables["school_years"]
    latest = years[years["year"] == years["year"].max()]
    counts = schools["type"].value_counts()
    sep = "，" if lang == "zh" else ", "
    by_type = sep.join(
        f"{SCHOOL_TYPE.label(t) if lang == 'zh' else t} {n}" for t, n in counts.items()
    )
    primary = int(latest["students_primary"].sum())
    junior = int(latest["students_junior"].sum())
    click.echo(say("demo_title", lang, name=schools["county_name"].iloc[0], profile=profile,
                   seed=seed))
    click.echo(say("demo_schools", lang, schools=len(schools), by_type=by_type,
                   pupils=primary + junior, primary=primary, junior=junior,
                   teachers=len(report.tables["teachers"]),
                   villages=len(report.tables["villages"])))
    click.echo(say("demo_validation", lang, errors=len(report.errors),
                   warnings=len(report.warnings)))
    click.echo(say("demo_workbook", lang, path=workbook.resolve()))
    for ev, written in evaluations.values():
        click.echo("")
        print_evaluation(ev, lang)
        for path in written.values():
            click.echo(say("eval_written", lang, path=path.resolve()))
    click.echo("")
    for line in plan_lines:
        click.echo(line)
    main = evaluations["quality-2017"][1]["html"]
    click.echo("")
    click.echo(say("demo_report", lang, path=main.resolve()))
    return 0
