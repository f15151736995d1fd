"""The waivers a version was checked with, so a re-check applies the same ones.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("review_versions") as batch:
        batch.add_column(sa.Column("waivers", sa.Text, nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("review_versions") as batch:
        batch.drop_column("waivers")
