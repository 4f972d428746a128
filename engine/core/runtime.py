"""Run facts through durable_rules' C core: one reused state per ruleset, one lock for the process.

We drive the core (`durable_rules_engine`) directly instead of through `durable.engine.Host`: Host
starts background dispatch threads (which crashed the core under concurrent callers) and round-trips
the state through JSON on every fired action. A fresh state costs the core about 8 kB of zeroed index
arrays per beta node, so each ruleset keeps one state and every evaluation asserts its fact, runs the
actions and retracts the fact again (a retraction finds the fact by id: no walk of the network).

Deleting a state can crash the core when no action ever ran in it (`deleteStateNode` frees context
pointers that only an action sets). So a new state is primed first: a tiny fact of its own type runs
one action and is retracted; from then on deleting it is safe. Any error inside the core (a refused
fact, error 303 when a fact overflows the core's stack) leaves the state half-written: we delete the
primed state and the next evaluation starts a fresh one, so nothing leaks and no later verdict sees
the leftovers. Should priming itself fail, the ruleset is retired untouched and compiled again under a
new name. The compiler partitions packs so that refusals cannot happen (engine/core/partition.py);
this is what keeps the process healthy when a ruleset was built otherwise.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Mapping

import durable_rules_engine as core
import orjson

from zonecheck.engine.core.compiler import ALWAYS, Compiled, Json
from zonecheck.engine.core.partition import network_of

INT64 = 2**63 - 1
SID = "s"  # the one state of each ruleset
FACT_ID = "proposal"
PRIME = "prime"  # the rule a new state's priming fact runs
_PRIME_RULE = {"all": [{"m": {"type": "zonecheck-prime"}}]}
_PRIME_FACT = orjson.dumps({"type": "zonecheck-prime", "sid": SID, "id": "prime"}).decode()
_RETRACT = {name: orjson.dumps({"sid": SID, "id": name}).decode() for name in (FACT_ID, "prime")}
_IDS = b',"sid":"' + SID.encode() + b'","id":"' + FACT_ID.encode() + b'"}'


class EngineError(RuntimeError):
    pass


def check_fact(value: object, path: str = "fact") -> None:
    """Refuse what the core mishandles (floats, NaN, huge integers, odd types) before it sees it."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise EngineError(f"{path}: keys must be text")
            check_fact(item, f"{path}.{key}")
    elif isinstance(value, bool) or isinstance(value, str):
        return
    elif isinstance(value, int):
        if not -INT64 <= value <= INT64:
            raise EngineError(f"{path}: integer out of range")
    else:
        raise EngineError(f"{path}: {type(value).__name__} values cannot be asserted (numbers travel as scaled integers)")


class _Ruleset:
    """One ruleset in the core and its reused state. Called only under Runtime._lock."""

    def __init__(self, name: str, definition: dict[str, Json]):
        self.name = name
        self.definition = {**definition, PRIME: _PRIME_RULE}
        if not network_of(self.definition).core_accepts():
            raise EngineError(f"{name}: too many tests under one node for durable_rules; partition the pack")
        self.generation = 0
        self.handle = self._create()
        self.primed = False
        self.discarded = 0  # states deleted after an error
        self.retired = 0  # rulesets abandoned because a new state could not be primed

    def _create(self) -> int:
        name = self.name if not self.generation else f"{self.name}~{self.generation}"
        return core.create_ruleset(Runtime._unique(name), json.dumps(self.definition, ensure_ascii=False))

    def run(self, payload: str, fired: set[str]) -> None:
        if not self.primed:
            self._prime()
        seen: set[str] = set()
        try:
            result = core.assert_fact(self.handle, payload)
            if result[0] == 2:  # a fact of this id was still in the state: never answer from leftovers
                raise EngineError("the state still held an earlier fact")
            self._drain(result, seen)
            core.retract_fact(self.handle, _RETRACT[FACT_ID])
        except Exception as error:
            self._discard()
            raise EngineError(f"durable_rules refused the facts: {error}") from error
        if ALWAYS not in seen:
            raise EngineError("durable_rules did not run the always-rule: the ruleset is not the one compiled")
        fired |= seen

    def _drain(self, result: tuple[int, int], seen: set[str]) -> None:
        """Run every pending action of the state, collecting the names of the rules that fired."""
        started = core.start_action_for_state(self.handle, result[1])
        if not started:
            return
        message = started[1]
        while message:  # the fired rule's name is the message's first key: `{"<name>":{...}}`
            seen.add(message[2 : message.index('"', 2)])
            message = core.complete_and_start_action(self.handle, result[1])

    def _prime(self) -> None:
        seen: set[str] = set()
        try:
            self._drain(core.assert_fact(self.handle, _PRIME_FACT), seen)
            core.retract_fact(self.handle, _RETRACT["prime"])
        except Exception:  # noqa: BLE001 - never touch a state that may not be safe to delete
            seen.clear()
        if PRIME not in seen:
            self.retired += 1
            self.generation += 1
            self.handle = self._create()
            raise EngineError("durable_rules could not prepare a state; the ruleset was compiled again")
        self.primed = True

    def _discard(self) -> None:
        """Delete the failed state (safe: it was primed); the next evaluation starts a new one."""
        self.primed = False
        self.discarded += 1
        try:
            core.delete_state(self.handle, SID)
        except Exception:  # noqa: BLE001 - the state was never created: nothing to delete
            pass


class Runtime:
    """A compiled pack inside the C core, as one or more rulesets; safe to call from many threads."""

    _lock = threading.Lock()  # the core is not thread-safe: one lock for every ruleset in the process
    _names: set[str] = set()

    def __init__(self, compiled: Compiled):
        self.compiled = compiled
        parts = compiled.rulesets()
        with Runtime._lock:
            self._rulesets = [_Ruleset(compiled.name if len(parts) == 1 else f"{compiled.name}/{i}", part)
                              for i, part in enumerate(parts)]

    @staticmethod
    def _unique(name: str) -> str:
        """Ruleset names are unique per process and cannot be freed: suffix a taken one."""
        for suffix in itertools.count(1):
            if name not in Runtime._names:
                break
            candidate = f"{name}-{suffix}"
            if candidate not in Runtime._names:
                name = candidate
                break
        Runtime._names.add(name)
        return name

    @property
    def rulesets(self) -> int:
        return len(self._rulesets)

    def health(self) -> dict[str, int]:
        """Counters for tests and monitoring: rulesets, states deleted after errors, rulesets retired."""
        with Runtime._lock:
            return {"rulesets": len(self._rulesets),
                    "discarded_states": sum(r.discarded for r in self._rulesets),
                    "retired_rulesets": sum(r.retired for r in self._rulesets),
                    "live_states": sum(r.primed for r in self._rulesets)}

    def fire(self, fact: dict[str, object], *, checked: bool = False) -> set[str]:
        """The names of the durable rules that matched this fact, over every ruleset of the pack.

        `checked=True` skips the type check for facts from `compiler.durable_fact`, which emits only
        text, booleans and range-checked integers."""
        if not checked:
            check_fact(fact)
        if fact and "sid" not in fact and "id" not in fact:  # the ids appended to the fact's JSON, no copy of it
            payload = (orjson.dumps(fact)[:-1] + _IDS).decode()
        else:
            payload = orjson.dumps({**fact, "sid": SID, "id": FACT_ID}).decode()
        fired: set[str] = set()
        with Runtime._lock:
            for ruleset in self._rulesets:
                ruleset.run(payload, fired)
        return fired
