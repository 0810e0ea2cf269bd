"""``pmo analyze`` and ``pmo report``: a log's analysis and the leadership report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from mining import localized, reading
from pmo.cli._common import (
    LANG,
    MIN_GROUP_SIZE,
    WORKING_TIME,
    cli,
    date_range_options,
    db_option,
    emit_json,
    import_options,
    log_store,
    mapping_options,
    office_defaults,
)
from pmo.cli._filters import filter_option
from pmo.cli._output import OutputError, StagedOutput, write_atomically
from process_registry import (
    Registry,
    current_user,
    local_text,
    office_settings,
)

__all__ = ["analyze_command", "report_command"]


@cli.command("analyze")
@click.argument("target", metavar="(LOG_ID | FILE)")
@click.option(
    "--process",
    "process_key",
    default=None,
    help="Prozess im Register (Standard: der mit dem Protokoll verknüpfte).",
)
@click.option(
    "--version", "version", type=int, default=None, help="Modellversion (Standard: aktuell)."
)
@mapping_options
@WORKING_TIME
@click.option("--alignments", is_flag=True, help="Alignments statt Token-Replay (mit Zeitbudget).")
@date_range_options
@filter_option
@click.option("--top-variants", type=int, default=None, help="Nur die K häufigsten Varianten.")
@click.option(
    "--discovered-bpmn",
    type=click.Path(dir_okay=False),
    default=None,
    help="Entdecktes Modell (Inductive Miner) als BPMN mit Layout in diese Datei schreiben.",
)
@click.option(
    "--noise",
    type=float,
    default=0.2,
    show_default=True,
    help="Rauschschwelle des Inductive Miners für --discovered-bpmn.",
)
@MIN_GROUP_SIZE
@LANG
@click.option("--json", "as_json", is_flag=True, help="Antwort als JSON.")
@db_option
def analyze_command(
    target: str,
    process_key: str | None,
    version: int | None,
    working_time: bool | None,
    alignments: bool,
    date_from: Any,
    date_to: Any,
    filters: tuple[str, ...],
    top_variants: int | None,
    discovered_bpmn: str | None,
    noise: float,
    min_group_size: int | None,
    lang: str,
    as_json: bool,
    db_url: str | None,
    **mapping: Any,
) -> None:
    """Ein gespeichertes Protokoll oder eine Datei analysieren (gegen das Registermodell)."""
    from pmo.cli._analyze import apply_filters, discovered_model, run_analysis, stored_or_ingested

    store = log_store(db_url)
    min_group_size, working_time = office_defaults(store.data_dir, min_group_size, working_time)
    options = import_options(mapping)
    with stored_or_ingested(store, target, options) as (view, linked_process):
        view = apply_filters(
            view,
            date_from=date_from,
            date_to=date_to,
            top_variants=top_variants,
            filters=filters,
        )
        result = run_analysis(
            view,
            registry=Registry(store.db),
            process_key=process_key or linked_process,
            version=version,
            working_time=working_time,
            alignments=alignments,
            min_group_size=min_group_size,
            office=office_settings(store.data_dir),
        )
        if discovered_bpmn:
            write_atomically(discovered_bpmn, discovered_model(view, noise_threshold=noise))
    result = localized(result, lang)
    if as_json:
        emit_json(result)
        return
    from pmo.cli._render import render_analysis

    with reading(lang):
        click.echo(render_analysis(result))


# -- reports ------------------------------------------------------------------------------------

_REPORT_FORMATS = ("pdf", "xlsx", "html", "json")


@cli.command("report")
@click.option(
    "--process",
    "keys",
    multiple=True,
    help="Prozess im Register (mehrfach möglich; Standard: alle Prozesse).",
)
@click.option(
    "--format", "fmt", type=click.Choice(_REPORT_FORMATS), default=None, help="Ausgabeformat."
)
@click.option("-o", "output", type=click.Path(dir_okay=False), default=None, help="Zieldatei.")
@click.option(
    "--snapshot",
    "snapshot_id",
    type=int,
    default=None,
    help="Einen gespeicherten Bericht erneut ausgeben (gleiche Zahlen wie beim Erstellen).",
)
@click.option("--list", "list_reports", is_flag=True, help="Gespeicherte Berichte auflisten.")
@date_range_options
@click.option(
    "--assumptions",
    "assumptions_file",
    type=click.Path(dir_okay=False),
    envvar="PMO_ASSUMPTIONS_FILE",
    default=None,
    help="TOML-Datei mit eigenen Annahmen und Gewichten (Standard: mitgelieferte Werte).",
)
@click.option(
    "--scenario",
    "scenario",
    multiple=True,
    metavar="AKTIVITÄT:ART",
    help="Ein Szenario in den Bericht aufnehmen, wie pmo scenario --accept (braucht genau "
    "ein --process); mehrfach möglich.",
)
@click.option(
    "--online-share",
    type=float,
    default=None,
    metavar="ANTEIL",
    help="Ziel-Anteil Online-Eingang für das Szenario, z. B. 0.8 (braucht genau ein --process).",
)
@MIN_GROUP_SIZE
@WORKING_TIME
@click.option("--title", default=None, help="Titel (Standard: Digitalisierungsportfolio).")
@LANG
@click.option("--json", "as_json", is_flag=True, help="Antwort als JSON.")
@db_option
def report_command(
    keys: tuple[str, ...],
    fmt: str | None,
    output: str | None,
    snapshot_id: int | None,
    list_reports: bool,
    date_from: Any,
    date_to: Any,
    assumptions_file: str | None,
    scenario: tuple[str, ...],
    online_share: float | None,
    min_group_size: int | None,
    working_time: bool | None,
    title: str | None,
    lang: str,
    as_json: bool,
    db_url: str | None,
) -> None:
    """Portfoliobericht für die Leitung erstellen, als Schnappschuss speichern und ausgeben."""
    from mining import load_assumptions, render_report
    from pmo.cli._filters import OptionError
    from pmo.cli.scenario import parse_accept
    from pmo.report import ReportFilters, ReportScenario, build_report
    from process_registry import ReportArchive

    chosen = None
    if scenario or online_share is not None:
        if len(keys) != 1 or snapshot_id is not None or list_reports:
            raise OptionError(
                "--scenario und --online-share gelten für einen Prozess: bitte genau ein "
                "--process angeben (und kein --snapshot oder --list)."
            )
        chosen = ReportScenario(
            tuple(parse_accept(text, "--scenario") for text in scenario), online_share
        )

    store = log_store(db_url)
    archive = ReportArchive(store.db)
    if list_reports:
        rows = archive.list()
        if as_json:
            emit_json([row.to_dict() for row in rows])
            return
        for row in rows:
            keys_text = ", ".join(row.process_keys)
            click.echo(f"{row.id:>5}  {local_text(row.created_at)}  {row.title}  ({keys_text})")
        return
    if fmt is None or output is None:
        raise click.UsageError("--format und -o sind nötig (oder --list).")
    creating = snapshot_id is None
    with StagedOutput(output) as staged:
        if not creating:
            # A stored snapshot keeps the language it was frozen in, labels included.
            staged.write(render_report(archive.get(snapshot_id), fmt))
        else:
            snapshot = build_report(
                Registry(store.db),
                store,
                keys=keys or None,
                assumptions=load_assumptions(Path(assumptions_file) if assumptions_file else None),
                filters=ReportFilters(
                    date_from=date_from.date() if date_from else None,
                    date_to=date_to.date() if date_to else None,
                ),
                actor=current_user(),
                min_group_size=min_group_size,
                working_time=working_time,
                title=title,
                scenario=chosen,
                lang=lang,
            )
            # The file is written before the snapshot commits: a report that cannot be written
            # leaves no snapshot behind, and a stored snapshot always reached its file.
            snapshot_id = archive.save(
                snapshot,
                actor=current_user(),
                deliver=lambda frozen: staged.write(render_report(frozen, fmt)),
            )
        try:
            staged.publish()
        except OutputError:
            if creating:
                # Renaming beside the staged file failed after the commit (the target turned
                # into a folder, a permission changed): take the snapshot back, visibly audited.
                archive.delete(snapshot_id, actor=current_user())
            raise
    if as_json:
        emit_json({"report_id": snapshot_id, "format": fmt, "file": output})
    else:
        click.echo(f"Bericht {snapshot_id} als {fmt.upper()} geschrieben: {output}")
