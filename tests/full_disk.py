"""Running `pmo` on storage that really fails: a file-size limit, a full tmpfs, a memory cap;
and the check that a command failed as pmo promises (exit 1, one line on stderr, no traceback).

Two ways to make writes fail without mocks:

- ``RLIMIT_FSIZE`` with ``SIGXFSZ`` ignored: every write past the limit fails with ``EFBIG``
  (a short write first, as the kernel writes up to the limit). Portable to any POSIX system, but
  it caps every file the process writes, so it fits only commands whose other files stay small.
- a size-limited tmpfs mounted in a private user and mount namespace (``unshare``): writes fail
  with ``ENOSPC`` exactly as on a full disk. The mount exists only for the command, so the folder
  is listed inside the namespace. Skipped with a message where unprivileged namespaces or tmpfs
  mounts are not permitted.
"""

from __future__ import annotations

import json
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PROJECT

__all__ = [
    "file_size_limit",
    "files_under",
    "one_line_error",
    "run_pmo_limited",
    "run_pmo_on_small_disk",
]

_MOUNT_FAILED = 97

# Runs inside the namespace: mount, optionally fill the disk, run the command, list the folder.
_LAUNCHER = r"""
import json, os, subprocess, sys
mount, size, fill, listing, *command = sys.argv[1:]
if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "pmo-test", mount]).returncode:
    sys.exit(97)
if fill == "1":
    descriptor = os.open(os.path.join(mount, ".filler"), os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while os.write(descriptor, b"\0" * 4096):
            pass
    except OSError:
        pass
    os.close(descriptor)
code = subprocess.run(command).returncode
found = {}
for root, _, names in os.walk(mount):
    for name in names:
        path = os.path.join(root, name)
        if path != os.path.join(mount, ".filler"):
            found[os.path.relpath(path, mount)] = os.path.getsize(path)
with open(listing, "w") as handle:
    json.dump(found, handle)
sys.exit(code)
"""


def file_size_limit(file_bytes: int | None, memory_bytes: int | None = None):  # type: ignore[no-untyped-def]
    """A ``preexec_fn`` that caps every file the child writes (and optionally its memory)."""

    def apply() -> None:
        if file_bytes is not None:
            # Ignored, the signal no longer kills the writer: the write fails with EFBIG instead.
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_bytes, file_bytes))
        if memory_bytes is not None:
            resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))

    return apply


def run_pmo_limited(
    *args: str,
    env: dict[str, str],
    file_bytes: int | None = None,
    memory_bytes: int | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """`pmo` with every file it writes capped at ``file_bytes`` and/or its memory capped."""
    return subprocess.run(
        [sys.executable, "-m", "pmo", *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        timeout=600,
        preexec_fn=file_size_limit(file_bytes, memory_bytes),
    )


def run_pmo_on_small_disk(
    *args: str, env: dict[str, str], mount: Path, size: int, fill: bool = False
) -> tuple[subprocess.CompletedProcess[bytes], dict[str, int]]:
    """`pmo` with ``mount`` a fresh tmpfs of ``size`` bytes (``fill``: already full).

    Returns the finished command and the files left in ``mount`` (relative path → size).
    """
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("Fall mit vollem Datenträger übersprungen: `unshare` ist nicht installiert")
    mount.mkdir(parents=True, exist_ok=True)
    listing = mount.parent / f"{mount.name}.listing.json"
    result = subprocess.run(
        [
            unshare,
            "--user",
            "--map-root-user",
            "--mount",
            sys.executable,
            "-c",
            _LAUNCHER,
            str(mount),
            str(size),
            "1" if fill else "0",
            str(listing),
            sys.executable,
            "-m",
            "pmo",
            *args,
        ],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        timeout=600,
    )
    if result.returncode == _MOUNT_FAILED or not listing.exists():
        pytest.skip(
            "Fall mit vollem Datenträger übersprungen: ein tmpfs in einem eigenen Namensraum "
            f"ist hier nicht erlaubt ({result.stderr.decode(errors='replace').strip()[:200]})"
        )
    return result, json.loads(listing.read_text(encoding="utf-8"))


def files_under(folder: Path) -> dict[str, int]:
    """The files under ``folder`` (relative path → size), for checks after a failed command."""
    if not folder.exists():
        return {}
    return {
        str(path.relative_to(folder)): path.stat().st_size
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def one_line_error(result: subprocess.CompletedProcess[bytes], *fragments: str) -> str:
    """The message of a command that failed as pmo promises: exit 1, one line, no traceback."""
    message = result.stderr.decode()
    assert result.returncode == 1, (result.returncode, message)
    assert message.startswith("Fehler: ") and "Traceback" not in message, message
    assert message.count("\n") == 1, message
    for fragment in fragments:
        assert fragment in message, message
    return message
