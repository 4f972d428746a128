"""The one catalogue of words a verdict is shown in: labels of statuses, decisions, severities and
reasons, the fixed messages, report headings, and how a citation and a clause are written (zh, en).

Every view (full JSON, text, Markdown, HTML) takes its words from here; nothing else holds a label.
"""

from __future__ import annotations

from typing import Any

from zonecheck.engine.explain.outcome import Decision, Severity, Status
from zonecheck.engine.pack.model import Citation, Pack, Rule, Source

LANGS = ("zh", "en")

STATUS_LABELS = {
    Status.VIOLATED: {"zh": "违反", "en": "violated"},
    Status.SATISFIED: {"zh": "符合", "en": "satisfied"},
    Status.NOT_APPLICABLE: {"zh": "不适用", "en": "not applicable"},
    Status.UNDETERMINED: {"zh": "无法判断", "en": "cannot judge"},
}
DECISIONS = {
    Decision.REJECTED: {"zh": "否决", "en": "rejected"},
    Decision.REVISE: {"zh": "需修改", "en": "revise"},
    Decision.INCOMPLETE: {"zh": "需补充材料", "en": "incomplete"},
    Decision.NEEDS_REVIEW: {"zh": "需人工核查", "en": "needs review"},
    Decision.CONDITIONAL: {"zh": "附条件通过", "en": "conditional"},
    Decision.APPROVED: {"zh": "通过", "en": "approved"},
}
# what a violation of each severity is called in a report
SEVERITIES = {
    Severity.VETO: {"zh": "否决项", "en": "veto"},
    Severity.MANDATORY: {"zh": "须修改项", "en": "must fix"},
    Severity.CONDITION: {"zh": "附加条件", "en": "condition"},
    Severity.ADVISORY: {"zh": "建议项", "en": "advisory"},
}
CONFIDENCE = {
    "law": {"zh": "法规原文", "en": "statute text"},
    "read": {"zh": "已核对原文", "en": "read in the original"},
    "secondary": {"zh": "二手来源", "en": "secondary source"},
    "seed": {"zh": "种子文件", "en": "seed document"},
    "local": {"zh": "园区文件", "en": "zone document"},
}
NO_THRESHOLD_MESSAGE = {
    "zh": "未核查：该园区、行业和日期没有有效的控制值，待园区配置载明来源的本地控制值。",
    "en": "Not checked: no control value is in force for this zone, industry and date; "
          "a zone profile must supply one with its source.",
}
AMBIGUOUS_CODE_HINT = {"zh": "行业代码过短，对应多个控制值：请提供 3 位或 4 位代码",
                       "en": "the industry code is too short and maps to several control values: give 3 or 4 digits"}

# headings and words of the reports (text, Markdown, HTML)
WORDS = {
    "zh": {"decision": "结论", "industry": "行业（GB/T 4754-2017）", "zone": "园区", "date": "筛查日期", "pack": "规则包", "supply": "需补充的材料",
           "violations": "违反的规定", "review": "需人工核查", "conditions": "附加条件", "advisory": "建议项",
           "not_checked": "未核查（无有效控制值）", "met": "符合的规定", "not_applicable": "不适用的规定",
           "remedy": "整改", "threshold": "控制值", "source": "依据", "not_applied": "未采用",
           "value": "申报值", "rule": "规则", "status": "结果", "message": "说明", "what_to_do": "需要做的",
           "fictional": "（虚构园区，仅作演示）", "none": "无", "for_rule": "所涉规则", "generated": "生成",
           "rules_met_count": "条规则符合", "rules_na_count": "条规则不适用", "proposal": "申报项目",
           "digest": "申报材料摘要", "title": "投资项目准入筛查报告", "in_source_unit": "按原文单位",
           "as_written": "原文"},
    "en": {"decision": "Decision", "industry": "Industry (GB/T 4754-2017)", "zone": "Zone", "date": "Screening date", "pack": "Rule pack",
           "supply": "Facts to supply", "violations": "Rules violated", "review": "Checks for a person",
           "conditions": "Conditions", "advisory": "Advisories", "not_checked": "Not checked (no control value in force)",
           "met": "Rules met", "not_applicable": "Rules not applicable", "remedy": "Remedy", "threshold": "Threshold",
           "source": "Source", "not_applied": "not applied", "value": "Value", "rule": "Rule", "status": "Status",
           "message": "Explanation", "what_to_do": "What to do", "fictional": "(fictional zone, for demonstration)",
           "none": "none", "for_rule": "for", "generated": "Generated", "rules_met_count": "rules met",
           "rules_na_count": "rules not applicable", "proposal": "Proposal", "digest": "Proposal digest",
           "title": "Investment proposal screening report", "in_source_unit": "in the source's unit",
           "as_written": "as written"},
}


def pick(text: dict[str, str] | None, langs: tuple[str, ...]) -> dict[str, str] | None:
    """A `{lang: text}` map restricted to the languages asked for."""
    if text is None:
        return None
    return {lang: text[lang] for lang in langs if lang in text}


def clause(rule: Rule) -> str:
    """The clause a rule rests on, shortly (in summaries): its first citation's document number and article."""
    first = rule.citations[0]
    if first.seed:
        name = (first.source.number or first.source.document) if first.source else first.seed
        return f"{name} {first.paragraph}"
    source = first.source
    return f"{source.number or source.document} {first.article}".strip()  # type: ignore[union-attr]


def _article(citation: Citation, lang: str) -> str:
    if citation.seed:
        paragraph = citation.paragraph or ""
        if paragraph.isdigit():  # a numbered paragraph of the document, e.g. "59、"
            return f"第{paragraph}项" if lang == "zh" else f"item {paragraph}"
        return paragraph
    return citation.article or ""


def source_name(source: Source, lang: str = "zh") -> str:
    """A document by its title and 文号: 《…》（国土资发〔2008〕24号）."""
    title = source.document.strip()
    if not title.startswith("《") and lang == "zh" and not title.endswith("）"):
        title = "《" + title.replace("《", "〈").replace("》", "〉") + "》"  # a title inside a title takes 〈〉
    if source.number and source.number not in title:
        return f"{title}（{source.number}）" if lang == "zh" else f"{title} ({source.number})"
    return title


def cite(citation: Citation, lang: str = "zh") -> str:
    """A citation for people: document title, 文号 and article; never a seed file's name."""
    if citation.source is None:
        return _article(citation, lang) or "—"
    article = _article(citation, lang)
    glue = "" if lang == "zh" or not article else " "
    return f"{source_name(citation.source, lang)}{glue}{article}"


_REVIEW_FALLBACK = {
    "zh": "核对{source}中参数“{label}”的现行控制值，并据此人工判断本项目是否符合 {rule}。",
    "en": "Check the control value in force of \"{label}\" in {source} and judge by hand whether the project meets {rule}.",
}


def review_message(pack: Pack, item: dict[str, Any]) -> dict[str, str]:
    """What the officer must check by hand for one `to_review` entry: the parameter's `review` text in the
    pack, else a sentence naming the parameter, its source and the rule."""
    param = pack.parameters[item["parameter"]]
    if param.review:
        return dict(param.review)
    source = pack.sources.get(item.get("source") or "")
    named = {"zh": f"《{source.document}》" if source else "相关文件", "en": source.document if source else "the source"}
    if source and source.number:
        named = {"zh": f"{named['zh']}（{source.number}）", "en": f"{named['en']} ({source.number})"}
    return {lang: text.format(source=named[lang], label=param.label[lang], rule=item["rule_id"])
            for lang, text in _REVIEW_FALLBACK.items()}


def summary(decision: str, violated: dict[str, list[Rule]], blocking: list[Rule], missing: list[str],
            checked: int, not_checked: list[str], labels: dict[str, str],
            review: list[dict[str, Any]] | None = None, langs: tuple[str, ...] = LANGS) -> dict[str, str]:
    """The verdict's one-paragraph summary, in `langs`: the decision and the rules behind it, the facts to
    supply, the checks for a person."""
    out = {}
    for lang in langs:
        w = _SUMMARY_WORDS.get(lang)
        if w is None:
            continue
        parts = [w["decision"].format(DECISIONS[decision][lang])]  # type: ignore[index]
        for severity in (Severity.VETO, Severity.MANDATORY, Severity.CONDITION):
            if hits := violated.get(severity):
                rules = w["sep"].join([_named(r, lang) for r in hits])
                parts.append(w["severity"].format(w[severity], rules))
        if missing:
            where = w["sep"].join([_named(r, None) for r in blocking])
            names = (labels[p] for p in missing) if lang == "zh" else missing  # paths in English
            parts.append(w["supply"].format(w["list"].join(names), where))
        if decision == Decision.NEEDS_REVIEW and review:
            parts.append(w["review"].format(w["sep"].join(f"{r['rule_id']} {r['message'][lang]}" for r in review)))
        if decision == Decision.APPROVED:
            parts.append(w["approved"].format(checked))
        if not_checked:
            parts.append(w["not_checked"].format(w["list"].join(not_checked)))
        out[lang] = w["join"].join(parts)
    return out


_NAMED: dict[tuple[int, str | None], tuple[Rule, str]] = {}


def _named(rule: Rule, lang: str | None) -> str:
    """A rule as a summary names it: id, title in `lang` and clause (id and clause only, for None); made
    once per rule (found by identity, the rule held so that its id is never another's)."""
    key = (id(rule), lang)
    found = _NAMED.get(key)
    if found is None or found[0] is not rule:
        if len(_NAMED) >= 4096:
            _NAMED.clear()
        text = f"{rule.id} {clause(rule)}" if lang is None else _SUMMARY_WORDS[lang]["hit"].format(rule.id, rule.title[lang], clause(rule))
        found = _NAMED[key] = (rule, text)
    return found[1]


_SUMMARY_WORDS: dict[str, dict[str, str]] = {
    "zh": {"decision": "结论：{}。", "hit": "{} {}（{}）", "sep": "；", "list": "、", "join": "", "severity": "{}：{}。",
           Severity.VETO: SEVERITIES[Severity.VETO]["zh"], Severity.MANDATORY: SEVERITIES[Severity.MANDATORY]["zh"],
           Severity.CONDITION: SEVERITIES[Severity.CONDITION]["zh"],
           "supply": "需补充：{}（{}）。", "review": "需人工核查：{}。", "approved": "{} 条规则符合或不适用，逐条依据见各项结论。",
           "not_checked": "未核查（无有效控制值）：{}。"},
    "en": {"decision": "Decision: {}.", "hit": "{} {} ({})", "sep": "; ", "list": ", ", "join": " ", "severity": "{}: {}.",
           Severity.VETO: "veto", Severity.MANDATORY: "must fix", Severity.CONDITION: "condition",
           "supply": "To supply: {} ({}).", "review": "To check by hand: {}.",
           "approved": "{} rules satisfied or not applicable; each finding cites its clause.",
           "not_checked": "Not checked (no control value in force): {}."},
}


def ask_to_supply(missing: list[str], labels: dict[str, str]) -> dict[str, str]:
    names = "、".join(labels[p] for p in missing) or "—"
    return {"zh": f"无法判断：请补充 {names}。", "en": f"Cannot judge: supply {', '.join(missing) or '—'}."}


def pack_title(pack: Pack, lang: str) -> str:
    return pack.title.get(lang) or pack.id


def words(lang: str) -> dict[str, Any]:
    return WORDS[lang]
