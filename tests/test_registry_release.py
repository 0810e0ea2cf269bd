"""The release rule: "fachlich freigegeben" only for a model without lint errors, or by an
audited override with a reason; on SQLite and PostgreSQL alike."""

from __future__ import annotations

import threading

import pytest

from process_registry import (
    ConflictError,
    Registry,
    ReleaseBlockedError,
    ValidationError,
)
from tests.conftest import bpmn_file
from tests.xprozess_fixture import xprozess_file

CLEAN = "miwg-reference/A.1.0.bpmn"
FAULTY = "bpmnlint-rule-examples/label-required-incorrect.bpmn"
RELEASED = "fachlich freigegeben"


def _add(registry: Registry, relative: str, **catalogue: object) -> str:
    return registry.add_process(
        bpmn_file(relative),
        name="Hundesteuer anmelden",
        department="Fachdienst Steuern",
        author="anna",
        leika_key="keine",
        **catalogue,
    ).key


def _status_entries(registry: Registry, key: str) -> list[dict]:
    return [e.details for e in registry.audit_trail(key) if e.action == "process.status"]


def test_a_clean_model_is_released_and_the_change_audited_with_who(registry: Registry) -> None:
    key = _add(registry, CLEAN)
    record = registry.set_status(key, RELEASED, actor="anna")
    assert record.status == RELEASED
    [entry] = [e for e in registry.audit_trail(key) if e.action == "process.status"]
    assert entry.actor == "anna"
    assert entry.details == {"from": "Entwurf", "to": RELEASED}


def test_a_model_with_lint_errors_cannot_be_released(registry: Registry) -> None:
    key = _add(registry, FAULTY)
    with pytest.raises(ReleaseBlockedError) as caught:
        registry.set_status(key, RELEASED, actor="anna")
    message = str(caught.value)
    assert "label-required" in message and "3 Lint-Fehler" in message
    assert {f.rule for f in caught.value.findings} == {"label-required"}
    assert registry.get_process(key).status == "Entwurf"
    assert _status_entries(registry, key) == []


def test_catalogue_edit_cannot_release_around_the_rule(registry: Registry) -> None:
    key = _add(registry, FAULTY)
    revision = registry.get_process(key).revision
    with pytest.raises(ReleaseBlockedError):
        registry.update_process(
            key, {"status": RELEASED, "owner": "Team A"}, expected_revision=revision, actor="x"
        )
    record = registry.get_process(key)
    assert (record.status, record.owner, record.revision) == ("Entwurf", None, revision)


def test_override_with_reason_releases_and_is_audited(registry: Registry) -> None:
    key = _add(registry, FAULTY)
    registry.set_status(key, RELEASED, actor="anna", override_lint="Beschriftung folgt mit v2")
    assert registry.get_process(key).status == RELEASED
    [details] = _status_entries(registry, key)
    assert details["override"] == "Beschriftung folgt mit v2"
    assert [f["rule"] for f in details["lint_errors"]] == ["label-required"] * 3


def test_an_empty_override_reason_is_refused(registry: Registry) -> None:
    key = _add(registry, FAULTY)
    with pytest.raises(ValidationError, match="Begründung"):
        registry.set_status(key, RELEASED, actor="anna", override_lint="  ")


def test_other_statuses_need_no_clean_model(registry: Registry) -> None:
    key = _add(registry, FAULTY)
    assert registry.set_status(key, "methodisch freigegeben", actor="anna").status == (
        "methodisch freigegeben"
    )


def test_unknown_status_names_the_allowed_ones(registry: Registry) -> None:
    key = _add(registry, CLEAN)
    with pytest.raises(ValidationError, match="in Planung"):
        registry.set_status(key, "fertig", actor="anna")


def test_set_status_on_a_stale_revision_is_a_conflict(registry: Registry) -> None:
    key = _add(registry, CLEAN)
    revision = registry.get_process(key).revision
    registry.update_process(key, {"owner": "B"}, expected_revision=revision, actor="bob")
    with pytest.raises(ConflictError):
        registry.set_status(key, RELEASED, actor="anna", expected_revision=revision)


def test_a_faulty_new_version_withdraws_the_release(registry: Registry) -> None:
    key = _add(registry, CLEAN)
    registry.set_status(key, RELEASED, actor="anna")
    ref = registry.add_version(key, bpmn_file(FAULTY), author="bob")
    assert (ref.version, ref.status_from, ref.status_to) == (2, RELEASED, "in Bearbeitung")
    assert ref.to_dict()["status"] == {"from": RELEASED, "to": "in Bearbeitung"}
    record = registry.get_process(key)
    assert (record.status, record.updated_by) == ("in Bearbeitung", "bob")
    latest = _status_entries(registry, key)[0]
    assert (latest["from"], latest["to"], latest["version"]) == (RELEASED, "in Bearbeitung", 2)


def test_a_clean_new_version_keeps_the_release(registry: Registry) -> None:
    key = _add(registry, CLEAN)
    registry.set_status(key, RELEASED, actor="anna")
    ref = registry.add_version(key, bpmn_file(CLEAN), author="bob")
    assert ref.status_to is None and ref.to_dict() == {"key": key, "version": 2}
    assert registry.get_process(key).status == RELEASED


def test_a_faulty_version_keeps_the_release_only_by_audited_override(registry: Registry) -> None:
    key = _add(registry, CLEAN)
    registry.set_status(key, RELEASED, actor="anna")
    ref = registry.add_version(key, bpmn_file(FAULTY), author="bob", override_lint="Eilfall")
    assert ref.status_to is None and len(ref.findings) == 3
    assert registry.get_process(key).status == RELEASED
    assert _status_entries(registry, key)[0]["override"] == "Eilfall"


def test_restoring_a_faulty_version_withdraws_the_release(registry: Registry) -> None:
    key = _add(registry, FAULTY)
    registry.add_version(key, bpmn_file(CLEAN), author="anna")
    registry.set_status(key, RELEASED, actor="anna")
    ref = registry.restore_version(key, 1, author="bob")
    assert ref.status_to == "in Bearbeitung"
    assert registry.get_process(key).status == "in Bearbeitung"


def test_release_is_judged_on_the_head_version(registry: Registry) -> None:
    key = _add(registry, FAULTY)
    registry.add_version(key, bpmn_file(CLEAN), author="anna")
    assert registry.set_status(key, RELEASED, actor="anna").status == RELEASED


def test_registering_a_faulty_model_as_released_is_refused(registry: Registry) -> None:
    with pytest.raises(ReleaseBlockedError):
        _add(registry, FAULTY, status=RELEASED)
    assert registry.list_processes() == []


def test_registering_as_released_by_override_is_audited(registry: Registry) -> None:
    key = _add(registry, FAULTY, status=RELEASED, override_lint="Altbestand")
    assert registry.get_process(key).status == RELEASED
    [details] = _status_entries(registry, key)
    assert (details["from"], details["override"]) == (None, "Altbestand")


def test_a_released_stammprozess_keeps_its_federal_status_and_warns_of_lint_errors(
    registry: Registry,
) -> None:
    result = registry.import_fim(
        xprozess_file(bpmn=bpmn_file(FAULTY), groups=()), source="stamm.xml", author="anna"
    )
    assert registry.get_process(result.key).status == RELEASED
    lint_warnings = [w for w in result.warnings if "Lint-Fehler" in w]
    assert len(lint_warnings) == 3 and "label-required" in lint_warnings[0]


def test_a_release_waits_for_a_faulty_version_being_saved_and_sees_it(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race users could lose: the release checks the old, clean head while a faulty version
    is being saved. The release locks the process row first, so it judges the faulty head."""
    key = _add(registry, CLEAN)
    saving, go_on = threading.Event(), threading.Event()
    original = Registry._after_new_version

    def paused(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - wraps a private staticmethod
        answer = original(*args, **kwargs)
        if threading.current_thread().name == "upload":
            saving.set()
            go_on.wait()  # the version is written, the transaction still open
        return answer

    monkeypatch.setattr(Registry, "_after_new_version", staticmethod(paused))
    outcome: list[object] = []

    def release() -> None:
        try:
            outcome.append(registry.set_status(key, RELEASED, actor="anna", expected_revision=1))
        except (ReleaseBlockedError, ConflictError) as err:
            outcome.append(err)

    upload = threading.Thread(
        target=lambda: registry.add_version(key, bpmn_file(FAULTY), author="bob"), name="upload"
    )
    upload.start()
    saving.wait()
    releaser = threading.Thread(target=release)
    releaser.start()
    releaser.join(timeout=1)  # gives the release the chance to overtake; it must wait instead
    go_on.set()
    upload.join()
    releaser.join()
    assert isinstance(outcome[0], ReleaseBlockedError), outcome
    assert registry.get_process(key).status == "Entwurf"
