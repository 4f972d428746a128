"""`serve --workers N` (N > 1): N uvicorn worker processes, and this process accepting the connections
and dealing them round the workers in turn (each accepted socket is passed to a worker over a Unix
socket pair, SCM_RIGHTS), so every worker serves its share of the keep-alive clients.

Measured before: with uvicorn's own supervisor the workers share one listening socket, and the worker
that wakes first accepts every connection waiting (12.7 s of CPU in one worker, 0.03 s in the other
under 16 clients); with a socket per worker (SO_REUSEPORT) the kernel hashes each connection to one,
which put 10 or 12 of 16 connections on one worker more often than 8, and its clients waited twice as
long. A worker that dies is started again; one that fails while starting stops the service.
"""

from __future__ import annotations

import asyncio
import itertools
import multiprocessing
import signal
import socket
import sys
import threading
import time
from typing import Any

APP = "zonecheck.service.api.main:create_app"
STARTING = 30.0  # seconds: a worker that exits with an error sooner failed to start (killed: started again)
STARTUP_FAILURE = 3  # uvicorn's exit code when the application's startup failed


def _worker(channel: socket.socket, options: dict[str, Any]) -> None:
    import uvicorn

    class Handed(uvicorn.Server):
        """uvicorn serving the connections the supervisor passes it, instead of a listening socket."""

        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=[])
            if self.should_exit:
                return
            loop = asyncio.get_running_loop()
            config = self.config

            def protocol() -> asyncio.Protocol:  # what uvicorn's startup gives its own listening sockets
                return config.http_protocol_class(config=config, server_state=self.server_state,  # type: ignore[call-arg]
                                                  app_state=self.lifespan.state, _loop=loop)

            channel.setblocking(False)
            loop.add_reader(channel.fileno(), self._receive, loop, protocol)

        def _receive(self, loop: asyncio.AbstractEventLoop, protocol: Any) -> None:
            try:
                message, fds, _, _ = socket.recv_fds(channel, 16, 64)
            except (BlockingIOError, InterruptedError):
                return
            if not message and not fds:  # the supervisor is gone: stop as on SIGTERM
                loop.remove_reader(channel.fileno())
                self.should_exit = True
                return
            for fd in fds:
                connection = socket.socket(fileno=fd)
                connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                loop.create_task(loop.connect_accepted_socket(protocol, connection))

    Handed(uvicorn.Config(APP, factory=True, **options)).run()


def run(host: str, port: int, workers: int, options: dict[str, Any]) -> None:
    """Serve with `workers` processes until SIGTERM or SIGINT; then stop them and return."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listening = socket.create_server((host, port), family=family, backlog=2048)
    listening.settimeout(0.5)  # the accepting thread looks at `stopping` this often
    context = multiprocessing.get_context("spawn")
    stopping = threading.Event()

    def stop(_signal: int, _frame: Any) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def start() -> tuple[Any, socket.socket, float]:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)  # one message, one socket
        process = context.Process(target=_worker, args=(theirs, options), name="zonecheck-worker")
        process.start()
        theirs.close()
        return process, ours, time.monotonic()

    running = [start() for _ in range(workers)]

    def accept() -> None:
        turn = itertools.count()
        while not stopping.is_set():
            try:
                connection, _ = listening.accept()
            except TimeoutError:
                continue
            except OSError:
                if stopping.is_set():
                    return
                time.sleep(0.01)  # out of file descriptors, say: the client retries
                continue
            with connection:
                for _ in range(workers):  # this one's turn, else the next live worker
                    _, channel, _ = running[next(turn) % workers]
                    try:
                        socket.send_fds(channel, [b"c"], [connection.fileno()])
                        break
                    except OSError:
                        continue

    acceptor = threading.Thread(target=accept, name="zonecheck-accept", daemon=True)
    acceptor.start()
    failed = False
    try:
        while not stopping.wait(0.2):
            for index, (process, channel, started) in enumerate(running):
                if process.is_alive() or stopping.is_set():
                    continue
                channel.close()
                if process.exitcode == STARTUP_FAILURE or (process.exitcode > 0 and time.monotonic() - started < STARTING):
                    print(f"zonecheck serve: a worker failed to start (exit {process.exitcode})", file=sys.stderr)
                    failed = True
                    stopping.set()
                    break
                print(f"zonecheck serve: worker {process.pid} exited ({process.exitcode}); starting another",
                      file=sys.stderr)
                running[index] = start()
    finally:
        stopping.set()
        acceptor.join(2)
        listening.close()
        for process, _, _ in running:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes the requests in flight
        deadline = time.monotonic() + 30
        for process, channel, _ in running:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()
            channel.close()
    if failed:
        raise SystemExit(1)
