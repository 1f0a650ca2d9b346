"""``junheng demo``: the whole pipeline on a synthetic county, end to end."""

from __future__ import annotations

from pathlib import Path

import click

from junheng.cli.messages import say
from junheng.cli.progress import Steps
from junheng.data.schema import SCHOOL_TYPE


def run_demo(out: Path, profile: str, seed: int, lang: str) -> int:
    """Synthesise, validate and evaluate under both standards; return the exit code."""
    from junheng.cli.run import print_evaluation, write_evaluation
    from junheng.data.census import Census
    from junheng.data.io import write_workbook
    from junheng.data.synth import synthesize
    from junheng.data.validate import validate_workbook
    from junheng.evaluate import evaluate
    from junheng.standards import STANDARDS

    out.mkdir(parents=True, exist_ok=True)
    workbook = out / "county.xlsx"
    with Steps(3 + len(STANDARDS), lang) as steps:
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
    main = evaluations["quality-2017"][1]["html"]
    click.echo("")
    click.echo(say("demo_report", lang, path=main.resolve()))
    return 0
