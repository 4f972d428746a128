"""Alembic revision scripts, oldest first; each one is applied once, in order."""
