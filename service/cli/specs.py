"""`zonecheck specs`: the acceptance specs policy staff write (glossary, run, coverage).

Exit codes: 0 all passed (coverage: the bar met); 1 a scenario failed or is undefined, a file is
malformed (coverage: a veto or mandatory rule lacks a passing 违反 or 符合/不适用); 2 usage error.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console

from zonecheck.engine.pack.loader import load_pack
from zonecheck.engine.pack.locate import rules_root

specs_app = typer.Typer(no_args_is_help=True, help="Acceptance specs in Chinese Gherkin: glossary, run, coverage.")
err = Console(stderr=True)

FilesArgument = Annotated[Optional[list[Path]], typer.Argument(help=".feature files or folders (default: features/).")]
TagOption = Annotated[Optional[list[str]], typer.Option("--tag", help="Only scenarios with this tag (repeatable: any of).")]
ReportOption = Annotated[Path, typer.Option("--report", help="Folder for cucumber.json, specs.html, coverage.json.")]


class GlossaryFormat(str, Enum):
    markdown = "markdown"
    text = "text"


def _run(files: list[Path] | None, tags: list[str] | None, report: Path | None) -> Any:
    try:
        from zonecheck.service.specs import runner
    except ImportError:
        err.print("运行验收规格需要 pytest 和 pytest-bdd：pip install 'zonecheck[specs]'")
        raise typer.Exit(2) from None
    try:
        return runner.run(runner.feature_files(list(files or []), Path("features")), tags, report)
    except runner.UsageError as error:
        err.print(f"[red]错误[/red] {error}")
        raise typer.Exit(2) from None


@specs_app.command("glossary")
def glossary_command(output: Annotated[GlossaryFormat, typer.Option("--format")] = GlossaryFormat.markdown,
                     pack: Annotated[str, typer.Option("--pack")] = "national") -> None:
    """List every step phrase with an example, every field, rule and zone."""
    from zonecheck.service.specs import glossary
    loaded = load_pack(rules_root(None) / pack)
    typer.echo(glossary.markdown(loaded) if output is GlossaryFormat.markdown else glossary.text(loaded), nl=False)


@specs_app.command("run")
def run_command(files: FilesArgument = None, tag: TagOption = None, report: ReportOption = Path("reports")) -> None:
    """Run feature files (or all of features/) and print a Chinese summary per scenario."""
    done = _run(files, tag, report)
    typer.echo(done.results.summary())
    if done.code == 2:
        err.print(done.output[-3000:])
    typer.echo(f"报告：{report / 'specs.html'}、{report / 'cucumber.json'}")
    raise typer.Exit(done.code)


@specs_app.command("coverage")
def coverage_command(files: FilesArgument = None, report: ReportOption = Path("reports")) -> None:
    """Run the specs and report, per rule, which passing scenarios produced each outcome and case."""
    from zonecheck.service.specs import coverage
    done = _run(files, None, report)
    table = done.results.coverage()
    if table is None:
        err.print("[red]错误[/red] 没有场景运行，无法统计覆盖")
        raise typer.Exit(2)
    typer.echo(coverage.as_text(table))
    failed = [r for r in done.results.scenarios if r.outcome != "passed"]
    if failed or done.results.broken:
        typer.echo(f"注意：{len(failed) + len(done.results.broken)} 个场景或文件未通过，不计入覆盖（`zonecheck specs run` 查看）")
    gaps = coverage.gaps(table)
    for gap in gaps:
        typer.echo(f"未达标：{gap}")
    raise typer.Exit(1 if gaps else 0)
