"""queue counts: how many wait per day, category and priority, kept with every move

Revision ID: 0014
Revises: 0013
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # "waiting ahead" at issue and the hall's waiting counts read these rows instead of
    # counting the day's waiting tickets (linear in the queue, even index only); the queue
    # services add and take one in the transaction of each move into or out of ``waiting``
    op.create_table("queue_counts",
                    sa.Column("business_day", sa.Date(), nullable=False),
                    sa.Column("prefix", sa.String(length=1), nullable=False),
                    sa.Column("priority", sa.Boolean(), nullable=False),
                    sa.Column("waiting", sa.Integer(), nullable=False),
                    sa.PrimaryKeyConstraint("business_day", "prefix", "priority", name=op.f("pk_queue_counts")))
    # a database in use has tickets waiting now: start from the counted truth
    op.execute("INSERT INTO queue_counts (business_day, prefix, priority, waiting) "
               "SELECT business_day, prefix, priority, COUNT(*) FROM tickets WHERE state = 'waiting' "
               "GROUP BY business_day, prefix, priority")


def downgrade() -> None:
    op.drop_table("queue_counts")
