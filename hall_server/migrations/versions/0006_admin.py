"""admin: departments/windows/categories admin columns, staff photos, leave records

Revision ID: 0006
Revises: 0005
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import hall_server.models.base

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

UTC = hall_server.models.base.UTCDateTime


def upgrade() -> None:
    with op.batch_alter_table("departments") as b:
        b.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))
    with op.batch_alter_table("categories") as b:
        b.add_column(sa.Column("hours", sa.JSON(), nullable=True))
    with op.batch_alter_table("windows") as b:
        b.add_column(sa.Column("led_address", sa.Integer(), nullable=True))
        b.add_column(sa.Column("staff_a", sa.String(length=20), nullable=True))
        b.add_column(sa.Column("staff_b", sa.JSON(), nullable=False, server_default="[]"))
        b.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))
    with op.batch_alter_table("fee_items") as b:
        b.add_column(sa.Column("valid_from", sa.Date(), nullable=True))
        b.add_column(sa.Column("valid_to", sa.Date(), nullable=True))
        b.add_column(sa.Column("exclusive_group", sa.String(length=40), nullable=False, server_default=""))
    op.create_table(
        "staff_photos",
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("jpeg", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", UTC(), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_staff_photos_staff_id_staff")),
        sa.PrimaryKeyConstraint("staff_id", name=op.f("pk_staff_photos")),
    )
    op.create_table(
        "staff_leaves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=100), nullable=False),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("cancelled_at", UTC(), nullable=True),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_staff_leaves_staff_id_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_leaves")),
        sa.UniqueConstraint("staff_id", "day", name="uq_staff_leaves_staff_day"),
    )
    op.create_index(op.f("ix_staff_leaves_staff_id"), "staff_leaves", ["staff_id"])
    op.create_index(op.f("ix_staff_leaves_day"), "staff_leaves", ["day"])


def downgrade() -> None:
    op.drop_index(op.f("ix_staff_leaves_day"), table_name="staff_leaves")
    op.drop_index(op.f("ix_staff_leaves_staff_id"), table_name="staff_leaves")
    op.drop_table("staff_leaves")
    op.drop_table("staff_photos")
    with op.batch_alter_table("fee_items") as b:
        for col in ("exclusive_group", "valid_to", "valid_from"):
            b.drop_column(col)
    with op.batch_alter_table("windows") as b:
        for col in ("active", "staff_b", "staff_a", "led_address"):
            b.drop_column(col)
    with op.batch_alter_table("categories") as b:
        b.drop_column("hours")
    with op.batch_alter_table("departments") as b:
        b.drop_column("active")
