"""Writing results without ever losing data: a unique temporary file in the target folder, fsync, then an
atomic rename. The temporary file is removed on any error and on SIGINT/SIGTERM; the previous output stays
untouched until the new one is whole. `-` is standard output. Two runs to one target each write their own
temporary file, so the target is always one run's whole result, never a mix.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

STDOUT = "-"


class OutputError(Exception):
    """The output cannot be written; `zh` and `en` say why (the CLI exits 2)."""

    def __init__(self, zh: str, en: str):
        super().__init__(en)
        self.zh, self.en = zh, en

    def text(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh


def check_target(target: str | Path, inputs: Iterable[str | Path] = ()) -> None:
    """Refuse an output that is a folder, a device or another non-regular file, or one of the run's inputs."""
    if str(target) == STDOUT:
        return
    path = Path(target)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise OutputError(f"无法使用输出路径 {path}：{error.strerror}", f"cannot use output {path}: {error.strerror}") from None
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise OutputError(f"输出路径 {path} 是文件夹，请给出文件名", f"output {path} is a folder; name a file")
        if not stat.S_ISREG(info.st_mode):
            raise OutputError(f"输出路径 {path} 不是普通文件（设备、管道等）；写到标准输出请用 --out -",
                              f"output {path} is not a regular file (a device, a FIFO); use --out - for standard output")
        for source in inputs:
            with contextlib.suppress(OSError):
                if os.path.samefile(path, source):
                    raise OutputError(f"输出文件 {path} 是本次的输入，不能覆盖", f"output {path} is an input of this run")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"输出文件夹 {folder} 不存在", f"output folder {folder} does not exist")


class _Signalled(BaseException):
    """SIGINT or SIGTERM while writing: unwinds like KeyboardInterrupt so the temporary file is removed."""


class _Guarded:
    """The output handle, checking for a pending signal before each write. Signals are acted on here, between
    writes, rather than wherever the interpreter happens to be (raising inside a finalizer is only printed
    as "Exception ignored" and lost)."""

    def __init__(self, handle: IO[bytes], pending: list[int]):
        self._handle = handle
        self._pending = pending

    def write(self, data: bytes) -> int:
        if self._pending:
            raise _Signalled(self._pending[0])
        return self._handle.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)


@contextlib.contextmanager
def _signals_between_writes() -> Iterator[list[int]]:
    """SIGINT and SIGTERM become pending, acted on at the next write; a second one acts at once."""
    pending: list[int] = []

    def handler(signum: int, frame: Any) -> None:
        if pending:  # asked twice: do not wait for the next write
            raise _Signalled(signum)
        pending.append(signum)

    try:
        previous = {number: signal.signal(number, handler) for number in (signal.SIGINT, signal.SIGTERM)}
    except ValueError:  # not the main thread: the caller handles signals
        yield pending
        return
    try:
        yield pending
    finally:
        for number, old in previous.items():
            signal.signal(number, old)


@contextlib.contextmanager
def atomic_output(target: str | Path, inputs: Iterable[str | Path] = ()) -> Iterator[IO[bytes]]:
    """A binary handle whose content becomes `target` only when the block ends without error.

    On an error, SIGINT or SIGTERM the temporary file is removed and the previous `target` is untouched;
    write errors (full disk, no permission) raise OutputError. A signal exits with status 128 + its number
    (130 for SIGINT, 143 for SIGTERM).
    """
    if str(target) == STDOUT:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    check_target(target, inputs)
    path = Path(target)
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent if str(path.parent) else ".")
    except OSError as error:
        raise _write_error(path, error) from None
    try:
        with _signals_between_writes() as pending:
            try:
                with os.fdopen(fd, "wb") as handle:
                    yield _Guarded(handle, pending)  # type: ignore[misc]
                    handle.flush()
                    os.fsync(handle.fileno())
                if pending:  # a signal during the last write or the flush: still nothing replaced
                    raise _Signalled(pending[0])
                _keep_mode(path, temporary)
                os.replace(temporary, path)
            except OSError as error:
                raise _write_error(path, error) from None
        _sync_folder(path.parent)
    except _Signalled as signalled:
        _remove(temporary)
        raise SystemExit(128 + signalled.args[0]) from None
    except BaseException:
        _remove(temporary)
        raise


def _keep_mode(path: Path, temporary: str) -> None:
    """The new file keeps the old one's permissions (mkstemp makes it 0600), else the umask default."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(temporary, mode)


def _sync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder if str(folder) else ".", os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _remove(temporary: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temporary)


def _write_error(path: Path, error: OSError) -> OutputError:
    import errno

    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return OutputError(f"磁盘已满，无法写入 {path}；原有文件未改动", f"disk full: cannot write {path}; the previous file is untouched")
    if error.errno == errno.EFBIG:
        return OutputError(f"文件超过系统允许的大小，无法写入 {path}；原有文件未改动",
                           f"file too large for the system's limit: cannot write {path}; the previous file is untouched")
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return OutputError(f"没有权限写入 {path}", f"no permission to write {path}")
    return OutputError(f"无法写入 {path}：{error.strerror}；原有文件未改动",
                       f"cannot write {path}: {error.strerror}; the previous file is untouched")
