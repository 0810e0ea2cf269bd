"""The office's assumptions file as the workspace writes it: valid TOML that loads back exactly."""

from __future__ import annotations

import tomllib

import pytest

from mining.digitization.overrides import toml_text


@pytest.mark.parametrize(
    "value",
    [
        "E9b",
        'mit "Anführungszeichen"',
        "Zeile\nzwei",
        "Tab\tund\\Backslash",
        "a/b",
        "DEL\x7fZeichen",
        "€ ü ß",
    ],
)
def test_any_text_value_survives_the_round_trip(value: str) -> None:
    text = toml_text({"general": {"default_pay_group": value}}, "Kopf")
    assert tomllib.loads(text) == {"general": {"default_pay_group": value}}


def test_a_changed_verb_lexicon_is_saved_and_loads_back(tmp_path) -> None:  # noqa: ANN001
    """The office extends the lexicon; the file holds the list and the loader takes it back."""
    from mining.digitization import checked_values, load_assumptions, save_assumptions

    defaults = load_assumptions()
    verbs = [*defaults["rpa"]["transfer_verbs"], "abschließen", 'mit "Zitat"']
    edited = checked_values(defaults, {"rpa.transfer_verbs": verbs})
    saved = save_assumptions(tmp_path / "annahmen.toml", edited)
    assert list(saved["rpa"]["transfer_verbs"]) == verbs
    assert saved.origin("rpa.transfer_verbs") == "Datei der Verwaltung"
    assert saved.origin("rpa.automation_share") == "Standard"


@pytest.mark.parametrize(
    "text", ['[rpa]\ntransfer_verbs = "buchen"\n', "[rpa]\ntransfer_verbs = [1]\n"]
)
def test_a_verb_lexicon_must_be_a_list_of_texts(tmp_path, text: str) -> None:  # noqa: ANN001
    from mining.digitization import AssumptionsError, load_assumptions

    path = tmp_path / "annahmen.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AssumptionsError, match="Liste von Texten"):
        load_assumptions(path)


def test_every_assumption_has_a_german_label() -> None:
    from mining.digitization import ASSUMPTION_LABELS, load_assumptions

    keys = [k for k in load_assumptions().flat() if k != "cost_rates_eur_per_hour"]
    missing = [k for k in keys if k not in ASSUMPTION_LABELS]
    assert not missing


def test_a_broken_system_account_pattern_is_refused_with_its_label(tmp_path) -> None:  # noqa: ANN001
    from mining.digitization import AssumptionsError, load_assumptions

    path = tmp_path / "annahmen.toml"
    path.write_text('[rpa]\nsystem_accounts = "system|(robot"\n', encoding="utf-8")
    with pytest.raises(AssumptionsError, match="Muster der Systemkonten"):
        load_assumptions(path)
