"""Import options that change how time is read: the zone of naive timestamps."""

from __future__ import annotations

from pathlib import Path

import pytest

from mining.errors import EventLogError
from mining.ingest.pipeline import ImportOptions, ingest_file
from mining.ingest.privacy import load_or_create_secret
from mining.query.view import open_log


def test_naive_timestamps_can_be_read_as_utc_instead_of_berlin_time(tmp_path: Path) -> None:
    """A system that exports UTC: no case gains the hour of the clock change (31.03.2024)."""
    from mining.query.queries import get_case_durations

    path = tmp_path / "utc.csv"
    path.write_text(
        "Fall;Aktivität;Zeitpunkt\n1;A;30.03.2024 12:00\n1;B;31.03.2024 12:00\n",
        encoding="utf-8",
    )
    secret = load_or_create_secret(tmp_path)
    durations = {}
    for zone in ("Europe/Berlin", "UTC"):
        target = tmp_path / f"{zone.replace('/', '-')}.parquet"
        ingest_file(
            path, target, options=ImportOptions(timezone=zone), secret=secret, source="utc.csv"
        )
        durations[zone] = get_case_durations(open_log(target)).mean_s
    assert durations["UTC"] == 24 * 3600
    assert durations["Europe/Berlin"] == 23 * 3600


def test_an_unknown_timezone_is_refused_with_the_file_named(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text("Fall;Aktivität;Zeitpunkt\n1;A;30.03.2024 12:00\n", encoding="utf-8")
    with pytest.raises(EventLogError) as caught:
        ingest_file(
            path,
            tmp_path / "x.parquet",
            options=ImportOptions(timezone="Mars/Olympus"),
            secret=load_or_create_secret(tmp_path),
            source="log.csv",
        )
    assert "log.csv" in str(caught.value) and "Mars/Olympus" in str(caught.value)
    assert not (tmp_path / "x.parquet").exists()
