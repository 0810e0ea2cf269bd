"""Catalogue vocabulary of German public administration, as the registry validates it."""

from __future__ import annotations

import re
from enum import StrEnum

from .errors import ValidationError

__all__ = [
    "LEIKA_NONE",
    "OZG_SCALES",
    "ProcessStatus",
    "normalize_leika_key",
    "validate_ozg_maturity",
]


class ProcessStatus(StrEnum):
    """FIM status values, plus ``archiviert`` for services the city no longer offers."""

    IN_PLANUNG = "in Planung"
    IN_BEARBEITUNG = "in Bearbeitung"
    ENTWURF = "Entwurf"
    METHODISCH_FREIGEGEBEN = "methodisch freigegeben"
    FACHLICH_FREIGEGEBEN = "fachlich freigegeben"
    ARCHIVIERT = "archiviert"

    def label(self, lang: str = "de") -> str:
        """The status for a reader: stored and in German it is FIM vocabulary, in English the
        workspace's translation (app_pages/texts/registry.toml says the same)."""
        return _STATUS_EN[self] if lang == "en" else self.value

    @classmethod
    def parse(cls, value: str) -> ProcessStatus:
        for status in cls:
            if status.value.casefold() == value.strip().casefold():
                return status
        allowed = ", ".join(s.value for s in cls)
        raise ValidationError(f"Unbekannter Status „{value}“. Erlaubt: {allowed}.")


_STATUS_EN = {
    ProcessStatus.IN_PLANUNG: "planned",
    ProcessStatus.IN_BEARBEITUNG: "in progress",
    ProcessStatus.ENTWURF: "draft",
    ProcessStatus.METHODISCH_FREIGEGEBEN: "methodically released",
    ProcessStatus.FACHLICH_FREIGEGEBEN: "released (subject matter)",
    ProcessStatus.ARCHIVIERT: "archived",
}


# OZG maturity model 1.1 rates 0–4 (3 = online service); version 2.0 (July 2025) rates 0–7.
OZG_SCALES: dict[str, int] = {"1.1": 4, "2.0": 7}

# A process without a LeiKa key must say so explicitly, so a missing key is never an oversight.
LEIKA_NONE = "keine"
_LEIKA_PATTERN = re.compile(r"^\d{14}$")


def normalize_leika_key(value: str | None) -> str | None:
    if value is None:
        return None
    cleaned = re.sub(r"\s+", "", value)
    if cleaned.casefold() in {"keine", "none", "-"}:
        return LEIKA_NONE
    if not _LEIKA_PATTERN.match(cleaned):
        raise ValidationError(
            f"LeiKa-/FIM-Leistungsschlüssel „{value}“ ist ungültig: erwartet werden 14 Ziffern "
            f"oder ausdrücklich „{LEIKA_NONE}“."
        )
    return cleaned


def validate_ozg_maturity(level: int | None, scale: str | None) -> None:
    if level is None and scale is None:
        return
    if level is None or scale is None:
        raise ValidationError("OZG-Reifegrad und Skala („1.1“ oder „2.0“) nur gemeinsam angeben.")
    if scale not in OZG_SCALES:
        raise ValidationError(f"Unbekannte OZG-Reifegradskala „{scale}“. Erlaubt: 1.1, 2.0.")
    top = OZG_SCALES[scale]
    if not 0 <= level <= top:
        raise ValidationError(f"OZG-Reifegrad {level} liegt außerhalb der Skala {scale} (0–{top}).")
