"""Conformance on FIM Stammprozesse (issue 16): activity groups are the tasks a log is checked on.

A FIM model draws each activity group as a collapsed sub-process without content, next to a
collapsed applicant pool that exchanges messages with it (see tests/xprozess_fixture.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from mining.conformance import (
    ConformanceResult,
    ConvertedModel,
    VariantCount,
    check_conformance,
    convert_to_petri_net,
    map_activities,
)
from process_registry.bpmn import parse_bpmn
from tests.xprozess_fixture import DEFAULT_GROUPS, fim_bpmn

pytestmark = pytest.mark.filterwarnings("ignore:the matrix subclass:PendingDeprecationWarning")

GROUPS = [g.name for g in DEFAULT_GROUPS]
ANTRAG, FORMELL, SACHLICH, ENTSCHEIDUNG, BESCHEID = GROUPS
INCLUSIVE = ("sp_formell", "sp_sachlich")
METHODS = ["token_replay", "alignments"]


def model_of(bpmn: bytes, activities: Sequence[str] = GROUPS) -> ConvertedModel:
    return convert_to_petri_net(parse_bpmn(bpmn), log_activities=activities)


def check(model: ConvertedModel, *traces: Sequence[str], method: str) -> ConformanceResult:
    variants = [VariantCount(tuple(t), 1, (f"F{n}",)) for n, t in enumerate(traces)]
    activities = sorted({a for t in traces for a in t})
    mapping = map_activities(activities, model.labels, event_names=model.event_names)
    return check_conformance(variants, model, mapping, method=method, with_precision=False)


def test_activity_groups_are_the_model_tasks_without_notes() -> None:
    model = model_of(fim_bpmn())
    assert model.process_id == "Process_stamm"
    assert model.labels == set(GROUPS)
    # Neither the groups (they are the tasks the log records), nor the applicant's pool, nor
    # its message flows are worth a note.
    assert model.notes == ()


@pytest.mark.parametrize("method", METHODS)
def test_conforming_cases_fit(method: str) -> None:
    result = check(model_of(fim_bpmn()), GROUPS, method=method)
    assert result.fitness == pytest.approx(1.0)
    assert result.fitting_cases_share == 1.0
    assert result.deviations == ()


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(
    ("trace", "kind", "activity"),
    [
        ([ANTRAG, FORMELL, ENTSCHEIDUNG, BESCHEID], "skipped", SACHLICH),
        ([ANTRAG, SACHLICH, FORMELL, ENTSCHEIDUNG, BESCHEID], None, None),
    ],
    ids=["skipped-group", "swapped-groups"],
)
def test_skipping_or_swapping_a_group_loses_fitness(
    method: str, trace: list[str], kind: str | None, activity: str | None
) -> None:
    result = check(model_of(fim_bpmn()), trace, method=method)
    assert result.fitness < 1.0
    assert result.fitting_cases_share == 0.0
    assert result.deviations
    if kind is not None:
        assert (kind, activity) in {(d.kind, d.activity) for d in result.deviations}


@pytest.mark.parametrize("method", METHODS)
def test_applicant_pool_and_message_flows_do_not_change_the_result(method: str) -> None:
    traces = [
        GROUPS,
        [ANTRAG, FORMELL, ENTSCHEIDUNG, BESCHEID],
        [ANTRAG, SACHLICH, FORMELL, ENTSCHEIDUNG, BESCHEID, BESCHEID],
    ]
    with_pool = model_of(fim_bpmn())
    without = model_of(fim_bpmn(with_applicant=False))
    assert with_pool.notes == without.notes == ()
    assert check(with_pool, *traces, method=method) == check(without, *traces, method=method)


def test_groups_the_log_does_not_record_are_named_in_one_note() -> None:
    # A log of the steps inside "Anspruch sachlich prüfen" cannot be placed on that group: the
    # user must learn the model has no detail for it.
    logged = [ANTRAG, FORMELL, "Einkommen prüfen", ENTSCHEIDUNG, BESCHEID]
    [note] = model_of(fim_bpmn(), logged).notes
    assert note.startswith("Unterprozesse ohne Inhalt gelten als je eine Aufgabe")
    assert "„Anspruch sachlich prüfen“ (sp_sachlich)" in note
    assert "sp_formell" not in note
    [unlogged] = model_of(fim_bpmn(), ()).notes
    assert all(f"({g.sub_process_id})" in unlogged for g in DEFAULT_GROUPS)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(
    "between",
    [[FORMELL, SACHLICH], [SACHLICH, FORMELL], [FORMELL], [SACHLICH]],
    ids=["both", "both-swapped", "formal-only", "factual-only"],
)
def test_inclusive_gateway_lets_either_or_both_checks_fit(method: str, between: list[str]) -> None:
    model = model_of(fim_bpmn(inclusive_between=INCLUSIVE))
    result = check(model, [ANTRAG, *between, ENTSCHEIDUNG, BESCHEID], method=method)
    assert result.fitness == pytest.approx(1.0)
    assert result.fitting_cases_share == 1.0


@pytest.mark.parametrize("method", METHODS)
def test_inclusive_gateway_refuses_a_repeated_check(method: str) -> None:
    model = model_of(fim_bpmn(inclusive_between=INCLUSIVE))
    trace = [ANTRAG, FORMELL, SACHLICH, FORMELL, ENTSCHEIDUNG, BESCHEID]
    assert check(model, trace, method=method).fitting_cases_share == 0.0


def test_inclusive_gateway_note_says_taking_no_branch_also_fits() -> None:
    # pm4py's approximation lets a case skip both checks, which BPMN's inclusive gateway does
    # not allow; the note must say so, once, at the splitting gateway.
    model = model_of(fim_bpmn(inclusive_between=INCLUSIVE))
    [note] = model.notes
    assert "„Prüfungen nötig?“ (or_split)" in note and "auch keiner" in note
    result = check(model, [ANTRAG, ENTSCHEIDUNG, BESCHEID], method="token_replay")
    assert result.fitting_cases_share == 1.0


def test_the_log_of_the_groups_picks_the_fim_process() -> None:
    # A second, larger pool: without the groups counting as steps, size would decide.
    pool = '<bpmn:participant id="Participant_archiv" name="Archiv" processRef="Process_archiv"/>'
    tasks = "".join(f'<bpmn:task id="o{n}" name="Akte {n} ablegen"/>' for n in range(8))
    bpmn = (
        fim_bpmn()
        .decode()
        .replace("</bpmn:collaboration>", pool + "</bpmn:collaboration>")
        .replace("<bpmndi:BPMNDiagram", f'<bpmn:process id="Process_archiv">{tasks}</bpmn:process>'
                 "<bpmndi:BPMNDiagram")
    )  # fmt: skip
    assert model_of(bpmn.encode()).process_id == "Process_stamm"
