"""`pmo report` end to end: the issue's acceptance on the generated Hundesteuer log."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

from tests.cli_office import office_env, pmo_output, run_pmo
from tests.conftest import PROJECT
from tests.municipal_log import RPA_STEPS, generate_hundesteuer_log

CATALOGUE = json.loads((PROJECT / "bpmn_models" / "catalogue.json").read_text(encoding="utf-8"))
INJECTION = '=HYPERLINK("x")'
INJECTION_CSV = '"' + INJECTION.replace('"', '""') + '"'  # as Excel quotes it in a CSV


def _injection_log(path: Path) -> Path:
    """A Sondernutzung log whose slowest step carries a spreadsheet formula as its name."""
    rows = ["Vorgangsnummer;Tätigkeit;Zeitpunkt;Kanal"]
    for case in range(120):
        day = 1 + case % 20
        rows += [
            f"SN-{case};Antragsdaten manuell erfassen;{day:02d}.03.2024 09:00;Papier",
            f"SN-{case};Antrag prüfen;{day:02d}.03.2024 11:00;Papier",
            f"SN-{case};{INJECTION_CSV};{day + 8:02d}.03.2024 10:00;Papier",
            f"SN-{case};Erlaubnisbescheid versenden;{day + 8:02d}.03.2024 12:00;Papier",
        ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    folder = tmp_path_factory.mktemp("report")
    env = office_env(folder)
    pmo_output("demo", "--no-logs", env=env)
    log = generate_hundesteuer_log(folder / "hundesteuer.csv", service_times=True)
    pmo_output(
        "log",
        "import",
        str(log),
        "--process",
        "hundesteuer-anmeldung",
        "--attribute",
        "Eingangskanal",
        env=env,
    )
    pmo_output(
        "log",
        "import",
        str(_injection_log(folder / "sondernutzung.csv")),
        "--process",
        "sondernutzungserlaubnis",
        "--attribute",
        "Kanal",
        env=env,
    )
    return folder, env


@pytest.fixture(scope="module")
def snapshot(office: tuple[Path, dict[str, str]]) -> tuple[int, dict]:
    folder, env = office
    answer = json.loads(
        pmo_output(
            "report", "--format", "json", "-o", str(folder / "bericht.json"), "--json", env=env
        )
    )
    return answer["report_id"], json.loads((folder / "bericht.json").read_text(encoding="utf-8"))


def test_the_two_robot_steps_rank_in_the_top_three_with_rpa(
    office: tuple[Path, dict[str, str]],
) -> None:
    _, env = office
    [log] = [
        row
        for row in json.loads(pmo_output("log", "list", "--json", env=env))
        if row["process"] == "hundesteuer-anmeldung"
    ]
    result = json.loads(pmo_output("analyze", log["log_id"], "--json", env=env))
    top = result["candidates"][:3]
    assert {(c["activity"], c["recommendation"]) for c in top} >= {(s, "rpa") for s in RPA_STEPS}
    for candidate in result["candidates"]:
        assert {"activity", "score", "recommendation", "reasons", "hours_saved_per_year"} <= set(
            candidate
        )
        assert candidate["reasons"], candidate


def test_the_paper_heavy_process_gets_an_online_service(snapshot: tuple[int, dict]) -> None:
    _, report = snapshot
    [process] = [p for p in report["processes"] if p["key"] == "hundesteuer-anmeldung"]
    [online] = [c for c in process["candidates"] if c["recommendation"] == "online_service"]
    assert any("40 % der Fälle gehen über Papier ein" in r for r in online["reasons"])
    assert online["pages_avoided_per_year"] > 0
    assert online["co2_kg_avoided_per_year"] > 0


def test_the_report_covers_every_registered_process(snapshot: tuple[int, dict]) -> None:
    _, report = snapshot
    assert {p["key"] for p in report["processes"]} == {entry["key"] for entry in CATALOGUE}
    without_log = [p for p in report["processes"] if p["log"] is None]
    assert all("Kein Ereignisprotokoll" in " ".join(p["notes"]) for p in without_log)
    summary = report["summary"]
    assert summary["processes"] == len(CATALOGUE)
    assert summary["processes_with_log"] == 2
    # Each step once, with its best-ranked recommendation: two for one step save its hours once.
    best: dict = {}
    for c in report["candidates"]:
        best.setdefault((c["process"], c["activity"]), c)
    assert summary["hours_saved_per_year"] == pytest.approx(
        sum(c["hours_saved_per_year"] for c in best.values()), abs=0.1
    )


def test_each_process_page_states_data_date_model_version_and_assumptions(
    snapshot: tuple[int, dict],
) -> None:
    _, report = snapshot
    [process] = [p for p in report["processes"] if p["key"] == "hundesteuer-anmeldung"]
    assert process["model_version"] == 1
    assert process["log"]["start"].startswith("2024-01-08")
    assert report["filters"] == {"from": None, "to": None}
    assert report["assumptions"]["general.hours_per_fte"] == 1600
    assert report["assumption_labels"]["general.hours_per_fte"]


def test_the_pdf_text_names_every_process_with_its_umlauts(
    office: tuple[Path, dict[str, str]], snapshot: tuple[int, dict]
) -> None:
    folder, env = office
    report_id, _ = snapshot
    target = folder / "bericht.pdf"
    pmo_output(
        "report", "--snapshot", str(report_id), "--format", "pdf", "-o", str(target), env=env
    )
    reader = PdfReader(target)
    text = "\n".join(page.extract_text() for page in reader.pages)
    flat = " ".join(text.split())
    for entry in CATALOGUE:
        assert " ".join(entry["name"].split()) in flat, entry["name"]
    assert "Gebühren festsetzen und Zahlung überwachen" in flat
    assert "Sondernutzungserlaubnis für öffentliche Straßen" in flat
    assert len(reader.pages) >= 1 + len(CATALOGUE)


def test_the_xlsx_holds_no_formula_from_data(
    office: tuple[Path, dict[str, str]], snapshot: tuple[int, dict]
) -> None:
    folder, env = office
    report_id, report = snapshot
    names = {
        e["source"]
        for p in report["processes"]
        if p["analysis"]
        for e in p["analysis"]["bottlenecks"]
    } | {
        e["target"]
        for p in report["processes"]
        if p["analysis"]
        for e in p["analysis"]["bottlenecks"]
    }
    assert INJECTION in names  # the formula-like name really reaches the spreadsheet
    target = folder / "bericht.xlsx"
    pmo_output(
        "report", "--snapshot", str(report_id), "--format", "xlsx", "-o", str(target), env=env
    )
    book = openpyxl.load_workbook(target)
    values = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                values.append(cell.value)
    assert "'" + INJECTION in values
    with zipfile.ZipFile(target) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    assert numbers, "figures must stay numbers"


def test_a_snapshot_re_renders_to_the_same_numbers_after_new_data(
    office: tuple[Path, dict[str, str]], snapshot: tuple[int, dict]
) -> None:
    folder, env = office
    report_id, report = snapshot
    more = generate_hundesteuer_log(folder / "mehr.csv", cases=150, seed=7, service_times=True)
    pmo_output(
        "log",
        "import",
        str(more),
        "--process",
        "hundesteuer-anmeldung",
        "--attribute",
        "Eingangskanal",
        env=env,
    )
    again = folder / "wieder.json"
    pmo_output(
        "report", "--snapshot", str(report_id), "--format", "json", "-o", str(again), env=env
    )
    assert json.loads(again.read_text(encoding="utf-8")) == report
    fresh = folder / "neu.json"
    pmo_output("report", "--format", "json", "-o", str(fresh), env=env)
    assert json.loads(fresh.read_text(encoding="utf-8"))["summary"] != report["summary"]


def test_the_html_report_is_self_contained(
    office: tuple[Path, dict[str, str]], snapshot: tuple[int, dict]
) -> None:
    folder, env = office
    report_id, _ = snapshot
    target = folder / "bericht.html"
    pmo_output(
        "report", "--snapshot", str(report_id), "--format", "html", "-o", str(target), env=env
    )
    html = target.read_text(encoding="utf-8")
    assert "Hundesteuer – Anmeldung eines Hundes" in html
    assert "<script" not in html.lower()
    assert "http://" not in html and "https://" not in html


def test_stored_reports_are_listed(
    office: tuple[Path, dict[str, str]], snapshot: tuple[int, dict]
) -> None:
    _, env = office
    report_id, _ = snapshot
    listed = json.loads(pmo_output("report", "--list", "--json", env=env))
    assert report_id in [row["id"] for row in listed]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--process", "gibt-es-nicht"], "gibt-es-nicht"),
        (["--snapshot", "999"], "Bericht 999 nicht gefunden"),
        (["--assumptions", "ANNAHMEN"], "unbekannter Schlüssel [rpa] tempo"),
    ],
)
def test_bad_report_requests_get_one_clear_message(
    office: tuple[Path, dict[str, str]], args: list[str], message: str
) -> None:
    folder, env = office
    assumptions = folder / "annahmen.toml"
    assumptions.write_text("[rpa]\ntempo = 3\n", encoding="utf-8")
    args = [str(assumptions) if a == "ANNAHMEN" else a for a in args]
    target = folder / "fehler.pdf"
    result = run_pmo("report", *args, "--format", "pdf", "-o", str(target), env=env)
    assert result.returncode == 1
    error = result.stderr.decode()
    assert message in error
    assert "Traceback" not in error
    assert not target.exists()


def test_pdf_bytes_are_reproducible(
    office: tuple[Path, dict[str, str]], snapshot: tuple[int, dict]
) -> None:
    folder, env = office
    report_id, _ = snapshot
    outputs = []
    for name in ("a.pdf", "b.pdf"):
        pmo_output(
            "report",
            "--snapshot",
            str(report_id),
            "--format",
            "pdf",
            "-o",
            str(folder / name),
            env=env,
        )
        outputs.append((folder / name).read_bytes())
    assert outputs[0] == outputs[1]
    assert PdfReader(io.BytesIO(outputs[0])).pages


def test_the_snapshot_carries_the_monthly_trends_and_every_format_shows_them(
    snapshot: tuple[int, dict],
) -> None:
    from mining import render_report

    _, report = snapshot
    [process] = [p for p in report["processes"] if p["key"] == "hundesteuer-anmeldung"]
    trends = process["analysis"]["trends"]
    # Every case of the log starts and completes in one of the months, from its first month on.
    assert sum(row["started"] for row in trends) == process["log"]["cases"]
    assert sum(row["completed"] for row in trends) == process["log"]["cases"]
    assert trends[0]["period"] == process["log"]["start"][:7]
    # 40 % of the generated cases come in on paper ("Papier" in Eingangskanal).
    paper = sum(row["paper_share"] * row["started"] for row in trends if row["started"])
    assert paper / process["log"]["cases"] == pytest.approx(0.4)

    book = openpyxl.load_workbook(io.BytesIO(render_report(report, "xlsx")))
    rows = [
        row
        for row in book["Entwicklung"].iter_rows(min_row=2, values_only=True)
        if row[0] == "hundesteuer-anmeldung"
    ]
    assert [row[2:6] for row in rows] == [
        (r["period"], r["started"], r["completed"], r["in_progress"]) for r in trends
    ]
    pdf_text = " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(render_report(report, "pdf"))).pages
    )
    assert "Entwicklung je Monat" in pdf_text and "Fälle je Monat" in pdf_text
    html = render_report(report, "html").decode("utf-8")
    assert 'aria-label="Entwicklung je Monat"' in html


def test_the_snapshot_carries_the_conclusions_and_each_logs_age(snapshot: tuple[int, dict]) -> None:
    from process_registry import parse_iso

    _, report = snapshot
    assert report["conclusions"]["de"].startswith("Zuerst angehen: (1) ")
    assert report["conclusions"]["en"].startswith("Start with: (1) ")
    assert report["data_age_warning_days"] == 180  # the office's default
    created = parse_iso(report["created_at"])
    for process in report["processes"]:
        if process["log"] is not None:
            assert process["log"]["age_days"] == (created - parse_iso(process["log"]["end"])).days
        assert "technical_notes" in process
