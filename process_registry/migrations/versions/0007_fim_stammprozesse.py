"""FIM Stammprozesse: the imported catalogue data per version, and local processes linked to them

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04

- ``model_version.fim``: what the XProzess file said with this version (catalogue class, activity
  groups with their types and legal bases), as JSON; empty for models registered as plain BPMN.
  Written once with the version, like the model itself.
- ``process.fim_id``: the LeiKa key of the Stammprozess this entry holds, so a newer export of
  the same Stammprozess becomes a new version of it; indexed, since every import looks it up.
- ``process.derived_from`` / ``derived_version``: the Stammprozess a local process was derived
  from and the Stammprozess version it was last aligned with; a newer Stammprozess version than
  that flags the local process for review.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN, no batch copy: SQLite would copy `process`, which other tables reference.
    op.add_column("model_version", sa.Column("fim", sa.JSON(), nullable=True))
    op.add_column("process", sa.Column("fim_id", sa.String(length=20), nullable=True))
    op.add_column("process", sa.Column("derived_from", sa.String(length=100), nullable=True))
    op.add_column("process", sa.Column("derived_version", sa.Integer(), nullable=True))
    op.create_index(op.f("ix_process_fim_id"), "process", ["fim_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_process_fim_id"), table_name="process")
    op.drop_column("process", "derived_version")
    op.drop_column("process", "derived_from")
    op.drop_column("process", "fim_id")
    op.drop_column("model_version", "fim")
