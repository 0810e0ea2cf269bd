"""``pmo cases``: the cases behind a finding (an activity, an edge, a variant, a deviation)."""

from __future__ import annotations

from typing import Any

import click

from pmo.cli._common import cli, date_range_options, db_option, emit_json, log_store
from pmo.cli._filters import OptionError, filter_option
from pmo.cli._output import write_atomically
from process_registry import local_text

__all__ = ["cases_command"]

_ORDERS = ("duration", "events", "start", "end", "case", "variant")
_DEVIATION_KINDS = ("skipped", "unmodelled", "wrong_order")


@cli.command("cases")
@click.argument("log_id")
@click.option("--activity", default=None, help="Nur Fälle mit dieser Aktivität.")
@click.option(
    "--edge",
    nargs=2,
    default=None,
    metavar="A B",
    help="Nur Fälle, in denen B direkt auf A folgt (eine Kante der Prozesslandkarte).",
)
@click.option(
    "--variant",
    "variants",
    type=int,
    multiple=True,
    help="Nur Fälle dieser Variante (1 = häufigste, wie in pmo analyze); mehrfach möglich.",
)
@click.option(
    "--deviation",
    default=None,
    metavar="ART:AKTIVITÄT",
    help="Nur Fälle mit dieser Abweichung vom Modell, z. B. skipped:Bescheid prüfen "
    "(Arten: skipped, unmodelled, wrong_order).",
)
@click.option(
    "--process",
    "process_key",
    default=None,
    help="Prozess für --deviation (Standard: der mit dem Protokoll verknüpfte).",
)
@click.option(
    "--version", "version", type=int, default=None, help="Modellversion (Standard: aktuell)."
)
@click.option("--alignments", is_flag=True, help="Abweichungen per Alignments (wie pmo analyze).")
@date_range_options
@filter_option
@click.option(
    "--order",
    type=click.Choice(_ORDERS),
    default="duration",
    show_default=True,
    help="Sortierung: duration und events absteigend, die übrigen aufsteigend.",
)
@click.option("--limit", type=click.IntRange(min=0), default=None, help="Nur die ersten N Fälle.")
@click.option(
    "--trace",
    "trace_case",
    default=None,
    metavar="FALL",
    help="Statt der Liste den Verlauf dieses Falls mit den Wartezeiten zeigen.",
)
@click.option(
    "--csv",
    "csv_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Die Liste als CSV für Excel (Semikolon, Dezimalkomma) in diese Datei schreiben.",
)
@click.option("--json", "as_json", is_flag=True, help="Antwort als JSON.")
@db_option
def cases_command(
    log_id: str,
    activity: str | None,
    edge: tuple[str, str] | None,
    variants: tuple[int, ...],
    deviation: str | None,
    process_key: str | None,
    version: int | None,
    alignments: bool,
    date_from: Any,
    date_to: Any,
    filters: tuple[str, ...],
    order: str,
    limit: int | None,
    trace_case: str | None,
    csv_file: str | None,
    as_json: bool,
    db_url: str | None,
) -> None:
    """Die Fälle hinter einem Befund auflisten, längste Durchlaufzeit zuerst.

    Filter wirken in dieser Reihenfolge: --from/--to, --filter, dann --variant und --deviation
    (Variantennummern der so gefilterten Auswahl, wie pmo analyze mit denselben Filtern sie
    zählt), dann --activity und --edge."""
    from mining import (
        AnalysisOptions,
        cases_csv,
        deviation_variants,
        filter_activity_presence,
        filter_directly_follows,
        filter_variants,
        get_cases,
        open_log,
        process_conformance,
    )
    from pmo.cli._analyze import apply_filters
    from pmo.context import process_context
    from process_registry import Registry

    wanted = _deviation(deviation) if deviation else None
    store = log_store(db_url)
    info = store.get(log_id)
    view = apply_filters(
        open_log(store.events_path(log_id)),
        date_from=date_from,
        date_to=date_to,
        top_variants=None,
        filters=filters,
    )
    # The variant numbers of the list are those of this view, as pmo analyze shows them.
    shown = view
    numbers = set(variants) if variants else None
    if wanted is not None:
        key = process_key or info.process
        if key is None:
            raise OptionError(
                "--deviation braucht ein Modell: das Protokoll ist mit keinem Prozess verknüpft; "
                "bitte --process angeben."
            )
        record = process_conformance(
            view,
            process_context(Registry(store.db), key, version),
            options=AnalysisOptions(
                conformance_method="alignments" if alignments else "token_replay"
            ),
            with_precision=False,
        )
        found = set(deviation_variants(record, *wanted))
        numbers = found if numbers is None else numbers & found
    # One variant filter for both, so the numbers of each are those of the same view.
    if numbers is not None:
        view = filter_variants(view, numbers)
    if activity is not None:
        view = filter_activity_presence(view, activity)
    if edge is not None:
        view = filter_directly_follows(view, *edge)

    if trace_case is not None:
        _show_trace(view, trace_case, as_json=as_json)
        return
    listed = get_cases(view, limit=limit, order=order, numbering=shown)  # type: ignore[arg-type]
    if csv_file:
        write_atomically(csv_file, cases_csv(listed))
    if as_json:
        emit_json(listed.to_dict())
        return
    click.echo(_render(view, listed, order))
    if csv_file:
        click.echo(f"{len(listed.cases)} Fälle als CSV geschrieben: {csv_file}")


def _deviation(text: str) -> tuple[str, str]:
    kind, colon, activity = text.partition(":")
    if not colon or kind.strip() not in _DEVIATION_KINDS or not activity.strip():
        raise OptionError(
            f"--deviation „{text}“: erwartet ART:AKTIVITÄT mit ART "
            + ", ".join(_DEVIATION_KINDS)
            + ", z. B. skipped:Bescheid prüfen."
        )
    return kind.strip(), activity.strip()


def _days(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    return f"{seconds / 86400:.1f} Tage".replace(".", ",")


_ORDER_TEXTS = {
    "duration": "längste Durchlaufzeit zuerst",
    "events": "meiste Ereignisse zuerst",
    "start": "früheste zuerst",
    "end": "früheste Abschlüsse zuerst",
    "case": "nach Fall-ID",
    "variant": "nach Variante",
}


def _render(view: Any, listed: Any, order: str) -> str:
    from mining import describe_filter, describe_period

    lines = [describe_period(view)]
    chips = [describe_filter(f) for f in view.filters]
    if chips:
        lines.append("Filter: " + " · ".join(chips))
    shown = len(listed.cases)
    more = f", gezeigt: {shown}" if shown < listed.total else ""
    lines.append(f"{listed.total} Fälle ({_ORDER_TEXTS[order]}{more})")
    if not listed.cases:
        return "\n".join(lines)
    width = max(4, *(len(row.case) for row in listed.cases))
    lines.append(
        f"{'Fall':<{width}}  {'Beginn':<16}  {'Ende':<16}  {'Durchlaufzeit':>13}  "
        f"{'Ereignisse':>10}  {'Variante':>8}"
    )
    for row in listed.cases:
        lines.append(
            f"{row.case:<{width}}  {local_text(row.start):<16}  {local_text(row.end):<16}  "
            f"{_days(row.duration_s):>13}  {row.events:>10}  {row.variant or '–':>8}"
        )
    return "\n".join(lines)


def _show_trace(view: Any, case: str, *, as_json: bool) -> None:
    from mining import case_trace
    from process_registry import iso

    steps = case_trace(view, case)
    if as_json:
        emit_json(
            {
                "case": case,
                "steps": [
                    {
                        "activity": step.activity,
                        "timestamp": iso(step.timestamp),
                        "resource": step.resource,
                        "wait_s": step.wait_s,
                    }
                    for step in steps
                ],
            }
        )
        return
    click.echo(f"Fall {case}: {len(steps)} Ereignisse")
    for step in steps:
        wait = "" if step.wait_s is None else f"  (+{_days(step.wait_s)})"
        who = f"  [{step.resource}]" if step.resource else ""
        click.echo(f"  {local_text(step.timestamp)}  {step.activity}{wait}{who}")
