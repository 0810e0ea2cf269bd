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
