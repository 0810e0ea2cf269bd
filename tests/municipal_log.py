"""A generated Hundesteuer log with known, injected findings (for the analysis acceptance tests).

What is injected, with the share of cases:
- every case starts with the start event "Hundeanmeldung eingegangen" logged as an activity;
- 40 % arrive on paper and get "Papieranmeldung scannen" (Kanal = Papier), the rest online;
- 20 % have "Anmeldung prüfen" twice (rework);
- 25 % skip the mandatory "Steuerfall im Fachverfahren anlegen";
- every case waits about ten days between "Hundesteuer berechnen" and "Steuerbescheid erstellen"
  (the bottleneck), while every other step follows within hours.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

START_EVENT = "Hundeanmeldung eingegangen"
SKIPPED_STEP = "Steuerfall im Fachverfahren anlegen"
REWORK_STEP = "Anmeldung prüfen"
BOTTLENECK = ("Hundesteuer berechnen", "Steuerbescheid erstellen")
SHARES = {"paper": 0.4, "rework": 0.2, "skip": 0.25}


def _step(rng: random.Random, hours: float) -> dt.timedelta:
    return dt.timedelta(minutes=rng.uniform(0.5, 1.5) * hours * 60)


# Minutes of work per step when the log records start times (``service_times=True``): the two
# system steps are short and uniform (the RPA candidates); the rest take longer or vary widely.
RPA_STEPS = ("Steuerfall im Fachverfahren anlegen", "Hundesteuer berechnen")
SERVICE_MINUTES = {
    START_EVENT: (0, 0),
    "Papieranmeldung scannen": (5, 12),
    REWORK_STEP: (10, 45),
    "Nachweis für Steuervergünstigung prüfen": (5, 30),
    "Steuerfall im Fachverfahren anlegen": (2, 3),
    "Hundesteuer berechnen": (1, 1.6),
    "Steuerbescheid erstellen": (5, 25),
    "Steuerbescheid versenden": (1, 10),
    "Hundesteuermarke versenden": (1, 10),
    "Sollstellung buchen": (1, 40),
}


def generate_hundesteuer_log(
    path: Path, *, cases: int = 400, seed: int = 42, service_times: bool = False
) -> Path:
    """Write the log as a German Excel CSV (cp1252, ';', dd.mm.yyyy HH:MM[:SS]).

    With ``service_times`` a "Beginn" column records when work on each step started."""
    rng = random.Random(seed)
    rows: list[tuple[str, str, dt.datetime, dt.datetime, str, str]] = []
    clerks = [f"Sachbearbeitung {n}" for n in range(12)]
    for number in range(cases):
        case = f"HST-2024-{number:05d}"
        paper = number % 10 < SHARES["paper"] * 10
        rework = number % 5 == 0
        skip = number % 4 == 1
        t = dt.datetime(2024, 1, 8, 8, 0) + dt.timedelta(hours=number * 5 % 2000)
        channel = "Papier" if paper else "Online"
        steps = [START_EVENT]
        if paper:
            steps.append("Papieranmeldung scannen")
        steps.append(REWORK_STEP)
        if rework:
            steps.append(REWORK_STEP)
        if number % 3 == 0:
            steps.append("Nachweis für Steuervergünstigung prüfen")
        if not skip:
            steps.append(SKIPPED_STEP)
        steps += ["Hundesteuer berechnen", "Steuerbescheid erstellen"]
        parallel = ["Steuerbescheid versenden", "Hundesteuermarke versenden"]
        rng.shuffle(parallel)
        steps += parallel + ["Sollstellung buchen"]
        previous = None
        for activity in steps:
            if previous is not None:
                hours = 240 if (previous, activity) == BOTTLENECK else 3
                t += _step(rng, hours)
            low, high = SERVICE_MINUTES[activity]
            begin = t
            if service_times:
                t += dt.timedelta(seconds=round(rng.uniform(low, high) * 60))
            rows.append((case, activity, begin, t, rng.choice(clerks), channel))
            previous = activity
    with path.open("w", encoding="cp1252", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        header = ["Aktenzeichen", "Tätigkeit", "Zeitpunkt", "Bearbeiter", "Eingangskanal"]
        writer.writerow([*header, "Beginn"] if service_times else header)
        for case, activity, begin, moment, clerk, channel in rows:
            if service_times:
                stamp = "%d.%m.%Y %H:%M:%S"
                writer.writerow(
                    [case, activity, moment.strftime(stamp), clerk, channel, begin.strftime(stamp)]
                )
            else:
                writer.writerow([case, activity, moment.strftime("%d.%m.%Y %H:%M"), clerk, channel])
    return path


def stored_hundesteuer_log(
    folder: Path, *, cases: int = 400, seed: int = 42, service_times: bool = False
) -> Path:
    """The generated log imported as the log store keeps it (Parquet, channel as attribute)."""
    from mining.ingest.pipeline import ingest_file
    from mining.ingest.privacy import load_or_create_secret
    from mining.ingest.store import ImportOptions

    log = generate_hundesteuer_log(
        folder / "hundesteuer.csv", cases=cases, seed=seed, service_times=service_times
    )
    events = folder / "events.parquet"
    ingest_file(
        log,
        events,
        options=ImportOptions(attributes=("Eingangskanal",)),
        secret=load_or_create_secret(folder),
        source=log.name,
    )
    return events
