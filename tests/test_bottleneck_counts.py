"""Bottlenecks a reader can add up: how often an edge was passed (transitions), by how many
distinct cases, and a total waiting time that is transitions × mean wait — in the JSON, the CLI
text, the workspace pages and every report format, on logs where cases go round loops."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from pypdf import PdfReader

from mining.report.render import render_report
from tests.analysis_tabs import open_tab
from tests.app_office import Office, run_page, table, use_office
from tests.cli_office import office_env, pmo_output

BERLIN = ZoneInfo("Europe/Berlin")
PROCESS = "hundesteuer-anmeldung"
DAY = 86400.0
CHECK, REQUEST, INTAKE, DECIDE, QUERY = (
    "Unterlagen prüfen",
    "Unterlagen nachfordern",
    "Antrag eingegangen",
    "Bescheid erlassen",
    "Rückfrage klären",
)


@dataclass
class Edge:
    transitions: int = 0
    cases: int = 0
    total_s: float = 0.0


def _loop_log(path: Path, *, cases: int, shift: int) -> dict[tuple[str, str], Edge]:
    """Cases that go round the loop Prüfen → Nachfordern → Prüfen zero to three times, some
    with a self-loop (Rückfrage twice or three times in a row); waits differ from case to case.
    Returns what the log holds, counted here event by event: per edge the transitions, the
    distinct cases and the total wait in seconds."""
    rows = ["Vorgangsnummer;Tätigkeit;Zeitpunkt"]
    seen: dict[tuple[str, str], Edge] = defaultdict(Edge)
    for number in range(cases):
        day = dt.date(2024, 2, 5) + dt.timedelta(days=(number * 3 + shift) % 23)
        steps = [(INTAKE, 0, 8 * 60 + number % 50)]
        steps.append((CHECK, 1 + number % 3, 9 * 60 + (number * 7 + shift) % 400))
        for round_ in range(number % 4):
            steps.append((REQUEST, 2 + (number + round_) % 5, 8 * 60 + (number * 13) % 480))
            steps.append((CHECK, 6 + (number * round_ + shift) % 9, 8 * 60 + (number * 29) % 480))
        for _ in range(number % 3 if number % 5 == 0 else 0):
            steps.append((QUERY, 1 + number % 2, 10 * 60 + (number * 11) % 300))
        steps.append((DECIDE, 3 + number % 7, 8 * 60 + (number * 17 + shift) % 500))
        moments = []
        for activity, days, minute in steps:
            day += dt.timedelta(days=days)
            local = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minute)
            moments.append((activity, local.replace(tzinfo=BERLIN).astimezone(dt.UTC)))
            rows.append(f"HST-{shift}-{number:04d};{activity};{local:%d.%m.%Y %H:%M}")
        passed = set()
        for (source, begin), (target, end) in zip(moments, moments[1:], strict=False):
            edge = seen[(source, target)]
            edge.transitions += 1
            edge.total_s += (end - begin).total_seconds()
            passed.add((source, target))
        for key in passed:
            seen[key].cases += 1
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert any(e.transitions > e.cases for e in seen.values()), "the log must loop"
    return dict(seen)


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("engpaesse")
    env = office_env(folder)
    pmo_output("demo", "--no-logs", env=env)
    log = folder / "schleifen.csv"
    expected = _loop_log(log, cases=160, shift=3)
    imported = json.loads(
        pmo_output("log", "import", str(log), "--process", PROCESS, "--json", env=env)
    )
    return {"folder": folder, "env": env, "log_id": imported["log_id"], "expected": expected}


def _analyze(office: dict, *options: str) -> dict:
    return json.loads(
        pmo_output("analyze", office["log_id"], "--json", *options, env=office["env"])
    )


def _assert_adds_up(bottlenecks: list[dict]) -> None:
    for edge in bottlenecks:
        # Exactly, not approximately: the total is defined as transitions × mean.
        assert edge["transitions"] * edge["mean_wait_s"] == edge["total_wait_s"], edge


@pytest.mark.parametrize("options", [(), ("--working-time",)], ids=["calendar", "working-time"])
def test_json_reports_transitions_and_cases_and_a_total_that_is_their_product(
    office: dict, options: tuple[str, ...]
) -> None:
    bottlenecks = _analyze(office, *options)["bottlenecks"]
    assert bottlenecks
    expected = office["expected"]
    for edge in bottlenecks:
        counted = expected[(edge["source"], edge["target"])]
        assert (edge["transitions"], edge["cases"]) == (counted.transitions, counted.cases)
        if not options:
            assert edge["total_wait_s"] == pytest.approx(counted.total_s, rel=1e-12)
    _assert_adds_up(bottlenecks)
    # The loop edge is passed more often than by distinct cases: the reason for two counts.
    loop = next(e for e in bottlenecks if (e["source"], e["target"]) == (REQUEST, CHECK))
    assert loop["transitions"] > loop["cases"]
    assert {"source", "target", "cases", "mean_wait_s", "total_wait_s"} <= set(loop)


def test_json_ranks_a_self_loop_with_its_repetitions(tmp_path: Path) -> None:
    log = tmp_path / "anderes.csv"
    expected = _loop_log(log, cases=41, shift=11)
    result = json.loads(pmo_output("analyze", str(log), "--json", env=office_env(tmp_path)))
    self_loop = next(e for e in result["bottlenecks"] if e["source"] == e["target"] == QUERY)
    counted = expected[(QUERY, QUERY)]
    assert (self_loop["transitions"], self_loop["cases"]) == (counted.transitions, counted.cases)
    _assert_adds_up(result["bottlenecks"])


# -- what a reader sees: figures as displayed must add up to the displayed precision ------------

_UNITS = {"Tage": DAY, "Tag": DAY, "Std.": 3600.0, "Min.": 60.0}


def _german(number: str) -> float:
    return float(number.replace("\u202f", "").replace(".", "").replace(",", "."))


def _decimals(number: str) -> int:
    return len(number.partition(",")[2])


def _holds_as_displayed(transitions: int, mean: str, total: str) -> bool:
    """``transitions × mean = total`` for the figures as printed: the product may differ from
    the printed total only by what rounding the mean and the total can explain."""
    mean_slack = 0.5 * 10 ** -_decimals(mean)
    total_slack = 0.5 * 10 ** -_decimals(total)
    return abs(transitions * _german(mean) - _german(total)) <= (
        transitions * mean_slack + total_slack + 1e-9
    )


_CLI_LINE = re.compile(
    r"^\s+(?P<source>.+?) → (?P<target>.+?): (?P<transitions>[\d\u202f]+) (?:Übergang|Übergänge) in "
    r"(?P<cases>[\d\u202f]+) (?:Fall|Fällen), Ø (?P<mean>[\d\u202f,]+) (?P<unit>\S+) je Übergang, "
    r"gesamt (?P<total>[\d\u202f,]+) (?P<total_unit>\S+)$"
)


@pytest.mark.parametrize("options", [(), ("--working-time",)], ids=["calendar", "working-time"])
def test_cli_text_names_transitions_and_cases_and_adds_up(
    office: dict, options: tuple[str, ...]
) -> None:
    shown = pmo_output("analyze", office["log_id"], *options, env=office["env"]).splitlines()
    heading = shown.index("Engpässe (nach gesamter Wartezeit):")
    lines = [_CLI_LINE.match(line) for line in shown[heading + 1 : heading + 6]]
    assert all(lines), shown[heading : heading + 6]
    by_edge = {(e["source"], e["target"]): e for e in _analyze(office, *options)["bottlenecks"]}
    for line in lines:
        edge = by_edge[(line["source"], line["target"])]
        transitions = int(line["transitions"].replace("\u202f", ""))
        assert transitions == edge["transitions"]
        assert int(line["cases"].replace("\u202f", "")) == edge["cases"]
        assert line["unit"] == line["total_unit"]  # one unit, so the reader can multiply
        assert _holds_as_displayed(transitions, line["mean"], line["total"]), line.group(0)


@pytest.fixture(scope="module")
def snapshot(office: dict) -> dict:
    target = office["folder"] / "bericht.json"
    pmo_output(
        "report", "--process", PROCESS, "--format", "json", "-o", str(target), env=office["env"]
    )
    return json.loads(target.read_text(encoding="utf-8"))


def _digest(snapshot: dict) -> list[dict]:
    (process,) = snapshot["processes"]
    return process["analysis"]["bottlenecks"]


def test_report_snapshot_keeps_both_counts(snapshot: dict, office: dict) -> None:
    bottlenecks = _digest(snapshot)
    for edge in bottlenecks:
        counted = office["expected"][(edge["source"], edge["target"])]
        assert (edge["transitions"], edge["cases"]) == (counted.transitions, counted.cases)
    _assert_adds_up(bottlenecks)


def test_xlsx_bottleneck_sheet_names_both_counts_and_adds_up(snapshot: dict) -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(render_report(snapshot, "xlsx")))
    sheet = workbook["Engpässe"]
    headers = [cell.value for cell in sheet[1]]
    assert "Übergänge" in headers and "Fälle" in headers
    mean_header = next(h for h in headers if h.startswith("Ø Wartezeit"))
    total_header = next(h for h in headers if h.startswith("Wartezeit gesamt"))
    assert "je Übergang" in mean_header and "Übergänge × Ø" in total_header
    rows = [
        dict(zip(headers, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)
    ]
    for row, edge in zip(rows, _digest(snapshot), strict=True):
        assert (row["Übergänge"], row["Fälle"]) == (edge["transitions"], edge["cases"])
        assert row["Übergänge"] * row[mean_header] == pytest.approx(row[total_header], rel=1e-12)


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


_HEADERS = ["Von", "Nach", "Übergänge", "Fälle", "Ø Wartezeit je Übergang"]


def _check_displayed_rows(rows: list[list[str]], bottlenecks: list[dict]) -> None:
    assert len(rows) == min(5, len(bottlenecks))
    for row, edge in zip(rows, bottlenecks, strict=False):
        source, target, transitions, cases, mean, total = row
        assert (source, target) == (edge["source"], edge["target"])
        assert (_german(transitions), _german(cases)) == (edge["transitions"], edge["cases"])
        mean_number, mean_unit = mean.rsplit(" ", 1)
        total_number, total_unit = total.rsplit(" ", 1)
        assert _UNITS[mean_unit] == _UNITS[total_unit] == DAY
        assert _holds_as_displayed(edge["transitions"], mean_number, total_number), row


def test_html_bottleneck_table_names_both_counts_and_adds_up(snapshot: dict) -> None:
    parser = _Tables()
    parser.feed(render_report(snapshot, "html").decode("utf-8"))
    found = [t for t in parser.tables if t and t[0][: len(_HEADERS)] == _HEADERS]
    assert found, [t[0] for t in parser.tables if t]
    (bottleneck_table,) = found
    assert bottleneck_table[0][5] == "Wartezeit gesamt (Übergänge × Ø)"
    _check_displayed_rows(bottleneck_table[1:], _digest(snapshot))


def test_pdf_bottleneck_table_names_both_counts_and_adds_up(snapshot: dict) -> None:
    reader = PdfReader(io.BytesIO(render_report(snapshot, "pdf")))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    assert "Übergänge Fälle Ø Wartezeit je Übergang Wartezeit gesamt (Übergänge × Ø)" in text
    for edge in _digest(snapshot)[:5]:
        row = re.search(
            re.escape(f"{edge['source']} {edge['target']} ")
            + r"(?P<transitions>[\d.]+) (?P<cases>[\d.]+) (?P<mean>[\d.,]+) Tage? "
            r"(?P<total>[\d.,]+) Tage?",
            text,
        )
        assert row, edge
        assert (_german(row["transitions"]), _german(row["cases"])) == (
            edge["transitions"],
            edge["cases"],
        )
        assert _holds_as_displayed(edge["transitions"], row["mean"], row["total"]), row.group(0)


# -- the workspace ----------------------------------------------------------------------------


def _workspace(office: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = office["folder"]
    url = f"sqlite:///{folder / 'pmo.sqlite3'}"
    use_office(monkeypatch, Office(url, folder / "daten", "", ""))


def test_analysis_page_shows_transitions_and_cases_and_adds_up(
    office: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    _workspace(office, monkeypatch)
    app = run_page("analysis", state={"analysis_log_id": office["log_id"]})
    shown = table(open_tab(app, "Engpässe"), "total_wait")
    expected = office["expected"]
    for row in shown.itertuples():
        counted = expected[(row.source, row.target)]
        transitions, cases = _german(row.transitions), _german(row.cases)
        assert (transitions, cases) == (counted.transitions, counted.cases)
        # The days as the table prints them (German notation, one decimal).
        assert _holds_as_displayed(counted.transitions, row.mean_wait, row.total_wait)
    assert any("Übergänge × mittlere Wartezeit" in c.value for c in app.caption)


def test_overview_page_shows_transitions_and_cases_and_adds_up(
    office: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    _workspace(office, monkeypatch)
    app = run_page("overview")
    waits = table(app, "Übergänge")
    expected = office["expected"]
    for row in waits.to_dict(orient="records"):
        counted = expected[(row["Von"], row["Nach"])]
        transitions, cases = _german(row["Übergänge"]), _german(row["Fälle"])
        assert (transitions, cases) == (counted.transitions, counted.cases)
        assert _holds_as_displayed(
            counted.transitions,
            row["Ø Wartezeit je Übergang (Tage)"],
            row["Wartezeit gesamt (Tage)"],
        )
