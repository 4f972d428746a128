"""Which rules the specs exercise, counted from what passing scenarios asserted and produced.

The bar (CI): every veto or mandatory rule of the pack has a passing scenario asserting `违反` and one
asserting `符合` or `不适用`. It is computed from the pack at run time, so a new rule needs scenarios.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from zonecheck.service.specs.verdict_view import STATUS_NAMES

BAR_SEVERITIES = ("veto", "mandatory")
SEVERITY_NAMES = {"veto": "否决项", "mandatory": "须修改项", "condition": "附加条件", "advisory": "提示"}


@dataclass
class RuleCoverage:
    rule_id: str
    title: str
    severity: str
    asserted: dict[str, list[str]] = field(default_factory=dict)  # status -> scenarios asserting it (passing)
    produced: dict[str, list[str]] = field(default_factory=dict)  # status -> scenarios where it came out
    cases: dict[str, list[str]] = field(default_factory=dict)  # violation case -> scenarios producing it

    @property
    def gaps(self) -> list[str]:
        """What the bar still lacks for this rule (empty when met or not barred)."""
        if self.severity not in BAR_SEVERITIES:
            return []
        missing = []
        if not self.asserted.get("violated"):
            missing.append("违反")
        if not (self.asserted.get("satisfied") or self.asserted.get("not_applicable")):
            missing.append("符合或不适用")
        return missing

    def as_json(self) -> dict[str, Any]:
        return {"rule_id": self.rule_id, "title": self.title, "severity": self.severity,
                "asserted": self.asserted, "produced": self.produced, "cases": self.cases, "gaps": self.gaps}


def measure(pack: Any, scenarios: list[Any]) -> list[RuleCoverage]:
    """Per rule of the pack: the passing scenarios that asserted or produced each outcome and case."""
    table = {rule.id: RuleCoverage(rule.id, rule.title["zh"], rule.severity,
                                   cases={case.id: [] for case in rule.cases}) for rule in pack.rules}
    for record in scenarios:
        if record.outcome != "passed":
            continue
        name = record.title
        for rule_id, status in record.asserted:
            if rule_id in table:
                _add(table[rule_id].asserted, status, name)
        for outcomes in record.produced:
            for rule_id, (status, case) in outcomes.items():
                if rule_id not in table:
                    continue
                _add(table[rule_id].produced, status, name)
                if status == "violated" and case:
                    _add(table[rule_id].cases, case, name)
    return list(table.values())


def _add(into: dict[str, list[str]], key: str, name: str) -> None:
    names = into.setdefault(key, [])
    if name not in names:
        names.append(name)


def gaps(table: list[RuleCoverage]) -> list[str]:
    """The bar's shortfalls, one Chinese line per rule."""
    return [f"{row.rule_id}（{SEVERITY_NAMES[row.severity]}，{row.title}）缺少通过的“{'”和“'.join(row.gaps)}”断言"
            for row in table if row.gaps]


def as_text(table: list[RuleCoverage]) -> str:
    """The coverage table for a terminal."""
    lines = []
    for row in table:
        counts = "；".join(f"{STATUS_NAMES[s]} {len(row.asserted.get(s, []))}" for s in STATUS_NAMES)
        cases = "、".join(f"{c}{'✓' if names else '✗'}" for c, names in row.cases.items()) or "—"
        flag = f"  ← 缺少：{'、'.join(row.gaps)}" if row.gaps else ""
        lines.append(f"{row.rule_id}（{SEVERITY_NAMES[row.severity]}）断言：{counts}；情形：{cases}{flag}")
        for status, names in row.asserted.items():
            lines.append(f"    {STATUS_NAMES[status]}：{'；'.join(names)}")
    barred = [r for r in table if r.severity in BAR_SEVERITIES]
    met = [r for r in barred if not r.gaps]
    lines.append(f"否决项和须修改项规则：{len(met)}/{len(barred)} 达标（各有通过的“违反”和“符合/不适用”断言）")
    return "\n".join(lines)
