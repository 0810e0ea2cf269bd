"""Intake-channel columns are kept at import without being named (issue 15, item 2).

They describe the application, not a person, and the online-service rule needs them. A column
named like a channel whose values look like personal data is withheld, with the reason; an
explicit drop wins over the recognition.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from mining.ingest import channel_columns, is_channel_column, suggest_mapping
from mining.ingest.channels import MAX_CHANNEL_VALUES, ChannelValues
from tests.cli_office import office_env, pmo_output, run_pmo
from tests.municipal_log import generate_hundesteuer_log

CHANNEL_HEADERS = [
    "Eingangskanal",
    "Kanal",
    "Eingangsweg",
    "Eingangsart",
    "Posteingang",
    "Art des Eingangs",
    "Antragsweg",
    "Übermittlungsweg",
    "Uebermittlungsweg",
    "channel",
    "Intake Channel",
    "submission_channel",
    "EINGANGS-KANAL",
]


@pytest.mark.parametrize("header", CHANNEL_HEADERS)
def test_channel_headers_are_recognized(header: str) -> None:
    assert is_channel_column(header)


@pytest.mark.parametrize(
    "header",
    # A time of receipt, the kind of application, a person, the bare word "Eingang" (often a date).
    ["Datum Posteingang", "Posteingangsdatum", "Antragsart", "Bearbeiter", "Eingang", "Gebühr"],
)
def test_other_headers_are_not_channels(header: str) -> None:
    assert not is_channel_column(header)


def test_analysis_finds_the_channel_the_import_kept() -> None:
    # One definition for both: the stored log's schema holds canonical names plus the attributes.
    stored = ["case_id", "activity", "timestamp", "resource", "org_unit", "Art des Eingangs"]
    assert channel_columns(stored) == ("Art des Eingangs",)


def test_values_beyond_the_first_rows_decide() -> None:
    """The guard sees every batch: a column that starts like a channel and then holds one value
    per case is withheld."""
    seen = ChannelValues()
    seen.add(["Papier", "Online", "Papier"])
    assert seen.reason() is None
    seen.add([f"Antragsteller {n}" for n in range(MAX_CHANNEL_VALUES * 2)])
    assert seen.reason() is not None


def test_a_small_vocabulary_of_channels_is_kept_even_in_a_small_log() -> None:
    seen = ChannelValues()
    seen.add(["Papier", "Online", "E-Mail", "Fax", "Post", "Persönlich", "Telefon"] * 2)
    assert seen.reason() is None


# --- pmo log import / pmo analyze ------------------------------------------------------------


def _log(folder: Path, header: str, value: Callable[[int, str], str] | None = None) -> Path:
    """The generated Hundesteuer log (cp1252, ';') with its channel column renamed to ``header``
    and, with ``value``, its values replaced by ``value(case number, channel)``."""
    path = generate_hundesteuer_log(folder / "export.csv", cases=40)
    with path.open(encoding="cp1252", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    column = rows[0].index("Eingangskanal")
    rows[0][column] = header
    if value is not None:
        cases = sorted({row[0] for row in rows[1:]})
        for row in rows[1:]:
            row[column] = value(cases.index(row[0]), row[column])
    with path.open("w", encoding="cp1252", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(rows)
    return path


def _paper_share(path: Path, header: str) -> float:
    with path.open(encoding="cp1252", newline="") as handle:
        channel = {
            row["Aktenzeichen"]: row[header] for row in csv.DictReader(handle, delimiter=";")
        }
    return sum(value == "Papier" for value in channel.values()) / len(channel)


def _import(folder: Path, path: Path, *options: str) -> dict:
    env = office_env(folder)
    return json.loads(pmo_output("log", "import", str(path), *options, "--json", env=env))


def _analyze(folder: Path, log_id: str) -> dict:
    return json.loads(pmo_output("analyze", log_id, "--json", env=office_env(folder)))


@pytest.mark.parametrize(
    "header", ["Eingangskanal", "Kanal", "Art des Eingangs", "Übermittlungsweg", "channel"]
)
def test_import_keeps_a_channel_column_nobody_named(tmp_path: Path, header: str) -> None:
    path = _log(tmp_path, header)
    imported = _import(tmp_path, path)
    assert imported["mapping"]["attributes"] == [header]
    assert header not in imported["dropped_columns"]
    assert (
        f"Spalte „{header}“ als Eingangskanal übernommen: beschreibt den Antrag, keine Person."
        in imported["messages"]
    )
    result = _analyze(tmp_path, imported["log_id"])
    assert result["channels"]["column"] == header
    cases = {row["channel"]: row["cases"] for row in result["channels"]["values"]}
    assert cases["Papier"] / sum(cases.values()) == pytest.approx(_paper_share(path, header))


def test_the_import_output_names_the_kept_channel(tmp_path: Path) -> None:
    path = _log(tmp_path, "Posteingang")
    result = run_pmo("log", "import", str(path), env=office_env(tmp_path))
    assert result.returncode == 0, result.stderr.decode()
    assert "Spalte „Posteingang“ als Eingangskanal übernommen" in result.stdout.decode()


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        (lambda case, _: f"antragsteller{case}@example.org", "E-Mail-Adressen"),
        # Few distinct values, but names: the count alone would not catch them.
        (lambda case, _: ("Müller, Hans", "Schulz, Eva")[case % 2], "Namen"),
        (lambda case, _: f"Kundin {case}", "verschiedene Werte"),
    ],
    ids=["e-mail", "names", "one-value-per-case"],
)
def test_a_channel_column_that_looks_personal_is_not_kept(
    tmp_path: Path, values: Callable[[int, str], str], reason: str
) -> None:
    path = _log(tmp_path, "Kanal", values)
    imported = _import(tmp_path, path)
    assert imported["mapping"]["attributes"] == []
    assert "Kanal" in imported["dropped_columns"]
    [withheld] = [m for m in imported["messages"] if m.startswith("Spalte „Kanal“")]
    assert "nicht als Eingangskanal übernommen" in withheld and reason in withheld
    assert "channels" not in _analyze(tmp_path, imported["log_id"])


def test_a_time_of_receipt_under_a_channel_name_is_not_kept(tmp_path: Path) -> None:
    path = _log(tmp_path, "Posteingang", lambda case, _: f"{case % 28 + 1:02d}.01.2024")
    imported = _import(tmp_path, path)
    assert "Posteingang" in imported["dropped_columns"]


def test_an_explicit_drop_wins(tmp_path: Path) -> None:
    path = _log(tmp_path, "Eingangskanal")
    imported = _import(tmp_path, path, "--drop-attribute", "Eingangskanal")
    assert imported["mapping"]["attributes"] == []
    assert imported["dropped_columns"] == ["Eingangskanal"]
    assert "channels" not in _analyze(tmp_path, imported["log_id"])


def test_a_drop_also_wins_over_an_explicit_attribute(tmp_path: Path) -> None:
    path = _log(tmp_path, "Eingangskanal")
    imported = _import(
        tmp_path, path, "--attribute", "Eingangskanal", "--drop-attribute", "eingangskanal"
    )
    assert imported["dropped_columns"] == ["Eingangskanal"]


def test_dropping_a_column_given_a_role_is_refused_with_one_message(tmp_path: Path) -> None:
    path = _log(tmp_path, "Eingangskanal")
    result = run_pmo(
        "log",
        "import",
        str(path),
        "--activity",
        "Tätigkeit",
        "--drop-attribute",
        "Tätigkeit",
        env=office_env(tmp_path),
    )
    assert result.returncode != 0
    error = result.stderr.decode() + result.stdout.decode()
    assert "Aktivität angegeben und soll zugleich verworfen werden" in error
    assert "Traceback" not in error


def test_dropping_a_suggested_column_leaves_its_role_unassigned(tmp_path: Path) -> None:
    path = _log(tmp_path, "Eingangskanal")
    result = run_pmo(
        "log", "import", str(path), "--drop-attribute", "Tätigkeit", env=office_env(tmp_path)
    )
    assert result.returncode != 0
    assert "keine Spalte gefunden für: Aktivität" in result.stderr.decode() + result.stdout.decode()


def test_a_named_column_is_kept_even_if_it_looks_personal(tmp_path: Path) -> None:
    """The guard protects against keeping by recognition, not against the user's choice."""
    path = _log(tmp_path, "Kanal", lambda case, _: f"antragsteller{case}@example.org")
    imported = _import(tmp_path, path, "--attribute", "Kanal")
    assert imported["mapping"]["attributes"] == ["Kanal"]


# --- the wizard's suggestion -----------------------------------------------------------------


def test_the_suggestion_preselects_channels_and_withholds_personal_ones() -> None:
    import pandas as pd

    sample = pd.DataFrame(
        {
            "Vorgangsnummer": ["A-1", "A-1", "A-2"],
            "Tätigkeit": ["Eingang", "Prüfen", "Eingang"],
            "Zeitpunkt": ["01.02.2024 09:00", "02.02.2024 10:00", "03.02.2024 11:00"],
            "Eingangskanal": ["Papier", "Papier", "Online"],
            "Kanal": ["a@example.org", "a@example.org", "b@example.org"],
        }
    )
    suggestion = suggest_mapping(list(sample.columns), sample)
    assert suggestion.channels == ("Eingangskanal",)
    [(column, reason)] = suggestion.withheld
    assert column == "Kanal" and "E-Mail-Adressen" in reason
