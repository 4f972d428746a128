"""`zonecheck specs run`: run feature files through pytest with the specs plugin, quietly, and hand
back what happened (the Chinese summary is the caller's to print).

Exit codes: 0 every scenario passed; 1 a scenario failed or has an undefined step, or a file is
malformed; 2 a usage error (no such file or tag) or an unreadable file.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from pathlib import Path

import pytest

from zonecheck.service.specs import report, words

PLUGIN = "zonecheck.service.specs.plugin"


class UsageError(Exception):
    """A usage problem, in Chinese (exit 2)."""


@dataclass
class Run:
    code: int
    results: report.Results
    output: str  # pytest's own output, for internal errors


def feature_files(paths: list[Path], default: Path) -> list[Path]:
    """The files to run: those given (folders expanded), else every file under `default`."""
    if not paths:
        if not default.is_dir():
            raise UsageError(f"找不到规格目录 {default}：请给出 .feature 文件")
        paths = [default]
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(path.glob("*.feature"))
        elif not path.exists():
            raise UsageError(f"找不到文件 {path}")
        elif path.suffix != ".feature":
            raise UsageError(f"{path} 不是 .feature 文件")
        else:
            try:
                path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                raise UsageError(f"无法读取 {path}：{error}（文件须为 UTF-8 文本）") from None
            found.append(path)
    if not found:
        raise UsageError("没有找到任何 .feature 文件")
    return found


def check_tags(files: list[Path], tags: list[str]) -> None:
    known = sorted({tag for path in files for tag in report.tags_in(path)})
    for tag in tags:
        if tag.lstrip("@") not in known:
            near = words.suggest(words.closest(tag, known)) if known else "（这些文件没有标签）"
            raise UsageError(f"没有场景带标签“{tag}”。最接近的标签：{near}")


class _Catch:
    """A plugin handing back the run's results."""

    def __init__(self) -> None:
        self.results: report.Results | None = None

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        from zonecheck.service.specs.plugin import RESULTS
        self.results = session.config.stash.get(RESULTS, None)


def run(files: list[Path], tags: list[str] | None = None, report_dir: Path | None = None) -> Run:
    tags = [t.lstrip("@") for t in tags or []]
    check_tags(files, tags)
    args = [str(p.resolve()) for p in files] + ["-p", PLUGIN, "-p", "no:cacheprovider", "-q", "--no-header",
                                                 "-o", "console_output_style=classic",
                                                 f"--specs-report={report_dir or 'none'}"]
    if tags:
        args += ["-m", " or ".join(tags)]
    catch = _Catch()
    output = io.StringIO()
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
        code = pytest.main(args, plugins=[catch])
    results = catch.results or report.Results()
    if code == pytest.ExitCode.OK:
        return Run(0, results, output.getvalue())
    if code == pytest.ExitCode.TESTS_FAILED:
        return Run(1, results, output.getvalue())
    if code == pytest.ExitCode.NO_TESTS_COLLECTED:
        raise UsageError("没有选中任何场景")
    return Run(2, results, output.getvalue())
