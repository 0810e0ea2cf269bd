"""Lint a ``BpmnDocument``: a port of bpmnlint's rules plus the city's own conventions.

Rule names and severities are bpmnlint's (``bpmnlint:recommended``), so a finding can be looked
up in bpmnlint's documentation. ``conditional-event`` is not part of ``recommended``; it gets the
severity ``bpmnlint:all`` gives every rule (error). bpmnlint's ``no-overlapping-elements``,
``standard-size``, ``global`` and ``superfluous-label`` are not ported. One deliberate difference:
``start-event-required`` and ``end-event-required`` skip a sub-process drawn collapsed without any
content (a placeholder, as every activity group of a FIM model is).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from . import _rules_events as events
from . import _rules_flow as flow
from . import _rules_gateways as gateways
from . import _rules_labels as labels
from . import _rules_municipal as municipal
from ._index import LintIndex, Report
from .model import BpmnDocument

__all__ = [
    "BPMNLINT_RULES",
    "LINT_RULES",
    "MUNICIPAL_RULES",
    "LintContext",
    "LintFinding",
    "Severity",
    "lint_bpmn",
]

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class LintContext:
    """What the linter may know beyond the file.

    ``resolve_called_element`` answers whether a call activity's target exists (``None``: the
    ``call-activity-resolves`` rule is skipped). ``check_catalogue`` is set when linting a
    registered process; then ``leika_key`` must be a 14-digit key or ``"keine"``.
    ``departments``, when given, are the names a lane may carry.
    """

    resolve_called_element: Callable[[str], bool] | None = None
    leika_key: str | None = None
    check_catalogue: bool = False
    departments: frozenset[str] | None = None


@dataclass(frozen=True)
class LintFinding:
    rule: str
    element: str
    severity: Severity
    message: str

    def to_dict(self) -> dict[str, str]:
        return {
            "rule": self.rule,
            "element": self.element,
            "severity": self.severity,
            "message": self.message,
        }


_Check = Callable[[LintIndex, LintContext], Iterable[Report]]


def _plain(check: Callable[[LintIndex], Iterable[Report]]) -> _Check:
    return lambda ix, _context: check(ix)


_BPMNLINT: dict[str, tuple[Severity, _Check]] = {
    "ad-hoc-sub-process": ("error", _plain(flow.ad_hoc_sub_process)),
    "conditional-event": ("error", _plain(events.conditional_event)),
    "conditional-flows": ("error", _plain(flow.conditional_flows)),
    "end-event-required": ("error", _plain(flow.end_event_required)),
    "event-based-gateway": ("error", _plain(gateways.event_based_gateway)),
    "event-sub-process-typed-start-event": (
        "error",
        _plain(events.event_sub_process_typed_start_event),
    ),
    "fake-join": ("warning", _plain(flow.fake_join)),
    "label-required": ("error", _plain(labels.label_required)),
    "link-event": ("error", _plain(events.link_event)),
    "no-bpmndi": ("error", _plain(labels.no_bpmndi)),
    "no-complex-gateway": ("error", _plain(gateways.no_complex_gateway)),
    "no-disconnected": ("error", _plain(flow.no_disconnected)),
    "no-duplicate-sequence-flows": ("error", _plain(flow.no_duplicate_sequence_flows)),
    "no-gateway-join-fork": ("error", _plain(gateways.no_gateway_join_fork)),
    "no-implicit-end": ("error", _plain(flow.no_implicit_end)),
    "no-implicit-split": ("error", _plain(flow.no_implicit_split)),
    "no-implicit-start": ("error", _plain(flow.no_implicit_start)),
    # bpmnlint lowered this one to a warning in 2026 (bpmn-io/bpmnlint#212).
    "no-inclusive-gateway": ("warning", _plain(gateways.no_inclusive_gateway)),
    "single-blank-start-event": ("error", _plain(events.single_blank_start_event)),
    "single-event-definition": ("error", _plain(events.single_event_definition)),
    "start-event-required": ("error", _plain(flow.start_event_required)),
    "sub-process-blank-start-event": ("error", _plain(events.sub_process_blank_start_event)),
    "superfluous-gateway": ("warning", _plain(gateways.superfluous_gateway)),
    "superfluous-termination": ("warning", _plain(flow.superfluous_termination)),
}


def _leika(ix: LintIndex, context: LintContext) -> Iterable[Report]:
    return municipal.leika_key(ix, context.leika_key) if context.check_catalogue else ()


def _call_activities(ix: LintIndex, context: LintContext) -> Iterable[Report]:
    resolve = context.resolve_called_element
    return () if resolve is None else municipal.call_activity_resolves(ix, resolve)


_MUNICIPAL: dict[str, tuple[Severity, _Check]] = {
    "call-activity-resolves": ("warning", _call_activities),
    "fim-task-label": ("warning", _plain(municipal.fim_task_label)),
    "lane-department": (
        "warning",
        lambda ix, context: municipal.lane_department(ix, context.departments),
    ),
    "leika-key": ("warning", _leika),
}

BPMNLINT_RULES: tuple[str, ...] = tuple(sorted(_BPMNLINT))
MUNICIPAL_RULES: tuple[str, ...] = tuple(sorted(_MUNICIPAL))
LINT_RULES: Mapping[str, Severity] = MappingProxyType(
    {name: severity for name, (severity, _check) in sorted({**_BPMNLINT, **_MUNICIPAL}.items())}
)


def lint_bpmn(doc: BpmnDocument, context: LintContext | None = None) -> list[LintFinding]:
    """All findings for ``doc``, sorted by (rule, element, message)."""
    context = context or LintContext()
    index = LintIndex(doc)
    findings = {
        LintFinding(rule=name, element=report.element, severity=severity, message=report.message)
        for name, (severity, check) in {**_BPMNLINT, **_MUNICIPAL}.items()
        for report in check(index, context)
    }
    return sorted(findings, key=lambda f: (f.rule, f.element, f.message))
