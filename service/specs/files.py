"""Reading feature files: a malformed one is diagnosed in Chinese (the Gherkin parser says only
`TokenError`), with the usual causes found on their lines."""

from __future__ import annotations

import re
from pathlib import Path

LANGUAGE_LINE = "# language: zh-CN"
KEYWORDS = ("功能", "背景", "场景大纲", "场景", "剧本大纲", "剧本", "例子", "规则")
COMMON_CAUSES = ("常见原因：首行缺少 `# language: zh-CN`；关键字后用了全角冒号“：”；"
                 "用了“示例:”而不是“例子:”；表格用了全角竖线“｜”。")


def language_missing(text: str) -> bool:
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return re.fullmatch(r"#\s*language\s*:\s*zh-CN", first) is None


def hints(text: str) -> list[str]:
    """The usual mistakes, each at its line."""
    found = []
    if language_missing(text):
        found.append(f"第 1 行：首行应为 `{LANGUAGE_LINE}`（缺少时中文关键字无法识别）")
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        keyword = next((k for k in KEYWORDS if stripped.startswith(k + "：")), None)
        if keyword:
            found.append(f"第 {number} 行：“{keyword}：”用了全角冒号，应写“{keyword}:”")
        if re.match(r"示例\s*[:：]", stripped):
            found.append(f"第 {number} 行：应写“例子:”而不是“示例:”")
        if "｜" in stripped and stripped.startswith(("｜", "|")):
            found.append(f"第 {number} 行：表格用了全角竖线“｜”，应为半角“|”")
    return found


def duplicate_scenarios(text: str) -> list[str]:
    names: dict[str, int] = {}
    dupes = []
    for number, line in enumerate(text.splitlines(), 1):
        match = re.match(r"\s*(?:场景大纲|场景|剧本大纲|剧本)\s*:\s*(.+?)\s*$", line)
        if match:
            name = match.group(1)
            if name in names:
                dupes.append(f"第 {number} 行：场景名称“{name}”与第 {names[name]} 行重复（同名场景只会运行最后一个）")
            names.setdefault(name, number)
    return dupes


def parse_error_text(error: Exception) -> str:
    """The parser's message in Chinese where it is a known one, its line numbers said in Chinese."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    first_step = re.match(r"First step in a scenario or background must start with .*, but got (.+?)\.?$", text)
    if first_step:
        line = getattr(error, "line", None)
        where = f"第 {line} 行：" if line else ""
        return f"{where}场景或背景的第一步须以“假如”“当”或“那么”开头，不能以“{first_step.group(1)}”开头"
    unexpected = re.match(r"\((\d+):(\d+)\): expected: .*?, got '(.*)'$", text)
    if unexpected:
        line, column, got = unexpected.groups()
        return f"第 {line} 行第 {column} 列：此处不能写“{got}”"
    return re.sub(r"\((\d+):(\d+)\)", r"第 \1 行第 \2 列", text)


def stepless(scenario: object) -> str | None:
    """Why a scenario checks nothing, if it does not: no steps, or no 那么 step."""
    steps = getattr(scenario, "steps", [])
    if not steps:
        return "没有任何步骤（每一步须以“假如”“当”“那么”“并且”等关键字开头，否则会被当作说明文字）"
    if not any(step.type == "then" for step in steps):
        return "没有“那么”步骤，什么也没有检验"
    return None


def diagnosis(path: Path, text: str | None, error: Exception | None) -> str:
    """Why a feature file cannot be run, for its own failing test."""
    if text is None:
        return f"{path.name} 无法读取：{error}（文件须为 UTF-8 文本）"
    found = hints(text)
    said = parse_error_text(error) if error else "格式有误"
    lines = [f"{path.name} 无法解析：{said}"] + [f"  - {hint}" for hint in found]
    if found or said == (str(error).strip().splitlines() or [""])[0]:  # the parser's own words: say the usual causes
        lines.append(f"  {COMMON_CAUSES}")
    return "\n".join(lines)
