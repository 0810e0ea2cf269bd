"""The audit log as sentences: "Anna Beispiel änderte die Frist von 60 auf 90 Tage".

One function per audit action, each answering in German or English; an action without its own
function still reads as a sentence naming the action. JSON output keeps the raw entries.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .records import AuditRecord

__all__ = ["AUDIT_LANGUAGES", "audit_sentence"]

AUDIT_LANGUAGES = ("de", "en")

# Catalogue field → (German, English) noun with article, as the sentence names it.
_FIELDS: dict[str, tuple[str, str]] = {
    "name": ("den Namen", "the name"),
    "department": ("den Fachdienst", "the department"),
    "owner": ("die Prozessverantwortung", "the process owner"),
    "leika_key": ("den LeiKa-Schlüssel", "the LeiKa key"),
    "ozg_service": ("die OZG-Leistung", "the OZG service"),
    "ozg_maturity_level": ("den OZG-Reifegrad", "the OZG maturity level"),
    "ozg_maturity_scale": ("die Reifegradskala", "the maturity scale"),
    "legal_basis": ("die Rechtsgrundlage", "the legal basis"),
    "annual_case_volume": ("die Fallzahl pro Jahr", "the annual case volume"),
    "legal_deadline_days": ("die Frist", "the deadline"),
    "deadline_starts_with": ("den Fristbeginn", "the deadline start step"),
    "deadline_ends_with": ("das Fristende", "the deadline end step"),
    "status": ("den Status", "the status"),
    "valid_from": ("„gültig ab“", "“valid from”"),
    "valid_until": ("„gültig bis“", "“valid until”"),
    "resubmission_date": ("die Wiedervorlage", "the resubmission date"),
    "tags": ("die Schlagwörter", "the tags"),
    "description": ("die Beschreibung", "the description"),
}


def audit_sentence(entry: AuditRecord, lang: str = "de") -> str:
    """``entry`` as one sentence in ``lang`` ("de" or "en"), starting with who did it."""
    en = lang == "en"
    sentence = _SENTENCES.get(entry.action, _other)
    return f"{entry.actor} {sentence(entry.details, en, entry)}"


def _q(value: Any, en: bool) -> str:
    if isinstance(value, list | tuple):
        value = ", ".join(str(v) for v in value)
    return f"“{value}”" if en else f"„{value}“"


def _value(field: str, value: Any, en: bool) -> str:
    if field == "legal_deadline_days" and value is not None:
        return f"{value} days" if en else f"{value} Tage"
    return _q(value, en)


def _field_change(field: str, old: Any, new: Any, en: bool) -> str:
    noun = _FIELDS.get(field, (field, field))[1 if en else 0]
    empty_old, empty_new = old in (None, "", []), new in (None, "", [])
    if empty_old:
        return (
            f"set {noun} to {_value(field, new, en)}"
            if en
            else (f"setzte {noun} auf {_value(field, new, en)}")
        )
    if empty_new:
        return (
            f"cleared {noun} (was {_value(field, old, en)})"
            if en
            else (f"leerte {noun} (bisher {_value(field, old, en)})")
        )
    if field == "legal_deadline_days":
        return (
            f"changed {noun} from {old} to {new} days"
            if en
            else (f"änderte {noun} von {old} auf {new} Tage")
        )
    return (
        f"changed {noun} from {_q(old, en)} to {_q(new, en)}"
        if en
        else (f"änderte {noun} von {_q(old, en)} auf {_q(new, en)}")
    )


def _update(details: Mapping[str, Any], en: bool, _: AuditRecord) -> str:
    changes = details.get("changes") or {}
    parts = [_field_change(field, old, new, en) for field, (old, new) in changes.items()]
    if not parts:
        return "changed nothing" if en else "änderte nichts"
    last = parts.pop()
    return f"{', '.join(parts)} {'and' if en else 'und'} {last}" if parts else last


def _create(details: Mapping[str, Any], en: bool, _: AuditRecord) -> str:
    name = _q(details.get("name"), en)
    return (
        f"created the process {name} with version 1"
        if en
        else (f"legte den Prozess {name} mit Version 1 an")
    )


def _version_add(details: Mapping[str, Any], en: bool, _: AuditRecord) -> str:
    return (
        f"saved version {details.get('version')}"
        if en
        else (f"speicherte Version {details.get('version')}")
    )


def _version_restore(details: Mapping[str, Any], en: bool, _: AuditRecord) -> str:
    old, new = details.get("restored_from"), details.get("version")
    return (
        f"restored version {old} as version {new}"
        if en
        else (f"stellte Version {old} als Version {new} wieder her")
    )


def _status(details: Mapping[str, Any], en: bool, _: AuditRecord) -> str:
    old, new = _q(details.get("from"), en), _q(details.get("to"), en)
    errors = len(details.get("lint_errors") or ())
    reason = details.get("override")
    version = details.get("version")
    if details.get("from") is None:
        # Registered as released despite lint errors (Registry.add_process with an override).
        return (
            f"registered the process as {new} despite {errors} lint errors: {reason}"
            if en
            else f"registrierte den Prozess als {new} (trotz {errors} Lint-Fehlern: {reason})"
        )
    if version is not None and not reason:
        # The release withdrawn by a new version with lint errors (Registry.add_version).
        return (
            f"set the status back from {old} to {new} with version {version} ({errors} lint errors)"
            if en
            else f"setzte mit Version {version} ({errors} Lint-Fehler) den Status von {old} auf "
            f"{new} zurück"
        )
    if version is not None:
        return (
            f"kept the status {new} for version {version} despite {errors} lint errors: {reason}"
            if en
            else f"behielt für Version {version} den Status {new} bei (trotz {errors} "
            f"Lint-Fehlern: {reason})"
        )
    sentence = (
        f"set the status from {old} to {new}" if en else (f"setzte den Status von {old} auf {new}")
    )
    if reason:
        sentence += (
            f" (despite {errors} lint error{'s' if errors != 1 else ''}: {reason})"
            if en
            else f" (trotz {errors} Lint-Fehler{'n' if errors != 1 else ''}: {reason})"
        )
    return sentence


def _reference_log(details: Mapping[str, Any], en: bool, _: AuditRecord) -> str:
    new, reason = details.get("to"), details.get("reason")
    if new is None:
        sentence = (
            "returned the reference log to the default choice"
            if en
            else ("stellte das Referenzprotokoll auf die Standardwahl zurück")
        )
    else:
        sentence = (
            f"chose the reference log {_q(new, en)}"
            if en
            else (f"wählte das Referenzprotokoll {_q(new, en)}")
        )
    return f"{sentence} ({reason})" if reason else sentence


def _delete(details: Mapping[str, Any], en: bool, _: AuditRecord) -> str:
    return (
        "deleted the process (hidden; its history stays)"
        if en
        else ("löschte den Prozess (ausgeblendet; der Verlauf bleibt)")
    )


def _mapping(details: Mapping[str, Any], en: bool, _: AuditRecord) -> str:
    pairs, version = details.get("pairs"), details.get("version")
    return (
        f"confirmed {pairs} log step assignments for version {version}"
        if en
        else (f"bestätigte {pairs} Zuordnungen von Protokollschritten zu Version {version}")
    )


def _fim_import(details: Mapping[str, Any], en: bool, _: AuditRecord) -> str:
    version, leika = details.get("version"), details.get("leika")
    fim = details.get("fim_version") or "–"
    groups = details.get("activity_groups")
    return (
        f"imported the FIM Stammprozess {leika} (FIM version {fim}, {groups} activity groups) "
        f"as version {version}"
        if en
        else f"importierte den FIM-Stammprozess {leika} (FIM-Version {fim}, "
        f"{groups} Aktivitätengruppen) als Version {version}"
    )


def _derive(details: Mapping[str, Any], en: bool, _: AuditRecord) -> str:
    stamm, number = _q(details.get("derived_from"), en), details.get("stamm_version")
    return (
        f"derived the process from Stammprozess {stamm}, version {number}"
        if en
        else (f"leitete den Prozess aus dem Stammprozess {stamm}, Version {number}, ab")
    )


def _review(details: Mapping[str, Any], en: bool, _: AuditRecord) -> str:
    stamm, old, new = _q(details.get("stamm"), en), details.get("from"), details.get("to")
    return (
        f"checked the process against Stammprozess {stamm} (version {old} → {new})"
        if en
        else f"glich den Prozess mit dem Stammprozess {stamm} ab (Version {old} → {new})"
    )


def _log_import(details: Mapping[str, Any], en: bool, entry: AuditRecord) -> str:
    log = _q(entry.object_key, en)
    return f"imported the event log {log}" if en else f"importierte das Ereignisprotokoll {log}"


def _log_delete(details: Mapping[str, Any], en: bool, entry: AuditRecord) -> str:
    log, reason = _q(entry.object_key, en), details.get("reason")
    sentence = f"deleted the event log {log}" if en else f"löschte das Ereignisprotokoll {log}"
    return f"{sentence} ({reason})" if reason else sentence


def _report_save(details: Mapping[str, Any], en: bool, _: AuditRecord) -> str:
    title = _q(details.get("title"), en)
    return f"saved the report {title}" if en else f"speicherte den Bericht {title}"


def _report_delete(details: Mapping[str, Any], en: bool, _: AuditRecord) -> str:
    title, reason = _q(details.get("title"), en), details.get("reason")
    sentence = f"deleted the report {title}" if en else f"löschte den Bericht {title}"
    return f"{sentence} ({reason})" if reason else sentence


def _report_redact(details: Mapping[str, Any], en: bool, entry: AuditRecord) -> str:
    log = _q(details.get("log_id"), en)
    return (
        f"removed the figures of the deleted event log {log} from {entry.object_key}"
        if en
        else f"entfernte die Zahlen des gelöschten Ereignisprotokolls {log} aus {entry.object_key}"
    )


def _other(details: Mapping[str, Any], en: bool, entry: AuditRecord) -> str:
    what = f"{entry.action} {entry.object_key}"
    return f"performed {what}" if en else f"führte {what} aus"


_SENTENCES: dict[str, Callable[[Mapping[str, Any], bool, AuditRecord], str]] = {
    "process.create": _create,
    "process.update": _update,
    "process.status": _status,
    "process.reference_log": _reference_log,
    "process.delete": _delete,
    "process.derive": _derive,
    "version.add": _version_add,
    "version.restore": _version_restore,
    "mapping.save": _mapping,
    "fim.import": _fim_import,
    "stamm.review": _review,
    "log.import": _log_import,
    "log.delete": _log_delete,
    "report.save": _report_save,
    "report.delete": _report_delete,
    "report.redact": _report_redact,
}
