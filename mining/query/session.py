"""Sessions: every query runs in a session of its view.

The file is read once, the view's filters select its events (:mod:`mining.query.filters`), and
numpy adds each event's case number ``_case``, position ``_pos``, activity code ``_act`` and
neighbours (``_prev_time``, ``_next_time``, ``_prev_activity``, ``_next_activity``) plus a table of
cases (``log_cases``) and of variants (``log_variants``). The SQL then groups by integers and needs
no window sort for the common questions. :func:`analysis_session` keeps one session open for a
whole analysis and answers a query asked twice from the first result; outside it each call opens
its own, reading only the columns it needs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from mining.query._events import session_tables
from mining.query._sql import ACTIVITIES, BASE_COLUMNS, CASES, EVENTS, STEPS, VARIANTS
from mining.query.filters import filter_chain, filter_columns
from mining.query.layout import read_events
from mining.query.view import LogView

__all__ = ["analysis_session", "fetch", "run_sql"]


@dataclass
class _Session:
    path: str
    filters: tuple[object, ...]
    connection: duckdb.DuckDBPyConnection
    events: pa.Table
    results: dict[tuple[str, tuple[object, ...]], pd.DataFrame] = field(default_factory=dict)
    derived: set[str] = field(default_factory=set)

    def serves(self, view: LogView) -> bool:
        return str(view.path) == self.path and tuple(view.filters) == self.filters

    def derive(self, name: str, build: Callable[[pa.Table], pa.Table]) -> None:
        """Register ``build(events)`` as the table ``name``, once per session."""
        if name not in self.derived:
            self.connection.register(name, build(self.events))
            self.derived.add(name)


_SESSION: ContextVar[_Session | None] = ContextVar("pmo_aggregate_session", default=None)


def _open(view: LogView, columns: Iterable[str] | None) -> _Session:
    """A session of ``view`` reading ``columns`` (all but the upload's line numbers, which no
    aggregate reads, when None) besides what it needs itself."""
    if columns is None:
        wanted = [name for name in view.columns() if name != "line"]
    else:
        wanted = list(
            dict.fromkeys(
                [
                    *BASE_COLUMNS,
                    "start_timestamp",
                    *columns,
                    *sorted(filter_columns(view.filters)),
                ]
            )
        )
    events = read_events(view.path, wanted)
    connection = _connect()
    try:
        if view.filters:
            events = _filtered(connection, view, events)
        tables = session_tables(events)
        for name, table in (
            (EVENTS, tables.events),
            (CASES, tables.cases),
            (VARIANTS, tables.variants),
            (STEPS, tables.steps),
            (ACTIVITIES, tables.activities),
        ):
            connection.register(name, table)
    except BaseException:
        connection.close()
        raise
    return _Session(str(view.path), tuple(view.filters), connection, tables.events)


def _filtered(connection: duckdb.DuckDBPyConnection, view: LogView, events: pa.Table) -> pa.Table:
    """The events of ``view`` that its filters keep, still in the stored order."""
    numbered = events.append_column("_row", pa.array(np.arange(events.num_rows, dtype=np.int64)))
    connection.register("pmo_source", numbered)
    ctes, params = filter_chain(view)
    rows = connection.execute(
        "WITH " + ",\n".join(ctes) + "\nSELECT _row FROM log", params
    ).fetchnumpy()["_row"]
    connection.unregister("pmo_source")
    # A mask keeps the stored order and copies runs of rows: about three times quicker than
    # take() on a million events, which gathers row by row.
    keep = np.zeros(events.num_rows, dtype=bool)
    keep[np.asarray(rows, dtype=np.int64)] = True
    return events.filter(pa.array(keep))


@contextmanager
def analysis_session(view: LogView) -> Iterator[None]:
    """Read and filter ``view``'s file once; every aggregate of ``view`` inside the block runs on
    that session, and a query asked twice (the candidates reuse the analysis's rework,
    hand-overs, channels …) is answered from the first result.

    Sessions do not nest across views: an aggregate of another view inside the block opens a
    session of its own, as outside.
    """
    if _SESSION.get() is not None:
        yield
        return
    session = _open(view, None)
    token = _SESSION.set(session)
    try:
        yield
    finally:
        _SESSION.reset(token)
        session.connection.close()


def fetch(
    view: LogView,
    select: str,
    *,
    ctes: Sequence[str] = (),
    params: Sequence[object] = (),
    columns: Iterable[str] = (),
    derived: Mapping[str, Callable[[pa.Table], pa.Table]] | None = None,
) -> pd.DataFrame:
    """Run ``WITH log AS (…), <ctes> <select>`` in the session of ``view`` (the open one, or one
    for this query alone that reads only ``columns`` besides the base columns). ``derived``
    tables are built from the session's events before the query runs."""
    sql = "WITH " + ",\n".join([f"log AS (SELECT * FROM {EVENTS})", *ctes]) + "\n" + select
    session = _SESSION.get()
    if session is not None and session.serves(view):
        key = (sql, tuple(params))
        if key not in session.results:
            for name, build in (derived or {}).items():
                session.derive(name, build)
            session.results[key] = session.connection.execute(sql, list(params)).df()
        return session.results[key].copy()
    single = _open(view, columns)
    try:
        for name, build in (derived or {}).items():
            single.derive(name, build)
        return single.connection.execute(sql, list(params)).df()
    finally:
        single.connection.close()


def run_sql(sql: str, *, frames: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One query on a fresh connection; ``frames`` are visible to it as tables."""
    with _connect() as con:
        for name, frame in frames.items():
            con.register(name, frame)
        return con.execute(sql).df()


def _connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    # Timestamps are stored in UTC; the session zone keeps DuckDB from converting them.
    con.execute("SET TimeZone = 'UTC'")
    # A library must not draw progress bars on the terminal of the CLI or the app server.
    con.execute("SET enable_progress_bar = false")
    return con
