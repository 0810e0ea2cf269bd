"""The ``pmo`` command's entry point: the imports run with the garbage collector paused.

Importing pandas, SQLAlchemy, DuckDB and pyarrow creates hundreds of thousands of objects, and
the cyclic collector walks them again and again while they load: a tenth of a second of every
command on this project's machines. None of them is garbage, so the collector waits until the
imports are done and then leaves the loaded objects out of its later passes (``gc.freeze``).
"""

from __future__ import annotations

import gc

__all__ = ["main"]


def main() -> None:
    gc.disable()
    try:
        from pmo.cli import main as run
    finally:
        gc.freeze()
        gc.enable()
    run()
