"""The assumptions, thresholds and weights of the digitization scoring: one TOML file, all visible.

The shipped ``defaults.toml`` holds every key. A user's file overrides single keys; a key the
defaults do not know, or a value of the wrong type, is refused with the file and key named, so a
typo never silently falls back to a default.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from mining.errors import MiningError
from process_registry import FileRefusedError, read_limited

__all__ = ["ASSUMPTION_LABELS", "Assumptions", "AssumptionsError", "load_assumptions"]


class AssumptionsError(MiningError, ValueError):
    """An assumptions file that cannot be used (syntax, unknown key, wrong type)."""


# The shipped defaults are 3 KiB; a file a thousand times larger is not a list of assumptions.
MAX_ASSUMPTIONS_BYTES = 4 * 1024 * 1024

# German labels for the report; keys are "section.name" as in Assumptions.flat().
ASSUMPTION_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "general.hours_per_fte": "Jahresarbeitsstunden je Vollzeitstelle",
        "general.default_pay_group": "Entgeltgruppe der Sachbearbeitung",
        "general.min_cases": "Mindestzahl Fälle für belastbare Aussagen",
        "general.benefit_weight": "Gewicht Nutzen im Score",
        "general.effort_weight": "Gewicht geringer Aufwand im Score",
        "general.hours_saturation": "Stunden/Jahr für vollen Nutzen",
        "general.volume_saturation": "Vorgänge/Jahr für volle Menge",
        "cost_rates_eur_per_hour": "Stundensätze (Euro, Vollkosten, Platzhalter nach KGSt)",
        "rpa.min_events_per_year": "RPA: Mindestzahl Ausführungen/Jahr",
        "rpa.max_median_minutes": "RPA: höchste Bearbeitungszeit (Median, Minuten)",
        "rpa.max_variation": "RPA: höchste Streuung (Standardabweichung/Mittelwert)",
        "rpa.min_successor_share": "RPA: Mindestanteil gleicher Folgeschritt",
        "rpa.automation_share": "RPA: übernommener Anteil der Bearbeitungszeit",
        "rpa.effort": "RPA: Aufwand (1–5)",
        "ai_form_assistance.min_rework_share": "KI-Ausfüllhilfe: Mindestanteil Fälle mit Nacharbeit",
        "ai_form_assistance.rework_reduction": "KI-Ausfüllhilfe: vermiedene Nacharbeit",
        "ai_form_assistance.minutes_per_follow_up": "KI-Ausfüllhilfe: Minuten je Nachforderung",
        "ai_form_assistance.effort": "KI-Ausfüllhilfe: Aufwand (1–5)",
        "online_service.min_paper_share": "Onlinedienst: Mindestanteil Papier/E-Mail/Fax",
        "online_service.target_maturity_1_1": "Onlinedienst: Ziel-Reifegrad OZG 1.1",
        "online_service.target_maturity_2_0": "Onlinedienst: Ziel-Reifegrad OZG 2.0",
        "online_service.shift_share": "Onlinedienst: Anteil der Papiereingänge, der online käme",
        "online_service.minutes_per_paper_case": "Onlinedienst: Minuten Erfassung je Papierantrag",
        "online_service.pages_per_paper_application": "Onlinedienst: Seiten je Papierantrag",
        "online_service.co2_g_per_page": "Onlinedienst: Gramm CO₂ je Seite",
        "online_service.effort": "Onlinedienst: Aufwand (1–5)",
        "process_redesign.min_wait_days": "Neuordnung: Mindest-Liegezeit am Engpass (Tage)",
        "process_redesign.min_handovers_per_case": "Neuordnung: Mindestzahl Übergaben je Fall",
        "process_redesign.minutes_per_handover": "Neuordnung: Minuten je Übergabe",
        "process_redesign.handover_reduction": "Neuordnung: vermiedene Übergaben",
        "process_redesign.wait_reduction": "Neuordnung: erwartete Verkürzung der Liegezeit",
        "process_redesign.effort": "Neuordnung: Aufwand (1–5)",
    }
)


@dataclass(frozen=True)
class Assumptions:
    """Sections of named values, e.g. ``assumptions["rpa"]["max_median_minutes"]``."""

    sections: Mapping[str, Mapping[str, Any]]
    source: str = "defaults.toml"

    def __getitem__(self, section: str) -> Mapping[str, Any]:
        return self.sections[section]

    def hourly_rate(self, pay_group: str | None = None) -> float:
        rates = self.sections["cost_rates_eur_per_hour"]
        group = pay_group or self.sections["general"]["default_pay_group"]
        if group not in rates:
            raise AssumptionsError(
                f"{self.source}: für die Entgeltgruppe „{group}“ ist kein Stundensatz eingetragen."
            )
        return float(rates[group])

    def flat(self) -> dict[str, Any]:
        """``{"section.key": value}``, the cost rates as one dict — the report's assumption table."""
        out: dict[str, Any] = {}
        for section, values in self.sections.items():
            if section == "cost_rates_eur_per_hour":
                out[section] = dict(values)
                continue
            for key, value in values.items():
                out[f"{section}.{key}"] = value
        return out

    def with_values(self, changes: Mapping[str, Any]) -> Assumptions:
        """A copy with ``{"section.key": value}`` changed (the workspace's editable assumptions)."""
        nested: dict[str, dict[str, Any]] = {}
        for dotted, value in changes.items():
            section, _, key = dotted.partition(".")
            nested.setdefault(section, {})[key] = value
        return Assumptions(_merged(self.sections, nested, "Änderung"), self.source)


def _defaults() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("defaults.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def load_assumptions(path: Path | None = None) -> Assumptions:
    """The shipped defaults, with the keys of ``path`` (a TOML file) laid over them."""
    defaults = _defaults()
    if path is None:
        return Assumptions(_freeze(defaults))
    try:
        override = tomllib.loads(read_limited(path, limit=MAX_ASSUMPTIONS_BYTES).decode("utf-8"))
    except FileRefusedError as exc:
        raise AssumptionsError(str(exc)) from None
    except UnicodeDecodeError:
        raise AssumptionsError(f"{path}: Datei ist nicht UTF-8-kodiert.") from None
    except tomllib.TOMLDecodeError as exc:
        raise AssumptionsError(f"{path}: kein gültiges TOML — {exc}.") from None
    loaded = Assumptions(_merged(defaults, override, str(path)), str(path))
    from mining.digitization.overrides import (
        check_ranges,  # the range rules live beside the workspace's editor
    )

    try:
        check_ranges(loaded)
    except AssumptionsError as exc:
        raise AssumptionsError(f"{path}: {exc}") from None
    return loaded


def _merged(
    base: Mapping[str, Mapping[str, Any]], override: Mapping[str, Any], source: str
) -> Mapping[str, Mapping[str, Any]]:
    merged = {section: dict(values) for section, values in base.items()}
    for section, values in override.items():
        if section not in merged or not isinstance(values, Mapping):
            raise AssumptionsError(f"{source}: unbekannter Abschnitt [{section}].")
        for key, value in values.items():
            if section == "cost_rates_eur_per_hour":
                # New pay groups are welcome; the rate must be a positive number.
                if not _is_number(value) or value <= 0:
                    raise AssumptionsError(
                        f"{source}: [{section}] {key} muss eine positive Zahl sein."
                    )
                merged[section][key] = float(value)
                continue
            if key not in merged[section]:
                raise AssumptionsError(f"{source}: unbekannter Schlüssel [{section}] {key}.")
            expected = merged[section][key]
            if isinstance(expected, str) != isinstance(value, str) or not (
                isinstance(value, str) or _is_number(value)
            ):
                raise AssumptionsError(
                    f"{source}: [{section}] {key} hat den falschen Typ "
                    f"(erwartet {'Text' if isinstance(expected, str) else 'Zahl'})."
                )
            if _is_number(value) and value < 0:
                raise AssumptionsError(f"{source}: [{section}] {key} darf nicht negativ sein.")
            merged[section][key] = value
    return _freeze(merged)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _freeze(sections: Mapping[str, Mapping[str, Any]]) -> Mapping[str, Mapping[str, Any]]:
    return MappingProxyType(
        {name: MappingProxyType(dict(values)) for name, values in sections.items()}
    )
