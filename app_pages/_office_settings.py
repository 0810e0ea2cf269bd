"""The office-wide workspace settings file (``SETTINGS_FILE`` in ``PMO_DATA_DIR``): checked, then
written atomically. No Streamlit here: the page only reads widgets and shows the result."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from mining import toml_text, write_toml

__all__ = ["PERSONALRAT_THRESHOLD", "SettingsError", "checked_settings", "save_office_settings"]

# Below this many people an org-unit figure comes close to judging individuals: the Personalrat
# has to agree to a smaller minimum group size.
PERSONALRAT_THRESHOLD = 5


class SettingsError(ValueError):
    """A setting the workspace cannot use; the message is German, for the user."""


def checked_settings(min_group_size: Any, working_time: Any) -> dict[str, Any]:
    if isinstance(min_group_size, bool) or not isinstance(min_group_size, int | float):
        raise SettingsError(f"Mindestgruppengröße: „{min_group_size}“ ist keine Zahl.")
    if min_group_size != int(min_group_size):
        raise SettingsError(f"Mindestgruppengröße: {min_group_size} ist keine ganze Zahl.")
    if min_group_size < 2:
        raise SettingsError(
            f"Mindestgruppengröße: mindestens 2 Personen, nicht {int(min_group_size)} – "
            "sonst stünden Zahlen über einzelne Beschäftigte im Arbeitsbereich."
        )
    if not isinstance(working_time, bool):
        raise SettingsError("Arbeitszeitkalender: nur „ja“ oder „nein“.")
    return {"min_group_size": int(min_group_size), "working_time": working_time}


def save_office_settings(path: Path, settings: dict[str, Any], *, actor: str = "") -> None:
    """Write ``settings`` (already checked) to ``path``; the old file stays if anything fails."""
    header = "Einstellungen des Arbeitsbereichs (Seite Einstellungen)." + (
        f"\nZuletzt gespeichert von {actor}." if actor else ""
    )

    def check(tmp: Path) -> None:
        with tmp.open("rb") as handle:
            if tomllib.load(handle) != settings:
                raise SettingsError("Die Einstellungen ließen sich nicht fehlerfrei speichern.")

    try:
        write_toml(path, toml_text(settings, header), check=check)
    except OSError as exc:
        raise SettingsError(f"{path}: kann nicht geschrieben werden ({exc.strerror}).") from None
