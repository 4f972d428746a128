"""PostgreSQL: the stored proposals and verdicts compressed with lz4, not pglz

Each stored screening's proposal (~3 kB) and structured verdict (~8 kB) are past PostgreSQL's TOAST
threshold, so every insert compresses them; pglz costs the database several times lz4's CPU for the same
bytes, on the path every stored screening takes. Only new values are affected (no table rewrite); a
server built without lz4 keeps pglz. SQLite: nothing to do.

Revision ID: 0002
Revises: 0001
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

_COLUMNS = (("screenings", "proposal"), ("screenings", "verdict"))


def _lz4_available() -> bool:
    found = op.get_bind().execute(sa.text(
        "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")).scalar()
    return bool(found)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql" or not _lz4_available():
        return
    for table, column in _COLUMNS:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION lz4")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql" or not _lz4_available():
        return
    for table, column in _COLUMNS:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION pglz")
