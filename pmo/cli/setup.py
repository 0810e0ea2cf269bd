"""``pmo db upgrade``, ``pmo demo`` and ``pmo app``: set up the catalogue, the samples, the workspace."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from pmo.cli._common import (
    PROJECT_ROOT,
    cli,
    db_option,
    log_store,
    open_db,
    registry_of,
)
from process_registry import (
    LANDS,
    configured_settings,
    current_revision,
    data_dir,
    load_catalogue_folder,
    office_settings,
    open_database,
    save_office_settings,
    upgrade_schema,
)

__all__ = ["app", "db", "demo"]


@cli.group()
def db() -> None:
    """Datenbank anlegen und migrieren."""


@db.command("upgrade")
@db_option
def db_upgrade(db_url: str | None) -> None:
    """Schema anlegen oder auf den neuesten Stand migrieren."""
    database = open_database(db_url)
    upgrade_schema(database)
    click.echo(f"Datenbankschema auf Stand {current_revision(database)}")


@cli.command()
@click.option(
    "--folder",
    type=click.Path(file_okay=False),
    default=None,
    help="Ordner mit catalogue.json (Standard: bpmn_models/ des Projekts).",
)
@click.option(
    "--no-logs",
    is_flag=True,
    help="Nur die Modelle laden, keine Beispielprotokolle aus event_logs/.",
)
@db_option
def demo(folder: str | None, no_logs: bool, db_url: str | None) -> None:
    """Beispielmodelle und Beispielprotokolle laden (bereits vorhandene bleiben unverändert)."""
    source = Path(folder) if folder else PROJECT_ROOT / "bpmn_models"
    added = load_catalogue_folder(registry_of(db_url), source, author="pmo demo")
    click.echo(
        f"{len(added)} Beispielprozesse geladen"
        if added
        else "Beispielprozesse sind bereits geladen"
    )
    _sample_land(data_dir())
    if no_logs:
        return
    from pmo._sample_logs import load_sample_logs
    from pmo.log_checks import model_review

    store = log_store(db_url)
    review = model_review(registry_of(db_url))
    # Imported one by one: each file lands whole or not at all, so a rerun completes the rest.
    for name, note, result in load_sample_logs(store, uploader="pmo demo", review=review):
        if result is None:
            click.echo(f"  {name}: {note}")
        else:
            click.echo(
                f"  {name} → {note}: {result.cases} Fälle, {result.events} Ereignisse "
                f"({result.log_id})"
            )


# The Land of the sample office: the sample models' legal bases are Bavarian.
SAMPLE_LAND = "BY"


def _sample_land(folder: Path) -> None:
    """The sample processes rest on Bavarian law: their office counts Bavaria's public holidays,
    unless the office already chose a Land."""
    if "holiday_calendar" in configured_settings(folder):
        return
    current = office_settings(folder)
    save_office_settings(
        current.min_group_size,
        current.working_time,
        folder=folder,
        actor="pmo demo",
        holiday_calendar=SAMPLE_LAND,
    )
    click.echo(f"Feiertage: {LANDS[SAMPLE_LAND]} (Einstellung holiday_calendar)")


@cli.command()
@click.option("--port", type=int, default=8501, show_default=True)
@db_option
def app(port: int, db_url: str | None) -> None:
    """Den Arbeitsbereich (Streamlit) starten."""
    open_db(db_url)
    if db_url:
        os.environ["PMO_DATABASE_URL"] = db_url
    os.chdir(PROJECT_ROOT)  # .streamlit/config.toml is read from the working directory
    # Streamlit in this process, after the pages' libraries are loaded (app_pages/_preload.py):
    # the first visit after a start does not wait for them.
    os.execvp(
        sys.executable,
        [sys.executable, "-c", _SERVE, "run", "app.py", "--server.port", str(port)],
    )


_SERVE = "import app_pages._preload, runpy; runpy.run_module('streamlit', run_name='__main__')"
