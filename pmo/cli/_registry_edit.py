"""``pmo registry edit``: the catalogue fields the workspace's edit form changes, from the shell.

An option that is not given leaves its field as it is. ``--clear OPTION`` empties a field; an
empty value (``--owner ""``) is refused, so a script whose variable happens to be empty does not
wipe a field by accident. ``--tag`` (repeatable) replaces the whole list of tags.
``--reference-log LOG_ID`` chooses the log that speaks for the process, ``auto`` returns to the
default choice (the newest log that passed the import checks).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import click

from process_registry import CATALOGUE_FIELDS, ProcessRecord

__all__ = [
    "AUTO_REFERENCE",
    "EDIT_OPTIONS",
    "catalogue_changes",
    "changed_fields",
    "edit_options",
    "reference_choice",
]

# (option, catalogue field, click type, help): the option names of `registry add`.
EDIT_OPTIONS: tuple[tuple[str, str, Any, str], ...] = (
    ("name", "name", str, "Name der Verwaltungsleistung."),
    ("department", "department", str, "Zuständiger Fachdienst."),
    ("owner", "owner", str, "Prozessverantwortliche Rolle."),
    ("leika", "leika_key", str, "LeiKa-/FIM-Leistungsschlüssel (14 Ziffern) oder „keine“."),
    ("status", "status", str, "FIM-Status, z. B. „fachlich freigegeben“."),
    ("ozg-service", "ozg_service", str, "OZG-Leistung."),
    ("ozg-level", "ozg_maturity_level", int, "OZG-Reifegrad."),
    ("ozg-scale", "ozg_maturity_scale", click.Choice(["1.1", "2.0"]), "Reifegradskala."),
    ("legal-basis", "legal_basis", str, "Rechtsgrundlage."),
    ("volume", "annual_case_volume", int, "Fallzahl pro Jahr."),
    ("deadline-days", "legal_deadline_days", int, "Gesetzliche Frist in Tagen."),
    (
        "deadline-starts-with",
        "deadline_starts_with",
        str,
        "Schritt im Protokoll, mit dessen letztem Vorkommen die Frist beginnt "
        "(ohne: erstes Ereignis des Falls).",
    ),
    (
        "deadline-ends-with",
        "deadline_ends_with",
        str,
        "Schritt im Protokoll, mit dessen erstem Vorkommen danach die Frist endet "
        "(ohne: letztes Ereignis des Falls).",
    ),
    ("valid-from", "valid_from", str, "Gültig ab (JJJJ-MM-TT)."),
    ("valid-until", "valid_until", str, "Gültig bis (JJJJ-MM-TT)."),
    ("resubmission-date", "resubmission_date", str, "Wiedervorlage (JJJJ-MM-TT)."),
    ("tag", "tags", str, "Schlagwort (mehrfach möglich); ersetzt alle bisherigen."),
    ("description", "description", str, "Beschreibung."),
)
AUTO_REFERENCE = "auto"
_FIELD = {option: field for option, field, _, _ in EDIT_OPTIONS}
_REQUIRED = ("name", "department")


def _parameter(option: str) -> str:
    return option.replace("-", "_")


def edit_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """One option per catalogue field, plus ``--clear``."""
    command = click.option(
        "--reference-log",
        "reference_log",
        default=None,
        metavar="LOG_ID|auto",
        help="Ereignisprotokoll, das für den Prozess spricht (Übersicht, Bericht); "
        f"„{AUTO_REFERENCE}“: das neueste, das alle Importprüfungen bestanden hat.",
    )(command)
    command = click.option(
        "--clear",
        "clear",
        multiple=True,
        type=click.Choice([option for option in _FIELD if option not in _REQUIRED]),
        help="Dieses Feld leeren (Name der Option ohne „--“, mehrfach möglich).",
    )(command)
    for option, field, kind, text in reversed(EDIT_OPTIONS):
        command = click.option(
            f"--{option}",
            _parameter(option),
            type=kind,
            default=None,
            multiple=option == "tag",
            metavar="ACTIVITY" if field.startswith("deadline_") else None,
            help=text,
        )(command)
    return command


def reference_choice(value: str) -> str | None:
    """``--reference-log`` as :meth:`Registry.update_process` takes it: a log id, or None for
    ``auto``; an empty value is refused (an empty shell variable must not choose anything)."""
    if not value.strip():
        raise click.BadParameter(
            f"leerer Wert. Eine Protokollkennung oder „{AUTO_REFERENCE}“ angeben.",
            param_hint="--reference-log",
        )
    return None if value.strip().casefold() == AUTO_REFERENCE else value.strip()


def catalogue_changes(
    given: Mapping[str, Any], clear: Iterable[str], *, required: bool = True
) -> dict[str, Any]:
    """The catalogue changes the options ask for: given values, and None for cleared fields.
    ``required``: no change at all is a usage error (false when another option changes
    something)."""
    cleared = set(clear)
    changes: dict[str, Any] = {}
    for option, field in _FIELD.items():
        value = given.get(_parameter(option))
        if option == "tag":
            value = list(value) if value else None
        if value is None:
            if option in cleared:
                changes[field] = [] if option == "tag" else None
            continue
        if option in cleared:
            raise click.UsageError(f"--{option} und --clear {option} widersprechen sich.")
        if isinstance(value, str) and not value.strip():
            raise click.UsageError(
                f"--{option}: leerer Wert. Zum Leeren des Feldes --clear {option} verwenden."
            )
        if option == "tag" and not all(tag.strip() for tag in value):
            raise click.UsageError("--tag: leeres Schlagwort. Zum Leeren --clear tag verwenden.")
        changes[field] = value
    if not changes and required:
        raise click.UsageError("Nichts zu ändern: bitte mindestens eine Option angeben.")
    return changes


def changed_fields(before: ProcessRecord, after: ProcessRecord) -> dict[str, list[Any]]:
    """Field → [old, new] for every catalogue field that differs, JSON-ready; the chosen
    reference log as ``reference_log`` (None: the default choice)."""
    old, new = before.to_dict(), after.to_dict()
    changed = {name: [old[name], new[name]] for name in CATALOGUE_FIELDS if old[name] != new[name]}
    if before.reference_log_id != after.reference_log_id:
        changed["reference_log"] = [before.reference_log_id, after.reference_log_id]
    return changed
