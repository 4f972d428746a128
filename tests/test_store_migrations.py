"""The migrations: both databases reach the newest revision, and on PostgreSQL the stored proposals and
verdicts are compressed with lz4 (cheaper for the database than pglz, on every stored screening)."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text

from api_support import new_database
from zonecheck.service.store.db import Database
from zonecheck.service.store.migrate import config, is_current, upgrade


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_upgrade_reaches_the_newest_revision(kind: str, tmp_path: Path) -> None:
    url = new_database(kind, tmp_path)
    newest = ScriptDirectory.from_config(config(url)).get_current_head()
    assert upgrade(url) == newest == "0002"
    database = Database(url)
    try:
        assert is_current(database)
        assert upgrade(url) == newest  # applied once: a second upgrade does nothing
    finally:
        database.dispose()


def test_postgresql_compresses_stored_bytes_with_lz4(tmp_path: Path) -> None:
    url = new_database("postgresql", tmp_path)
    upgrade(url)
    database = Database(url)
    try:
        with database.engine.connect() as connection:
            lz4 = connection.execute(text(
                "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")).scalar()
            methods = dict(connection.execute(text(
                "SELECT attname, attcompression FROM pg_attribute WHERE attrelid = 'screenings'::regclass "
                "AND attname IN ('proposal', 'verdict')")).all())
    finally:
        database.dispose()
    assert methods == ({"proposal": "l", "verdict": "l"} if lz4 else {"proposal": "", "verdict": ""})
