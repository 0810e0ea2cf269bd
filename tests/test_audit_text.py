"""The audit log reads as sentences, in German and English, one per recorded action."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from process_registry import AuditRecord, audit_sentence

AT = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


def _entry(action: str, **details: Any) -> AuditRecord:
    return AuditRecord(AT, "Anna Beispiel", action, "process", "hund", details)


def test_a_deadline_change_names_old_and_new_days() -> None:
    entry = _entry("process.update", changes={"legal_deadline_days": [60, 90]})
    assert audit_sentence(entry) == "Anna Beispiel änderte die Frist von 60 auf 90 Tage"
    assert audit_sentence(entry, "en") == "Anna Beispiel changed the deadline from 60 to 90 days"


def test_several_changes_are_one_sentence() -> None:
    entry = _entry(
        "process.update", changes={"owner": [None, "Team A"], "description": ["x", None]}
    )
    assert audit_sentence(entry) == (
        "Anna Beispiel setzte die Prozessverantwortung auf „Team A“ und leerte die Beschreibung "
        "(bisher „x“)"
    )


def test_a_saved_version() -> None:
    assert audit_sentence(_entry("version.add", version=3)) == "Anna Beispiel speicherte Version 3"
    assert audit_sentence(_entry("version.add", version=3), "en") == "Anna Beispiel saved version 3"


def test_a_status_change_with_override_gives_the_reason() -> None:
    entry = _entry(
        "process.status",
        **{"from": "Entwurf", "to": "fachlich freigegeben"},
        lint_errors=[{"rule": "label-required"}],
        override="Beschriftung folgt",
    )
    assert audit_sentence(entry) == (
        "Anna Beispiel setzte den Status von „Entwurf“ auf „fachlich freigegeben“ "
        "(trotz 1 Lint-Fehler: Beschriftung folgt)"
    )
    assert "despite 1 lint error: Beschriftung folgt" in audit_sentence(entry, "en")


def test_a_withdrawn_release_names_the_version() -> None:
    entry = _entry(
        "process.status",
        **{"from": "fachlich freigegeben", "to": "in Bearbeitung"},
        version=4,
        lint_errors=[{}, {}],
    )
    assert audit_sentence(entry) == (
        "Anna Beispiel setzte mit Version 4 (2 Lint-Fehler) den Status von „fachlich freigegeben“ "
        "auf „in Bearbeitung“ zurück"
    )


@pytest.mark.parametrize(
    ("action", "details", "german"),
    [
        ("process.create", {"version": 1, "name": "Hund"}, "legte den Prozess „Hund“ mit Version 1 an"),
        ("version.restore", {"version": 4, "restored_from": 2}, "stellte Version 2 als Version 4 wieder her"),
        ("fim.import", {"version": 2, "leika": "99001001000000", "fim_version": "1.2", "activity_groups": 5},
         "importierte den FIM-Stammprozess 99001001000000 (FIM-Version 1.2, 5 Aktivitätengruppen) als Version 2"),
        ("process.derive", {"version": 1, "derived_from": "stamm", "stamm_version": 3},
         "leitete den Prozess aus dem Stammprozess „stamm“, Version 3, ab"),
        ("stamm.review", {"stamm": "stamm", "from": 1, "to": 2},
         "glich den Prozess mit dem Stammprozess „stamm“ ab (Version 1 → 2)"),
        ("process.reference_log", {"from": None, "to": "log-1"}, "wählte das Referenzprotokoll „log-1“"),
        ("process.delete", {}, "löschte den Prozess (ausgeblendet; der Verlauf bleibt)"),
        ("mapping.save", {"version": 2, "pairs": 7}, "bestätigte 7 Zuordnungen von Protokollschritten zu Version 2"),
    ],
)  # fmt: skip
def test_every_registry_action_reads_as_a_sentence(action: str, details: dict, german: str) -> None:
    assert audit_sentence(_entry(action, **details)) == f"Anna Beispiel {german}"
    english = audit_sentence(_entry(action, **details), "en")
    assert english.startswith("Anna Beispiel ") and action not in english


def test_a_process_registered_as_released_by_override() -> None:
    entry = _entry(
        "process.status", **{"from": None, "to": "fachlich freigegeben"}, version=1,
        lint_errors=[{}, {}], override="Altbestand",
    )  # fmt: skip
    assert audit_sentence(entry) == (
        "Anna Beispiel registrierte den Prozess als „fachlich freigegeben“ "
        "(trotz 2 Lint-Fehlern: Altbestand)"
    )


@pytest.mark.parametrize(
    ("action", "key", "details", "german"),
    [
        ("log.import", "log-7", {}, "importierte das Ereignisprotokoll „log-7“"),
        ("log.delete", "log-7", {"reason": "Frist abgelaufen"},
         "löschte das Ereignisprotokoll „log-7“ (Frist abgelaufen)"),
        ("report.save", "report:3", {"title": "Quartal"}, "speicherte den Bericht „Quartal“"),
        ("report.delete", "report:3", {"title": "Quartal"}, "löschte den Bericht „Quartal“"),
        ("report.redact", "report:3", {"log_id": "log-7"},
         "entfernte die Zahlen des gelöschten Ereignisprotokolls „log-7“ aus report:3"),
    ],
)  # fmt: skip
def test_log_and_report_actions_read_as_sentences(
    action: str, key: str, details: dict, german: str
) -> None:
    entry = AuditRecord(AT, "Anna Beispiel", action, "log", key, details)
    assert audit_sentence(entry) == f"Anna Beispiel {german}"
    assert action not in audit_sentence(entry, "en")
