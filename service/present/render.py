"""Reports for people, rendered by Jinja2 templates from a structured verdict and its pack: plain
text, Markdown and one self-contained HTML file (inline CSS and SVG, print-ready). HTML autoescapes."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from zonecheck.engine.explain.verdict import Verdict
from zonecheck.engine.pack.model import Pack
from zonecheck.service.present import report

TEMPLATES = Path(__file__).parent / "templates"


@lru_cache(maxsize=2)
def _env(html: bool) -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=html, keep_trailing_newline=True,
                              undefined=jinja2.StrictUndefined)


def _reports(verdicts: list[tuple[dict[str, Any], Pack]], langs: tuple[str, ...], show: str) -> list[report.Report]:
    return [report.build(structured, pack, lang, show) for structured, pack in verdicts for lang in langs]


def to_text(structured: dict[str, Any], pack: Pack, lang: str = "zh", show: str = "satisfied") -> str:
    return _env(False).get_template("report.txt.j2").render(r=report.build(structured, pack, lang, show))


def to_markdown(structured: dict[str, Any], pack: Pack, lang: str = "zh", show: str = "satisfied") -> str:
    return _env(False).get_template("report.md.j2").render(r=report.build(structured, pack, lang, show))


def to_html(verdicts: list[tuple[dict[str, Any], Pack]], langs: tuple[str, ...] = ("zh",), show: str = "satisfied") -> str:
    """One HTML file holding a report per verdict and language (a page each when printed)."""
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    return _env(True).get_template("report.html.j2").render(reports=_reports(verdicts, langs, show), css=css)


def verdict_text(verdict: Verdict, lang: str = "zh", show: str = "satisfied") -> str:
    return to_text(verdict.structured, verdict.pack, lang, show)
