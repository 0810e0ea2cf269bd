"""Cache keys from the values an analysis depends on, the same in every process and on every run.

``repr`` will not do: a frozenset's order changes with the interpreter's hash seed, and an
object without a value representation prints its memory address. :func:`stable` writes values
as canonical JSON instead and refuses (``TypeError``) what it cannot write so, and
:func:`digest` hashes that.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import json
import math
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

__all__ = ["digest", "stable"]


def stable(value: Any) -> Any:
    """``value`` as JSON-ready data that is equal exactly when ``value`` is."""
    if value is None:
        return None
    if isinstance(value, enum.Enum):
        return ["enum", type(value).__name__, stable(value.value)]
    if isinstance(value, bool | int | str):
        # A Text is its German string here: a key never depends on a translation.
        return _plain(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return [type(value).__name__, value.isoformat()]
    if isinstance(value, PurePath):
        return ["path", str(value)]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: stable(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return [type(value).__name__, fields]
    if isinstance(value, Mapping):
        return ["map", sorted(([stable(k), stable(v)] for k, v in value.items()), key=_text)]
    if isinstance(value, set | frozenset):
        return ["set", sorted((stable(item) for item in value), key=_text)]
    if isinstance(value, list | tuple):
        return [stable(item) for item in value]
    raise TypeError(f"no stable key for {type(value).__name__}")


def _plain(value: bool | int | str) -> bool | int | str:
    if isinstance(value, bool):
        return bool(value)
    return int(value) if isinstance(value, int) else str(value)


def _text(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def digest(*parts: Any) -> str:
    """A short hex digest of ``parts`` (in order), from :func:`stable`."""
    text = json.dumps([stable(part) for part in parts], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:32]
