"""supervision: cards, sign-offs, device health

Revision ID: 0005
Revises: 0004
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import hall_server.models.base

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

UTC = hall_server.models.base.UTCDateTime

METRICS_INT = ("tickets", "served", "skipped", "called", "wait_n")
METRICS_AFTER_WAIT = ("wait_max_s", "service_n")
METRICS_CASES = ("cases_accepted", "cases_concluded", "cases_on_time", "cases_once")
METRICS_TAIL = ("receipts", "voids", "ratings", "ratings_good", "ratings_bad", "complaints")


def upgrade() -> None:
    op.create_table(
        "card_signoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("card_key", sa.String(length=200), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("staff_no", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("signed_at", UTC(), nullable=False),
        sa.Column("event_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_signoffs")),
        sa.UniqueConstraint("card_key", name=op.f("uq_card_signoffs_card_key")),
    )
    op.create_table(
        "device_health",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("reporter", sa.String(length=60), nullable=False),
        sa.Column("window_no", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("detail", sa.String(length=200), nullable=False),
        sa.Column("last_seen_at", UTC(), nullable=False),
        sa.Column("changed_at", UTC(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device_health")),
        sa.UniqueConstraint("name", name=op.f("uq_device_health_name")),
    )
    op.create_table(
        "stats_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("dim", sa.String(length=12), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        *[sa.Column(n, sa.Integer(), nullable=False) for n in METRICS_INT],
        sa.Column("wait_s", sa.BigInteger(), nullable=False),
        *[sa.Column(n, sa.Integer(), nullable=False) for n in METRICS_AFTER_WAIT],
        sa.Column("service_s", sa.BigInteger(), nullable=False),
        *[sa.Column(n, sa.Integer(), nullable=False) for n in METRICS_CASES],
        sa.Column("fees_fen", sa.BigInteger(), nullable=False),
        *[sa.Column(n, sa.Integer(), nullable=False) for n in METRICS_TAIL],
        sa.PrimaryKeyConstraint("day", "dim", "key", name=op.f("pk_stats_days")),
    )
    op.create_index("ix_stats_days_dim_day", "stats_days", ["dim", "day"])
    op.create_table(
        "stats_built",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("built_at", UTC(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_stats_built")),
    )
    op.create_index("ix_events_ticket_no", "events", ["ticket_no"])
    op.create_index("ix_events_window_no_at", "events", ["window_no", "at"])
    op.create_index("ix_events_actor_at", "events", ["actor", "at"])
    op.create_index("ix_cases_accepted_at", "cases", ["accepted_at"])
    op.create_index("ix_cases_concluded_at", "cases", ["concluded_at"])
    op.create_index("ix_complaints_registered_at", "complaints", ["registered_at"])


def downgrade() -> None:
    op.drop_index("ix_complaints_registered_at", table_name="complaints")
    op.drop_index("ix_cases_concluded_at", table_name="cases")
    op.drop_index("ix_cases_accepted_at", table_name="cases")
    op.drop_index("ix_events_actor_at", table_name="events")
    op.drop_index("ix_events_window_no_at", table_name="events")
    op.drop_index("ix_events_ticket_no", table_name="events")
    op.drop_table("stats_built")
    op.drop_index("ix_stats_days_dim_day", table_name="stats_days")
    op.drop_table("stats_days")
    op.drop_table("device_health")
    op.drop_table("card_signoffs")
