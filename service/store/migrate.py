"""Applying the Alembic migrations shipped in this package (no alembic.ini needed)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from zonecheck.service.store.db import Database, database_url

SCRIPT_LOCATION = "zonecheck.service.store:migrations"


def config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", SCRIPT_LOCATION)
    cfg.set_main_option("sqlalchemy.url", (url or database_url()).replace("%", "%%"))
    return cfg


def upgrade(url: str | None = None) -> str:
    """Bring the database to the newest revision; returns that revision."""
    cfg = config(url)
    command.upgrade(cfg, "head")
    return ScriptDirectory.from_config(cfg).get_current_head() or ""


def is_current(database: Database) -> bool:
    head = ScriptDirectory.from_config(config(database.url)).get_current_head()
    with database.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision() == head
