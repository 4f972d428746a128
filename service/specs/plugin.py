"""The pytest plugin that runs feature files with the step vocabulary.

- `python -m pytest features/X.feature` collects that file (pyproject's addopts load this plugin with
  `-p`, as `zonecheck specs run` does); tests/test_features.py binds every file with `bind_feature`.
- Every step goes to one catch-all step per keyword type, which dispatches to `vocabulary`: an unknown
  phrase is reported in Chinese with the closest phrases instead of pytest-bdd's English error.
- A failure shows the file, line, step as written and the Chinese reason, not pytest internals.
- A malformed file becomes one failing test of its own, kept even by a tag-filtered (`-m`) run.
- At the end, the Cucumber JSON report, the HTML page and the coverage table go to `--specs-report`.
"""

from __future__ import annotations

import datetime as dt
import os
import types
from pathlib import Path
from typing import Any

import pytest
from pytest_bdd import given, parsers, scenario, then, when
from pytest_bdd.feature import get_feature
from pytest_bdd.utils import CONFIG_STACK

from zonecheck.engine.pack.locate import rules_root
from zonecheck.engine.screener import InvalidProposal, Screener
from zonecheck.service.specs import files, report, vocabulary
from zonecheck.service.specs.vocabulary import Spec, UndefinedStep, Where
from zonecheck.service.specs.words import InvalidInput, SpecError

RESULTS = pytest.StashKey["report.Results"]()
RECORD = pytest.StashKey["report.ScenarioRecord"]()
BROKEN_ATTRIBUTE = "zonecheck_broken_feature"
PACK = os.environ.get("ZONECHECK_SPECS_PACK", "national")



# --- binding feature files ------------------------------------------------------------------------

def _noop() -> None:
    """A bound scenario: everything happens in its steps."""


def _broken_test(message: str) -> Any:
    def broken() -> None:
        pytest.fail(message, pytrace=False)
    setattr(broken, BROKEN_ATTRIBUTE, message)
    return broken


def bind_feature(path: Path, namespace: dict[str, Any]) -> list[str]:
    """Put one test per scenario of `path` into `namespace` (a module's globals); a file that cannot
    be run becomes one failing test of its own with a Chinese diagnosis."""
    path = path.resolve()
    stem = path.stem
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        namespace[f"test_feature_file_{stem}_parses"] = _broken_test(files.diagnosis(path, None, error))
        return [f"test_feature_file_{stem}_parses"]
    error: Exception | None = None
    feature = None
    if files.language_missing(text):
        error = ValueError("首行缺少语言声明")
    else:
        try:
            feature = get_feature(str(path.parent), str(path))
        except Exception as raised:  # noqa: BLE001 - any parser error is this file's own failing test
            error = raised
    if feature is None:
        namespace[f"test_feature_file_{stem}_parses"] = _broken_test(files.diagnosis(path, text, error))
        return [f"test_feature_file_{stem}_parses"]
    if CONFIG_STACK:  # tags become pytest marks: registered so that --strict-markers accepts them
        register_tags(CONFIG_STACK[-1], path)
    names = []
    dupes = files.duplicate_scenarios(text)
    if dupes:
        namespace[f"test_feature_file_{stem}_scenario_names"] = _broken_test(
            f"{path.name}：\n" + "\n".join(f"  - {d}" for d in dupes))
        names.append(f"test_feature_file_{stem}_scenario_names")
    for name, template in feature.scenarios.items():
        empty = files.stepless(template)
        if empty:
            test = _broken_test(f"{path.name}:{template.line_number} 场景“{name}”{empty}")
        else:
            test = scenario(str(path), name, features_base_dir=str(path.parent))(_noop)
        test_name = f"test_{name}"
        while test_name in namespace:
            test_name += "_"
        namespace[test_name] = test
        names.append(test_name)
    return names


def register_tags(config: pytest.Config, path: Path) -> None:
    known = {line.split(":", 1)[0].strip() for line in config.getini("markers")}
    for tag in report.tags_in(path):
        if tag not in known:
            config.addinivalue_line("markers", f"{tag}: scenarios tagged @{tag}")


class FeatureFile(pytest.Module):
    """A `.feature` file collected as if it were a test module binding its scenarios."""

    def _getobj(self) -> types.ModuleType:
        module = types.ModuleType(f"zonecheck_feature_{self.path.stem}")
        module.__file__ = str(self.path)
        bind_feature(self.path, vars(module))
        return module


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("zonecheck specs")
    group.addoption("--specs-report", default=os.environ.get("ZONECHECK_SPECS_REPORT", "reports"),
                    help="folder for cucumber.json, specs.html and coverage.json ('none': no report)")


def pytest_configure(config: pytest.Config) -> None:
    config.stash[RESULTS] = report.Results()


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix != ".feature":
        return None
    return FeatureFile.from_parent(parent, path=file_path)


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> Any:
    """A broken feature file stays in every run, tag-filtered or not: it must not vanish silently."""
    before = [item for item in items if getattr(getattr(item, "obj", None), BROKEN_ATTRIBUTE, None)]
    result = yield
    kept = set(map(id, items))
    items.extend(item for item in before if id(item) not in kept)
    return result


# --- fixtures and the catch-all steps -------------------------------------------------------------

@pytest.fixture(scope="session")
def zonecheck_screener(request: pytest.FixtureRequest) -> Screener:
    screener = Screener(rules_root(None) / PACK)
    request.config.stash[RESULTS].pack = screener.pack
    return screener


@pytest.fixture
def zonecheck_spec(zonecheck_screener: Screener, request: pytest.FixtureRequest) -> Spec:
    def screen(proposal: dict[str, Any], zone: str | None, as_of: dt.date | None) -> Any:
        try:
            return zonecheck_screener.screen(proposal, zone=zone, as_of=as_of, timestamp=False)
        except InvalidProposal as error:
            raise InvalidInput([(p.path, p.label_zh, p.reason) for p in error.problems]) from None

    here = Path(str(request.node.path)).parent
    examples = [here.parent / "examples", here / "examples", Path.cwd() / "examples"]
    return Spec(screen=screen, zones=zonecheck_screener.pack.zones, examples=examples)


ANY = parsers.re(r"(?P<text>[\s\S]*)")


@given(ANY)
def fact_step(zonecheck_spec: Spec, text: str, datatable: list[list[str]] | None = None) -> None:
    vocabulary.run_step(zonecheck_spec, "given", text, datatable)


@when(ANY)
def action_step(zonecheck_spec: Spec, text: str, datatable: list[list[str]] | None = None) -> None:
    vocabulary.run_step(zonecheck_spec, "when", text, datatable)


@then(ANY)
def outcome_step(zonecheck_spec: Spec, text: str, datatable: list[list[str]] | None = None) -> None:
    vocabulary.run_step(zonecheck_spec, "then", text, datatable)


# --- recording what happened ----------------------------------------------------------------------

def _record(request: pytest.FixtureRequest) -> report.ScenarioRecord | None:
    return request.node.stash.get(RECORD, None)


def pytest_bdd_before_scenario(request: pytest.FixtureRequest, feature: Any, scenario: Any) -> None:
    item = request.node
    example = getattr(getattr(item, "callspec", None), "id", None)
    record = report.ScenarioRecord.start(feature, scenario, example)
    item.stash[RECORD] = record
    request.config.stash[RESULTS].scenarios.append(record)


def pytest_bdd_before_step(request: pytest.FixtureRequest, feature: Any, scenario: Any, step: Any,
                           step_func: Any) -> None:
    spec: Spec = request.getfixturevalue("zonecheck_spec")
    spec.where = Where(Path(feature.filename).name, step.line_number, f"{step.keyword.strip()} {step.name}")
    spec.table_lines = [row.location.line for row in step.datatable.rows] if step.datatable else []
    record = _record(request)
    if record:
        record.spec = spec


def pytest_bdd_after_step(request: pytest.FixtureRequest, feature: Any, scenario: Any, step: Any,
                          step_func: Any, step_func_args: Any) -> None:
    record = _record(request)
    if record:
        record.step(step).status = "passed"


def pytest_bdd_step_error(request: pytest.FixtureRequest, feature: Any, scenario: Any, step: Any,
                          step_func: Any, step_func_args: Any, exception: BaseException) -> None:
    record = _record(request)
    if record is None:
        return
    entry = record.step(step)
    entry.status = "undefined" if isinstance(exception, UndefinedStep) else "failed"
    if isinstance(exception, (SpecError, AssertionError)):
        entry.error = str(exception)
    else:
        entry.error = f"{type(exception).__name__}: {exception}"


def pytest_bdd_step_func_lookup_error(request: pytest.FixtureRequest, feature: Any, scenario: Any, step: Any,
                                      exception: BaseException) -> None:
    record = _record(request)
    if record:
        entry = record.step(step)
        entry.status = "undefined"
        entry.error = f"没有这样的步骤：“{step.name}”（关键字“{step.keyword.strip()}”后无可用的步骤）"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    result = yield
    if call.when != "call":
        return result
    record = item.stash.get(RECORD, None)
    broken = getattr(getattr(item, "obj", None), BROKEN_ATTRIBUTE, None)
    results = item.config.stash[RESULTS]
    if broken is not None:
        results.broken.append(report.BrokenFile(str(item.path), item.name, broken))
    elif record is not None:
        record.finish(result.passed)
        if result.failed and record.failure:
            result.longrepr = record.failure
    return result


def pytest_sessionfinish(session: pytest.Session) -> None:
    results = session.config.stash[RESULTS]
    folder = session.config.getoption("--specs-report")
    if folder and folder != "none" and (results.scenarios or results.broken):
        report.write(results, Path(folder))
