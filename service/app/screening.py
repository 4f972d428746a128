"""The one screening function: what the CLI, batch and the HTTP service call.

Input (a parsed proposal, or the reason it could not be read) -> a verdict, or the problems that kept it
from being screened. Nothing here prints, writes files or knows about HTTP.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zonecheck.engine.explain.verdict import Verdict
from zonecheck.engine.pack.locate import DEFAULT_PACK, rules_root
from zonecheck.engine.screener import InvalidProposal, Screener


@dataclass(frozen=True)
class Problem:
    """One reason an input was not screened."""

    path: str
    label: str
    reason: str


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
           as_of: dt.date | None = None, read_error: str | None = None, timestamp: bool = True) -> Outcome:
    """Screen one proposal. `read_error` carries why the input could not be read (then nothing is screened)."""
    if read_error is not None:
        return Outcome(source, problems=[Problem("", "", read_error)])
    try:
        verdict = screener.screen(data, zone=zone, as_of=as_of, timestamp=timestamp)
    except InvalidProposal as error:
        return Outcome(source, problems=[Problem(p.path, p.label_zh, p.reason) for p in error.problems])
    return Outcome(source, verdict=verdict)


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

    def by_hash(self, pack_hash: str) -> Screener | None:
        return next((s for s in self._screeners.values() if s.pack.hash == pack_hash), None)
