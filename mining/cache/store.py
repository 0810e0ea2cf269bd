"""Analyses kept on disk beside the logs they were computed from: ``<data>/analyses/<log id>/``.

One file per entry, named by its key (:func:`mining.cache.digest` of everything the entry
depends on), so an entry is never changed, only written once and removed with its log. Writes go
to a temporary file first and are moved into place (``os.replace``): a reader sees a whole entry
or none, and two processes writing the same entry write the same bytes. An entry that cannot be
read (cut off by a full disk, edited by hand, from an older layout) is a miss, never an error.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mining.cache.codec import dumps, loads

__all__ = ["AnalysisCache"]

log = logging.getLogger(__name__)

FOLDER = "analyses"
_SUFFIX = ".json"
# Log ids and keys are plain names; anything else is never turned into a path.
_NAME = re.compile(r"[A-Za-z0-9_-]+")
# Entries kept per log (filter combinations of the Analyse page add up): the oldest go first.
MAX_ENTRIES_PER_LOG = 256


class AnalysisCache:
    """The stored analyses of one installation (``data_dir`` as for :class:`mining.LogStore`).

    It knows files, not logs: whoever reads an entry checks first that its log is still stored
    (:func:`mining.analyze_stored` does), and whoever deletes a log calls :meth:`forget`."""

    def __init__(self, data_dir: Path) -> None:
        self.folder = Path(data_dir) / FOLDER

    def _path(self, log_id: str, key: str) -> Path:
        if not (_NAME.fullmatch(log_id) and _NAME.fullmatch(key)):
            raise ValueError(f"not a log id and key: {log_id!r}, {key!r}")
        return self.folder / log_id / f"{key}{_SUFFIX}"

    def read(self, log_id: str, key: str) -> Any | None:
        """The entry, or None when there is none or it cannot be read."""
        path = self._path(log_id, key)
        try:
            return loads(path.read_bytes())
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as err:
            log.warning("stored analysis %s unreadable, recomputed: %s", path.name, err)
            return None

    def write(self, log_id: str, key: str, value: Any) -> bool:
        """Store ``value``; False (and nothing written) when it cannot be stored as it is or the
        disk refuses: the caller has the value anyway, the next one computes it again."""
        path = self._path(log_id, key)
        try:
            data = dumps(value)
        except (TypeError, ValueError) as err:
            log.warning("analysis not stored: %s", err)
            return False
        temporary = path.with_name(f".{path.stem}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(data)
            os.replace(temporary, path)
        except OSError as err:
            temporary.unlink(missing_ok=True)
            log.warning("analysis not stored: %s", err)
            return False
        self._prune(path.parent)
        return True

    def _prune(self, folder: Path) -> None:
        try:
            entries = [p for p in folder.iterdir() if p.suffix == _SUFFIX]
            if len(entries) <= MAX_ENTRIES_PER_LOG:
                return
            entries.sort(key=lambda p: p.stat().st_mtime)
            for old in entries[: len(entries) - MAX_ENTRIES_PER_LOG]:
                old.unlink(missing_ok=True)
        except OSError:
            return  # another process pruned or removed the folder meanwhile

    def forget(self, log_id: str) -> None:
        """Remove every stored analysis of ``log_id`` (its log is being deleted)."""
        if _NAME.fullmatch(log_id):
            shutil.rmtree(self.folder / log_id, ignore_errors=True)

    def log_ids(self) -> list[str]:
        """The logs that have stored analyses."""
        if not self.folder.is_dir():
            return []
        return [p.name for p in self.folder.iterdir() if p.is_dir() and _NAME.fullmatch(p.name)]

    def keep_only(self, log_ids: Iterable[str], listed: Iterable[str] | None = None) -> list[str]:
        """Forget the analyses of every log not in ``log_ids`` (among ``listed``, default: all
        stored now); returns the ids forgotten."""
        keep = set(log_ids)
        gone = [i for i in (self.log_ids() if listed is None else listed) if i not in keep]
        for log_id in gone:
            self.forget(log_id)
        return gone
