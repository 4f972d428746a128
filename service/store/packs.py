"""Rule-pack versions kept with their files, so every stored verdict can be traced to (and re-screened
with) the exact pack and zone profile that decided it, after the files on disk have changed."""

from __future__ import annotations

import atexit
import hashlib
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zonecheck.engine.pack.loader import load_pack
from zonecheck.engine.pack.model import Pack
from zonecheck.service.store.audit import append
from zonecheck.service.store.db import Database
from zonecheck.service.store.models import Blob, PackFile, PackRecord

PACK_SUFFIXES = (".yaml", ".yml", ".csv")


class PackUnavailable(LookupError):
    """A stored verdict names a pack or zone-profile version the packs table does not keep (or whose
    kept files no longer rebuild it): the verdict cannot be rendered until an operator restores it."""

    def __init__(self, pack_hash: str, zone_hash: str, why: str) -> None:
        super().__init__(f"pack {pack_hash}, zone profile {zone_hash}: {why}")
        self.pack_hash, self.zone_hash = pack_hash, zone_hash


@dataclass(frozen=True)
class Snapshot:
    """One pack or zone-profile version: its hash and files (path relative to the rules folder -> bytes)."""

    hash: str
    pack_id: str
    version: str
    files: dict[str, bytes]


def _hash(files: dict[str, bytes], prefix: str) -> str:
    """The loader's content hash (engine/pack/loader.py `_hash_files`), from the bytes read here."""
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.removeprefix(prefix).encode() + b"\0" + files[path] + b"\0")
    return "sha256:" + digest.hexdigest()


def snapshot(pack: Pack) -> list[Snapshot]:
    """The pack's files and each zone profile's, read once when the pack is compiled. A snapshot whose
    bytes no longer give the hash the engine computed (the files changed in between) is left out."""
    root = Path(pack.root)
    rules = root.parent
    files = {p.relative_to(rules).as_posix(): p.read_bytes()
             for p in sorted(root.rglob("*")) if p.is_file() and p.suffix in PACK_SUFFIXES}
    found = []
    if _hash(files, root.name + "/") == pack.hash:
        found.append(Snapshot(pack.hash, pack.id, pack.version, files))
    for zone in pack.zones.values():
        path = rules / "zones" / f"{zone.id}.yaml"
        if path.is_file():
            one = {f"zones/{path.name}": path.read_bytes()}
            if _hash(one, "zones/") == zone.hash:
                found.append(Snapshot(zone.hash, f"zone:{zone.id}", "", one))
    return found


def store(session: Session, snap: Snapshot, actor: str) -> bool:
    """Keep a snapshot unless it is kept already (inside the writers' transaction); True if new."""
    if session.get(PackRecord, snap.hash) is not None:
        return False
    session.add(PackRecord(hash=snap.hash, pack_id=snap.pack_id, version=snap.version))
    for path, content in snap.files.items():
        digest = "sha256:" + hashlib.sha256(content).hexdigest()
        if session.get(Blob, digest) is None:
            session.add(Blob(digest=digest, content=content))
            session.flush()
        session.add(PackFile(pack_hash=snap.hash, path=path, blob=digest))
    session.flush()
    append(session, "pack.stored", snap.hash, actor, {"pack_id": snap.pack_id, "version": snap.version,
                                                       "files": len(snap.files)})
    return True


def stored_files(session: Session, pack_hash: str) -> dict[str, bytes] | None:
    """A stored version's files (path relative to the rules folder -> bytes), None if not kept."""
    if session.get(PackRecord, pack_hash) is None:
        return None
    rows = session.execute(select(PackFile.path, Blob.content).join(Blob, PackFile.blob == Blob.digest)
                           .where(PackFile.pack_hash == pack_hash)).all()
    return {path: bytes(content) for path, content in rows}


class Shelf:
    """The pack a stored verdict is rendered with: the compiled pack in memory when its hash (and the
    verdict's zone profile's) match, else that version rebuilt from the files the packs table keeps,
    written once to a private temp folder and loaded there (cached by hash). So a stored verdict renders
    the same bytes after the files on disk have changed."""

    def __init__(self, database: Database, current: Pack) -> None:
        self.database = database
        self.current = current
        self._rebuilt: dict[tuple[str, str], Pack] = {}
        self._lock = threading.Lock()
        self._folder: str | None = None

    def pack_for(self, structured: dict[str, Any]) -> Pack:
        pack_hash, zone = structured["pack"]["hash"], structured["zone"]
        here = self.current.zones.get(zone["id"])
        if pack_hash == self.current.hash and here is not None and here.hash == zone["hash"]:
            return self.current
        key = (pack_hash, zone["hash"])
        with self._lock:  # one rebuild per version, however many requests ask at once
            found = self._rebuilt.get(key)
            if found is None:  # a failure is not cached: the operator may restore the rows meanwhile
                found = self._rebuilt[key] = self._rebuild(pack_hash, zone["id"], zone["hash"])
            return found

    def _rebuild(self, pack_hash: str, zone_id: str, zone_hash: str) -> Pack:
        with self.database.reading() as session:
            pack_files = stored_files(session, pack_hash)
            zone_files = stored_files(session, zone_hash)
        if not pack_files or not zone_files:
            raise PackUnavailable(pack_hash, zone_hash, "not kept in the database")
        try:
            return self._load(pack_files, zone_files, pack_hash, zone_id, zone_hash)
        except PackUnavailable:
            raise
        except Exception as error:  # kept files that no longer load (changed rows, a full disk)
            raise PackUnavailable(pack_hash, zone_hash, f"cannot be rebuilt: {error}") from error

    def _load(self, pack_files: dict[str, bytes], zone_files: dict[str, bytes], pack_hash: str, zone_id: str,
              zone_hash: str) -> Pack:
        if self._folder is None:
            self._folder = tempfile.mkdtemp(prefix="zonecheck-packs-")  # private (0700); removed at exit
            atexit.register(shutil.rmtree, self._folder, True)
        rules = Path(self._folder) / f"{pack_hash.removeprefix('sha256:')[:16]}-{zone_hash.removeprefix('sha256:')[:16]}" / "rules"
        for path, content in {**pack_files, **zone_files}.items():
            target = rules / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        pack_dir = next(iter(pack_files)).split("/")[0]
        pack = load_pack(rules / pack_dir)
        if pack.hash != pack_hash or zone_id not in pack.zones or pack.zones[zone_id].hash != zone_hash:
            raise PackUnavailable(pack_hash, zone_hash, f"rebuilt from the database it gives {pack.hash}")
        return pack
