"""The leadership portfolio report: built once from registry and logs (by the application layer,
:func:`pmo.report.build_report`), frozen, rendered often. This package renders and redacts
snapshots; it reads neither the database nor the clock.

::

    snapshot = build_report(registry, store, actor="pmo")       # pmo.report: a JSON-ready dict
    report_id = ReportArchive(db).save(snapshot, actor="pmo")   # frozen with its inputs
    pdf = render_report(ReportArchive(db).get(report_id), "pdf")

Snapshot schema ``pmo-report/1`` — top-level keys: ``schema``, ``id``, ``title``,
``created_at``, ``created_by``, ``filters`` (``from``/``to`` days), ``assumptions`` (every value
the scoring used, flat ``section.key``) and ``assumption_labels``, ``summary`` (totals),
``conclusions`` (the opening paragraph, ``{"de": …, "en": …}``, :func:`conclusions`; worked out
on rendering for snapshots without it), ``data_age_warning_days`` (the office's threshold),
``candidates`` (all processes, ranked) and ``processes`` (per process: catalogue data, model
version, the log it rests on and why that one (``log.reason``: ``chosen``, ``newest_passing`` or
``newest``; ``log.reason_text``) and how old its newest event was (``log.age_days``), an analysis
digest, a process map, its candidates and notes, and ``technical_notes`` (how the model was read for
the conformance check; the report's appendix); the
digest's ``trends`` are the analysis's monthly rows, absent from snapshots made before them; a
``scenario``, :meth:`mining.ScenarioResult.to_dict`, only when one was chosen), and,
once a log it rests on was deleted, ``redactions`` (per deleted log: ``log_id``, ``at``,
``reason``, the kinds of ``fields`` whose case ids were removed, how many were ``removed``, and the
``note`` every format shows; see :mod:`mining.report.redact`). Renderers read only the snapshot,
never the clock or the database, so a re-render of a stored snapshot shows the same numbers.

The case explorer's list goes to German Excel as :func:`cases_csv`. Exports to spreadsheets
neutralize formula injection (cells that start with ``=``, ``+``,
``-``, ``@``, tab or CR); real numbers stay numbers.
"""

from mining.report.case_export import cases_csv
from mining.report.cells import neutralize, write_csv
from mining.report.leadership import conclusions, step_totals
from mining.report.redact import redact_snapshot
from mining.report.render import render_report

__all__ = [
    "cases_csv",
    "conclusions",
    "neutralize",
    "redact_snapshot",
    "render_report",
    "step_totals",
    "write_csv",
]
