"""The one screening function: what the CLI, batch and the HTTP service call.

Input (a parsed proposal, or the reason it could not be read) -> a verdict, or the problems that kept it
from being screened. Nothing here prints, writes files or knows about HTTP.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Callable
from typing import Any

from zonecheck.engine.contract.proposal import ProposalProblem
from zonecheck.engine.explain.verdict import Verdict
from zonecheck.engine.pack.locate import DEFAULT_PACK, rules_root
from zonecheck.engine.screener import InvalidProposal, Screener
from zonecheck.service.present import full


@dataclass(frozen=True)
class Problem:
    """One reason an input was not screened, as data: where (path, file, line, column), what was given
    (value), what is allowed, a "did you mean" (suggestion) and why (reason in Chinese, reason_en)."""

    path: str
    label: str
    reason: str
    reason_en: str = ""
    value: Any = None
    allowed: Any = None
    suggestion: str | None = None
    file: str | None = None
    line: int | None = None
    column: int | None = None

    def as_dict(self, lang: str = "zh") -> dict[str, Any]:
        """The JSON form: `reason` in the user's language (Chinese unless lang is en)."""
        reason = self.reason_en if lang == "en" and self.reason_en else self.reason
        return {"path": self.path, "label": self.label, "value": self.value, "allowed": self.allowed,
                "file": self.file, "line": self.line, "column": self.column, "suggestion": self.suggestion,
                "reason": reason}


@dataclass
class Outcome:
    """One input's result: a verdict, or its problems (never both)."""

    source: str
    verdict: Verdict | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.verdict is not None


def screen(screener: Screener, data: Any, *, source: str = "", zone: str | None = None,
           as_of: dt.date | None = None, read_error: str | list[Problem] | None = None, timestamp: bool = True,
           file: str | None = None, locate: Callable[[], dict[str, tuple[int, int]]] | None = None) -> Outcome:
    """Screen one proposal. `read_error` carries why the input could not be read (then nothing is screened);
    `file` and `locate` (path -> line, column) place each problem in the input."""
    if read_error is not None:
        if isinstance(read_error, str):
            read_error = [Problem("", "", read_error, file=file)]
        return Outcome(source, problems=list(read_error))
    try:
        verdict = screener.screen(data, zone=zone, as_of=as_of, timestamp=timestamp)
    except InvalidProposal as error:
        positions = locate() if locate is not None else {}
        return Outcome(source, problems=[_problem(p, file, positions) for p in error.problems])
    return Outcome(source, verdict=verdict)


def _problem(found: ProposalProblem, file: str | None, positions: dict[str, tuple[int, int]]) -> Problem:
    path = found.path
    while path and path not in positions:  # a missing field: the nearest written parent
        path = path.rpartition(".")[0]
    line, column = positions.get(path, (None, None)) if path else (None, None)
    return Problem(found.path, found.label_zh, found.reason, reason_en=found.reason_en, value=found.value,
                   allowed=found.allowed, suggestion=found.suggestion, file=file, line=line, column=column)


class Registry:
    """Compiled packs by folder, compiled once per process (compiling takes a while; a pack's id and content
    hash name it in every verdict)."""

    def __init__(self) -> None:
        self._screeners: dict[Path, Screener] = {}
        self._lock = threading.Lock()

    def get(self, rules: Path | str | None = None, pack: str = DEFAULT_PACK) -> Screener:
        folder = (rules_root(rules) / pack).resolve()
        with self._lock:
            found = self._screeners.get(folder)
            if found is None:
                found = self._screeners[folder] = Screener(folder)
            return found



def entry(outcome: Outcome, *, structured: bool = True, langs: tuple[str, ...] = ("zh", "en"),
          note: str | None = None) -> dict[str, Any]:
    """One input's JSON entry, as `screen` and `batch` write it: the structured verdict (or the full document
    in `langs`) after its source, or its problems (reasons in the first of `langs`)."""
    extra = {"input_note": note} if note else {}
    if outcome.verdict is not None:
        shown = outcome.verdict.structured if structured else full.of(outcome.verdict, langs)
        return {"source": outcome.source, **extra, **shown}
    return {"source": outcome.source, **extra, "valid": False, "problems": [p.as_dict(langs[0]) for p in outcome.problems]}
