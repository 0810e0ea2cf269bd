"""Alembic environment. The connection is handed in by process_registry.schema, never read from ini."""

from __future__ import annotations

from alembic import context

from process_registry.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached by a bare `alembic` call
    raise RuntimeError("run migrations through `pmo db upgrade` or process_registry.schema")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite has almost no ALTER TABLE; batch mode copies the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
