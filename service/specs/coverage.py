"""Which rules the specs exercise, counted from what passing scenarios asserted and produced.

The bar (CI): every veto or mandatory rule of the pack has a passing scenario asserting `违反` and one
asserting `符合` or `不适用`. It is computed from the pack at run time, so a new rule needs scenarios.
A rule that cannot be violated today, because every violation case reads a figure the pack does not ship
(no row, no default, in the pack or any zone), meets the first half with a passing `无法判断` instead: a
proposal that would break it comes out 需人工核查, and the scenario shows that.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from zonecheck.engine.pack.model import Pack, Rule, leaves
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
    figureless: bool = False  # every violation case reads a figure the pack does not ship

    @property
    def gaps(self) -> list[str]:
        """What the bar still lacks for this rule (empty when met or not barred)."""
        if self.severity not in BAR_SEVERITIES:
            return []
        missing = []
        if not self.asserted.get("violated") and not (self.figureless and self.asserted.get("undetermined")):
            missing.append("违反（无控制值时可为“无法判断”）" if self.figureless else "违反")
        if not (self.asserted.get("satisfied") or self.asserted.get("not_applicable")):
            missing.append("符合或不适用")
        return missing

    def as_json(self) -> dict[str, Any]:
        return {"rule_id": self.rule_id, "title": self.title, "severity": self.severity,
                "asserted": self.asserted, "produced": self.produced, "cases": self.cases, "gaps": self.gaps,
                "figureless": self.figureless}


def _figureless(pack: Pack, rule: Rule) -> bool:
    """Whether every violation case of a rule reads a parameter with no figure anywhere in the pack."""
    def shipped(name: str) -> bool:
        param = pack.parameters[name]
        return bool(param.rows or param.default or any(zone.rows.get(name) for zone in pack.zones.values()))

    def parameters(path: str) -> list[str]:  # the parameters a path reads, through indicators
        head, _, name = path.partition(".")
        if head == "par":
            return [name]
        if head == "ind":
            return [p for inner in pack.indicators[name].formula.paths for p in parameters(inner)]
        return []

    def reads_unshipped(case: Any) -> bool:
        paths = [p for leaf in leaves(case.when) for p in (leaf.path, leaf.ref) if p]
        return any(not shipped(name) for path in paths for name in parameters(path))

    return bool(rule.cases) and all(reads_unshipped(case) for case in rule.cases)


def measure(pack: Any, scenarios: list[Any]) -> list[RuleCoverage]:
    """Per rule of the pack: the passing scenarios that asserted or produced each outcome and case."""
    table = {rule.id: RuleCoverage(rule.id, rule.title["zh"], rule.severity, cases={case.id: [] for case in rule.cases},
                                   figureless=_figureless(pack, rule)) for rule in pack.rules}
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
