"""The substance of a 1.x verdict document, and the baseline recorded from the engine before findings
became data (commit 6f67633): 3,000 generated proposals with a digest of each verdict's substance.

Substance: decision, counts, to_supply, conditions (rule and case), not_checked, and per finding the
rule, severity, status, case, reason, missing facts, values read, assumptions and threshold references;
per threshold the status, exact value, which side decided, its source, side and dates. Messages are
prose and are not part of it (they are checked by the rule cases and the full-view digest).

Re-record (only when the substance is meant to change): `python tests/baseline.py`.
"""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path
from typing import Any

import orjson

FIXTURE = Path(__file__).parent / "fixtures" / "baseline" / "generated.json.gz"
THRESHOLD_KEYS = ("status", "value", "decided_by", "source", "side", "valid_from", "valid_to")


def substance(document: dict[str, Any]) -> dict[str, Any]:
    return {
        "decision": document["decision"],
        "counts": document["counts"],
        "to_supply": [e["path"] for e in document["to_supply"]],
        "conditions": [(c["rule_id"], c["case"]) for c in document["conditions"]],
        "not_checked": document["not_checked"],
        "findings": [{k: f[k] for k in ("rule_id", "severity", "status", "case", "reason", "values", "assumed",
                                        "thresholds")} | {"missing": [m["path"] for m in f["missing_facts"]]}
                     for f in document["findings"]],
        "thresholds": {name: {k: t.get(k) for k in THRESHOLD_KEYS} | {"not_applied": (t.get("not_applied") or {}).get("value")}
                       for name, t in document["thresholds"].items()},
    }


def digest(data: Any) -> str:
    return hashlib.sha256(orjson.dumps(data, option=orjson.OPT_SORT_KEYS)).hexdigest()[:20]


def full_digest(document: dict[str, Any], with_digest: bool = True) -> str:
    """The whole 1.x document but what may differ: the engine version, the schema's minor, fields added in 1.1.
    `with_digest=False` leaves out the proposal digest too: for inputs read from files, it has been taken since
    issue 9 over the values as converted and rounded (so `0.07` and `"7%"` give one digest)."""
    ignored = ("engine", "schema_version", "generated_at", "to_review", "industry", "as_written")
    ignored += () if with_digest else ("proposal_digest",)
    return digest({k: v for k, v in document.items() if k not in ignored})


def statuses(document: dict[str, Any]) -> str:
    return "".join(f["status"][0] for f in document["findings"])


def load() -> list[dict[str, Any]]:
    return orjson.loads(gzip.decompress(FIXTURE.read_bytes()))


def _record() -> None:  # pragma: no cover - run by hand
    import datetime as dt
    import sys

    from hypothesis import Phase, given, settings

    sys.path.insert(0, str(Path(__file__).parent))
    import test_differential as gen

    cases: list[tuple[dict[str, Any], dt.date]] = []

    @settings(max_examples=3000, derandomize=True, database=None, phases=[Phase.generate], deadline=None,
              suppress_health_check=list(__import__("hypothesis").HealthCheck))
    @given(gen.proposals())
    def collect(case: tuple[dict[str, Any], dt.date]) -> None:
        cases.append(case)

    collect()
    entries = []
    for proposal, day in cases:
        from zonecheck.engine.contract.proposal import Proposal

        document = gen.SCREENER.screen(Proposal.model_validate(proposal), as_of=day, timestamp=False).document
        document = orjson.loads(orjson.dumps(document))
        entries.append({"proposal": proposal, "as_of": day.isoformat(), "decision": document["decision"],
                        "statuses": statuses(document), "substance": digest(substance(document)),
                        "full": full_digest(document)})
    FIXTURE.write_bytes(gzip.compress(orjson.dumps(entries), mtime=0))
    print(len(entries), "cases,", FIXTURE.stat().st_size, "bytes")


if __name__ == "__main__":
    _record()
