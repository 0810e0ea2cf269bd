"""Registry behaviour a process manager relies on, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from process_registry import (
    ConflictError,
    ProcessExistsError,
    ProcessNotFoundError,
    ProcessStatus,
    Registry,
    ValidationError,
    VersionNotFoundError,
)
from process_registry.models import AppendOnlyViolation, AuditEntry, ModelVersion
from tests.conftest import BPMN_DATA, bpmn_file

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
MIWG_FILES = sorted(
    p.relative_to(BPMN_DATA).as_posix() for p in (BPMN_DATA / "miwg-reference").glob("*.bpmn")
)
TOOL_EXPORTS = sorted(
    p.relative_to(BPMN_DATA).as_posix() for p in (BPMN_DATA / "miwg-tool-exports").rglob("*.bpmn")
)


def _add(registry: Registry, relative: str = "miwg-reference/A.1.0.bpmn", **kwargs) -> str:
    options = {"name": "Testprozess", "department": "Fachdienst Test", "author": "alice"}
    options.update(kwargs)
    return registry.add_process(bpmn_file(relative), file_name=Path(relative).name, **options).key


def _xpath_count(data: bytes, expression: str) -> int:
    tree = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    return len(tree.xpath(expression, namespaces={"b": BPMN_NS}))


def test_miwg_corpus_has_all_reference_models_and_tool_exports() -> None:
    assert len(MIWG_FILES) == 21
    assert len(TOOL_EXPORTS) == 3


@pytest.mark.parametrize("relative", MIWG_FILES + TOOL_EXPORTS)
def test_every_miwg_model_imports_and_exports_its_exact_bytes(
    registry: Registry, relative: str
) -> None:
    key = _add(registry, relative, key="m-" + relative.replace("/", "-").lower()[:80])
    original = bpmn_file(relative)
    exported = registry.export_version(key)
    assert exported == original
    assert registry.get_process(key).head.sha256 == hashlib.sha256(original).hexdigest()


@pytest.mark.parametrize("relative", MIWG_FILES + TOOL_EXPORTS)
def test_show_lists_the_models_tasks_and_flows(registry: Registry, relative: str) -> None:
    key = _add(registry, relative, key="m-" + relative.replace("/", "-").lower()[:80])
    model = registry.get_document(key).to_dict()
    original = bpmn_file(relative)
    task_ids = {t["id"] for p in model["processes"] for t in p["tasks"]}
    # Independent oracle: every element inside a process whose local name ends in "task"
    # (task, userTask, …); globalTask is a root element, not a step of a process.
    expected_tasks = set(
        etree.fromstring(original).xpath(
            "//b:process//b:*[substring(local-name(), string-length(local-name()) - 3) = 'Task' "
            "or local-name() = 'task']/@id",
            namespaces={"b": BPMN_NS},
        )
    )
    assert task_ids == expected_tasks
    assert len(model["sequence_flows"]) == _xpath_count(original, "//b:sequenceFlow")
    assert len(model["message_flows"]) == _xpath_count(original, "//b:messageFlow")
    assert len(model["pools"]) == _xpath_count(original, "//b:participant")


def test_list_shows_catalogue_summary(registry: Registry) -> None:
    _add(
        registry,
        key="hundesteuer",
        name="Hundesteuer anmelden",
        department="Fachdienst Steuern",
        status="fachlich freigegeben",
    )
    [entry] = registry.list_processes()
    assert (entry.key, entry.name, entry.department, entry.status, entry.versions) == (
        "hundesteuer",
        "Hundesteuer anmelden",
        "Fachdienst Steuern",
        "fachlich freigegeben",
        1,
    )


def test_key_defaults_to_a_transliterated_slug_of_the_name(registry: Registry) -> None:
    key = _add(registry, name="Gebührenbescheid für Straßenreinigung")
    assert key == "gebuehrenbescheid-fuer-strassenreinigung"


def test_catalogue_data_is_stored_with_its_maturity_scale(registry: Registry) -> None:
    _add(
        registry,
        key="wohngeld",
        leika_key="99 1060 05 0010 00",
        ozg_service="Wohngeld",
        ozg_maturity_level=5,
        ozg_maturity_scale="2.0",
        legal_basis="§ 22 WoGG",
        annual_case_volume=4200,
        legal_deadline_days=90,
        tags=["OZG", "Soziales", "OZG"],
        valid_from="2025-01-01",
        resubmission_date="2027-06-30",
    )
    record = registry.get_process("wohngeld")
    assert record.leika_key == "99106005001000"
    assert (record.ozg_maturity_level, record.ozg_maturity_scale) == (5, "2.0")
    assert record.tags == ("OZG", "Soziales")
    assert record.valid_from.isoformat() == "2025-01-01"
    assert record.legal_deadline_days == 90


@pytest.mark.parametrize(
    ("catalogue", "reason"),
    [
        ({"status": "genehmigt"}, "Unbekannter Status"),
        ({"ozg_maturity_level": 5, "ozg_maturity_scale": "1.1"}, "außerhalb der Skala 1.1"),
        ({"ozg_maturity_level": 3}, "nur gemeinsam"),
        ({"leika_key": "12345"}, "14 Ziffern"),
        ({"valid_from": "2025-13-01"}, "kein Datum"),
        ({"valid_from": "2025-06-01", "valid_until": "2025-01-01"}, "vor „gültig ab“"),
        ({"annual_case_volume": -3}, "nicht negativ"),
    ],
)
def test_invalid_catalogue_data_is_refused_and_nothing_is_stored(
    registry: Registry, catalogue: dict, reason: str
) -> None:
    with pytest.raises(ValidationError, match=reason):
        _add(registry, key="kaputt", **catalogue)
    assert registry.list_processes() == []
    assert registry.audit_trail() == []


def test_status_accepts_every_fim_value_in_any_case(registry: Registry) -> None:
    for number, status in enumerate(ProcessStatus):
        _add(registry, key=f"p{number}", status=status.value.upper())
        assert registry.get_process(f"p{number}").status == status.value


def test_duplicate_key_is_refused(registry: Registry) -> None:
    _add(registry, key="doppelt")
    with pytest.raises(ProcessExistsError, match="existiert bereits"):
        _add(registry, key="doppelt")
    assert len(registry.get_process("doppelt").versions) == 1


def test_versions_are_append_only_and_numbered(registry: Registry) -> None:
    _add(registry, key="p")
    second = registry.add_version(
        "p", bpmn_file("miwg-reference/A.2.0.bpmn"), author="bob", comment="Gateway ergänzt"
    )
    assert second.version == 2
    versions = registry.get_process("p").versions
    assert [(v.number, v.author, v.comment) for v in versions] == [
        (1, "alice", None),
        (2, "bob", "Gateway ergänzt"),
    ]
    assert registry.export_version("p", 1) == bpmn_file("miwg-reference/A.1.0.bpmn")
    assert registry.export_version("p") == bpmn_file("miwg-reference/A.2.0.bpmn")


def test_restoring_an_old_version_creates_a_new_head(registry: Registry) -> None:
    """docs/RELIABILITY.md item 39: history stays complete and ordered."""
    _add(registry, key="p")
    registry.add_version("p", bpmn_file("miwg-reference/A.2.0.bpmn"), author="bob")
    restored = registry.restore_version("p", 1, author="carol")
    assert restored.version == 3
    versions = registry.get_process("p").versions
    assert [v.number for v in versions] == [1, 2, 3]
    assert versions[2].restored_from == 1
    assert versions[2].sha256 == versions[0].sha256
    assert registry.export_version("p", 2) == bpmn_file("miwg-reference/A.2.0.bpmn")
    assert registry.export_version("p") == bpmn_file("miwg-reference/A.1.0.bpmn")
    assert [e.action for e in registry.audit_trail("p")][:1] == ["version.restore"]


def test_history_is_append_only_in_the_registry_and_only_there(registry: Registry) -> None:
    """Stored versions and audit entries never change through the registry's sessions; a plain
    SQLAlchemy session of another application in the same process is not bound by that rule."""
    _add(registry, key="p")

    def rewrite_version(session: Session) -> None:
        session.scalars(select(ModelVersion)).one().comment = "nachträglich geändert"

    def delete_audit_entry(session: Session) -> None:
        session.delete(session.scalars(select(AuditEntry)).first())

    with pytest.raises(AppendOnlyViolation):
        registry.db.write(rewrite_version)
    with pytest.raises(AppendOnlyViolation):
        registry.db.write(delete_audit_entry)
    assert registry.get_process("p").versions[0].comment is None
    assert len(registry.audit_trail("p")) == 1

    # Another application's own session and database: its flushes are its own business.
    engine = create_engine("sqlite://")
    AuditEntry.__table__.create(engine)
    with Session(engine) as session:
        session.add(AuditEntry(actor="app", action="a", object_type="t", object_key="k"))
        session.commit()
        session.scalars(select(AuditEntry)).one().actor = "changed"
        session.commit()
        session.delete(session.scalars(select(AuditEntry)).one())
        session.commit()
        assert session.scalars(select(AuditEntry)).all() == []
    engine.dispose()


def test_restoring_a_missing_version_names_it(registry: Registry) -> None:
    _add(registry, key="p")
    with pytest.raises(VersionNotFoundError, match="keine Version 7"):
        registry.restore_version("p", 7, author="carol")
    assert len(registry.get_process("p").versions) == 1


def test_unknown_process_is_reported_by_key(registry: Registry) -> None:
    with pytest.raises(ProcessNotFoundError, match="„gibtsnicht“"):
        registry.get_process("gibtsnicht")
    with pytest.raises(ProcessNotFoundError):
        registry.add_version("gibtsnicht", bpmn_file("miwg-reference/A.1.0.bpmn"), author="x")


def test_two_editors_of_the_same_catalogue_state_second_gets_a_conflict(registry: Registry) -> None:
    """docs/RELIABILITY.md item 29 (metadata): nothing is overwritten, the first edit stays."""
    _add(registry, key="p")
    loaded_by_alice = registry.get_process("p").revision
    loaded_by_bob = registry.get_process("p").revision
    registry.update_process(
        "p", {"owner": "Team Alice"}, expected_revision=loaded_by_alice, actor="alice"
    )
    with pytest.raises(ConflictError, match="inzwischen von alice geändert"):
        registry.update_process(
            "p", {"owner": "Team Bob"}, expected_revision=loaded_by_bob, actor="bob"
        )
    record = registry.get_process("p")
    assert record.owner == "Team Alice"
    assert record.revision == loaded_by_alice + 1


def test_two_editors_uploading_on_the_same_base_version_second_gets_a_conflict(
    registry: Registry,
) -> None:
    """docs/RELIABILITY.md item 29 (models): both revisions retained, the second is not silently
    stacked."""
    _add(registry, key="p")
    registry.add_version(
        "p", bpmn_file("miwg-reference/A.2.0.bpmn"), author="alice", base_version=1
    )
    with pytest.raises(ConflictError, match="beruht auf Version 1"):
        registry.add_version(
            "p", bpmn_file("miwg-reference/A.3.0.bpmn"), author="bob", base_version=1
        )
    versions = registry.get_process("p").versions
    assert [(v.number, v.author) for v in versions] == [(1, "alice"), (2, "alice")]


def test_metadata_edits_are_audited_with_old_and_new_values(registry: Registry) -> None:
    _add(registry, key="p")
    revision = registry.get_process("p").revision
    registry.update_process(
        "p",
        {"status": "fachlich freigegeben", "legal_deadline_days": 90},
        expected_revision=revision,
        actor="alice",
    )
    update, status = registry.audit_trail("p")[:2]
    assert update.action == "process.update"
    assert update.actor == "alice"
    assert update.details["changes"] == {"legal_deadline_days": [None, 90]}
    # A status change is its own entry, so the release history reads apart from data edits.
    assert (status.action, status.actor) == ("process.status", "alice")
    assert status.details == {"from": "Entwurf", "to": "fachlich freigegeben"}


def test_soft_deleted_process_disappears_from_lists_but_keeps_its_audit(registry: Registry) -> None:
    _add(registry, key="p")
    registry.delete_process("p", actor="alice")
    assert registry.list_processes() == []
    with pytest.raises(ProcessNotFoundError):
        registry.get_process("p")
    assert [e.action for e in registry.audit_trail("p")] == ["process.delete", "process.create"]


def test_call_activity_targets_include_keys_and_bpmn_process_ids(registry: Registry) -> None:
    _add(registry, "miwg-reference/A.1.0.bpmn", key="a-eins")
    process_ids = registry.get_document("a-eins").to_dict()["processes"]
    targets = registry.called_element_targets()
    assert "a-eins" in targets
    assert {p["id"] for p in process_ids} <= targets


def test_activity_mapping_is_saved_per_model_version(registry: Registry) -> None:
    _add(registry, key="p")
    registry.add_version("p", bpmn_file("miwg-reference/A.2.0.bpmn"), author="bob")
    registry.save_activity_mapping("p", 1, {"Antrag eingegangen": "Task 1"}, actor="alice")
    registry.save_activity_mapping("p", 1, {"Antrag eingegangen": "Task 2"}, actor="alice")
    assert registry.activity_mapping("p", 1) == {"Antrag eingegangen": "Task 2"}
    assert registry.activity_mapping("p", 2) == {}
    with pytest.raises(VersionNotFoundError):
        registry.save_activity_mapping("p", 9, {"a": "b"}, actor="alice")


def test_called_element_owners_name_the_registered_process(registry: Registry) -> None:
    _add(registry, "miwg-reference/A.1.0.bpmn", key="a-eins")
    process_ids = [p["id"] for p in registry.get_document("a-eins").to_dict()["processes"]]
    owners = registry.called_element_owners()
    assert owners["a-eins"] == "a-eins"
    assert all(owners[process_id] == "a-eins" for process_id in process_ids)
