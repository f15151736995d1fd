"""The address a login attempt came from, and an index for the per-address login throttle
(``auth.client_throttled_for``).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("audit_entries", sa.Column("client", sa.String(100), nullable=True))
    op.create_index("ix_audit_entries_client_at", "audit_entries", ["client", "at"])


def downgrade() -> None:
    op.drop_index("ix_audit_entries_client_at", "audit_entries")
    op.drop_column("audit_entries", "client")  # in place (SQLite 3.35+): the append-only triggers stay
