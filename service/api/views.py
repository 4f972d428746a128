"""The one adapter between verdicts and what HTTP answers carry: verdict -> stored bytes, stored bytes ->
the response's verdict view and the reports for people. Every call into `service.present` is here, so a
new renderer or a structured verdict view is a change of one line each."""

from __future__ import annotations

import html
from typing import Any

import orjson

from zonecheck.engine.explain.verdict import Verdict
from zonecheck.engine.pack.model import Pack, Rule
from zonecheck.service.present import render, rulebook

REPORT_MEDIA = {"html": "text/html; charset=utf-8", "markdown": "text/markdown; charset=utf-8",
                "text": "text/plain; charset=utf-8"}


def stored_verdict(verdict: Verdict) -> bytes:
    """What the store keeps and the audit chain vouches for: the verdict's JSON bytes as answered."""
    return verdict.to_json_bytes()


def verdict_view(stored: bytes, langs: tuple[str, ...]) -> orjson.Fragment:
    """The verdict as a response carries it, embedded without re-encoding. The document holds both
    languages in the same structure whatever `langs` asks; the languages shape reports and problems."""
    return orjson.Fragment(stored)


def report(stored: bytes, fmt: str, lang: str, *, insecure_dev: bool = False) -> bytes:
    """A stored verdict for people: re-rendered from the stored bytes alone, so it is the same after the
    pack on disk has changed."""
    document = orjson.loads(stored)
    if fmt == "text":
        return render.to_text(document, lang).encode()
    if fmt == "markdown":
        return render.to_markdown(document, lang).encode()
    banner = ("<p role=alert><strong>insecure-dev: no API keys are checked; development only.</strong></p>"
              if insecure_dev else "")
    title = html.escape(f"{document['reference']} {document['name']}")
    body = html.escape(render.to_text(document, lang))
    return (f"<!doctype html><html lang={lang}><head><meta charset=utf-8><title>{title}</title></head>"
            f"<body>{banner}<pre>{body}</pre></body></html>\n").encode()


def rule_text(pack: Pack, rule: Rule) -> str:
    return rulebook.describe_rule(pack, rule)


def rule_parameters(pack: Pack, rule: Rule) -> list[Any]:
    return rulebook._params_of(pack, rule)  # the parameters a rule reads, as the rule book lists them


VERDICT_SCHEMA: dict[str, Any] = {  # the document's top level (docs/verdict.md); fields are only ever added
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "zonecheck verdict",
    "type": "object",
    "required": ["schema_version", "reference", "name", "decision", "decision_label", "summary", "screening_date",
                 "zone", "pack", "engine", "proposal_digest", "to_supply", "conditions", "not_checked", "counts",
                 "facts_from_zone", "findings", "thresholds", "sources"],
    "properties": {
        "schema_version": {"type": "string"},
        "reference": {"type": "string"},
        "name": {"type": "string"},
        "decision": {"enum": ["approved", "conditional", "incomplete", "revise", "rejected"]},
        "decision_label": {"type": "object", "properties": {"zh": {"type": "string"}, "en": {"type": "string"}}},
        "summary": {"type": "object", "properties": {"zh": {"type": "string"}, "en": {"type": "string"}}},
        "screening_date": {"type": "string", "format": "date"},
        "zone": {"type": "object"}, "pack": {"type": "object"}, "engine": {"type": "object"},
        "proposal_digest": {"type": "string"}, "to_supply": {"type": "array"}, "conditions": {"type": "array"},
        "not_checked": {"type": "array"}, "counts": {"type": "object"}, "facts_from_zone": {"type": "object"},
        "findings": {"type": "array", "items": {"type": "object"}}, "thresholds": {"type": "object"},
        "sources": {"type": "object"}, "generated_at": {"type": "string"},
    },
}
