"""Raw string batches → canonical event table (items 22, 23, 37 and the end-to-end path)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pytest

from mining.errors import EventLogError, MappingError
from mining.ingest.columns import ColumnMapping
from mining.ingest.normalize import (
    CANONICAL_COLUMNS,
    DROPPED,
    PSEUDONYMIZED,
    ROLES,
    NormalizeOptions,
    Normalizer,
    dropped_columns,
    output_schema,
)
from mining.ingest.privacy import Pseudonymizer, SecretKey, load_or_create_secret
from mining.ingest.timestamps import TimestampPolicy

BERLIN = ZoneInfo("Europe/Berlin")
MAPPING = ColumnMapping(
    case="Aktenzeichen",
    activity="Tätigkeit",
    timestamp="Ende",
    start_timestamp="Beginn",
    resource="Bearbeiter",
    org_unit="Fachdienst",
    attributes=("Eingangskanal",),
)
NAMES = ("Erika Mustermann", "Max Müller")


def raw_batch(rows: list[dict[str, str]], first_line: int = 2) -> pa.RecordBatch:
    """A reader-style batch: every data column a string, empty cell = "", plus __line__."""
    columns = list(dict.fromkeys(name for row in rows for name in row))
    data = {name: pa.array([row.get(name, "") for row in rows], pa.string()) for name in columns}
    data["__line__"] = pa.array(range(first_line, first_line + len(rows)), pa.int64())
    return pa.record_batch(data)


def row(case="63-1/24", activity="Antrag prüfen", end="03.02.2024 10:00", **more) -> dict:
    return {"Aktenzeichen": case, "Tätigkeit": activity, "Ende": end} | more


@pytest.fixture
def key(tmp_path: Path) -> SecretKey:
    return load_or_create_secret(tmp_path, env={})


def normalizer(mapping=MAPPING, **options) -> Normalizer:
    return Normalizer(NormalizeOptions(mapping=mapping, **options), source="antraege.csv")


def every_value(batch: pa.RecordBatch) -> list[str]:
    return [str(value) for column in batch.columns for value in column.to_pylist()]


def test_end_to_end_over_several_batches(key: SecretKey):
    """Format detected once on the first batch and reused; lines and schema preserved."""
    norm = normalizer(resource_pseudonymizer=Pseudonymizer(key))
    first = raw_batch(
        [
            row(end="03.02.2024 10:00", Beginn="03.02.2024 09:30", Bearbeiter="Erika Mustermann")
            | {"Fachdienst": "FD 32", "Eingangskanal": "Online", "Geburtsdatum": "01.01.1980"},
            row(activity="Bescheid erstellen", end="04.02.2024 11:00", Bearbeiter="Max Müller"),
        ],
        first_line=2,
    )
    # The second batch has no resource column at all (as XES batches may) and one ISO value:
    # the format of the first batch holds, so that value is invalid, not re-detected.
    second = raw_batch(
        [
            {"Aktenzeichen": "63-2/24", "Tätigkeit": "Antrag prüfen", "Ende": "05.02.2024 08:15"},
            {"Aktenzeichen": "63-2/24", "Tätigkeit": "Bescheid", "Ende": "2024-02-06T10:00:00"},
        ],
        first_line=4,
    )
    out = [norm.normalize(first), norm.normalize(second)]
    assert [batch.schema for batch in out] == [output_schema(MAPPING)] * 2
    assert out[0].schema.names == [*CANONICAL_COLUMNS, "Eingangskanal", "line"]
    table = pa.Table.from_batches(out)
    assert table.column("line").to_pylist() == [2, 3, 4]
    assert table.column("timestamp").to_pylist() == [
        datetime(2024, 2, 3, 10, 0, tzinfo=BERLIN).astimezone(UTC),
        datetime(2024, 2, 4, 11, 0, tzinfo=BERLIN).astimezone(UTC),
        datetime(2024, 2, 5, 8, 15, tzinfo=BERLIN).astimezone(UTC),
    ]
    assert table.column("start_timestamp").to_pylist()[1:] == [None, None]
    assert table.column("resource").to_pylist()[2] is None
    assert table.column("org_unit").to_pylist() == ["FD 32", None, None]
    assert table.column("Eingangskanal").to_pylist() == ["Online", None, None]
    assert "01.01.1980" not in every_value(out[0])  # not allow-listed, not kept
    report = norm.report()
    assert (report.rows_in, report.rows_out) == (4, 3)
    assert report.timestamp_format == "%d.%m.%Y %H:%M"
    assert report.start_timestamp_format == "%d.%m.%Y %H:%M"
    assert report.invalid_timestamps == ((5, "kein gültiges Datum"),)


def test_item_22_empty_case_or_activity_counted_and_listed():
    rows = [
        row(),
        row(case=""),
        row(),
        row(activity="   "),
        row(),
        row(),
        row(case=" ", activity=""),
    ]
    norm = normalizer()
    out = norm.normalize(raw_batch(rows, first_line=2))
    report = norm.report()
    assert report.dropped_empty == (3, 5, 8)
    assert out.num_rows == 4 and report.rows_out == 4
    assert any("3 Zeilen verworfen" in message for message in report.messages())


def test_item_23_text_is_literal():
    rows = [row(case="007", activity="NA"), row(case="1e5", activity="None"), row(case=" 0042 ")]
    out = normalizer().normalize(raw_batch(rows))
    assert out.column("case_id").to_pylist() == ["007", "1e5", "0042"]
    assert out.column("activity").to_pylist() == ["NA", "None", "Antrag prüfen"]


class TestItem37Privacy:
    def rows(self) -> list[dict]:
        return [
            row(Bearbeiter=NAMES[0], Fachdienst="FD 32"),
            row(Bearbeiter=NAMES[1], activity="Bescheid erstellen", end="04.02.2024 10:00"),
        ]

    def test_no_output_value_contains_a_name(self, key: SecretKey):
        norm = normalizer(resource_pseudonymizer=Pseudonymizer(key))
        out = norm.normalize(raw_batch(self.rows()))
        values = every_value(out)
        for name in NAMES:
            assert not any(name in value or name.split()[1] in value for value in values)
        assert all(value.startswith("P-") for value in out.column("resource").to_pylist())
        text = " ".join(norm.report().messages()) + repr(norm.report())
        assert not any(name.split()[1] in text for name in NAMES)
        assert norm.report().resource_mode == PSEUDONYMIZED

    def test_pseudonyms_stable_across_batches_and_instances(self, key: SecretKey):
        first = normalizer(resource_pseudonymizer=Pseudonymizer(key))
        second = normalizer(resource_pseudonymizer=Pseudonymizer(key))
        a = first.normalize(raw_batch(self.rows())).column("resource").to_pylist()
        b = first.normalize(raw_batch(self.rows(), 10)).column("resource").to_pylist()
        c = second.normalize(raw_batch(self.rows())).column("resource").to_pylist()
        assert a == b == c and len(set(a)) == 2

    def test_pseudonyms_differ_with_another_key(self, key: SecretKey, tmp_path: Path):
        other = load_or_create_secret(tmp_path / "anderer", env={})
        mine = normalizer(resource_pseudonymizer=Pseudonymizer(key))
        theirs = normalizer(resource_pseudonymizer=Pseudonymizer(other))
        a = mine.normalize(raw_batch(self.rows())).column("resource").to_pylist()
        b = theirs.normalize(raw_batch(self.rows())).column("resource").to_pylist()
        assert set(a).isdisjoint(b)

    def test_without_pseudonymizer_the_resource_column_is_dropped(self):
        norm = normalizer()
        out = norm.normalize(raw_batch(self.rows()))
        assert out.column("resource").null_count == out.num_rows
        assert not any(NAMES[0] in value for value in every_value(out))
        assert norm.report().resource_mode == DROPPED

    def test_role_map_mode_counts_names_without_role(self, key: SecretKey):
        roles = Pseudonymizer(key, role_map={NAMES[0]: "Sachbearbeitung"})
        norm = normalizer(resource_pseudonymizer=roles)
        out = norm.normalize(raw_batch(self.rows()))
        resources = out.column("resource").to_pylist()
        assert resources[0] == "Sachbearbeitung" and resources[1].startswith("P-")
        report = norm.report()
        assert (report.resource_mode, report.unmapped_resources) == (ROLES, 1)
        assert any("1 Name ohne Rolle" in message for message in report.messages())

    def test_case_surrogates_stable_across_uploads(self, key: SecretKey):
        def upload() -> list[str]:
            norm = normalizer(case_pseudonymizer=Pseudonymizer(key, prefix="F-"))
            return norm.normalize(raw_batch(self.rows())).column("case_id").to_pylist()

        first, later = upload(), upload()
        assert first == later and first[0].startswith("F-")
        assert "63-1/24" not in first


class TestTimestamps:
    def test_invalid_rows_dropped_and_listed_with_reasons(self):
        rows = [
            row(end="31.02.2024 10:00"),
            row(end=""),
            row(end="x"),
            row(end="01.01.2099 10:00"),
            row(end="03.02.2024 10:00", Beginn="03.02.2024 11:00"),
            row(end="03.02.2024 10:00", Beginn="kaputt"),
            row(end="03.02.2024 10:00"),
        ]
        norm = normalizer(timestamp_format="%d.%m.%Y %H:%M")
        out = norm.normalize(raw_batch(rows))
        assert out.column("line").to_pylist() == [8]
        assert norm.report().invalid_timestamps == (
            (2, "Datum existiert nicht"),
            (3, "Zeitstempel fehlt"),
            (4, "kein gültiges Datum"),
            (5, "liegt in der Zukunft"),
            (6, "Beginn nach Ende"),
            (7, "Beginn: kein gültiges Datum"),
        )

    def test_dst_rows_are_reported_by_line(self):
        rows = [row(end="31.03.2024 02:30"), row(end="27.10.2024 02:30"), row()]
        norm = normalizer()
        out = norm.normalize(raw_batch(rows))
        assert out.num_rows == 3
        report = norm.report()
        assert (report.dst_shifted, report.dst_ambiguous) == ((2,), (3,))
        assert any("Sommerzeit" in message for message in report.messages())

    def test_start_and_end_formats_are_detected_separately(self):
        rows = [row(end="03.02.2024 10:00", Beginn="2024-02-03T09:00:00+01:00")]
        norm = normalizer()
        out = norm.normalize(raw_batch(rows))
        assert out.column("start_timestamp").to_pylist() == [datetime(2024, 2, 3, 8, 0, tzinfo=UTC)]
        assert norm.report().start_timestamp_format == "ISO8601"

    def test_policy_format_is_explicit_too(self):
        norm = normalizer(policy=TimestampPolicy(format="%m/%d/%Y %H:%M"))
        out = norm.normalize(raw_batch([row(end="02/03/2024 10:00")]))
        assert out.column("timestamp").to_pylist()[0].month == 2
        assert norm.report().timestamp_format == "%m/%d/%Y %H:%M"

    def test_detection_waits_for_a_batch_with_values(self):
        norm = normalizer()
        first = norm.normalize(raw_batch([row(end="")]))
        second = norm.normalize(raw_batch([row(end="13.02.2024 10:00")], first_line=3))
        assert (first.num_rows, second.num_rows) == (0, 1)
        assert norm.report().invalid_timestamps == ((2, "Zeitstempel fehlt"),)
        assert norm.report().timestamp_format == "%d.%m.%Y %H:%M"

    def test_undetectable_format_raises_naming_the_column(self):
        with pytest.raises(EventLogError) as caught:
            normalizer().normalize(raw_batch([row(end="gestern"), row(end="heute")]))
        assert caught.value.column == "Ende" and caught.value.source == "antraege.csv"


def test_text_is_stripped():
    out = normalizer().normalize(raw_batch([row(case=" 63-1/24 ", activity="\tAntrag prüfen  ")]))
    assert (out.column("case_id")[0].as_py(), out.column("activity")[0].as_py()) == (
        "63-1/24",
        "Antrag prüfen",
    )


def test_messages_summarise_in_german():
    norm = normalizer()
    norm.normalize(raw_batch([row(), row(case="")]))
    messages = norm.report().messages()
    assert messages[0] == "2 Zeilen gelesen, 1 Ereignis übernommen."
    assert "1 Zeile verworfen, weil Fall-ID oder Aktivität leer ist (Zeile 3)." in messages
    assert "Zeitformat: TT.MM.JJJJ hh:mm" in messages


def test_dropped_columns_is_the_allow_list():
    columns = ["Aktenzeichen", "Name Antragsteller", "Tätigkeit", "Ende", "Bearbeiter", "__line__"]
    assert dropped_columns(columns, MAPPING) == ("Name Antragsteller",)


def test_attribute_named_like_a_canonical_column_is_refused():
    mapping = ColumnMapping(case="A", activity="B", timestamp="C", attributes=("resource",))
    with pytest.raises(MappingError):
        normalizer(mapping)


def test_batch_without_line_numbers_is_a_programming_error():
    with pytest.raises(ValueError):
        normalizer().normalize(pa.record_batch({"Aktenzeichen": pa.array(["1"])}))
