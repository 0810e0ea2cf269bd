"""Registry BPMN → Petri net: every reference model converts or fails clearly; the net behaves."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pytest

from mining.conformance import (
    ConvertedModel,
    ModelConversionError,
    VariantCount,
    check_conformance,
    convert_to_petri_net,
    map_activities,
)
from mining.errors import MiningError
from process_registry.bpmn import BpmnDocument, parse_bpmn

TESTS = Path(__file__).parent
BPMN_DATA = TESTS / "data" / "bpmn"
SAMPLES = TESTS.parent / "bpmn_models"
LOG_MODELS = TESTS / "data" / "logs"

REFERENCE = sorted((BPMN_DATA / "miwg-reference").glob("*.bpmn"))
TOOL_EXPORTS = sorted((BPMN_DATA / "miwg-tool-exports").glob("*/*.bpmn"))
VENDOR = sorted((BPMN_DATA / "bpmn-moddle-vendor").glob("*.bpmn"))
SAMPLE_FILES = sorted(SAMPLES.glob("*.bpmn"))


def load(path: Path) -> BpmnDocument:
    return parse_bpmn(path.read_bytes(), source=path.name)


def miwg_resolver() -> dict[str, BpmnDocument]:
    """Process id → document over the reference set (C.9.0 calls C.9.2, which calls C.9.1)."""
    by_process: dict[str, BpmnDocument] = {}
    for path in REFERENCE:
        doc = load(path)
        for process in doc.processes:
            by_process.setdefault(process.id, doc)
    return by_process


def sample_resolver(key: str) -> BpmnDocument | None:
    path = SAMPLES / f"{key}.bpmn"
    return load(path) if path.exists() else None


def fits(model: ConvertedModel, trace: Sequence[str]) -> bool:
    """Whether the trace aligns with the model without a single deviation."""
    mapping = map_activities(trace, model.labels)
    result = check_conformance(
        [VariantCount(tuple(trace), 1)],
        model,
        mapping,
        method="alignments",
        with_precision=False,
        time_budget_s=30,
    )
    return result.fitness == 1.0 and result.fitting_cases_share == 1.0


def bpmn(body: str, *, definitions_id: str = "D", process_id: str = "P") -> BpmnDocument:
    """A small hand-written model: ``body`` goes inside one process."""
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        f'id="{definitions_id}" targetNamespace="t">'
        f'<process id="{process_id}">{body}</process></definitions>'
    )
    return parse_bpmn(xml.encode())


def flows(*pairs: str) -> str:
    return "".join(
        f'<sequenceFlow id="F{n}" sourceRef="{pair.split(">")[0]}" targetRef="{pair.split(">")[1]}"/>'
        for n, pair in enumerate(pairs)
    )


# -- every file we hold converts or fails with a domain error --------------------------------


@pytest.mark.parametrize(
    "path", REFERENCE + TOOL_EXPORTS + VENDOR, ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_reference_models_convert_or_fail_clearly(path: Path) -> None:
    doc = load(path)
    resolver = miwg_resolver()
    try:
        model = convert_to_petri_net(doc, resolve_call=resolver.get)
    except ModelConversionError as error:
        assert isinstance(error, MiningError) and isinstance(error, ValueError)
        assert str(error)
        return
    task_names = {n.name for n in doc.nodes if n.name}
    for other in resolver.values():
        task_names |= {n.name for n in other.nodes if n.name}
    assert model.labels <= task_names
    assert model.process_id in doc.processes_by_id
    assert model.initial_marking and model.final_marking


def test_all_reference_models_and_tool_exports_convert() -> None:
    """Today every one converts (with call activities resolved across the reference set)."""
    resolver = miwg_resolver()
    for path in REFERENCE + TOOL_EXPORTS:
        convert_to_petri_net(load(path), resolve_call=resolver.get)
    assert len(REFERENCE) == 21 and len(TOOL_EXPORTS) == 3


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.stem)
def test_sample_models_convert_to_sound_nets(path: Path) -> None:
    """Every trace the net can play out replays perfectly: no token is lost or left behind."""
    import pm4py
    from pm4py.algo.simulation.playout.petri_net import algorithm as playout

    model = convert_to_petri_net(load(path), resolve_call=sample_resolver)
    log = playout.apply(
        model.net,
        model.initial_marking,
        final_marking=model.final_marking,
        parameters={"noTraces": 150},
    )
    fitness = pm4py.fitness_token_based_replay(
        log, model.net, model.initial_marking, model.final_marking
    )
    assert fitness["log_fitness"] == pytest.approx(1.0)
    assert all(trace[-1]["concept:name"] in model.labels for trace in log if len(trace))


def test_sample_models_are_eight() -> None:
    assert len(SAMPLE_FILES) == 8


@pytest.mark.parametrize("key", ["anwohnerparkausweis", "baugenehmigung", "gewerbeanmeldung"])
def test_call_activity_inlines_gebuehren_erheben(key: str) -> None:
    model = convert_to_petri_net(load(SAMPLES / f"{key}.bpmn"), resolve_call=sample_resolver)
    fee_tasks = {n.name for n in load(SAMPLES / "gebuehren-erheben.bpmn").tasks}
    assert fee_tasks <= model.labels
    assert any("gebuehren-erheben" in note for note in model.notes)
    inlined = {t.name for t in model.net.transitions if t.label == "Gebühr berechnen"}
    assert inlined == {"Activity_GebuehrenErheben/Activity_GebuehrBerechnen"}


def test_unresolvable_call_activity_names_it() -> None:
    with pytest.raises(ModelConversionError, match="Activity_GebuehrenErheben") as info:
        convert_to_petri_net(load(SAMPLES / "baugenehmigung.bpmn"))
    assert info.value.element == "Activity_GebuehrenErheben"
    assert "gebuehren-erheben" in str(info.value)


def test_failing_resolver_becomes_a_conversion_error() -> None:
    def broken(key: str) -> BpmnDocument | None:
        raise OSError("Registry nicht erreichbar")

    with pytest.raises(ModelConversionError, match="nicht geladen werden"):
        convert_to_petri_net(load(SAMPLES / "gewerbeanmeldung.bpmn"), resolve_call=broken)


def test_call_cycle_is_detected() -> None:
    ping = bpmn(
        '<startEvent id="S"/><callActivity id="C" name="Pong rufen" calledElement="pong"/>'
        '<endEvent id="E"/>' + flows("S>C", "C>E"),
        definitions_id="ping-def",
        process_id="ping",
    )
    pong = bpmn(
        '<startEvent id="S"/><callActivity id="C" name="Ping rufen" calledElement="ping"/>'
        '<endEvent id="E"/>' + flows("S>C", "C>E"),
        definitions_id="pong-def",
        process_id="pong",
    )
    with pytest.raises(ModelConversionError, match="zyklischer Aufruf"):
        convert_to_petri_net(ping, resolve_call={"ping": ping, "pong": pong}.get)


def test_call_depth_is_limited() -> None:
    def chain(key: str) -> BpmnDocument:
        number = int(key.removeprefix("p"))
        return bpmn(
            f'<startEvent id="S"/><callActivity id="C{number}" calledElement="p{number + 1}"/>'
            '<endEvent id="E"/>' + flows(f"S>C{number}", f"C{number}>E"),
            definitions_id=f"d{number}",
            process_id=key,
        )

    with pytest.raises(ModelConversionError, match="verschachtelte Aufrufe"):
        convert_to_petri_net(chain("p0"), resolve_call=chain)


def test_complex_gateway_is_refused_by_name() -> None:
    doc = load(BPMN_DATA / "bpmnlint-rule-examples" / "no-complex-gateway-incorrect.bpmn")
    gateway = next(n for n in doc.nodes if n.type == "complexGateway")
    with pytest.raises(ModelConversionError, match="Komplexes Gateway") as info:
        convert_to_petri_net(doc)
    assert info.value.element == gateway.id
    assert gateway.id in str(info.value)


def test_unknown_process_id_is_an_error() -> None:
    with pytest.raises(ModelConversionError, match="Process_gibtsnicht"):
        convert_to_petri_net(load(SAMPLES / "wohngeld.bpmn"), process_id="Process_gibtsnicht")


# -- pm4py's own importer gives the same net where it works ----------------------------------


@pytest.mark.parametrize("name", ["receipt.bpmn", "running-example.bpmn"])
def test_same_net_as_pm4py_importer(name: str) -> None:
    import pm4py

    path = LOG_MODELS / name
    theirs, _, _ = pm4py.convert_to_petri_net(pm4py.read_bpmn(str(path)))
    ours = convert_to_petri_net(load(path))
    assert len(ours.net.places) == len(theirs.places)
    assert len(ours.net.transitions) == len(theirs.transitions)
    assert len(ours.net.arcs) == len(theirs.arcs)
    assert Counter(t.label for t in ours.net.transitions) == Counter(
        t.label for t in theirs.transitions
    )
    assert ours.notes == ()


# -- collaborations --------------------------------------------------------------------------


def test_collaboration_picks_the_pool_the_log_matches() -> None:
    doc = load(BPMN_DATA / "miwg-reference" / "A.4.1.bpmn")
    pool_1 = convert_to_petri_net(doc, log_activities=["Task 1", "Task 2"])
    pool_2 = convert_to_petri_net(doc, log_activities=["Task 3", "Task 5", "Task 6"])
    assert pool_1.labels == {"Task 1", "Task 2"}
    assert pool_2.labels == {"Task 3", "Task 4", "Task 5", "Task 6"}
    assert any("ignoriert" in note and "Pool 2" in note for note in pool_1.notes)
    chosen = convert_to_petri_net(doc, process_id=pool_1.process_id, log_activities=["Task 3"])
    assert chosen.labels == pool_1.labels


def test_sample_model_black_box_pool_and_its_message_flows_need_no_note() -> None:
    # A collapsed pool has no steps to ignore; naming it in every analysis was noise (issue 16).
    model = convert_to_petri_net(load(SAMPLES / "wohngeld.bpmn"))
    assert model.process_id == "Process_wohngeld"
    assert not any("Antragsteller/in" in note for note in model.notes)
    assert not any("Nachrichtenflüsse" in note for note in model.notes)


def test_message_flows_between_pools_with_processes_are_still_noted() -> None:
    doc = load(BPMN_DATA / "miwg-reference" / "B.1.0.bpmn")
    model = convert_to_petri_net(doc, process_id="WFP-6-1")
    assert any("Nachrichtenflüsse" in note for note in model.notes)
    assert any("ignoriert: Pool" in note for note in model.notes)


# -- behaviour of the net --------------------------------------------------------------------

WOHNGELD_START = ["Antrag im Fachverfahren anlegen", "Antrag prüfen", "Unterlagen nachfordern"]


def test_start_event_becomes_visible_when_logged() -> None:
    doc = load(SAMPLES / "wohngeld.bpmn")
    silent = convert_to_petri_net(doc)
    assert "Wohngeldantrag eingegangen" in silent.event_names
    assert "Wohngeldantrag eingegangen" not in silent.labels
    visible = convert_to_petri_net(doc, event_labels=["Wohngeldantrag eingegangen"])
    assert "Wohngeldantrag eingegangen" in visible.labels
    trace = [
        "Wohngeldantrag eingegangen",
        "Antrag im Fachverfahren anlegen",
        "Antrag prüfen",
        "Wohngeld berechnen",
        "Ablehnungsbescheid erstellen",
        "Ablehnungsbescheid versenden",
    ]
    assert fits(visible, trace)
    assert not fits(visible, trace[1:])
    assert fits(silent, trace[1:])


def test_interrupting_timer_is_an_alternative_exit_with_or_without_the_host() -> None:
    model = convert_to_petri_net(load(SAMPLES / "wohngeld.bpmn"))
    timeout = ["Versagungsbescheid erstellen", "Versagungsbescheid versenden"]
    assert fits(model, [*WOHNGELD_START, *timeout])
    assert fits(model, [*WOHNGELD_START, "Nachgereichte Unterlagen entgegennehmen", *timeout])
    assert not fits(model, [*WOHNGELD_START[:2], *timeout])


def test_non_interrupting_timer_is_an_optional_parallel_branch() -> None:
    model = convert_to_petri_net(
        load(SAMPLES / "baugenehmigung.bpmn"), resolve_call=sample_resolver
    )
    head = [
        "Bauantrag im Fachverfahren registrieren",
        "Bauantrag auf Vollständigkeit prüfen",
        "Eingang des vollständigen Bauantrags bestätigen",
        "Planungsrechtliche Stellungnahme abgeben",
        "Brandschutztechnische Stellungnahme abgeben",
    ]
    tail = ["Ablehnungsbescheid erstellen", "Ablehnungsbescheid zustellen"]
    escalate = "Fristgefährdung eskalieren"
    assert fits(model, [*head, "Bauvorhaben prüfen", *tail])
    assert fits(model, [*head, escalate, "Bauvorhaben prüfen", *tail])
    assert fits(model, [*head, "Bauvorhaben prüfen", escalate, *tail])
    assert fits(model, [*head, "Bauvorhaben prüfen", tail[0], escalate, tail[1]])
    assert not fits(model, [escalate, *head, "Bauvorhaben prüfen", *tail])
    assert not fits(model, [*head, "Bauvorhaben prüfen", escalate, escalate, *tail])


def test_parallel_branches_ending_separately_are_joined() -> None:
    """A.4.1, pool 2: Task 3 splits implicitly; both branches end in their own end event."""
    model = convert_to_petri_net(
        load(BPMN_DATA / "miwg-reference" / "A.4.1.bpmn"), log_activities=["Task 3"]
    )
    assert fits(model, ["Task 3", "Task 4", "Task 5", "Task 6"])
    assert fits(model, ["Task 3", "Task 6", "Task 4", "Task 5"])
    assert not fits(model, ["Task 3", "Task 4", "Task 5"])


def test_event_sub_process_is_ignored_with_a_note() -> None:
    resolver = miwg_resolver()
    model = convert_to_petri_net(
        load(BPMN_DATA / "miwg-reference" / "C.9.2.bpmn"), resolve_call=resolver.get
    )
    assert any("Ereignis-Unterprozess" in note for note in model.notes)


def test_call_activity_resolved_from_another_file_is_inlined() -> None:
    """C.9.0 calls ManualCheck (C.9.2); its call of requestDocument_en sits in an event
    sub-process, which is ignored, so that third file is not needed."""
    resolver = miwg_resolver()
    model = convert_to_petri_net(
        load(BPMN_DATA / "miwg-reference" / "C.9.0.bpmn"), resolve_call=resolver.get
    )
    assert "Decide on application" in model.labels
    assert "Request document" not in model.labels
    assert any("ManualCheck" in note and "eingefügt" in note for note in model.notes)


def test_ad_hoc_sub_process_allows_any_order_and_repetition() -> None:
    doc = bpmn(
        '<startEvent id="S"/><adHocSubProcess id="AH" name="Prüfungen">'
        '<task id="A" name="Akte lesen"/><task id="B" name="Rückfrage stellen"/>'
        '</adHocSubProcess><task id="C" name="Entscheiden"/><endEvent id="E"/>'
        + flows("S>AH", "AH>C", "C>E")
    )
    model = convert_to_petri_net(doc)
    assert fits(model, ["Rückfrage stellen", "Akte lesen", "Akte lesen", "Entscheiden"])
    assert fits(model, ["Entscheiden"])
    assert not fits(model, ["Entscheiden", "Akte lesen"])


def test_link_events_continue_at_their_catch() -> None:
    doc = bpmn(
        '<startEvent id="S"/><task id="A" name="Erfassen"/>'
        '<intermediateThrowEvent id="LT" name="weiter"><linkEventDefinition name="L1"/>'
        "</intermediateThrowEvent>"
        '<intermediateCatchEvent id="LC" name="weiter"><linkEventDefinition name="L1"/>'
        '</intermediateCatchEvent><task id="B" name="Abschließen"/><endEvent id="E"/>'
        + flows("S>A", "A>LT", "LC>B", "B>E")
    )
    model = convert_to_petri_net(doc)
    assert fits(model, ["Erfassen", "Abschließen"])
    assert not fits(model, ["Erfassen"])


def test_implicit_parallel_and_conditional_splits() -> None:
    doc = bpmn(
        '<startEvent id="S"/><task id="A" name="A"/><task id="B" name="B"/>'
        '<task id="C" name="C"/><parallelGateway id="J"/><endEvent id="E"/>'
        + flows("S>A", "A>B", "A>C", "B>J", "C>J", "J>E")
    )
    model = convert_to_petri_net(doc)
    assert fits(model, ["A", "C", "B"]) and fits(model, ["A", "B", "C"])
    assert not fits(model, ["A", "B"])


def test_collapsed_sub_process_without_content_is_a_task() -> None:
    doc = bpmn(
        '<startEvent id="S"/><subProcess id="SP" name="Vorprüfung"/><endEvent id="E"/>'
        + flows("S>SP", "SP>E")
    )
    model = convert_to_petri_net(doc)
    assert model.labels == {"Vorprüfung"}
    assert fits(model, ["Vorprüfung"])
