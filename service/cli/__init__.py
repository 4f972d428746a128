"""The `zonecheck` command (typer). May import `zonecheck.engine`, `service.present` and `service.app`."""
