"""A log's activities against the registered models: the model check of an import and the
suggested process of an unlinked upload (:class:`mining.ModelReview`, used by
:meth:`mining.LogStore.import_file` and the upload wizard).

The model of a process is its current version with the processes its call activities name
(the registry inlines them in the conformance check too, so a Hundesteuer log's fee steps count
as the Hundesteuer's). A log activity counts as a model step when :func:`mining.map_activities`
pairs it: exactly, after normalization, or by the mapping the office confirmed for that version.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from mining import ActivityOverlap, map_activities
from process_registry import BpmnDocument, Registry

__all__ = ["RegistryModelReview", "model_review"]


@dataclass(frozen=True)
class _Model:
    name: str
    tasks: frozenset[str]
    events: frozenset[str]
    confirmed: dict[str, str]


class RegistryModelReview:
    """:class:`mining.ModelReview` over one registry; models are read once per instance (one
    import, one wizard step)."""

    def __init__(self, registry: Registry, *, keys: Collection[str] | None = None) -> None:
        self.registry = registry
        # The processes a suggestion may name (a department's user: its own); None: all.
        self.keys = None if keys is None else frozenset(keys)
        self._models: dict[str, _Model | None] = {}
        self._owners: dict[str, str] | None = None

    def overlap(self, process_key: str, activities: Sequence[str]) -> ActivityOverlap | None:
        model = self._model(process_key)
        if model is None:
            return None
        names = list(dict.fromkeys(activities))
        mapping = map_activities(
            names, sorted(model.tasks), event_names=sorted(model.events), manual=model.confirmed
        )
        mapped = [a for a in names if a in mapping.pairs]
        covered = {mapping.pairs[a] for a in mapped} & model.tasks
        return ActivityOverlap(
            process_key=process_key,
            process_name=model.name,
            activities=len(names),
            mapped=len(mapped),
            model_tasks=len(model.tasks),
            covered=len(covered),
            unmapped=tuple(a for a in names if a not in mapping.pairs),
        )

    def suggest(self, activities: Sequence[str]) -> ActivityOverlap | None:
        """The process whose model maps the largest share of ``activities``; of equal shares,
        the one whose model the log covers most (a shared sub-process maps the fee steps of
        every log that calls it, but covers only itself)."""
        keys = [p.key for p in self.registry.list_processes() if p.versions]
        if self.keys is not None:
            keys = [key for key in keys if key in self.keys]
        found = [o for key in keys if (o := self.overlap(key, activities)) is not None]
        found = [o for o in found if o.mapped]
        if not found:
            return None
        return max(found, key=lambda o: (o.share, o.model_share, o.mapped, o.process_key))

    def _model(self, key: str) -> _Model | None:
        if key not in self._models:
            self._models[key] = self._read_model(key)
        return self._models[key]

    def _read_model(self, key: str) -> _Model | None:
        record = self.registry.get_process(key)
        if record.head is None:
            return None
        tasks: set[str] = set()
        events: set[str] = set()
        self._collect(self.registry.get_document(key, record.head.number), tasks, events, {key})
        saved = self.registry.activity_mapping(key, record.head.number)
        # A confirmed pair whose step the current model no longer has is the conformance
        # check's to report (map_activities refuses it); here it simply does not count.
        confirmed = {a: label for a, label in saved.items() if label in tasks | events}
        return _Model(record.name, frozenset(tasks), frozenset(events), confirmed)

    def _collect(
        self, document: BpmnDocument, tasks: set[str], events: set[str], seen: set[str]
    ) -> None:
        # A sub-process without content is one step, as in the conformance check: the activity
        # groups of a FIM model are drawn that way and are the steps its logs record.
        containers = {node.container for node in document.nodes}
        for node in document.nodes:
            is_step = node.kind == "task" or (
                node.kind == "sub_process" and node.id not in containers
            )
            if node.name and is_step:
                tasks.add(" ".join(node.name.split()))
            elif node.name and node.kind == "event":
                events.add(" ".join(node.name.split()))
            elif node.kind == "call_activity" and node.called_element:
                owner = self._owner(node.called_element)
                if owner is not None and owner not in seen:
                    seen.add(owner)
                    self._collect(self.registry.get_document(owner), tasks, events, seen)

    def _owner(self, called: str) -> str | None:
        if self._owners is None:
            self._owners = self.registry.called_element_owners()
        return self._owners.get(called)


def model_review(registry: Registry, *, keys: Collection[str] | None = None) -> RegistryModelReview:
    """The model check for :meth:`mining.LogStore.import_file` (``review=``) and the wizard;
    ``keys`` limits which processes a suggestion may name."""
    return RegistryModelReview(registry, keys=keys)
