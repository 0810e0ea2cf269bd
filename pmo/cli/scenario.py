"""``pmo scenario``: what accepted digitization candidates would change, on the log's own cases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from mining import SCENARIO_KINDS
from pmo.cli._common import cli, date_range_options, db_option, emit_json, log_store
from pmo.cli._filters import OptionError, filter_option

__all__ = ["parse_accept", "render_scenario", "scenario_command"]

_KINDS = SCENARIO_KINDS


@cli.command("scenario")
@click.argument("log_id")
@click.option(
    "--accept",
    "accepted",
    multiple=True,
    metavar="AKTIVITÄT:ART",
    help="Übernommene Änderung, z. B. „Hundesteuer berechnen:rpa“ (Arten: "
    + ", ".join(_KINDS)
    + "); mehrfach möglich.",
)
@click.option(
    "--online-share",
    type=float,
    default=None,
    metavar="ANTEIL",
    help="Ziel-Anteil der Online-Eingänge, z. B. 0.8 für 80 % (verschiebt Papierfälle).",
)
@click.option(
    "--process",
    "process_key",
    default=None,
    help="Prozess im Register für Frist und Fallzahl (Standard: der mit dem Protokoll verknüpfte).",
)
@click.option(
    "--channel",
    "channel",
    default=None,
    metavar="SPALTE",
    help="Spalte mit dem Eingangskanal (Standard: erkannt, z. B. Eingangskanal).",
)
@click.option(
    "--assumptions",
    "assumptions_file",
    type=click.Path(dir_okay=False),
    envvar="PMO_ASSUMPTIONS_FILE",
    default=None,
    help="Eigene Annahmen (TOML) statt der mitgelieferten Standardwerte.",
)
@date_range_options
@filter_option
@click.option("--json", "as_json", is_flag=True, help="Antwort als JSON.")
@db_option
def scenario_command(
    log_id: str,
    accepted: tuple[str, ...],
    online_share: float | None,
    process_key: str | None,
    channel: str | None,
    assumptions_file: str | None,
    date_from: Any,
    date_to: Any,
    filters: tuple[str, ...],
    as_json: bool,
    db_url: str | None,
) -> None:
    """Ein Szenario rechnen: die Fälle des Protokolls mit den übernommenen Änderungen
    nachspielen — eingesparte Stunden und Euro im Jahr, Durchlaufzeit (Median, P90) und Anteil
    über der gesetzlichen Frist vorher und nachher."""
    from mining import channel_column, load_assumptions, open_log, run_scenario
    from pmo.cli._analyze import apply_filters
    from pmo.context import process_facts
    from process_registry import Registry

    changes = [parse_accept(text) for text in accepted]
    if not changes and online_share is None:
        raise OptionError(
            "Kein Szenario: bitte mindestens eine Änderung mit --accept AKTIVITÄT:ART oder "
            "einen Ziel-Anteil mit --online-share angeben."
        )
    store = log_store(db_url)
    info = store.get(log_id)
    view = apply_filters(
        open_log(store.events_path(log_id)),
        date_from=date_from,
        date_to=date_to,
        top_variants=None,
        filters=filters,
    )
    key = process_key or info.process
    facts = process_facts(Registry(store.db), key) if key else None
    result = run_scenario(
        view,
        changes,
        assumptions=load_assumptions(Path(assumptions_file) if assumptions_file else None),
        facts=facts,
        online_share=online_share,
        channel_column=channel or channel_column(view),
    ).to_dict()
    if as_json:
        emit_json(result)
        return
    click.echo(render_scenario(result))


def parse_accept(text: str, option: str = "--accept") -> tuple[str, str]:
    """``"Hundesteuer berechnen:rpa"`` → (activity, kind); the kind follows the last colon."""
    activity, colon, kind = text.rpartition(":")
    if not colon or not activity.strip() or kind.strip() not in _KINDS:
        raise OptionError(
            f"{option} „{text}“: erwartet AKTIVITÄT:ART mit ART " + ", ".join(_KINDS) + ", z. B. "
            "„Hundesteuer berechnen:rpa“."
        )
    return activity.strip(), kind.strip()


def _num(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f} %".replace(".", ",")


def render_scenario(result: dict[str, Any]) -> str:
    """The scenario for reading in a terminal (German)."""
    before, after = result["before"], result["after"]
    lines = [f"Szenario auf {result['cases']} Fällen des Protokolls"]
    for change in result["changes"]:
        step = change["activity"] or "Eingang"
        lines.append(
            f"  {change['kind_label']} – {step}: {change['cases']} von "
            f"{change['eligible_cases']} Fällen geändert, {_num(change['hours_saved_per_year'])} "
            f"Stunden/Jahr ({change['calculation']['formula']})"
        )
    if result["online_share_target"] is not None:
        lines.append(
            f"Online-Eingang: {_pct(result['online_share_before'])} heute, Ziel "
            f"{_pct(result['online_share_target'])}"
        )
    lines += [
        f"Eingespart: {_num(result['hours_saved_per_year'])} Stunden/Jahr "
        f"({_num(result['fte_saved'], 2)} Vollzeitstellen), "
        f"{_num(result['euros_saved_per_year'], 0)} Euro/Jahr",
        "                     vorher    nachher",
        f"Durchlaufzeit Median {_num(before['median_days']):>6} T  {_num(after['median_days']):>6} T",
        f"Durchlaufzeit P90    {_num(before['p90_days']):>6} T  {_num(after['p90_days']):>6} T",
    ]
    if result["deadline_days"]:
        lines.append(
            f"Über der Frist ({result['deadline_days']} T) "
            f"{_pct(before['deadline_over_share']):>7}  {_pct(after['deadline_over_share']):>7}"
        )
    else:
        lines.append("Über der Frist: keine gesetzliche Frist im Register.")
    lines.append("Annahmen:")
    for used in result["assumptions"]:
        value = used["value"]
        shown = _num(value, 4).rstrip("0").rstrip(",") if isinstance(value, float) else value
        lines.append(f"  {used['label']}: {shown} ({used['source']})")
    lines.extend(f"Hinweis: {note}" for note in result["notes"])
    return "\n".join(lines)
