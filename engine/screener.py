"""Screening: proposal -> validated model -> facts -> durable_rules -> findings -> verdict."""

from __future__ import annotations

import datetime as dt
import gc
from pathlib import Path
from typing import Any

from zonecheck.engine import __version__
from zonecheck.engine.core.compiler import compile_pack, durable_fact
from zonecheck.engine.explain.findings import Explainer
from zonecheck.engine.core.facts import FactBuilder
from zonecheck.engine.pack.loader import load_pack
from zonecheck.engine.pack.locate import DEFAULT_PACK, rules_root
from zonecheck.engine.contract.industry import industry
from zonecheck.engine.contract.proposal import Proposal, ProposalProblem
from zonecheck.engine.contract.validate import Parsed, parse
from zonecheck.engine.pack.model import Pack
from zonecheck.engine.core.runtime import Runtime
from zonecheck.engine.explain.verdict import Verdict, build_verdict


class InvalidProposal(ValueError):
    """Every problem of a proposal at once; nothing was evaluated."""

    def __init__(self, problems: list[ProposalProblem]):
        super().__init__("; ".join(f"{p.path}: {p.reason_en or p.reason}" for p in problems))
        self.problems = problems


def validate(data: Any) -> Proposal:
    return validate_written(data).proposal


def validate_written(data: Any) -> Parsed:
    """The validated proposal and its values as written (contract/validate.py), or InvalidProposal."""
    parsed, problems = parse(data)
    if parsed is None:
        raise InvalidProposal(problems)
    return parsed


class Screener:
    """A compiled rule pack, ready to screen proposals from any thread."""

    def __init__(self, pack: Pack | str | Path | None = None, runtime: Runtime | None = None):
        if pack is None:
            pack = rules_root() / DEFAULT_PACK
        self.pack = pack if isinstance(pack, Pack) else load_pack(pack)
        self.compiled = compile_pack(self.pack)
        self.runtime = runtime or Runtime(self.compiled)
        self.explainer = Explainer(self.pack, self.compiled)
        self.facts = FactBuilder(self.pack)
        # the pack lives as long as the process: keep the collector from rescanning it (p99 latency)
        gc.freeze()

    def screen(self, proposal: Any, *, zone: str | None = None, as_of: dt.date | None = None,
               timestamp: bool = True) -> Verdict:
        parsed = validate_written(proposal)
        model = parsed.proposal
        zone_id = zone or model.zone
        if zone_id not in self.pack.zones:
            import difflib

            known = sorted(self.pack.zones)
            close = difflib.get_close_matches(zone_id, known, n=1)
            raise InvalidProposal([ProposalProblem(
                path="zone", label_zh="园区", value=zone_id, reason="没有这个园区的配置",
                reason_en=f"no zone profile {zone_id!r}", suggestion=close[0] if close else None,
                allowed=[{"code": z, "name": self.pack.zones[z].name.get("zh", z)} for z in known])])
        profile = self.pack.zones[zone_id]
        day = as_of or model.submitted_on
        facts = self.facts.build(model, profile, day, quantized=parsed.quantized)
        try:
            fact = durable_fact(self.compiled, facts.values)
        except OverflowError as error:
            raise InvalidProposal([ProposalProblem(path="", label_zh="申报材料", reason="数值过大，无法精确比较",
                                                   reason_en=str(error))]) from None
        fired = self.runtime.fire(fact, checked=True)
        findings = self.explainer.findings(facts, fired)
        return build_verdict(
            proposal=model,
            findings=findings,
            pack=self.pack,
            zone=profile,
            screening_date=day,
            engine_version=__version__,
            parameters=self.explainer.parameters(facts),
            fact_origins=facts.origins, values=self.explainer.values(facts),
            timestamp=timestamp,
            industry=industry(model.project.industry_code),
            as_written=parsed.as_written,
        )
