"""The loaded, validated form of a rule pack and its zone profiles (see docs/rule-format.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Union

from zonecheck.engine.pack.formula import Formula

SEVERITIES = ("veto", "mandatory", "condition", "advisory")
Text = dict[str, str]  # {"zh": ..., "en": ...}
Literal = Union[str, bool, Decimal, int]


@dataclass(frozen=True)
class Source:
    id: str
    document: str
    number: str | None
    issued: str | None
    confidence: str
    reference: str | None = None
    note: str | None = None
    file: str | None = None  # for a seed document: its file name in the seeds folder

    def as_json(self) -> dict[str, str | None]:
        return {
            "id": self.id,
            "document": self.document,
            "number": self.number,
            "issued": self.issued,
            "reference": self.reference,
            "confidence": self.confidence,
            "note": self.note,
        }


@dataclass(frozen=True)
class Key:
    name: str
    fact: str
    match: str  # exact | prefix
    via: tuple[tuple[str, str], ...] | None = None  # (from cell, to code) rows of a mapping table


@dataclass(frozen=True)
class Row:
    cells: tuple[tuple[str, str], ...]  # (key name, cell)
    value: Decimal | bool | str
    unit: str
    original: Decimal | bool | str  # the value as written, in `source_unit`
    source_unit: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    source: Source
    side: str  # "national" or "zone:<id>"
    note: str | None = None
    where: str = ""  # file:line

    def in_force(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class Parameter:
    name: str
    label: Text
    unit: str
    stricter: str | None  # higher | lower | None for boolean/text
    keys: tuple[str, ...]
    rows: tuple[Row, ...]
    default: Row | None = None
    # what an officer must check by hand, and against which source, when no value is in force
    review: Text | None = None
    review_source: str | None = None


@dataclass(frozen=True)
class Indicator:
    name: str
    label: Text
    unit: str
    formula: Formula


# --- conditions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Leaf:
    path: str
    op: str  # eq ne lt le gt ge in not_in contains_any exists
    operand: Literal | tuple[Literal, ...] | None = None
    ref: str | None = None


@dataclass(frozen=True)
class All:
    children: tuple["Condition", ...]


@dataclass(frozen=True)
class Any_:
    children: tuple["Condition", ...]


@dataclass(frozen=True)
class Not:
    child: "Condition"


Condition = Union[Leaf, All, Any_, Not]


@dataclass(frozen=True)
class Default:
    fact: str
    value: Literal
    when: Condition


@dataclass(frozen=True)
class Case:
    id: str
    severity: str
    when: Condition
    message: Text
    remedy: Text | None


@dataclass(frozen=True)
class RemedyValue:
    name: str
    formula: Formula
    unit: str
    rounding: str
    places: int


@dataclass(frozen=True)
class Citation:
    source: Source | None
    article: str | None
    quote: str | None
    seed: str | None = None
    paragraph: str | None = None

    def as_json(self) -> dict[str, object]:
        out: dict[str, object] = {"article": self.article, "quote": self.quote}
        if self.source:
            out["source"] = self.source.as_json()
        if self.seed:
            out["seed"] = {"file": self.seed, "paragraph": self.paragraph}
        return out


@dataclass(frozen=True)
class Rule:
    id: str
    title: Text
    domain: str
    severity: str
    citations: tuple[Citation, ...]
    applies_when: Condition | None
    defaults: tuple[Default, ...]
    cases: tuple[Case, ...]
    remedy_values: tuple[RemedyValue, ...]
    satisfied: Text
    not_applicable: Text | None
    where: str
    undetermined: Text | None = None  # said when facts are missing, before the list of facts


@dataclass(frozen=True)
class Zone:
    id: str
    name: Text
    region: str
    fictional: bool
    facts: dict[str, tuple[object, Source]]
    rows: dict[str, tuple[Row, ...]]  # parameter name -> zone rows
    sources: dict[str, Source]
    hash: str
    review: dict[str, Text] = field(default_factory=dict)  # parameter name -> the zone's `review` note for it


@dataclass
class Pack:
    id: str
    version: str
    title: Text
    root: str
    keys: dict[str, Key]
    indicators: dict[str, Indicator]
    parameters: dict[str, Parameter]
    rules: tuple[Rule, ...]
    sources: dict[str, Source]
    zones: dict[str, Zone] = field(default_factory=dict)
    hash: str = ""


def leaves(condition: Condition | None) -> list[Leaf]:
    """Every comparison in a condition, in order."""
    if condition is None:
        return []
    if isinstance(condition, Leaf):
        return [condition]
    if isinstance(condition, Not):
        return leaves(condition.child)
    return [leaf for child in condition.children for leaf in leaves(child)]
