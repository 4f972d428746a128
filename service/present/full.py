"""The full verdict document (schema 1.x, docs/verdict.md): the structured verdict plus the pack's
titles, citations, source and threshold tables and the messages, in the languages asked for.

A pure function of (structured verdict, pack): a stored structured verdict renders the same bytes as
a fresh screening. Fields are only ever added within 1.x; `message` is always a `{lang: text}` map.
What depends on the pack alone (titles, labels, fixed messages, thresholds, citations, tables) is made
once and shared by every document: read a document, never edit it in place.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Callable, NamedTuple

import orjson

from zonecheck.engine.contract.proposal import FACTS, display_choice, label_for
from zonecheck.engine.contract.units import NUMERIC_UNITS, format_number_text, format_value, plain_text
from zonecheck.engine.explain.findings import Shared
from zonecheck.engine.explain.outcome import Reason, Severity, Status
from zonecheck.engine.explain.plan import PackPlan, RulePlan, plans
from zonecheck.engine.explain.verdict import Verdict
from zonecheck.engine.pack.loader import PLACEHOLDER
from zonecheck.engine.pack.model import Pack, Row
from zonecheck.service.present import catalogue
from zonecheck.service.present.catalogue import LANGS, pick

SCHEMA_VERSION = "1.1"
# members bound once: an enum member read off its class costs ~0.2 µs on Python 3.11, per finding here
_VIOLATED, _SATISFIED, _UNDETERMINED = Status.VIOLATED, Status.SATISFIED, Status.UNDETERMINED
_MISSING, _NO_THRESHOLD, _ADVISORY = Reason.MISSING_FACTS, Reason.NO_THRESHOLD, Severity.ADVISORY
Lookup = Callable[[str, str], str]  # (path, lang) -> text
Message = tuple[dict[str, str], dict[str, str] | None]  # a finding's message and remedy


class PackMismatch(ValueError):
    """A structured verdict rendered with another pack than the one that made it."""


def unit_of(pack: Pack, path: str) -> str | None:
    head, _, name = path.partition(".")
    if head == "ind":
        return pack.indicators[name].unit
    if head == "par":
        return pack.parameters[name].unit
    spec = FACTS.get(path)
    return spec.unit if spec else None


def typed(pack: Pack, path: str, value: object) -> object:
    """A value from its JSON form back to what the engine held: decimals from their text, lists as tuples."""
    if isinstance(value, list):
        return tuple(value)
    if isinstance(value, str):
        head, _, name = path.partition(".")
        spec = FACTS.get(path)
        if head == "ind" or (head == "par" and pack.parameters[name].unit in NUMERIC_UNITS) or (spec and spec.kind == "number"):
            return Decimal(value)
    return value


_SPLIT: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {}


def fill(template: str, lookup: Callable[[str], str]) -> str:
    split = _SPLIT.get(template)
    if split is None:  # a pack's templates are few: each is split once
        parts = PLACEHOLDER.split(template)  # text, path, text, path, ...
        split = _SPLIT[template] = (parts[0], tuple(zip(parts[1::2], parts[2::2])))
    text = split[0]
    for path, after in split[1]:
        text += lookup(path) + after
    return text


_INFO: dict[int, dict[str, tuple[bool, str | None, bool, int]]] = {}  # pack -> path -> `Screening.info`
_PAR_VALUES: dict[tuple[int, int], tuple[Pack, dict[str, Any], dict[str, object], dict[str, tuple[str, bytes]]]] = {}


def _par_values(pack: Pack, parameters: dict[str, dict[str, Any]]) -> tuple[dict[str, object], dict[str, tuple[str, bytes]]]:
    """par.<name> -> the value in force, typed, and (filled as messages show them) its exact text. A fresh
    verdict shares its parameter table with every proposal like it, so both are kept for that table
    (checked by identity, never by id alone)."""
    key = (id(pack), id(parameters))
    found = _PAR_VALUES.get(key)
    if found is not None and found[0] is pack and found[1] is parameters:
        return found[2], found[3]
    values = {f"par.{name}": typed(pack, f"par.{name}", e["value"]) for name, e in parameters.items() if e["status"] == "ok"}
    if len(_PAR_VALUES) >= 256:
        _PAR_VALUES.clear()
    _PAR_VALUES[key] = (pack, parameters, values, {})
    return values, _PAR_VALUES[key][3]


# (unit, a number's JSON text) -> its exact text for people, and that text inside a JSON string
_NUMBERS: dict[tuple[str | None, str], tuple[str, bytes]] = {}


def _number(text: str, unit: str | None) -> tuple[str, bytes]:
    key = (unit, text)
    shown = _NUMBERS.get(key)
    if shown is None:
        made = format_number_text(text, unit)
        shown = _keep(_NUMBERS, key, (made, _in_json(made)), 4096)
    return shown


def number_text(text: str, unit: str | None) -> str:
    """A number given as its JSON text, as messages show it (`format_value`), kept for the next like it."""
    return _number(text, unit)[0]


def _in_json(text: str) -> bytes:
    """`text` as it stands inside a JSON string."""
    return orjson.dumps(text)[1:-1]


# how a template's path is read (`Screening.info`)
_PLAIN, _NUMBER, _CODED, _PAR, _REMEDY_VALUE = range(5)


class Screening:
    """One structured verdict read against its pack: typed values, parameters in force, rows."""

    def __init__(self, structured: dict[str, Any], pack: Pack):
        if structured["pack"]["hash"] != pack.hash:
            raise PackMismatch(f"verdict made with pack {structured['pack']['hash']}, rendered with {pack.hash}")
        self.doc = structured
        self.pack = pack
        self.plan: PackPlan = plans(pack)
        self.zone = pack.zones[structured["zone"]["id"]]
        self.parameters: dict[str, dict[str, Any]] = structured["parameters"]
        self.par_values, self._par_text = _par_values(pack, self.parameters)
        self.read = structured.get("values", {})  # each finding reads from the verdict's values, its own assumed ones first
        by_id = self.plan.by_id
        findings = structured["findings"]
        self.rows = [(by_id[f["rule_id"]], f) for f in findings]  # (plan, structured finding)
        self._text: dict[str, str] = {}  # path (or "lang:path" if coded) -> exact text: rules read the same facts
        self._info = _INFO.setdefault(id(pack), {})

    def values_of(self, finding: dict[str, Any]) -> dict[str, Any]:
        """What a finding read: the verdict's values (as they are, when the finding assumed none) and its own."""
        own = finding.get("values")
        return {**self.read, **own} if own else self.read

    @property
    def findings(self) -> list[tuple[RulePlan, dict[str, Any]]]:
        """(plan, finding with every value it read under `values`), for views that read findings whole."""
        return [(plan, {**f, "values": self.values_of(f)}) for plan, f in self.rows]

    def row(self, parameter: str, ref: str) -> Row:
        return self.plan.row(parameter, ref, self.zone.id)

    def case_index(self, plan: RulePlan, finding: dict[str, Any]) -> int | None:
        case = finding.get("case")
        return None if case is None else plan.case_indices[case]

    def severity(self, plan: RulePlan, finding: dict[str, Any]) -> str:
        index = self.case_index(plan, finding)
        return plan.rule.cases[index].severity if index is not None else plan.rule.severity

    def info(self, path: str) -> tuple[bool, str | None, bool, int]:
        """(numeric, unit, coded, how a template reads it) of a path: worked out once per pack."""
        found = self._info.get(path)
        if found is None:
            head, _, name = path.partition(".")
            if head == "remedy":
                found = self._info[path] = (True, None, False, _REMEDY_VALUE)
                return found
            spec = FACTS.get(path)
            numeric = head == "ind" or (head == "par" and self.pack.parameters[name].unit in NUMERIC_UNITS) or bool(
                spec and spec.kind == "number")
            coded = bool(spec and spec.choice_labels)
            kind = _PAR if head == "par" else _CODED if coded else _NUMBER if numeric else _PLAIN
            found = self._info[path] = (numeric, unit_of(self.pack, path), coded, kind)
        return found

    def exact(self, finding: dict[str, Any], values: dict[str, Any] | None = None) -> Callable[[str], Callable[[str], str]]:
        """Template lookups with the exact figures (the full document's messages), per language; `values`:
        what the finding read, if `finding` is the structured one (else its own `values`)."""
        values, assumed = finding["values"] if values is None else values, finding.get("assumed", ())
        text = self.text

        def for_lang(lang: str) -> Callable[[str], str]:
            return lambda path: text(path, lang, finding, values, assumed)
        return for_lang

    def text(self, path: str, lang: str, finding: dict[str, Any], values: dict[str, Any], assumed: Any) -> str:
        """A template's path as the full document's messages show it, with its exact figure."""
        numeric, unit, coded, kind = self.info(path)
        if kind == _NUMBER and path not in assumed:  # the common case, kept by its text across verdicts
            value = values.get(path)
            if type(value) is str:
                return number_text(value, unit)
        elif kind == _PAR:
            return self.par_text(path, unit)[0]
        elif kind == _REMEDY_VALUE:
            return self.remedy_text(path, finding)[0]
        key = f"{lang}:{path}" if coded else path  # only coded values read differently by language
        text = self._text.get(key) if path not in assumed else None
        if text is not None:
            return text
        value = self.par_values.get(path) if path.startswith("par.") else values.get(path)
        if numeric and isinstance(value, str):
            value = Decimal(value)
        elif isinstance(value, list):
            value = tuple(value)
        if path in assumed or coded:
            value = display_choice(path, value, lang)
        text = format_value(value, unit)
        if path not in assumed:
            self._text[key] = text
        return text

    def par_text(self, path: str, unit: str | None) -> tuple[str, bytes]:
        """A parameter in force as messages show it (and inside a JSON string), made once per parameter table."""
        found = self._par_text.get(path)
        if found is None:
            text = format_value(self.par_values.get(path), unit)
            found = self._par_text[path] = (text, _in_json(text))
        return found

    def remedy_text(self, path: str, finding: dict[str, Any]) -> tuple[str, bytes]:
        """A remedy's figure (`remedy.<name>`) as messages show it (and inside a JSON string)."""
        remedy = self.plan.by_id[finding["rule_id"]].remedies[path[7:]]
        found = finding.get("remedy_values", {}).get(remedy.name)
        return ("—", _in_json("—")) if found is None else _number(found, remedy.unit)

    def message(self, plan: RulePlan, finding: dict[str, Any], langs: tuple[str, ...],
                lookups: Callable[[str], Callable[[str], str]]) -> Message:
        """A finding's message and remedy, filled by `lookups` (exact or rounded for people)."""
        rule, status = plan.rule, finding["status"]
        index = self.case_index(plan, finding)

        def filled(text: dict[str, str] | None) -> dict[str, str]:
            return {lang: fill(body, lookups(lang)) for lang, body in (text or {}).items() if lang in langs}

        if status == _VIOLATED:
            message = filled(rule.cases[index].message)  # type: ignore[index]
        elif status == _UNDETERMINED:
            if finding.get("reason") == _NO_THRESHOLD:
                message = pick(catalogue.NO_THRESHOLD_MESSAGE, langs)  # type: ignore[assignment]
            else:
                ask = catalogue.ask_to_supply(finding.get("missing_facts", []), _Labels())
                lead = filled(rule.undetermined) if rule.undetermined else {}
                message = {lang: f"{lead[lang]} {ask[lang]}" if lead else ask[lang] for lang in langs}
        else:
            message = filled(rule.satisfied if status == _SATISFIED else rule.not_applicable)
        remedy = None
        if index is not None and rule.cases[index].remedy:
            remedy = filled(rule.cases[index].remedy)
        return message, remedy  # type: ignore[return-value]


class _Labels(dict):  # type: ignore[type-arg]
    """path -> Chinese label, looked up lazily (the catalogue's summary and messages take a mapping)."""

    def __missing__(self, path: str) -> str:
        return label_for(path)


def missing_entry(path: str, langs: tuple[str, ...]) -> dict[str, Any]:
    entry: dict[str, Any] = {"path": path, "label": label_for(path)}
    if path == "project.industry_code":  # required, so present: missing means too short to pick a value
        entry["hint"] = pick(catalogue.AMBIGUOUS_CODE_HINT, langs)
    return entry


def _row_json(row: Row) -> dict[str, Any]:
    return {
        "source": row.source.id,
        "confidence": row.source.confidence,
        "side": row.side,
        "valid_from": row.valid_from.isoformat() if row.valid_from else None,
        "valid_to": row.valid_to.isoformat() if row.valid_to else None,
        "as_written": format_value(row.original, row.source_unit),
        "note": row.note,
    }


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return plain_text(value)
    return value


_TABLES: dict[tuple[int, int, tuple[str, ...]], tuple[object, tuple[Any, Any], tuple[orjson.Fragment, orjson.Fragment]]] = {}


def tables(s: Screening, langs: tuple[str, ...], raw: bool = False) -> tuple[Any, Any]:
    """The threshold and source tables: the same for every verdict whose parameters are the same object (a
    fresh screening shares its parameter set with every proposal like it), so made once for those, as
    data and as ready JSON (`raw`)."""
    key = (id(s.pack), id(s.parameters), langs)
    found = _TABLES.get(key)
    if found is None or found[0] is not s.parameters:
        made = (thresholds(s, langs), sources(s))
        if len(_TABLES) >= 256:
            _TABLES.clear()
        found = _TABLES[key] = (s.parameters, made, (orjson.Fragment(orjson.dumps(made[0])), orjson.Fragment(orjson.dumps(made[1]))))
    return found[2] if raw else found[1]


def thresholds(s: Screening, langs: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    out = {}
    for name in s.plan.param_names:
        entry = s.parameters[name]
        param = s.pack.parameters[name]
        value = s.par_values.get(f"par.{name}")
        shown: dict[str, Any] = {"label": pick(param.label, langs), "status": entry["status"], "value": _plain(value),
                                 "display": format_value(value, param.unit), "unit": param.unit,
                                 "decided_by": entry.get("decided_by")}
        if "row" in entry:
            shown.update(_row_json(s.row(name, entry["row"])))
        if "not_applied" in entry:
            row = s.row(name, entry["not_applied"])
            shown["not_applied"] = {"value": _plain(row.value), **_row_json(row)}
        out[name] = shown
    return out


def sources(s: Screening) -> dict[str, dict[str, Any]]:
    used = dict(s.plan.citation_sources)
    for name, entry in s.parameters.items():
        for key in ("row", "not_applied"):
            if key in entry:
                source = s.row(name, entry[key]).source
                used[source.id] = source
    return {source_id: used[source_id].as_json() for source_id in sorted(used)}


class _Fixed(NamedTuple):
    """What a finding's document takes from the pack alone, for one rule, outcome and set of languages."""

    title: dict[str, str] | None
    severity: str
    status_label: dict[str, str] | None
    thresholds: list[dict[str, Any]]
    message: Message | None  # when no figure of the screening fills it
    placeholders: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]  # else what fills it: facts, parameters, remedy figures
    filled: dict[tuple[Any, ...], Message]  # what filled it -> its message and remedy (for views of data)
    whole: dict[tuple[Any, ...], bytes] | None  # values read -> the whole finding's JSON, if it reads no figure
    pieces: Pieces | None  # else the JSON from its message to its values, with a hole for each figure
    lead: bytes  # the finding's JSON up to its message, and after its assumed values
    head: bytes | None  # with a fixed message: up to its values
    tail: bytes
    bare_tail: bytes  # `tail` with an empty list of assumed values before it (most findings)


# a message's JSON as the pack writes it, cut where a figure goes: the text before the first figure, then
# for each figure (path, language, how it is read, unit, the text after it)
Pieces = tuple[bytes, tuple[tuple[str, str, int, "str | None", bytes], ...]]
_HOLE = re.compile("\ue000([0-9]+)\ue001".encode())  # private-use characters: not in a pack's text


def _pieces(s: Screening, plan: RulePlan, finding: dict[str, Any], langs: tuple[str, ...]) -> Pieces | None:
    """A finding's message and remedy written once with a marker for each figure, then cut at the
    markers: the same keys, order and escaping as writing the filled message, with no figure yet (None
    if the pack's own text holds something that reads as a marker: then each message is filled and
    written whole)."""
    holes: list[tuple[str, str]] = []

    def marking(lang: str) -> Callable[[str], str]:
        def mark(path: str) -> str:
            holes.append((path, lang))
            return f"\ue000{len(holes) - 1}\ue001"
        return mark

    parts = _HOLE.split(_up_to_values(b"", *s.message(plan, finding, langs, marking)))
    shown = [holes[int(i)] for i in parts[1::2]]
    if len(shown) != len(holes):  # every marker is ours once: one more was the pack's
        return None
    return parts[0], tuple((path, lang, info[3], info[1], after)
                           for (path, lang), after in zip(shown, parts[2::2]) for info in (s.info(path),))


_FIXED: dict[tuple[Any, ...], _Fixed] = {}
# a finding the pack made once (`Shared`) is the same object in every verdict: found by identity, held so
# that its id is never another's
_SHARED: dict[tuple[str, ...], dict[int, tuple[dict[str, Any], _Fixed]]] = {}


def _keep(memo: dict[Any, Any], key: Any, value: Any, limit: int) -> Any:
    """Put `value` in a memo that is emptied whenever it reaches `limit` (memory stays flat), and return it."""
    if len(memo) >= limit:
        memo.clear()
    memo[key] = value
    return value


def _fixed(s: Screening, plan: RulePlan, finding: dict[str, Any], langs: tuple[str, ...]) -> _Fixed:
    """The pack's parts of a finding's document: a finding the pack made once (`Shared`) by identity, any
    other by its rule, outcome, languages and the facts it asks for."""
    shared = _SHARED.setdefault(langs, {})
    known = shared.get(id(finding))
    if known is not None and known[0] is finding:
        return known[1]
    fixed = _fixed_by_outcome(s, plan, finding, langs)
    if type(finding) is Shared:
        _keep(shared, id(finding), (finding, fixed), 8192)
    return fixed


def _fixed_by_outcome(s: Screening, plan: RulePlan, finding: dict[str, Any], langs: tuple[str, ...]) -> _Fixed:
    missing = finding.get("missing_facts")  # what an undetermined finding asks for is part of its message
    key = (plan, finding["status"], finding.get("case"), finding.get("reason"), langs, tuple(missing) if missing else ())
    found = _FIXED.get(key)
    if found is None:
        rule, status, index = plan.rule, finding["status"], s.case_index(plan, finding)
        texts = [rule.cases[index].message if status == Status.VIOLATED else None,
                 rule.satisfied if status == Status.SATISFIED else None,
                 rule.not_applicable if status == Status.NOT_APPLICABLE else None,
                 rule.undetermined if status == Status.UNDETERMINED else None,
                 rule.cases[index].remedy if index is not None else None]
        fixed_text = not any(PLACEHOLDER.search(body) for text in texts if text for body in text.values())
        message = s.message(plan, finding, langs, s.exact(finding, s.values_of(finding))) if fixed_text else None
        title, severity, label = pick(rule.title, langs), s.severity(plan, finding), pick(catalogue.STATUS_LABELS[status], langs)
        # the keys in the order finding_document writes them
        lead = orjson.dumps({"rule_id": rule.id, "title": title, "domain": rule.domain, "severity": severity,
                             "status": status, "status_label": label, "case": finding.get("case"),
                             "reason": finding.get("reason"),
                             "missing_facts": [missing_entry(p, langs) for p in missing] if missing else []})[:-1]
        head = None if message is None else _up_to_values(lead, *message)
        tail = b',"thresholds":' + orjson.dumps(plan.thresholds(index)) + b',"citations":' + orjson.dumps(plan.citations) + b"}"
        shown = dict.fromkeys(p for text in texts if text for body in text.values() for p in PLACEHOLDER.findall(body))
        placeholders = (tuple(p for p in shown if p.split(".")[0] not in ("par", "remedy")),
                        tuple(p for p in shown if p.startswith("par.")),
                        tuple(p[7:] for p in shown if p.startswith("remedy.")))
        # what a rule reading only codes and yes/no facts read recurs from proposal to proposal; figures rarely do
        whole: dict[tuple[Any, ...], bytes] | None = None if any(s.info(path)[0] for path in plan.value_paths) else {}
        pieces = None if message is not None else _pieces(s, plan, finding, langs)
        found = _keep(_FIXED, key, _Fixed(title, severity, label, plan.thresholds(index), message, placeholders, {},
                                          whole, pieces, lead, head, tail, b',"assumed":[]' + tail), 8192)  # packs come and go in tests
    return found


_MEMO_LIMIT = 32  # findings kept per rule outcome: small, so that memory stays flat (figures vary without end)


def message_of(s: Screening, plan: RulePlan, finding: dict[str, Any], langs: tuple[str, ...], fixed: _Fixed,
               values: dict[str, Any]) -> Message:
    """A finding's message and remedy with the exact figures: the pack's fixed text, else filled once per
    set of what fills it (the figures it shows, whether assumed), kept for the next finding like it."""
    if fixed.message is not None:
        return fixed.message
    assumed = finding.get("assumed")
    facts, parameters, remedies = fixed.placeholders
    key: tuple[Any, ...] | None = (tuple(map(values.get, facts)), tuple(map(s.par_values.get, parameters)),
                                   tuple(map((finding.get("remedy_values") or {}).get, remedies)),
                                   tuple(assumed) if assumed else ())
    try:
        found = fixed.filled.get(key)  # type: ignore[arg-type]
    except TypeError:  # a list among the facts: not kept
        found = key = None
    if found is None:
        found = s.message(plan, finding, langs, s.exact(finding, values))
        if key is not None:
            _keep(fixed.filled, key, found, _MEMO_LIMIT)
    return found


def _finding_json(s: Screening, plan: RulePlan, finding: dict[str, Any], langs: tuple[str, ...], fixed: _Fixed,
                  values: dict[str, Any], message: Message | None) -> bytes:
    """A finding's document as JSON: the pack's parts with what this screening filled in between them. A
    finding whose message is the pack's and who read only codes and yes/no facts is kept whole for the
    next one like it (most findings of a screening)."""
    paths = plan.value_paths
    assumed = finding.get("assumed")
    memo = fixed.whole
    if memo is not None and fixed.head is not None and not assumed:
        read = tuple([values.get(p) for p in paths])
        try:
            found = memo.get(read)
        except TypeError:  # a list among them: not kept
            found, memo = None, None
        if found is None:
            found = b"".join((fixed.head, orjson.dumps(dict(zip(paths, read))), fixed.bare_tail))
            if memo is not None:
                _keep(memo, read, found, _MEMO_LIMIT)
        return found
    head = fixed.head
    if head is None:
        if message is None and fixed.pieces is not None:
            head = _head(s, finding, fixed, values, assumed)
        else:
            head = _up_to_values(fixed.lead, *(message or message_of(s, plan, finding, langs, fixed, values)))
    read_json = orjson.dumps({p: values.get(p) for p in paths})  # a comprehension: faster than dict(zip(...)) here
    if not assumed:
        return b"".join((head, read_json, fixed.bare_tail))
    return b"".join((head, read_json, b',"assumed":', orjson.dumps(assumed), fixed.tail))


def _head(s: Screening, finding: dict[str, Any], fixed: _Fixed, values: dict[str, Any], assumed: Any) -> bytes:
    """A finding's JSON up to its values, its figures put into the pack's pieces (`_pieces`)."""
    first, holes = fixed.pieces  # type: ignore[misc]
    chunks = [fixed.lead, first]
    add = chunks.append
    for path, lang, kind, unit, after in holes:
        if kind == _PAR:
            add(s.par_text(path, unit)[1])
        elif kind == _REMEDY_VALUE:
            add(s.remedy_text(path, finding)[1])
        elif assumed and path in assumed:
            add(_in_json(s.text(path, lang, finding, assumed=assumed, values=values)))
        else:
            value = values.get(path)
            if kind == _NUMBER and type(value) is str:  # the common case
                add(_number(value, unit)[1])
            else:  # a code, a yes/no, a text, an absent figure: what it shows depends on it alone
                key: tuple[Any, ...] | None = (path, lang, unit, value, type(value))  # the type: True and 1 are equal keys
                try:
                    shown = _SHOWN.get(key)  # type: ignore[arg-type]
                except TypeError:  # a list: not kept
                    shown = key = None
                if shown is None:
                    shown = _in_json(s.text(path, lang, finding, values, ()))
                    if key is not None:
                        _keep(_SHOWN, key, shown, 4096)
                add(shown)
        add(after)
    return b"".join(chunks)


# (path, language, unit, value, its type) -> the value's text inside a JSON string
_SHOWN: dict[tuple[str, str, str | None, Any, type], bytes] = {}


def _up_to_values(lead: bytes, message: dict[str, str], remedy: dict[str, str] | None) -> bytes:
    return b"".join((lead, b',"message":', orjson.dumps(message), b',"remedy":', orjson.dumps(remedy), b',"values":'))


def finding_document(s: Screening, plan: RulePlan, finding: dict[str, Any], langs: tuple[str, ...],
                     fixed: _Fixed | None = None, message: Message | None = None) -> dict[str, Any]:
    """A structured finding's part of the full document; `message`: its message and remedy, if made already."""
    fixed = fixed or _fixed(s, plan, finding, langs)
    values = s.values_of(finding)
    paths = plan.value_paths
    text, remedy = message or message_of(s, plan, finding, langs, fixed, values)
    missing = finding.get("missing_facts")
    return {
        "rule_id": plan.rule.id,
        "title": fixed.title,
        "domain": plan.rule.domain,
        "severity": fixed.severity,
        "status": finding["status"],
        "status_label": fixed.status_label,
        "case": finding.get("case"),
        "reason": finding.get("reason"),
        "missing_facts": [missing_entry(p, langs) for p in missing] if missing else [],
        "message": text,
        "remedy": remedy,
        "values": {p: values.get(p) for p in paths},
        "assumed": finding.get("assumed", []),
        "thresholds": fixed.thresholds,
        "citations": plan.citations,
    }


def document(structured: dict[str, Any], pack: Pack, langs: tuple[str, ...] = LANGS, *, raw: bool = False) -> dict[str, Any]:
    """The full document (schema 1.x) of a structured verdict, in `langs`. `raw=True` puts the parts that
    are the pack's alone (tables, thresholds, citations, findings whose message no figure fills) in as
    ready JSON (`orjson.Fragment`): only for writing the document straight to bytes, as `to_json_bytes` does."""
    s = Screening(structured, pack)
    findings: list[Any] = []
    violated: dict[str, list[Any]] = {}
    blocking = []
    conditions: dict[str, dict[str, Any] | None] = dict.fromkeys(structured["conditions"])
    for plan, f in s.rows:
        fixed = _fixed(s, plan, f, langs)
        values = s.values_of(f)
        message = None
        if f["status"] == _VIOLATED:
            violated.setdefault(fixed.severity, []).append(plan.rule)
            if plan.rule.id in conditions:  # its message is the finding's: made once for both
                message = message_of(s, plan, f, langs, fixed, values)
                conditions[plan.rule.id] = {"rule_id": plan.rule.id, "case": f.get("case"), "message": message[0],
                                            "remedy": message[1]}
        elif f.get("reason") == _MISSING and fixed.severity != _ADVISORY:
            blocking.append(plan.rule)
        findings.append(_finding_json(s, plan, f, langs, fixed, values, message) if raw else
                        finding_document(s, plan, f, langs, fixed, message))
    # raw: one ready array, no object per finding for the encoder to walk
    written: Any = orjson.Fragment(b"[" + b",".join(findings) + b"]") if raw else findings
    for rule_id, entry in conditions.items():
        if entry is None:  # a stored verdict naming a condition it does not hold as violated: say what it holds
            plan, f = next((plan, f) for plan, f in s.rows if plan.rule.id == rule_id)
            text, remedy = message_of(s, plan, f, langs, _fixed(s, plan, f, langs), s.values_of(f))
            conditions[rule_id] = {"rule_id": rule_id, "case": f.get("case"), "message": text, "remedy": remedy}
    threshold_table, source_table = tables(s, langs, raw)
    counts = structured["counts"]
    checked = counts["satisfied"] + counts["not_applicable"]
    decision = structured["decision"]
    review = [{**item, "message": catalogue.review_message(pack, item)} for item in structured.get("to_review", [])]
    summary = catalogue.summary(decision, violated, blocking, structured["to_supply"], checked,
                                structured["not_checked"], _Labels(), review, langs)
    out: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "reference": structured["reference"],
        "name": structured["name"],
        "decision": decision,
        "decision_label": pick(catalogue.DECISIONS[decision], langs),
        "summary": summary,
        "screening_date": structured["screening_date"],
        "zone": {"id": s.zone.id, "name": pick(s.zone.name, langs), "hash": s.zone.hash, "fictional": s.zone.fictional},
        "pack": structured["pack"],
        "engine": structured["engine"],
        "proposal_digest": structured["proposal_digest"],
        "industry": structured.get("industry"),
        "as_written": structured.get("as_written", {}),
        "to_supply": [{"path": p, "label": label_for(p)} for p in structured["to_supply"]],
        "conditions": list(conditions.values()),
        "to_review": [{**item, "message": pick(item["message"], langs)} for item in review],
        "not_checked": structured["not_checked"],
        "counts": counts,
        "facts_from_zone": structured["facts_from_zone"],
        "findings": written,
        "thresholds": threshold_table,
        "sources": source_table,
    }
    if "generated_at" in structured:
        out["generated_at"] = structured["generated_at"]
    return out


def of(verdict: Verdict, langs: tuple[str, ...] = LANGS) -> dict[str, Any]:
    """The full document of a fresh verdict (what `verdict.document` was)."""
    return document(verdict.structured, verdict.pack, langs)


def to_json_bytes(verdict: Verdict, langs: tuple[str, ...] = LANGS, indent: bool = False) -> bytes:
    """The full document as UTF-8 JSON (what `verdict.to_json_bytes()` was)."""
    if indent:  # ready JSON parts are not re-indented: write it all afresh
        return orjson.dumps(of(verdict, langs), option=orjson.OPT_INDENT_2)
    return document_json(verdict.structured, verdict.pack, langs)


def document_json(structured: dict[str, Any], pack: Pack, langs: tuple[str, ...] = LANGS) -> bytes:
    """The full document of a structured verdict as compact UTF-8 JSON, the pack's parts as ready JSON."""
    return orjson.dumps(document(structured, pack, langs, raw=True))


def by_rule(verdict: Verdict, langs: tuple[str, ...] = LANGS) -> dict[str, dict[str, Any]]:
    """Each rule's finding in the full document (what `verdict.by_rule[id].body` was)."""
    return {f["rule_id"]: f for f in of(verdict, langs)["findings"]}
