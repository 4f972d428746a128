"""A malformed feature file fails on its own, with the usual causes, and hides no other spec."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_broken_feature_file_fails_alone(tmp_path: Path) -> None:
    shutil.copy(ROOT / "features" / "供地.feature", tmp_path / "供地.feature")
    (tmp_path / "坏的.feature").write_text("功能：缺少语言行且用了全角冒号\n  场景：x\n    假如 y\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(ROOT / "tests" / "test_features.py")],
        cwd=ROOT, env={**os.environ, "ZONECHECK_FEATURES": str(tmp_path)}, capture_output=True, text=True, timeout=300,
    )
    assert "1 failed" in result.stdout and " passed" in result.stdout, result.stdout[-2000:]
    assert "坏的.feature 无法解析" in result.stdout and "# language: zh-CN" in result.stdout
