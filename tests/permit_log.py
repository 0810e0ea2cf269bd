"""A completion-only German export of a small permit process, as specialist systems write it.

One timestamp per step (no start times), cp1252, ``;``, ``dd.mm.yyyy HH:MM:SS``, a resource
column with clerks and a ``SYSTEM`` account, and an ``Eingangskanal`` column. What is injected:
- 40 % of the applications arrive on paper ("Papier") and are scanned, the rest online;
- two rule-bound steps (:data:`RULE_BOUND_STEPS`) done by ``SYSTEM``, each always followed by the
  same step and two hours (± 5 %) after the previous one;
- deciding steps (:data:`DECIDING_STEPS`) done by clerks, days apart;
- 25 % of the cases loop through "Unterlagen nachfordern" (rework);
- every other clerk step follows after a widely varying time, by a clerk drawn at random.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

INTAKE = "Antrag eingegangen"
SCAN = "Papierantrag scannen"
FOLLOW_UP = "Unterlagen nachfordern"
RULE_BOUND_STEPS = ("Antragsdaten an Fachverfahren übertragen", "Gebühr berechnen")
DECIDING_STEPS = (
    "Vollständigkeit prüfen",
    "Antrag prüfen",
    "Genehmigung erteilen",
    "Antrag ablehnen",
)
SYSTEM = "SYSTEM"
HEADER = ["Aktenzeichen", "Tätigkeit", "Zeitpunkt", "Bearbeiter", "Eingangskanal"]


def generate_permit_log(path: Path, *, cases: int = 3000, seed: int = 7) -> Path:
    """Write the export; ``cases`` applications spread over one year."""
    rng = random.Random(seed)
    clerks = [f"Sachbearbeitung {chr(65 + n)}" for n in range(9)]
    rows: list[list[str]] = []
    start = dt.datetime(2024, 1, 2, 8, 0)
    for number in range(cases):
        case = f"SNE-2024-{number:05d}"
        channel = "Papier" if rng.random() < 0.4 else "Online"
        # (activity, hours since the previous step, resource), in case order
        clerk = rng.choice
        plan = [(INTAKE, 0.0, clerk(clerks))]
        if channel == "Papier":
            plan.append((SCAN, rng.uniform(1, 30), clerk(clerks)))
        plan.append(("Antrag erfassen", rng.uniform(1, 48), clerk(clerks)))
        plan.append(("Vollständigkeit prüfen", rng.uniform(2, 72), clerk(clerks)))
        if rng.random() < 0.25:
            plan.append((FOLLOW_UP, rng.uniform(1, 24), clerk(clerks)))
            plan.append(("Unterlagen eingegangen", rng.uniform(48, 400), clerk(clerks)))
            plan.append(("Vollständigkeit prüfen", rng.uniform(2, 72), clerk(clerks)))
        plan += [(step, 2 * rng.uniform(0.95, 1.05), SYSTEM) for step in RULE_BOUND_STEPS]
        plan.append(("Antrag prüfen", rng.uniform(24, 300), clerk(clerks)))
        decision = "Genehmigung erteilen" if rng.random() < 0.85 else "Antrag ablehnen"
        plan.append((decision, rng.uniform(4, 120), clerk(clerks)))
        plan.append(("Bescheid versenden", rng.uniform(1, 48), clerk(clerks)))
        moment = start + dt.timedelta(minutes=rng.uniform(0, 365 * 24 * 60))
        for activity, hours, resource in plan:
            moment += dt.timedelta(hours=hours)
            stamp = moment.strftime("%d.%m.%Y %H:%M:%S")
            rows.append([case, activity, stamp, resource, channel])
    with path.open("w", encoding="cp1252", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def stored_permit_log(folder: Path, *, cases: int = 3000, seed: int = 7) -> Path:
    """The export through the real import pipeline (Parquet, resources pseudonymized)."""
    export = generate_permit_log(folder / "sondernutzung.csv", cases=cases, seed=seed)
    return stored_export(export, folder)


def stored_export(export: Path, folder: Path) -> Path:
    """A CSV export of this shape (with ``Eingangskanal``) through the real import pipeline."""
    from mining.ingest.pipeline import ingest_file
    from mining.ingest.privacy import load_or_create_secret
    from mining.ingest.store import ImportOptions

    events = folder / "events.parquet"
    ingest_file(
        export,
        events,
        options=ImportOptions(attributes=("Eingangskanal",)),
        secret=load_or_create_secret(folder),
        source=export.name,
    )
    return events
