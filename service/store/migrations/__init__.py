"""Alembic migrations of the store, shipped inside the package (`script_location` resolves from an
install as `zonecheck.service.store:migrations`)."""
