"""pending event logs, logs behind report snapshots, where a legal deadline's clock runs

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03

- ``event_log.state``/``writer``: an import commits its row as ``pending`` (naming the writing
  process) before its events file is moved into place, and marks it ``ready`` after; a sweep
  removes only files without any row and pending rows whose writer is gone.
- ``report_snapshots.log_ids``: the logs a snapshot was built on, so deleting a log finds what
  was derived from it. Filled for existing snapshots from their content.
- ``process.deadline_starts_with``/``deadline_ends_with``: the activities where a legal deadline
  (§ 42a VwVfG) starts and stops; empty means the first and the last event of a case.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("event_log", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("state", sa.String(length=10), server_default="ready", nullable=False)
        )
        batch_op.add_column(sa.Column("writer", sa.String(length=200), nullable=True))
        batch_op.create_check_constraint("state_known", "state IN ('pending', 'ready')")
    op.add_column(
        "process", sa.Column("deadline_starts_with", sa.String(length=300), nullable=True)
    )
    op.add_column("process", sa.Column("deadline_ends_with", sa.String(length=300), nullable=True))
    # Plain ALTER, no batch copy: the copy would drop SQLite's AUTOINCREMENT, and ids of deleted
    # reports must never be handed out again.
    op.add_column(
        "report_snapshots",
        sa.Column("log_ids", sa.JSON(), server_default=sa.text("'[]'"), nullable=False),
    )
    _fill_log_ids()


def _fill_log_ids() -> None:
    snapshots = sa.table(
        "report_snapshots",
        sa.column("id", sa.Integer()),
        sa.column("content", sa.Text()),
        sa.column("log_ids", sa.JSON()),
    )
    connection = op.get_bind()
    for row in connection.execute(sa.select(snapshots.c.id, snapshots.c.content)).all():
        connection.execute(
            snapshots.update()
            .where(snapshots.c.id == row.id)
            .values(log_ids=_snapshot_log_ids(row.content))
        )


def _snapshot_log_ids(content: str) -> list[str]:
    try:
        processes = json.loads(content).get("processes") or []
    except (ValueError, AttributeError):
        return []
    found = set()
    for section in processes if isinstance(processes, list) else []:
        log = section.get("log") if isinstance(section, dict) else None
        if isinstance(log, dict) and isinstance(log.get("log_id"), str):
            found.add(log["log_id"])
    return sorted(found)


def downgrade() -> None:
    op.drop_column("report_snapshots", "log_ids")
    # Not in batch mode: SQLite would copy `process`, which other tables' foreign keys reference;
    # plain DROP COLUMN (SQLite 3.35+) leaves the table in place.
    op.drop_column("process", "deadline_ends_with")
    op.drop_column("process", "deadline_starts_with")
    with op.batch_alter_table("event_log", schema=None) as batch_op:
        batch_op.drop_constraint("state_known", type_="check")
        batch_op.drop_column("writer")
        batch_op.drop_column("state")
