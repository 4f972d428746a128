"""`serve --workers N` (N > 1): N uvicorn worker processes, each with a listening socket of its own on
the same address (SO_REUSEPORT), so the kernel spreads new connections over the workers as they arrive.

uvicorn's own supervisor shares one listening socket: the worker that wakes first accepts every
connection waiting, so a burst of keep-alive clients (16 in bench/load.py) mostly landed on one worker
while the other idled (measured: 12.7 s of CPU in one worker, 0.03 s in the other). A worker that
dies is started again; one that fails while starting stops the service.
"""

from __future__ import annotations

import multiprocessing
import signal
import socket
import sys
import time
from typing import Any

APP = "zonecheck.service.api.main:create_app"
STARTING = 30.0  # seconds: a worker that exits sooner failed to start (a bad pack, no database)


def listener(host: str, port: int, *, listen: bool = True) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    if listen:
        sock.listen(2048)
    return sock


def _worker(host: str, port: int, options: dict[str, Any]) -> None:
    import uvicorn

    sock = listener(host, port)
    uvicorn.Server(uvicorn.Config(APP, factory=True, **options)).run(sockets=[sock])


def run(host: str, port: int, workers: int, options: dict[str, Any]) -> None:
    """Serve with `workers` processes until SIGTERM or SIGINT; then stop them and return."""
    reserved = listener(host, port, listen=False)  # fails now, not in every worker, if the port is taken
    context = multiprocessing.get_context("spawn")
    stopping = False

    def stop(_signal: int, _frame: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def start() -> tuple[Any, float]:
        process = context.Process(target=_worker, args=(host, port, options), name="zonecheck-worker")
        process.start()
        return process, time.monotonic()

    running = [start() for _ in range(workers)]
    failed = False
    try:
        while not stopping:
            time.sleep(0.2)
            for index, (process, started) in enumerate(running):
                if process.is_alive() or stopping:
                    continue
                if time.monotonic() - started < STARTING:
                    print(f"zonecheck serve: a worker failed to start (exit {process.exitcode})", file=sys.stderr)
                    failed = stopping = True
                    break
                print(f"zonecheck serve: worker {process.pid} exited ({process.exitcode}); starting another",
                      file=sys.stderr)
                running[index] = start()
    finally:
        for process, _ in running:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes the requests in flight
        deadline = time.monotonic() + 30
        for process, _ in running:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()
        reserved.close()
    if failed:
        raise SystemExit(1)
