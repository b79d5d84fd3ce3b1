"""phone pages: room for the longer query codes of new cases (12 characters; 6 before)

Revision ID: 0008
Revises: 0007
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as b:
        b.alter_column("query_code", existing_type=sa.String(length=8), type_=sa.String(length=16),
                       existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("cases") as b:
        b.alter_column("query_code", existing_type=sa.String(length=16), type_=sa.String(length=8),
                       existing_nullable=False)
