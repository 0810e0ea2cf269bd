"""The base64-packed ZIP an XProzess file carries its model in: unpacked under caps, packed again.

Caps are checked on the declared sizes before anything is inflated and again while reading, since
a ZIP header may lie; the whole model is read into memory, never onto the disk.
"""

from __future__ import annotations

import base64
import binascii
import io
import zipfile

from ..bpmn.safe_xml import MAX_BPMN_BYTES
from ..errors import BpmnParseError

__all__ = ["MAX_MEMBERS", "MAX_RATIO", "pack_model", "unpack_model"]

MAX_MEMBERS = 20
# A BPMN file compresses to a tenth or a twentieth; two hundredfold is a bomb, not a model.
MAX_RATIO = 200
# zipfile inflates bzip2 and LZMA members without an output limit, whatever size the archive
# declares: only stored and Deflate members (what ADONIS, Windows and Office write) are read.
_READ_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_RATIO_MIN_BYTES = 1024 * 1024
_MODEL_SUFFIXES = (".bpmn", ".bpmn2", ".xml")


def unpack_model(text: str, *, source: str, line: int | None) -> tuple[bytes, str | None]:
    """The model file inside an ``inhalt`` element, and its name in the ZIP (None: not zipped)."""
    try:
        packed = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise BpmnParseError(
            "Der Inhalt der Modelldatei ist kein gültiges Base64.", source=source, line=line
        ) from None
    if not packed.startswith(b"PK"):
        # Some tools embed the BPMN itself; it then goes through the BPMN parser like any upload.
        _check_size(len(packed), source, line)
        return packed, None
    try:
        archive = zipfile.ZipFile(io.BytesIO(packed))
        members = [info for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, ValueError, OSError):
        raise BpmnParseError(
            "Die eingebettete Modelldatei ist kein lesbares ZIP-Archiv.", source=source, line=line
        ) from None
    if len(members) > MAX_MEMBERS:
        raise BpmnParseError(
            f"Das eingebettete ZIP-Archiv enthält {len(members)} Dateien; erwartet wird eine "
            "BPMN-Datei.",
            source=source,
            line=line,
        )
    models = [m for m in members if m.filename.casefold().endswith(_MODEL_SUFFIXES)]
    if len(members) == 1:
        models = members
    if len(models) != 1:
        names = ", ".join(m.filename for m in members) or "keine"
        raise BpmnParseError(
            f"Im eingebetteten ZIP-Archiv ist nicht genau eine BPMN-Datei (enthalten: {names}).",
            source=source,
            line=line,
        )
    member = models[0]
    if member.compress_type not in _READ_METHODS:
        raise BpmnParseError(
            f"Die eingebettete Datei {member.filename} ist mit einem nicht unterstützten "
            "Verfahren gepackt; bitte mit dem Standardverfahren (Deflate) packen.",
            source=source,
            line=line,
        )
    _check_size(member.file_size, source, line)
    if member.file_size > _RATIO_MIN_BYTES and member.file_size > MAX_RATIO * max(
        1, member.compress_size
    ):
        raise BpmnParseError(
            f"Die eingebettete Datei {member.filename} würde sich auf mehr als das "
            f"{MAX_RATIO}-Fache entpacken; sie wird als ZIP-Bombe abgelehnt.",
            source=source,
            line=line,
        )
    try:
        with archive.open(member) as stream:
            content = stream.read(MAX_BPMN_BYTES + 1)
    # zipfile raises NotImplementedError for a compression method it does not support and
    # RuntimeError for an encrypted member: both are a file pmo cannot read, not a code gap.
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError):
        raise BpmnParseError(
            f"Die eingebettete Datei {member.filename} lässt sich nicht entpacken "
            "(beschädigt, verschlüsselt oder unbekanntes Verfahren).",
            source=source,
            line=line,
        ) from None
    _check_size(len(content), source, line)
    return content, member.filename


def pack_model(name: str, content: bytes) -> str:
    """``content`` as the format packs it: a one-entry ZIP, base64 encoded."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        # A fixed date keeps an export of the same model byte-identical.
        archive.writestr(
            zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0)),
            content,
            compress_type=zipfile.ZIP_DEFLATED,
        )
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _check_size(size: int, source: str, line: int | None) -> None:
    if size > MAX_BPMN_BYTES:
        raise BpmnParseError(
            f"Die eingebettete Modelldatei ist größer als {MAX_BPMN_BYTES // (1024 * 1024)} MiB.",
            source=source,
            line=line,
        )
