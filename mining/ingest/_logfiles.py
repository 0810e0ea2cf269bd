"""Names and owners of the files in ``PMO_DATA_DIR/logs``, and whether their writer still runs.

A log's events file is ``<log_id>.parquet``. While an import writes it, it is a staging file
``.incoming-<host>-<pid>-<random>.parquet`` (imports before issue 18 also wrote
``….unordered.parquet`` during the sort) whose name says which process on which host writes
it; the catalogue row of a pending import names the same writer as ``<host>:<pid>``. Only a
writer on this host that no longer runs counts as gone: one on another host, or a live process
(even a later one that reuses the pid), is left alone.
"""

from __future__ import annotations

import os
import re
import socket
import uuid
from pathlib import Path

__all__ = [
    "STAGING_PREFIX",
    "fsync_file",
    "fsync_folder",
    "staging_name",
    "staging_writer",
    "this_writer",
    "writer_gone",
]

STAGING_PREFIX = ".incoming-"


def _host() -> str:
    # A file-name-safe form of the host name; ':' separates it from the pid in the writer.
    return re.sub(r"[^A-Za-z0-9._-]", "_", socket.gethostname()) or "unbekannt"


def this_writer() -> str:
    """The writer name of this process: ``<host>:<pid>``."""
    return f"{_host()}:{os.getpid()}"


def staging_name(writer: str) -> str:
    host, pid = writer.rsplit(":", 1)
    return f"{STAGING_PREFIX}{host}-{pid}-{uuid.uuid4().hex}.parquet"


def staging_writer(name: str) -> str | None:
    """The writer named by a staging file name; None for a name that is not one."""
    if not name.startswith(STAGING_PREFIX):
        return None
    parts = name[len(STAGING_PREFIX) :].rsplit("-", 2)
    if len(parts) == 2:  # ".incoming-<pid>-<random>": written before names carried the host
        parts = [_host(), *parts]
    host, pid = parts[0], parts[1]
    return f"{host}:{pid}" if pid.isdigit() else None


def writer_gone(writer: str | None) -> bool:
    """Whether ``writer`` is a process on this host that no longer runs."""
    host, _, pid = (writer or "").rpartition(":")
    if host != _host() or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError):
        return False  # it runs under another user (or is no pid at all): never ours to judge
    return False


def fsync_file(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable before the catalogue says the file is there."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
