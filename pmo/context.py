"""What the registry knows about a process, gathered for an analysis of its log."""

from __future__ import annotations

from mining import ProcessContext, ProcessFacts, facts_from_model
from process_registry import BpmnDocument, ProcessRecord, Registry, VersionNotFoundError

__all__ = ["fim_types_of", "process_context", "process_facts"]


def process_facts(
    registry: Registry,
    key: str,
    document: BpmnDocument | None = None,
    *,
    record: ProcessRecord | None = None,
    version: int | None = None,
) -> ProcessFacts:
    """The catalogue data of ``key`` (and, given its model version ``document`` — number
    ``version``, default the head — the task types, deciding tasks and FIM activity-group types);
    ``record`` spares reading the process again when the caller has it."""
    record = record or registry.get_process(key)
    task_types, deciding = facts_from_model(document) if document is not None else ({}, frozenset())
    fim_types = {}
    if document is not None and (record.fim_id or record.derived_from):
        fim_types = fim_types_of(registry, key, document, version)
    return ProcessFacts(
        key=key,
        name=record.name,
        annual_case_volume=record.annual_case_volume,
        ozg_maturity_level=record.ozg_maturity_level,
        ozg_maturity_scale=record.ozg_maturity_scale,
        legal_deadline_days=record.legal_deadline_days,
        deadline_starts_with=record.deadline_starts_with,
        deadline_ends_with=record.deadline_ends_with,
        task_types=task_types,
        deciding_tasks=deciding,
        fim_types=fim_types,
    )


def fim_types_of(
    registry: Registry, key: str, document: BpmnDocument, version: int | None = None
) -> dict[str, str]:
    """Task name → FIM activity-group type (its name, else its code) for the tasks of ``document``
    that are activity groups of the process's Stammprozess data."""
    types: dict[str, str] = {}
    for task in registry.task_groups(key, version, document):
        kind = task.group.type_name or task.group.type_code
        if task.task_name and kind:
            types[" ".join(task.task_name.split())] = kind
    return types


def process_context(registry: Registry, key: str, version: int | None = None) -> ProcessContext:
    """Model version ``version`` (default: the head) of ``key`` with its call targets resolved
    from the registry, its saved activity mapping and its catalogue facts."""
    record = registry.get_process(key)
    if record.head is None:
        raise VersionNotFoundError(f"Prozess „{key}“ hat keine Modellversion.")
    number = version if version is not None else record.head.number
    document = registry.get_document(key, number)
    owners = registry.called_element_owners()

    def resolve(called: str) -> BpmnDocument | None:
        owner = owners.get(called)
        return registry.get_document(owner) if owner else None

    return ProcessContext(
        key=key,
        version=number,
        document=document,
        resolve_call=resolve,
        legal_deadline_days=record.legal_deadline_days,
        deadline_starts_with=record.deadline_starts_with,
        deadline_ends_with=record.deadline_ends_with,
        saved_mapping=registry.activity_mapping(key, number),
        facts=process_facts(registry, key, document, record=record, version=number),
    )
