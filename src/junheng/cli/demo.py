"""``junheng demo``: the whole pipeline on a synthetic county, end to end."""

from __future__ import annotations

from pathlib import Path

import click

from junheng.cli.messages import say
from junheng.cli.progress import Steps
from junheng.data.schema import SCHOOL_TYPE


def run_demo(out: Path, profile: str, seed: int, lang: str) -> int:
    """Synthesise a county, validate it and print a summary; return the exit code."""
    from junheng.data.io import write_workbook
    from junheng.data.synth import synthesize
    from junheng.data.validate import validate_workbook

    out.mkdir(parents=True, exist_ok=True)
    workbook = out / "county.xlsx"
    with Steps(3, lang) as steps:
        steps.next(say("step_synth", lang, profile=profile, seed=seed))
        tables = synthesize(profile, seed)
        steps.next(say("step_write", lang, path=workbook))
        write_workbook(tables, workbook, lang=lang)
        steps.next(say("step_validate", lang, path=workbook))
        report = validate_workbook(workbook)
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
    return 0
