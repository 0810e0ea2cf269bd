"""What the benchmark's runners share: the project folder, the machine, the generated logs."""

from __future__ import annotations

import json
import os
import platform
import time
from importlib import metadata
from pathlib import Path

from bench.generate import VERSION, generate_log

__all__ = ["PROJECT", "cached_log", "machine", "read_through", "shown"]

PROJECT = Path(__file__).resolve().parent.parent


def machine() -> dict:
    """Where the numbers were measured."""
    info: dict = {
        "cpu_count": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }
    for package in ("pm4py", "duckdb", "pandas", "pyarrow", "numpy"):
        try:
            info[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            info[package] = None
    return info


def _cpu_model() -> str | None:
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return platform.processor() or None
    return next(
        (line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), None
    )


def cached_log(
    data_dir: Path, size: int, seed: int, noise: float = 0.0, style: str = "en"
) -> tuple[Path, dict, float | None]:
    """The generated log of ``size`` events, its counts, and the seconds it took (None = reused)."""
    kind = "wohngeld" if style == "en" else f"wohngeld-{style}"
    name = f"{kind}-v{VERSION}-{size}-seed{seed}" + (f"-noise{noise:g}" if noise else "")
    csv_path, counts_path = data_dir / f"{name}.csv", data_dir / f"{name}.json"
    if csv_path.is_file() and counts_path.is_file():
        return csv_path, json.loads(counts_path.read_text()), None
    data_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    counts = generate_log(csv_path, events=size, noise=noise, seed=seed, style=style)
    seconds = time.perf_counter() - started
    counts_path.write_text(json.dumps(counts) + "\n")
    return csv_path, counts, seconds


def shown(path: Path) -> str:
    """``path`` relative to the project when it lies inside: the results file names no folder of
    the machine it was measured on. The sides run in the project folder, so they open it alike."""
    try:
        return str(path.resolve().relative_to(PROJECT))
    except ValueError:
        return str(path)


def read_through(path: Path) -> None:
    """Read ``path`` once, untimed, so that the side measured next finds it in the page cache.

    Each side runs in a process of its own, one after the other, and the DuckDB scan (the
    import's yardstick) runs last, inside pmo's side: without this the first reader of a file
    that larger logs pushed out of memory pays for the disk, and the others do not."""
    with path.open("rb") as stream:
        while stream.read(1 << 24):
            pass
