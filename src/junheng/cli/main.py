"""The ``junheng`` command line (命令行), a thin layer over the Python API.

Exit codes (spec/interface.md): 0 success, 1 invalid input, 2 usage error,
3 infeasible plan. Messages are Chinese by default, English with
``--lang en`` (or ``JUNHENG_LANG=en``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from junheng import __version__
from junheng.cli.messages import say
from junheng.cli.progress import Steps
from junheng.plan import PLANNERS

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INFEASIBLE = 0, 1, 2, 3

lang_option = click.option(
    "--lang", type=click.Choice(["zh", "en"]), default="zh", envvar="JUNHENG_LANG",
    show_default=True, help="Language of messages and reports / 输出语言",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="junheng")
def cli() -> None:
    """junheng 均衡 — evaluate and plan the balanced development of compulsory education.

    县域义务教育均衡发展评估与规划工具。
    """


@cli.command()
@click.option("--out", "out", type=click.Path(path_type=Path), required=True,
              help="Workbook to write (.xlsx)")
@lang_option
def template(out: Path, lang: str) -> None:
    """Write an empty census workbook / 生成空白普查填报模板."""
    from junheng.data.template import write_template

    if out.suffix.lower() != ".xlsx":
        raise click.BadParameter(say("need_xlsx", lang), param_hint="--out")
    write_template(out, lang)
    click.echo(say("template_written", lang, path=out))


@cli.command()
@click.option("--profile", type=click.Choice(["mountain", "plain", "urban"]), required=True,
              help="County type / 县域类型")
@click.option("--seed", type=int, required=True, help="Random seed (same seed, same county)")
@click.option("--out", "out", type=click.Path(path_type=Path), required=True,
              help=".xlsx file, or a folder for CSV files")
@click.option("--schools", type=int, default=None, help="Number of schools / 学校数")
@click.option("--year", type=int, default=2025, show_default=True, help="Latest school year")
@lang_option
def synth(profile: str, seed: int, out: Path, schools: int | None, year: int, lang: str) -> None:
    """Write a realistic synthetic county / 生成模拟县域数据."""
    from junheng.data.io import write_workbook
    from junheng.data.synth import synthesize

    with Steps(2, lang) as steps:
        steps.next(say("step_synth", lang, profile=profile, seed=seed))
        try:
            tables = synthesize(profile, seed, schools=schools, year=year)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from exc
        steps.next(say("step_write", lang, path=out))
        write_workbook(tables, out, lang=lang)
    click.echo(say("synth_written", lang, path=out, schools=len(tables["schools"]),
                   teachers=len(tables.get("teachers", []))))


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--report", "report_path", type=click.Path(path_type=Path), default=None,
              help="Also write every problem to a .xlsx or .csv file / 问题清单另存为文件")
@lang_option
def validate(file: Path, report_path: Path | None, lang: str) -> None:
    """Check a census workbook; exit 1 when invalid / 校验普查数据."""
    from junheng.data.validate import validate_workbook

    with Steps(1, lang) as steps:
        steps.next(say("step_validate", lang, path=file))
        report = validate_workbook(file)
    click.echo(report.to_text(lang))
    if report_path is not None:
        frame = report.to_frame(lang)
        if report_path.suffix.lower() == ".xlsx":
            frame.to_excel(report_path, index=False)
        else:
            frame.to_csv(report_path, index=False, encoding="utf-8-sig")
        click.echo(say("report_written", lang, path=report_path))
    sys.exit(EXIT_OK if report.ok else EXIT_INVALID)


FORMATS = ("json", "xlsx", "html", "pdf")


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--standard", type=click.Choice(["basic-2012", "quality-2017"]),
              default="quality-2017", show_default=True, help="Evaluation standard / 评估标准")
@click.option("--year", type=int, default=None, help="School year (default: latest) / 学年")
@click.option("--rules", "rules_file", type=click.Path(path_type=Path, exists=True,
                                                        dir_okay=False),
              default=None, help="Provincial rule file (TOML) / 省级规则文件")
@click.option("--out", "out", type=click.Path(path_type=Path), required=True,
              help="Output folder / 输出目录")
@click.option("--format", "formats", default="json,xlsx", show_default=True,
              help="Comma-separated: json,xlsx,html,pdf")
@lang_option
def evaluate(file: Path, standard: str, year: int | None, rules_file: Path | None, out: Path,
             formats: str, lang: str) -> None:
    """Evaluate a county exactly as the rules say / 均衡发展督导评估."""
    from junheng.cli.run import run_evaluate

    wanted = [f.strip().lower() for f in formats.split(",") if f.strip()]
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown:
        raise click.BadParameter(say("bad_format", lang, formats=",".join(unknown),
                                     allowed=",".join(FORMATS)), param_hint="--format")
    sys.exit(run_evaluate(file, standard, year, rules_file, out, wanted, lang))




@cli.command()
@click.argument("planner", type=click.Choice(list(PLANNERS)))
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--out", "out", type=click.Path(path_type=Path), required=True,
              help="Output folder / 输出目录")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE",
              help="Planner parameter, value as JSON or text, e.g. max_schools=45 or "
                   "'max_km={\"junior\": 12}' (repeatable) / 规划参数")
@click.option("--time-limit", type=float, default=60.0, show_default=True,
              help="Solver time limit, seconds / 求解时限（秒）")
@click.option("--mip-gap", type=float, default=1e-4, show_default=True,
              help="Relative MIP gap at which to stop / 相对间隙")
@click.option("--seed", type=int, default=0, show_default=True, help="Solver seed / 随机种子")
@click.option("--threads", type=int, default=1, show_default=True,
              help="Solver threads; 1 is deterministic, 0 lets HiGHS choose / 求解线程数")
@click.option("--standard", type=click.Choice(["basic-2012", "quality-2017"]),
              default="quality-2017", show_default=True,
              help="Standard of the before/after evaluation")
@lang_option
def plan(planner: str, file: Path, out: Path, params: tuple[str, ...], time_limit: float,
         mip_gap: float, seed: int, threads: int | None, standard: str, lang: str) -> None:
    """Solve a planner; write plan.json, plan.xlsx, plan.html / 规划求解."""
    from junheng.cli.run import run_plan

    sys.exit(run_plan(planner, file, out, params, time_limit, mip_gap, seed, threads, standard,
                      lang))


@cli.command()
@click.option("--out", "out", type=click.Path(path_type=Path), default=Path("junheng-demo"),
              show_default=True, help="Folder for the demo's files")
@click.option("--profile", type=click.Choice(["mountain", "plain", "urban"]), default="mountain",
              show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@lang_option
def demo(out: Path, profile: str, seed: int, lang: str) -> None:
    """Run the whole pipeline on the bundled example county / 运行示例."""
    from junheng.cli.demo import run_demo

    sys.exit(run_demo(out, profile, seed, lang))


def _not_yet(name: str, issue: int):  # type: ignore[no-untyped-def]
    @click.pass_context
    def command(ctx: click.Context, **_: object) -> None:
        lang = ctx.params.get("lang", "zh")
        click.echo(say("not_yet", lang, command=name, issue=issue), err=True)
        ctx.exit(EXIT_USAGE)

    return command


cli.command("serve", help="Web app (not yet available) / 网页版（开发中）",
            context_settings={"ignore_unknown_options": True, "allow_extra_args": True})(
    lang_option(_not_yet("serve", 0)))


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="junheng")


if __name__ == "__main__":
    main()
