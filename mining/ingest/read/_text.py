"""Small helpers for German user messages."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["de_int", "listed", "mib"]


def de_int(value: int) -> str:
    """``1234567`` → ``1.234.567`` (German thousands separator)."""
    return f"{value:,}".replace(",", ".")


def mib(size: int) -> str:
    """Bytes as MiB with a decimal comma, e.g. ``10,0``."""
    return f"{size / (1024 * 1024):.1f}".replace(".", ",")


def listed(lines: Sequence[int], limit: int = 20, *, total: int | None = None) -> str:
    """``3, 5, 9 und 12 weitere`` – the first ``limit`` numbers of ``total`` (default: all)."""
    count = len(lines) if total is None else total
    shown = ", ".join(str(n) for n in lines[:limit])
    if count > min(limit, len(lines)):
        shown += f" und {de_int(count - min(limit, len(lines)))} weitere"
    return shown
