"""event log catalogue

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "event_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("log_id", sa.String(length=40), nullable=False),
        sa.Column("process_id", sa.Integer(), nullable=True),
        sa.Column("department", sa.String(length=200), nullable=True),
        sa.Column("uploaded_by", sa.String(length=200), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source_name", sa.String(length=300), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("source_bytes", sa.Integer(), nullable=False),
        sa.Column("file_format", sa.String(length=40), nullable=False),
        sa.Column("detected", sa.JSON(), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("privacy", sa.JSON(), nullable=False),
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("activities", sa.Integer(), nullable=False),
        sa.Column("variants", sa.Integer(), nullable=False),
        sa.Column("first_event", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_event", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rejected_rows", sa.Integer(), nullable=False),
        sa.Column("parquet_path", sa.String(length=500), nullable=False),
        sa.Column("delete_after", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["process_id"], ["process.id"], name=op.f("fk_event_log_process_id_process")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_log")),
        sa.UniqueConstraint("log_id", name=op.f("uq_event_log_log_id")),
    )
    with op.batch_alter_table("event_log", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_log_delete_after"), ["delete_after"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_event_log_department"), ["department"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_log_process_id"), ["process_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("event_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_log_process_id"))
        batch_op.drop_index(batch_op.f("ix_event_log_department"))
        batch_op.drop_index(batch_op.f("ix_event_log_delete_after"))

    op.drop_table("event_log")
