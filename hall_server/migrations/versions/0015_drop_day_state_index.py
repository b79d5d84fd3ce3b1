"""drop ix_tickets_day_state: ix_tickets_waiting_first (0013) begins with the same columns

Revision ID: 0015
Revises: 0014
"""
from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # every read by (business_day, state) is served as well by the wider index, which
    # starts with those two columns; the narrow one was kept up to date by every issue and
    # every state change of the peak hour for nothing (issue #17: bench_writer.py)
    op.drop_index("ix_tickets_day_state", table_name="tickets")


def downgrade() -> None:
    op.create_index("ix_tickets_day_state", "tickets", ["business_day", "state"])
