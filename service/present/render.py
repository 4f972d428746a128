"""Verdicts for people: plain text and Markdown, in Chinese or English."""

from __future__ import annotations

from typing import Any

_MARKS = {"violated": "✗", "satisfied": "✓", "not_applicable": "–", "undetermined": "?"}
_WORDS = {
    "zh": {"decision": "结论", "zone": "园区", "date": "筛查日期", "pack": "规则包", "supply": "需补充",
           "remedy": "整改", "threshold": "控制值", "source": "依据", "not_applied": "未采用（较宽松）",
           "secondary": "二手来源", "values": "读取值", "rule": "规则", "status": "结果", "message": "说明"},
    "en": {"decision": "Decision", "zone": "Zone", "date": "Screening date", "pack": "Rule pack",
           "supply": "To supply", "remedy": "Remedy", "threshold": "Threshold", "source": "Source",
           "not_applied": "not applied (looser)", "secondary": "secondary source", "values": "Values read",
           "rule": "Rule", "status": "Status", "message": "Explanation"},
}


def _threshold_line(ref: dict[str, Any], document: dict[str, Any], lang: str) -> str:
    """One threshold a finding read: its bound, value and source from the verdict's tables."""
    words = _WORDS[lang]
    entry = {**document["thresholds"][ref["parameter"]], **ref}
    sources = document["sources"]
    label = entry["label"][lang]
    if entry["status"] != "ok":
        return f"{label}: —"
    source = sources.get(entry.get("source") or "", {})
    cite = " ".join(x for x in (source.get("number") or source.get("document"), source.get("reference")) if x)
    text = f"{label} {entry.get('comparison') or ''} {entry['display']}".replace("  ", " ")
    if entry.get("as_written") and entry["as_written"] != entry["display"]:
        text += f" (= {entry['as_written']})"
    text += f"; {words['source']}: {cite or source.get('document', '')}"
    if entry.get("confidence") == "secondary":
        text += f" [{words['secondary']}]"
    if entry.get("not_applied"):
        text += f"; {words['not_applied']}: {entry['not_applied']['as_written']}"
    return text


def _citation(citation: dict[str, Any], sources: dict[str, Any]) -> str:
    source = sources.get(citation.get("source") or "", {})
    if citation.get("seed"):
        return f"{source.get('number') or source.get('document') or citation['seed']} {citation['paragraph']}"
    return " ".join(x for x in (source.get("number") or source.get("document"), citation.get("article")) if x)


def to_text(document: dict[str, Any], lang: str = "zh") -> str:
    words = _WORDS[lang]
    lines = [
        f"{document['reference']}  {document['name']}",
        f"{words['decision']}: {document['decision_label'][lang]}  "
        f"({words['zone']}: {document['zone']['name'][lang]}; {words['date']}: {document['screening_date']}; "
        f"{words['pack']}: {document['pack']['id']} {document['pack']['version']})",
        document["summary"][lang],
        "",
    ]
    for finding in document["findings"]:
        mark = _MARKS[finding["status"]]
        head = f"{mark} {finding['rule_id']} {finding['title'][lang]} [{finding['severity']}] — {finding['status_label'][lang]}"
        lines.append(head)
        lines.append(f"    {finding['message'][lang]}")
        if finding["status"] in ("violated", "undetermined"):
            for ref in finding["thresholds"]:
                if document["thresholds"][ref["parameter"]]["unit"] not in ("boolean", "text"):
                    lines.append(f"    {words['threshold']}: {_threshold_line(ref, document, lang)}")
        if finding.get("remedy"):
            lines.append(f"    {words['remedy']}: {finding['remedy'][lang]}")
        if finding["status"] == "violated":
            lines.append(f"    {words['source']}: " + "; ".join(_citation(c, document["sources"]) for c in finding["citations"]))
    return "\n".join(lines) + "\n"


def to_markdown(document: dict[str, Any], lang: str = "zh") -> str:
    words = _WORDS[lang]
    out = [
        f"# {document['reference']} {document['name']}",
        "",
        f"**{words['decision']}: {document['decision_label'][lang]}** — {document['summary'][lang]}",
        "",
        f"- {words['zone']}: {document['zone']['name'][lang]} (`{document['zone']['id']}`)",
        f"- {words['date']}: {document['screening_date']}",
        f"- {words['pack']}: `{document['pack']['id']}` {document['pack']['version']} (`{document['pack']['hash'][:19]}`)",
        "",
        f"| {words['rule']} | {words['status']} | {words['message']} |",
        "| --- | --- | --- |",
    ]
    for finding in document["findings"]:
        message = finding["message"][lang]
        if finding.get("remedy"):
            message += f"<br>**{words['remedy']}**: {finding['remedy'][lang]}"
        table = document["thresholds"]
        thresholds = [_threshold_line(t, document, lang) for t in finding["thresholds"]
                      if table[t["parameter"]]["status"] == "ok" and table[t["parameter"]]["unit"] not in ("boolean", "text")]
        if thresholds and finding["status"] == "violated":
            message += "<br>" + "<br>".join(thresholds)
        cell = message.replace("|", "\\|")
        out.append(f"| {finding['rule_id']} {finding['title'][lang]} ({finding['severity']}) | "
                   f"{_MARKS[finding['status']]} {finding['status_label'][lang]} | {cell} |")
    return "\n".join(out) + "\n"
