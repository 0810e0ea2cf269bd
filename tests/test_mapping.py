"""Column mapping: suggestions from headers and samples, explicit resolution, clear errors."""

from __future__ import annotations

import pandas as pd
import pytest

from mining.errors import MappingError
from mining.ingest.columns import ColumnMapping, resolve_mapping, suggest_mapping

# Headers as specialist systems export them; expected roles in ColumnMapping order
# (case, activity, timestamp, start_timestamp, resource, org_unit).
HEADERS = [
    pytest.param(
        ["case:concept:name", "concept:name", "time:timestamp", "org:resource", "org:group"]
        + ["lifecycle:transition"],
        ("case:concept:name", "concept:name", "time:timestamp", None, "org:resource", "org:group"),
        id="xes-export",
    ),
    pytest.param(
        ["case:concept:name", "concept:name", "start_timestamp", "time:timestamp", "org:role"],
        ("case:concept:name", "concept:name", "time:timestamp", "start_timestamp", None)
        + ("org:role",),
        id="xes-with-start",
    ),
    pytest.param(
        # WABO receipt log: trace attributes are case-level, never event start or org unit
        ["case:startdate", "case:department", "case:enddate", "case:concept:name", "org:group"]
        + ["concept:name", "org:resource", "time:timestamp", "lifecycle:transition"],
        ("case:concept:name", "concept:name", "time:timestamp", None, "org:resource")
        + ("org:group",),
        id="xes-trace-attributes",
    ),
    pytest.param(
        ["Vorgangsnummer", "Tätigkeit", "Zeitpunkt", "Sachbearbeiter/in", "Fachdienst"],
        ("Vorgangsnummer", "Tätigkeit", "Zeitpunkt", None, "Sachbearbeiter/in", "Fachdienst"),
        id="gewerbe-fachverfahren",
    ),
    pytest.param(
        ["Aktenzeichen", "Bearbeitungsschritt", "Beginn", "Ende", "Bearbeiter", "Amt"],
        ("Aktenzeichen", "Bearbeitungsschritt", "Ende", "Beginn", "Bearbeiter", "Amt"),
        id="bauaufsicht",
    ),
    pytest.param(
        ["Fall-ID", "Aktivitaet", "Startzeitpunkt", "Abschlusszeitpunkt", "Mitarbeiterin"]
        + ["Organisationseinheit", "Eingangskanal"],
        ("Fall-ID", "Aktivitaet", "Abschlusszeitpunkt", "Startzeitpunkt", "Mitarbeiterin")
        + ("Organisationseinheit",),
        id="elterngeld-umlaut-spelt-out",
    ),
    pytest.param(
        ["Antragsnummer", "Vorgang", "Datum", "Nutzer", "Team", "Bemerkung"],
        ("Antragsnummer", "Vorgang", "Datum", None, "Nutzer", "Team"),
        id="kfz-zulassung",
    ),
    pytest.param(
        ["Vorgangs-ID", "Arbeitsschritt", "Zeitstempel", "Benutzer", "Dienststelle", "Dokumenttyp"],
        ("Vorgangs-ID", "Arbeitsschritt", "Zeitstempel", None, "Benutzer", "Dienststelle"),
        id="dms-protokoll",
    ),
    pytest.param(
        ["VORGANG_NR", "TAETIGKEIT", "ZEITSTEMPEL", "BEARBEITER_KENNUNG", "OE"],
        ("VORGANG_NR", "TAETIGKEIT", "ZEITSTEMPEL", None, "BEARBEITER_KENNUNG", "OE"),
        id="uppercase-database-dump",
    ),
    pytest.param(
        ["  Fallnummer ", "Ereignis", "Erledigt am", "Sachbearbeitende", "Abteilung"],
        ("  Fallnummer ", "Ereignis", "Erledigt am", None, "Sachbearbeitende", "Abteilung"),
        id="whitespace-and-gender-neutral",
    ),
    pytest.param(
        ["Case ID", "Activity", "Start Time", "End Time", "Resource", "Department"],
        ("Case ID", "Activity", "End Time", "Start Time", "Resource", "Department"),
        id="english",
    ),
    pytest.param(
        ["CaseID", "Activity", "Complete Timestamp", "UserId", "Variant"],
        ("CaseID", "Activity", "Complete Timestamp", None, "UserId", None),
        id="bpic-camelcase",
    ),
    pytest.param(
        # "Vorgang" is the case (the file) where another column names the step
        ["Vorgang", "Tätigkeit", "Zeitstempel", "Sachbearbeiter", "Team"],
        ("Vorgang", "Tätigkeit", "Zeitstempel", None, "Sachbearbeiter", "Team"),
        id="vorgang-as-the-case",
    ),
    pytest.param(
        ["Vorgang", "Aktivität", "Datum"],
        ("Vorgang", "Aktivität", "Datum", None, None, None),
        id="vorgang-beside-aktivitaet",
    ),
    pytest.param(
        ["Fallnummer", "Ereignis", "Startzeit", "Stelle"],
        ("Fallnummer", "Ereignis", "Startzeit", None, None, "Stelle"),
        id="lone-start-column-becomes-the-timestamp",
    ),
]


@pytest.mark.parametrize(("columns", "expected"), HEADERS)
def test_suggests_mapping_from_headers(columns, expected):
    suggestion = suggest_mapping(columns)
    case, activity, timestamp, start, resource, org_unit = expected
    assert suggestion.mapping == ColumnMapping(
        case=case,
        activity=activity,
        timestamp=timestamp,
        start_timestamp=start,
        resource=resource,
        org_unit=org_unit,
    )
    assert suggestion.missing == ()


def test_missing_roles_are_named_and_mapping_is_none():
    suggestion = suggest_mapping(["Nr", "Bemerkung", "Aktivität"])
    assert suggestion.mapping is None
    assert suggestion.missing == ("case", "timestamp")
    assert suggestion.candidates["activity"] == ("Aktivität",)


def test_candidates_list_alternatives_best_first():
    suggestion = suggest_mapping(["Datum", "Zeitstempel", "Eingangsdatum", "Fall-ID", "Tätigkeit"])
    assert suggestion.candidates["timestamp"] == ("Zeitstempel", "Datum", "Eingangsdatum")


def test_trace_attributes_are_case_candidates_only_by_their_own_name():
    columns = [
        "case:Aktenzeichen",
        "case:startdate",
        "case:channel",
        "concept:name",
        "time:timestamp",
    ]
    suggestion = suggest_mapping(columns)
    assert suggestion.candidates["case"] == ("case:Aktenzeichen",)
    assert suggestion.candidates["start_timestamp"] == ()


def test_line_column_is_never_a_candidate():
    suggestion = suggest_mapping(["Fall", "Aktivität", "Zeit", "__line__"])
    assert all("__line__" not in names for names in suggestion.candidates.values())


class TestSample:
    def test_prefers_timestamp_column_whose_values_are_dates(self):
        sample = pd.DataFrame(
            {
                "Fall": ["A", "A", "B"],
                "Aktivität": ["Eingang", "Prüfung", "Eingang"],
                "Datum": ["Mo", "Di", "Mi"],  # a weekday column named "Datum"
                "Eingang": ["03.02.2024 10:00", "04.02.2024 11:00", "05.02.2024 09:00"],
            }
        )
        suggestion = suggest_mapping(list(sample.columns), sample)
        assert suggestion.mapping is not None
        assert suggestion.mapping.timestamp == "Eingang"
        assert suggestion.candidates["timestamp"] == ("Eingang", "Datum")

    def test_prefers_case_column_with_repeated_values(self):
        sample = pd.DataFrame(
            {
                "Vorgangsnummer": ["1", "2", "3", "4"],  # one number per row: an event ID
                "Aktenzeichen": ["63-1/24", "63-1/24", "63-2/24", "63-2/24"],
                "Tätigkeit": ["a", "b", "a", "b"],
                "Zeitpunkt": ["2024-02-03"] * 4,
            }
        )
        suggestion = suggest_mapping(list(sample.columns), sample)
        assert suggestion.mapping is not None
        assert suggestion.mapping.case == "Aktenzeichen"


class TestResolve:
    COLUMNS = ["Aktenzeichen", "Aktivität", "Zeitpunkt", "Beginn", "Bearbeiter", "Amt", "Kanal"]

    def test_explicit_options_win(self):
        mapping = resolve_mapping(
            self.COLUMNS, timestamp="Beginn", start_timestamp="Zeitpunkt", source="a.csv"
        )
        assert (mapping.timestamp, mapping.start_timestamp) == ("Beginn", "Zeitpunkt")
        assert (mapping.case, mapping.activity) == ("Aktenzeichen", "Aktivität")

    def test_optional_roles_are_suggested_unless_disabled(self):
        assert resolve_mapping(self.COLUMNS, source="a.csv").resource == "Bearbeiter"
        plain = resolve_mapping(self.COLUMNS, source="a.csv", fill_optional=False)
        assert (plain.start_timestamp, plain.resource, plain.org_unit) == (None, None, None)

    def test_folded_name_finds_the_column(self):
        assert resolve_mapping(self.COLUMNS, activity="aktivitaet", source="a.csv").activity == (
            "Aktivität"
        )

    def test_unknown_column_lists_available_columns(self):
        with pytest.raises(MappingError) as caught:
            resolve_mapping(self.COLUMNS, case="Fallnummer", source="antraege.csv")
        message = str(caught.value)
        assert message.startswith("antraege.csv")
        assert "verfügbare Spalten:" in message and "„Aktenzeichen“" in message
        assert caught.value.column == "Fallnummer"

    def test_missing_required_role_names_the_option(self):
        with pytest.raises(MappingError) as caught:
            resolve_mapping(["Fall", "Aktivität", "Bemerkung"], source="a.csv")
        assert "Zeitstempel (--timestamp)" in str(caught.value)
        assert "verfügbare Spalten:" in str(caught.value)

    def test_one_column_cannot_take_two_roles(self):
        with pytest.raises(MappingError, match="zwei Rollen"):
            resolve_mapping(self.COLUMNS, case="Aktivität", activity="Aktivität", source="a.csv")

    def test_attributes_are_validated_and_deduplicated(self):
        mapping = resolve_mapping(
            self.COLUMNS, attributes=("Kanal", "Aktivität", "Kanal"), source="a.csv"
        )
        assert mapping.attributes == ("Kanal",)
        assert mapping.columns()[-1] == "Kanal"
        with pytest.raises(MappingError, match="gibt es in der Datei nicht"):
            resolve_mapping(self.COLUMNS, attributes=("Geburtsdatum",), source="a.csv")

    def test_line_column_is_not_mappable(self):
        with pytest.raises(MappingError):
            resolve_mapping(self.COLUMNS + ["__line__"], case="__line__", source="a.csv")

    def test_columns_lists_every_mapped_source_column(self):
        mapping = ColumnMapping(
            case="AZ",
            activity="Schritt",
            timestamp="Ende",
            resource="Bearbeiter",
            attributes=("K",),
        )
        assert mapping.columns() == ("AZ", "Schritt", "Ende", "Bearbeiter", "K")
