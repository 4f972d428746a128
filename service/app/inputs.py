"""Reading proposals: YAML documents (several per file with `---`), JSON, JSON Lines, CSV with dotted headers,
a folder of documents, or standard input (`-`). One proposal at a time, so one bad input never stops
the others and memory stays flat.

YAML is read with the C loader and YAML 1.2 rules for scalars (true/false only, no base-60, no dates
guessed: `yes`, `1:30` and `2023-02-30` stay text for the proposal check to judge). Duplicate keys are
problems. A BOM is accepted everywhere; a CSV that is not UTF-8 is read as GB18030 when that decodes
cleanly (what Excel on Chinese Windows saves), and the item says so. A proposal over 1 MB is a problem.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import io
import json
import mmap
import os
import re
import stat
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson
import yaml

from zonecheck.service.app.screening import Problem

PROPOSAL_SUFFIXES = (".yaml", ".yml", ".json")
STREAM_SUFFIXES = (".jsonl", ".csv")
FORMATS = ("jsonl", "yaml", "json", "csv")
MAX_PROPOSAL_BYTES = 1 << 20  # 1 MB
MAX_NODES = 100_000  # values in one YAML document, aliases expanded (a "billion laughs" stops here)
MAX_DEPTH = 32  # nesting in one proposal (it has 3 levels; a self-referring alias stops here)
STDIN = "-"
Positions = dict[str, tuple[int, int]]  # path -> (line, column), 1-based


@dataclass
class Item:
    """One proposal to screen, or the reasons it could not be read."""

    origin: str  # file name, or file:line / file:row
    data: Any = None
    error: str | None = None  # why it could not be read (Chinese); the details are in `problems`
    problems: list[Problem] = field(default_factory=list)
    file: str | None = None
    line: int | None = None
    locate: Callable[[], Positions] | None = None  # where each path was written, worked out when needed
    note: str | None = None  # e.g. the encoding a CSV was read in
    skipped: bool = False  # not a proposal file (a FIFO, a device): reported, not screened

    def positions(self) -> Positions:
        try:
            return self.locate() if self.locate else {}
        except Exception:  # noqa: BLE001 - positions are a courtesy; the problem is reported without them
            return {}

    def portable(self) -> "Item":
        """This item in a form another process can receive (pickle): a locator that is a closure over a
        parsed YAML node is replaced by the positions it gives (the batch pool sends items to workers)."""
        if self.locate is None or isinstance(self.locate, (_Fixed, _TextLocator)):
            return self
        return dataclasses.replace(self, locate=_Fixed(self.positions()))


@dataclasses.dataclass(frozen=True)
class _Fixed:
    """Positions worked out already."""

    positions: Positions

    def __call__(self) -> Positions:
        return self.positions


def _failed(origin: str, file: str | None, zh: str, en: str, line: int | None = None, column: int | None = None,
            *, skipped: bool = False) -> Item:
    problem = Problem(path="", label="", reason=zh, reason_en=en, file=file, line=line, column=column)
    return Item(origin, error=zh, problems=[problem], file=file, line=line, skipped=skipped)


# --- YAML, with YAML 1.2 scalars and positions --------------------------------------------------

class Yaml12Loader(yaml.CSafeLoader):
    """The C loader, only composing: scalars are typed by `_scalar` with YAML 1.2 core-schema rules."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:  # one cheap call per node
        if kind is yaml.ScalarNode:
            return PLAIN if implicit[0] else STR
        return SEQ if kind is yaml.SequenceNode else MAP


PLAIN, STR = "?plain", "tag:yaml.org,2002:str"
SEQ, MAP = "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_NULL = frozenset(("", "~", "null", "Null", "NULL"))
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)|0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")


class _Refused(ValueError):
    def __init__(self, zh: str, en: str, mark: Any = None, path: str = ""):
        super().__init__(en)
        self.zh, self.en, self.mark, self.path = zh, en, mark, path


def _scalar(node: yaml.ScalarNode) -> Any:
    """A scalar's value: quoted ones are text; plain ones by YAML 1.2 (true/false, null, ints, floats)."""
    text = node.value
    if node.tag != PLAIN or not text or text[0] not in "-+.0123456789tTfFnN~":
        return None if node.tag == PLAIN and text == "" else text
    if text in _BOOL:
        return _BOOL[text]
    if text in _NULL:
        return None
    try:
        if _INT.fullmatch(text):
            return int(text[2:], 8) if text.startswith("0o") else int(text, 16) if text.startswith("0x") else int(text)
        if _FLOAT.fullmatch(text):
            return float(text.replace("Inf", "inf").replace("INF", "inf"))
    except ValueError:  # e.g. more digits than Python turns into an int
        return text
    return text


def _build(node: yaml.Node, positions: Positions | None = None) -> Any:
    """A composed YAML node as plain data, recording where each path is; iterative (no recursion limit)."""
    count = 0
    root: list[Any] = [None]
    stack: list[tuple[yaml.Node, Any, Any, str, int]] = [(node, root, 0, "", 0)]
    while stack:
        current, parent, slot, path, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise _Refused(f"值过多（超过 {MAX_NODES} 个，或别名展开过多）", f"too many values (over {MAX_NODES}, or aliases expanding)")
        if depth > MAX_DEPTH:
            raise _Refused("嵌套过深", "nested too deeply", current.start_mark)
        if isinstance(current, yaml.ScalarNode):
            parent[slot] = _scalar(current)
        elif isinstance(current, yaml.SequenceNode):
            items: list[Any] = [None] * len(current.value)
            parent[slot] = items
            for index, child in enumerate(current.value):
                child_path = f"{path}.{index}" if path else str(index)
                if positions is not None:
                    positions.setdefault(child_path, (child.start_mark.line + 1, child.start_mark.column + 1))
                stack.append((child, items, index, child_path, depth + 1))
        else:
            mapping: dict[Any, Any] = {}
            parent[slot] = mapping
            for key_node, value_node in current.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise _Refused("键必须是简单的文字", "a key must be plain text", key_node.start_mark, path)
                key = _scalar(key_node)
                key = key if isinstance(key, str) else str(key)
                child_path = f"{path}.{key}" if path else key
                if key in mapping:
                    raise _Refused(f"重复的键“{key}”（同一字段写了两次）", f"duplicate key {key!r} (the same field twice)",
                                   key_node.start_mark, child_path)
                mapping[key] = None
                if positions is not None:
                    positions.setdefault(child_path, (key_node.start_mark.line + 1, key_node.start_mark.column + 1))
                stack.append((value_node, mapping, key, child_path, depth + 1))
    return root[0]


def _yaml_problem(origin: str, file: str | None, error: Exception) -> Item:
    if isinstance(error, _Refused):
        mark = error.mark
        item = _failed(origin, file, error.zh, error.en, mark.line + 1 if mark else None,
                       mark.column + 1 if mark else None)
        item.problems[0] = Problem(**{**item.problems[0].__dict__, "path": error.path})
        return item
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    column = mark.column + 1 if mark is not None else None
    if isinstance(error, yaml.reader.ReaderError):
        return _failed(origin, file, "文件不是 UTF-8 编码，无法读取", f"not UTF-8 text: {error}", line, column)
    return _failed(origin, file, f"不是有效的 YAML：{getattr(error, 'problem', None) or error}", f"not valid YAML: {error}",
                   line, column)


def _documents(stream: IO[bytes] | str, name: str, file: str | None, first_line: int = 0) -> Iterator[Item]:
    """Every YAML document of a stream, one at a time (one document read ahead, to name them)."""
    loader = Yaml12Loader(stream)
    pending: tuple[int, yaml.Node | None, Exception | None] | None = None
    several = False
    try:
        while True:
            try:
                if not loader.check_node():
                    break
                node = loader.get_node()
                entry: tuple[int, yaml.Node | None, Exception | None] = (node.start_mark.line + 1, node, None)
            except yaml.YAMLError as error:
                mark = getattr(error, "problem_mark", None)
                entry = ((mark.line + 1) if mark else 0, None, error)
            if pending is not None:
                several = True
                yield _document_item(pending, name, file, several, first_line)
            pending = entry
            if entry[2] is not None:
                break  # the stream cannot be read past a syntax error
    finally:
        loader.dispose()
    if pending is not None:
        yield _document_item(pending, name, file, several, first_line)
    elif not several:
        yield _failed(name, file, "文件为空，没有申报内容", "the file is empty")


def _document_item(entry: tuple[int, yaml.Node | None, Exception | None], name: str, file: str | None,
                   several: bool, first_line: int) -> Item:
    line, node, error = entry
    origin = f"{name}:{line + first_line}" if several else name
    if error is not None:
        return _yaml_problem(origin, file, error)
    assert node is not None
    if node.end_mark.index - node.start_mark.index > MAX_PROPOSAL_BYTES:
        return _failed(origin, file, "单个申报超过 1 MB", "a single proposal is over 1 MB", line)
    try:
        data = _build(node)
    except _Refused as refused:
        return _yaml_problem(origin, file, refused)

    def locate() -> Positions:  # only when a problem needs it: walking the node again is cheap then
        positions: Positions = {}
        _build(node, positions)
        return positions
    return Item(origin, data=data, file=file, line=line, locate=locate)


@dataclasses.dataclass(frozen=True)
class _TextLocator:
    """Positions of a JSON text, found by reading it as YAML (JSON is YAML) only when a problem needs them."""

    text: str

    def __call__(self) -> Positions:
        positions: Positions = {}
        loader = Yaml12Loader(self.text)
        try:
            _build(loader.get_single_node(), positions)
        finally:
            loader.dispose()
        return positions


def _locate_text(text: str) -> Callable[[], Positions]:
    return _TextLocator(text)


# --- JSON ---------------------------------------------------------------------------------------

class _Duplicate(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    mapping: dict[str, Any] = {}
    for key, value in pairs:
        if key in mapping:
            raise _Duplicate(key)
        mapping[key] = value
    return mapping


_INEXACT = float(2**63)  # orjson reads an integer past 64 bits as a float at least this large


def _keys(value: dict[str, Any] | list[Any]) -> int | None:
    """How many keys a parsed value holds, nested ones too; None if a float may stand for a long integer."""
    count = len(value) if type(value) is dict else 0
    for item in (value.values() if type(value) is dict else value):  # type: ignore[union-attr]
        kind = type(item)
        if kind is dict or kind is list:
            inner = _keys(item)
            if inner is None:
                return None
            count += inner
        elif kind is float and abs(item) >= _INEXACT:
            return None
    return count


def _fast_json(text: str) -> Any:
    """orjson's reading when it is certainly the standard reader's: each key of the text ends at a colon,
    and a colon is a key's or inside a string, so (colons = keys written + colons in strings) equals
    (keys parsed = keys written - duplicates) only without duplicates. Anything else (NaN, long
    integers, lone surrogates, duplicates, colons in strings) returns None and is read, and reported,
    by the standard reader."""
    try:
        data = orjson.loads(text)
    except (orjson.JSONDecodeError, RecursionError):
        return None
    return data if type(data) is dict and _keys(data) == text.count(":") else None


def _json_item(text: str, origin: str, file: str | None, line: int | None) -> Item:
    locate = _locate_text(text)
    try:
        data = _fast_json(text)
        if data is None:
            data = json.loads(text, object_pairs_hook=_no_duplicates)
    except _Duplicate as duplicate:
        key = str(duplicate)
        item = _failed(origin, file, f"重复的键“{key}”（同一字段写了两次）", f"duplicate key {key!r} (the same field twice)", line)
        try:  # the YAML reading names the path and line
            locate()
        except _Refused as refused:
            item = _yaml_problem(origin, file, refused)
            if line is not None:
                item.problems[0] = Problem(**{**item.problems[0].__dict__, "line": line})
        except yaml.YAMLError:
            pass
        return item
    except json.JSONDecodeError as error:
        return _failed(origin, file, f"不是有效的 JSON：{error.msg}", f"not valid JSON: {error}",
                       (line or 1) + error.lineno - 1, error.colno)
    except RecursionError:
        return _failed(origin, file, "嵌套过深", "nested too deeply", line)
    except ValueError as error:  # e.g. a number with more digits than Python reads
        return _failed(origin, file, f"无法读取的数值：{str(error)[:120]}", f"unreadable number: {error}", line)
    return Item(origin, data=data, file=file, line=line, locate=locate)


# --- documents, JSON Lines, CSV -----------------------------------------------------------------

def _decode(raw: bytes, origin: str, file: str | None) -> str | Item:
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        return _failed(origin, file, f"不是 UTF-8 编码（第 {line} 行有无法识别的字节）",
                       f"not UTF-8 (an undecodable byte on line {line})", line)


def read_document(path: Path | str, input_format: str | None = None) -> Iterator[Item]:
    """A YAML or JSON file (YAML may hold several proposals separated by `---`)."""
    name = str(path)
    kind = input_format or ("json" if str(path).lower().endswith(".json") else "yaml")
    try:
        handle = sys.stdin.buffer if name == STDIN else open(path, "rb")  # noqa: SIM115
    except OSError as error:
        yield _failed(name, name, f"无法读取：{error.strerror or error}", f"cannot read: {error}")
        return
    try:
        if kind == "yaml":
            yield from _documents(handle, name, name)
            return
        raw = handle.read(MAX_PROPOSAL_BYTES + 1)
        if len(raw) > MAX_PROPOSAL_BYTES:
            yield _failed(name, name, "单个申报超过 1 MB", "a single proposal is over 1 MB")
            return
        text = _decode(raw, name, name)
        yield text if isinstance(text, Item) else _json_item(text, name, name, None)
    except OSError as error:
        yield _failed(name, name, f"无法读取：{error.strerror or error}", f"cannot read: {error}")
    finally:
        if handle is not sys.stdin.buffer:
            handle.close()


def _json_lines(handle: IO[bytes] | _Span, name: str, number: int = 0) -> Iterator[Item]:
    """Every line's item; `number` lines come before the handle's first (a span of a file)."""
    while True:
        raw = handle.readline(MAX_PROPOSAL_BYTES + 1)
        if not raw:
            return
        number += 1
        origin = f"{name}:{number}"
        if len(raw) > MAX_PROPOSAL_BYTES and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):  # skip the rest of the line, a chunk at a time
                raw = handle.readline(MAX_PROPOSAL_BYTES)
            yield _failed(origin, name, "单个申报超过 1 MB", "a single proposal is over 1 MB", number)
            continue
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8):]
        if not raw.strip():
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            yield _failed(origin, name, "这一行不是 UTF-8 编码", "this line is not UTF-8", number)
            continue
        yield _json_item(text, origin, name, number)


def _csv_encoding(path: Path) -> str | None:
    """utf-8-sig, else gb18030 when the whole file decodes cleanly as it, else None."""
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with open(path, "rb") as handle:
                while chunk := handle.read(1 << 20):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    return None


def _csv_headers(headers: list[str]) -> str | None:
    """Why a header row cannot be read unambiguously, or None."""
    cleaned = [h.strip() for h in headers]
    seen: set[str] = set()
    for header in cleaned:
        if header in seen:
            return header
        seen.add(header)
    for header in cleaned:
        if any(other.startswith(header + ".") for other in cleaned):
            return header
    return None


def _nest(row: dict[str, str], line: int, columns: dict[str, int]) -> tuple[dict[str, Any], Positions]:
    proposal: dict[str, Any] = {}
    positions: Positions = {}
    for header, cell in row.items():
        if header is None or cell is None or cell.strip() == "":
            continue
        path = header.strip()
        node = proposal
        *parents, last = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = cell.strip()
        positions[path] = (line, columns[header])
    return proposal, positions


def _csv_rows(handle: IO[str], name: str, note: str | None) -> Iterator[Item]:
    csv.field_size_limit(MAX_PROPOSAL_BYTES)
    reader = csv.reader(handle)
    try:
        headers = next(reader)
    except StopIteration:
        yield _failed(name, name, "CSV 文件为空", "the CSV file is empty")
        return
    except csv.Error as error:
        yield _failed(name, name, f"CSV 表头无法读取：{error}", f"cannot read the CSV header: {error}", 1)
        return
    clash = _csv_headers(headers)
    if clash is not None:
        yield _failed(name, name, f"表头“{clash}”重复或与其下级字段同时出现，无法确定取值",
                      f"header {clash!r} appears twice or together with its own sub-fields", 1)
        return
    columns = {header: index + 1 for index, header in enumerate(headers)}
    last_line = reader.line_num
    while True:
        start = last_line + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            last_line = reader.line_num
            yield _failed(f"{name}:{start}", name, f"这一行无法读取：{error}", f"cannot read this row: {error}", start)
            continue
        last_line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        origin = f"{name}:{start}"
        if len(cells) > len(headers):
            yield _failed(origin, name, "这一行的单元格比表头多", "row has more cells than the header", start)
            continue
        if sum(len(cell) for cell in cells) > MAX_PROPOSAL_BYTES:
            yield _failed(origin, name, "单个申报超过 1 MB", "a single proposal is over 1 MB", start)
            continue
        data, positions = _nest(dict(zip(headers, cells)), start, columns)
        yield Item(origin, data=data, file=name, line=start, locate=_Fixed(positions), note=note)


def read_csv(path: Path | str) -> Iterator[Item]:
    name = str(path)
    if name == STDIN:
        yield from _csv_rows(io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig", newline=""), name, None)
        return
    encoding = _csv_encoding(Path(path))
    if encoding is None:
        yield _failed(name, name, "CSV 既不是 UTF-8 也不是 GB18030 编码，无法读取", "the CSV is neither UTF-8 nor GB18030")
        return
    note = "CSV 按 GB18030 编码读取（不是 UTF-8）" if encoding == "gb18030" else None
    with open(path, encoding=encoding, newline="") as handle:
        yield from _csv_rows(handle, name, note)


def _regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def _suffix(path: Path | str) -> str:
    return Path(str(path)).suffix.lower()


def iter_items(source: Path | str, input_format: str | None = None) -> Iterator[Item]:
    """Every proposal in a folder, a .jsonl file, a .csv file, a document, or standard input (`-`).
    A JSON Lines file comes as a `JsonLinesFile`, which the batch pool may also cut into spans."""
    if str(source) != STDIN and _kind(source, input_format) == "jsonl" and not Path(source).is_dir():
        return JsonLinesFile(Path(source))
    return _items(source, input_format)


def _kind(path: Path | str, input_format: str | None) -> str:
    """The format a file is read in: the one asked for, else the one its suffix names (YAML by default)."""
    return input_format or {".jsonl": "jsonl", ".csv": "csv", ".json": "json"}.get(_suffix(path), "yaml")


def _items(source: Path | str, input_format: str | None) -> Iterator[Item]:
    name = str(source)
    if name == STDIN:
        kind = input_format or "jsonl"
        if kind == "jsonl":
            yield from _json_lines(sys.stdin.buffer, name)
        elif kind == "csv":
            yield from read_csv(name)
        else:
            yield from read_document(name, kind)
        return
    path = Path(source)
    if path.is_dir():
        yield from _folder(path)
        return
    kind = _kind(path, input_format)  # a .jsonl file is a JsonLinesFile (iter_items)
    if kind == "csv":
        try:
            yield from read_csv(path)
        except OSError as error:
            yield _failed(name, name, f"无法读取：{error.strerror or error}", f"cannot read: {error}")
    else:
        yield from read_document(path, kind)


# --- JSON Lines files, whole or in spans -----------------------------------------------------------

@dataclass(frozen=True)
class Span:
    """Contiguous lines of a JSON Lines file: where they start and end (bytes), and how many lines come
    before them. A batch worker reads and parses its span itself, so nothing parsed crosses processes."""

    path: str
    offset: int
    length: int
    first_line: int


class _Span:
    """A file handle that ends where a span ends (for `_json_lines`)."""

    def __init__(self, handle: IO[bytes], length: int):
        self.handle, self.left = handle, length

    def readline(self, limit: int) -> bytes:
        if self.left <= 0:
            return b""
        raw = self.handle.readline(min(limit, self.left))
        self.left -= len(raw)
        return raw


class JsonLinesFile:
    """A JSON Lines file's items, one line at a time (an iterator, as `iter_items` gives every source),
    and the same file cut into spans of whole lines, each read on its own by `read_span`: line numbers,
    origins and problems are the same either way."""

    def __init__(self, path: Path):
        self.path, self.name = path, str(path)
        self._items: Iterator[Item] | None = None
        self._lines: tuple[int | None] | None = None  # counted once: for the progress bar and for the spans

    def __iter__(self) -> "JsonLinesFile":
        return self

    def __next__(self) -> Item:
        if self._items is None:
            self._items = self._read()
        return next(self._items)

    @property
    def started(self) -> bool:
        return self._items is not None

    def _read(self) -> Iterator[Item]:
        try:
            with open(self.path, "rb") as handle:
                yield from _json_lines(handle, self.name)
        except OSError as error:
            yield _failed(self.name, self.name, f"无法读取：{error.strerror or error}", f"cannot read: {error}")

    def lines(self) -> int | None:
        """How many lines the file has; None if it is not a regular file (a FIFO is read once, by
        iterating) or cannot be read."""
        if self._lines is None:
            try:
                self._lines = (count_lines(self.path) if _regular(self.path) else None,)
            except OSError:
                self._lines = (None,)
        return self._lines[0]

    def spans(self, sizes: Iterator[int]) -> Iterator[Span] | None:
        """The file as spans of `next(sizes)` lines each, found with the C `find` of a memory map (the
        lines are not read); None if the file cannot be mapped (empty, not a regular file, unreadable)."""
        if not _regular(self.path):
            return None
        try:
            with open(self.path, "rb") as handle:
                view = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):  # ValueError: an empty file cannot be mapped
            return None
        return self._cut(view, sizes)

    def _cut(self, view: mmap.mmap, sizes: Iterator[int]) -> Iterator[Span]:
        with view:
            end, start, lines = len(view), 0, 0
            while start < end:
                stop, count = start, 0
                for count in range(1, max(1, next(sizes)) + 1):  # noqa: B007 - the count is read after the loop
                    newline = view.find(b"\n", stop)
                    stop = end if newline < 0 else newline + 1
                    if stop >= end:
                        break
                yield Span(self.name, start, stop - start, lines)
                start, lines = stop, lines + count


def read_span(span: Span) -> list[Item]:
    """The items of a span, read the way the whole file is (`JsonLinesFile`), all at once."""
    try:
        with open(span.path, "rb") as handle:
            handle.seek(span.offset)
            return list(_json_lines(_Span(handle, span.length), span.path, span.first_line))
    except OSError as error:
        return [_failed(span.path, span.path, f"无法读取：{error.strerror or error}", f"cannot read: {error}")]


def count_lines(path: Path) -> int:
    """Lines of a file (a last one without a newline counts)."""
    lines, last = 0, b"\n"
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (last != b"\n")


def _folder(folder: Path) -> Iterator[Item]:
    try:
        entries = sorted(p for p in folder.iterdir() if _suffix(p) in PROPOSAL_SUFFIXES)
    except OSError as error:
        yield _failed(str(folder), str(folder), f"无法读取文件夹：{error.strerror or error}", f"cannot read the folder: {error}")
        return
    for path in entries:
        if path.is_dir():
            continue
        if not _regular(path):
            yield _failed(str(path), str(path), "不是普通文件（如管道、设备），已跳过", "not a regular file (a FIFO, a device): skipped",
                          skipped=True)
            continue
        yield from read_document(path)


def input_files(source: Path | str) -> list[Path]:
    """The files a source reads (to refuse an output that is one of them)."""
    if str(source) == STDIN:
        return []
    path = Path(source)
    if path.is_dir():
        try:
            return [p for p in path.iterdir() if _suffix(p) in PROPOSAL_SUFFIXES]
        except OSError:
            return []
    return [path]


def count_items(source: Path | str) -> int | None:
    """How many items a source holds, for the progress bar (None if unknown cheaply)."""
    name = str(source)
    if name == STDIN:
        return None
    path = Path(source)
    try:
        if path.is_dir():
            return sum(1 for p in path.iterdir() if _suffix(p) in PROPOSAL_SUFFIXES)
        if not _regular(path):
            return None
        if _suffix(path) in STREAM_SUFFIXES:
            return max(count_lines(path) - (1 if _suffix(path) == ".csv" else 0), 0)
    except OSError:
        return None
    return None
