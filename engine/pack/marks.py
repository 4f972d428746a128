"""Pack files read with the line of every value: YAML through PyYAML's node tree (the C parser when
available), tables as UTF-8 text. Errors are `PackError`s, `file:line: reason`."""

from __future__ import annotations

import codecs
import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Loc = tuple[Any, ...]  # a path into a document: mapping keys and sequence indexes

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class PackError(ValueError):
    """A malformed pack: where (file:line) and why."""

    def __init__(self, where: str, reason: str):
        super().__init__(f"{where}: {reason}")
        self.where = where
        self.reason = reason


class _DuplicateKey(yaml.MarkedYAMLError):
    pass


class MarkedLoader(_Base):  # type: ignore[misc,valid-type]
    """A safe loader that refuses duplicate keys (at the repeated key's mark) and keeps an impossible
    date as text, so the pack's own checks report it with its line."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[tuple[str, str]] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key = (key_node.tag, key_node.value)
                if key in seen:
                    raise _DuplicateKey(problem=f"duplicate key {self.construct_object(key_node)!r}",
                                        problem_mark=key_node.start_mark)
                seen.add(key)
        return super().construct_mapping(node, deep)  # type: ignore[no-any-return]

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


MarkedLoader.add_constructor("tag:yaml.org,2002:timestamp", MarkedLoader.construct_yaml_timestamp)


@dataclass
class Document:
    """One parsed YAML file: its data and the node tree that knows every line."""

    display: str
    data: Any
    root: yaml.Node | None
    _keys: dict[int, dict[str, tuple[yaml.Node, yaml.Node]]] = field(default_factory=dict, repr=False)

    def line(self, loc: Loc) -> int:
        """The line of `loc`: of its key when the last step is a mapping key, of the item when it is a
        sequence index; a step that is not in the file (a missing field) stops at its parent. A field
        step at a sequence is passed over (a zone parameter's rows may be written as the list alone)."""
        node = self.root
        if node is None:
            return 1
        line = node.start_mark.line + 1
        for step in loc:
            if isinstance(node, yaml.MappingNode):
                entries = self._keys.get(id(node))
                if entries is None:
                    entries = self._keys[id(node)] = {
                        str(k.value): (k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode)}
                found = entries.get(str(step))
                if found is None:
                    break
                line, node = found[0].start_mark.line + 1, found[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
                node = node.value[step]
                line = node.start_mark.line + 1
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, str):
                continue
            else:
                break
        return line

    def at(self, loc: Loc) -> str:
        return f"{self.display}:{self.line(loc)}"


@dataclass(frozen=True)
class At:
    """Where a value came from: a document and a path in it (the line is looked up only on error), or
    a fixed `file:line` (a table row)."""

    document: Document | None
    loc: Loc = ()
    fixed: str = ""

    def __truediv__(self, step: Any) -> "At":
        return At(self.document, (*self.loc, step), self.fixed) if self.document else self

    @property
    def where(self) -> str:
        return self.document.at(self.loc) if self.document else self.fixed

    def fail(self, reason: str) -> PackError:
        return PackError(self.where, reason)


def _read(path: Path, display: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise PackError(f"{display}:1", f"cannot read: {error.strerror or error}") from None


def _decode(data: bytes, display: str, bom_allowed: bool) -> str:
    if data.startswith(codecs.BOM_UTF8) and not bom_allowed:
        raise PackError(f"{display}:1", "the file starts with a byte-order mark (BOM): save it as UTF-8 without BOM")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        reason = f"not UTF-8 (byte 0x{data[error.start]:02x}): save the file as UTF-8"
        raise PackError(f"{display}:{line}", reason) from None


def read_yaml(path: Path, display: str) -> Document:
    return _parse(_read(path, display), display)


@functools.lru_cache(maxsize=64)
def _parse(data: bytes, display: str) -> Document:
    """Parsing is most of a load's time and the suite loads the same files many times: a file's
    document is kept by content (the loader never changes what it reads)."""
    loader = MarkedLoader(_decode(data, display, bom_allowed=True))
    try:
        root = loader.get_single_node()
        content = None if root is None else loader.construct_document(root)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        reason = error.problem if isinstance(error, _DuplicateKey) else f"YAML syntax: {error.problem or error}"
        raise PackError(f"{display}:{line}", str(reason)) from None
    except yaml.YAMLError as error:
        raise PackError(f"{display}:1", f"YAML syntax: {error}") from None
    finally:
        loader.dispose()
    return Document(display, content, root)


def read_table_text(path: Path, display: str) -> str:
    """A table's text: UTF-8 without BOM (a BOM would become part of the first column's name)."""
    return _decode(_read(path, display), display, bom_allowed=False)


def as_json(value: Any) -> Any:
    """Loaded YAML as JSON would hold it (dates as ISO text): what the published JSON Schema checks."""
    if isinstance(value, dict):
        return {str(k): as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value
