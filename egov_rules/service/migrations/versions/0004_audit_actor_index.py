"""An index for the login throttle: the recent audit entries of one name (``auth.throttled_for``).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audit_entries_actor_at", "audit_entries", ["actor", "at"])


def downgrade() -> None:
    op.drop_index("ix_audit_entries_actor_at", "audit_entries")
