"""The office's own assumptions: what differs from the shipped defaults, checked and saved as TOML.

The workspace lets process managers change single assumptions (an hourly rate, the automation
share). The office file holds only the keys that differ from ``defaults.toml``, so a later
update of the defaults still reaches every key the office never touched::

    edited = load_assumptions().with_values({"rpa.automation_share": 0.6})
    check_ranges(edited)                                  # AssumptionsError with a German reason
    save_assumptions(data_dir / "annahmen.toml", edited)  # atomic; the old file stays on error
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mining.digitization.assumptions import (
    Assumptions,
    AssumptionsError,
    check_ranges,
    checked_values,
    load_assumptions,
)

# check_ranges and checked_values belong to the assumptions (the loader applies the same rules);
# they are offered here as well, beside the saving they guard.
from process_registry import write_text_atomically

__all__ = [
    "assumption_overrides",
    "check_ranges",
    "checked_values",
    "save_assumptions",
    "toml_text",
    "write_toml",
]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def assumption_overrides(assumptions: Assumptions) -> dict[str, dict[str, Any]]:
    """``{section: {key: value}}`` of every value that differs from the shipped defaults."""
    defaults = load_assumptions()
    out: dict[str, dict[str, Any]] = {}
    for section, values in assumptions.sections.items():
        base = defaults.sections.get(section, {})
        changed = {k: v for k, v in values.items() if k not in base or base[k] != v}
        if changed:
            out[section] = changed
    return out


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else json.dumps(key, ensure_ascii=False)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise AssumptionsError(f"„{value}“ ist keine Zahl.")
        return repr(value)
    if isinstance(value, str):
        # Every escape JSON writes (\", \\, \b, \f, \n, \r, \t and \uXXXX) is also a TOML
        # basic-string escape; the one character JSON leaves raw but TOML forbids raw is DEL.
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise AssumptionsError(f"Wert „{value}“ lässt sich nicht als TOML speichern.")


def toml_text(data: Mapping[str, Any], header: str = "") -> str:
    """Top-level values, then one ``[section]`` per mapping (one level deep, as both files are)."""
    lines = [f"# {line}" for line in header.splitlines()]
    tables = {k: v for k, v in data.items() if isinstance(v, Mapping)}
    lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in data.items() if k not in tables]
    for section, values in tables.items():
        lines += ["", f"[{_toml_key(section)}]"]
        lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in values.items()]
    return "\n".join(lines).lstrip("\n") + "\n"


def write_toml(path: Path, text: str, *, check: Any = None) -> None:
    """Write ``text`` to ``path`` atomically; ``check(tmp_path)`` may refuse it first (by raising),
    and then the old file stays as it was."""
    write_text_atomically(path, text, check=check)


def save_assumptions(path: Path, assumptions: Assumptions, *, actor: str = "") -> Assumptions:
    """Save what differs from the defaults as the office's assumptions file and return them as
    loaded back. Raises :class:`AssumptionsError` (the old file stays) when the file would not
    load or hold values the scoring cannot use."""
    check_ranges(assumptions)
    header = (
        "Annahmen der Prozessmanagement-Stelle: nur Abweichungen von den mitgelieferten Werten.\n"
        + (f"Zuletzt gespeichert von {actor} im Arbeitsbereich." if actor else "")
    )
    text = toml_text(assumption_overrides(assumptions), header.strip())

    def check(tmp: Path) -> None:
        try:
            check_ranges(load_assumptions(tmp))
        except AssumptionsError as exc:  # name the office file, not the temporary one
            raise AssumptionsError(str(exc).replace(str(tmp), str(path))) from None

    try:
        write_toml(path, text, check=check)
    except OSError as exc:
        raise AssumptionsError(f"{path}: kann nicht geschrieben werden ({exc.strerror}).") from None
    return load_assumptions(path)
