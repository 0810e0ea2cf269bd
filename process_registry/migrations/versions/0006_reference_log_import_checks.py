"""the log that speaks for a process, warnings of the import checks

Revision ID: 0006
Revises: 0005
Create Date: 2027-01-12

- ``process.reference_log_id``: the event log the process manager chose as the process's
  reference (overview, report); empty means the newest ready log that passed the import checks.
- ``event_log.checks``: the warnings an import gave (activities barely in the model, the same
  file uploaded before, fewer cases than ``min_cases``), so the default choice can skip such logs.
  Logs imported before this revision get the two checks that need no model: a log with fewer than
  100 cases (the shipped ``min_cases``; no office can have set another value before this
  revision) and a file whose SHA-256 an earlier upload has. The model check needs the mining
  stage and is not back-filled.
- an index on ``event_log.source_sha256``: every import looks up earlier uploads of its file.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# Frozen copies of what the code of this revision writes; a later change of the code must not
# change what this migration does.
_MIN_CASES = 100


def upgrade() -> None:
    # Plain ADD COLUMN, no batch copy: SQLite would copy `process`, which other tables reference.
    op.add_column("process", sa.Column("reference_log_id", sa.String(length=40), nullable=True))
    op.add_column(
        "event_log",
        sa.Column("checks", sa.JSON(), server_default=sa.text("'[]'"), nullable=False),
    )
    op.create_index(
        op.f("ix_event_log_source_sha256"), "event_log", ["source_sha256"], unique=False
    )
    _fill_checks()


def _fill_checks() -> None:
    logs = sa.table(
        "event_log",
        sa.column("id", sa.Integer()),
        sa.column("log_id", sa.String()),
        sa.column("uploaded_at", sa.DateTime()),
        sa.column("source_sha256", sa.String()),
        sa.column("cases", sa.Integer()),
        sa.column("checks", sa.JSON()),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(logs.c.id, logs.c.log_id, logs.c.source_sha256, logs.c.cases).order_by(
            logs.c.uploaded_at, logs.c.id
        )
    ).all()
    earlier: dict[str, list[str]] = {}
    for row in rows:
        checks: list[dict[str, Any]] = []
        same = earlier.setdefault(row.source_sha256, [])
        if same:
            checks.append(
                {
                    "check": "duplicate",
                    "same_as": list(same),
                    "message": "Dieselbe Datei (gleiche SHA-256-Prüfsumme) wurde schon "
                    f"hochgeladen: {', '.join(same)}.",
                }
            )
        same.append(row.log_id)
        if row.cases < _MIN_CASES:
            checks.append(
                {
                    "check": "small",
                    "cases": row.cases,
                    "min_cases": _MIN_CASES,
                    "message": f"Nur {row.cases} Fälle, weniger als {_MIN_CASES} (min_cases in "
                    "arbeitsbereich.toml): zu wenige, um für den Prozess zu sprechen.",
                }
            )
        if checks:
            connection.execute(logs.update().where(logs.c.id == row.id).values(checks=checks))


def downgrade() -> None:
    op.drop_index(op.f("ix_event_log_source_sha256"), table_name="event_log")
    # Plain DROP COLUMN (SQLite 3.35+): no table copy, as in 0005.
    op.drop_column("event_log", "checks")
    op.drop_column("process", "reference_log_id")
