"""cashier: corrected notices linked to what they replace

Revision ID: 0010
Revises: 0009
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # fee_items.exclusive_group comes with 0006 (admin), which added it with the fee items' dates
    with op.batch_alter_table("fee_notices") as b:
        b.add_column(sa.Column("replaces", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("fee_notices") as b:
        b.drop_column("replaces")
