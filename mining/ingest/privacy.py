"""Pseudonymization of employees and case surrogates at upload (docs/RELIABILITY.md §4, item 37).

A resource name becomes ``P-`` plus the first 16 hex digits of HMAC-SHA256(secret, name): stable
across uploads (the same person is the same pseudonym next month, so waits and hand-overs still
add up) and irreversible without the secret. Following EDPB Guidelines 01/2025 it is a keyed
function, not a plain hash (a list of staff names would reverse a plain hash in seconds), and the
secret lives outside the database: ``PMO_SECRET_KEY`` or ``PMO_DATA_DIR/secret.key``.

Case IDs (Aktenzeichen link to citizens) get surrogates the same way with prefix ``F-`` from a
separate :class:`Pseudonymizer`. Pseudonymized data is still personal data; nothing in this
package maps a pseudonym back to a name, and no reverse table is kept.

With a role map (name → role/team) the resource becomes the role instead, which is coarser and
usually what a Dienstvereinbarung allows; names missing from the map are pseudonymized and
counted, never kept.

System, batch and robot accounts ("SYSTEM", "RPA-Bot 2", "Schnittstelle_Fachverfahren") are no
persons: they are kept as written, so the digitization rules can see which steps a machine
already does. Only a value made entirely of such words and short numbers counts ("System Meier"
is pseudonymized like any name).
"""

from __future__ import annotations

import contextlib
import csv
import errno
import hmac
import io
import os
import re
import secrets
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import pyarrow as pa
import pyarrow.compute as pc

from mining.errors import EventLogError, MiningError
from process_registry import FileRefusedError, os_error_reason, read_limited, sync_folder

__all__ = [
    "KEY_ENV",
    "KEY_FILE",
    "MAX_ROLE_MAP_BYTES",
    "Pseudonymizer",
    "SecretKey",
    "SecretKeyError",
    "is_system_account",
    "load_or_create_secret",
    "read_role_map",
]

KEY_ENV = "PMO_SECRET_KEY"
KEY_FILE = "secret.key"
MIN_ENV_KEY_CHARS = 32
_KEY_BYTES = 32
_KEY_FILE_MAX_BYTES = 4096  # 64 hex digits and a newline; anything far larger is not a key
# A role map of every employee of a large city is well under a megabyte.
MAX_ROLE_MAP_BYTES = 10 * 1024 * 1024
_HEX_DIGITS = 16  # 64 bits: collisions stay negligible for the staff and cases of a city
_SYSTEM_WORD = (
    r"(?:system|sys|batch|robot|roboter|bot|rpa|service|automat|automatik|automation"
    r"|schnittstelle|interface|fachverfahren|technisch|tech|user|konto|account)"
)
_SYSTEM_PART = rf"(?:{_SYSTEM_WORD}|[0-9]{{1,4}})"
_SYSTEM_ACCOUNT = re.compile(rf"{_SYSTEM_PART}(?:[ _.\-]?{_SYSTEM_PART})*", re.IGNORECASE)
_MACHINE_WORD = re.compile(
    r"system|batch|robot|bot|rpa|service|automat|schnittstelle|interface", re.IGNORECASE
)


def is_system_account(name: str) -> bool:
    """Whether a resource value names a machine, not a person: only system words and numbers,
    and at least one word that names a machine ("User 1" alone is no system account)."""
    return bool(_SYSTEM_ACCOUNT.fullmatch(name.strip()) and _MACHINE_WORD.search(name))


class SecretKeyError(MiningError, ValueError):
    """The pseudonymization secret is missing, too short, unreadable or readable by others."""


@dataclass(frozen=True)
class SecretKey:
    """The HMAC secret. ``value`` never appears in repr/str (so not in logs or tracebacks)."""

    value: bytes = field(repr=False)
    created: bool  # True when this call generated the key file
    origin: str  # "PMO_SECRET_KEY" or the path of the key file


def load_or_create_secret(data_dir: Path, *, env: Mapping[str, str] = os.environ) -> SecretKey:
    """``PMO_SECRET_KEY`` (at least 32 characters) if set, else ``data_dir/secret.key``.

    The file holds 32 random bytes as hex and is created on first use with mode 0600, written to
    a private temporary file and linked into place, so two processes starting at once end up
    with the same key and a crash never leaves a half-written one. An existing file that group
    or others can read is refused rather than silently used or changed.
    """
    from_env = env.get(KEY_ENV)
    if from_env is not None:
        value = from_env.strip()
        if len(value) < MIN_ENV_KEY_CHARS:
            raise SecretKeyError(
                f"{KEY_ENV} ist zu kurz ({len(value)} Zeichen); nötig sind mindestens "
                f"{MIN_ENV_KEY_CHARS} zufällige Zeichen, z. B. aus "
                '`python -c "import secrets; print(secrets.token_hex(32))"`'
            )
        return SecretKey(value=value.encode("utf-8"), created=False, origin=KEY_ENV)
    path = Path(data_dir) / KEY_FILE
    created = False
    if not os.path.lexists(path):
        created = _create_key_file(path)
    return SecretKey(value=_read_key_file(path), created=created, origin=str(path))


def _create_key_file(path: Path) -> bool:
    """Write a new key beside ``path`` and link it into place unless another process was faster.

    The key file appears only whole: written and synced under a temporary name (mode 0600 from
    the start), then hard-linked, which fails instead of overwriting a key created meanwhile.
    Any failure (a full disk, a short write) removes the temporary file and creates nothing.
    """
    content = (secrets.token_hex(_KEY_BYTES) + "\n").encode("ascii")
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.fchmod(descriptor, 0o600)  # the umask can only narrow the mode; make it exact
            with os.fdopen(descriptor, "wb", closefd=False) as handle:
                handle.write(content)  # buffered: a short write is retried or raises
            if os.fstat(descriptor).st_size != len(content):
                raise OSError(errno.EIO, "Schlüssel unvollständig geschrieben")
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False  # another process won the race: use its key
        sync_folder(path.parent)
        return True
    except OSError as err:
        raise SecretKeyError(
            f"{path}: der Schlüssel für die Pseudonymisierung kann nicht angelegt werden "
            f"({os_error_reason(err)}); es wurde nichts importiert."
        ) from None
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink()


def _read_key_file(path: Path) -> bytes:
    try:
        status = os.stat(path)
    except OSError as err:
        raise SecretKeyError(
            f"{path}: Schlüsseldatei nicht lesbar ({os_error_reason(err)})"
        ) from None
    if not stat.S_ISREG(status.st_mode):
        raise SecretKeyError(
            f"{path}: die Schlüsseldatei ist keine gewöhnliche Datei (sondern ein Verzeichnis, "
            "ein Gerät oder eine Pipe)"
        )
    mode = stat.S_IMODE(status.st_mode)
    if mode & 0o077:
        raise SecretKeyError(
            f"{path}: die Schlüsseldatei ist für andere lesbar (Modus {mode:o}); "
            f"bitte mit `chmod 600 {path}` einschränken"
        )
    try:
        raw = read_limited(path, limit=_KEY_FILE_MAX_BYTES)
    except FileRefusedError as err:
        raise SecretKeyError(str(err)) from None
    text = raw.decode("ascii", errors="replace").strip()
    try:
        value = bytes.fromhex(text)
    except ValueError:
        raise SecretKeyError(
            f"{path}: die Schlüsseldatei ist beschädigt (erwartet: {2 * _KEY_BYTES} Hex-Zeichen)"
        ) from None
    if len(value) < _KEY_BYTES:
        # Never used: pseudonyms under a cut-off key would silently differ from all earlier ones.
        raise SecretKeyError(
            f"{path}: die Schlüsseldatei ist leer oder unvollständig ({len(text)} statt "
            f"{2 * _KEY_BYTES} Hex-Zeichen) und wird nicht verwendet. Bitte aus der Sicherung "
            "wiederherstellen; nur wenn mit diesem Datenbestand noch nie importiert wurde, die "
            "Datei löschen (sie wird dann neu angelegt)"
        )
    return value


class Pseudonymizer:
    """Replaces names (or case IDs) by keyed pseudonyms, or by roles from a role map.

    Deterministic for a key and prefix; instances with the same key agree. Holds no table from
    pseudonyms back to names.
    """

    __slots__ = ("__key", "_prefix", "_roles")

    def __init__(
        self, key: SecretKey, *, prefix: str = "P-", role_map: Mapping[str, str] | None = None
    ) -> None:
        self.__key = key.value
        self._prefix = prefix
        self._roles = (
            None if role_map is None else {_name_key(name): role for name, role in role_map.items()}
        )

    @property
    def prefix(self) -> str:
        return self._prefix

    @property
    def uses_roles(self) -> bool:
        return self._roles is not None

    def __repr__(self) -> str:
        roles = "" if self._roles is None else f", role_map=<{len(self._roles)} Einträge>"
        return f"Pseudonymizer(prefix={self._prefix!r}{roles})"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        # Pickling would copy the key into caches or files; refuse it.
        raise TypeError("a Pseudonymizer holds the secret key and is never serialized")

    def pseudonym(self, value: str) -> str:
        """The pseudonym of one value (role maps are not applied here)."""
        digest = hmac.digest(self.__key, value.encode("utf-8"), "sha256")
        return self._prefix + digest.hex()[:_HEX_DIGITS]

    def apply(self, values: pa.Array | pa.ChunkedArray) -> pa.Array:
        """Pseudonyms (or roles) for a string column; empty or null stays null."""
        return self.apply_and_count(values)[0]

    def apply_and_count(
        self, values: pa.Array | pa.ChunkedArray
    ) -> tuple[pa.Array, frozenset[str]]:
        """Like :meth:`apply`, plus the pseudonyms of names the role map did not know.

        Hashes each distinct value once (dictionary encoding), so a column of millions of rows
        with a few thousand people costs a few thousand HMACs.
        """
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        if pa.types.is_dictionary(values.type):
            encoded = values  # already distinct values and codes (the normalizer's text columns)
        else:
            encoded = pc.dictionary_encode(values.cast(pa.string()))
        mapped: list[str | None] = []
        unmapped: set[str] = set()
        for value in encoded.dictionary.to_pylist():
            name = value.strip()
            if not name:
                mapped.append(None)
                continue
            role = None if self._roles is None else self._roles.get(_name_key(name))
            if role is not None:
                mapped.append(role)
                continue
            if is_system_account(name):
                mapped.append(name)
                continue
            pseudonym = self.pseudonym(name)
            if self._roles is not None:
                unmapped.add(pseudonym)
            mapped.append(pseudonym)
        result = pa.array(mapped, type=pa.string()).take(encoded.indices)
        return result, frozenset(unmapped)


def read_role_map(path: Path) -> dict[str, str]:
    """A two-column CSV (name;role or name,role), header optional, UTF-8 or cp1252.

    Raises :class:`EventLogError` naming the line for rows without exactly a name and a role and
    for a name listed twice with different roles. The messages do not repeat names.
    """
    path = Path(path)
    try:
        raw = read_limited(path, limit=MAX_ROLE_MAP_BYTES)
    except FileRefusedError as err:
        raise EventLogError(err.reason, source=str(path)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252", errors="strict")  # cp1252 maps almost every byte
        except UnicodeDecodeError as err:
            line = raw.count(b"\n", 0, err.start) + 1
            raise EventLogError(
                "die Rollen-Zuordnung ist weder UTF-8 noch cp1252 (Windows-1252); bitte als "
                "CSV in UTF-8 speichern",
                source=str(path),
                line=line,
            ) from None
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(";,\t", key=first.count) if first else ";"
    roles: dict[str, str] = {}
    lines: dict[str, tuple[int, str]] = {}  # folded name → first line and role
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    for row in reader:
        line = reader.line_num
        cells = [cell.strip() for cell in row]
        while cells and not cells[-1]:
            cells.pop()  # Excel pads rows with trailing separators
        if not cells:
            continue
        if len(cells) != 2 or not all(cells):
            raise EventLogError(
                "erwartet werden genau zwei Angaben: Name und Rolle", source=str(path), line=line
            )
        name, role = cells
        if not roles and _is_header(name, role):
            continue
        key = _name_key(name)
        if key in lines:
            first_line, first_role = lines[key]
            if first_role != role:
                raise EventLogError(
                    f"der Name steht schon in Zeile {first_line} mit einer anderen Rolle",
                    source=str(path),
                    line=line,
                )
            continue
        roles[name] = role
        lines[key] = (line, role)
    if not roles:
        raise EventLogError("die Rollen-Zuordnung enthält keine Einträge", source=str(path))
    return roles


_HEADER_WORDS = frozenset(
    {"name", "namen", "person", "mitarbeiter", "mitarbeiterin", "bearbeiter", "bearbeiterin"}
    | {"resource", "ressource", "benutzer", "user", "sachbearbeiter", "sachbearbeiterin"}
)
_ROLE_WORDS = frozenset({"rolle", "role", "team", "gruppe", "group", "funktion", "stelle"})


def _is_header(name: str, role: str) -> bool:
    return name.casefold() in _HEADER_WORDS or role.casefold() in _ROLE_WORDS


def _name_key(name: str) -> str:
    # Role maps are typed by hand: ignore case and runs of blanks, not spelling.
    return " ".join(name.split()).casefold()
