"""activity mappings per model version

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "activity_mapping",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("pairs", sa.JSON(), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["process_id"], ["process.id"], name=op.f("fk_activity_mapping_process_id_process")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_mapping")),
        sa.UniqueConstraint("process_id", "version_number", name="uq_activity_mapping_version"),
    )
    with op.batch_alter_table("activity_mapping", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_activity_mapping_process_id"), ["process_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("activity_mapping", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activity_mapping_process_id"))

    op.drop_table("activity_mapping")
