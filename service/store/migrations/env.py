"""Alembic environment: runs the revisions on the URL the caller configured (see store/migrate.py)."""

from __future__ import annotations

from alembic import context

from zonecheck.service.store.db import Database
from zonecheck.service.store.models import Base

url = context.config.get_main_option("sqlalchemy.url")
database = Database(url)
with database.engine.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=database.sqlite)
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
database.dispose()
