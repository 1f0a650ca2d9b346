"""Command bodies that do real work (kept out of main.py so the CLI stays thin)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from junheng.cli.messages import say
from junheng.cli.progress import Steps


def verdict_word(flag: bool | None, lang: str) -> str:
    return say("verdict_pass" if flag else "verdict_fail" if flag is False else "verdict_na",
               lang)


def print_evaluation(ev, lang: str) -> None:  # type: ignore[no-untyped-def]
    """A few lines of summary on stdout."""
    from junheng.evaluate.texts import stage_name

    click.echo(say("eval_summary", lang, county=ev.county_name, year=ev.year,
                   standard=ev.rules.name(lang), verdict=verdict_word(ev.passes, lang)))
    for stage, st in ev.stages.items():
        if ev.rules.cv_test == "composite":
            cv_text = (f"综合差异系数 {st.composite:.3f}（≤ {st.composite_threshold:.2f}）"
                       if lang == "zh" else
                       f"composite {st.composite:.3f} (<= {st.composite_threshold:.2f})"
                       ) if st.composite is not None else "—"
        else:
            n_fail = sum(1 for i in st.indicators.values() if i.cv_pass is False)
            cv_text = (f"{n_fail}/{len(st.indicators)} 项差异系数超标" if lang == "zh" else
                       f"{n_fail}/{len(st.indicators)} coefficients above threshold")
        click.echo(say("eval_stage", lang, stage=stage_name(stage, lang),
                       n=st.schools_evaluated, cv_text=cv_text,
                       schools=verdict_word(st.schools_pass, lang)
                       if ev.rules.school_rule else "—"))
    for reason in ev.reasons(lang)[:8]:
        click.echo(f"  · {reason}")


def write_evaluation(ev, out: Path, formats: list[str], lang: str) -> dict[str, Path]:  # type: ignore[no-untyped-def]
    """Write ``evaluation.json`` and the reports asked for into ``out``.

    A PDF that cannot be made (WeasyPrint's system libraries missing) is
    skipped with a message naming what to install; the other formats stand.
    """
    from junheng.report.html import write_evaluation_html
    from junheng.report.pdf import PdfUnavailable, write_evaluation_pdf
    from junheng.report.xlsx import write_evaluation_xlsx

    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    if "json" in formats:
        path = out / "evaluation.json"
        path.write_text(json.dumps(ev.to_dict(lang), ensure_ascii=False, indent=2),
                        encoding="utf-8")
        written["json"] = path
    if "xlsx" in formats:
        written["xlsx"] = write_evaluation_xlsx(ev, out / "evaluation.xlsx", lang)
    if "html" in formats:
        written["html"] = write_evaluation_html(ev, out / "evaluation.html", lang)
    if "pdf" in formats:
        try:
            written["pdf"] = write_evaluation_pdf(ev, out / "evaluation.pdf", lang)
        except PdfUnavailable as exc:
            click.echo(say("pdf_unavailable", lang, detail=str(exc)[:200]), err=True)
    return written


def run_evaluate(file: Path, standard: str, year: int | None, rules_file: Path | None,
                 out: Path, formats: list[str], lang: str) -> int:
    from junheng.data.census import Census
    from junheng.data.validate import validate_workbook
    from junheng.evaluate import evaluate
    from junheng.standards import RulesError, load_rules

    try:
        rules = load_rules(rules_file if rules_file is not None else standard)
    except RulesError as exc:
        click.echo(say("rules_error", lang, error=exc), err=True)
        return 1
    with Steps(3, lang) as steps:
        steps.next(say("step_validate", lang, path=file))
        report = validate_workbook(file)
        if not report.ok:
            steps.next("")
            steps.next("")
        else:
            census = Census(report.tables, file, report)
            steps.next(say("step_evaluate", lang, standard=rules.id,
                           year=year or max(census.years)))
            try:
                ev = evaluate(census, rules=rules, year=year, lang=lang)
            except ValueError as exc:
                click.echo(str(exc), err=True)
                return 1
            steps.next(say("step_report", lang, path=out))
            written = write_evaluation(ev, out, formats, lang)
    if not report.ok:
        click.echo(say("invalid_input", lang), err=True)
        click.echo(report.to_text(lang))
        return 1
    print_evaluation(ev, lang)
    for path in written.values():
        click.echo(say("eval_written", lang, path=path))
    return 0


def parse_params(pairs: tuple[str, ...], lang: str, cls: type | None = None
                 ) -> dict[str, object]:
    """``key=value`` options: the value is read as JSON when it parses, else as text; for a
    list-typed field of ``cls``, ``a,b,c`` is read as a list (school ids, teacher ids)."""
    import typing

    def is_list(tp: object) -> bool:
        if typing.get_origin(tp) is list:
            return True
        return any(typing.get_origin(a) is list for a in typing.get_args(tp)
                   if typing.get_origin(tp) is not dict)

    list_fields: set[str] = set()
    if cls is not None:
        list_fields = {name for name, tp in typing.get_type_hints(cls).items()
                       if is_list(tp)}
    out: dict[str, object] = {}
    for item in pairs:
        if "=" not in item:
            raise click.BadParameter(say("bad_param", lang, item=item), param_hint="--param")
        key, raw = item.split("=", 1)
        key = key.strip()
        try:
            value: object = json.loads(raw)
        except json.JSONDecodeError:
            value = raw
        if key in list_fields and isinstance(value, str | int) and not isinstance(value, bool):
            value = [v for v in str(value).split(",") if v]
        out[key] = value
    return out


def run_plan(planner: str, file: Path, out: Path, params: tuple[str, ...], time_limit: float,
             mip_gap: float, seed: int, threads: int | None, standard: str, lang: str) -> int:
    import dataclasses

    from junheng.data.census import Census
    from junheng.data.validate import validate_workbook
    from junheng.plan import planner as load_planner
    from junheng.plan.solver import InfeasibleError, SolveOptions
    from junheng.report.pdf import PdfUnavailable
    from junheng.report.plan import write_plan_html, write_plan_pdf, write_plan_xlsx

    cls, solve = load_planner(planner)
    values = parse_params(params, lang, cls)
    fields = dataclasses.fields(cls)
    known = {f.name for f in fields}
    unknown = sorted(set(values) - known)
    if unknown:
        raise click.BadParameter(say("unknown_param", lang, names=", ".join(unknown),
                                     planner=planner, known=", ".join(sorted(known))),
                                 param_hint="--param")
    missing = [f.name for f in fields if f.name not in values
               and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    if missing:
        raise click.BadParameter(say("missing_param", lang, planner=planner,
                                     names=", ".join(missing)), param_hint="--param")
    try:
        parameters = cls(**values)
        options = SolveOptions(time_limit=time_limit, mip_gap=mip_gap, seed=seed,
                               threads=threads)
    except (TypeError, ValueError) as exc:
        raise click.BadParameter(str(exc), param_hint="--param") from exc
    with Steps(3, lang) as steps:
        steps.next(say("step_validate", lang, path=file))
        report = validate_workbook(file)
        if not report.ok:
            click.echo(say("invalid_input", lang), err=True)
            click.echo(report.to_text(lang))
            return 1
        census = Census(report.tables, file, report)
        steps.next(say("step_plan", lang, planner=planner, seconds=time_limit))
        try:
            result = solve(census, parameters, options=options, standard=standard)
        except InfeasibleError as exc:
            click.echo(say("infeasible", lang, reasons=exc.message(lang)), err=True)
            return 3
        except ValueError as exc:
            click.echo(str(exc), err=True)
            return 1
        steps.next(say("step_report", lang, path=out))
        out.mkdir(parents=True, exist_ok=True)
        written = [result.write_json(out / "plan.json"),
                   write_plan_xlsx(result, out / "plan.xlsx", lang),
                   write_plan_html(result, out / "plan.html", lang)]
        try:
            written.append(write_plan_pdf(result, out / "plan.pdf", lang))
        except PdfUnavailable as exc:
            click.echo(say("pdf_unavailable", lang, detail=str(exc)[:200]), err=True)
    d = result.to_dict()
    from junheng.report.plan import PLAN_NAMES, STATUS_NAMES, counts_text

    idx = 1 if lang == "en" else 0
    click.echo(say("plan_summary", lang, planner=PLAN_NAMES[planner][idx],
                   status=STATUS_NAMES[d["status"]][idx],
                   objective=d["objective"] if d["objective"] is not None else float("nan"),
                   gap=(d["gap"] or 0.0) * 100, seconds=d["solve_seconds"]))
    if "counts" in d:
        click.echo("  " + counts_text(d["counts"], lang))
    for path in written:
        click.echo(say("eval_written", lang, path=path))
    return 0
