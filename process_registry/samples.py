"""Load a folder of BPMN files described by a ``catalogue.json`` into the registry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .errors import ValidationError
from .records import VersionRef
from .registry import CATALOGUE_FIELDS, Registry

__all__ = ["load_catalogue_folder"]


def _read_catalogue(folder: Path) -> list[dict[str, Any]]:
    path = folder / "catalogue.json"
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValidationError(f"{path}: Katalogdatei fehlt.") from None
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
    that call it are linted.
    """
    existing = {p.key for p in registry.list_processes()}
    added: list[VersionRef] = []
    for position, entry in enumerate(_read_catalogue(folder), start=1):
        key = entry.get("key")
        file_name = entry.get("file")
        if not key or not file_name:
            raise ValidationError(f"{folder / 'catalogue.json'}: Eintrag {position} ohne key/file.")
        if key in existing:
            continue
        bpmn = (folder / file_name).read_bytes()
        catalogue = {k: v for k, v in entry.items() if k in CATALOGUE_FIELDS}
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
