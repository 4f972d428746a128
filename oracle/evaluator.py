"""The reference evaluator: reads a pack itself and evaluates proposals (docs/rule-format.md 6).

    ev = ReferenceEvaluator(pathlib.Path("rules"), "national")
    result = ev.evaluate(proposal_json, as_of=None)

It shares no code with engine/ and is both the correctness oracle and the speed floor: conditions
and formulas are compiled to closures once; an evaluation reads the facts the pack uses, then
computes indicators and parameters on first use.
"""

from __future__ import annotations

import datetime as dt
import pathlib
from decimal import Decimal
from typing import Any

from .conditions import PackError
from .pack import Pack, Rule, reader_for
from .params import OK
from .units import to_decimal

VIOLATED = "violated"
SATISFIED = "satisfied"
NOT_APPLICABLE = "not_applicable"
UNDETERMINED = "undetermined"
MISSING_FACTS = "missing_facts"
NO_THRESHOLD = "no_threshold"


def decide(findings: dict[str, dict]) -> str:
    """Spec 6.5. The severity looked at is the finding's: the case's for a violation, the rule's
    otherwise.

    AMBIGUITY RESOLVED: "advisory findings never change the decision" is applied to the finding's
    severity, so an advisory case of a mandatory rule does not count, and a veto case of an
    advisory rule does."""
    veto = mandatory = incomplete = review = condition = False
    for f in findings.values():
        status = f["status"]
        if status == VIOLATED:
            sev = f["severity"]
            if sev == "veto":
                veto = True
            elif sev == "mandatory":
                mandatory = True
            elif sev == "condition":
                condition = True
        elif status == UNDETERMINED and f["severity"] != "advisory":
            if f["reason"] == MISSING_FACTS:
                incomplete = True
            elif f["reason"] == NO_THRESHOLD:
                review = True
    if veto:
        return "rejected"
    if mandatory:
        return "revise"
    if incomplete:
        return "incomplete"
    if review:  # a binding rule left unchecked for want of a control value (spec 6.5)
        return "needs_review"
    if condition:
        return "conditional"
    return "approved"


class ReferenceEvaluator:
    def __init__(self, rules_dir: pathlib.Path, pack_id: str = "national"):
        self.pack = Pack(pathlib.Path(rules_dir), pack_id)
        self.pack_id = self.pack.id
        comp = self.pack.compiler
        self._compiler = comp
        self._rules: list[Rule] = self.pack.rules
        self._zones = self.pack.zones
        # Per section: [(path, field, kind, reader)] for every proposal fact the pack reads.
        # kind 0: text-like (enum / code / text), taken as given after a type check; 1: number;
        # 2: boolean; 3: anything else, through its reader.
        sections: dict[str, list] = {}
        for path in self.pack.facts_used:
            section, field = path.split(".", 1)
            typ = comp.facts[path]
            kind = {"enum": 0, "code": 0, "text": 0, "number": 1, "boolean": 2}.get(typ.kind, 3)
            sections.setdefault(section, []).append((path, field, kind, reader_for(typ)))
        self._sections = [(section, tuple(fields)) for section, fields in sections.items()]
        used = set(self.pack.facts_used)
        # zone id -> (blank values with zone facts, [(path, value)] fact defaults for this pack)
        self._blank = {}
        self._zone_facts = {}
        for zid, z in self._zones.items():
            blank = {"@zone": zid, "zone.region": z.region, "zone.id": z.id}
            blank.update((p, None) for p in self.pack.facts_used)
            self._blank[zid] = blank
            self._zone_facts[zid] = tuple((p, v) for p, v in z.fact_defaults.items() if p in used)
        # (zone id, screening date) -> memo of parameter selections (see Parameter.resolve)
        self._memos: dict[tuple, dict] = {}
        # rules as flat tuples for the hot loop
        self._plan = tuple(
            (
                rule.id,
                rule.severity,
                rule.applies.fn if rule.applies is not None else None,
                rule.applies,
                rule if rule.defaults else None,
                tuple((case, csev, when.fn, when) for case, csev, when in rule.cases),
            )
            for rule in self._rules
        )

    # -- reading a proposal -------------------------------------------------------------------

    def _values(self, proposal: dict, as_of: dt.date | None) -> dict:
        zone_id = proposal.get("zone")
        zone = self._zones.get(zone_id)
        if zone is None:
            raise ValueError(f"unknown zone {zone_id!r} (no rules/zones/{zone_id}.yaml)")
        if as_of is None:
            as_of = proposal.get("submitted_on")
            if isinstance(as_of, str):
                as_of = dt.date.fromisoformat(as_of)
            elif isinstance(as_of, dt.datetime):
                as_of = as_of.date()
            elif not isinstance(as_of, dt.date):
                raise ValueError(f"submitted_on must be a date, got {as_of!r}")
        elif isinstance(as_of, dt.datetime):
            as_of = as_of.date()
        elif isinstance(as_of, str):
            as_of = dt.date.fromisoformat(as_of)
        vals: dict[str, Any] = self._blank[zone_id].copy()
        vals["@date"] = as_of
        memo = self._memos.get((zone_id, as_of))
        if memo is None:
            if len(self._memos) > 4096:
                self._memos.clear()
            memo = self._memos[(zone_id, as_of)] = {}
        vals["@memo"] = memo
        numbers = _NUMBERS
        for section, fields in self._sections:
            sec = proposal.get(section)
            if not sec:
                continue
            for path, field, kind, read in fields:
                raw = sec.get(field)
                if raw is None:
                    continue
                if kind == 1:
                    value = numbers.get(raw) if type(raw) is str else None
                    if value is None:
                        value = _read_number(raw, path)
                elif kind == 0:
                    if type(raw) is not str:
                        raise ValueError(f"proposal {path}: expected text, got {raw!r}")
                    value = raw
                elif kind == 2:
                    if type(raw) is not bool:
                        raise ValueError(f"proposal {path}: expected true/false, got {raw!r}")
                    value = raw
                else:
                    try:
                        value = read(raw)
                    except ValueError as exc:
                        raise ValueError(f"proposal {path}: {exc}") from None
                vals[path] = value
        for path, value in self._zone_facts[zone_id]:
            if vals[path] is None:  # zone profile facts fill absent proposal facts
                vals[path] = value
        return vals

    # -- evaluation ---------------------------------------------------------------------------

    def evaluate(self, proposal: dict, as_of: dt.date | None = None) -> dict:
        vals = self._values(proposal, as_of)
        findings: dict[str, dict] = {}
        explain = self._compiler.explain
        for rule_id, severity, applies_fn, applies, rule, cases in self._plan:
            v = vals if rule is None else _apply_defaults(rule, vals)
            status = SATISFIED
            case_id = None
            unknown_node = None
            r = True if applies_fn is None else applies_fn(v)
            if r is False:
                status = NOT_APPLICABLE
            elif r is None:
                status = UNDETERMINED
                unknown_node = applies
            else:
                for case, csev, when_fn, when in cases:
                    r = when_fn(v)
                    if r is False:
                        continue
                    if r is True:
                        status = VIOLATED
                        case_id = case
                        severity = csev
                    else:
                        status = UNDETERMINED
                        unknown_node = when
                    break
            if status == UNDETERMINED:
                missing: list[str] = []
                flags = [False]
                explain(unknown_node, v, missing, flags)
                if flags[0]:
                    findings[rule_id] = {
                        "status": UNDETERMINED, "case": None, "severity": severity,
                        "reason": NO_THRESHOLD, "missing_facts": [],
                    }
                else:
                    # AMBIGUITY RESOLVED: an unknown caused only by a division by zero (every input
                    # present) is reported as missing_facts with an empty list.
                    findings[rule_id] = {
                        "status": UNDETERMINED, "case": None, "severity": severity,
                        "reason": MISSING_FACTS, "missing_facts": missing,
                    }
            else:
                findings[rule_id] = {
                    "status": status, "case": case_id, "severity": severity,
                    "reason": None, "missing_facts": [],
                }
        return {"decision": decide(findings), "findings": findings}

    # -- debugging / testing helpers ----------------------------------------------------------

    def _all_values(self, proposal: dict, as_of: dt.date | None) -> dict:
        """Like _values, but every catalogue fact is read (ad-hoc conditions may name facts the
        pack itself never reads)."""
        vals = self._values(proposal, as_of)
        zone_defaults = self._zones[vals["@zone"]].fact_defaults
        for path, typ in self._compiler.facts.items():
            if path in vals:
                continue
            section, field = path.split(".", 1)
            raw = (proposal.get(section) or {}).get(field)
            if raw is None:
                raw = zone_defaults.get(path)
                vals[path] = raw
            else:
                vals[path] = reader_for(typ)(raw)
        return vals

    def condition(self, condition: dict, proposal: dict, as_of: dt.date | None = None) -> bool | None:
        """Evaluate one ad-hoc condition (compiled against this pack) for a proposal."""
        node = self._compiler.compile_condition(condition, where="ad-hoc condition")
        return node.fn(self._all_values(proposal, as_of))

    def explain_condition(self, condition: dict, proposal: dict, as_of: dt.date | None = None) -> tuple:
        """(value, reason, missing_facts) for an ad-hoc condition, as a rule would report it."""
        node = self._compiler.compile_condition(condition, where="ad-hoc condition")
        vals = self._all_values(proposal, as_of)
        value = node.fn(vals)
        if value is not None:
            return value, None, []
        missing: list[str] = []
        flags = [False]
        self._compiler.explain(node, vals, missing, flags)
        return None, (NO_THRESHOLD if flags[0] else MISSING_FACTS), ([] if flags[0] else missing)

    def parameter(self, name: str, proposal: dict, as_of: dt.date | None = None) -> dict:
        """How parameter ``name`` resolves for a proposal: status ok|missing_key|ambiguous|
        no_value, value, side (national|zone|default) and source, missing_facts."""
        par = self._compiler.parameters.get(name)
        if par is None:
            raise PackError(f"unknown parameter {name!r}")
        vals = self._values(proposal, as_of)
        status, value, info = par.resolve(vals)
        names = {OK: "ok", 1: "missing_key", 2: "ambiguous", 3: "no_value"}
        out = {"status": names[status], "value": value, "side": None, "source": None, "missing_facts": []}
        if status == OK:
            out["side"], out["source"] = info
        elif info:
            out["missing_facts"] = list(info)
        return out

    def indicator(self, name: str, proposal: dict, as_of: dt.date | None = None):
        vals = self._values(proposal, as_of)
        return self._compiler.getter("ind." + name)(vals)


_NUMBERS: dict[str, Decimal] = {}


def _read_number(raw: object, path: str) -> Decimal:
    """Proposal number -> Decimal rounded to 6 places; text forms are memoised (bounded)."""
    try:
        value = to_decimal(raw)
    except ValueError as exc:
        raise ValueError(f"proposal {path}: {exc}") from None
    if type(raw) is str:
        if len(_NUMBERS) > 65536:
            _NUMBERS.clear()
        _NUMBERS[raw] = value
    return value


def _apply_defaults(rule: Rule, vals: dict) -> dict:
    """Spec 6.3: in order, a missing fact whose default's `when` is true takes the value, for this
    rule only (copy on write; memoised indicators / parameters that depend on it are forgotten)."""
    v = vals
    for fact, value, when, dependents in rule.defaults:
        if v[fact] is None and when.fn(v) is True:
            if v is vals:
                v = dict(vals)
            for p in dependents:
                v.pop(p, None)
                v.pop("!" + p, None)
            v[fact] = value
    return v
