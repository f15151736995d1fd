"""Indexes for the date filters of the review list and the audit trail.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_review_versions_created_at", "review_versions", ["created_at"])
    op.create_index("ix_audit_entries_at", "audit_entries", ["at"])


def downgrade() -> None:
    op.drop_index("ix_audit_entries_at", "audit_entries")
    op.drop_index("ix_review_versions_created_at", "review_versions")
