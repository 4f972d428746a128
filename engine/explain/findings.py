"""Findings: what durable_rules concluded for each rule, with the why, as data (no text).

The status of every finding comes from which durable rules fired. This module only explains it: the
values read, the assumptions, the facts to supply, the reason a rule is undetermined, and the exact
remedy figures. Views (`zonecheck.service.present`) turn a finding into words.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from zonecheck.engine.core.compiler import Compiled
from zonecheck.engine.core.facts import FactSet
from zonecheck.engine.explain.outcome import FROM_KIND, Reason, Status
from zonecheck.engine.explain.plan import RulePlan, plans
from zonecheck.engine.pack.model import Any_, Condition, Leaf, Not, Pack, Rule
from zonecheck.engine.contract.units import plain_text, quantize


_UNDETERMINED = Status.UNDETERMINED  # bound once: an enum member read off its class costs ~0.2 µs on 3.11


def plain(value: object) -> object:
    """JSON form of a fact value: exact decimals as text, everything else as is."""
    if isinstance(value, Decimal):
        return plain_text(value)
    if isinstance(value, tuple):
        return list(value)
    return value


class Shared(dict):  # type: ignore[type-arg]
    """A structured finding the pack made once and every verdict holds (no copy per verdict): it reads
    and serialises as a dict, and refuses changes (copy it with `dict(...)` to change it)."""

    __slots__ = ()

    def _refuse(self, *args: object, **kwargs: object) -> None:
        raise TypeError("this finding is shared by every verdict of the pack: copy it with dict(...) to change it")

    __setitem__ = __delitem__ = update = pop = popitem = setdefault = clear = __ior__ = _refuse  # type: ignore[assignment]

    def __reduce__(self) -> tuple[type, tuple[dict[str, Any]]]:  # pickled, deep-copied: a plain dict
        return dict, (dict(self),)

    def __copy__(self) -> dict[str, Any]:
        return dict(self)

    copy = __copy__  # type: ignore[assignment]


@dataclass(slots=True)
class Finding:  # not frozen: a frozen init costs a setattr call per field, on every finding
    """One rule's conclusion, as data. The values a rule read are the verdict's `values` (each once);
    a finding keeps only the values a rule default assumed in place of a missing fact."""

    plan: RulePlan
    status: Status
    severity: str
    case: str | None
    case_index: int | None
    reason: Reason | None
    missing: tuple[str, ...]
    assumed: dict[str, object]  # path -> JSON form of the value assumed, in path order
    remedies: dict[str, str]  # remedy value name -> exact figure (rounded as the pack states)
    fixed: dict[str, Any] | None = None  # the structured form (Shared), for a finding made once per pack

    @property
    def rule(self) -> Rule:
        return self.plan.rule

    @property
    def thresholds(self) -> list[dict[str, Any]]:
        """The parameters read, with the bound each sets (values in the verdict's `parameters`)."""
        return self.plan.thresholds(self.case_index)

    @property
    def citations(self) -> list[dict[str, Any]]:
        """References into the pack's sources."""
        return self.plan.citations

    def structured(self) -> dict[str, Any]:
        """The finding in the structured verdict: only what this screening decided."""
        if self.fixed is not None:
            return self.fixed  # made once per pack, read-only (Shared)
        out: dict[str, Any] = {"rule_id": self.plan.rule.id, "status": self.status}
        if self.case is not None:
            out["case"] = self.case
        if self.reason is not None:
            out["reason"] = self.reason
        if self.missing:
            out["missing_facts"] = list(self.missing)
        if self.assumed:
            out["values"] = self.assumed
            out["assumed"] = list(self.assumed)
        if self.remedies:
            out["remedy_values"] = self.remedies
        return out


class Explainer:
    def __init__(self, pack: Pack, compiled: Compiled):
        self.pack = pack
        self.plan = plans(pack)
        status_of = lambda kind: FROM_KIND.get(kind) or Status(kind)  # noqa: E731
        self.silent = [(status_of(compiled.silent[index]), None) for index in range(len(pack.rules))]
        self.outcomes = {name: (o.rule_index, (status_of(o.kind), o.case_index)) for name, o in compiled.outcomes.items()}
        self.unknown_at = {name: (o.rule_index, o.unknown) for name, o in compiled.outcomes.items() if o.unknown is not None}
        self.fixed = self._fixed()
        # what `findings` needs of each outcome, worked out once: (rule, status, case, the fixed finding or
        # None, the condition found unknown); per rule its silent outcome, per durable rule what it concludes
        self._silent_entries = [(index, status, case, self.fixed.get((index, status, case)), None)
                                for index, (status, case) in enumerate(self.silent)]
        self._entries = {name: (index, status, case, self.fixed.get((index, status, case)),
                                self.unknown_at.get(name, (None, None))[1])
                         for name, (index, (status, case)) in self.outcomes.items()}

    # --- status from what fired ----------------------------------------------------------------
    def statuses(self, fired: set[str]) -> list[tuple[Status, int | None]]:
        """(status, case index) per rule: what fired, or the rule's silent outcome."""
        return [(status, case) for _, status, case, _, _ in self._chosen(fired)]

    def findings(self, facts: FactSet, fired: set[str]) -> list[Finding]:
        """Each rule's finding: what fired (as `statuses`), made from facts only where it depends on them."""
        rules = self.plan.rules
        return [fixed or self.finding(rules[index], facts, status, case, unknown)
                for index, status, case, fixed, unknown in self._chosen(fired)]

    def _chosen(self, fired: set[str]) -> list[tuple[int, Status, int | None, Finding | None, int | None]]:
        """Per rule the entry of what fired (or of its silent outcome); two outcomes of one rule at once
        are an engine fault."""
        silent = self._silent_entries
        chosen = list(silent)
        entries = self._entries
        for name in fired:
            entry = entries.get(name)
            if entry is None:
                continue  # the always-rule
            index = entry[0]
            earlier = chosen[index]
            if earlier is not silent[index]:  # two durable rules of one rule fired: they must agree
                if earlier[1:3] != entry[1:3]:
                    raise RuntimeError(f"{self.pack.rules[index].id}: durable_rules concluded "
                                       f"{sorted(map(str, (earlier[1:3], entry[1:3])))} at once")
                continue
            chosen[index] = entry
        return chosen

    # --- one finding ---------------------------------------------------------------------------
    def finding(self, plan: RulePlan, facts: FactSet, status: Status, case_index: int | None,
                unknown: int | None = None) -> Finding:
        """`unknown`: for an undetermined finding, which condition durable_rules found unknown."""
        rule = plan.rule
        assumed: dict[str, object] = {}
        reason, missing = None, ()
        flat = plan.unknown_leaves[unknown] if unknown is not None and not plan.has_defaults else None
        if flat is not None and status is _UNDETERMINED:  # no walk: its comparisons with a value missing
            get = facts.values.get
            reason, missing = self.why_undetermined(
                [leaf for leaf in flat if get(leaf.path) is None or (leaf.ref is not None and get(leaf.ref) is None)], facts)
        elif plan.has_defaults or status is _UNDETERMINED:  # only then is there anything to name
            walk = _Walk(rule, facts)
            assumed = {path: plain(walk.assumed[path]) for path in sorted(walk.assumed)}
            if status is _UNDETERMINED:
                reason, missing = self.why_undetermined(walk.unknownleaves(), facts)
        if case_index is None:
            return Finding(plan, status, rule.severity, None, None, reason, missing, assumed, {})
        case = rule.cases[case_index]
        remedies = self.remedy_values(rule, facts) if case.remedy else {}
        return Finding(plan, status, case.severity, case.id, case_index, reason, missing, assumed, remedies)

    def _fixed(self) -> dict[tuple[int, Status, int | None], Finding]:
        """The findings that are the same whatever the facts: a rule without defaults that concluded
        anything but undetermined, in a case without remedy figures (most findings of a screening)."""
        fixed = {}
        for index, plan in enumerate(self.plan.rules):
            if plan.has_defaults:
                continue
            rule = plan.rule
            for status in (Status.SATISFIED, Status.NOT_APPLICABLE):
                fixed[(index, status, None)] = Finding(plan, status, rule.severity, None, None, None, (), {}, {})
            for case_index, case in enumerate(rule.cases):
                if not case.remedy:  # a case is only ever concluded violated
                    fixed[(index, Status.VIOLATED, case_index)] = Finding(plan, Status.VIOLATED, case.severity, case.id,
                                                                          case_index, None, (), {}, {})
        for finding in fixed.values():
            finding.fixed = Shared(finding.structured())
        return fixed

    def remedy_values(self, rule: Rule, facts: FactSet) -> dict[str, str]:
        computed: dict[str, str] = {}
        for remedy in rule.remedy_values:
            exact = remedy.formula.evaluate_exact(facts.values)
            if exact is not None:
                computed[remedy.name] = plain(quantize(exact, remedy.rounding, remedy.places))  # type: ignore[assignment]
        return computed

    def why_undetermined(self, leaves: list[Leaf], facts: FactSet) -> tuple[Reason, tuple[str, ...]]:
        missing: list[str] = []
        no_threshold = False
        for leaf in leaves:
            for path in (leaf.path, leaf.ref):
                if path is None:
                    continue
                for fact in self.inputs(path, facts):
                    if fact.startswith("par."):
                        no_threshold = True
                    elif fact not in missing:
                        missing.append(fact)
        if no_threshold:
            return Reason.NO_THRESHOLD, ()
        return Reason.MISSING_FACTS, tuple(missing)

    def inputs(self, path: str, facts: FactSet) -> list[str]:
        """The missing proposal facts (or `par.X` with no value in force) behind a missing path."""
        if path in facts.values:
            return []
        head, _, name = path.partition(".")
        if head == "ind":
            found: list[str] = []
            for inner in self.pack.indicators[name].formula.paths:
                found += [p for p in self.inputs(inner, facts) if p not in found]
            return found or [path]  # every input present: a division by zero
        if head == "par":
            resolved = facts.params[name]
            if resolved.status == "no_value":
                return [path]
            return list(resolved.missing)
        return [path]

    def values(self, facts: FactSet) -> dict[str, object]:
        """Every fact and indicator value the rules read, once (many rules read the site area), in the
        order the rules first read them, as JSON forms; missing ones are left out (a value a rule
        default assumed stays with its finding)."""
        read: dict[str, object] = {}
        present = facts.values
        for path in self.plan.read_paths:
            value = present.get(path)
            if value is None:
                continue
            kind = type(value)  # plain(), inline: this runs for some 50 values of every screening
            read[path] = plain_text(value) if kind is Decimal else list(value) if kind is tuple else value
        return read

    # --- parameters ----------------------------------------------------------------------------
    def parameters(self, facts: FactSet) -> dict[str, dict[str, Any]]:
        """Each parameter a rule reads, as resolved for this zone, date and key facts: referenced rows."""
        kept = facts.parameters.tables  # the same for every proposal with the same parameters in force
        if kept is None:
            kept = facts.parameters.tables = {name: self.parameter_entry(name, facts) for name in self.plan.param_names}
        return kept  # type: ignore[return-value]

    def parameter_entry(self, name: str, facts: FactSet) -> dict[str, Any]:
        resolved = facts.params[name]
        entry: dict[str, Any] = {"status": resolved.status}
        if resolved.status == "ok":
            entry["value"] = plain(resolved.value)
            entry["decided_by"] = resolved.decided_by
            entry["row"] = self.plan.row_ref(resolved.row)  # type: ignore[arg-type]
            if resolved.overruled is not None:
                entry["not_applied"] = self.plan.row_ref(resolved.overruled)
        return entry


_COMPARE = {"lt": operator.lt, "le": operator.le, "gt": operator.gt, "ge": operator.ge}


class _Walk:
    """Three-valued reading of a rule, used only to name what is unknown and what was assumed."""

    def __init__(self, rule: Rule, facts: FactSet):
        self.rule = rule
        self.values = facts.values
        self.assumed: dict[str, object] = {}
        for default in rule.defaults:
            if default.fact not in self.values and self.truth(default.when)[0] is True:
                self.assumed[default.fact] = default.value

    def get(self, path: str | None) -> object:
        if path is None:
            return None
        return self.values.get(path, self.assumed.get(path))

    def truth(self, node: Condition) -> tuple[bool | None, list[Leaf]]:
        if isinstance(node, Leaf):
            value = self.leaf(node)
            return value, [node] if value is None else []
        if isinstance(node, Not):
            value, unknown = self.truth(node.child)
            return (None if value is None else not value), unknown
        results = [self.truth(child) for child in node.children]
        decisive = isinstance(node, Any_)  # any: one true decides; all: one false decides
        if any(value is decisive for value, _ in results):
            return decisive, []
        unknown = [leaf for value, leaves in results if value is None for leaf in leaves]
        return (None, unknown) if unknown else (not decisive, [])

    def leaf(self, leaf: Leaf) -> bool | None:
        value = self.get(leaf.path)
        if leaf.op == "exists":
            return (value is not None) == leaf.operand
        if value is None:
            return None
        if leaf.op == "in":
            return value in leaf.operand  # type: ignore[operator]
        if leaf.op == "not_in":
            return value not in leaf.operand  # type: ignore[operator]
        if leaf.op == "contains_any":
            return any(item in value for item in leaf.operand)  # type: ignore[union-attr,operator]
        other = self.get(leaf.ref) if leaf.ref else leaf.operand
        if other is None:
            return None
        if leaf.op == "eq":
            return value == other
        if leaf.op == "ne":
            return value != other
        return _COMPARE[leaf.op](value, other)

    def unknownleaves(self) -> list[Leaf]:
        if self.rule.applies_when is not None:
            value, unknown = self.truth(self.rule.applies_when)
            if value is None:
                return unknown
            if value is False:
                return []
        for case in self.rule.cases:
            value, unknown = self.truth(case.when)
            if value is None:
                return unknown
            if value is True:
                return []
        return []
