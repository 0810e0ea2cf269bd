"""Does a value match a TypedDict of :mod:`mining.results`? A small run-time checker for tests.

It checks what JSON can hold: objects (TypedDicts and ``dict[K, V]``), arrays (``list[X]``),
strings, numbers, booleans and null, unions and literals. Numbers are strict: a value declared
``float`` must be a float and one declared ``int`` an int (a bool is neither), because the JSON
writes them differently (``2.0`` against ``2``). An annotation it does not know is an error, so
a new kind of field in mining.results gets a check here instead of passing unchecked.
"""

from __future__ import annotations

import types
from typing import (
    Any,
    Literal,
    NotRequired,
    Required,
    Union,
    get_args,
    get_origin,
    get_type_hints,
    is_typeddict,
)

__all__ = ["record_problems"]

_SCALARS = (bool, int, float, str)


def record_problems(value: Any, annotation: Any, where: str = "result") -> list[str]:
    """What in ``value`` does not match ``annotation``, one line per problem (empty: matches).

    A TypedDict must hold every required key, may hold its optional ones, and nothing else.
    """
    origin = get_origin(annotation)
    if origin in (Required, NotRequired):
        return record_problems(value, get_args(annotation)[0], where)
    if is_typeddict(annotation):
        return _typeddict_problems(value, annotation, where)
    if origin is Literal:
        allowed = get_args(annotation)
        if any(type(value) is type(option) and value == option for option in allowed):
            return []
        return [f"{where}: {value!r} is not one of {allowed}"]
    if origin in (Union, types.UnionType):
        alternatives = get_args(annotation)
        if any(not record_problems(value, option, where) for option in alternatives):
            return []
        return [f"{where}: {value!r} is none of {_name(annotation)}"]
    if origin is list:
        if not isinstance(value, list):
            return [f"{where}: {type(value).__name__}, not a list"]
        (item,) = get_args(annotation)
        return [p for i, v in enumerate(value) for p in record_problems(v, item, f"{where}[{i}]")]
    if origin is dict:
        if not isinstance(value, dict):
            return [f"{where}: {type(value).__name__}, not an object"]
        key_type, value_type = get_args(annotation)
        problems = []
        for key, item in value.items():
            problems += record_problems(key, key_type, f"{where} key {key!r}")
            problems += record_problems(item, value_type, f"{where}[{key!r}]")
        return problems
    if annotation is None or annotation is type(None):
        return [] if value is None else [f"{where}: {value!r}, not null"]
    if annotation in _SCALARS:
        # type() rather than isinstance(): True is an int to Python, not to the JSON contract.
        # A string subclass is a string to JSON too: mining.texts.Text (German with its English
        # twin) is written as its German text.
        if type(value) is annotation or (annotation is str and isinstance(value, str)):
            return []
        return [f"{where}: {value!r} is {type(value).__name__}, declared {annotation.__name__}"]
    raise TypeError(f"{where}: no run-time check for the annotation {annotation!r}")


def _typeddict_problems(value: Any, record: Any, where: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{where}: {type(value).__name__}, not an object ({record.__name__})"]
    fields = get_type_hints(record, include_extras=True)
    problems = [
        f"{where}: required key {key!r} of {record.__name__} is missing"
        for key in sorted(record.__required_keys__ - value.keys())
    ]
    for key, item in value.items():
        if key in fields:
            problems += record_problems(item, fields[key], f"{where}.{key}")
        else:
            problems.append(
                f"{where}.{key}: not declared in {record.__name__} (document it in mining.results)"
            )
    return problems


def _name(annotation: Any) -> str:
    return getattr(annotation, "__name__", None) or repr(annotation)
