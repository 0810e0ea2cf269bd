"""Synthetic event logs of the sample processes: the generator and the loader behind ``pmo demo``.

``python -m pmo._sample_logs`` rewrites the committed files in ``event_logs/``; a test checks they
equal a fresh generation. Everything is drawn from one seeded generator with triangular
distributions only (no ``log``/``exp``, whose last bit may differ between C libraries), naive
local times and no locale, so the output is the same on every machine. What each log contains is
described in ``event_logs/SOURCES.md``; the flows themselves are in :mod:`pmo._sample_flows`, the
office and case they run through in :mod:`pmo._sample_cases`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import random
import zipfile
from pathlib import Path

from mining import ImportOptions, ImportResult, LogStore, ModelReview
from pmo._sample_cases import DAY_START, Case, Office, Sample
from pmo._sample_flows import SAMPLES
from process_registry import ProcessNotFoundError

__all__ = [
    "COLUMNS",
    "ENCODING",
    "FOLDER",
    "REAL_LOGS",
    "Case",
    "Sample",
    "generate",
    "load_sample_logs",
    "samples",
    "sample_options",
]

PROJECT = Path(__file__).resolve().parents[1]
FOLDER = PROJECT / "event_logs"
COLUMNS = (
    "Vorgangsnummer",
    "Tätigkeit",
    "Beginn",
    "Ende",
    "Bearbeitung",
    "Organisationseinheit",
    "Eingangskanal",
)
SEED = 20240701
ENCODING = "cp1252"  # as German Excel writes a CSV
_PERIOD_START = dt.date(2024, 7, 1)
# Arrivals per weekday (Monday first): Mondays are busiest, Fridays quiet.
_WEEKDAY_WEIGHTS = (1.25, 1.1, 1.0, 1.05, 0.75)
_ZIP_TIME = (2025, 1, 1, 0, 0, 0)

# Real public logs shipped in event_logs/ (see SOURCES.md); loaded unlinked, columns suggested.
REAL_LOGS = ("08_receipt.xes.gz", "running-example.xes", "roadtraffic100traces.csv")


def samples() -> tuple[Sample, ...]:
    """Every generated sample log, in the order ``pmo demo`` loads them."""
    return SAMPLES


def _annual_volumes(folder: Path) -> dict[str, int]:
    entries = json.loads((folder / "catalogue.json").read_text(encoding="utf-8"))
    return {entry["key"]: int(entry["annual_case_volume"]) for entry in entries}


def _arrivals(office: Office, count: int, months: int) -> list[dt.datetime]:
    years, month = divmod(_PERIOD_START.month - 1 + months, 12)
    end = dt.date(_PERIOD_START.year + years, month + 1, 1)  # the first day after the period
    workdays = [
        _PERIOD_START + dt.timedelta(days=n)
        for n in range((end - _PERIOD_START).days)
        if office.workday(_PERIOD_START + dt.timedelta(days=n))
    ]
    weights = [_WEEKDAY_WEIGHTS[day.weekday()] for day in workdays]
    picked = office.rng.choices(workdays, weights=weights, k=count)
    moments = [
        dt.datetime.combine(day, DAY_START) + dt.timedelta(seconds=office.rng.randint(0, 29700))
        for day in picked
    ]
    return sorted(moments)


def render(sample: Sample, annual_volume: int, seed: int = SEED) -> bytes:
    """The CSV bytes of one sample log."""
    office = Office(random.Random(f"{seed}:{sample.key}"))
    count = round(annual_volume * sample.months / 12)
    names, weights = zip(*sample.channels, strict=True)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    year = _PERIOD_START.year
    for number, start in enumerate(_arrivals(office, count, sample.months), start=1):
        channel = office.rng.choices(names, weights=weights)[0]
        case = Case(office, f"{sample.prefix}-{year}-{number:05d}", start, channel)
        sample.flow(case)
        writer.writerows(case.rows())
    return out.getvalue().encode(ENCODING)


def zipped(member: str, data: bytes) -> bytes:
    """A one-member ZIP with fixed metadata, so equal content gives equal bytes."""
    info = zipfile.ZipInfo(member, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3
    info.external_attr = 0o644 << 16
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(info, data, compresslevel=9)
    return buffer.getvalue()


def generate(target: Path = FOLDER, *, models: Path = PROJECT / "bpmn_models") -> list[Path]:
    """Write every sample log as a ZIP holding one CSV into ``target``; returns the files."""
    volumes = _annual_volumes(models)
    written = []
    for sample in samples():
        data = zipped(sample.member_name, render(sample, volumes[sample.key]))
        path = Path(target) / sample.file_name
        staging = path.with_suffix(".tmp")
        staging.write_bytes(data)
        os.replace(staging, path)
        written.append(path)
    return written


def sample_options(process_key: str | None) -> ImportOptions:
    """How ``pmo demo`` maps a generated log (explicit, so nothing depends on header guessing)."""
    return ImportOptions(
        case="Vorgangsnummer",
        activity="Tätigkeit",
        timestamp="Ende",
        start_timestamp="Beginn",
        resource="Bearbeitung",
        org_unit="Organisationseinheit",
        attributes=("Eingangskanal",),
        process_key=process_key,
    )


def load_sample_logs(
    store: LogStore,
    *,
    folder: Path = FOLDER,
    uploader: str = "pmo demo",
    review: ModelReview | None = None,
) -> list[tuple[str, str, ImportResult | None]]:
    """Import every sample log not yet in ``store`` (by file name): the generated ones linked to
    their process, the real public ones unlinked, each checked with ``review`` as an upload is.
    Returns (file, note, result) per file; result is None for a file that was skipped, with the
    reason as note."""
    present = {info.source_name for info in store.list_logs()}
    wanted = [(s.file_name, s.key, sample_options(s.key)) for s in samples()]
    wanted += [(name, None, ImportOptions()) for name in REAL_LOGS]
    done: list[tuple[str, str, ImportResult | None]] = []
    for name, key, options in wanted:
        path = Path(folder) / name
        if name in present:
            done.append((name, "bereits geladen", None))
        elif not path.is_file():
            done.append((name, "Datei fehlt", None))
        else:
            try:
                result = store.import_file(path, uploader=uploader, options=options, review=review)
            except ProcessNotFoundError:
                done.append((name, f"Prozess „{key}“ ist nicht im Register", None))
                continue
            done.append((name, key or "ohne Prozess", result))
    return done


if __name__ == "__main__":
    for written in generate():
        print(f"{written.relative_to(PROJECT)}: {written.stat().st_size:,} Bytes")
