"""Load on the HTTP service: stored screenings/s and POST /v1/screenings latency, beside engine-only
throughput measured in the same run.

    .venv/bin/python bench/load.py [--requests 2000] [--clients 16] [--workers 2] [--out bench/load-results.md]

A real `zonecheck serve --workers 2` on loopback, on SQLite and on PostgreSQL (ZONECHECK_TEST_POSTGRES_URL,
else a throwaway cluster from the installed PostgreSQL binaries), takes a fixed number of distinct
proposals (bench/workload.py) from 16 concurrent keep-alive clients. The client is a minimal asyncio
HTTP/1.1 writer/reader, so the load generator takes as little of the 2 cores as it can. Engine-only: the
same proposals screened to the structured verdict's bytes and the full document by 2 processes, nothing
stored, no HTTP.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "bench"), str(ROOT / "tests")]

from api_support import Server, new_database  # noqa: E402
from workload import proposals  # noqa: E402


async def _client(host: str, port: int, key: str, bodies: list[bytes], queue: asyncio.Queue[int],
                  latencies: list[float], statuses: list[int]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    head = (f"POST /v1/screenings HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {key}\r\n"
            "Content-Type: application/json\r\n").encode()
    while True:
        try:
            index = queue.get_nowait()
        except asyncio.QueueEmpty:
            break
        body = bodies[index]
        started = time.perf_counter()
        writer.write(head + b"Content-Length: %d\r\n\r\n" % len(body) + body)
        status_line = await reader.readline()
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        await reader.readexactly(length)
        latencies.append(time.perf_counter() - started)
        statuses.append(int(status_line.split()[1]))
    writer.close()


async def _load(server: Server, key: str, bodies: list[bytes], clients: int) -> tuple[float, list[float], list[int]]:
    queue: asyncio.Queue[int] = asyncio.Queue()
    for index in range(len(bodies)):
        queue.put_nowait(index)
    latencies: list[float] = []
    statuses: list[int] = []
    started = time.perf_counter()
    await asyncio.gather(*(_client("127.0.0.1", server.port, key, bodies, queue, latencies, statuses)
                           for _ in range(clients)))
    return time.perf_counter() - started, latencies, statuses


def _percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]


def _processes() -> dict[int, tuple[int, float]]:
    """Every process's parent and CPU seconds (user + system, all its threads) from /proc."""
    found = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            found[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    return found


def _cpu(server: Server, url: str) -> float:
    """CPU seconds used so far by the server's processes and, on PostgreSQL, the server's backends."""
    roots = {server.process.pid} if server.process else set()
    if url.startswith("postgresql"):
        import psycopg

        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as connection:
            backend = connection.execute("SELECT pg_backend_pid()").fetchone()[0]
            roots.add(_processes()[backend][0])  # the postmaster: its children are the backends
    return sum(cpu for pid, (parent, cpu) in _processes().items() if pid in roots or parent in roots)


def service_run(kind: str, bodies: list[bytes], clients: int, workers: int) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix=f"zonecheck-load-{kind}-"))
    url = new_database(kind, folder)
    server = Server(url, folder, workers=workers).start()
    try:
        key = server.key("screener")
        asyncio.run(_load(server, key, bodies[:100], clients))  # warm-up: both workers, pools, caches
        cpu = _cpu(server, url)
        wall, latencies, statuses = asyncio.run(_load(server, key, bodies[100:], clients))
        cpu = _cpu(server, url) - cpu
        audit = server.cli("audit", "verify")  # the figures count only if the chain held
        if audit.returncode != 0:
            raise SystemExit(f"{kind}: audit verify failed: {audit.stderr}")
    finally:
        server.stop()
    stored = statuses.count(201)
    if stored != len(statuses):
        raise SystemExit(f"{kind}: {len(statuses) - stored} requests not stored: {sorted(set(statuses))}")
    return {"stored_per_s": stored / wall, "p50_ms": _percentile(latencies, 50) * 1000,
            "p99_ms": _percentile(latencies, 99) * 1000, "requests": stored, "cpu_ms": cpu / stored * 1000}


def _engine_worker(args: tuple[list[bytes], multiprocessing.synchronize.Barrier]) -> float:
    bodies, barrier = args
    from zonecheck.service.app.screening import Registry, screen
    from zonecheck.service.present import full

    screener = Registry().get()
    barrier.wait()
    started = time.perf_counter()
    for body in bodies:
        outcome = screen(screener, orjson.loads(body))
        assert outcome.verdict is not None
        outcome.verdict.structured_json()
        full.to_json_bytes(outcome.verdict)  # what the service stores, and the document it answers
    return time.perf_counter() - started


def engine_run(bodies: list[bytes], processes: int) -> float:
    """Verdicts/s of `processes` engine processes on the same proposals (compile time excluded)."""
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        barrier = manager.Barrier(processes)
        shares = [(bodies[i::processes], barrier) for i in range(processes)]
        with context.Pool(processes) as pool:
            walls = pool.map(_engine_worker, shares)
    return len(bodies) / max(walls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000, help="measured POSTs per database")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--out", type=Path)
    options = parser.parse_args()
    bodies = [orjson.dumps(p) for p in proposals(ROOT / "examples", options.requests + 100)]
    valid = [b for b in bodies if not __import__("zonecheck.service.app.screening", fromlist=["x"]).screen(
        _screener(), orjson.loads(b)).problems]
    engine = engine_run(valid[100:], options.workers)
    rows = []
    for kind in options.databases.split(","):
        figures = service_run(kind, valid, options.clients, options.workers)
        rows.append(f"| {kind} | {figures['requests']:.0f} | {figures['stored_per_s']:,.0f} | {figures['p50_ms']:.1f} "
                    f"| {figures['p99_ms']:.1f} | {figures['stored_per_s'] / engine:.0%} | {figures['cpu_ms']:.2f} |")
    lines = [f"# HTTP service load ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})", "",
             f"{platform.python_version()} on {platform.machine()}, {multiprocessing.cpu_count()} cores; "
             f"`zonecheck serve --workers {options.workers}`, {options.clients} concurrent keep-alive clients on "
             f"loopback, distinct proposals (bench/workload.py), each stored with its audit entry.", "",
             f"Engine only, {options.workers} processes, same proposals, structured verdict and full document "
             f"bytes: **{engine:,.0f} verdicts/s**.", "",
             "| database | POSTs measured | stored screenings/s | p50 ms | p99 ms | of engine-only "
             "| server CPU ms per screening |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |", *rows, "",
             "Server CPU: the service's processes and, on PostgreSQL, the database server's (user + system).", ""]
    text = "\n".join(lines)
    print(text)
    if options.out:
        options.out.write_text(text, encoding="utf-8")


_cached = []


def _screener():  # type: ignore[no-untyped-def]
    if not _cached:
        from zonecheck.service.app.screening import Registry

        _cached.append(Registry().get())
    return _cached[0]


if __name__ == "__main__":
    main()
