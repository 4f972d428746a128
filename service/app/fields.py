"""The fields of a proposal as people need them: what `zonecheck fields` lists and `zonecheck template` writes."""

from __future__ import annotations

from typing import Any

from zonecheck.engine.contract.validate import Field, fields_of
from zonecheck.engine.contract.proposal import Proposal
from zonecheck.engine.screener import Screener

UNITS_ACCEPTED = {"m2": "m2（也可写 亩、公顷，如 \"50亩\" 或 {value: 50, unit: 亩}）",
                  "万元": "万元（也可写 元、亿元，如 \"1.5亿元\"）", "fraction": "0–1 的小数（也可写 \"50%\"）"}
KIND_ZH = {"number": "数值", "boolean": "是/否", "enum": "代码（单选）", "enum_list": "代码列表（可多选）",
           "integer": "整数", "code": "GB/T 4754-2017 行业代码", "date": "日期 YYYY-MM-DD", "text": "文本"}


def _leaves(model: Any = Proposal, prefix: str = "") -> list[tuple[str, Field, bool]]:
    found = []
    for name, spec in fields_of(model).items():
        required = model.model_fields[name].is_required()
        if spec.kind == "model":
            found += _leaves(spec.model, f"{prefix}{name}.")
        elif spec.kind == "model_list":
            found += _leaves(spec.model, f"{prefix}{name}.0.")
        else:
            found.append((f"{prefix}{name}", spec, required))
    return found


def _allowed(spec: Field) -> str:
    from zonecheck.engine.contract.validate import BOOLEAN_ALLOWED, _choices, _Checker

    if spec.kind in ("enum", "enum_list") and spec.enum is not None:
        return " | ".join(f"{c['code']} {c['name']}" for c in _choices(spec.enum))
    if spec.kind == "boolean":
        return " | ".join(f"{c['code']} {c['name']}" for c in BOOLEAN_ALLOWED) + "（也可写 是/否、yes/no）"
    if spec.kind in ("number", "integer"):
        return _Checker._range_text(spec)
    return ""


def field_rows(screener: Screener | None = None) -> list[dict[str, Any]]:
    """Every field: path, Chinese label, kind, unit, allowed values and the rules that read it."""
    readers: dict[str, list[str]] = {}
    if screener is not None:
        for plan in screener.explainer.plan.rules:
            for path in plan.value_paths:
                readers.setdefault(path, []).append(plan.rule.id)
    rows = []
    for path, spec, required in _leaves():
        rows.append({"path": path, "label": spec.label, "kind": spec.kind, "required": required,
                     "unit": UNITS_ACCEPTED.get(spec.unit or "", spec.unit), "allowed": _allowed(spec),
                     "rules": readers.get(path, [])})
    return rows


def template(zone: str | None = None, zone_facts: dict[str, Any] | None = None) -> str:
    """A blank proposal in YAML, every field commented in Chinese."""
    lines = ["# 投资项目申报（zonecheck 模板）。必填项：reference、name、zone、submitted_on、project.industry_code。",
             "# 留空（不填）的事项视为“未提供”，相关规则给出“无法判断”，不会按 0 或“否”处理。",
             "# 是/否 项填 是 或 否（也可 true/false、yes/no）；代码项可填代码或中文名称；",
             "# 面积可写 \"50亩\"、\"2公顷\"，金额可写 \"1.5亿元\"，换算后按 6 位小数取整。", ""]
    section = None
    for path, spec, required in _leaves():
        parts = path.split(".")
        if ".0." in path:
            continue
        if len(parts) == 2 and parts[0] != section:
            section = parts[0]
            lines.append(f"{section}:  # {fields_of(Proposal)[section].label}")
        indent = "  " if len(parts) == 2 else ""
        if len(parts) == 1:
            section = None
        note = [spec.label, "必填" if required else "", KIND_ZH.get(spec.kind, ""), _allowed(spec)]
        if spec.unit:
            note.append(UNITS_ACCEPTED.get(spec.unit, spec.unit))
        if zone_facts and path in zone_facts:
            note.append(f"不填时取园区配置的值：{zone_facts[path]}")
        value = ""
        if path == "zone" and zone:
            value = " " + zone
        lines.append(f"{indent}{parts[-1]}:{value}  # " + "；".join(n for n in note if n))
    lines.append("")
    return "\n".join(lines)
