"""The summary of one normalization (private; exported through :mod:`mining.ingest.normalize`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mining.ingest.channels import CHANNEL_REASON
from mining.ingest.timestamps import describe_format

__all__ = ["DROPPED", "PSEUDONYMIZED", "ROLES", "NormalizeReport"]

# NormalizeReport.resource_mode values (German: they are shown to users as they are).
PSEUDONYMIZED = "pseudonymisiert"
ROLES = "Rollen-Zuordnung"
DROPPED = "verworfen"
_LISTED_LINES = 10  # line numbers shown per message; the report keeps all of them


@dataclass(frozen=True)
class NormalizeReport:
    """What normalization did to one source; :meth:`messages` says it in German, without names."""

    rows_in: int
    rows_out: int
    dropped_empty: tuple[int, ...]  # lines with an empty case ID or activity
    invalid_timestamps: tuple[tuple[int, str], ...]  # (line, reason), every one
    dst_shifted: tuple[int, ...]
    dst_ambiguous: tuple[int, ...]
    timestamp_format: str  # "" if no row had a timestamp
    start_timestamp_format: str | None
    resource_mode: str  # PSEUDONYMIZED, ROLES or DROPPED
    unmapped_resources: int  # with a role map: distinct names without a role
    date_cells: int = 0  # timestamps read from date cells of a sheet (not by a text format)
    channels: tuple[str, ...] = ()  # intake-channel columns kept
    # Recognized channel columns left out because their values do not look like channels.
    withheld_channels: tuple[tuple[str, str], ...] = ()  # (column, reason)

    def messages(self) -> list[str]:
        out = [
            f"{_count(self.rows_in, 'Zeile')} gelesen, {_count(self.rows_out, 'Ereignis')} übernommen."
        ]
        if self.dropped_empty:
            out.append(
                f"{_count(len(self.dropped_empty), 'Zeile')} verworfen, weil Fall-ID oder "
                f"Aktivität leer ist ({_lines(self.dropped_empty)})."
            )
        if self.invalid_timestamps:
            out.append(
                f"{_count(len(self.invalid_timestamps), 'Zeile')} mit ungültigem Zeitstempel "
                "nicht übernommen:"
            )
            by_reason: dict[str, list[int]] = {}
            for line, reason in self.invalid_timestamps:
                by_reason.setdefault(reason, []).append(line)
            out.extend(f"  {reason}: {_lines(lines)}" for reason, lines in by_reason.items())
        if self.date_cells:
            out.append(f"{_count(self.date_cells, 'Zeitstempel')} aus Excel-Datumszellen gelesen.")
        if self.timestamp_format:
            label = "Zeitformat der Textzellen" if self.date_cells else "Zeitformat"
            out.append(f"{label}: {describe_format(self.timestamp_format)}")
        if self.start_timestamp_format:
            out.append(f"Zeitformat Beginn: {describe_format(self.start_timestamp_format)}")
        if self.dst_shifted:
            out.append(
                f"{_count(len(self.dst_shifted), 'Zeitangabe')} in der Zeitumstellung auf "
                f"Sommerzeit (Uhrzeit gibt es nicht) auf die nächste gültige Uhrzeit verschoben "
                f"({_lines(self.dst_shifted)})."
            )
        if self.dst_ambiguous:
            out.append(
                f"{_count(len(self.dst_ambiguous), 'Zeitangabe')} in der doppelten Stunde am Ende "
                f"der Sommerzeit als Sommerzeit gelesen ({_lines(self.dst_ambiguous)})."
            )
        if self.resource_mode == PSEUDONYMIZED:
            out.append("Bearbeiter/innen pseudonymisiert (HMAC-SHA256 mit geheimem Schlüssel).")
        elif self.resource_mode == ROLES:
            note = "Bearbeiter/innen durch Rollen ersetzt"
            if self.unmapped_resources:
                note += (
                    f"; {_count(self.unmapped_resources, 'Name')} ohne Rolle in der Zuordnung "
                    "wurden pseudonymisiert"
                )
            out.append(note + ".")
        else:
            out.append("Keine Bearbeiter-Angaben gespeichert.")
        out.extend(
            f"Spalte „{name}“ als Eingangskanal übernommen: {CHANNEL_REASON}."
            for name in self.channels
        )
        out.extend(
            f"Spalte „{name}“ trotz ihres Namens nicht als Eingangskanal übernommen: {reason} "
            "(Datenminimierung; nur ausdrücklich gewählt wird sie gespeichert)."
            for name, reason in self.withheld_channels
        )
        return out


def _count(number: int, noun: str) -> str:
    plural = {
        "Zeile": "Zeilen",
        "Zeitangabe": "Zeitangaben",
        "Name": "Namen",
        "Ereignis": "Ereignisse",
        "Zeitstempel": "Zeitstempel",
    }[noun]
    return f"{number} {noun if number == 1 else plural}"


def _lines(lines: Sequence[int]) -> str:
    shown = ", ".join(str(line) for line in lines[:_LISTED_LINES])
    more = f" und {len(lines) - _LISTED_LINES} weitere" if len(lines) > _LISTED_LINES else ""
    return f"{'Zeile' if len(lines) == 1 else 'Zeilen'} {shown}{more}"
