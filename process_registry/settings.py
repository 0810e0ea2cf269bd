"""Where the toolkit keeps its data, read from the environment once per call.

``PMO_DATABASE_URL`` selects the catalogue database (SQLAlchemy URL); without it the registry uses a
SQLite file inside ``PMO_DATA_DIR``. ``PMO_DATA_DIR`` defaults to the XDG data directory, so the CLI
works from any folder; ``make run`` points it into the checkout.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path

from .errors import ValidationError

__all__ = ["DEFAULT_RETENTION_DAYS", "current_user", "data_dir", "database_url", "retention_days"]


def data_dir() -> Path:
    configured = os.environ.get("PMO_DATA_DIR")
    if configured:
        return Path(configured).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "pmo"


def database_url() -> str:
    configured = os.environ.get("PMO_DATABASE_URL")
    if configured:
        return configured
    return f"sqlite:///{data_dir() / 'pmo.sqlite3'}"


def current_user() -> str:
    """The name recorded as author and actor when no login tells us better."""
    configured = os.environ.get("PMO_USER")
    if configured:
        return configured
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unbekannt"


DEFAULT_RETENTION_DAYS = 365


def retention_days() -> int:
    """Days an imported event log is kept before the deletion job removes it (PMO_RETENTION_DAYS);
    0 makes it due on the day of the import."""
    configured = os.environ.get("PMO_RETENTION_DAYS")
    if not configured:
        return DEFAULT_RETENTION_DAYS
    try:
        days = int(configured)
    except ValueError:
        raise ValidationError(
            f"PMO_RETENTION_DAYS muss eine ganze Zahl sein, nicht „{configured}“"
        ) from None
    if days < 0:
        raise ValidationError(
            f"PMO_RETENTION_DAYS darf nicht negativ sein, nicht „{configured}“ (0 heißt: am Tag "
            "des Imports zur Löschung fällig)"
        )
    return days
