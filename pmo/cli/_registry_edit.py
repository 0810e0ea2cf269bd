"""``pmo registry edit``: the catalogue fields the workspace's edit form changes, from the shell.

An option that is not given leaves its field as it is. ``--clear OPTION`` empties a field; an
empty value (``--owner ""``) is refused, so a script whose variable happens to be empty does not
wipe a field by accident. ``--tag`` (repeatable) replaces the whole list of tags.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import click

from process_registry import CATALOGUE_FIELDS, ProcessRecord

__all__ = ["EDIT_OPTIONS", "catalogue_changes", "changed_fields", "edit_options"]

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
_FIELD = {option: field for option, field, _, _ in EDIT_OPTIONS}
_REQUIRED = ("name", "department")


def _parameter(option: str) -> str:
    return option.replace("-", "_")


def edit_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """One option per catalogue field, plus ``--clear``."""
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


def catalogue_changes(given: Mapping[str, Any], clear: Iterable[str]) -> dict[str, Any]:
    """The catalogue changes the options ask for: given values, and None for cleared fields."""
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
    if not changes:
        raise click.UsageError("Nichts zu ändern: bitte mindestens eine Option angeben.")
    return changes


def changed_fields(before: ProcessRecord, after: ProcessRecord) -> dict[str, list[Any]]:
    """Field → [old, new] for every catalogue field that differs, JSON-ready."""
    old, new = before.to_dict(), after.to_dict()
    return {name: [old[name], new[name]] for name in CATALOGUE_FIELDS if old[name] != new[name]}
