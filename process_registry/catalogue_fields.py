"""The catalogue fields a process manager edits, and how each value is checked and normalised.

Shared by every registry module that writes catalogue data (registry, Stammprozess import,
local processes), so a value is validated the same way whichever path it takes.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from .catalogue import ProcessStatus, normalize_leika_key
from .errors import ValidationError

__all__ = ["CATALOGUE_FIELDS", "clean_catalogue", "same_clock_step", "slugify", "valid_key"]

# Fields a process manager may edit; everything else is derived or historical.
CATALOGUE_FIELDS: tuple[str, ...] = (
    "name",
    "department",
    "owner",
    "leika_key",
    "ozg_service",
    "ozg_maturity_level",
    "ozg_maturity_scale",
    "legal_basis",
    "annual_case_volume",
    "legal_deadline_days",
    "deadline_starts_with",
    "deadline_ends_with",
    "status",
    "valid_from",
    "valid_until",
    "resubmission_date",
    "tags",
    "description",
)
_DATE_FIELDS = {"valid_from", "valid_until", "resubmission_date"}
_INT_FIELDS = {"ozg_maturity_level", "annual_case_volume", "legal_deadline_days"}
_REQUIRED_TEXT = {"name", "department"}
# Activity names as the event log spells them (the columns hold 300 characters).
_ACTIVITY_FIELDS = {"deadline_starts_with", "deadline_ends_with"}
_ACTIVITY_LENGTH = 300
_KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
_TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def slugify(text: str) -> str:
    """A stable process key from a German service name: "Hundesteuer-Anmeldung" → "hundesteuer-anmeldung"."""
    lowered = text.strip().lower().translate(_TRANSLITERATION)
    ascii_only = unicodedata.normalize("NFKD", lowered).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-")[:100]


def valid_key(key: str) -> str:
    """``key`` if it can name a process; raises :class:`ValidationError` saying what is allowed."""
    if not _KEY_PATTERN.match(key):
        raise ValidationError(
            f"Schlüssel „{key}“ ist ungültig: Kleinbuchstaben, Ziffern, „-“, „_“ oder „.“."
        )
    return key


def clean_catalogue(values: Mapping[str, Any]) -> dict[str, Any]:
    """Validated, normalised catalogue values; raises :class:`ValidationError` naming the field."""
    unknown = set(values) - set(CATALOGUE_FIELDS)
    if unknown:
        raise ValidationError(f"Unbekannte Katalogfelder: {', '.join(sorted(unknown))}.")
    cleaned: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, str):
            value = value.strip() or None
        if name in _REQUIRED_TEXT and not value:
            raise ValidationError(f"Das Feld „{name}“ darf nicht leer sein.")
        if name == "status" and value is not None:
            value = ProcessStatus.parse(value).value
        elif name == "leika_key":
            value = normalize_leika_key(value)
        elif name in _INT_FIELDS and value is not None:
            try:
                value = int(value)
            except (TypeError, ValueError):
                raise ValidationError(
                    f"„{name}“ muss eine ganze Zahl sein, nicht „{value}“."
                ) from None
            if value < 0:
                raise ValidationError(f"„{name}“ darf nicht negativ sein.")
        elif name in _DATE_FIELDS and value is not None and not isinstance(value, dt.date):
            try:
                value = dt.date.fromisoformat(str(value))
            except ValueError:
                raise ValidationError(
                    f"„{name}“: „{value}“ ist kein Datum im Format JJJJ-MM-TT."
                ) from None
        elif name in _ACTIVITY_FIELDS and value is not None:
            if not isinstance(value, str):
                raise ValidationError(f"„{name}“ ist der Name eines Schritts, kein „{value}“.")
            if len(value) > _ACTIVITY_LENGTH:
                raise ValidationError(
                    f"„{name}“ ist länger als {_ACTIVITY_LENGTH} Zeichen ({len(value)})."
                )
        elif name == "tags":
            value = sorted({str(t).strip() for t in (value or []) if str(t).strip()})
        cleaned[name] = value
    starts, ends = cleaned.get("deadline_starts_with"), cleaned.get("deadline_ends_with")
    if starts and starts == ends:
        same_clock_step(starts)
    return cleaned


def same_clock_step(activity: str) -> None:
    # The clock starts with the step's last occurrence, so the same step could never stop it.
    raise ValidationError(
        f"Fristbeginn und Fristende dürfen nicht derselbe Schritt sein („{activity}“)."
    )
