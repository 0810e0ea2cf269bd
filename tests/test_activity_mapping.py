"""Log activity names → model labels: confirmed pairs, suggestions, and the stored form."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mining.conformance import (
    ActivityMapping,
    ActivityMappingError,
    map_activities,
    normalize_activity,
)
from mining.errors import MiningError

MODEL = ["Antrag prüfen", "Bescheid erstellen", "Bescheid versenden", "Zahlung anweisen"]


@pytest.mark.parametrize(
    "name,expected",
    [
        ("Antrag prüfen", "antrag pruefen"),
        ("  ANTRAG   Prüfen ", "antrag pruefen"),
        ("Antrag-Prüfung (Stufe 2)", "antrag pruefung stufe 2"),
        ("Straßenverkehr", "strassenverkehr"),
        ("Antrag pru\u0308fen", "antrag pruefen"),  # decomposed ü from a macOS export
        ("Café-Gebühr", "cafe gebuehr"),
        ("Ölheizung/Öffnung", "oelheizung oeffnung"),
    ],
)
def test_normalize_activity(name: str, expected: str) -> None:
    assert normalize_activity(name) == expected


@pytest.mark.parametrize(
    "log_activity,label,kind",
    [
        # exact
        ("Antrag prüfen", "Antrag prüfen", "exact"),
        # normalized: case, whitespace, umlaut spelling, punctuation
        ("antrag prüfen", "Antrag prüfen", "normalized"),
        ("Antrag  pruefen", "Antrag prüfen", "normalized"),
        ("BESCHEID-ERSTELLEN", "Bescheid erstellen", "normalized"),
        ("Bescheid erstellen.", "Bescheid erstellen", "normalized"),
    ],
)
def test_confirmed_pairs(log_activity: str, label: str, kind: str) -> None:
    mapping = map_activities([log_activity], MODEL)
    assert mapping.pairs == {log_activity: label}
    assert mapping.kinds == {log_activity: kind}
    assert log_activity not in mapping.unmapped_log


def test_similar_names_are_only_suggested() -> None:
    mapping = map_activities(["Prüfung des Antrags", "Bescheid erstellt", "Kaffee kochen"], MODEL)
    assert mapping.pairs == {}
    assert mapping.suggestions["Prüfung des Antrags"][0][0] == "Antrag prüfen"
    assert mapping.suggestions["Bescheid erstellt"][0][0] == "Bescheid erstellen"
    assert "Kaffee kochen" not in mapping.suggestions
    for options in mapping.suggestions.values():
        scores = [score for _, score in options]
        assert scores == sorted(scores, reverse=True)
        assert all(score >= 0.6 for score in scores)
        assert len(options) <= 3
    assert mapping.unmapped_log == ("Prüfung des Antrags", "Bescheid erstellt", "Kaffee kochen")
    assert set(mapping.unmapped_model) == set(MODEL)


def test_manual_pair_wins_over_exact_and_normalized() -> None:
    mapping = map_activities(
        ["Antrag prüfen", "Freigabe"],
        MODEL,
        manual={"Antrag prüfen": "Bescheid erstellen", "Freigabe": "Zahlung anweisen"},
    )
    assert mapping.pairs == {"Antrag prüfen": "Bescheid erstellen", "Freigabe": "Zahlung anweisen"}
    assert mapping.kinds == {"Antrag prüfen": "manual", "Freigabe": "manual"}
    assert mapping.unmapped_model == ("Antrag prüfen", "Bescheid versenden")


def test_manual_pair_to_unknown_label_is_an_error() -> None:
    with pytest.raises(ActivityMappingError, match="Bescheid drucken") as info:
        map_activities(["Druck"], MODEL, manual={"Druck": "Bescheid drucken"})
    assert isinstance(info.value, MiningError) and isinstance(info.value, ValueError)


def test_event_names_are_targets_but_never_unmapped_model() -> None:
    mapping = map_activities(
        ["Antrag eingegangen", "antrag prüfen"], MODEL, event_names=["Antrag eingegangen"]
    )
    assert mapping.pairs == {
        "Antrag eingegangen": "Antrag eingegangen",
        "antrag prüfen": "Antrag prüfen",
    }
    assert "Antrag eingegangen" not in mapping.unmapped_model


def test_two_targets_normalizing_alike_stay_a_suggestion() -> None:
    mapping = map_activities(["ANTRAG PRÜFEN"], ["Antrag prüfen", "Antrag pruefen"])
    assert mapping.pairs == {}
    assert {label for label, _ in mapping.suggestions["ANTRAG PRÜFEN"]} == {
        "Antrag prüfen",
        "Antrag pruefen",
    }


def test_several_log_names_may_map_to_one_label() -> None:
    mapping = map_activities(["Antrag prüfen", "antrag prüfen"], MODEL)
    assert mapping.pairs == {"Antrag prüfen": "Antrag prüfen", "antrag prüfen": "Antrag prüfen"}
    assert mapping.translate("antrag prüfen") == "Antrag prüfen"
    assert mapping.translate("Unbekannt") == "Unbekannt"


def test_round_trip_through_dict() -> None:
    mapping = map_activities(
        ["Antrag prüfen", "Prüfung des Antrags", "Freigabe"],
        MODEL,
        manual={"Freigabe": "Zahlung anweisen"},
    )
    stored = mapping.to_dict()
    assert ActivityMapping.from_dict(stored) == mapping
    assert stored["suggestions"]["Prüfung des Antrags"][0][0] == "Antrag prüfen"


names = st.text(alphabet="abcäöüßABC -_.", min_size=1, max_size=20)


@given(st.lists(names, max_size=8), st.lists(names, max_size=8))
def test_every_log_activity_is_paired_or_unmapped(log: list[str], model: list[str]) -> None:
    """Each log activity ends up exactly once: in a pair or in unmapped_log; pairs hit targets."""
    mapping = map_activities(log, model)
    unique = list(dict.fromkeys(log))
    assert set(mapping.pairs).isdisjoint(mapping.unmapped_log)
    assert set(mapping.pairs) | set(mapping.unmapped_log) == set(unique)
    assert set(mapping.pairs.values()) <= set(model)
    assert ActivityMapping.from_dict(mapping.to_dict()) == mapping
