"""Code lists an XProzess 2 file refers to, as far as pmo reads them.

Only the meaning is looked up here; the file's codes are kept as they are and written back
unchanged, so a code this table does not know is shown as its code, never refused.
"""

from __future__ import annotations

__all__ = ["FIM_STATUS", "LAND_NAMES", "land_of", "registry_status", "status_code_for"]

# FIM status list (Statusangaben of FIM Prozesse): the Stammprozess's release state.
FIM_STATUS: dict[str, str] = {
    "1": "in Planung",
    "2": "in Bearbeitung",
    "3": "Entwurf",
    "4": "methodisch freigegeben",
    "5": "fachlich freigegeben (silber)",
    "6": "fachlich freigegeben (gold)",
    "7": "inaktiv",
    "8": "vorgesehen zum Löschen",
}

# The registry's lifecycle status for each FIM status: silver and gold are both released; an
# inactive Stammprozess or one marked for deletion is no longer offered.
_REGISTRY_STATUS: dict[str, str] = {
    "1": "in Planung",
    "2": "in Bearbeitung",
    "3": "Entwurf",
    "4": "methodisch freigegeben",
    "5": "fachlich freigegeben",
    "6": "fachlich freigegeben",
    "7": "archiviert",
    "8": "archiviert",
}
_FIM_CODE: dict[str, str] = {
    "in Planung": "1",
    "in Bearbeitung": "2",
    "Entwurf": "3",
    "methodisch freigegeben": "4",
    "fachlich freigegeben": "5",
    "archiviert": "7",
}

# Amtlicher Gemeindeschlüssel: the first two digits name the Land.
LAND_NAMES: dict[str, str] = {
    "01": "Schleswig-Holstein",
    "02": "Hamburg",
    "03": "Niedersachsen",
    "04": "Bremen",
    "05": "Nordrhein-Westfalen",
    "06": "Hessen",
    "07": "Rheinland-Pfalz",
    "08": "Baden-Württemberg",
    "09": "Bayern",
    "10": "Saarland",
    "11": "Berlin",
    "12": "Brandenburg",
    "13": "Mecklenburg-Vorpommern",
    "14": "Sachsen",
    "15": "Sachsen-Anhalt",
    "16": "Thüringen",
}
# Codings that name a whole Land or a region inside one (whose key starts with the Land's).
_REGIONAL = ("bundesland", "land", "regionalschluessel", "gemeindeschluessel", "kreis", "bezirk")


def land_of(kind: str, code: str) -> str | None:
    """The two-digit Land a coding entry names, or None (the Bund, another country, unknown)."""
    digits = code.strip()
    if not digits.isdigit() or not kind.casefold().startswith(_REGIONAL):
        return None
    land = digits.zfill(2) if len(digits) <= 2 else digits[:2]
    return land if land in LAND_NAMES else None


def registry_status(code: str | None) -> str | None:
    if code is None:
        return None
    return _REGISTRY_STATUS.get(code.strip().lstrip("0"))


def status_code_for(registry_value: str, stored: str | None) -> str | None:
    """The FIM status code to export: the stored one while it still means the registry's status
    (so silver stays silver), else the registry status's own code."""
    if stored is not None and registry_status(stored) == registry_value:
        return stored
    return _FIM_CODE.get(registry_value, stored)
