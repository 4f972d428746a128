"""Rule-pack versions kept with their files, so every stored verdict can be traced to (and re-screened
with) the exact pack and zone profile that decided it, after the files on disk have changed."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from zonecheck.engine.pack.model import Pack
from zonecheck.service.store.audit import append
from zonecheck.service.store.models import Blob, PackFile, PackRecord

PACK_SUFFIXES = (".yaml", ".yml", ".csv")


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
