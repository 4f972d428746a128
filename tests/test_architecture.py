"""The layer contracts: which part of zonecheck may import which (README, "Architecture").

Every module of the installed namespace is read with `ast`; an import of another zonecheck module must
go to the same layer or to one the table below allows. Folders carry a docstring saying what they own.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = {"zonecheck.engine": "engine", "zonecheck.service": "service", "zonecheck.oracle": "oracle"}

# layer -> the layers it may import (besides itself); lowest first
ALLOWED: dict[str, set[str]] = {
    "zonecheck.packs": set(),  # the packaged rule packs: data only
    "zonecheck.engine.contract": set(),
    "zonecheck.engine.pack": {"zonecheck.engine.contract", "zonecheck.packs"},
    "zonecheck.engine.core": {"zonecheck.engine.contract", "zonecheck.engine.pack"},
    "zonecheck.engine.explain": {"zonecheck.engine.contract", "zonecheck.engine.pack", "zonecheck.engine.core"},
    "zonecheck.engine": {"zonecheck.engine.contract", "zonecheck.engine.pack", "zonecheck.engine.core",
                         "zonecheck.engine.explain"},
    "zonecheck.service.present": {"zonecheck.engine"},
    "zonecheck.service.app": {"zonecheck.engine", "zonecheck.service.present"},
    "zonecheck.service.specs": {"zonecheck.engine", "zonecheck.service.present", "zonecheck.service.app"},
    "zonecheck.service.batch": {"zonecheck.engine", "zonecheck.service.present", "zonecheck.service.app"},
    "zonecheck.service.store": {"zonecheck.engine", "zonecheck.service.present", "zonecheck.service.app"},
    "zonecheck.service.api": {"zonecheck.engine", "zonecheck.service.present", "zonecheck.service.app",
                              "zonecheck.service.store"},
    "zonecheck.service.cli": {"zonecheck.engine", "zonecheck.service.present", "zonecheck.service.app",
                              "zonecheck.service.specs", "zonecheck.service.batch", "zonecheck.service.store",
                              "zonecheck.service.api"},
    "zonecheck.oracle": {"zonecheck.engine.contract"},
}


def _modules() -> dict[str, Path]:
    found = {}
    for package, folder in FOLDERS.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = path.relative_to(ROOT / folder).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join((package, *parts))] = path
    return found


def _layer(module: str) -> str:
    """The most specific layer a module belongs to."""
    return max((layer for layer in ALLOWED if module == layer or module.startswith(layer + ".")), key=len)


def _imports(module: str, path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.append((node.lineno, target))
    return found


def _allowed(source: str, target: str) -> bool:
    src, dst = _layer(source), _layer(target)
    if src == dst:
        return True
    return any(dst == allowed or dst.startswith(allowed + ".") for allowed in ALLOWED[src])


def test_every_import_follows_the_layer_contracts() -> None:
    broken = []
    for module, path in _modules().items():
        for line, target in _imports(module, path):
            if target.split(".")[0] in ("engine", "service", "oracle"):
                broken.append(f"{path.relative_to(ROOT)}:{line}: imports {target} outside the zonecheck namespace")
            elif target.startswith("zonecheck.") and not _allowed(module, target):
                broken.append(f"{path.relative_to(ROOT)}:{line}: {_layer(module)} may not import {target}")
    assert not broken, "\n".join(broken)


def test_contract_checker_sees_a_violation() -> None:
    assert not _allowed("zonecheck.engine.core.facts", "zonecheck.engine.explain.findings")
    assert not _allowed("zonecheck.engine.screener", "zonecheck.service.present.render")
    assert not _allowed("zonecheck.oracle.pack", "zonecheck.engine.core.params")
    assert _allowed("zonecheck.service.cli.main", "zonecheck.engine.screener")
    assert not _allowed("zonecheck.service.store.records", "zonecheck.service.api.views")
    assert not _allowed("zonecheck.engine.screener", "zonecheck.service.store.db")


def test_every_folder_says_what_it_owns() -> None:
    for module, path in _modules().items():
        if path.name == "__init__.py":
            tree = ast.parse(path.read_text(encoding="utf-8"))
            assert ast.get_docstring(tree), f"{path.relative_to(ROOT)} has no docstring"


def test_every_package_folder_is_installed() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    declared = set(config["packages"])
    packages = {module for module, path in _modules().items() if path.name == "__init__.py"}
    assert packages | {"zonecheck.packs"} == declared
    assert config["package-dir"]["zonecheck.packs"] == "rules"
    assert not (ROOT / "rules" / "__init__.py").exists()


def test_only_the_zonecheck_namespace_is_importable_from_an_install(tmp_path: Path) -> None:
    script = ("import importlib.util as u; import zonecheck.engine, zonecheck.service;"
              "print([m for m in ('engine', 'service', 'oracle') if u.find_spec(m)])")
    out = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("folder", ["engine", "service", "oracle"])
def test_readme_architecture_names_each_folder(folder: str) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Architecture", 1)[1].split("\n## ", 1)[0]
    packages = [m for m, p in _modules().items() if p.name == "__init__.py" and m.startswith(f"zonecheck.{folder}")]
    for package in packages:
        relative = FOLDERS[f"zonecheck.{folder}"] + package.removeprefix(f"zonecheck.{folder}").replace(".", "/")
        assert f"`{relative}/`" in section, f"README's architecture section does not name `{relative}/`"
