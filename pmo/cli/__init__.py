"""``pmo``: registry and mining from the shell. The names, options and JSON keys are a public contract.

Domain errors become one line on stderr and exit code 1; usage errors exit 2 (click's convention).
"""

from __future__ import annotations

import logging
import os
import sys
from typing import NoReturn

import click

from mining import MiningError

# The command modules attach their commands to the root group when imported.
from pmo.cli import analysis as analysis
from pmo.cli import cases as cases
from pmo.cli import logs as logs
from pmo.cli import registry as registry
from pmo.cli import registry_fim as registry_fim
from pmo.cli import scenario as scenario
from pmo.cli import setup as setup
from pmo.cli._common import PROJECT_ROOT, cli
from pmo.cli._output import OutputError
from process_registry import RegistryError, UnsafeXmlRuntimeError, check_xml_runtime

__all__ = ["PROJECT_ROOT", "cli", "main"]


def main() -> None:
    _leave(_run())


def _run() -> int:
    try:
        check_xml_runtime()
    except UnsafeXmlRuntimeError as err:
        click.echo(f"Installationsfehler: {err}", err=True)
        return 3
    try:
        # Without standalone mode click returns ctx.exit's code instead of exiting.
        returned = cli.main(standalone_mode=False, prog_name="pmo")
    except (RegistryError, MiningError, OutputError) as err:
        click.echo(f"Fehler: {err}", err=True)
        return 1
    except click.exceptions.Abort:
        click.echo("Abgebrochen.", err=True)
        return 1
    except click.ClickException as err:
        err.show()
        return err.exit_code
    return returned if isinstance(returned, int) else 0


def _leave(code: int) -> NoReturn:
    """Exit without the interpreter's teardown.

    Freeing the module state of pandas, DuckDB, pyarrow and SQLAlchemy at exit takes a quarter of
    a second on this project's machines, which every command would add to its wait after the work
    is done (``pmo analyze`` on a million events takes about a second in all). By now every
    transaction is committed and every temporary folder removed; what is left is to flush the
    output and the log handlers.
    """
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`pmo … | head`) or stream
            pass
    os._exit(code)
