"""How a candidate's figure comes about, and how its numbers read in German.

Every candidate carries a :class:`Calculation`: the formula in words, each named input with its
value, and the result (the hours saved per year). Pages and reports show it verbatim, so the
figure can be checked with a pocket calculator. The reasons and the displayed signals format
their numbers with the same helpers (:func:`shown_signal`), so a reason never says 26,8 days
where the signal table says 27,9.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from mining.results import CalculationRecord
from mining.texts import Text, bi

__all__ = [
    "Calculation",
    "dec",
    "input_name",
    "num",
    "pct",
    "shown_signal",
]

InputValue = float | int | str | None

# The inputs' names are keys (the formula names them, JSON carries them); a reader gets them here.
_INPUT_NAMES_EN = {
    "Ausführungen/Jahr": "executions/year",
    "Minuten je Ausführung": "minutes per execution",
    "Grundlage der Minuten": "basis of the minutes",
    "Automatisierungsanteil": "automation share",
    "Wiederholungen/Jahr": "repetitions/year",
    "Minuten je Wiederholung": "minutes per repetition",
    "Grundlage Minuten je Wiederholung": "basis of the minutes per repetition",
    "Nachforderungen/Jahr": "follow-up requests/year",
    "Minuten je Nachforderung": "minutes per follow-up request",
    "Grundlage Minuten je Nachforderung": "basis of the minutes per follow-up request",
    "vermiedene Nacharbeit": "rework avoided",
    "Fälle/Jahr": "cases/year",
    "Papieranteil": "paper share",
    "Anteil, der online käme": "share that would go online",
    "Minuten Erfassung je Papierantrag": "minutes of data entry per paper application",
    "Übergaben je Fall": "hand-overs per case",
    "Minuten je Übergabe": "minutes per hand-over",
    "vermiedene Übergaben": "hand-overs avoided",
}


def input_name(name: str) -> Text:
    """An input's name (a key, German) with its English for the reader."""
    return bi(name, _INPUT_NAMES_EN.get(name, name))


@dataclass(frozen=True)
class Calculation:
    """``result`` follows from ``inputs`` by ``formula``; the names in the formula are the keys."""

    formula: str
    inputs: Mapping[str, InputValue] = field(default_factory=dict)
    result: float = 0.0

    def to_dict(self) -> CalculationRecord:
        return {
            "formula": self.formula,
            "inputs": {k: _rounded(v) for k, v in self.inputs.items()},
            "result": round(self.result, 1),
        }


def _rounded(value: InputValue) -> InputValue:
    if isinstance(value, float):
        return round(value, 4)
    return value


def num(value: float) -> str:
    """German thousands separator, no decimals (the reasons are for reading, not computing)."""
    return f"{value:,.0f}".replace(",", ".")


def dec(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}".replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def pct(value: float) -> str:
    return f"{value * 100:.0f} %"


# How each signal reads: shares as percent, counts whole, times and variations with decimals.
_SIGNAL_FORMAT = {
    "events_per_year": num,
    "cases_per_year": num,
    "median_processing_min": dec,
    "median_gap_min": dec,
    "variation": lambda v: dec(v, 2),
    "gap_variation": lambda v: dec(v, 2),
    "successor_share": pct,
    "same_session_share": pct,
    "system_account_share": pct,
    "rework_share": pct,
    "rework_days_per_loop": dec,
    "paper_share": pct,
    "ozg_maturity_gap": num,
    "bottleneck_wait_days": dec,
    "handovers_per_case": dec,
    "rpa_evidence": num,
}


def shown_signal(key: str, value: float | None) -> str:
    """A signal as the reasons and the pages show it (``None``: a dash)."""
    if value is None:
        return "–"
    return _SIGNAL_FORMAT.get(key, lambda v: dec(v, 2))(float(value))
