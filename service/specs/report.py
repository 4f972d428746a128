"""What a run of the specs produced: per scenario and step, and the reports written from it
(Cucumber JSON, a self-contained HTML page, coverage JSON). A step never reached is `skipped`, an
unknown phrase `undefined`: a scenario with an undefined step never looks green."""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zonecheck.service.specs import coverage

STATUS_ZH = {"passed": "通过", "failed": "失败", "undefined": "未定义步骤", "skipped": "未执行"}


@dataclass
class StepRecord:
    keyword: str
    name: str
    line: int
    status: str = "skipped"
    error: str | None = None
    table: list[list[str]] | None = None


@dataclass
class ScenarioRecord:
    file: str
    feature: str
    feature_line: int
    feature_tags: list[str]
    name: str
    example: str | None
    line: int
    tags: list[str]
    steps: list[StepRecord]
    outcome: str = "running"
    asserted: list[tuple[str, str]] = field(default_factory=list)
    produced: list[dict[str, tuple[str, str | None]]] = field(default_factory=list)
    spec: Any = None  # the scenario's vocabulary.Spec, once a step has run

    @classmethod
    def start(cls, feature: Any, scenario: Any, example: str | None) -> "ScenarioRecord":
        steps = [StepRecord(s.keyword.strip(), s.name, s.line_number,
                            table=[list(map(str, row)) for row in s.datatable.raw()] if s.datatable else None)
                 for s in scenario.steps]
        return cls(feature.filename, feature.name, feature.line_number, sorted(feature.tags), scenario.name,
                   example, scenario.line_number, sorted(scenario.tags), steps)

    @property
    def title(self) -> str:
        where = f"{Path(self.file).name}：{self.name}"
        return f"{where}（{self.example}）" if self.example else where

    def step(self, step: Any) -> StepRecord:
        for entry in self.steps:
            if entry.line == step.line_number and entry.name == step.name:
                return entry
        entry = StepRecord(step.keyword.strip(), step.name, step.line_number)
        self.steps.append(entry)
        return entry

    def finish(self, passed: bool) -> None:
        statuses = {s.status for s in self.steps}
        self.outcome = "passed" if passed else ("undefined" if "undefined" in statuses else "failed")
        if self.spec is not None:
            self.asserted, self.produced = list(self.spec.asserted), list(self.spec.produced)
            self.spec = None  # the verdicts are not kept

    @property
    def failing(self) -> StepRecord | None:
        return next((s for s in self.steps if s.status in ("failed", "undefined")), None)

    @property
    def failure(self) -> str | None:
        """The short failure people read: where, the step as written, and why."""
        step = self.failing
        if step is None:
            return None
        head = f"{Path(self.file).name}:{step.line} 场景“{self.name}”{f'（{self.example}）' if self.example else ''}"
        verb = "未定义" if step.status == "undefined" else "失败"
        return f"{head}\n步骤{verb}：{step.keyword} {step.name}\n{step.error or ''}".rstrip()


@dataclass(frozen=True)
class BrokenFile:
    file: str
    test: str
    message: str


@dataclass
class Results:
    scenarios: list[ScenarioRecord] = field(default_factory=list)
    broken: list[BrokenFile] = field(default_factory=list)
    pack: Any = None

    def coverage(self) -> list[coverage.RuleCoverage] | None:
        return None if self.pack is None else coverage.measure(self.pack, self.scenarios)

    def summary(self) -> str:
        """The Chinese summary of a run, one line per scenario."""
        lines = []
        mark = {"passed": "✓", "failed": "✗", "undefined": "?", "running": "…"}
        for broken in self.broken:
            lines.append(f"✗ {Path(broken.file).name}：无法运行\n{_indent(broken.message)}")
        for record in self.scenarios:
            lines.append(f"{mark.get(record.outcome, '?')} {record.title}：{STATUS_ZH.get(record.outcome, record.outcome)}")
            if record.failure:
                lines.append(_indent(record.failure))
        counts = {k: sum(r.outcome == k for r in self.scenarios) for k in ("passed", "failed", "undefined")}
        lines.append(f"共 {len(self.scenarios)} 个场景：通过 {counts['passed']}，失败 {counts['failed']}，"
                     f"含未定义步骤 {counts['undefined']}" + (f"；无法运行的文件或场景 {len(self.broken)} 个" if self.broken else ""))
        return "\n".join(lines)


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


def tags_in(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    return sorted({tag for line in text.splitlines() if line.strip().startswith("@")
                   for tag in re.findall(r"@([^\s@]+)", line)})


# --- writers --------------------------------------------------------------------------------------

def _slug(text: str) -> str:
    return re.sub(r"\s+", "-", text.strip().lower())


def cucumber(results: Results) -> list[dict[str, Any]]:
    """The Cucumber JSON report: every step of every scenario, with its own status."""
    features: dict[str, dict[str, Any]] = {}
    for record in results.scenarios:
        feature = features.setdefault(record.file, {
            "uri": record.file, "id": _slug(record.feature), "name": record.feature, "keyword": "功能",
            "line": record.feature_line, "description": "", "elements": [],
            "tags": [{"name": f"@{t}", "line": record.feature_line - 1} for t in record.feature_tags],
        })
        steps = []
        for step in record.steps:
            result: dict[str, Any] = {"status": step.status, "duration": 0}
            if step.error:
                result["error_message"] = step.error
            entry: dict[str, Any] = {"keyword": step.keyword + " ", "name": step.name, "line": step.line,
                                     "match": {"location": "zonecheck.service.specs.vocabulary"}, "result": result}
            if step.table:
                entry["rows"] = [{"cells": row} for row in step.table]
            steps.append(entry)
        name = record.name + (f"（{record.example}）" if record.example else "")
        feature["elements"].append({
            "id": f"{feature['id']};{_slug(name)}", "keyword": "场景", "name": name, "line": record.line,
            "description": "", "type": "scenario", "steps": steps,
            "tags": [{"name": f"@{t}", "line": record.line - 1} for t in record.tags],
        })
    for broken in results.broken:
        features.setdefault(broken.file, {
            "uri": broken.file, "id": _slug(Path(broken.file).stem), "name": Path(broken.file).name,
            "keyword": "功能", "line": 1, "description": "", "tags": [], "elements": [],
        })["elements"].append({
            "id": f"{_slug(Path(broken.file).stem)};{broken.test}", "keyword": "场景", "name": "无法运行",
            "line": 1, "description": "", "type": "scenario", "tags": [],
            "steps": [{"keyword": "* ", "name": "解析该文件", "line": 1,
                       "result": {"status": "failed", "duration": 0, "error_message": broken.message}}],
        })
    return list(features.values())


CSS = """body{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em;color:#222}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}table{border-collapse:collapse;margin:.5em 0;width:100%}
td:first-child{min-width:16em}td:nth-child(2){white-space:nowrap}
td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top;font-size:.9em}
.passed{color:#17692f}.failed,.undefined,.gap{color:#b00020;font-weight:bold}.skipped{color:#888}
details{margin:.3em 0 .3em 1em}pre{background:#f6f6f6;padding:.5em;white-space:pre-wrap}"""


def page(results: Results) -> str:
    """A self-contained HTML page: per feature and scenario its status, the failing step and message,
    and the coverage table."""
    e = html.escape
    parts = [f"<!doctype html><html lang='zh-CN'><meta charset='utf-8'><title>验收规格运行报告</title>"
             f"<style>{CSS}</style><body><h1>验收规格运行报告</h1><p>{e(results.summary().splitlines()[-1])}</p>"]
    for broken in results.broken:
        parts.append(f"<h2>{e(Path(broken.file).name)}</h2><p class='failed'>无法运行</p><pre>{e(broken.message)}</pre>")
    by_file: dict[str, list[ScenarioRecord]] = {}
    for record in results.scenarios:
        by_file.setdefault(record.file, []).append(record)
    for file, records in by_file.items():
        parts.append(f"<h2>{e(Path(file).name)}：{e(records[0].feature)}</h2><table>"
                     "<tr><th>场景</th><th>结果</th><th>未通过的步骤</th></tr>")
        for record in records:
            failing = record.failing
            detail = ""
            if failing:
                detail = (f"<span class='{failing.status}'>第 {failing.line} 行 {e(failing.keyword)} {e(failing.name)}"
                          f"</span><pre>{e(failing.error or '')}</pre>")
            steps = "".join(f"<div class='{s.status}'>{e(s.keyword)} {e(s.name)} — {STATUS_ZH[s.status]}</div>"
                            for s in record.steps)
            name = record.name + (f"（{record.example}）" if record.example else "")
            parts.append(f"<tr><td>{e(name)}<details><summary>步骤</summary>{steps}</details></td>"
                         f"<td class='{record.outcome}'>{STATUS_ZH.get(record.outcome, record.outcome)}</td>"
                         f"<td>{detail}</td></tr>")
        parts.append("</table>")
    table = results.coverage()
    if table is not None:
        parts.append("<h2>规则覆盖（按通过场景的断言统计）</h2>"
                     f"<p>{e(coverage.as_text(table).splitlines()[-1])}</p><table><tr><th>规则</th><th>等级</th>"
                     "<th>违反</th><th>符合</th><th>不适用</th><th>无法判断</th><th>违反情形</th><th>缺少</th></tr>")
        for row in table:
            cells = "".join(f"<td title='{e('；'.join(row.asserted.get(s, [])))}'>{len(row.asserted.get(s, []))}</td>"
                            for s in ("violated", "satisfied", "not_applicable", "undetermined"))
            cases = "<br>".join(f"{e(c)}：{len(n)}" for c, n in row.cases.items()) or "—"
            gap = f"<td class='gap'>{e('、'.join(row.gaps))}</td>" if row.gaps else "<td class='passed'>—</td>"
            parts.append(f"<tr><td>{e(row.rule_id)} {e(row.title)}</td>"
                         f"<td>{coverage.SEVERITY_NAMES[row.severity]}</td>{cells}<td>{cases}</td>{gap}</tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "".join(parts)


def write(results: Results, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "cucumber.json").write_text(json.dumps(cucumber(results), ensure_ascii=False, indent=1), encoding="utf-8")
    (folder / "specs.html").write_text(page(results), encoding="utf-8")
    table = results.coverage()
    if table is not None:
        document = {"rules": [row.as_json() for row in table], "gaps": coverage.gaps(table)}
        (folder / "coverage.json").write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
