"""audit: hash format version, signed checkpoints, sign-in throttle, idempotency body hash

Revision ID: 0007
Revises: 0006
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import hall_server.models.base

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

UTC = hall_server.models.base.UTCDateTime


def upgrade() -> None:
    # existing rows were hashed under format v1 (domain/audit.py); ALTER TABLE ADD COLUMN
    # fires no UPDATE trigger, so the append-only guard stays as it is
    op.add_column("events", sa.Column("hash_version", sa.Integer(), nullable=False, server_default="1"))
    op.add_column("idempotency", sa.Column("request_hash", sa.String(length=64), nullable=True))
    op.create_table(
        "audit_checkpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("made_at", UTC(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("hall", sa.String(length=100), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("public_key", sa.String(length=100), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_checkpoints")),
    )
    op.create_index(op.f("ix_audit_checkpoints_seq"), "audit_checkpoints", ["seq"], unique=False)
    op.create_table(
        "login_throttle",
        sa.Column("staff_no", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", UTC(), nullable=False),
        sa.Column("blocked_until", UTC(), nullable=True),
        sa.PrimaryKeyConstraint("staff_no", "source", name=op.f("pk_login_throttle")),
    )


def downgrade() -> None:
    op.drop_table("login_throttle")
    op.drop_index(op.f("ix_audit_checkpoints_seq"), table_name="audit_checkpoints")
    op.drop_table("audit_checkpoints")
    with op.batch_alter_table("idempotency") as b:
        b.drop_column("request_hash")
    with op.batch_alter_table("events") as b:
        b.drop_column("hash_version")
