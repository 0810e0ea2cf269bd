"""Timestamps of one fixed width read as a byte matrix (``mining.ingest._fixed_width``) give
exactly what the general path (shape regex, Arrow's strptime, the day re-check) gives: the same
reason per value and the same instant, whatever the format's field order and separators."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

import mining.ingest._timeparse as timeparse
from mining.ingest._fixed_width import fixed_layout

FORMATS = (
    "%d.%m.%Y %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%d/%m/%Y",
    "%m/%d/%Y %H:%M",
    "%Y%m%d%H%M%S",
)


def _values(fmt: str, count: int, seed: int) -> list[str]:
    """Values of ``fmt``'s width: mostly real instants, then days past the month's end, fields
    out of range, letters and stray separators in any position."""
    rng = np.random.default_rng(seed)
    width = fixed_layout(fmt).width
    days = rng.integers(-200_000, 200_000, count).astype("datetime64[D]")
    seconds = rng.integers(0, 86_400, count).astype("timedelta64[s]")
    stamps = (days.astype("datetime64[s]") + seconds).astype(object)
    values = [stamp.strftime(fmt) for stamp in stamps]
    alphabet = list("0123456789") * 3 + list(" .:-/Tx\t9")
    for index in rng.choice(count, count // 3, replace=False):
        text = list(values[index])
        for position in rng.choice(width, rng.integers(1, 3), replace=False):
            text[position] = alphabet[rng.integers(len(alphabet))]
        values[index] = "".join(text)
    values[::97] = [""] * len(values[::97])
    return values


def _general(text: pa.Array, fmt: str, zone: str, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    with monkeypatch.context() as patch:
        patch.setattr(timeparse, "fixed_layout", lambda fmt: None)
        return timeparse.parse_raw(text, fmt, zone)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin"])
def test_the_byte_matrix_reads_every_value_as_the_general_path_does(
    fmt: str, zone: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = pa.array(_values(fmt, 6000, seed=len(fmt)))
    read = []
    real = timeparse.parse_fixed
    monkeypatch.setattr(
        timeparse, "parse_fixed", lambda *args: read.append(real(*args)) or read[-1]
    )
    fast = timeparse.parse_raw(text, fmt, zone)
    assert read and read[0] is not None, "the column was read as a byte matrix"
    general = _general(text, fmt, zone, monkeypatch)
    assert (fast.code == general.code).all()
    ok = general.code == timeparse.OK
    assert 0.4 < ok.mean() < 0.95, "the sample holds both good and bad values"
    assert (fast.utc_us[ok] == general.utc_us[ok]).all()
    assert (fast.shifted == general.shifted).all() and (fast.ambiguous == general.ambiguous).all()


def test_a_column_with_values_of_another_width_takes_the_general_path() -> None:
    """ "2.1.2024 8:02:06" and a doubled blank are valid shapes the matrix cannot hold."""
    fmt = "%d.%m.%Y %H:%M:%S"
    text = pa.array(["02.01.2024 08:02:06", "2.1.2024 8:02:06", "02.01.2024  08:02:06"])
    parsed = timeparse.parse_raw(text, fmt, "UTC")
    assert (parsed.code == timeparse.OK).all()
    assert len(set(parsed.utc_us.tolist())) == 1


@pytest.mark.parametrize(
    "fmt", ["%d.%m.%y", "%Y-%m-%d %H:%M:%S.%f", "%d.%m.%Y %H:%M:%S%z", "%d. %B %Y"]
)
def test_formats_without_one_width_have_no_layout(fmt: str) -> None:
    assert fixed_layout(fmt) is None


def test_a_sliced_column_is_read_from_its_own_rows() -> None:
    text = pa.array(["xx", "01.02.2024", "29.02.2023", "03.02.2024"]).slice(1)
    parsed = timeparse.parse_raw(text, "%d.%m.%Y", "UTC")
    assert parsed.code.tolist() == [timeparse.OK, timeparse.IMPOSSIBLE, timeparse.OK]
    assert (parsed.utc_us[2] - parsed.utc_us[0]) == 2 * 86_400 * 10**6
