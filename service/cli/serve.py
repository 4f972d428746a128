"""`zonecheck serve`, `db upgrade`, `keys create|list|revoke`, `audit verify|head`: the HTTP service and its
database. Their libraries (the `service` extra) are imported inside the commands, so `zonecheck screen`
runs on a lean install."""

from __future__ import annotations

import importlib.util
import ipaddress
import os
import tempfile
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

EXTRA_MODULES = ("fastapi", "sqlalchemy", "uvicorn", "alembic", "prometheus_client")
EXTRA_HINT = "pip install 'zonecheck[service]'"
err = Console(stderr=True)

db_app = typer.Typer(no_args_is_help=True, help="The service's database.")
keys_app = typer.Typer(no_args_is_help=True, help="API keys: create, list, revoke.")
audit_app = typer.Typer(no_args_is_help=True, help="The audit chain: verify it, print its head.")


def _require_extra(url: str | None = None) -> None:
    """Exit 2, naming the extra, if the service's libraries are not installed."""
    needed = list(EXTRA_MODULES) + (["psycopg"] if (url or "").startswith("postgresql") else [])
    missing = [name for name in needed if importlib.util.find_spec(name) is None]  # found, not imported:
    # prometheus_client picks its multi-process mode when first imported, after `serve` has set it up
    if missing:
        err.print(f"the HTTP service needs the `service` extra (missing: {', '.join(missing)}): {EXTRA_HINT}",
                  markup=False, highlight=False, style="red")
        raise typer.Exit(2)


def _database():  # type: ignore[no-untyped-def]
    _require_extra(os.environ.get("ZONECHECK_DATABASE_URL"))
    from zonecheck.service.store.db import Database, database_url

    return Database(database_url())


def _upgrade() -> str:
    _require_extra(os.environ.get("ZONECHECK_DATABASE_URL"))
    from zonecheck.service.store.db import database_url
    from zonecheck.service.store.migrate import upgrade

    url = database_url()

    try:
        return upgrade(url)
    except Exception as error:  # the database cannot be reached or migrated: say so, no traceback
        err.print(f"[red]database error[/red] {_redacted(url)}: {error}")
        raise typer.Exit(2) from None


def _redacted(url: str) -> str:
    head, at, tail = url.rpartition("@")
    return (head.split("://")[0] + "://***@" + tail) if at else url


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def supervisor_app() -> str:
    from zonecheck.service.cli.workers import APP

    return APP


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Worker processes (one engine each).")] = 1,
    rules: Annotated[Optional[Path], typer.Option("--rules", help="Folder of rule packs (default: $ZONECHECK_RULES, "
                                                  "else the installed packs).")] = None,
    pack: Annotated[str, typer.Option("--pack", help="Rule pack id.")] = "national",
    insecure_dev: Annotated[bool, typer.Option("--insecure-dev", help="No API keys; loopback only; "
                                               "development only.")] = False,
) -> None:
    """Run the HTTP API (uvicorn): migrations are applied first, then the workers start."""
    if insecure_dev and not _is_loopback(host):
        err.print(f"[red]--insecure-dev binds to loopback only[/red], not {host!r}")
        raise typer.Exit(2)
    revision = _upgrade()
    from zonecheck.engine.pack.loader import PackError
    from zonecheck.engine.pack.locate import rules_root

    try:
        folder = rules_root(rules) / pack
        if not (folder / "pack.yaml").is_file():
            raise PackError(str(folder), "no pack.yaml in the pack folder")
    except PackError as error:
        err.print(f"[red]rule pack error[/red] {error}")
        raise typer.Exit(2) from None
    os.environ["ZONECHECK_RULES"] = str(rules_root(rules).resolve())
    os.environ["ZONECHECK_PACK"] = pack
    os.environ["ZONECHECK_INSECURE_DEV"] = "1" if insecure_dev else "0"
    from zonecheck.service.store.db import URL_VARIABLE, database_url

    os.environ[URL_VARIABLE] = database_url()
    # the workers' metrics are shared through files in a fresh folder
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="zonecheck-metrics-")
    if insecure_dev:
        err.print("[yellow]INSECURE DEV: no API keys are checked; listening on loopback only[/yellow]")
    err.print(f"zonecheck serve: database at revision {revision}; http://{host}:{port} ({workers} worker(s))")
    options = {"access_log": False, "log_level": "warning", "server_header": False}
    if workers > 1:  # this process accepts and deals the connections round the workers
        from zonecheck.service.cli import workers as supervisor

        supervisor.run(host, port, workers, options)
        return
    import uvicorn

    uvicorn.run(supervisor_app(), factory=True, host=host, port=port, **options)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the migrations to $ZONECHECK_DATABASE_URL (default: zonecheck.db here)."""
    typer.echo(f"database at revision {_upgrade()}")


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Option("--role", help="screener, auditor or admin.")],
    zone: Annotated[Optional[list[str]], typer.Option("--zone", help="A zone the key may see (repeatable).")] = None,
    all_zones: Annotated[bool, typer.Option("--all-zones", help="The key sees every zone.")] = False,
    label: Annotated[str, typer.Option("--label", help="Who holds the key.")] = "",
) -> None:
    """Create a key; the key itself is printed once, alone on the last line."""
    if bool(zone) == all_zones:
        err.print("give --zone Z (repeatable) or --all-zones")
        raise typer.Exit(2)
    _upgrade()
    from zonecheck.service.store import keys

    try:
        row, secret = keys.create(_database(), role, None if all_zones else list(zone or []), label)
    except ValueError as error:
        err.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None
    typer.echo(f"id {row.id} role {row.role} zones {row.zones}")
    typer.echo(secret)


@keys_app.command("list")
def keys_list() -> None:
    """Every key: id, role, zones, created, revoked (never the key)."""
    _upgrade()
    from zonecheck.service.store import keys

    for row in keys.listing(_database()):
        revoked = f" revoked {row.revoked_at:%Y-%m-%dT%H:%M:%S}" if row.revoked_at else ""
        typer.echo(f"{row.id}\t{row.role}\t{row.zones}\t{row.created_at:%Y-%m-%dT%H:%M:%S}{revoked}\t{row.label}")


@keys_app.command("revoke")
def keys_revoke(key_id: str) -> None:
    """Revoke a key: it is answered 401 from now on."""
    _upgrade()
    from zonecheck.service.store import keys

    if not keys.revoke(_database(), key_id):
        err.print(f"no live key {key_id!r}")
        raise typer.Exit(1)
    typer.echo(f"revoked {key_id}")


@audit_app.command("verify")
def audit_verify() -> None:
    """Walk the audit chain and every record it vouches for; exit 1 naming the first bad entry."""
    database = _database()
    from zonecheck.service.store import audit

    report = audit.verify(database)
    for problem in report.problems:
        err.print(f"[red]audit chain broken[/red] {problem}")
    if not report.ok:
        raise typer.Exit(1)
    typer.echo(f"ok: {report.count} entries, head {report.head}")


@audit_app.command("head")
def audit_head() -> None:
    """Print the entry count and head hash, for an outside notary."""
    database = _database()
    from zonecheck.service.store import audit

    count, head = audit.head_of(database)
    typer.echo(f"{count} {head}")


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.add_typer(db_app, name="db")
    app.add_typer(keys_app, name="keys")
    app.add_typer(audit_app, name="audit")
