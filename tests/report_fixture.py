"""A realistic frozen report snapshot (schema ``pmo-report/1``) for the renderer tests.

Three processes: two with an event log (one of them with activity names an attacker could
upload: formulas and markup), one assessed from register data only.
"""

from __future__ import annotations

DAY = 86400.0
HOUR = 3600.0
RATE = 71.0  # E9b, euros per hour
HOURS_PER_FTE = 1600

FORMULA = '=HYPERLINK("x")'
SCRIPT = "<script>alert(1)</script>"
HUNDESTEUER = "Hundesteuer-Anmeldung für Hundehalter"
SONDERNUTZUNG = "Sondernutzungserlaubnis Straße"
GEWERBE = "Gewerbeanmeldung (Ölhandel)"
# Activity names in the uploaded Sondernutzung log that spreadsheet programs would run.
HOSTILE_NAMES = ["+1", "-2+3", "@SUM(A1)", "\t=1"]

_KEYS = {
    HUNDESTEUER: "hundesteuer-anmeldung",
    SONDERNUTZUNG: "sondernutzungserlaubnis-strasse",
    GEWERBE: "gewerbeanmeldung-oelhandel",
}
_LABELS = {
    "rpa": "RPA (Softwareroboter)",
    "ai_form_assistance": "KI-Ausfüllhilfe",
    "online_service": "Onlinedienst (OZG)",
    "process_redesign": "Ablauf neu ordnen",
}


def _candidate(name, activity, recommendation, score, benefit, effort, hours, cases, **extra):
    candidate = {
        "process": _KEYS[name],
        "process_name": name,
        "activity": activity,
        "recommendation": recommendation,
        "recommendation_label": _LABELS[recommendation],
        "score": score,
        "benefit": benefit,
        "effort": effort,
        "reasons": [],
        "signals": {},
        "hours_saved_per_year": hours,
        "fte_saved": round(hours / HOURS_PER_FTE, 2),
        "euros_saved_per_year": round(hours * RATE, 1),
        "pages_avoided_per_year": 0.0,
        "co2_kg_avoided_per_year": 0.0,
        "throughput_reduction_days": 0.0,
        "cases": cases,
        "low_evidence": cases is None or cases < 100,
        "decides": False,
    }
    return candidate | extra


def _candidates() -> dict[str, list[dict]]:
    return {
        HUNDESTEUER: [
            _candidate(HUNDESTEUER, "Hundesteuer berechnen", "rpa", 78.4, 0.71, 2, 64.4, 400,
                reasons=["Der Schritt wird 2.300-mal im Jahr ausgeführt und dauert im Median 2,1 Minuten.",
                         "In 96 % der Fälle folgt derselbe nächste Schritt: Er ist regelgebunden."],
                signals={"events_per_year": 2300.0, "median_processing_min": 2.1,
                         "successor_share": 0.96, "volume_trend_per_year": -5}),
            _candidate(HUNDESTEUER, "Unterlagen nachfordern", "ai_form_assistance", 61.2, 0.58, 3,
                238.3, 400, throughput_reduction_days=3.2,
                reasons=["31 % der Anträge kommen unvollständig an und werden nachgefordert."],
                signals={"rework_share": 0.31, "wait_days": 6.5, "median_processing_min": None}),
            _candidate(HUNDESTEUER, "Steuerbescheid erlassen", "rpa", 55.0, 0.5, 2, 122.7, 400,
                decides=True, signals={"events_per_year": 2300.0},
                reasons=["Der Bescheid ist ein Verwaltungsakt: Vollautomatisierung nur nach § 35a VwVfG."]),
        ],
        SONDERNUTZUNG: [
            _candidate(SONDERNUTZUNG, FORMULA, "process_redesign", 66.9, 0.62, 3, 96.0, 80,
                throughput_reduction_days=3.7, signals={"wait_days": 12.4},
                reasons=["Vor diesem Schritt warten Fälle im Mittel 12,4 Tage — der größte Engpass."]),
            _candidate(SONDERNUTZUNG, SCRIPT, "rpa", 52.3, 0.44, 2, 14.5, 80,
                reasons=["Kurzer Systemschritt mit fester Folge (<Fachverfahren> & Kasse)."]),
        ],
        GEWERBE: [
            _candidate(GEWERBE, None, "online_service", 70.5, 0.74, 4, 73.6, None,
                pages_avoided_per_year=2208.0, co2_kg_avoided_per_year=22.08,
                signals={"cases_per_year": 1150.0, "paper_share": 0.8},
                reasons=["Der Prozess ist nicht online verfügbar (OZG-Reifegrad 1).",
                         "Jährlich gehen rund 920 Papieranträge ein."]),
        ],
    }  # fmt: skip


def _wait(
    source: str, target: str, cases: int, mean_days: float, transitions: int | None = None
) -> dict:
    transitions = cases if transitions is None else transitions  # more when cases loop
    return {"source": source, "target": target, "transitions": transitions, "cases": cases,
            "mean_wait_s": mean_days * DAY,
            "total_wait_s": transitions * (mean_days * DAY)}  # fmt: skip


def _map(nodes: list[tuple[str, int]], edges: list[tuple[str, str, int]]) -> dict:
    return {
        "nodes": [{"activity": a, "count": c} for a, c in nodes],
        "edges": [{"source": s, "target": t, "count": c, "mean_wait_s": DAY} for s, t, c in edges],
    }


def _process(name: str, department: str, candidates: list[dict], **values) -> dict:
    process = {
        "key": _KEYS[name], "name": name, "department": department, "model_version": None,
        "ozg_maturity_level": None, "ozg_maturity_scale": None, "annual_case_volume": None,
        "log": None, "analysis": None, "process_map": {"nodes": [], "edges": []},
        "candidates": candidates, "notes": [],
    }  # fmt: skip
    return process | values


def _channel(channel: str, cases: int, mean_days: float, rework: float) -> dict:
    return {"channel": channel, "cases": cases, "mean_throughput_s": mean_days * DAY,
            "median_throughput_s": 0.8 * mean_days * DAY, "rework_share": rework,
            "mean_wait_s": mean_days / 6 * DAY}  # fmt: skip


def _trends() -> list[dict]:
    """Twelve months of 2024; August completed nothing (no durations, no deadline share)."""
    started = [31, 36, 40, 29, 33, 35, 30, 12, 38, 41, 42, 33]
    completed = [20, 34, 41, 33, 30, 36, 31, 0, 45, 39, 44, 47]
    rows, open_cases = [], 0
    for month, (began, done) in enumerate(zip(started, completed, strict=True), start=1):
        open_cases += began - done
        rows.append({
            "period": f"2024-{month:02d}", "started": began, "completed": done,
            "in_progress": open_cases,
            "median_duration_s": (8.0 + month % 4) * DAY if done else None,
            "p90_duration_s": (21.0 + month % 5) * DAY if done else None,
            "deadline_over_share": round(0.02 * (month % 6), 2) if done else None,
            "paper_share": round(0.7 - 0.03 * month, 2),
        })  # fmt: skip
    return rows


def _hundesteuer(candidates: list[dict]) -> dict:
    eingang, pruefen, nachfordern, berechnen, bescheid, marke = (
        "Antrag eingegangen", "Unterlagen prüfen", "Unterlagen nachfordern",
        "Hundesteuer berechnen", "Steuerbescheid erlassen", "Steuermarke versenden",
    )  # fmt: skip
    conformance = {
        "fitness": 0.97, "precision": 0.8, "fitting_cases_share": 0.75,
        "deviations": [
            {"kind": "skipped", "activity": marke, "cases": 40, "share": 0.1},
            {"kind": "unmodelled", "activity": nachfordern, "cases": 124, "share": 0.31},
        ],
    }  # fmt: skip
    analysis = {
        "case_duration_s": {"mean": 12.3 * DAY, "median": 9.8 * DAY, "p90": 24.0 * DAY},
        "bottlenecks": [_wait(nachfordern, pruefen, 124, 6.5, 140), _wait(pruefen, berechnen, 390, 1.2),
                        _wait(bescheid, marke, 400, 0.5)],
        "rework": [{"activity": pruefen, "cases_with_rework": 124, "share_of_cases": 0.31,
                    "extra_executions": 140, "time_lost_s": 880 * DAY}],
        "conformance": conformance,
        "channels": {"column": "Eingangskanal",
                     "values": [_channel("Online", 160, 6.1, 0.08), _channel("Papier", 240, 16.4, 0.46)]},
        "deadline": {"deadline_days": 30, "cases": 400, "over": 22, "over_share": 0.055,
                     "close": 41, "close_share": 0.1025},
        "trends": _trends(),
    }  # fmt: skip
    process_map = _map(
        [(eingang, 400), (pruefen, 524), (nachfordern, 140), (berechnen, 400), (bescheid, 400),
         (marke, 360)],
        [(eingang, pruefen, 400), (pruefen, nachfordern, 140), (nachfordern, pruefen, 124),
         (pruefen, berechnen, 390), (berechnen, bescheid, 400), (bescheid, marke, 360),
         (pruefen, pruefen, 12)],
    )  # fmt: skip
    log = {"log_id": "log-2024-hst-01", "source_name": "hundesteuer.csv",
           "uploaded_at": "2025-01-14T09:30:00+01:00", "cases": 400, "events": 3500,
           "start": "2024-01-02T08:01:00+01:00", "end": "2024-12-30T15:45:00+01:00"}  # fmt: skip
    return _process(
        HUNDESTEUER, "Fachdienst Steuern", candidates, model_version=2, ozg_maturity_level=2,
        ozg_maturity_scale="1.1", annual_case_volume=2300, log=log, analysis=analysis,
        process_map=process_map,
    )  # fmt: skip


def _sondernutzung(candidates: list[dict]) -> dict:
    eingang, tiefbau, erteilen = "Antrag eingegangen", "Stellungnahme Tiefbau", "Erlaubnis erteilen"
    plus, minus, at, tab = HOSTILE_NAMES
    analysis = {
        "case_duration_s": {"mean": 21.0 * DAY, "median": 18.5 * DAY, "p90": None},
        "bottlenecks": [_wait(tiefbau, FORMULA, 80, 12.4), _wait(plus, minus, 9, 3 * HOUR / DAY),
                        _wait(at, tab, 6, 2 * HOUR / DAY)],
        "rework": [], "conformance": None, "channels": None, "deadline": None,
    }  # fmt: skip
    process_map = _map(
        [(s, 80) for s in (eingang, tiefbau, FORMULA, SCRIPT, erteilen)]
        + [(h, 9) for h in HOSTILE_NAMES],
        [(eingang, tiefbau, 80), (tiefbau, FORMULA, 80), (FORMULA, SCRIPT, 80),
         (SCRIPT, erteilen, 80), (eingang, erteilen, 3), (plus, minus, 9), (at, tab, 6)],
    )  # fmt: skip
    log = {"log_id": "log-2024-snu-03", "source_name": "sondernutzung <export>.xlsx",
           "uploaded_at": "2025-02-03T11:00:00+01:00", "cases": 80, "events": 410,
           "start": "2024-02-01T07:30:00+01:00", "end": "2024-11-29T12:00:00+01:00"}  # fmt: skip
    notes = ["Weniger als 100 Fälle im Protokoll: Ergebnisse mit Vorsicht lesen."]
    return _process(
        SONDERNUTZUNG, "Fachdienst Straßen & Verkehr", candidates, log=log, analysis=analysis,
        process_map=process_map, notes=notes,
    )  # fmt: skip


def make_snapshot() -> dict:
    per_process = _candidates()
    everything = sorted((c for cs in per_process.values() for c in cs), key=lambda c: -c["score"])
    hours = round(sum(c["hours_saved_per_year"] for c in everything), 1)
    gewerbe = _process(
        GEWERBE, "Fachdienst Ordnung", per_process[GEWERBE], model_version=1,
        ozg_maturity_level=1, ozg_maturity_scale="1.1", annual_case_volume=1150,
        notes=["Kein Ereignisprotokoll: Bewertung nur aus Registerdaten."],
    )  # fmt: skip
    return {
        "schema": "pmo-report/1",
        "id": 7,
        "title": "Digitalisierungsportfolio",
        "created_at": "2026-11-28T07:15:00+01:00",
        "created_by": "pmo",
        "filters": {"from": "2024-01-01", "to": "2024-12-31"},
        "assumptions": {
            "general.hours_per_fte": HOURS_PER_FTE,
            "general.default_pay_group": "E9b",
            "general.min_cases": 100,
            "general.benefit_weight": 0.7,
            "cost_rates_eur_per_hour": {"E6": 60.0, "E9b": RATE, "E11": 81.0, "A9": 68.0},
            "online_service.pages_per_paper_application": 4.0,
            "online_service.co2_g_per_page": 10.0,
            "min_group_size": 5,
        },
        "assumption_labels": {
            "general.hours_per_fte": "Jahresarbeitsstunden je Vollzeitstelle",
            "general.default_pay_group": "Entgeltgruppe der Sachbearbeitung",
            "general.min_cases": "Mindestzahl Fälle für belastbare Aussagen",
            "general.benefit_weight": "Gewicht Nutzen im Score",
            "cost_rates_eur_per_hour": "Stundensätze (Euro, Vollkosten)",
            "online_service.pages_per_paper_application": "Onlinedienst: Seiten je Papierantrag",
            "online_service.co2_g_per_page": "Onlinedienst: Gramm CO₂ je Seite",
        },
        "summary": {
            "processes": 3,
            "processes_with_log": 2,
            "candidates": len(everything),
            "hours_saved_per_year": hours,
            "fte_saved": round(hours / HOURS_PER_FTE, 2),
            "euros_saved_per_year": round(sum(c["euros_saved_per_year"] for c in everything), 0),
            "pages_avoided_per_year": 2208.0,
            "co2_kg_avoided_per_year": 22.1,
        },
        "candidates": everything,
        "processes": [
            _hundesteuer(per_process[HUNDESTEUER]),
            _sondernutzung(per_process[SONDERNUTZUNG]),
            gewerbe,
        ],
    }
