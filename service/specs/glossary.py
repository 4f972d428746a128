"""The glossary staff search: every step phrase with an example, every field, rule and zone.

Generated from the vocabulary, the proposal's fact catalogue and the pack, so it cannot fall behind
them; docs/specs.md carries the Markdown form (a test checks it is current).
"""

from __future__ import annotations

from typing import Any

from zonecheck.service.specs import words
from zonecheck.service.specs.coverage import SEVERITY_NAMES
from zonecheck.service.specs.verdict_view import DECISION_NAMES, STATUS_NAMES
from zonecheck.service.specs.vocabulary import PHRASES, SYNONYMS, Phrase

KIND_TITLES = {"fact": "条件（写在 假如、假设、并且、而且 之后）", "action": "动作（写在 当 之后）",
               "outcome": "结果（写在 那么、并且 之后）"}
UNIT_TEXT = {**words.UNIT_NAMES, None: ""}


def _phrases() -> list[Phrase]:
    """One entry per phrase (a phrase may have several patterns, e.g. synonyms), each current phrase
    followed by the older wordings that do the same."""
    seen: dict[tuple[str, str], Phrase] = {}
    for phrase in PHRASES:
        seen.setdefault((phrase.kind, phrase.template), phrase)
    handlers = list(dict.fromkeys(p.run for p in seen.values()))
    return sorted(seen.values(), key=lambda p: (handlers.index(p.run), p.legacy))


def _meaning(phrase: Phrase) -> str:
    if phrase.meaning != "同上":
        return phrase.meaning
    current = next(p for p in PHRASES if p.run is phrase.run and not p.legacy)
    return f"同“{current.template}”"


def _values(field: words.Field) -> str:
    spec = field.spec
    if spec is None:
        return {"zone": "园区编号或中文名称", "submitted_on": "YYYY-MM-DD"}.get(field.path, "文字")
    if spec.kind == "boolean":
        return "是 / 否"
    if spec.kind in ("enum", "enum_list"):
        joined = "；".join(f"{name}（{code}）" for code, name in spec.choice_labels.items())
        return joined + ("；可填多项，用“、”分隔，“无”表示没有" if spec.kind == "enum_list" else "")
    if spec.kind == "number":
        return "数字，可带千位逗号" + (f"和单位 {words.UNIT_NAMES[spec.unit]}" if spec.unit else "")
    if spec.kind == "integer":
        return "整数"
    if spec.kind == "code":
        return "2 至 4 位数字代码"
    return "文字"


def sections(pack: Any) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, header, rows) for each part of the glossary."""
    phrase_rows = []
    for kind in ("fact", "action", "outcome"):
        for phrase in (p for p in _phrases() if p.kind == kind):
            note = _meaning(phrase) + ("（旧写法，仍可用）" if phrase.legacy else "")
            if phrase.template in SYNONYMS:
                note += "。也可写：" + "；".join(SYNONYMS[phrase.template])
            phrase_rows.append([KIND_TITLES[kind].split("（")[0], phrase.template, phrase.example, note])
    fields = [[f.path, f.label, UNIT_TEXT.get(f.spec.unit if f.spec else None, ""), _values(f)] for f in words.FIELDS]
    rules = [[r.id, SEVERITY_NAMES[r.severity], r.title["zh"],
              "、".join(f"{c.id}（{SEVERITY_NAMES[c.severity]}）" for c in r.cases) or "—"] for r in pack.rules]
    zones = [[z.id, z.name["zh"]] for z in pack.zones.values()]
    outcomes = [["审查结论", "、".join(DECISION_NAMES.values())], ["规则结果", "、".join(STATUS_NAMES.values())]]
    return [
        ("步骤", ["类别", "写法", "例子", "说明"], phrase_rows),
        ("结论和结果", ["项目", "可取"], outcomes),
        ("字段（写中文名称或路径；名称末尾括号里的单位可省略）", ["路径", "中文名称", "单位", "可填的值"], fields),
        (f"规则（{pack.id} {pack.version}）", ["规则编号", "等级", "标题", "违反情形"], rules),
        ("园区", ["园区编号", "名称"], zones),
    ]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def markdown(pack: Any) -> str:
    out = []
    for title, header, rows in sections(pack):
        out += [f"### {title}", "", "| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
        out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
        out.append("")
    return "\n".join(out)


def text(pack: Any) -> str:
    out = []
    for title, header, rows in sections(pack):
        out += [f"== {title} ==", "  " + " ｜ ".join(header)]
        for row in rows:
            out.append("  " + " ｜ ".join(c.replace("\n", " / ") for c in row))
        out.append("")
    return "\n".join(out)



START, END = "<!-- glossary:start -->", "<!-- glossary:end -->"


def with_glossary(document: str, pack: Any) -> str:
    """`document` with the part between the glossary markers regenerated."""
    head, _, rest = document.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{markdown(pack)}{END}{tail}"


if __name__ == "__main__":  # python -m zonecheck.service.specs.glossary docs/specs.md
    import sys
    from pathlib import Path

    from zonecheck.engine.pack.loader import load_pack
    from zonecheck.engine.pack.locate import rules_root

    target = Path(sys.argv[1])
    target.write_text(with_glossary(target.read_text(encoding="utf-8"), load_pack(rules_root(None) / "national")),
                      encoding="utf-8")
