"""Where rule packs are found: `--rules`, else `ZONECHECK_RULES`, else the packs installed with zonecheck.

The national pack and the zone profiles ship as package data (`zonecheck.packs`, the `rules/` folder of
the source tree mapped by `pyproject.toml`), so an installed zonecheck finds them without a source tree.
"""

from __future__ import annotations

import os
from pathlib import Path

ENVIRONMENT_VARIABLE = "ZONECHECK_RULES"
DEFAULT_PACK = "national"


def packaged_rules() -> Path:
    """The folder of packs installed with zonecheck (a namespace package: no `__init__.py`, since a
    module named `rules` would shadow durable_rules' C extension)."""
    import zonecheck.packs

    for entry in zonecheck.packs.__path__:  # an editable install adds a non-folder placeholder
        if os.path.isdir(entry):
            return Path(entry)
    raise FileNotFoundError("zonecheck's packaged rule packs are missing from this installation")


def rules_root(explicit: Path | str | None = None) -> Path:
    """The folder holding rule packs and `zones/`: the explicit one, else `$ZONECHECK_RULES`, else the
    packaged packs."""
    if explicit:
        return Path(explicit)
    configured = os.environ.get(ENVIRONMENT_VARIABLE)
    if configured:
        return Path(configured)
    return packaged_rules()
