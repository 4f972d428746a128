"""Policy staff's acceptance specs: every Chinese Gherkin file under features/, run through the engine.

The step library is `zonecheck.service.specs` (the plugin is loaded by pyproject's addopts); each file
is bound on its own, so one malformed file fails its own test (with the usual causes spelled out)
instead of hiding every other spec. `python -m pytest features/X.feature` runs one file.
"""

from __future__ import annotations

import os
from pathlib import Path

from zonecheck.service.specs.plugin import bind_feature

ROOT = Path(__file__).resolve().parent.parent
FEATURES = Path(os.environ.get("ZONECHECK_FEATURES", ROOT / "features"))

for feature in sorted(FEATURES.glob("*.feature")):
    bind_feature(feature, globals())
