"""Every seed quotation in the national pack appears in the paragraph it cites.

Reads rules/national/rules/*.yaml with plain YAML (independent of the engine's loader). For each
citation with ``seed:``, the quote (at least 10 characters) must occur in the cited paragraph of that
seed file once all whitespace is removed from both (seed 000 wraps lines mid-sentence).

Paragraphs:
- seed 000 (国办发〔2014〕54号): "（十八）" = text from the line starting with "（十八）" up to the next
  line starting with a "（…）" Chinese-numeral item marker (or the end of the file);
- seed 004 (十一五 outline): "80" = text from the line starting with "80、" up to the line starting
  with "81、" (or the end of the file).

Seeds are looked up in $ZONECHECK_SEEDS_DIR, then ../shared/seeds beside the repository (as on CI),
then <repo>/seeds; without them the test fails rather than passing unchecked.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
RULE_FILES = sorted((ROOT / "rules" / "national" / "rules").glob("*.yaml"))
MIN_QUOTE = 10

_CN_ITEM = re.compile(r"^[ \t\u3000]*（([一二三四五六七八九十]+)）", re.MULTILINE)
_WS = re.compile(r"\s+")


def _seeds_dir() -> Path | None:
    candidates = [os.environ.get("ZONECHECK_SEEDS_DIR"), ROOT.parent / "shared" / "seeds", ROOT / "seeds"]
    for candidate in candidates:
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return None


SEEDS = _seeds_dir()


def _squash(text: str) -> str:
    return _WS.sub("", text)


def paragraph(seed_text: str, paragraph_id: str) -> str | None:
    """The text of one numbered paragraph of a seed, or None if the seed has no such paragraph."""
    pid = str(paragraph_id).strip()
    if pid.isdigit():
        number = int(pid)
        start = re.search(rf"^[ \t\u3000]*{number}、", seed_text, re.MULTILINE)
        if not start:
            return None
        end = re.search(rf"^[ \t\u3000]*{number + 1}、", seed_text[start.end():], re.MULTILINE)
        stop = start.end() + end.start() if end else len(seed_text)
        return seed_text[start.start():stop]
    match = re.fullmatch(r"（([一二三四五六七八九十]+)）", pid)
    if not match:
        return None
    markers = list(_CN_ITEM.finditer(seed_text))
    for i, marker in enumerate(markers):
        if marker.group(1) == match.group(1):
            stop = markers[i + 1].start() if i + 1 < len(markers) else len(seed_text)
            return seed_text[marker.start():stop]
    return None


def _seed_citations():
    cases = []
    for path in RULE_FILES:
        rules = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        for rule in rules:
            for n, citation in enumerate(rule.get("citations") or []):
                if "seed" in citation:
                    cases.append(pytest.param(path.name, rule["id"], citation, id=f"{rule['id']}-{n}"))
    return cases


CITATIONS = _seed_citations()


def test_rule_files_found():
    assert RULE_FILES, "no rules/national/rules/*.yaml"
    assert CITATIONS, "no seed citations found"


def test_every_rule_cites_something():
    for path in RULE_FILES:
        for rule in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            assert rule.get("citations"), f"{path.name}: {rule.get('id')} has no citation"


@pytest.mark.parametrize(("file_name", "rule_id", "citation"), CITATIONS)
def test_seed_quote_in_paragraph(file_name, rule_id, citation):
    if SEEDS is None:
        pytest.fail("seed documents not found beside the repository (../shared/seeds) or in $ZONECHECK_SEEDS_DIR")
    seed_file = SEEDS / citation["seed"]
    assert seed_file.is_file(), f"{file_name} {rule_id}: unknown seed {citation['seed']}"
    quote = _squash(str(citation.get("quote") or ""))
    assert len(quote) >= MIN_QUOTE, f"{file_name} {rule_id}: quote shorter than {MIN_QUOTE} characters"
    text = paragraph(seed_file.read_text(encoding="utf-8"), str(citation.get("paragraph", "")))
    assert text is not None, f"{file_name} {rule_id}: no paragraph {citation.get('paragraph')!r} in {citation['seed']}"
    assert quote in _squash(text), (
        f"{file_name} {rule_id}: quote not found in paragraph {citation['paragraph']} of {citation['seed']}: "
        f"{citation['quote']}"
    )


def test_paragraph_boundaries():
    """The paragraph splitter itself: boundaries fall where the seeds' numbering says."""
    if SEEDS is None:
        pytest.fail("seed documents not found beside the repository (../shared/seeds) or in $ZONECHECK_SEEDS_DIR")
    seed000 = (SEEDS / "000_3f58dc5256128519.txt").read_text(encoding="utf-8")
    p18 = _squash(paragraph(seed000, "（十八）"))
    assert p18.startswith("（十八）规范招商引资") and "（十九）" not in p18
    assert "不得以任何形式违规减免或返还土地出让金" in p18
    seed004 = (SEEDS / "004_62862b04a1ab5f47.txt").read_text(encoding="utf-8")
    p8 = _squash(paragraph(seed004, "8"))
    assert p8.startswith("8、") and "9、" not in p8[:3]
    p80 = _squash(paragraph(seed004, "80"))
    assert p80.startswith("80、强化环境控制与保护") and "81、" not in p80
    assert paragraph(seed004, "97") is None
    assert paragraph(seed000, "（二十）") is None


def test_rules_lint_checks_the_same_quotes() -> None:
    """`zonecheck rules lint --seeds` (the product's own check) agrees: no quote problems."""
    from zonecheck.engine.pack.loader import load_pack
    from zonecheck.service.present.rulebook import seed_quote_problems

    if SEEDS is None:
        pytest.fail("seed documents not found beside the repository (../shared/seeds) or in $ZONECHECK_SEEDS_DIR")
    assert seed_quote_problems(load_pack(ROOT / "rules" / "national"), SEEDS) == []
