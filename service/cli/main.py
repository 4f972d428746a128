"""`zonecheck`: screen proposals, run batches, inspect and lint rule packs.

Exit codes: 0 every input screened; 1 some input invalid; 2 usage or rule-pack error.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections import Counter
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from zonecheck.engine.pack.loader import PackError
from zonecheck.service.present.render import to_markdown, to_text
from zonecheck.engine.pack.locate import rules_root
from zonecheck.engine.screener import Screener
from zonecheck.service.app import screening
from zonecheck.service.app.screening import Outcome

from zonecheck.service.present import rulebook as catalogue
from zonecheck.service.app.inputs import Item, count_items, iter_items, read_document
from zonecheck.service.cli import serve as service_commands

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
rules_app = typer.Typer(no_args_is_help=True, help="Inspect and check rule packs.")
app.add_typer(rules_app, name="rules")
service_commands.register(app)  # serve, db, keys, audit: the HTTP service (the `service` extra)
err = Console(stderr=True)


class Format(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


class Lang(str, Enum):
    zh = "zh"
    en = "en"


RulesOption = Annotated[Optional[Path], typer.Option("--rules", help="Folder holding rule packs and zones/ "
                                                     "(default: $ZONECHECK_RULES, else the installed packs).")]
PackOption = Annotated[str, typer.Option("--pack", help="Rule pack id (a folder under --rules).")]
ZoneOption = Annotated[Optional[str], typer.Option("--zone", help="Zone profile id (default: the proposal's zone).")]
AsOfOption = Annotated[Optional[dt.datetime], typer.Option("--as-of", formats=["%Y-%m-%d"],
                                                           help="Screening date (default: submitted_on).")]


def _screener(rules: Path | None, pack: str) -> Screener:
    try:
        return Screener(rules_root(rules) / pack)
    except PackError as error:
        err.print(f"[red]rule pack error[/red] {error}")
        raise typer.Exit(2) from None


def _entry(outcome: Outcome) -> tuple[dict[str, Any], bool]:
    """One input's JSON entry: its verdict document, or its problems."""
    if outcome.verdict is not None:
        return {"source": outcome.source, **outcome.verdict.document}, True
    problems = [{"path": p.path, "label": p.label, "reason": p.reason} for p in outcome.problems]
    return {"source": outcome.source, "valid": False, "problems": problems}, False


def _report_invalid(entry: dict[str, Any]) -> None:
    err.print(f"[red]invalid[/red] {entry['source']}")
    for problem in entry["problems"]:
        where = f"{problem['path']} ({problem['label']})" if problem["path"] else ""
        err.print(f"  - {where}: {problem['reason']}" if where else f"  - {problem['reason']}")


def _screen_item(screener: Screener, item: Item, zone: str | None, as_of: dt.date | None) -> tuple[dict[str, Any], bool]:
    return _entry(screening.screen(screener, item.data, source=item.origin, zone=zone, as_of=as_of,
                                   read_error=item.error))


@app.command()
def screen(
    files: Annotated[list[Path], typer.Argument(help="Proposal files (YAML or JSON).", exists=True, dir_okay=False)],
    zone: ZoneOption = None,
    as_of: AsOfOption = None,
    lang: Annotated[Lang, typer.Option("--lang")] = Lang.zh,
    output: Annotated[Format, typer.Option("--format")] = Format.text,
    rules: RulesOption = None,
    pack: PackOption = "national",
) -> None:
    """Screen proposal files and print their explained verdicts."""
    screener = _screener(rules, pack)
    day = as_of.date() if as_of else None
    results: list[dict[str, Any]] = []
    invalid = 0
    for path in files:
        entry, ok = _screen_item(screener, read_document(path), zone, day)
        if not ok:
            invalid += 1
            _report_invalid(entry)
        results.append(entry)
    if output is Format.json:
        payload: Any = results[0] if len(results) == 1 else results
        typer.echo(orjson.dumps(payload, option=orjson.OPT_INDENT_2).decode())
    else:
        render = to_text if output is Format.text else to_markdown
        blocks = [render(entry, lang.value) for entry in results if entry.get("valid", True)]
        typer.echo(("\n" + ("-" * 72 if output is Format.text else "---") + "\n\n").join(blocks), nl=False)
    raise typer.Exit(1 if invalid else 0)


@app.command()
def batch(
    source: Annotated[Path, typer.Argument(help="A folder of proposals, a .jsonl file or a .csv file.", exists=True)],
    out: Annotated[Path, typer.Option("--out", help="Where to write one JSON result per line.")],
    zone: ZoneOption = None,
    as_of: AsOfOption = None,
    rules: RulesOption = None,
    pack: PackOption = "national",
) -> None:
    """Screen many proposals; a bad row is reported and the batch goes on."""
    screener = _screener(rules, pack)
    day = as_of.date() if as_of else None
    decisions: Counter[str] = Counter()
    invalid: list[dict[str, Any]] = []
    partial = out.with_name(out.name + ".partial")
    columns = (TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with partial.open("w", encoding="utf-8") as handle, Progress(*columns, console=err, transient=False) as progress:
        task = progress.add_task("screening", total=count_items(source))
        for item in iter_items(source):
            entry, ok = _screen_item(screener, item, zone, day)
            if ok:
                decisions[entry["decision"]] += 1
            else:
                invalid.append(entry)
            handle.write(orjson.dumps(entry).decode() + "\n")
            progress.advance(task)
    partial.replace(out)  # nothing half-written: the result file appears whole
    table = Table(title=f"zonecheck batch: {source}")
    table.add_column("decision")
    table.add_column("count", justify="right")
    for decision in ("approved", "conditional", "incomplete", "revise", "rejected"):
        table.add_row(decision, str(decisions[decision]))
    table.add_row("[red]invalid[/red]", str(len(invalid)))
    err.print(table)
    for entry in invalid:
        _report_invalid(entry)
    err.print(f"results written to {out}")
    raise typer.Exit(1 if invalid else 0)


@rules_app.command("list")
def rules_list(rules: RulesOption = None, pack: PackOption = "national",
               lang: Annotated[Lang, typer.Option("--lang")] = Lang.zh) -> None:
    """List the rules of a pack."""
    loaded = _screener(rules, pack).pack
    table = Table(title=f"{loaded.id} {loaded.version}: {len(loaded.rules)} rules")
    for column in ("id", "severity", "domain", "title"):
        table.add_column(column)
    for rule in loaded.rules:
        table.add_row(rule.id, rule.severity, rule.domain, rule.title[lang.value])
    Console().print(table)


@rules_app.command("show")
def rules_show(rule_id: str, rules: RulesOption = None, pack: PackOption = "national") -> None:
    """Show one rule: its clause, parameters and figures with their sources."""
    loaded = _screener(rules, pack).pack
    rule = next((r for r in loaded.rules if r.id == rule_id), None)
    if rule is None:
        err.print(f"no rule {rule_id!r}; `zonecheck rules list` shows the ids")
        raise typer.Exit(2)
    typer.echo(catalogue.describe_rule(loaded, rule))


@rules_app.command("lint")
def rules_lint(rules: RulesOption = None, pack: PackOption = "national",
               seeds: Annotated[Optional[Path], typer.Option(help="Seed folder: check quoted seed clauses.")] = None) -> None:
    """Load and check a pack: file:line errors exit 2; warnings are listed."""
    loaded = _screener(rules, pack).pack
    problems = catalogue.seed_quote_problems(loaded, seeds) if seeds else []
    for problem in problems:
        err.print(f"[red]error[/red] {problem}")
    for warning in catalogue.warnings(loaded):
        err.print(f"[yellow]warning[/yellow] {warning}")
    if problems:
        raise typer.Exit(2)
    typer.echo(f"ok: {loaded.id} {loaded.version}: {len(loaded.rules)} rules, {len(loaded.parameters)} parameters, "
               f"{len(loaded.zones)} zone profiles")


@rules_app.command("table")
def rules_table(rules: RulesOption = None, pack: PackOption = "national") -> None:
    """Print the Markdown table of every rule, its source, severity and figures (docs/rules.md)."""
    typer.echo(catalogue.rule_table(_screener(rules, pack).pack), nl=False)


def main() -> None:
    try:
        app()
    except PackError as error:
        err.print(f"[red]rule pack error[/red] {error}")
        sys.exit(2)


if __name__ == "__main__":
    main()
