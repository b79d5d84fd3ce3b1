"""hot path indexes: a window's next ticket and the waiting counts without scanning the day

Revision ID: 0013
Revises: 0010
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # call-next's "first of a category" reads the index in serving order and stops at the
    # first row not sent to a window (PostgreSQL cannot order by the columns after an
    # ``IS NULL``, so target_window_no comes last, read from the index); "waiting ahead"
    # counts over its first three columns, index only
    op.create_index("ix_tickets_waiting_first", "tickets",
                    ["business_day", "state", "prefix", sa.text("priority DESC"), "queued_at", "id",
                     "target_window_no"])
    # tickets sent to one window (transfer to a window): few, found without the day's queue;
    # covering (the candidate columns), or SQLite prefers scanning the covering one above
    op.create_index("ix_tickets_target_state", "tickets",
                    ["target_window_no", "state", "business_day", "prefix", "priority", "queued_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_tickets_target_state", table_name="tickets")
    op.drop_index("ix_tickets_waiting_first", table_name="tickets")
