"""The six examples' HTML reports in a real headless Chromium (Debian's `chromium`, with fonts-noto-cjk):
screenshots go to reports/browser/ (git-ignored; CI keeps them as artifacts); Chinese renders as
glyphs, not tofu; the decision banner and each deciding violated rule's citation are in the DOM.

Skipped only when chromium is absent and CI is not set (`.ci/run` installs it).
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from zonecheck.engine.screener import Screener
from zonecheck.service.present import render
from zonecheck.service.present.catalogue import DECISIONS, cite

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "reports" / "browser"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--hide-scrollbars"]

pytestmark = pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"),
                                reason="chromium is not installed (apt-get install chromium fonts-noto-cjk)")


def chromium(page: Path, *args: str) -> str:
    assert CHROMIUM, "CI must have chromium: .ci/run installs it"
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()],
                              capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def screenshot(page: Path, png: Path, size: str = "1000,1400") -> bytes:
    png.unlink(missing_ok=True)
    chromium(page, f"--screenshot={png}", f"--window-size={size}")
    return png.read_bytes()


def test_chinese_renders_as_glyphs_not_tofu(tmp_path: Path) -> None:
    """The same line in Chinese, in private-use code points (always tofu boxes) and blank: three different images."""
    style = "<style>body{margin:0;font:48px 'Noto Sans CJK SC',sans-serif}</style>"
    shots = {}
    for name, text in (("zh", "需修改 投资强度 否决项"), ("tofu", "\ue000\ue001\ue002 \ue003\ue004\ue005\ue006 \ue007\ue008\ue009"),
                       ("blank", "")):
        page = tmp_path / f"{name}.html"
        page.write_text(f"<!DOCTYPE html><meta charset='utf-8'>{style}<p>{text}</p>", encoding="utf-8")
        shots[name] = screenshot(page, tmp_path / f"{name}.png", "700,400")
    assert shots["zh"] != shots["blank"], "Chinese text rendered as nothing"
    assert shots["zh"] != shots["tofu"], "Chinese text rendered as tofu: is fonts-noto-cjk installed?"


def test_example_reports_in_chromium() -> None:
    screener = Screener(ROOT / "rules" / "national")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    jobs = []
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        verdict = screener.screen(yaml.safe_load(path.read_text(encoding="utf-8")))
        page = ARTIFACTS / f"{path.stem}.html"
        page.write_text(render.to_html([(verdict.structured, verdict.pack)]), encoding="utf-8")
        deciding = [f for f in verdict.findings if f.status == "violated" and f.severity != "advisory"]
        jobs.append((path.stem, page, verdict.decision, deciding))

    def run(job: tuple) -> tuple[str, str, bytes]:  # type: ignore[type-arg]
        stem, page, _, _ = job
        png = ARTIFACTS / f"{stem}.png"
        png.unlink(missing_ok=True)
        dom = chromium(page, "--dump-dom", f"--screenshot={png}", "--window-size=1000,1400")  # one launch, both
        return stem, dom, png.read_bytes()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = {stem: (dom, png) for stem, dom, png in pool.map(run, jobs)}
    for stem, _page, decision, deciding in jobs:
        dom, png = results[stem]
        assert png.startswith(b"\x89PNG") and len(png) > 20_000, f"{stem}: screenshot looks empty"
        assert f'id="decision">结论：{DECISIONS[decision]["zh"]}<' in dom, f"{stem}: no decision banner"
        for finding in deciding:
            assert f'id="{finding.rule.id}"' in dom, f"{stem}: {finding.rule.id} missing"
            assert html.escape(cite(finding.rule.citations[0]), quote=False) in dom, f"{stem}: {finding.rule.id}'s citation missing"


def test_a_report_prints_to_pdf_with_the_rules_met_unfolded(tmp_path: Path) -> None:
    """Printing opens the folded list of rules met (print CSS): the PDF is larger than with it folded."""
    screener = Screener(ROOT / "rules" / "national")
    verdict = screener.screen(yaml.safe_load((ROOT / "examples" / "approved-motor-plant.yaml").read_text(encoding="utf-8")))
    page = render.to_html([(verdict.structured, verdict.pack)])
    folded = page.replace("details::details-content", "details::unused")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    sizes = []
    for name, text in (("approved-motor-plant", page), ("folded", folded)):
        source = tmp_path / f"{name}.html"
        source.write_text(text, encoding="utf-8")
        pdf = (ARTIFACTS if name != "folded" else tmp_path) / f"{name}.pdf"
        chromium(source, f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
        assert pdf.read_bytes().startswith(b"%PDF")
        sizes.append(pdf.stat().st_size)
    assert sizes[0] > sizes[1], "the print CSS should unfold the rules met"
