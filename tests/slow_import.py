"""`pmo` with the import held at the steps of its protocol, for the interleaving tests.

    python -m tests.slow_import SIGNALS STEP[,STEP…] pmo-arguments…

Before it goes on past a named step, the command creates ``SIGNALS/<step>.reached`` and waits
until the test creates ``SIGNALS/<step>.go``; so a test decides, through files and not through
timing, what runs while the import stands still. The steps:

``after_staging``  the events are written to the staging file, nothing is in the catalogue;
``after_pending``  the catalogue row is committed as pending (transaction 1);
``after_move``     the staging file has its final name;
``before_ready``   the import is about to mark its row ready (transaction 2).

A step the code under test does not have is never reached (the command then runs through).
"""

from __future__ import annotations

import functools
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

STEPS = ("after_staging", "after_pending", "after_move", "before_ready")


def _pauser(signals: Path, wanted: set[str]) -> Callable[[str], None]:
    def pause(step: str) -> None:
        if step not in wanted:
            return
        wanted.discard(step)  # each step holds once per command
        (signals / f"{step}.reached").touch()
        go = signals / f"{step}.go"
        while not go.exists():
            time.sleep(0.01)

    return pause


def _after(function: Callable[..., Any], pause: Callable[[], None]) -> Callable[..., Any]:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = function(*args, **kwargs)
        pause()
        return result

    return wrapper


def _before(function: Callable[..., Any], pause: Callable[[], None]) -> Callable[..., Any]:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        pause()
        return function(*args, **kwargs)

    return wrapper


def install(signals: Path, wanted: set[str]) -> None:
    pause = _pauser(signals, wanted)
    from mining.ingest import store as logstore

    logstore.ingest_file = _after(logstore.ingest_file, lambda: pause("after_staging"))

    real_replace = os.replace

    def replace(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
        real_replace(src, dst, *args, **kwargs)
        target = Path(dst)
        if target.parent.name == "logs" and target.name.startswith("L"):
            pause("after_move")

    os.replace = replace
    try:
        from process_registry.event_logs import EventLogCatalogue
    except ImportError:  # the code as it was before the pending/ready protocol
        return
    EventLogCatalogue.register_pending = _after(
        EventLogCatalogue.register_pending, lambda: pause("after_pending")
    )
    EventLogCatalogue.mark_ready = _before(
        EventLogCatalogue.mark_ready, lambda: pause("before_ready")
    )


def main() -> None:
    signals, steps, *arguments = sys.argv[1:]
    wanted = {s for s in steps.split(",") if s}
    unknown = wanted - set(STEPS)
    if unknown:
        raise SystemExit(f"unknown steps: {sorted(unknown)}")
    install(Path(signals), wanted)
    from pmo.cli import main as pmo_main

    sys.argv = ["pmo", *arguments]
    pmo_main()


if __name__ == "__main__":
    main()
