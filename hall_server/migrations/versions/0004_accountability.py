"""inquiries, ratings, complaints

Revision ID: 0004
Revises: 0003

Also stores the hall's secret for the rate-later links (hall_settings
``rating_link_secret``): made here, once per database, so every process of the hall
signs the same links and a restored backup keeps its printed QR codes valid.
"""
from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

import hall_server.models.base

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SECRET_KEY = "rating_link_secret"


def upgrade() -> None:
    op.create_table('complaints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_no', sa.String(length=20), nullable=False),
    sa.Column('channel', sa.String(length=12), nullable=False),
    sa.Column('registered_at', hall_server.models.base.UTCDateTime(), nullable=False),
    sa.Column('registered_by', sa.String(length=60), nullable=False),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('complainant_name', sa.String(length=40), nullable=True),
    sa.Column('complainant_phone', sa.String(length=20), nullable=True),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('case_no', sa.String(length=40), nullable=True),
    sa.Column('about_staff_id', sa.Integer(), nullable=True),
    sa.Column('window_no', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('assignee_staff_id', sa.Integer(), nullable=True),
    sa.Column('assigned_at', hall_server.models.base.UTCDateTime(), nullable=True),
    sa.Column('assign_note', sa.Text(), nullable=True),
    sa.Column('reply', sa.Text(), nullable=True),
    sa.Column('reply_method', sa.String(length=20), nullable=True),
    sa.Column('replied_by_staff_id', sa.Integer(), nullable=True),
    sa.Column('due_at', hall_server.models.base.UTCDateTime(), nullable=True),
    sa.Column('closed_at', hall_server.models.base.UTCDateTime(), nullable=True),
    sa.Column('overdue_flagged_at', hall_server.models.base.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['about_staff_id'], ['staff.id'], name=op.f('fk_complaints_about_staff_id_staff')),
    sa.ForeignKeyConstraint(['assignee_staff_id'], ['staff.id'], name=op.f('fk_complaints_assignee_staff_id_staff')),
    sa.ForeignKeyConstraint(['replied_by_staff_id'], ['staff.id'], name=op.f('fk_complaints_replied_by_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaints')),
    sa.UniqueConstraint('complaint_no', name=op.f('uq_complaints_complaint_no'))
    )
    op.create_index(op.f('ix_complaints_assignee_staff_id'), 'complaints', ['assignee_staff_id'], unique=False)
    op.create_index(op.f('ix_complaints_case_no'), 'complaints', ['case_no'], unique=False)
    op.create_index('ix_complaints_state_due', 'complaints', ['state', 'due_at'], unique=False)
    op.create_table('inquiries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inquiry_no', sa.String(length=20), nullable=False),
    sa.Column('created_at', hall_server.models.base.UTCDateTime(), nullable=False),
    sa.Column('first_staff_id', sa.Integer(), nullable=False),
    sa.Column('window_no', sa.Integer(), nullable=True),
    sa.Column('citizen_name', sa.String(length=40), nullable=True),
    sa.Column('citizen_phone', sa.String(length=20), nullable=True),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('matter_code', sa.String(length=40), nullable=True),
    sa.Column('matter_name', sa.String(length=200), nullable=True),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('referred_to_staff_id', sa.Integer(), nullable=True),
    sa.Column('referred_to_department_id', sa.Integer(), nullable=True),
    sa.Column('referred_by_staff_id', sa.Integer(), nullable=True),
    sa.Column('referred_at', hall_server.models.base.UTCDateTime(), nullable=True),
    sa.Column('referral_note', sa.Text(), nullable=True),
    sa.Column('referrals', sa.Integer(), nullable=False),
    sa.Column('due_at', hall_server.models.base.UTCDateTime(), nullable=True),
    sa.Column('closed_at', hall_server.models.base.UTCDateTime(), nullable=True),
    sa.Column('closed_by_staff_id', sa.Integer(), nullable=True),
    sa.Column('overdue_flagged_at', hall_server.models.base.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['closed_by_staff_id'], ['staff.id'], name=op.f('fk_inquiries_closed_by_staff_id_staff')),
    sa.ForeignKeyConstraint(['first_staff_id'], ['staff.id'], name=op.f('fk_inquiries_first_staff_id_staff')),
    sa.ForeignKeyConstraint(['referred_by_staff_id'], ['staff.id'], name=op.f('fk_inquiries_referred_by_staff_id_staff')),
    sa.ForeignKeyConstraint(['referred_to_department_id'], ['departments.id'], name=op.f('fk_inquiries_referred_to_department_id_departments')),
    sa.ForeignKeyConstraint(['referred_to_staff_id'], ['staff.id'], name=op.f('fk_inquiries_referred_to_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inquiries')),
    sa.UniqueConstraint('inquiry_no', name=op.f('uq_inquiries_inquiry_no'))
    )
    op.create_index(op.f('ix_inquiries_first_staff_id'), 'inquiries', ['first_staff_id'], unique=False)
    op.create_index('ix_inquiries_referred_to', 'inquiries', ['referred_to_staff_id', 'state'], unique=False)
    op.create_index('ix_inquiries_state_due', 'inquiries', ['state', 'due_at'], unique=False)
    op.create_table('ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service_key', sa.String(length=60), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('ticket_no', sa.String(length=10), nullable=True),
    sa.Column('business_day', sa.Date(), nullable=True),
    sa.Column('case_no', sa.String(length=40), nullable=True),
    sa.Column('window_no', sa.Integer(), nullable=True),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('level', sa.String(length=24), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('bad', sa.Boolean(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('channel', sa.String(length=12), nullable=False),
    sa.Column('device_name', sa.String(length=60), nullable=True),
    sa.Column('rated_at', hall_server.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_ratings_staff_id_staff')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ratings_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ratings')),
    sa.UniqueConstraint('service_key', name=op.f('uq_ratings_service_key'))
    )
    op.create_index(op.f('ix_ratings_case_no'), 'ratings', ['case_no'], unique=False)
    op.create_index(op.f('ix_ratings_rated_at'), 'ratings', ['rated_at'], unique=False)
    op.create_index('ix_ratings_staff_rated', 'ratings', ['staff_id', 'rated_at'], unique=False)
    op.create_table('rating_followups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rating_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('opened_at', hall_server.models.base.UTCDateTime(), nullable=False),
    sa.Column('callback_due_at', hall_server.models.base.UTCDateTime(), nullable=False),
    sa.Column('called_back_at', hall_server.models.base.UTCDateTime(), nullable=True),
    sa.Column('callback_note', sa.Text(), nullable=True),
    sa.Column('rectify_due_at', hall_server.models.base.UTCDateTime(), nullable=False),
    sa.Column('rectified_at', hall_server.models.base.UTCDateTime(), nullable=True),
    sa.Column('rectify_note', sa.Text(), nullable=True),
    sa.Column('rerate_due_at', hall_server.models.base.UTCDateTime(), nullable=True),
    sa.Column('rerated_at', hall_server.models.base.UTCDateTime(), nullable=True),
    sa.Column('rerate_level', sa.String(length=24), nullable=True),
    sa.Column('handled_by_staff_id', sa.Integer(), nullable=True),
    sa.Column('due_at', hall_server.models.base.UTCDateTime(), nullable=True),
    sa.Column('closed_at', hall_server.models.base.UTCDateTime(), nullable=True),
    sa.Column('overdue_flagged_at', hall_server.models.base.UTCDateTime(), nullable=True),
    sa.Column('overdue_step', sa.String(length=12), nullable=True),
    sa.ForeignKeyConstraint(['handled_by_staff_id'], ['staff.id'], name=op.f('fk_rating_followups_handled_by_staff_id_staff')),
    sa.ForeignKeyConstraint(['rating_id'], ['ratings.id'], name=op.f('fk_rating_followups_rating_id_ratings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_followups')),
    sa.UniqueConstraint('rating_id', name=op.f('uq_rating_followups_rating_id'))
    )
    op.create_index('ix_rating_followups_state_due', 'rating_followups', ['state', 'due_at'], unique=False)
    settings = sa.table("hall_settings", sa.column("key", sa.String), sa.column("value", sa.JSON))
    op.bulk_insert(settings, [{"key": SECRET_KEY, "value": {"secret": secrets.token_hex(32)}}])


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM hall_settings WHERE key = :k").bindparams(k=SECRET_KEY))
    op.drop_index('ix_rating_followups_state_due', table_name='rating_followups')
    op.drop_table('rating_followups')
    op.drop_index('ix_ratings_staff_rated', table_name='ratings')
    op.drop_index(op.f('ix_ratings_rated_at'), table_name='ratings')
    op.drop_index(op.f('ix_ratings_case_no'), table_name='ratings')
    op.drop_table('ratings')
    op.drop_index('ix_inquiries_state_due', table_name='inquiries')
    op.drop_index('ix_inquiries_referred_to', table_name='inquiries')
    op.drop_index(op.f('ix_inquiries_first_staff_id'), table_name='inquiries')
    op.drop_table('inquiries')
    op.drop_index('ix_complaints_state_due', table_name='complaints')
    op.drop_index(op.f('ix_complaints_case_no'), table_name='complaints')
    op.drop_index(op.f('ix_complaints_assignee_staff_id'), table_name='complaints')
    op.drop_table('complaints')
