"""What a worker process is told by `zonecheck serve`, through its environment (workers are separate
processes started by uvicorn)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from zonecheck.engine.pack.locate import DEFAULT_PACK
from zonecheck.service.store.db import database_url

INSECURE_VARIABLE = "ZONECHECK_INSECURE_DEV"
PACK_VARIABLE = "ZONECHECK_PACK"
MAX_BODY = 1_000_000  # bytes: a larger request body is answered 413


@dataclass(frozen=True)
class Settings:
    database_url: str
    rules: str | None
    pack: str
    insecure_dev: bool

    @classmethod
    def from_environment(cls) -> "Settings":
        return cls(database_url=database_url(), rules=os.environ.get("ZONECHECK_RULES") or None,
                   pack=os.environ.get(PACK_VARIABLE) or DEFAULT_PACK,
                   insecure_dev=os.environ.get(INSECURE_VARIABLE) == "1")
