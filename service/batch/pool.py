"""Screen many proposals on N processes and write the results in input order.

The parent hands contiguous chunks to N-1 pool workers, each of which compiled the pack once (the
pool's initializer); it screens a chunk itself whenever the pool has enough queued. A JSON Lines file
is cut into spans of whole lines (found with a memory map's `find`, never read here) that whoever
screens a span reads and parses itself, so nothing parsed crosses a process boundary; the spans get
shorter towards the end so that no process waits long for the other. Other inputs are read here as
the work goes and sent as items. Each worker's result lines go to its own shard file, its summary rows
and invalid entries to a file beside it, and it returns only counts; the parent copies each chunk's
lines into the caller's binary writer as soon as its turn in input order comes: verdict bytes cross no
process boundary and are never re-encoded. With one worker everything is screened here through the same chunk function, so
`workers=1` and `workers=N` write the same bytes (each verdict's `generated_at` aside).
"""
from __future__ import annotations

import csv
import ctypes
import datetime as dt
import io
import itertools
import multiprocessing
import os
import pickle
import shutil
import signal
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import orjson

from zonecheck.engine.contract.proposal import label_for
from zonecheck.engine.pack.locate import DEFAULT_PACK
from zonecheck.service.app import screening
from zonecheck.service.app.inputs import Item, JsonLinesFile, Span, read_span
from zonecheck.service.app.screening import Outcome
from zonecheck.service.present.catalogue import DECISIONS

CHUNK_MAX = 200  # items per chunk: small enough for a lively progress bar, large enough to amortise
CHUNK_MIN = 10  # the shortest chunk, at the end of a JSON Lines file
HELD_MAX = 4  # chunks screened here that may wait in memory for their turn
SUMMARY_HEADER = ("申报编号 reference", "结论 decision", "违反的规则 violated rules",
                  "需补充的材料 facts to supply", "需人工核查 checks for a person")


class WorkerLost(RuntimeError):
    """A screening process ended before its chunk was done (killed, out of memory): the batch stops."""

    zh = "有筛查进程意外退出（可能被系统终止或内存不足），本次批量筛查已停止"
    en = "a screening process ended unexpectedly (killed, or out of memory); the batch was stopped"

    def text(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


class Writer(Protocol):
    def write(self, data: bytes, /) -> Any: ...


@dataclass
class Tally:
    """What a batch found: decisions counted, the entries of invalid inputs (in input order)."""

    screened: int = 0
    decisions: Counter[str] = field(default_factory=Counter)
    invalid: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Options:
    rules: Path | None = None
    pack: str = DEFAULT_PACK
    zone: str | None = None
    as_of: dt.date | None = None
    structured: bool = True  # the structured verdict (schema 2.0), else the full document in `langs`
    langs: tuple[str, ...] = ("zh", "en")


def result_line(outcome: Outcome, options: Options, note: str | None = None) -> bytes:
    """One input's JSON line: its verdict with its source, or its problems. The one place lines are made."""
    return orjson.dumps(screening.entry(outcome, structured=options.structured, langs=options.langs, note=note)) + b"\n"


def summary_row(outcome: Outcome) -> tuple[str, ...]:
    """One input's row of the summary CSV."""
    if outcome.verdict is None:
        problems = "; ".join(f"{p.path}: {p.reason}" if p.path else p.reason for p in outcome.problems)
        return (outcome.source, "无效 invalid", "", "", problems)
    verdict = outcome.verdict.structured
    violated = [f.rule.id for f in outcome.verdict.findings if f.status == "violated"]
    to_review = dict.fromkeys(r["rule_id"] for r in verdict["to_review"])
    return (verdict["reference"], f"{DECISIONS[verdict['decision']]['zh']} {verdict['decision']}",
            "; ".join(violated), "; ".join(label_for(p) for p in verdict["to_supply"]), "; ".join(to_review))


def _screen_chunk(screener: Any, items: list[Item], options: Options, out: BinaryIO) -> tuple[Tally, list[tuple[str, ...]]]:
    tally = Tally()
    rows = []
    for item in items:
        outcome = screening.screen(screener, item.data, source=item.origin, zone=options.zone, as_of=options.as_of,
                                   read_error=item.problems or item.error, file=item.file, locate=item.positions)
        out.write(result_line(outcome, options, item.note))
        rows.append(summary_row(outcome))
        tally.screened += 1
        if outcome.verdict is not None:
            tally.decisions[outcome.verdict.decision] += 1
        else:
            tally.invalid.append(screening.entry(outcome, langs=options.langs, note=item.note))
    return tally, rows


_worker_screener: Any = None  # the compiled pack of this worker process


def _die_with_parent() -> None:
    """A worker whose parent was killed (SIGKILL: nothing runs in the parent) is killed too, rather than
    left holding the parent's standard error open (Linux; elsewhere the worker ends at its next task)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _init_worker(options: Options) -> None:
    global _worker_screener
    _die_with_parent()
    # Ctrl-C reaches the whole process group: the parent decides, and stops the workers itself
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker_screener = screening.Registry().get(options.rules, options.pack)


Work = list[Item] | Span  # a chunk: items read here, or a span of a JSON Lines file its screener reads


def _items_of(work: Work) -> list[Item]:
    return read_span(work) if isinstance(work, Span) else work


def _worker_chunk(index: int, work: Work, options: Options, shard: str) -> tuple[int, int, dict[str, int]]:
    """Screen a chunk into its shard file; its summary rows and invalid entries go to a file beside it.
    What returns through the pool's pipe is only (index, screened, decisions): well under the 4 kB a
    pipe writes at once, so a worker killed while answering leaves no half-written answer for the pool
    to wait on for ever (Python's pool reads an answer to its end)."""
    items = _items_of(work)  # all read before any is screened: kinder to the caches than alternating
    with open(shard, "wb") as out:
        tally, rows = _screen_chunk(_worker_screener, items, options, out)
    with open(shard + _ROWS, "wb") as side:
        pickle.dump((tally.invalid, rows), side)
    return index, tally.screened, dict(tally.decisions)


_ROWS = ".rows"  # beside a worker's shard: its (invalid entries, summary rows), pickled (our own processes only)


def _worker_result(folder: Path, index: int, screened: int, decisions: dict[str, int]) -> tuple[Tally, list[tuple[str, ...]]]:
    side = _shard(folder, index) + _ROWS
    with open(side, "rb") as handle:
        invalid, rows = pickle.load(handle)
    os.unlink(side)
    return Tally(screened, Counter(decisions), invalid), rows


def _chunked(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    stream = iter(items)
    while chunk := list(itertools.islice(stream, size)):
        yield chunk


def _sizes(lines: int, workers: int) -> Iterator[int]:
    """Lines per span: CHUNK_MAX, then smaller towards the end (a share of what is left), so the last
    chunks are short and no process waits long for another to finish."""
    left = lines
    while True:
        size = max(CHUNK_MIN, min(CHUNK_MAX, left // (3 * workers)))
        left -= size
        yield size


def _plan(items: Iterable[Item], workers: int) -> tuple[Iterator[Work], bool]:
    """The chunks, and whether a pool should screen them (not for one worker or a single chunk). A JSON
    Lines file not yet read is cut into spans its screeners read themselves; other inputs are read here."""
    if workers > 1 and isinstance(items, JsonLinesFile) and not items.started:
        lines = items.lines() or 0
        spans = items.spans(_sizes(lines, workers)) if lines > CHUNK_MAX else None
        if spans is not None:
            return spans, True
    chunks = _chunked(items, CHUNK_MAX)
    if workers == 1:
        return chunks, False
    head = list(itertools.islice(chunks, 2))
    return itertools.chain(head, chunks), len(head) == 2


def run_batch(items: Iterable[Item], out: Writer, *, summary: Writer | None = None, workers: int | None = None,
              options: Options = Options(), screener: Any = None, shard_dir: Path | None = None,
              progress: Callable[[int], None] | None = None) -> Tally:
    """Screen every item and write one JSON line per item to `out`, in input order; a summary CSV (UTF-8
    with BOM, a spreadsheet opens it in Chinese) to `summary` if given. `workers` screening processes
    (default: the machine's cores): this one and `workers - 1` in a pool; shard files go in a temporary folder under `shard_dir` (default: the system's).
    `progress(n)` is called as n more items are done; `screener` serves this process (else one is compiled).
    Inputs are read as the workers go, a few chunks ahead of them; a JSON Lines file (`iter_items`) is
    read by whichever process screens each span of it."""
    workers = max(1, workers or os.cpu_count() or 1)
    chunks, pooled = _plan(items, workers)
    tally = Tally()
    rows: list[tuple[str, ...]] = []
    if not pooled:
        own = screener or screening.Registry().get(options.rules, options.pack)
        for chunk in chunks:
            part, part_rows = _screen_chunk(own, _items_of(chunk), options, out)  # type: ignore[arg-type]
            _add(tally, part, rows, part_rows, progress)
    else:
        folder = Path(tempfile.mkdtemp(prefix=".zonecheck-shards-", dir=shard_dir))
        try:
            _run_pool(chunks, folder, workers, options, out, tally, rows, progress, screener)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    if summary is not None:
        summary.write(summary_csv(rows))
    return tally


def _run_pool(chunks: Iterator[Work], folder: Path, workers: int, options: Options, out: Writer,
              tally: Tally, rows: list[tuple[str, ...]], progress: Callable[[int], None] | None,
              own: Any) -> None:
    """N screening processes: N-1 pool workers and this one, which takes a chunk itself whenever the
    pool has enough queued (it is compiled already, or compiles while the workers start, and would
    otherwise wait for them)."""
    # spawn: the parent may hold threads (a progress bar) and the core's state, neither safe to fork
    context = multiprocessing.get_context("spawn")
    # a chunk done: its counts, its summary rows, and its lines if screened here (else in its shard file)
    done: dict[int, tuple[Tally, list[tuple[str, ...]], bytes | None]] = {}
    written = 0  # chunks stitched into `out` so far, in input order
    # chunks kept waiting for the pool. This process learns that a worker finished only when its
    # pool's threads get the GIL back from the screening here, which can take several chunks' time:
    # with 2 waiting, a worker sat idle for up to 0.27 s at a time (2 workers 1.30–1.92x one worker);
    # with 4, no gap over 10 ms in most runs (1.79–1.82x, as two separate processes).
    queued = 4 * (workers - 1)

    def harvest(pending: set[Future[Any]], block: bool) -> set[Future[Any]]:
        nonlocal written
        if pending:
            lost_since = None
            while True:
                finished, pending = wait(pending, timeout=1.0 if block else 0, return_when=FIRST_COMPLETED)
                if finished or not block:
                    break
                # the pool's own watch fails the futures of a dead worker at once; should that watch hang
                # (it reads a worker's answer to its end), a worker gone for LOST_AFTER seconds stops the batch
                if _worker_gone(executor):
                    lost_since = lost_since or time.monotonic()
                    if time.monotonic() - lost_since > LOST_AFTER:
                        raise WorkerLost()
            for future in finished:
                index, screened, decisions = future.result()
                part, part_rows = _worker_result(folder, index, screened, decisions)
                done[index] = (part, part_rows, None)
                if progress:
                    progress(part.screened)
        while written in done:  # stitch every chunk whose turn has come
            part, part_rows, lines = done.pop(written)
            if lines is not None:
                out.write(lines)
            else:
                shard = _shard(folder, written)
                with open(shard, "rb") as handle:
                    while block_bytes := handle.read(1 << 20):
                        out.write(block_bytes)
                os.unlink(shard)
            _add(tally, part, rows, part_rows, None)
            written += 1
        return pending

    executor = ProcessPoolExecutor(workers - 1, mp_context=context, initializer=_init_worker, initargs=(options,))
    try:
        pending: set[Future[Any]] = set()
        for index, work in enumerate(chunks):
            if len(pending) < queued:
                portable = work if isinstance(work, Span) else [item.portable() for item in work]
                pending.add(executor.submit(_worker_chunk, index, portable, options, _shard(folder, index)))
            else:
                # compiled only now, with the workers starting: their start-up and this overlap
                own = own or screening.Registry().get(options.rules, options.pack)
                held = sum(lines is not None for *_, lines in done.values())
                if held < HELD_MAX:  # usually a chunk or two waits here for its turn: no shard file
                    buffer = io.BytesIO()
                    part, part_rows = _screen_chunk(own, _items_of(work), options, buffer)
                    done[index] = (part, part_rows, buffer.getvalue())
                else:  # a slow worker: the chunks screened here meanwhile wait on disk, not in memory
                    with open(_shard(folder, index), "wb") as handle:
                        part, part_rows = _screen_chunk(own, _items_of(work), options, handle)
                    done[index] = (part, part_rows, None)
                if progress:
                    progress(part.screened)
            pending = harvest(pending, block=False)
        while pending:
            pending = harvest(pending, block=True)
        harvest(pending, block=False)
    except BaseException as error:  # a lost worker, a signal, a write error: stop the workers now rather than finish their queue
        processes = _processes(executor)
        manager = getattr(executor, "_executor_manager_thread", None)
        executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
        if manager is not None:
            # let the pool's manager thread see its workers gone and close its wakeup pipe before this
            # process exits: on Python 3.11 the exit hook writes to that pipe unlocked and, racing the
            # close, printed a traceback ("Bad file descriptor") after our own clear error message
            manager.join(timeout=MANAGER_JOIN)
        if isinstance(error, BrokenProcessPool):  # seen by a result or by the next submit, whichever comes first
            raise WorkerLost() from error
        raise
    executor.shutdown(wait=True)


LOST_AFTER = 3.0  # seconds a pool worker may be gone before the batch stops without the pool's word
MANAGER_JOIN = 10.0  # seconds given to the pool's manager thread to close its pipes when a batch stops


def _processes(executor: ProcessPoolExecutor) -> list[Any]:
    """The pool's worker processes: there is no public way to see or stop them."""
    return list((getattr(executor, "_processes", None) or {}).values())


def _worker_gone(executor: ProcessPoolExecutor) -> bool:
    return any(process.exitcode is not None for process in _processes(executor))


def _shard(folder: Path, index: int) -> str:
    return str(folder / f"{index:06d}.jsonl")


def _add(tally: Tally, part: Tally, rows: list[tuple[str, ...]], part_rows: list[tuple[str, ...]],
         progress: Callable[[int], None] | None) -> None:
    tally.screened += part.screened
    tally.decisions.update(part.decisions)
    tally.invalid += part.invalid
    rows += part_rows
    if progress:
        progress(part.screened)


def summary_csv(rows: list[tuple[str, ...]]) -> bytes:
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(SUMMARY_HEADER)
    writer.writerows(rows)
    return text.getvalue().encode("utf-8-sig")
