"""zonecheck：按规则筛查开发区投资项目申报 / screen investment proposals against the rule packs.

\b
输入 Inputs: YAML（可用 --- 分隔多份申报 / several proposals per file）、JSON、JSON Lines（.jsonl，每行一份）、
  CSV（表头为字段路径，如 land.site_area_m2；UTF-8，或 GB18030 并给出提示）、文件夹（其中的 .yaml/.yml/.json）、
  或 "-" 标准输入（默认按 JSON Lines 读取，--input-format 可改）。单份申报不超过 1 MB。
\b
单位 Units: 面积 *_m2 可写 "50亩"、"2公顷" 或 {value: 50, unit: 亩}；金额 *_wan 可写 "1.5亿元"、"8000000元"；
  比例可写 0.5 或 "50%"。换算后按 6 位小数取整。是/否 项写 是/否、true/false 或 yes/no（1/0 不接受）；
  代码项可写代码或中文名称（如 grant_method: 挂牌）。字段一览：zonecheck fields；空白模板：zonecheck template。
\b
退出码 Exit codes: 0 全部筛查 every input screened；1 有无效输入 some input invalid（其余照常筛查 the others
  are screened）；2 用法、规则包或输出错误 usage, rule-pack or output error (nothing half-written).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import orjson
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from zonecheck.engine.pack.loader import PackError
from zonecheck.service.present import render
from zonecheck.engine.pack.locate import rules_root
from zonecheck.engine.explain.outcome import Decision
from zonecheck.engine.screener import Screener
from zonecheck.service.app import screening
from zonecheck.service.app.screening import Outcome

from zonecheck.service.present import rulebook as catalogue
from zonecheck.service.app import fields as field_list
from zonecheck.service.app.inputs import (FORMATS, STDIN, Item, JsonLinesFile, count_items, input_files, iter_items,
                                         read_document)
from zonecheck.service.app.output import STDOUT, OutputError, atomic_output
from zonecheck.service.cli.specs import specs_app
from zonecheck.service.batch import pool
from zonecheck.service.cli import serve as service_commands

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
rules_app = typer.Typer(no_args_is_help=True, help="Inspect and check rule packs.")
app.add_typer(rules_app, name="rules")
app.add_typer(specs_app, name="specs")
service_commands.register(app)  # serve, db, keys, audit: the HTTP service (the `service` extra)
err = Console(stderr=True, soft_wrap=True, emoji=False, highlight=False)


class Format(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"
    html = "html"


class Lang(str, Enum):
    zh = "zh"
    en = "en"
    both = "zh,en"


class Detail(str, Enum):
    full = "full"  # schema 1.x: the structured verdict plus titles, messages, tables
    structured = "structured"  # schema 2.0: only what varies by screening


class Show(str, Enum):
    satisfied = "satisfied"  # rules met listed, folded
    problems = "problems"  # rules met counted only


RulesOption = Annotated[Optional[Path], typer.Option("--rules", help="Folder holding rule packs and zones/ "
                                                     "(default: $ZONECHECK_RULES, else the installed packs).")]
PackOption = Annotated[str, typer.Option("--pack", help="Rule pack id (a folder under --rules).")]
ZoneOption = Annotated[Optional[str], typer.Option("--zone", help="Zone profile id (default: the proposal's zone).")]
AsOfOption = Annotated[Optional[dt.datetime], typer.Option("--as-of", formats=["%Y-%m-%d"],
                                                           help="Screening date (default: submitted_on).")]


def _labelled(label: str, style: str, text: object) -> None:
    """One message on one line: never wrapped, and the pack's text never read as Rich markup, so a
    `file:line: reason` stays whole for editors and CI."""
    err.print(Text.assemble((label, style), " ", str(text)), soft_wrap=True)


def _screener(rules: Path | None, pack: str) -> Screener:
    try:
        return Screener(rules_root(rules) / pack)
    except PackError as error:
        _labelled("rule pack error", "red", error)
        raise typer.Exit(2) from None


def _langs(lang: Lang | None, default: str) -> tuple[str, ...]:
    """The verdict's languages; problems are told in the first of them."""
    return tuple((lang.value if lang else default).split(","))


InputFormat = Annotated[Optional[str], typer.Option(
    "--input-format", help="jsonl | yaml | json | csv：输入格式（默认按扩展名；标准输入默认 jsonl） / input format.")]


def _entry(outcome: Outcome, detail: Detail = Detail.full, langs: tuple[str, ...] = ("zh", "en"),
           note: str | None = None) -> tuple[dict[str, Any], bool]:
    """One input's JSON entry (the app's, shared with batch) and whether it is a verdict."""
    return screening.entry(outcome, structured=detail is Detail.structured, langs=langs, note=note), outcome.ok


_WORDS = {"zh": {"invalid": "无效", "value": "填写值", "allowed": "可填", "suggest": "是否应为", "skipped": "跳过"},
          "en": {"invalid": "invalid", "value": "given", "allowed": "allowed", "suggest": "did you mean",
                 "skipped": "skipped"}}


def _allowed_text(allowed: Any) -> str:
    if isinstance(allowed, list):
        shown = [f"{a['code']} {a['name']}" if isinstance(a, dict) else str(a) for a in allowed[:8]]
        return "、".join(shown) + ("…" if len(allowed) > 8 else "")
    if isinstance(allowed, dict):
        low = "≥" if allowed.get("min_inclusive", True) else ">"
        return f"{low} {allowed.get('min')}，≤ {allowed.get('max')} {allowed.get('unit') or ''}".strip()
    return str(allowed)


def _report_invalid(entry: dict[str, Any], lang: str = "zh") -> None:
    """The problems of one input on stderr: where, what was given, why, what is allowed, a suggestion."""
    words = _WORDS[lang]
    err.print(f"[red]{words['invalid']}[/red] {escape(str(entry['source']))}")
    for problem in entry["problems"]:
        place = ":".join(str(x) for x in (problem.get("file"), problem.get("line"), problem.get("column")) if x)
        head = f"{problem['path']}（{problem['label']}）" if problem["path"] else ""
        parts = [p for p in (place, head) if p]
        text = f"  - {' '.join(parts)}: {problem['reason']}" if parts else f"  - {problem['reason']}"
        if problem.get("value") is not None:
            text += f"；{words['value']} {problem['value']!r}"
        if problem.get("suggestion"):
            text += f"；{words['suggest']} {problem['suggestion']}？"
        if problem.get("allowed"):
            text += f"；{words['allowed']}：{_allowed_text(problem['allowed'])}"
        err.print(escape(text))


def _screen_item(screener: Screener, item: Item, zone: str | None, as_of: dt.date | None,
                 detail: Detail = Detail.full, langs: tuple[str, ...] = ("zh", "en")) -> tuple[dict[str, Any], bool]:
    outcome = screening.screen(screener, item.data, source=item.origin, zone=zone, as_of=as_of,
                               read_error=item.problems or item.error, file=item.file, locate=item.positions)
    return _entry(outcome, detail, langs, item.note)


LangOption = Annotated[Optional[Lang], typer.Option(
    "--lang", help="zh | en | zh,en：结论与问题的语言（JSON 默认 zh,en，报告默认 zh）/ languages of verdicts "
                   "(default zh,en for JSON, zh for reports); problems in the first.")]


def _check_format(input_format: str | None) -> None:
    if input_format is not None and input_format not in FORMATS:
        err.print(f"--input-format 应为 {' | '.join(FORMATS)} / must be one of them")
        raise typer.Exit(2)


def _skip(item: Item, lang: str) -> None:
    reason = item.problems[0].reason_en if lang == "en" and item.problems else item.error
    err.print(f"[yellow]{_WORDS[lang]['skipped']}[/yellow] {escape(item.origin)}: {escape(str(reason))}")


@app.command()
def screen(
    files: Annotated[list[str], typer.Argument(help="申报文件（YAML、JSON），\"-\" 为标准输入 / proposal files, - for stdin.")],
    zone: ZoneOption = None,
    as_of: AsOfOption = None,
    lang: LangOption = None,
    output: Annotated[Format, typer.Option("--format", help="text | json | markdown | html")] = Format.text,
    detail: Annotated[Optional[Detail], typer.Option(
        "--detail", help="JSON：full（1.x，含说明）或 structured（2.0）/ full (schema 1.x) or structured (2.0).")] = None,
    show: Annotated[Show, typer.Option(
        "--show", help="报告：satisfied 折叠列出符合的规定，problems 只列问题 / reports: list the rules met "
                       "folded, or only the problems.")] = Show.satisfied,
    input_format: InputFormat = None,
    rules: RulesOption = None,
    pack: PackOption = "national",
) -> None:
    """筛查申报文件并给出说明理由的结论 / screen proposal files and print their explained verdicts."""
    _check_format(input_format)
    for name in files:
        if name != STDIN and not Path(name).exists():
            err.print(f"找不到文件 / no such file: {escape(name)}")
            raise typer.Exit(2)
        if name != STDIN and Path(name).is_dir():
            err.print(f"{escape(name)} 是文件夹，请用 zonecheck batch / is a folder: use zonecheck batch")
            raise typer.Exit(2)
    screener = _screener(rules, pack)
    day = as_of.date() if as_of else None
    langs = _langs(lang, "zh,en" if output is Format.json else "zh")
    # reports are rendered from the structured verdict; JSON is the requested detail
    wanted = (detail or Detail.full) if output is Format.json else Detail.structured
    results: list[dict[str, Any]] = []
    invalid = 0
    for name in files:
        items = iter_items(name, input_format or "yaml") if name == STDIN else read_document(name, input_format)
        for item in items:
            entry, ok = _screen_item(screener, item, zone, day, wanted, langs)
            if not ok:
                invalid += 1
                _report_invalid(entry, langs[0])
            results.append(entry)
    screened = [entry for entry in results if entry.get("valid", True)]
    if output is Format.json:
        payload: Any = results[0] if len(results) == 1 else results
        typer.echo(orjson.dumps(payload, option=orjson.OPT_INDENT_2).decode())
    elif output is Format.html:
        typer.echo(render.to_html([(entry, screener.pack) for entry in screened], langs, show.value), nl=False)
    else:
        view = render.to_text if output is Format.text else render.to_markdown
        blocks = [view(entry, screener.pack, code, show.value) for entry in screened for code in langs]
        typer.echo(("\n" + ("-" * 72 if output is Format.text else "---") + "\n\n").join(blocks), nl=False)
    raise typer.Exit(1 if invalid else 0)


@app.command()
def batch(
    source: Annotated[str, typer.Argument(help="文件夹、.jsonl、.csv 或多文档 YAML，\"-\" 为标准输入 / a folder, "
                                                "a .jsonl, .csv or multi-document YAML file, - for stdin.")],
    out: Annotated[str, typer.Option("--out", help="结果文件（每行一个 JSON；\"-\" 为标准输出）；写完整后才替换原文件 / "
                                          "one JSON result per line, - for stdout; replaced only when whole.")],
    zone: ZoneOption = None,
    as_of: AsOfOption = None,
    detail: Annotated[Detail, typer.Option(
        "--detail", help="structured（2.0，默认）或 full（1.x）/ structured (schema 2.0, default) or full (1.x).")
    ] = Detail.structured,
    lang: LangOption = None,
    input_format: InputFormat = None,
    rules: RulesOption = None,
    pack: PackOption = "national",
    workers: Annotated[Optional[int], typer.Option("--workers", min=1, help="Worker processes (default: every core).")] = None,
) -> None:
    """批量筛查；无效的一份会报告，其余照常筛查 / screen many proposals; a bad one is reported, the others go on."""
    _check_format(input_format)
    if source != STDIN and not Path(source).exists():
        err.print(f"找不到输入 / no such input: {escape(source)}")
        raise typer.Exit(2)
    screener = _screener(rules, pack)
    langs = _langs(lang, "zh,en")
    options = pool.Options(rules=rules, pack=pack, zone=zone, as_of=as_of.date() if as_of else None,
                           structured=detail is Detail.structured, langs=langs)
    notes: set[str] = set()

    def readable(items: Iterator[Item]) -> Iterator[Item]:  # what is not a proposal file is reported here, not screened
        for item in items:
            if item.skipped:
                _skip(item, langs[0])
                continue
            if item.note and item.note not in notes:
                notes.add(item.note)
                err.print(f"[yellow]注意 note[/yellow] {escape(str(item.file))}: {escape(item.note)}")
            yield item

    to_stdout = out == STDOUT
    summary_path = f"{out}.summary.csv"
    columns = (TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with atomic_output(out, input_files(source)) as handle, \
                (contextlib.nullcontext(None) if to_stdout else atomic_output(summary_path, input_files(source))) as summary, \
                Progress(*columns, console=err, transient=False, disable=to_stdout and not err.is_terminal) as progress:
            # the summary is renamed into place just before the results: both appear whole, or neither changes
            items = iter_items(source, input_format)
            # a JSON Lines file counts its lines once, for this bar and for the pool's spans
            total = items.lines() if isinstance(items, JsonLinesFile) else count_items(source)
            task = progress.add_task("screening", total=total)
            # a JSON Lines file goes to the pool as it is (nothing in it to skip or note): cut into spans there
            tally = pool.run_batch(items if isinstance(items, JsonLinesFile) else readable(items), handle,
                                   summary=summary, workers=workers, options=options,
                                   screener=screener, shard_dir=None if to_stdout else Path(out).resolve().parent,
                                   progress=lambda done: progress.advance(task, done))
    except OutputError as error:
        err.print(f"[red]输出错误 output error[/red] {escape(error.text(langs[0]))}")
        raise typer.Exit(2) from None
    except pool.WorkerLost as error:
        kept = (("；已写到标准输出的结果不完整", "; what went to standard output is incomplete") if to_stdout
                else ("；原有文件未改动", "; the previous files are untouched"))
        err.print(f"[red]筛查进程错误 worker error[/red] {escape(error.text(langs[0]))}"
                  f"{kept[0] if langs[0] == 'zh' else kept[1]}")
        raise typer.Exit(2) from None
    decisions, invalid = tally.decisions, tally.invalid
    table = Table(title=f"zonecheck batch: {escape(source)}")
    table.add_column("decision")
    table.add_column("count", justify="right")
    for decision in reversed(Decision):
        table.add_row(decision, str(decisions[decision]))
    table.add_row("[red]invalid[/red]", str(len(invalid)))
    err.print(table)
    for entry in invalid:
        _report_invalid(entry, langs[0])
    if not to_stdout:
        err.print(f"results written to {escape(out)} (summary: {escape(summary_path)})")
    raise typer.Exit(1 if invalid else 0)


@app.command()
def fields(
    output: Annotated[Format, typer.Option("--format", help="text | json | markdown")] = Format.text,
    rules: RulesOption = None,
    pack: PackOption = "national",
) -> None:
    """列出申报的全部字段：路径、中文名、单位、可填值、读取它的规则 / every proposal field, its unit, values and rules."""
    rows = field_list.field_rows(_screener(rules, pack))
    if output is Format.json:
        typer.echo(orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode())
        return
    if output is Format.markdown:
        lines = ["| 字段 path | 名称 label | 类型 kind | 单位 unit | 可填 allowed | 规则 rules |", "| --- | --- | --- | --- | --- | --- |"]
        lines += [f"| `{r['path']}` | {r['label']}{'（必填）' if r['required'] else ''} | {field_list.KIND_ZH[r['kind']]} | "
                  f"{r['unit'] or ''} | {r['allowed']} | {', '.join(r['rules'])} |" for r in rows]
        typer.echo("\n".join(lines))
        return
    table = Table(title="申报字段 / proposal fields")
    for column in ("path", "名称", "单位", "可填", "规则"):
        table.add_column(column)
    for r in rows:
        table.add_row(r["path"], escape(r["label"] + ("（必填）" if r["required"] else "")), escape(r["unit"] or ""),
                      escape(r["allowed"]), ", ".join(r["rules"]))
    Console(width=200).print(table)


@app.command()
def template(zone: ZoneOption = None, rules: RulesOption = None, pack: PackOption = "national") -> None:
    """输出带中文注释的空白申报模板（YAML） / print a blank proposal in YAML, commented in Chinese."""
    zone_facts: dict[str, Any] = {}
    if zone is not None:
        loaded = _screener(rules, pack).pack
        if zone not in loaded.zones:
            err.print(f"没有园区 {escape(zone)} / no zone profile; 已有 known: {', '.join(sorted(loaded.zones))}")
            raise typer.Exit(2)
        zone_facts = {path: value for path, (value, _source) in loaded.zones[zone].facts.items()}
    typer.echo(field_list.template(zone, zone_facts), nl=False)


@rules_app.command("list")
def rules_list(rules: RulesOption = None, pack: PackOption = "national",
               lang: Annotated[Lang, typer.Option("--lang")] = Lang.zh) -> None:
    """List the rules of a pack."""
    code = lang.value.split(",")[0]
    loaded = _screener(rules, pack).pack
    table = Table(title=f"{loaded.id} {loaded.version}: {len(loaded.rules)} rules")
    for column in ("id", "severity", "domain", "title"):
        table.add_column(column)
    for rule in loaded.rules:
        table.add_row(rule.id, rule.severity, rule.domain, rule.title[code])
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
        _labelled("error", "red", problem)
    for warning in catalogue.warnings(loaded):
        _labelled("warning", "yellow", warning)
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
        _labelled("rule pack error", "red", error)
        sys.exit(2)
    except KeyboardInterrupt:
        err.print("已中断 / interrupted")
        sys.exit(130)
    except BrokenPipeError:
        os._exit(0)  # the reader went away (e.g. `| head`): nothing more to say
    except Exception as error:  # noqa: BLE001 - never a traceback: say what failed, exit 2
        err.print(f"[red]内部错误 internal error[/red] {escape(type(error).__name__)}: {escape(str(error)[:300])}")
        sys.exit(2)


if __name__ == "__main__":
    main()
