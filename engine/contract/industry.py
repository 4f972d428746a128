"""GB/T 4754-2017, the national industry classification: every code with its section and Chinese name
(the table and its source: gbt4754_2017.csv, gbt4754_2017.md)."""

from __future__ import annotations

import csv
import difflib
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

LEVEL_ZH = {"section": "门类", "division": "大类", "group": "中类", "class": "小类"}


@dataclass(frozen=True)
class Industry:
    code: str
    level: str  # section | division | group | class
    section: str
    name: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "level": self.level, "section": self.section,
                "section_name": industries()[self.section].name, "name": self.name}


@cache
def industries() -> dict[str, Industry]:
    """Every code of the classification, sections (letters) and 2-, 3- and 4-digit codes."""
    text = resources.files(__package__).joinpath("gbt4754_2017.csv").read_text(encoding="utf-8")
    return {row["code"]: Industry(**row) for row in csv.DictReader(io.StringIO(text))}


def industry(code: str) -> Industry | None:
    """The entry of a 2-, 3- or 4-digit code, None if the classification has no such code."""
    found = industries().get(code)
    return found if found is not None and code.isdigit() else None


def by_name(name: str) -> Industry | None:
    """The most specific entry with exactly this Chinese name (people write 有机化学原料制造 for 2614)."""
    matches = [i for i in industries().values() if i.name == name and i.code.isdigit()]
    return max(matches, key=lambda i: len(i.code), default=None)


def near_codes(code: str, limit: int = 3) -> list[Industry]:
    """Codes that exist and look like a mistyped `code`: same prefix first, then close spellings."""
    table = industries()
    digits = [c for c in table if c.isdigit() and len(c) == len(code)]
    for cut in range(len(code) - 1, 1, -1):
        same_prefix = [c for c in digits if c.startswith(code[:cut])]
        if same_prefix:
            close = difflib.get_close_matches(code, same_prefix, n=limit, cutoff=0) or same_prefix
            return [table[c] for c in close[:limit]]
    return [table[c] for c in difflib.get_close_matches(code, digits, n=limit, cutoff=0.5)]
