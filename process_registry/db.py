"""Engine set-up, units of work with retry, and schema migration.

SQLite needs three things a server database does not: foreign keys switched on per connection, WAL
so readers do not block the writer, and ``BEGIN IMMEDIATE`` for write transactions. Without the last,
a read-then-write transaction fails at once with ``database is locked`` whenever another writer
committed in between (SQLITE_BUSY_SNAPSHOT ignores busy_timeout), so the writer takes the lock at the
start and waits for it instead.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from . import settings
from .errors import (
    ConflictError,
    DatabaseBusyError,
    DatabaseUnavailableError,
    UnsupportedDatabaseError,
)
from .models import RegistrySession

__all__ = ["SUPPORTED_DATABASES", "Database", "open_database"]

log = logging.getLogger(__name__)
T = TypeVar("T")

SQLITE_BUSY_TIMEOUT_MS = 5_000
WRITE_ATTEMPTS = 5
_WRITE_OPTION = "pmo_write"


def _is_sqlite_busy(err: BaseException) -> bool:
    text = str(getattr(err, "orig", err)).lower()
    return "database is locked" in text or "database is busy" in text


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        # Autocommit at the driver level: we emit BEGIN ourselves in the "begin" hook below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")
        # Deleted content is overwritten, not left in free pages (see Database.checkpoint).
        cursor.execute("PRAGMA secure_delete = ON")
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
        except Exception as err:  # noqa: BLE001 - read-only files cannot switch mode; reads still work
            log.warning("SQLite WAL could not be enabled: %s", err)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # type: ignore[no-untyped-def]
        mode = "IMMEDIATE" if conn.get_execution_options().get(_WRITE_OPTION) else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")


class Database:
    """One catalogue database. Sessions are opened per unit of work, never kept."""

    def __init__(
        self,
        url: str,
        *,
        busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS,
        write_attempts: int = WRITE_ATTEMPTS,
        busy_retry_delay_s: float = 0.2,
    ) -> None:
        parsed = _supported_url(url)
        self.url = url
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        self._busy_retry_delay_s = busy_retry_delay_s
        self._write_attempts = write_attempts
        if self.is_sqlite:
            database = parsed.database
            if database and database != ":memory:" and not database.startswith("file:"):
                folder = Path(database).expanduser().parent
                try:
                    folder.mkdir(parents=True, exist_ok=True)
                except OSError as err:
                    raise DatabaseUnavailableError(
                        f"Datenbankordner {folder} kann nicht angelegt werden: {err.strerror}"
                    ) from None
            self.engine = _engine(parsed, connect_args={"timeout": busy_timeout_ms / 1000})
            _configure_sqlite(self.engine, busy_timeout_ms)
        else:
            # pre_ping: after a server restart the first request reconnects instead of failing.
            self.engine = _engine(parsed, pool_pre_ping=True, pool_recycle=1800)
        self._write_engine = self.engine.execution_options(**{_WRITE_OPTION: True})

    def __repr__(self) -> str:
        return f"Database({self.engine.url.render_as_string(hide_password=True)!r})"

    def dispose(self) -> None:
        self.engine.dispose()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; it never writes and is closed afterwards."""
        with (
            self._translate_unavailable(),
            RegistrySession(self.engine, expire_on_commit=False) as session,
        ):
            yield session

    def write(self, unit_of_work: Callable[[Session], T]) -> T:
        """Run ``unit_of_work`` in one write transaction: all of it is stored, or nothing.

        A lock held by another writer is waited for, then retried a bounded number of times; if it
        persists the caller gets :class:`DatabaseBusyError` ("try again"), never a half-written state.
        """
        delay = self._busy_retry_delay_s
        for attempt in range(1, self._write_attempts + 1):
            try:
                with self._translate_unavailable():
                    with RegistrySession(self._write_engine, expire_on_commit=False) as session:
                        with session.begin():
                            return unit_of_work(session)
            except StaleDataError:
                raise ConflictError(
                    "Der Datensatz wurde inzwischen von jemand anderem geändert. Ihre Änderung "
                    "wurde nicht gespeichert; bitte neu laden und erneut anwenden."
                ) from None
            except _BusyError:
                if attempt == self._write_attempts:
                    break
                log.info("database busy, retrying write (attempt %d)", attempt)
                time.sleep(delay)
                delay *= 2
        raise DatabaseBusyError(
            "Die Datenbank ist gerade durch einen anderen Schreibvorgang belegt. Es wurde nichts "
            "gespeichert; bitte in einem Moment erneut versuchen."
        )

    @contextmanager
    def _translate_unavailable(self) -> Iterator[None]:
        try:
            yield
        except OperationalError as err:
            if self.is_sqlite and _is_sqlite_busy(err):
                raise _BusyError from err
            raise DatabaseUnavailableError(self._unavailable_message(err)) from None
        except DBAPIError as err:
            if err.connection_invalidated:
                raise DatabaseUnavailableError(self._unavailable_message(err)) from None
            raise

    def _unavailable_message(self, err: DBAPIError) -> str:
        where = self.engine.url.render_as_string(hide_password=True)
        reason = str(err.orig).strip().splitlines()[0] if err.orig else type(err).__name__
        return f"Datenbank nicht erreichbar oder nicht beschreibbar ({where}): {reason}"

    def checkpoint(self) -> None:
        """After a deletion on SQLite: move the write-ahead log into the database file and empty
        it, so the old versions of deleted or redacted rows leave no copy in either (freed pages
        are zeroed by ``secure_delete``). Best effort: while a reader still holds an older
        snapshot, the rest waits for the next checkpoint. PostgreSQL reclaims dead rows itself
        (autovacuum)."""
        if not self.is_sqlite:
            return
        with self._translate_unavailable(), self.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    def has_schema(self) -> bool:
        with self._translate_unavailable(), self.engine.connect() as conn:
            return inspect(conn).has_table("process")


SUPPORTED_DATABASES = (
    "Unterstützt werden SQLite (sqlite:///Pfad/zur/pmo.sqlite3) und PostgreSQL "
    "(postgresql+psycopg://Benutzer@Server/Datenbank)."
)
# (backend, driver): the two the project is built and tested for. Another installed driver may
# connect, but nothing guarantees its locking and types behave as the registry relies on.
_SUPPORTED_DRIVERS = frozenset({("sqlite", "pysqlite"), ("postgresql", "psycopg")})
_USERINFO = re.compile(r"(^|//)[^@]*@")


def _shown(url: str) -> str:
    """The URL as a message may show it: without a password, parsed or not."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return _USERINFO.sub(r"\1***@", url)


def _supported_url(url: str) -> URL:
    try:
        parsed = make_url(url)
        backend, driver = parsed.get_backend_name(), parsed.get_driver_name()
    except ArgumentError:  # not a URL, or a scheme SQLAlchemy has no dialect for
        raise UnsupportedDatabaseError(
            f"Datenbank-URL „{_shown(url)}“ ist keine unterstützte Datenbank-URL. "
            f"{SUPPORTED_DATABASES}"
        ) from None
    if (backend, driver) not in _SUPPORTED_DRIVERS:
        raise UnsupportedDatabaseError(
            f"Datenbank-URL „{_shown(url)}“: {backend} mit Treiber {driver} wird nicht "
            f"unterstützt. {SUPPORTED_DATABASES}"
        )
    return parsed


def _engine(url: URL, **options: Any) -> Engine:
    try:
        return create_engine(url, **options)
    except ImportError as err:  # the driver module is missing from this installation
        raise UnsupportedDatabaseError(
            f"Datenbank-URL „{url.render_as_string(hide_password=True)}“: der Treiber "
            f"{err.name or url.get_driver_name()} ist nicht installiert. {SUPPORTED_DATABASES}"
        ) from None


class _BusyError(Exception):
    """Internal signal: SQLite reported a lock; the write loop retries."""


def open_database(url: str | None = None) -> Database:
    """The catalogue database at ``url``, or the configured default."""
    return Database(url or settings.database_url())
