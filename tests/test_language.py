"""Generated texts in the reader's language: mining's Text, the CLI's --lang, the English report.

German stays what it was (other tests pin it byte for byte); English must be English throughout
the parts a reader reads as prose: reasons, notes, headings.
"""

from __future__ import annotations

import json
import pickle
import re
from html import unescape
from pathlib import Path

import pytest

from mining import Text, localized
from mining.digitization.rules import recommend
from mining.texts import bi, join, reading, tr
from tests.cli_office import office_env, pmo_output
from tests.municipal_log import generate_hundesteuer_log
from tests.test_digitization import ASSUMPTIONS, process, step

GERMAN = re.compile(r"\b(der|die|das|und|nicht|Fälle|Fällen|wird|werden|im Mittel|Schätzung)\b")


def test_a_text_is_its_german_and_carries_its_english() -> None:
    text = bi("3 Fälle warten", "3 cases wait")
    assert text == "3 Fälle warten" and isinstance(text, str)
    assert localized({"reasons": [text], "n": 3}, "en") == {"reasons": ["3 cases wait"], "n": 3}
    assert localized([text], "de") == ["3 Fälle warten"]
    # Streamlit's cache pickles results: the translation must survive it.
    assert pickle.loads(pickle.dumps(text)).en == "3 cases wait"


def test_joined_texts_keep_both_languages_and_plain_parts_stay_as_they_are() -> None:
    joined = join("; ", [bi("ja", "yes"), "Antrag prüfen"])
    assert (str(joined), joined.en) == ("ja; Antrag prüfen", "yes; Antrag prüfen")


def test_reading_chooses_the_label_language_only_within_its_block() -> None:
    with reading("en"):
        assert tr("Fälle", "Cases") == "Cases"
    assert tr("Fälle", "Cases") == "Fälle"


def test_digitization_reasons_read_english_without_german_prose() -> None:
    candidates = recommend(process(step()), ASSUMPTIONS)
    assert candidates
    for candidate in localized(candidates, "en"):
        assert candidate.reasons
        for reason in candidate.reasons:
            assert not isinstance(reason, Text)
            assert not GERMAN.search(reason), reason
        assert not GERMAN.search(candidate.calculation.formula)
    # The German candidates are unchanged by the translation being there.
    assert "4.000 Ausführungen pro Jahr" in "\n".join(candidates[0].reasons)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("sprache-cli")
    environment = office_env(folder)
    environment.pop("PMO_LANGUAGE", None)
    pmo_output("demo", "--no-logs", env=environment)
    log = generate_hundesteuer_log(folder / "hundesteuer.csv", service_times=True)
    pmo_output(
        "log", "import", str(log), "--process", "hundesteuer-anmeldung",
        "--attribute", "Eingangskanal", env=environment,
    )  # fmt: skip
    return environment


def _html_text(path: Path) -> str:
    page = path.read_text(encoding="utf-8")
    page = re.sub(r"<style>.*?</style>|<svg.*?</svg>", "", page, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", "\n", page))


def test_an_english_report_has_english_headings_and_reasons(
    env: dict[str, str], tmp_path: Path
) -> None:
    target = tmp_path / "report-en.html"
    pmo_output("report", "--lang", "en", "--format", "html", "-o", str(target), env=env)
    text = _html_text(target)
    assert '<html lang="en">' in target.read_text(encoding="utf-8")
    for heading in (
        "Digitization portfolio",
        "Summary for the leadership",
        "Digitization candidates",
        "Assumptions and method",
        "Bottlenecks (largest total waiting time)",
    ):
        assert heading in text
    for german in ("Digitalisierungskandidaten", "Annahmen und Methode", "Zusammenfassung"):
        assert german not in text
    reasons = [line for line in text.splitlines() if "of cases" in line]
    assert reasons, "no English reason in the report"
    assert "cases need rework or follow-up requests" in text


def test_the_report_stays_german_without_lang_and_follows_pmo_language(
    env: dict[str, str], tmp_path: Path
) -> None:
    german = tmp_path / "report-de.html"
    pmo_output("report", "--format", "html", "-o", str(german), env=env)
    assert "Digitalisierungskandidaten" in _html_text(german)
    english = tmp_path / "report-env.html"
    pmo_output("report", "--format", "html", "-o", str(english), env={**env, "PMO_LANGUAGE": "en"})
    assert "Digitization candidates" in _html_text(english)


def test_analyze_speaks_english_and_keeps_its_json_keys(env: dict[str, str]) -> None:
    logs = json.loads(pmo_output("log", "list", "--json", env=env))
    log_id = next(row["log_id"] for row in logs if row.get("process") == "hundesteuer-anmeldung")
    german = json.loads(pmo_output("analyze", log_id, "--json", env=env))
    english = json.loads(pmo_output("analyze", log_id, "--json", "--lang", "en", env=env))
    assert german.keys() == english.keys()
    assert german["candidates"][0].keys() == english["candidates"][0].keys()
    assert english["candidates"][0]["reasons"] != german["candidates"][0]["reasons"]
    text = pmo_output("analyze", log_id, "--lang", "en", env=env)
    assert "Digitization candidates" in text and "Most frequent variants:" in text
    assert "Digitalisierungskandidaten" not in text


def test_registry_list_shows_the_status_in_english_but_stores_german(env: dict[str, str]) -> None:
    english = pmo_output("registry", "list", "--lang", "en", env=env)
    assert "released (subject matter)" in english or "draft" in english
    assert "fachlich freigegeben" not in english
    stored = json.loads(pmo_output("registry", "list", "--json", "--lang", "en", env=env))
    assert {row["status"] for row in stored} <= {
        "in Planung", "in Bearbeitung", "Entwurf", "methodisch freigegeben",
        "fachlich freigegeben", "archiviert",
    }  # fmt: skip


def test_figures_in_an_english_text_read_the_english_way() -> None:
    from mining.texts import bi

    text = bi("spart 2.655 Stunden (26,8 %), 1.234,5 €", "saves 2.655 hours (26,8 %), 1.234,5 €")
    assert str(text) == "spart 2.655 Stunden (26,8 %), 1.234,5 €"
    assert text.en == "saves 2,655 hours (26.8 %), 1,234.5 €"
    # English figures, versions, dates and legal references stay as they are.
    kept = "1,234 cases, version 1.2, 04.12.2026, § 35a, year 2024"
    assert bi("x", kept).en == kept
