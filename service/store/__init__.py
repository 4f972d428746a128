"""Storage of screenings and their audit chain: SQLAlchemy 2.x models, the database (SQLite by default,
PostgreSQL in production), reads and writes, the hash-chained audit log, Alembic migrations.

May import `zonecheck.engine`, `service.present` and `service.app`; never `service.api` (HTTP). Import it
only with the `service` extra installed (sqlalchemy, alembic, psycopg)."""
