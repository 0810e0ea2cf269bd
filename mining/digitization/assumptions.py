"""The assumptions, thresholds and weights of the digitization scoring: one TOML file, all visible.

The shipped ``defaults.toml`` holds every key. A user's file overrides single keys; a key the
defaults do not know, or a value of the wrong type, is refused with the file and key named, so a
typo never silently falls back to a default. The range rules (:func:`check_ranges`) live here too,
so the loader and the workspace's editor (:func:`checked_values`) refuse the same values.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from mining.errors import MiningError
from mining.texts import bi
from process_registry import FileRefusedError, read_limited

__all__ = [
    "ASSUMPTION_LABELS",
    "Assumptions",
    "AssumptionsError",
    "check_ranges",
    "checked_values",
    "load_assumptions",
]


class AssumptionsError(MiningError, ValueError):
    """An assumptions file that cannot be used (syntax, unknown key, wrong type)."""


# Where a value came from, as a candidate's list of assumptions says it.
STANDARD = bi("Standard", "default")
OFFICE_FILE = bi("Datei der Verwaltung", "the office's file")
CHANGED = bi("Änderung", "changed")

# The shipped defaults are 3 KiB; a file a thousand times larger is not a list of assumptions.
MAX_ASSUMPTIONS_BYTES = 4 * 1024 * 1024

_RATES = "cost_rates_eur_per_hour"
# Keys that are shares of something (0 … 1); a value of 80 for "80 %" is a typo, not a choice.
_SHARE = re.compile(r"(_share|_reduction|^benefit_weight|^effort_weight|^weight_\w+)$")

# German labels for the report; keys are "section.name" as in Assumptions.flat().
_LABELS_DE = {
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
    "rpa.weight_hours": "RPA: Gewicht eingesparte Stunden",
    "rpa.weight_rule_bound": "RPA: Gewicht Regelgebundenheit",
    "rpa.weight_volume": "RPA: Gewicht Menge",
    "rpa.max_gap_variation": "RPA ohne Startzeiten: höchste Streuung der Zeit seit dem Vorschritt",
    "rpa.session_minutes": "RPA ohne Startzeiten: Minuten einer Arbeitssitzung",
    "rpa.min_same_session_share": "RPA ohne Startzeiten: Mindestanteil gleiche Person in einer Sitzung",
    "rpa.system_accounts": "RPA ohne Startzeiten: Muster der Systemkonten",
    "rpa.min_system_account_share": "RPA ohne Startzeiten: Mindestanteil Systemkonto",
    "rpa.min_evidence": "RPA ohne Startzeiten: Mindestzahl Belege",
    "rpa.assumed_minutes_per_step": "RPA: angenommene Minuten je Ausführung (ohne Messung)",
    "rpa.transfer_verbs": "RPA: Verben für Datenübertragung und Berechnung",
    "rpa.deciding_verbs": "RPA: Verben für entscheidende Schritte (nie RPA)",
    "decision_assistance.effort": "KI-Assistenz bei Entscheidungen: Aufwand (1–5)",
    "fim_priors.decision": "FIM-Typ Entscheidung (nie RPA, § 35a VwVfG): Wortteile",
    "fim_priors.substantive_check": "FIM-Typ sachliche Prüfung (nie RPA, § 35a VwVfG): Wortteile",
    "fim_priors.formal_check": "FIM-Typ formelle Prüfung (regelgebunden, RPA): Wortteile",
    "fim_priors.output": "FIM-Typ Information bereitstellen (Onlinedienst, Datenaustausch): Wortteile",
    "fim_priors.intake": "FIM-Typ Information empfangen (Onlinedienst, Datenaustausch): Wortteile",
    "fim_priors.decision_codes": "FIM-Typ Entscheidung: Codes (Datei ohne Typnamen)",
    "fim_priors.substantive_check_codes": "FIM-Typ sachliche Prüfung: Codes (Datei ohne Typnamen)",
    "fim_priors.formal_check_codes": "FIM-Typ formelle Prüfung: Codes (Datei ohne Typnamen)",
    "fim_priors.output_codes": "FIM-Typ Information bereitstellen: Codes (Datei ohne Typnamen)",
    "fim_priors.intake_codes": "FIM-Typ Information empfangen: Codes (Datei ohne Typnamen)",
    "ai_form_assistance.min_rework_share": "KI-Ausfüllhilfe: Mindestanteil Fälle mit Nacharbeit",
    "ai_form_assistance.rework_reduction": "KI-Ausfüllhilfe: vermiedene Nacharbeit",
    "ai_form_assistance.minutes_per_follow_up": "KI-Ausfüllhilfe: Minuten je Nachforderung",
    "ai_form_assistance.minutes_per_repetition": "KI-Ausfüllhilfe: Minuten je Wiederholung (ohne Messung)",
    "ai_form_assistance.effort": "KI-Ausfüllhilfe: Aufwand (1–5)",
    "ai_form_assistance.weight_hours": "KI-Ausfüllhilfe: Gewicht eingesparte Stunden",
    "ai_form_assistance.weight_rework": "KI-Ausfüllhilfe: Gewicht Nacharbeitsanteil",
    "ai_form_assistance.weight_wait": "KI-Ausfüllhilfe: Gewicht Tage je Schleife",
    "online_service.min_paper_share": "Onlinedienst: Mindestanteil Papier/E-Mail/Fax",
    "online_service.target_maturity_1_1": "Onlinedienst: Ziel-Reifegrad OZG 1.1",
    "online_service.target_maturity_2_0": "Onlinedienst: Ziel-Reifegrad OZG 2.0",
    "online_service.shift_share": "Onlinedienst: Anteil der Papiereingänge, der online käme",
    "online_service.minutes_per_paper_case": "Onlinedienst: Minuten Erfassung je Papierantrag",
    "online_service.pages_per_paper_application": "Onlinedienst: Seiten je Papierantrag",
    "online_service.co2_g_per_page": "Onlinedienst: Gramm CO₂ je Seite",
    "online_service.effort": "Onlinedienst: Aufwand (1–5)",
    "online_service.weight_hours": "Onlinedienst: Gewicht eingesparte Stunden",
    "online_service.weight_paper": "Onlinedienst: Gewicht Papieranteil",
    "online_service.weight_maturity_gap": "Onlinedienst: Gewicht Abstand zum Ziel-Reifegrad",
    "process_redesign.min_wait_days": "Neuordnung: Mindest-Liegezeit am Engpass (Tage)",
    "process_redesign.min_handovers_per_case": "Neuordnung: Mindestzahl Übergaben je Fall",
    "process_redesign.minutes_per_handover": "Neuordnung: Minuten je Übergabe",
    "process_redesign.handover_reduction": "Neuordnung: vermiedene Übergaben",
    "process_redesign.wait_reduction": "Neuordnung: erwartete Verkürzung der Liegezeit",
    "process_redesign.effort": "Neuordnung: Aufwand (1–5)",
    "process_redesign.weight_hours": "Neuordnung: Gewicht eingesparte Stunden",
    "process_redesign.weight_wait": "Neuordnung: Gewicht Liegezeit und Fristdruck",
    "process_redesign.weight_handovers": "Neuordnung: Gewicht Übergaben",
}
_LABELS_EN = {
    "general.hours_per_fte": "Annual working hours per full-time post",
    "general.default_pay_group": "Pay group of the case workers",
    "general.min_cases": "Minimum cases for reliable statements",
    "general.benefit_weight": "Weight of benefit in the score",
    "general.effort_weight": "Weight of low effort in the score",
    "general.hours_saturation": "Hours/year for full benefit",
    "general.volume_saturation": "Executions/year for full volume",
    "cost_rates_eur_per_hour": "Hourly rates (euros, full costs, KGSt placeholders)",
    "rpa.min_events_per_year": "RPA: minimum executions/year",
    "rpa.max_median_minutes": "RPA: longest processing time (median, minutes)",
    "rpa.max_variation": "RPA: highest spread (standard deviation/mean)",
    "rpa.min_successor_share": "RPA: minimum share of the same next step",
    "rpa.automation_share": "RPA: share of the processing time taken over",
    "rpa.effort": "RPA: effort (1–5)",
    "rpa.weight_hours": "RPA: weight of hours saved",
    "rpa.weight_rule_bound": "RPA: weight of rule-boundness",
    "rpa.weight_volume": "RPA: weight of volume",
    "rpa.max_gap_variation": "RPA without start times: highest spread of the time since the previous step",
    "rpa.session_minutes": "RPA without start times: minutes of one work session",
    "rpa.min_same_session_share": "RPA without start times: minimum share of the same person in one session",
    "rpa.system_accounts": "RPA without start times: patterns of system accounts",
    "rpa.min_system_account_share": "RPA without start times: minimum share of a system account",
    "rpa.min_evidence": "RPA without start times: minimum number of signs",
    "rpa.assumed_minutes_per_step": "RPA: assumed minutes per execution (without measurement)",
    "rpa.transfer_verbs": "RPA: verbs for data transfer and calculation",
    "rpa.deciding_verbs": "RPA: verbs for deciding steps (never RPA)",
    "decision_assistance.effort": "AI assistance for decisions: effort (1–5)",
    "fim_priors.decision": "FIM type decision (never RPA, § 35a VwVfG): word parts",
    "fim_priors.substantive_check": "FIM type substantive check (never RPA, § 35a VwVfG): word parts",
    "fim_priors.formal_check": "FIM type formal check (rule-bound, RPA): word parts",
    "fim_priors.output": "FIM type provide information (online service, data exchange): word parts",
    "fim_priors.intake": "FIM type receive information (online service, data exchange): word parts",
    "fim_priors.decision_codes": "FIM type decision: codes (file without type names)",
    "fim_priors.substantive_check_codes": "FIM type substantive check: codes (file without type names)",
    "fim_priors.formal_check_codes": "FIM type formal check: codes (file without type names)",
    "fim_priors.output_codes": "FIM type provide information: codes (file without type names)",
    "fim_priors.intake_codes": "FIM type receive information: codes (file without type names)",
    "ai_form_assistance.min_rework_share": "AI form assistant: minimum share of cases with rework",
    "ai_form_assistance.rework_reduction": "AI form assistant: rework avoided",
    "ai_form_assistance.minutes_per_follow_up": "AI form assistant: minutes per follow-up request",
    "ai_form_assistance.minutes_per_repetition": "AI form assistant: minutes per repetition (without measurement)",
    "ai_form_assistance.effort": "AI form assistant: effort (1–5)",
    "ai_form_assistance.weight_hours": "AI form assistant: weight of hours saved",
    "ai_form_assistance.weight_rework": "AI form assistant: weight of the rework share",
    "ai_form_assistance.weight_wait": "AI form assistant: weight of days per loop",
    "online_service.min_paper_share": "Online service: minimum share of paper/e-mail/fax",
    "online_service.target_maturity_1_1": "Online service: target maturity OZG 1.1",
    "online_service.target_maturity_2_0": "Online service: target maturity OZG 2.0",
    "online_service.shift_share": "Online service: share of paper intake that would go online",
    "online_service.minutes_per_paper_case": "Online service: minutes of data entry per paper application",
    "online_service.pages_per_paper_application": "Online service: pages per paper application",
    "online_service.co2_g_per_page": "Online service: grams of CO₂ per page",
    "online_service.effort": "Online service: effort (1–5)",
    "online_service.weight_hours": "Online service: weight of hours saved",
    "online_service.weight_paper": "Online service: weight of the paper share",
    "online_service.weight_maturity_gap": "Online service: weight of the gap to the target maturity",
    "process_redesign.min_wait_days": "Redesign: minimum idle time at the bottleneck (days)",
    "process_redesign.min_handovers_per_case": "Redesign: minimum hand-overs per case",
    "process_redesign.minutes_per_handover": "Redesign: minutes per hand-over",
    "process_redesign.handover_reduction": "Redesign: hand-overs avoided",
    "process_redesign.wait_reduction": "Redesign: expected reduction of the idle time",
    "process_redesign.effort": "Redesign: effort (1–5)",
    "process_redesign.weight_hours": "Redesign: weight of hours saved",
    "process_redesign.weight_wait": "Redesign: weight of idle time and deadline pressure",
    "process_redesign.weight_handovers": "Redesign: weight of hand-overs",
}
ASSUMPTION_LABELS: Mapping[str, str] = MappingProxyType(
    {key: bi(label, _LABELS_EN[key]) for key, label in _LABELS_DE.items()}
)


@dataclass(frozen=True)
class Assumptions:
    """Sections of named values, e.g. ``assumptions["rpa"]["max_median_minutes"]``."""

    sections: Mapping[str, Mapping[str, Any]]
    source: str = "defaults.toml"
    # "section.key" → where a value other than the shipped default came from.
    origins: Mapping[str, str] = field(default_factory=dict)

    def origin(self, dotted: str) -> str:
        """ "Standard" (the shipped defaults), "Datei der Verwaltung" (the office's file) or
        "Änderung" (changed in this session, not saved)."""
        return self.origins.get(dotted, STANDARD)

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
        origins = {**self.origins, **dict.fromkeys(changes, CHANGED)}
        return Assumptions(
            _merged(self.sections, nested, "Änderung"), self.source, MappingProxyType(origins)
        )


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
    origins = {
        f"{section}.{key}": OFFICE_FILE
        for section, values in override.items()
        if isinstance(values, Mapping)
        for key in values
    }
    loaded = Assumptions(
        _merged(defaults, override, str(path)), str(path), MappingProxyType(origins)
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
            if isinstance(expected, list | tuple):
                if not isinstance(value, list | tuple) or not all(
                    isinstance(v, str) for v in value
                ):
                    raise AssumptionsError(
                        f"{source}: [{section}] {key} hat den falschen Typ (erwartet Liste von Texten)."
                    )
                merged[section][key] = tuple(v.strip() for v in value if v.strip())
                continue
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
    # Lists (the verb lexicons) become tuples: frozen like the rest.
    return MappingProxyType(
        {
            name: MappingProxyType(
                {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}
            )
            for name, values in sections.items()
        }
    )


def _label(section: str, key: str) -> str:
    return ASSUMPTION_LABELS.get(f"{section}.{key}", f"[{section}] {key}")


def _number(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def check_ranges(assumptions: Assumptions) -> None:
    """Refuse values the scoring cannot use although their type is right (the loader checks types
    and signs): shares outside 0 … 1, an effort outside 1 … 5, no working hours per FTE."""
    for section, values in assumptions.sections.items():
        for key, value in values.items():
            if isinstance(value, bool) or not isinstance(value, int | float):
                continue
            label = _label(section, key)
            if not math.isfinite(value):
                raise AssumptionsError(f"{label}: „{value}“ ist keine Zahl.")
            if section == _RATES and value <= 0:
                raise AssumptionsError(
                    f"Stundensatz {key}: muss eine positive Zahl sein, nicht {_number(value)}."
                )
            if value < 0:
                raise AssumptionsError(f"{label}: darf nicht negativ sein ({_number(value)}).")
            if _SHARE.search(key) and value > 1:
                raise AssumptionsError(
                    f"{label}: ist ein Anteil zwischen 0 und 1, nicht {_number(value)} "
                    f"(80 % = 0,8)."
                )
            if key == "effort" and not 1 <= value <= 5:
                raise AssumptionsError(f"{label}: liegt zwischen 1 und 5, nicht {_number(value)}.")
    pattern = assumptions["rpa"]["system_accounts"]
    try:
        re.compile(pattern)
    except re.error as exc:
        raise AssumptionsError(
            f"{_label('rpa', 'system_accounts')}: „{pattern}“ ist kein gültiger regulärer "
            f"Ausdruck ({exc.msg})."
        ) from None
    general = assumptions["general"]
    if general["hours_per_fte"] <= 0:
        raise AssumptionsError(f"{_label('general', 'hours_per_fte')}: muss größer als 0 sein.")
    if general["min_cases"] != int(general["min_cases"]):
        raise AssumptionsError(f"{_label('general', 'min_cases')}: muss eine ganze Zahl sein.")
    assumptions.hourly_rate()  # the default pay group must have a rate


def checked_values(base: Assumptions, changes: Mapping[str, Any]) -> Assumptions:
    """``base.with_values(changes)``, refused with a reason that names the assumption (and not
    the internal key) when a value is of the wrong kind or outside its range."""
    for dotted, value in changes.items():
        section, _, key = dotted.partition(".")
        if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
            continue
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise AssumptionsError(f"{_label(section, key)}: „{value}“ ist kein gültiger Wert.")
        if section == _RATES and (isinstance(value, str) or not value > 0):
            shown = value if isinstance(value, str) else _number(value)
            raise AssumptionsError(
                f"Stundensatz {key}: muss eine positive Zahl sein, nicht {shown}."
            )
    edited = base.with_values(changes)
    check_ranges(edited)
    return edited
