"""The published schemas over HTTP come from the installed package, not the source tree's docs/: the
packaged copies match docs/, and a real server run from what a wheel installs (setuptools' build_py of
this pyproject, run with no access to the source tree) answers both schema routes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from api_support import ROOT, Server, new_database

SCHEMAS = ("verdict-full.schema.json", "verdict-structured.schema.json")
BUILD = """
import sys
import warnings
warnings.simplefilter("ignore")
from setuptools.config.pyprojecttoml import apply_configuration
from setuptools.dist import Distribution
dist = apply_configuration(Distribution(), "pyproject.toml")
dist.script_name = "setup.py"
dist.get_command_obj("build_py").build_lib = sys.argv[1]
dist.run_command("build_py")
"""


def test_the_packaged_verdict_schemas_are_the_published_ones() -> None:
    for name in SCHEMAS:
        packaged = (ROOT / "service" / "api" / name).read_bytes()
        assert packaged == (ROOT / "docs" / name).read_bytes(), f"copy docs/{name} to service/api/{name}"


def _installed_tree(folder: Path) -> Path:
    """What a wheel of this pyproject installs, built from a copy of the sources (no docs/ in it)."""
    source = folder / "source"
    for name in ("engine", "service", "oracle", "rules"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    library = folder / "lib"
    subprocess.run([sys.executable, "-c", BUILD, str(library)], cwd=source, check=True, capture_output=True,
                   timeout=120)
    shutil.rmtree(source)  # nothing of the source tree is left to read
    return library


def test_schema_routes_work_from_an_installed_package(tmp_path: Path) -> None:
    library = _installed_tree(tmp_path)
    assert not list(library.rglob("docs"))
    for name in SCHEMAS:
        assert (library / "zonecheck" / "service" / "api" / name).is_file(), name
    # -S: no site hooks, so not the editable install's finder; the libraries from this environment only
    site = sysconfig.get_paths()["purelib"]
    command = [sys.executable, "-S", "-c", "import sys, runpy; sys.path[:0] = sys.argv.pop(1).split(':'); "
               "sys.argv[0] = 'zonecheck'; runpy.run_module('zonecheck.service.cli.main', run_name='__main__')",
               f"{library}:{site}"]
    folder = tmp_path / "run"
    folder.mkdir()
    server = Server(new_database("sqlite", folder), folder, command=command).start()
    try:
        key = server.key("auditor")
        with server.client(key) as api:
            for detail, name in (("full", SCHEMAS[0]), ("structured", SCHEMAS[1])):
                answer = api.get("/v1/schemas/verdict", params={"detail": detail})
                assert answer.status_code == 200, answer.text
                assert answer.json() == json.loads((ROOT / "docs" / name).read_text(encoding="utf-8"))
            assert api.get("/v1/schemas/proposal").json()["title"] == "Proposal"
            assert api.get("/readyz").status_code == 200
        probe = (f"import sys; sys.path[:0] = [{str(library)!r}, {site!r}]; "
                 "import zonecheck.service.api.views as v, zonecheck.packs as p; print(v.__file__, *p.__path__)")
        loaded = subprocess.run([sys.executable, "-S", "-c", probe], capture_output=True, text=True, timeout=60)
        assert loaded.returncode == 0 and all(part.startswith(str(library)) for part in loaded.stdout.split()), loaded
    finally:
        server.stop()
