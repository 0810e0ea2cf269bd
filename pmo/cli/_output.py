"""Output files of the CLI (reports, exports, discovered models): whole or not at all.

The content goes to a temporary file beside the target, is synced, and only then replaces the
target. Whatever fails before (a full disk, a quota, a file-size limit, a failed fsync on a
network share) removes the temporary file and leaves an existing target as it was.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from types import TracebackType

from process_registry import os_error_reason, sync_folder

__all__ = ["OutputError", "StagedOutput", "write_atomically"]


class OutputError(Exception):
    """An output file that cannot be written; the message names it and says why."""


class StagedOutput:
    """One output file, staged until :meth:`publish`; leaving the ``with`` block unpublished
    removes what was staged.

    :meth:`write` may be called again (a database transaction that is retried renders again);
    the last content wins.
    """

    def __init__(self, target: str | os.PathLike[str]) -> None:
        self.target = Path(target)
        self._staged: Path | None = None

    def __enter__(self) -> StagedOutput:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._discard()

    def write(self, data: bytes) -> None:
        self._discard()
        folder = self.target.parent
        try:
            descriptor, name = tempfile.mkstemp(
                dir=folder, prefix=f".{self.target.name}.", suffix=".tmp"
            )
        except OSError as err:
            raise self._error(err) from None
        self._staged = Path(name)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as err:
            self._discard()
            raise self._error(err) from None

    def publish(self) -> None:
        """Replace the target by the staged content."""
        if self._staged is None:
            raise RuntimeError("nothing staged")
        try:
            os.replace(self._staged, self.target)
        except OSError as err:
            self._discard()
            raise self._error(err) from None
        self._staged = None
        sync_folder(self.target.parent)

    def _discard(self) -> None:
        if self._staged is not None:
            try:
                self._staged.unlink(missing_ok=True)
            except OSError:
                pass  # nothing left to try; the name marks it as a leftover temporary file
            self._staged = None

    def _error(self, err: OSError) -> OutputError:
        return OutputError(
            f"{self.target}: kann nicht geschrieben werden ({os_error_reason(err)})."
        )


def write_atomically(target: str | os.PathLike[str], data: bytes) -> None:
    with StagedOutput(target) as output:
        output.write(data)
        output.publish()
