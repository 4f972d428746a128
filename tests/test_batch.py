"""Batch on every core: shards stitched in input order, the same bytes as one worker, the summary CSV."""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import sys
from pathlib import Path

from typer.testing import CliRunner

from zonecheck.service.app.inputs import Item
from zonecheck.service.batch import pool
from zonecheck.service.cli.main import app

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.workload import iter_proposals  # noqa: E402

STAMP = re.compile(rb',"generated_at":"[^"]*"')


def items(count: int) -> list[Item]:
    found = [Item(f"in.jsonl:{n + 1}", data=p)
             for n, p in enumerate(itertools.islice(iter_proposals(ROOT / "examples", 5), count))]
    found[3] = Item("in.jsonl:4", error="not valid JSON: Expecting value")
    found[7].data["land"]["site_area_m2"] = "-5"  # invalid
    return found


def test_two_workers_write_the_same_bytes_as_one_in_input_order(tmp_path: Path) -> None:
    batch = items(420)
    one, two = io.BytesIO(), io.BytesIO()
    summary_one, summary_two = io.BytesIO(), io.BytesIO()
    counted: list[int] = []
    tally_one = pool.run_batch(batch, one, summary=summary_one, workers=1)
    tally_two = pool.run_batch(batch, two, summary=summary_two, workers=2, shard_dir=tmp_path,
                               progress=counted.append)
    assert STAMP.sub(b"", one.getvalue()) == STAMP.sub(b"", two.getvalue())
    assert one.getvalue().count(b"generated_at") == 418
    lines = two.getvalue().splitlines()
    assert [json.loads(line)["source"] for line in lines] == [i.origin for i in batch]
    assert sum(counted) == 420 and len(counted) > 2  # progress counted across workers, chunk by chunk
    assert tally_one.decisions == tally_two.decisions and len(tally_two.invalid) == 2
    assert tally_one.invalid == tally_two.invalid  # read back from beside the worker's shard
    assert summary_one.getvalue() == summary_two.getvalue()
    assert list(tmp_path.iterdir()) == []  # the shards are gone


def test_summary_csv_opens_in_chinese_with_one_row_per_input() -> None:
    out, summary = io.BytesIO(), io.BytesIO()
    pool.run_batch(items(12), out, summary=summary, workers=1)
    data = summary.getvalue()
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == list(pool.SUMMARY_HEADER) and len(rows) == 13
    decided = {json.loads(line)["reference"]: json.loads(line) for line in out.getvalue().splitlines()
               if b'"valid":false' not in line}
    for row in rows[1:]:
        if row[0] in decided:
            verdict = decided[row[0]]
            assert row[1].endswith(verdict["decision"])
            violated = [f["rule_id"] for f in verdict["findings"] if f["status"] == "violated"]
            assert row[2] == "; ".join(violated)
    assert rows[4][1] == "无效 invalid" and "not valid JSON" in rows[4][4]


def test_cli_batch_with_workers_writes_results_and_summary(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    with source.open("w", encoding="utf-8") as handle:
        for proposal in itertools.islice(iter_proposals(ROOT / "examples", 6), 300):
            handle.write(json.dumps(proposal, ensure_ascii=False, default=str) + "\n")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(app, ["batch", str(source), "--out", str(out), "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert len(out.read_bytes().splitlines()) == 300
    summary = tmp_path / "out.jsonl.summary.csv"
    assert len(summary.read_text(encoding="utf-8-sig").splitlines()) == 301
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl", "out.jsonl.summary.csv"]
    single = tmp_path / "single.jsonl"
    assert CliRunner().invoke(app, ["batch", str(source), "--out", str(single), "--workers", "1"]).exit_code == 0
    assert STAMP.sub(b"", single.read_bytes()) == STAMP.sub(b"", out.read_bytes())


def test_cli_batch_to_standard_output_writes_no_summary(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    with source.open("w", encoding="utf-8") as handle:
        for proposal in itertools.islice(iter_proposals(ROOT / "examples", 8), 3):
            handle.write(json.dumps(proposal, ensure_ascii=False, default=str) + "\n")
    result = CliRunner().invoke(app, ["batch", str(source), "--out", "-", "--workers", "1"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [line["source"] for line in lines] == [f"{source}:{n}" for n in (1, 2, 3)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


def _awkward_jsonl(path: Path, count: int) -> list[bytes]:
    """A JSON Lines file with what a reader can trip on; returns its lines."""
    lines = [json.dumps(p, ensure_ascii=False, default=str).encode()
             for p in itertools.islice(iter_proposals(ROOT / "examples", 7), count)]
    lines[0] = b"\xef\xbb\xbf" + lines[0]  # a BOM
    lines[4] = b"{not json}"
    lines[5] = b"   "  # blank: skipped, but counted in line numbers
    lines[9] = lines[9].replace(b'"reference"', b'"reference": "X", "reference"', 1)  # a duplicate key
    lines[11] = lines[11].replace("内".encode(), b"\xff", 1) if "内".encode() in lines[11] else b"\xff"
    lines[count - 3] = b'{"name": "' + b"x" * (1 << 20) + b'"}'  # over 1 MB
    path.write_bytes(b"\n".join(lines))  # no newline after the last line
    return lines


def test_a_json_lines_file_read_in_spans_gives_what_it_gives_read_whole(tmp_path: Path) -> None:
    from zonecheck.service.app.inputs import JsonLinesFile, read_span

    source = tmp_path / "in.jsonl"
    _awkward_jsonl(source, 40)

    def seen(found: list[Item]) -> list[tuple[object, ...]]:
        return [(i.origin, i.data, i.error, i.file, i.line, [p.__dict__ for p in i.problems], i.positions())
                for i in found]

    whole = seen(list(JsonLinesFile(source)))
    assert len(whole) == 39 and whole[4][0] == f"{source}:5" and whole[-1][0] == f"{source}:40"
    for sizes in ([1], [3], [7, 2], [200]):
        spans = list(JsonLinesFile(source).spans(itertools.cycle(sizes)))
        assert sum(s.length for s in spans) == source.stat().st_size
        assert seen([item for span in spans for item in read_span(span)]) == whole, sizes


def test_two_workers_over_a_json_lines_file_match_one_worker(tmp_path: Path) -> None:
    from zonecheck.service.app.inputs import iter_items

    source = tmp_path / "in.jsonl"
    lines = _awkward_jsonl(source, 260)
    one, two, summary_one, summary_two = io.BytesIO(), io.BytesIO(), io.BytesIO(), io.BytesIO()
    counted: list[int] = []
    pool.run_batch(iter_items(source), one, summary=summary_one, workers=1)
    tally = pool.run_batch(iter_items(source), two, summary=summary_two, workers=2, shard_dir=tmp_path,
                           progress=counted.append)
    assert STAMP.sub(b"", one.getvalue()) == STAMP.sub(b"", two.getvalue())
    assert summary_one.getvalue() == summary_two.getvalue()
    sources = [json.loads(line)["source"] for line in two.getvalue().splitlines()]
    assert sources == [f"{source}:{n + 1}" for n, line in enumerate(lines) if line.strip()]
    assert sum(counted) == 259 == tally.screened and len(counted) > 2
    assert {entry["source"] for entry in tally.invalid} >= {f"{source}:5", f"{source}:10", f"{source}:258"}
    assert [p.name for p in tmp_path.iterdir()] == ["in.jsonl"]  # the shards are gone


def test_chunks_screened_here_wait_on_disk_when_a_worker_lags(tmp_path: Path, monkeypatch) -> None:
    batch = items(420)
    one, two = io.BytesIO(), io.BytesIO()
    pool.run_batch(batch, one, workers=1)
    monkeypatch.setattr(pool, "HELD_MAX", 0)  # every chunk the parent screens goes to its shard file
    pool.run_batch(batch, two, workers=2, shard_dir=tmp_path)
    assert STAMP.sub(b"", one.getvalue()) == STAMP.sub(b"", two.getvalue())
    assert list(tmp_path.iterdir()) == []


def test_a_json_lines_fifo_is_read_once_as_a_stream(tmp_path: Path) -> None:
    import os
    import threading

    from zonecheck.service.app.inputs import iter_items

    fifo = tmp_path / "in.jsonl"
    os.mkfifo(fifo)
    lines = [json.dumps(p, ensure_ascii=False, default=str) + "\n"
             for p in itertools.islice(iter_proposals(ROOT / "examples", 9), 3)]
    writer = threading.Thread(target=lambda: fifo.write_text("".join(lines), encoding="utf-8"))
    writer.start()
    out = io.BytesIO()
    tally = pool.run_batch(iter_items(fifo), out, workers=2, shard_dir=tmp_path)
    writer.join(timeout=10)
    assert tally.screened == 3 and len(out.getvalue().splitlines()) == 3


def _spawned_workers(pid: int) -> list[int]:
    """The pool's worker processes under `pid` (Linux /proc), not multiprocessing's resource tracker."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            command = Path(f"/proc/{child}/cmdline").read_bytes()
            if b"spawn_main" in command and b"resource_tracker" not in command:
                found.append(int(child))
    return found


def test_a_killed_worker_stops_the_batch_with_a_clear_error_and_nothing_written(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import time

    import pytest

    if not Path("/proc/self/task").exists():
        pytest.skip("needs Linux /proc")
    source = tmp_path / "p.jsonl"
    with source.open("w", encoding="utf-8") as handle:
        for proposal in itertools.islice(iter_proposals(ROOT / "examples", 11), 6000):
            handle.write(json.dumps(proposal, ensure_ascii=False, default=str) + "\n")
    out = tmp_path / "out.jsonl"
    out.write_text("previous\n", encoding="utf-8")
    run = subprocess.Popen([sys.executable, "-m", "zonecheck.service.cli.main", "batch", str(source), "--out", str(out),
                            "--workers", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while not workers and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
        workers = _spawned_workers(run.pid)
    assert workers, "the pool never started a worker"
    time.sleep(0.5)  # screening under way
    os.kill(workers[0], signal.SIGKILL)
    _, stderr = run.communicate(timeout=120)
    assert run.returncode == 2 and "Traceback" not in stderr, stderr
    assert "筛查进程意外退出" in stderr and "原有文件未改动" in stderr
    assert out.read_text(encoding="utf-8") == "previous\n"
    assert not (tmp_path / "out.jsonl.summary.csv").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no shard folder left


def test_a_pool_that_breaks_is_a_lost_worker_wherever_it_is_noticed(tmp_path: Path) -> None:
    """A broken pool shows first in a chunk's result or in the next submit, by a race: either way the batch
    stops with WorkerLost (the CLI's clear message), never a bare BrokenProcessPool. Here the workers
    cannot compile their pack (no such folder) while this process screens with its own."""
    import pytest

    from zonecheck.engine.screener import Screener

    out = io.BytesIO()
    with pytest.raises(pool.WorkerLost):
        pool.run_batch(items(3000), out, workers=2, shard_dir=tmp_path, screener=Screener(),
                       options=pool.Options(rules=tmp_path / "no-such-rules"))
    assert [p.name for p in tmp_path.iterdir()] == []  # no shard folder left


def test_a_pool_found_broken_on_submit_is_a_lost_worker(tmp_path: Path, monkeypatch) -> None:
    """The race the test above may not hit: the pool is already broken when the next chunk is submitted."""
    from concurrent.futures.process import BrokenProcessPool

    import pytest

    from zonecheck.engine.screener import Screener

    class Breaking(pool.ProcessPoolExecutor):
        calls = 0

        def submit(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            Breaking.calls += 1
            if Breaking.calls > 2:
                raise BrokenProcessPool("A child process terminated abruptly, the process pool is not usable anymore")
            return super().submit(*args, **kwargs)

    monkeypatch.setattr(pool, "ProcessPoolExecutor", Breaking)
    with pytest.raises(pool.WorkerLost):
        pool.run_batch(items(3000), io.BytesIO(), workers=2, shard_dir=tmp_path, screener=Screener())
    assert [p.name for p in tmp_path.iterdir()] == []


def test_what_a_worker_sends_back_is_written_at_once(tmp_path: Path, monkeypatch) -> None:
    """A pipe writes up to PIPE_BUF bytes at once, so a worker killed while answering leaves either its
    whole answer or none: Python's pool reads an answer to its end and would wait for ever on half of one
    (seen: a batch hung after its worker was killed). The rows and invalid entries go beside the shard."""
    import pickle
    import select
    from concurrent.futures.process import _ResultItem  # what the pool sends back, as it sends it

    from zonecheck.engine.screener import Screener

    monkeypatch.setattr(pool, "_worker_screener", Screener())
    batch = items(200)
    for item in batch[10:60]:  # many invalid inputs, each with its problems
        if item.data is not None:
            item.data["land"]["site_area_m2"] = "-5"
            item.data["project"]["industry_code"] = "x"
    shard = str(tmp_path / "000000.jsonl")
    answer = pool._worker_chunk(0, [i.portable() for i in batch], pool.Options(), shard)
    assert len(pickle.dumps(_ResultItem(0, result=answer))) < select.PIPE_BUF
    tally, rows = pool._worker_result(tmp_path, *answer)
    assert tally.screened == 200 and len(tally.invalid) >= 50 and len(rows) == 200
    assert sorted(p.name for p in tmp_path.iterdir()) == ["000000.jsonl"]  # the side file read and gone


def test_a_dead_worker_stops_the_batch_even_when_the_pool_does_not_say_so(tmp_path: Path, monkeypatch) -> None:
    """Python's pool fails the work of a dead worker, unless its watch hangs reading half an answer. Here
    the watch is made to hang after killing the worker: the batch still stops with WorkerLost."""
    import threading
    import time
    from concurrent.futures import process as futures_process

    import pytest

    from zonecheck.engine.screener import Screener

    watch = futures_process._ExecutorManagerThread.wait_result_broken_or_wakeup
    stuck = threading.Event()

    def hanging(self):  # type: ignore[no-untyped-def]
        if not stuck.is_set():
            stuck.set()
            for process in list(self.processes.values()):
                process.kill()
            time.sleep(hang)  # then the watch goes on, sees the worker gone and closes the pool
        return watch(self)

    hang = pool.LOST_AFTER + 8
    monkeypatch.setattr(futures_process._ExecutorManagerThread, "wait_result_broken_or_wakeup", hanging)
    monkeypatch.setattr(pool, "MANAGER_JOIN", 1.0)
    started = time.monotonic()
    with pytest.raises(pool.WorkerLost):
        pool.run_batch(items(1200), io.BytesIO(), workers=2, shard_dir=tmp_path, screener=Screener())
    assert stuck.is_set() and time.monotonic() - started < hang  # stopped while the pool's watch still hung
    assert [p.name for p in tmp_path.iterdir()] == []
