"""Screen many proposals on N worker processes and write the results in input order.

The parent reads the inputs and hands contiguous chunks to workers; each worker compiled the pack once
(the pool's initializer), screens its chunk with the one screening function and writes the result lines
to its own shard file, returning only counts and summary rows. The parent then copies the shards, in
input order, into the caller's binary writer: verdict bytes cross no process boundary and are never
re-encoded. One worker screens in this process through the same chunk function, so `workers=1` and
`workers=N` write the same bytes (each verdict's `generated_at` aside).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import multiprocessing
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import orjson

from zonecheck.engine.pack.locate import DEFAULT_PACK
from zonecheck.service.app import screening
from zonecheck.service.app.inputs import Item
from zonecheck.service.app.screening import Outcome

CHUNK_MAX = 200  # items per chunk: small enough for a lively progress bar, large enough to amortise
SUMMARY_HEADER = ("申报编号 reference", "结论 decision", "违反的规则 violated rules",
                  "需补充的材料 facts to supply", "需人工核查 checks for a person")


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


def result_line(outcome: Outcome) -> bytes:
    """One input's JSON line: its verdict with its source, or its problems. The one place lines are made."""
    source = orjson.dumps(outcome.source)
    if outcome.verdict is not None:
        return b'{"source":' + source + b"," + outcome.verdict.to_json_bytes()[1:] + b"\n"
    return orjson.dumps({"source": outcome.source, "valid": False, "problems": _problems(outcome)}) + b"\n"


def summary_row(outcome: Outcome) -> tuple[str, ...]:
    """One input's row of the summary CSV."""
    if outcome.verdict is None:
        problems = "; ".join(f"{p.path}: {p.reason}" if p.path else p.reason for p in outcome.problems)
        return (outcome.source, "无效 invalid", "", "", problems)
    document = outcome.verdict.document
    violated = [f.rule.id for f in outcome.verdict.findings if f.status == "violated"]
    return (document["reference"], f"{document['decision_label']['zh']} {document['decision']}",
            "; ".join(violated), "; ".join(s["label"] for s in document["to_supply"]),
            "; ".join(document["not_checked"]))


def _problems(outcome: Outcome) -> list[dict[str, str]]:
    return [{"path": p.path, "label": p.label, "reason": p.reason} for p in outcome.problems]


def _screen_chunk(screener: Any, items: list[Item], options: Options, out: BinaryIO) -> tuple[Tally, list[tuple[str, ...]]]:
    tally = Tally()
    rows = []
    for item in items:
        outcome = screening.screen(screener, item.data, source=item.origin, zone=options.zone,
                                   as_of=options.as_of, read_error=item.error)
        out.write(result_line(outcome))
        rows.append(summary_row(outcome))
        tally.screened += 1
        if outcome.verdict is not None:
            tally.decisions[outcome.verdict.decision] += 1
        else:
            tally.invalid.append({"source": outcome.source, "valid": False, "problems": _problems(outcome)})
    return tally, rows


_worker_screener: Any = None  # the compiled pack of this worker process


def _init_worker(options: Options) -> None:
    global _worker_screener
    _worker_screener = screening.Registry().get(options.rules, options.pack)


def _worker_chunk(index: int, items: list[Item], options: Options, shard: str) -> tuple[int, Tally, list[tuple[str, ...]]]:
    with open(shard, "wb") as out:
        tally, rows = _screen_chunk(_worker_screener, items, options, out)
    return index, tally, rows


def _chunks(items: list[Item], workers: int) -> list[list[Item]]:
    size = max(1, min(CHUNK_MAX, math.ceil(len(items) / (workers * 4))))
    return [items[i:i + size] for i in range(0, len(items), size)]


def run_batch(items: Iterable[Item], out: Writer, *, summary: Writer | None = None, workers: int | None = None,
              options: Options = Options(), screener: Any = None, shard_dir: Path | None = None,
              progress: Callable[[int], None] | None = None) -> Tally:
    """Screen every item and write one JSON line per item to `out`, in input order; a summary CSV (UTF-8
    with BOM, a spreadsheet opens it in Chinese) to `summary` if given. `workers` processes (default: the
    machine's cores); shard files go in a temporary folder under `shard_dir` (default: the system's).
    `progress(n)` is called as n more items are done; `screener` serves `workers=1` (else one is compiled)."""
    listed = list(items)
    workers = max(1, workers or os.cpu_count() or 1)
    chunks = _chunks(listed, workers)
    workers = min(workers, len(chunks)) or 1
    tally = Tally()
    rows: list[tuple[str, ...]] = []
    if workers == 1:
        own = screener or screening.Registry().get(options.rules, options.pack)
        for chunk in chunks:
            part, part_rows = _screen_chunk(own, chunk, options, out)  # type: ignore[arg-type]
            _add(tally, part)
            rows += part_rows
            if progress:
                progress(len(chunk))
    else:
        folder = Path(tempfile.mkdtemp(prefix=".zonecheck-shards-", dir=shard_dir))
        try:
            shards = [str(folder / f"{i:06d}.jsonl") for i in range(len(chunks))]
            results = _run_pool(chunks, shards, workers, options, progress)
            for index, shard in enumerate(shards):  # stitch in input order
                part, part_rows = results[index]
                _add(tally, part)
                rows += part_rows
                with open(shard, "rb") as handle:
                    while block := handle.read(1 << 20):
                        out.write(block)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    if summary is not None:
        summary.write(summary_csv(rows))
    return tally


def _run_pool(chunks: list[list[Item]], shards: list[str], workers: int, options: Options,
              progress: Callable[[int], None] | None) -> dict[int, tuple[Tally, list[tuple[str, ...]]]]:
    # spawn: the parent may hold threads (a progress bar) and the core's state, neither safe to fork
    context = multiprocessing.get_context("spawn")
    results: dict[int, tuple[Tally, list[tuple[str, ...]]]] = {}
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(options,)) as pool:
        pending = {pool.submit(_worker_chunk, i, chunk, options, shard)
                   for i, (chunk, shard) in enumerate(zip(chunks, shards))}
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                index, part, part_rows = future.result()
                results[index] = (part, part_rows)
                if progress:
                    progress(part.screened)
    return results


def _add(tally: Tally, part: Tally) -> None:
    tally.screened += part.screened
    tally.decisions.update(part.decisions)
    tally.invalid += part.invalid


def summary_csv(rows: list[tuple[str, ...]]) -> bytes:
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(SUMMARY_HEADER)
    writer.writerows(rows)
    return text.getvalue().encode("utf-8-sig")
