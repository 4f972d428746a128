"""FastAPI's request validation (query, path, header and small JSON bodies) as our field problems: each
bad field's path, Chinese label, the value given and the reason in the request's language, the shape a
bad proposal's fields get. Also the checks that keep bad input away from the database (a NUL character,
which PostgreSQL refuses in text, would otherwise read as database trouble)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, StringConstraints
from pydantic_core import PydanticCustomError

LABELS = {
    "lang": "语言", "format": "格式", "limit": "每页条数", "cursor": "分页游标", "as_of": "筛查日期",
    "zone": "园区", "decision": "结论", "reference": "项目编号", "industry_code": "行业代码",
    "project_code": "全国项目代码", "screened_from": "筛查日期起", "screened_to": "筛查日期止",
    "created_from": "创建时间起", "created_to": "创建时间止", "outcome": "处理结果", "reason": "理由",
    "officer": "经办人", "role": "角色", "zones": "园区范围", "all_zones": "全部园区", "label": "备注",
    "detail": "详略", "screening_id": "筛查记录编号", "rule_id": "规则编号", "key_id": "密钥编号",
    "Idempotency-Key": "幂等键", "idempotency-key": "幂等键", "": "请求体",
}

# pydantic's error type -> (zh, en); {names} come from the error's context
REASONS: dict[str, tuple[str, str]] = {
    "missing": ("必填，未提供", "required, not given"),
    "int_parsing": ("应为整数", "must be an integer"),
    "int_type": ("应为整数", "must be an integer"),
    "int_from_float": ("应为整数", "must be an integer"),
    "float_parsing": ("应为数值", "must be a number"),
    "bool_parsing": ("应为 true 或 false", "must be true or false"),
    "bool_type": ("应为 true 或 false", "must be true or false"),
    "greater_than_equal": ("不得小于 {ge}", "must be at least {ge}"),
    "greater_than": ("应大于 {gt}", "must be greater than {gt}"),
    "less_than_equal": ("不得大于 {le}", "must be at most {le}"),
    "less_than": ("应小于 {lt}", "must be less than {lt}"),
    "string_too_long": ("最长 {max_length} 个字符", "at most {max_length} characters"),
    "string_too_short": ("至少 {min_length} 个字符", "at least {min_length} characters"),
    "too_short": ("至少 {min_length} 项", "at least {min_length} items"),
    "too_long": ("最多 {max_length} 项", "at most {max_length} items"),
    "string_type": ("应为文本", "must be text"),
    "list_type": ("应为列表", "must be a list"),
    "dict_type": ("应为 JSON 对象", "must be a JSON object"),
    "model_attributes_type": ("应为 JSON 对象", "must be a JSON object"),
    "literal_error": ("应为以下之一：{expected}", "must be one of: {expected}"),
    "enum": ("应为以下之一：{expected}", "must be one of: {expected}"),
    "date_parsing": ("应为日期 YYYY-MM-DD", "must be a date YYYY-MM-DD"),
    "date_from_datetime_parsing": ("应为日期 YYYY-MM-DD", "must be a date YYYY-MM-DD"),
    "date_from_datetime_inexact": ("应为日期 YYYY-MM-DD（不含时刻）", "must be a date YYYY-MM-DD (no time of day)"),
    "date_type": ("应为日期 YYYY-MM-DD", "must be a date YYYY-MM-DD"),
    "datetime_parsing": ("应为时间 YYYY-MM-DDTHH:MM:SS（可带时区）", "must be a time YYYY-MM-DDTHH:MM:SS (zone optional)"),
    "datetime_from_date_parsing": ("应为时间 YYYY-MM-DDTHH:MM:SS（可带时区）",
                                   "must be a time YYYY-MM-DDTHH:MM:SS (zone optional)"),
    "datetime_type": ("应为时间 YYYY-MM-DDTHH:MM:SS（可带时区）", "must be a time YYYY-MM-DDTHH:MM:SS (zone optional)"),
    "extra_forbidden": ("不是可用的字段", "not a known field"),
    "json_invalid": ("不是有效的 JSON", "not valid JSON"),
    "json_type": ("不是有效的 JSON", "not valid JSON"),
    "no_nul": ("不得包含 NUL 字符（\\u0000）", "must not contain a NUL character (\\u0000)"),
}


def reason(error: dict[str, Any], lang: str) -> str:
    known = REASONS.get(str(error.get("type")))
    if known is None:  # a check without its own wording: pydantic's English, marked as such in Chinese
        message = str(error.get("msg", ""))
        return message if lang == "en" else f"取值无效（{message}）"
    context = {k: (" 或 ".join(str(v).split(" or ")) if lang == "zh" and k == "expected" else v)
               for k, v in (error.get("ctx") or {}).items()}
    try:
        return known[lang == "en"].format(**context)
    except (KeyError, IndexError):
        return known[lang == "en"].split("{")[0].rstrip("：: ")


def field_problems(errors: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """Pydantic's errors as field problems (every one, in order), reasons in `lang`."""
    found = []
    for item in errors:
        loc = [str(part) for part in item.get("loc", ())]
        where = loc[0] if loc else ""
        path = ".".join(loc[1:]) if where in ("query", "header", "path", "body", "cookie") else ".".join(loc)
        value = item.get("input")
        found.append({"path": path, "label": LABELS.get(path.split(".")[0], path),
                      "value": None if item.get("type") == "missing" or isinstance(value, dict) else value,
                      "reason": reason(item, lang)})
    return found


def _no_nul(text: str) -> str:
    if "\x00" in text:
        raise PydanticCustomError("no_nul", "must not contain a NUL character")
    return text


def nul_paths(data: Any, prefix: str = "") -> list[str]:
    """The paths of every text (key or value) in parsed JSON that holds a NUL character."""
    if isinstance(data, str):
        return [prefix] if "\x00" in data else []
    found: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            found += [path] if "\x00" in str(key) else nul_paths(value, path)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += nul_paths(value, f"{prefix}.{index}" if prefix else str(index))
    return found


Text = Annotated[str, AfterValidator(_no_nul)]  # any text that may reach the database
Code = Annotated[str, StringConstraints(max_length=100), AfterValidator(_no_nul)]  # a query filter
