"""FIM Stammprozesse in the registry, on SQLite and PostgreSQL: import, new versions, export,
and local processes that stay linked to their Stammprozess."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import select

from process_registry import (
    ConflictError,
    ProcessExistsError,
    Registry,
    ValidationError,
    read_xprozess,
)
from process_registry.models import AuditEntry, ModelVersion
from tests.xprozess_fixture import DEFAULT_GROUPS, LEIKA, Group, fim_bpmn, xprozess_file

CREATED = dt.datetime(2026, 12, 4, 10, 0)
STAMM = "mutterschaftsleistungen-zuschuss-zahlung"


def _import(registry: Registry, data: bytes | None = None, **options):
    return registry.import_fim(
        data or xprozess_file(), source="stamm.xml", author="anna", **options
    )


def _versions(registry: Registry, key: str) -> int:
    return len(registry.get_process(key).versions)


def test_an_import_registers_the_model_byte_for_byte_with_its_catalogue_data(registry):
    result = _import(registry)
    assert (result.key, result.version, result.leika) == (STAMM, 1, LEIKA)
    assert result.status == "fachlich freigegeben (gold)"
    assert result.activity_groups == len(DEFAULT_GROUPS)
    assert result.created and not result.unchanged and result.warnings == ()
    assert registry.export_version(STAMM) == fim_bpmn()
    record = registry.get_process(STAMM)
    assert record.leika_key == LEIKA and record.fim_id == LEIKA
    assert record.legal_basis == "§ 20 MuSchG; § 27 MuSchG"
    assert record.status == "fachlich freigegeben"
    assert record.valid_from == dt.date(2023, 1, 1)
    assert set(record.tags) == {"Mutterschutz", "Zuschuss", "Arbeitgeber"}
    assert record.department == "FIM-Stammprozesse"
    trail = registry.audit_trail(STAMM)
    assert [(e.action, e.details["leika"]) for e in trail] == [("fim.import", LEIKA)]


def test_each_task_keeps_its_activity_group(registry):
    _import(registry)
    groups = {t.task_name: t.group for t in registry.task_groups(STAMM)}
    assert groups["Antrag empfangen"].type_name == "Information empfangen"
    assert [b.name for b in groups["Anspruch sachlich prüfen"].legal_bases] == ["§ 20 MuSchG"]
    assert len(groups) == len(DEFAULT_GROUPS)


def test_the_same_file_again_stores_nothing(registry):
    _import(registry)
    again = _import(registry)
    assert again.unchanged and (again.key, again.version) == (STAMM, 1)
    assert _versions(registry, STAMM) == 1


def test_a_newer_stammprozess_version_becomes_the_next_version_of_its_entry(registry):
    _import(registry, department="Amt für Familie")
    newer = _import(registry, xprozess_file(version="1.3", keywords=("Mutterschutz", "Neu")))
    assert (newer.key, newer.version, newer.created) == (STAMM, 2, False)
    record = registry.get_process(STAMM)
    assert record.department == "Amt für Familie"  # not reset by a later import
    assert {"Neu", "Zuschuss"} <= set(record.tags)  # keywords added, earlier tags kept
    assert registry.fim_record(STAMM).version == "1.3"
    assert registry.fim_record(STAMM, 1).version == "1.2"


def test_an_older_version_is_refused_and_nothing_stored(registry):
    _import(registry, xprozess_file(version="2.0"))
    with pytest.raises(ValidationError, match="Version 1.10 .* schon auf Version 2.0"):
        _import(registry, xprozess_file(version="1.10"))
    assert _versions(registry, STAMM) == 1


def test_a_key_holding_another_service_is_refused(registry):
    _import(registry)
    other = xprozess_file(leika="99000000000000")
    with pytest.raises(ValidationError, match="99000000000000"):
        _import(registry, other, key=STAMM)
    assert _versions(registry, STAMM) == 1


def test_a_name_taken_by_another_process_asks_for_a_key(registry):
    registry.add_process(
        fim_bpmn(),
        name="Mutterschaftsleistungen Zuschuss Zahlung",
        department="Fachdienst",
        author="bob",
    )
    with pytest.raises(ProcessExistsError, match="--key"):
        _import(registry)
    assert _import(registry, key="fim-muschg").key == "fim-muschg"


def test_a_model_that_does_not_draw_a_group_is_imported_with_a_warning(registry):
    groups = (*DEFAULT_GROUPS, Group("sp_fehlt", "Zahlung anweisen", "06"))
    result = _import(registry, xprozess_file(bpmn=fim_bpmn(DEFAULT_GROUPS), groups=groups))
    assert len(result.warnings) == 1 and "sp_fehlt" in result.warnings[0]
    assert len(registry.task_groups(STAMM)) == len(DEFAULT_GROUPS)


def test_a_broken_embedded_model_stores_nothing(registry):
    with pytest.raises(ValidationError, match="eingebettetes BPMN"):
        _import(registry, xprozess_file(bpmn=b"<bpmn:definitions"))
    assert registry.is_empty()


def test_export_then_import_into_another_registry_keeps_bytes_and_metadata(registry, tmp_path):
    from process_registry import Database, open_database, upgrade_schema

    original = read_xprozess(xprozess_file(), source="stamm.xml")
    _import(registry)
    exported = registry.export_xprozess(STAMM, created=CREATED, product="test")
    assert read_xprozess(exported, source="export.xml").stamm == original.stamm

    other: Database = open_database(f"sqlite:///{tmp_path / 'other.db'}")
    upgrade_schema(other)
    second = Registry(other)
    result = second.import_fim(exported, source="export.xml", author="carla")
    assert second.export_version(result.key) == original.bpmn
    assert second.fim_record(result.key) == original.stamm
    assert second.get_process(result.key).legal_basis == registry.get_process(STAMM).legal_basis


def test_the_export_carries_the_registry_catalogue_data(registry):
    _import(registry)
    record = registry.get_process(STAMM)
    registry.update_process(
        STAMM,
        {"legal_basis": "§ 27 MuSchG; § 1 Landesgesetz", "status": "archiviert", "tags": ["A"]},
        expected_revision=record.revision,
        actor="anna",
    )
    stamm = read_xprozess(
        registry.export_xprozess(STAMM, created=CREATED, product="test"), source="x"
    ).stamm
    assert [b.name for b in stamm.legal_bases] == ["§ 27 MuSchG", "§ 1 Landesgesetz"]
    assert stamm.legal_bases[0].uri  # a basis the file had keeps its link
    assert stamm.status_code == "7" and stamm.keywords == ("A",)


def test_a_process_without_leika_key_cannot_be_exported_as_xprozess(registry):
    registry.add_process(fim_bpmn(), name="Ohne Schlüssel", department="D", author="bob")
    with pytest.raises(ValidationError, match="LeiKa"):
        registry.export_xprozess("ohne-schluessel", created=CREATED, product="test")


def test_a_local_process_is_derived_and_shows_its_diff_to_the_stammprozess(registry):
    _import(registry)
    ref = registry.derive_process(STAMM, key="muschg-lokal", author="bob", department="Jugendamt")
    local = registry.get_process(ref.key)
    assert (local.derived_from, local.derived_version, local.status) == (STAMM, 1, "Entwurf")
    assert local.department == "Jugendamt" and local.leika_key == LEIKA
    assert registry.export_version(ref.key) == registry.export_version(STAMM)
    assert registry.stamm_comparison(ref.key).diff.is_empty

    # The city drops the formal check and renames the decision.
    groups = [g for g in DEFAULT_GROUPS if g.sub_process_id != "sp_formell"]
    local_bpmn = fim_bpmn(groups).replace(
        "Über Antrag entscheiden".encode(), "Über Zuschuss entscheiden".encode()
    )
    registry.add_version(ref.key, local_bpmn, author="bob")
    diff = registry.stamm_comparison(ref.key).diff
    assert [e.id for e in diff.removed] == ["sp_formell"]
    assert [(r.old_name, r.new_name) for r in diff.relabelled] == [
        ("Über Antrag entscheiden", "Über Zuschuss entscheiden")
    ]
    # Relabelled tasks keep their activity group; the removed one is gone.
    tasks = {t.element_id: t.task_name for t in registry.task_groups(ref.key)}
    assert tasks["sp_entscheidung"] == "Über Zuschuss entscheiden"
    assert "sp_formell" not in tasks


def test_a_newer_stammprozess_flags_its_local_processes_until_reviewed(registry):
    _import(registry)
    registry.derive_process(STAMM, key="muschg-lokal", author="bob")
    assert not registry.stamm_comparison("muschg-lokal").review_needed

    _import(registry, xprozess_file(version="1.3", groups=DEFAULT_GROUPS[:4]))
    comparison = registry.stamm_comparison("muschg-lokal")
    assert comparison.review_needed
    assert (comparison.aligned_version, comparison.stamm_version) == (1, 2)
    assert [e.id for e in comparison.stamm_changes.removed] == ["sp_bescheid"]
    flagged = {p.key: p.review_needed for p in registry.list_processes()}
    assert flagged == {STAMM: False, "muschg-lokal": True}
    # The local process keeps the group the Stammprozess dropped.
    assert "sp_bescheid" in {t.element_id for t in registry.task_groups("muschg-lokal")}

    assert registry.mark_stamm_reviewed("muschg-lokal", author="bob") == 2
    assert not registry.stamm_comparison("muschg-lokal").review_needed
    actions = [e.action for e in registry.audit_trail("muschg-lokal")]
    assert actions == ["stamm.review", "process.derive"]


def test_only_a_stammprozess_can_be_derived_from_and_imports_go_to_it(registry):
    _import(registry)
    registry.derive_process(STAMM, key="muschg-lokal", author="bob")
    with pytest.raises(ValidationError, match="lokaler Prozess"):
        registry.derive_process("muschg-lokal", key="enkel", author="bob")
    with pytest.raises(ValidationError, match="lokaler Prozess"):
        _import(registry, key="muschg-lokal")
    with pytest.raises(ValidationError, match="nicht von einem Stammprozess"):
        registry.stamm_comparison(STAMM)


def test_restoring_an_imported_version_restores_its_activity_groups(registry):
    _import(registry)
    _import(registry, xprozess_file(version="1.3", groups=DEFAULT_GROUPS[:2]))
    assert len(registry.task_groups(STAMM)) == 2
    registry.restore_version(STAMM, 1, author="anna")
    assert len(registry.task_groups(STAMM)) == len(DEFAULT_GROUPS)


def test_two_concurrent_imports_of_a_new_stammprozess_make_one_entry(registry, database):
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def run() -> None:
        barrier.wait()
        try:
            outcomes.append(_import(Registry(database)))
        except ConflictError as err:
            outcomes.append(err)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [p.key for p in registry.list_processes()] == [STAMM]
    assert _versions(registry, STAMM) == 1
    created = [o for o in outcomes if not isinstance(o, ConflictError) and o.created]
    assert len(created) == 1
    with database.read() as session:
        assert len(session.scalars(select(ModelVersion)).all()) == 1
        assert len(session.scalars(select(AuditEntry)).all()) == 1


def test_the_analysis_context_knows_each_task_s_activity_group_type(registry):
    from pmo.context import process_context

    _import(registry)
    registry.derive_process(STAMM, key="muschg-lokal", author="bob")
    renamed = fim_bpmn().replace(b"Antrag formell pr", b"Unterlagen formell pr")
    registry.add_version("muschg-lokal", renamed, author="bob")
    facts = process_context(registry, "muschg-lokal").facts
    assert facts.fim_types["Unterlagen formell prüfen"] == "Formelle Prüfung"
    assert facts.fim_types["Über Antrag entscheiden"] == "Entscheidung"
    # An older version is analysed with the names it had.
    assert "Antrag formell prüfen" in process_context(registry, "muschg-lokal", 1).facts.fim_types
