"""Load a folder of BPMN files described by a ``catalogue.json`` into the registry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .bpmn import parse_bpmn
from .bpmn.safe_xml import MAX_BPMN_BYTES
from .errors import ValidationError
from .files import read_limited
from .records import VersionRef
from .registry import CATALOGUE_FIELDS, Registry, clean_catalogue

__all__ = ["load_catalogue_folder"]


def _read_catalogue(folder: Path) -> list[dict[str, Any]]:
    path = folder / "catalogue.json"
    if not path.exists():
        raise ValidationError(f"{path}: Katalogdatei fehlt.")
    try:
        entries = json.loads(read_limited(path, limit=MAX_BPMN_BYTES).decode("utf-8"))
    except json.JSONDecodeError as err:
        raise ValidationError(
            f"{path}, Zeile {err.lineno}, Spalte {err.colno}: kein gültiges JSON ({err.msg})."
        ) from None
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ValidationError(f"{path}: erwartet wird eine Liste von Objekten.")
    return entries


def load_catalogue_folder(registry: Registry, folder: Path, *, author: str) -> list[VersionRef]:
    """Register every process of the folder that is not registered yet; returns what was added.

    Entries are added in file order, so a shared sub-process listed first exists before the models
    that call it are linted. Every entry and file is checked before the first one is stored, so a
    broken folder adds nothing.
    """
    existing = {p.key for p in registry.list_processes()}
    pending: list[tuple[str, str, bytes, dict[str, Any]]] = []
    for position, entry in enumerate(_read_catalogue(folder), start=1):
        key = entry.get("key")
        file_name = entry.get("file")
        if not key or not file_name:
            raise ValidationError(f"{folder / 'catalogue.json'}: Eintrag {position} ohne key/file.")
        if key in existing:
            continue
        bpmn = read_limited(folder / file_name, limit=MAX_BPMN_BYTES)
        parse_bpmn(bpmn, source=str(folder / file_name))
        catalogue = {k: v for k, v in entry.items() if k in CATALOGUE_FIELDS}
        try:
            clean_catalogue(catalogue)
        except ValidationError as err:
            raise ValidationError(f"{folder / 'catalogue.json'}, Eintrag „{key}“: {err}") from None
        pending.append((key, file_name, bpmn, catalogue))

    added: list[VersionRef] = []
    for key, file_name, bpmn, catalogue in pending:
        name = catalogue.pop("name", key)
        department = catalogue.pop("department", "")
        added.append(
            registry.add_process(
                bpmn,
                key=key,
                name=name,
                department=department,
                author=author,
                file_name=file_name,
                comment="Beispielmodell",
                **catalogue,
            )
        )
    return added
