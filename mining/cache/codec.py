"""A stored analysis as JSON that reads back as what was written: generated texts keep their
English twin (:class:`mining.Text`), tuples stay tuples and keys that are not plain strings stay
what they were. Anything else the encoder does not know is refused (``TypeError``) rather than
written in a form that would read back differently; nothing is ever unpickled."""

from __future__ import annotations

import json
import math
from typing import Any

from mining.texts import Text

__all__ = ["dumps", "loads"]

# A dict with this key is one of the tagged forms below; a plain dict that has it is tagged too.
_TAG = "__pmo__"


def dumps(value: Any) -> bytes:
    return json.dumps(_encode(value), ensure_ascii=False, separators=(",", ":")).encode()


def loads(data: bytes) -> Any:
    return _decode(json.loads(data))


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        # JSON has no NaN or infinity; json writes them anyway, tagging keeps the file strict.
        return value if math.isfinite(value) else {_TAG: "float", "value": repr(value)}
    if isinstance(value, Text):
        return {_TAG: "text", "de": str(value), "en": value.en}
    if isinstance(value, str):
        return str(value)
    if isinstance(value, list):
        return [_encode(item) for item in value]
    if isinstance(value, tuple):
        return {_TAG: "tuple", "items": [_encode(item) for item in value]}
    if isinstance(value, dict):
        if _TAG not in value and all(type(key) is str for key in value):
            return {key: _encode(item) for key, item in value.items()}
        return {_TAG: "dict", "items": [[_encode(k), _encode(v)] for k, v in value.items()]}
    raise TypeError(f"not storable: {type(value).__name__}")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(item) for item in value]
    if not isinstance(value, dict):
        return value
    kind = value.get(_TAG)
    if kind is None:
        return {key: _decode(item) for key, item in value.items()}
    if kind == "text":
        return Text(value["de"], value["en"])
    if kind == "tuple":
        return tuple(_decode(item) for item in value["items"])
    if kind == "dict":
        return {_decode(k): _decode(v) for k, v in value["items"]}
    if kind == "float":
        return float(value["value"])
    raise ValueError(f"unknown stored form {kind!r}")
