"""A filtered view's conformance check replays only the traces no equal net has seen: the same
figures as a check from scratch, without pm4py's replay and alignments of the known traces."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest

from mining.conformance import VariantCount, _memo, check_conformance, convert_to_petri_net
from process_registry.bpmn import parse_bpmn
from tests.test_conformance_replay import ACTIVITY, LOGS, SAMPLES, by_kind, variants_of

pytestmark = pytest.mark.filterwarnings("ignore:the matrix subclass:PendingDeprecationWarning")


@pytest.fixture
def empty_memo() -> Iterator[None]:
    for memo in (_memo.REPLAYS, _memo.ALIGNMENTS, _memo.PREFIXES):
        memo.clear()
    yield
    for memo in (_memo.REPLAYS, _memo.ALIGNMENTS, _memo.PREFIXES):
        memo.clear()


def _receipt() -> tuple[list[VariantCount], object, object]:
    from mining.conformance import map_activities

    log = pd.read_csv(LOGS / "receipt.csv")
    activities = sorted(log[ACTIVITY].unique())
    doc = parse_bpmn((LOGS / "receipt.bpmn").read_bytes())
    model = convert_to_petri_net(doc, log_activities=activities)
    mapping = map_activities(activities, model.labels, event_names=model.event_names)
    return variants_of(log), model, mapping


def _converted_again() -> object:
    log = pd.read_csv(LOGS / "receipt.csv")
    doc = parse_bpmn((LOGS / "receipt.bpmn").read_bytes())
    return convert_to_petri_net(doc, log_activities=sorted(log[ACTIVITY].unique()))


@pytest.mark.usefixtures("empty_memo")
def test_an_equal_net_converted_anew_has_the_same_key() -> None:
    _, model, _ = _receipt()
    again = _converted_again()
    assert again.net is not model.net
    key = _memo.net_key
    assert key(again.net, again.initial_marking, again.final_marking) == key(
        model.net, model.initial_marking, model.final_marking
    )
    other = convert_to_petri_net(parse_bpmn((SAMPLES / "wohngeld.bpmn").read_bytes()))
    assert key(other.net, other.initial_marking, other.final_marking) != key(
        model.net, model.initial_marking, model.final_marking
    )


@pytest.mark.usefixtures("empty_memo")
def test_a_filtered_view_replays_only_what_it_has_not_seen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    variants, model, mapping = _receipt()
    check_conformance(variants, model, mapping)  # the whole log, as the page opens
    # A period of the log: fewer cases per variant, some variants gone; a net converted anew.
    part = [
        VariantCount(v.activities, max(1, v.cases // 3), v.example_cases)
        for v in variants[: len(variants) // 2]
    ]
    again = _converted_again()
    from pm4py.algo.conformance.alignments.petri_net.variants import dijkstra_less_memory
    from pm4py.algo.conformance.tokenreplay import algorithm as replayer

    calls: list[str] = []
    for module, name in ((replayer, "replay"), (dijkstra_less_memory, "alignment")):
        original = module.apply

        def counting(*args, _original=original, _name=name, **kwargs):  # type: ignore[no-untyped-def]
            calls.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(module, "apply", counting)
    remembered = check_conformance(part, again, mapping)
    assert calls == []  # every trace and prefix of the part was met with the whole log
    monkeypatch.undo()

    for memo in (_memo.REPLAYS, _memo.ALIGNMENTS, _memo.PREFIXES):
        memo.clear()
    fresh = check_conformance(part, _converted_again(), mapping)
    assert remembered.fitness == fresh.fitness
    assert remembered.precision == fresh.precision
    assert remembered.fitting_cases_share == fresh.fitting_cases_share
    assert [d.to_dict() for d in remembered.deviations] == [d.to_dict() for d in fresh.deviations]
    assert by_kind(remembered, "skipped") == by_kind(fresh, "skipped")
    assert remembered.notes == fresh.notes
