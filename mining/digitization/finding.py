"""What a rule found before it is scored, and the wording shared by all rules."""

from __future__ import annotations

from dataclasses import dataclass, field

from mining.digitization.calculation import Calculation, num, shown_signal
from mining.digitization.signals import ProcessSignals
from mining.texts import Text, bi

__all__ = ["Finding", "measured_source", "say", "saturate", "stored", "volume_note"]


@dataclass(frozen=True)
class Finding:
    """The part of a candidate that differs from rule to rule; ``calculation.result`` is the
    hours saved per year."""

    activity: str | None
    benefit: float
    reasons: list[str]
    signals: dict[str, float | None]
    calculation: Calculation
    cases: int
    decides: bool = False
    pages: float = 0.0
    throughput_days: float = 0.0  # calendar days per case, never turned into work hours
    # "section.key" of every assumption the figure used.
    used: tuple[str, ...] = field(default_factory=tuple)
    # (input name of the calculation, source) of every input read from the log.
    measured: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    @property
    def hours(self) -> float:
        return self.calculation.result


def saturate(value: float, saturation: float) -> float:
    return 0.0 if saturation <= 0 else max(0.0, min(1.0, value / saturation))


def stored(value: float | None) -> float | None:
    """A signal as the candidate stores it (four decimals)."""
    return None if value is None else round(float(value), 4)


def say(signals: dict[str, float | None], key: str) -> str:
    """The signal ``key`` as a reason says it: the stored value, formatted as pages show it."""
    return shown_signal(key, stored(signals[key]))


MEASURED = bi("gemessen", "measured")


def measured_source(process: ProcessSignals) -> Text:
    """Where a count per year comes from: the log alone, or the log scaled to the registry's
    yearly volume."""
    if process.volume_source == "Register":
        return bi(
            "gemessen, hochgerechnet auf die Fallzahl laut Register",
            "measured, scaled to the case volume according to the registry",
        )
    return MEASURED


def volume_note(process: ProcessSignals) -> Text:
    if process.volume_source == "Register":
        volume = num(process.facts.annual_case_volume or 0)
        return bi(
            f"hochgerechnet auf {volume} Fälle/Jahr laut Register",
            f"scaled to {volume} cases/year according to the registry",
        )
    return bi(
        f"hochgerechnet aus {num(process.cases)} Fällen in {num(process.period_days)} Tagen",
        f"scaled from {num(process.cases)} cases in {num(process.period_days)} days",
    )
