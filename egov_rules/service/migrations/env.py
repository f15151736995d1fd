"""Alembic environment: always run programmatically (``db.upgrade``) on a connection it is given."""

from __future__ import annotations

from alembic import context

from egov_rules.service.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reachable from the alembic command line
    raise RuntimeError("run migrations with `egov-rules db upgrade`, not the alembic command")
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
