"""complaints: the 整改 and 回访 records of the complaint work list

Revision ID: 0009
Revises: 0008
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import hall_server.models.base

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

UTC = hall_server.models.base.UTCDateTime
COLUMNS = ("rectify_note", "rectified_at", "callback_note", "called_back_at", "callback_level")


def upgrade() -> None:
    with op.batch_alter_table("complaints") as batch:
        batch.add_column(sa.Column("rectify_note", sa.Text(), nullable=True))
        batch.add_column(sa.Column("rectified_at", UTC(), nullable=True))
        batch.add_column(sa.Column("callback_note", sa.Text(), nullable=True))
        batch.add_column(sa.Column("called_back_at", UTC(), nullable=True))
        batch.add_column(sa.Column("callback_level", sa.String(length=24), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("complaints") as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
