"""Reading files a user names, writing the office's small files atomically, and saying in German
why a file operation failed.

A path on the command line can name anything: a device that never ends (``/dev/zero``), a named
pipe that blocks until someone writes, a sparse file of terabytes. :func:`read_limited` reads
regular files only, checks the size before reading and reads at most ``limit + 1`` bytes, so a
file that grows while it is read is refused as well.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from .errors import FileRefusedError

__all__ = [
    "os_error_reason",
    "read_limited",
    "regular_file_problem",
    "sync_folder",
    "write_text_atomically",
]

_CHUNK = 1 << 20

_REASONS = {
    errno.ENOSPC: "kein Speicherplatz mehr frei",
    errno.EDQUOT: "Speicherkontingent (Quota) erschöpft",
    errno.EFBIG: "Datei überschreitet die zulässige Dateigröße",
    errno.EROFS: "Dateisystem ist schreibgeschützt",
    errno.EACCES: "keine Berechtigung",
    errno.EPERM: "keine Berechtigung",
    errno.ENOENT: "Ordner oder Datei nicht gefunden",
    errno.ENOTDIR: "ein Teil des Pfads ist kein Ordner",
    errno.EISDIR: "ist ein Verzeichnis",
    errno.EIO: "Ein-/Ausgabefehler des Datenträgers",
    errno.ENAMETOOLONG: "Dateiname zu lang",
}


def os_error_reason(err: OSError) -> str:
    """Why ``err`` happened, in German, for a message that already names the file."""
    if err.errno in _REASONS:
        return _REASONS[err.errno]
    return err.strerror or str(err) or type(err).__name__


def _mib(size: int) -> str:
    return f"{size / (1 << 20):.1f}".replace(".", ",")


def _kind(mode: int) -> str | None:
    """What a file that is not a regular file is, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "ist ein Verzeichnis, keine Datei"
    if stat.S_ISFIFO(mode):
        return "ist eine benannte Pipe (FIFO), keine gewöhnliche Datei"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "ist eine Gerätedatei, keine gewöhnliche Datei"
    if stat.S_ISSOCK(mode):
        return "ist ein Socket, keine gewöhnliche Datei"
    return "ist keine gewöhnliche Datei"


def _refused(path: str | os.PathLike[str], reason: str) -> FileRefusedError:
    return FileRefusedError(reason, source=os.fspath(path))


def _too_large(size: int | None, limit: int) -> str:
    shown = f" ({_mib(size)} MiB)" if size is not None else ""
    return f"Die Datei ist zu groß{shown}; erlaubt sind höchstens {_mib(limit)} MiB."


def _open_error(err: OSError) -> str:
    if isinstance(err, FileNotFoundError):
        return "Datei nicht gefunden."
    if isinstance(err, PermissionError):
        return "keine Leseberechtigung."
    if isinstance(err, IsADirectoryError):
        return "ist ein Verzeichnis, keine Datei."
    return f"kann nicht gelesen werden ({os_error_reason(err)})."


def regular_file_problem(path: str | os.PathLike[str]) -> str | None:
    """Why ``path`` cannot be read as a file (missing, unreadable, a device, a pipe, a folder),
    or None for a regular file. For files read in streams, with no size limit of their own."""
    try:
        kind = _kind(os.stat(path).st_mode)
    except OSError as err:
        return _open_error(err)
    if kind is not None:
        return kind + "."
    if not os.access(path, os.R_OK):
        return "keine Leseberechtigung."
    return None


def read_limited(path: str | os.PathLike[str], *, limit: int) -> bytes:
    """The bytes of the regular file ``path``, or :class:`FileRefusedError` saying why not.

    Refused without reading: a missing or unreadable file, anything but a regular file (device,
    pipe, directory, socket), and a file whose size exceeds ``limit``.
    """
    try:
        # stat() first: opening a device or a pipe can block or have side effects.
        kind = _kind(os.stat(path).st_mode)
    except OSError as err:
        raise _refused(path, _open_error(err)) from None
    if kind is not None:
        raise _refused(path, kind + ".")
    try:
        # O_NONBLOCK: should the path have become a pipe since stat(), open() must not wait.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as err:
        raise _refused(path, _open_error(err)) from None
    with os.fdopen(descriptor, "rb", buffering=0) as handle:
        try:
            status = os.fstat(descriptor)
            kind = _kind(status.st_mode)
            if kind is not None:
                raise _refused(path, kind + ".")
            if status.st_size > limit:
                raise _refused(path, _too_large(status.st_size, limit))
            data = _read_at_most(handle, limit + 1)
        except OSError as err:
            raise _refused(path, f"kann nicht gelesen werden ({os_error_reason(err)}).") from None
    if len(data) > limit:
        raise _refused(path, _too_large(None, limit))  # it grew while being read
    return data


def _read_at_most(handle, size: int) -> bytes:  # type: ignore[no-untyped-def]
    chunks: list[bytes] = []
    remaining = size
    while remaining > 0:
        chunk = handle.read(min(remaining, _CHUNK))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def sync_folder(folder: str | os.PathLike[str]) -> None:
    """Make a new or renamed entry in ``folder`` durable (best effort: not every file system
    syncs folders, and the file's own content is already synced by then)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def write_text_atomically(
    path: str | os.PathLike[str], text: str, *, check: Callable[[Path], None] | None = None
) -> None:
    """Write ``text`` to ``path`` through a temporary file beside it; ``check(tmp_path)`` may refuse
    it first (by raising), and then the old file stays as it was. Settings and assumption files
    are read by every command: a reader sees the old file or the new one, never half of one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", delete=False
    )
    try:
        with handle:
            handle.write(text)
        if check is not None:
            check(Path(handle.name))
        os.replace(handle.name, path)
    finally:
        Path(handle.name).unlink(missing_ok=True)
