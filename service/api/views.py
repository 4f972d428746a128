"""The one adapter between verdicts and what HTTP answers carry: verdict -> stored bytes, stored bytes ->
the response's verdict view and the reports for people. Every call into `service.present` is here, so a
new renderer or a structured verdict view is a change of one line each."""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

import orjson

from zonecheck.engine.explain.verdict import Verdict
from zonecheck.engine.pack.model import Pack, Rule
from zonecheck.service.present import full, render, rulebook

REPORT_MEDIA = {"html": "text/html; charset=utf-8", "markdown": "text/markdown; charset=utf-8",
                "text": "text/plain; charset=utf-8"}
INSECURE_BANNER = ("<p role=alert style=\"background:#b00;color:#fff;padding:.5em 1em;font-weight:bold\">"
                   "insecure-dev: no API keys are checked; development only.</p>")
# The published verdict schemas, shipped with the package (a wheel has no docs/): copies of
# docs/verdict-*.schema.json, which tests/test_api_schemas.py keeps byte-identical.
SCHEMAS = resources.files("zonecheck.service.api")


def stored_verdict(verdict: Verdict) -> bytes:
    """What the store keeps and the audit chain vouches for: the structured verdict's bytes (schema 2.0)."""
    return verdict.structured_json()


def document_view(structured: dict[str, Any], pack: Pack, langs: tuple[str, ...]) -> orjson.Fragment:
    """The verdict as a response carries it: the full document (schema 1.x) in the request's languages,
    rendered from the structured verdict and the pack it names (the same structure whatever `langs`)."""
    return orjson.Fragment(full.document_json(structured, pack, langs))


def report(structured: dict[str, Any], pack: Pack, fmt: str, lang: str, *, insecure_dev: bool = False) -> bytes:
    """A stored verdict for people, by the real renderers: the same bytes whenever it is re-rendered."""
    if fmt == "text":
        return render.to_text(structured, pack, lang).encode()
    if fmt == "markdown":
        return render.to_markdown(structured, pack, lang).encode()
    page = render.to_html([(structured, pack)], (lang,))
    if insecure_dev:
        head, tag, rest = page.partition("<body")
        if tag:
            opened, close, after = rest.partition(">")
            page = head + tag + opened + close + INSECURE_BANNER + after
        else:
            page = INSECURE_BANNER + page
    return page.encode()


def rule_text(pack: Pack, rule: Rule) -> str:
    return rulebook.describe_rule(pack, rule)


def rule_parameters(pack: Pack, rule: Rule) -> list[Any]:
    return rulebook.params_of(pack, rule)


@functools.cache
def verdict_schema(detail: str = "full") -> dict[str, Any]:
    """The published JSON Schema of the verdict: the full document (what responses carry) or structured."""
    name = "verdict-structured.schema.json" if detail == "structured" else "verdict-full.schema.json"
    return orjson.loads(SCHEMAS.joinpath(name).read_bytes())
