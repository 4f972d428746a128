"""Reading proposals from files: YAML or JSON documents, JSON Lines, CSV with dotted headers."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from zonecheck.engine.contract.proposal import FACTS

PROPOSAL_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass
class Item:
    """One proposal to screen, or the reason it could not be read."""

    origin: str  # file name, or file:line / file:row
    data: Any = None
    error: str | None = None


def read_document(path: Path) -> Item:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return Item(str(path), error=f"cannot read: {error}")
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        return Item(str(path), error=f"not valid {'JSON' if path.suffix == '.json' else 'YAML'}: {error}")
    return Item(str(path), data=data)


def _csv_value(path: str, cell: str) -> Any:
    cell = cell.strip()
    if cell == "":
        return None
    spec = FACTS.get(path)
    if spec and spec.kind == "boolean":
        lowered = cell.lower()
        if lowered in ("true", "yes", "1", "是"):
            return True
        if lowered in ("false", "no", "0", "否"):
            return False
        return cell  # let validation report it with its field path
    if spec and spec.kind == "enum_list":
        return [part.strip() for part in cell.replace("|", ";").split(";") if part.strip()]
    return cell


def _nest(row: dict[str, str]) -> dict[str, Any]:
    proposal: dict[str, Any] = {}
    for header, cell in row.items():
        if header is None:
            continue
        value = _csv_value(header, cell or "")
        if value is None:
            continue
        node = proposal
        *parents, last = header.strip().split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return proposal


def iter_items(source: Path) -> Iterator[Item]:
    """Every proposal in a folder, a .jsonl file, a .csv file, or a single document."""
    if source.is_dir():
        for path in sorted(p for p in source.iterdir() if p.suffix in PROPOSAL_SUFFIXES):
            yield read_document(path)
    elif source.suffix == ".jsonl":
        with source.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    yield Item(f"{source}:{number}", data=json.loads(line))
                except json.JSONDecodeError as error:
                    yield Item(f"{source}:{number}", error=f"not valid JSON: {error}")
    elif source.suffix == ".csv":
        with source.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            for row in reader:
                origin = f"{source}:{reader.line_num}"
                if None in row:
                    yield Item(origin, error="row has more cells than the header")
                else:
                    yield Item(origin, data=_nest(row))
    else:
        yield read_document(source)


def count_items(source: Path) -> int | None:
    """How many items a source holds, for the progress bar (None if unknown cheaply)."""
    if source.is_dir():
        return sum(1 for p in source.iterdir() if p.suffix in PROPOSAL_SUFFIXES)
    if source.suffix in (".jsonl", ".csv"):
        with source.open(encoding="utf-8") as handle:
            lines = sum(1 for line in handle if line.strip())
        return lines - (1 if source.suffix == ".csv" else 0)
    return 1
