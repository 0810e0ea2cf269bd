"""pmo's application layer: what combines the registry and mining, and the ``pmo`` command line.

``process_registry`` (catalogue, models, the log catalogue) and ``mining`` (logs and their
analysis) know nothing of each other's database or pages; this package joins them: the process
context of an analysis (:func:`process_context`), the leadership report (:func:`build_report`)
and the model check of an import (:func:`model_review`).
The CLI (:mod:`pmo.cli`) and the workspace (``app_pages``) both use these names from here.

Names load on first use: every CLI command imports this package, and the report builder pulls in
all of ``mining``, which ``pmo --help`` must not wait for.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pmo.context import process_context, process_facts
    from pmo.log_checks import RegistryModelReview, model_review
    from pmo.report import ReportFilters, ReportScenario, build_report

__all__ = [
    "RegistryModelReview",
    "ReportFilters",
    "ReportScenario",
    "build_report",
    "model_review",
    "process_context",
    "process_facts",
]

_HOMES = {
    "RegistryModelReview": "pmo.log_checks",
    "model_review": "pmo.log_checks",
    "ReportFilters": "pmo.report",
    "ReportScenario": "pmo.report",
    "build_report": "pmo.report",
    "process_context": "pmo.context",
    "process_facts": "pmo.context",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'pmo' has no attribute {name!r}")
    return getattr(import_module(home), name)
