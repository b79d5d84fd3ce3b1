"""fees: accounts, fee items, receipt series, payment notices, receipts, day close

Revision ID: 0003
Revises: 0002
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import hall_server.models.base

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('fee_notice_counters',
    sa.Column('business_day', sa.Date(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('business_day', name=op.f('pk_fee_notice_counters'))
    )
    op.create_table('fee_receipt_series',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('prefix', sa.String(length=20), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fee_receipt_series')),
    sa.UniqueConstraint('code', name=op.f('uq_fee_receipt_series_code'))
    )
    op.create_table('fee_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('bank', sa.String(length=100), nullable=False),
    sa.Column('account_no', sa.String(length=40), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_fee_accounts_department_id_departments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fee_accounts')),
    sa.UniqueConstraint('code', name=op.f('uq_fee_accounts_code'))
    )
    op.create_table('fee_day_closes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('staff_no', sa.String(length=20), nullable=False),
    sa.Column('business_day', sa.Date(), nullable=False),
    sa.Column('closed_at', hall_server.models.base.UTCDateTime(), nullable=False),
    sa.Column('window_no', sa.Integer(), nullable=True),
    sa.Column('receipt_count', sa.Integer(), nullable=False),
    sa.Column('void_count', sa.Integer(), nullable=False),
    sa.Column('total_fen', sa.BigInteger(), nullable=False),
    sa.Column('expected_cash_fen', sa.BigInteger(), nullable=False),
    sa.Column('counted_cash_fen', sa.BigInteger(), nullable=False),
    sa.Column('difference_fen', sa.BigInteger(), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_fee_day_closes_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fee_day_closes')),
    sa.UniqueConstraint('staff_id', 'business_day', name='uq_fee_day_closes_staff_day')
    )
    op.create_table('fee_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('matter_code', sa.String(length=40), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('income_type', sa.String(length=40), nullable=False),
    sa.Column('legal_basis', sa.Text(), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('standard', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_at', hall_server.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['fee_accounts.id'], name=op.f('fk_fee_items_account_id_fee_accounts')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_fee_items_department_id_departments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fee_items')),
    sa.UniqueConstraint('code', name=op.f('uq_fee_items_code'))
    )
    op.create_index(op.f('ix_fee_items_matter_code'), 'fee_items', ['matter_code'], unique=False)
    op.create_table('fee_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_no', sa.String(length=20), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('case_no', sa.String(length=40), nullable=False),
    sa.Column('matter_code', sa.String(length=40), nullable=False),
    sa.Column('payer_name', sa.String(length=100), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('window_no', sa.Integer(), nullable=True),
    sa.Column('raised_by', sa.String(length=20), nullable=False),
    sa.Column('raised_at', hall_server.models.base.UTCDateTime(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('total_fen', sa.BigInteger(), nullable=False),
    sa.Column('cancelled_at', hall_server.models.base.UTCDateTime(), nullable=True),
    sa.Column('cancel_reason', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_fee_notices_case_id_cases')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_fee_notices_department_id_departments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fee_notices')),
    sa.UniqueConstraint('notice_no', name=op.f('uq_fee_notices_notice_no'))
    )
    op.create_index(op.f('ix_fee_notices_case_id'), 'fee_notices', ['case_id'], unique=False)
    op.create_index(op.f('ix_fee_notices_case_no'), 'fee_notices', ['case_no'], unique=False)
    op.create_index(op.f('ix_fee_notices_state'), 'fee_notices', ['state'], unique=False)
    op.create_table('fee_notice_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('fee_item_id', sa.Integer(), nullable=False),
    sa.Column('item_code', sa.String(length=32), nullable=False),
    sa.Column('item_name', sa.String(length=100), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('standard_text', sa.String(length=300), nullable=False),
    sa.Column('legal_basis', sa.Text(), nullable=False),
    sa.Column('income_type', sa.String(length=40), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('qty_centi', sa.Integer(), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['fee_accounts.id'], name=op.f('fk_fee_notice_lines_account_id_fee_accounts')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_fee_notice_lines_department_id_departments')),
    sa.ForeignKeyConstraint(['fee_item_id'], ['fee_items.id'], name=op.f('fk_fee_notice_lines_fee_item_id_fee_items')),
    sa.ForeignKeyConstraint(['notice_id'], ['fee_notices.id'], name=op.f('fk_fee_notice_lines_notice_id_fee_notices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fee_notice_lines'))
    )
    op.create_index(op.f('ix_fee_notice_lines_notice_id'), 'fee_notice_lines', ['notice_id'], unique=False)
    op.create_table('fee_receipts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('receipt_no', sa.String(length=40), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('case_no', sa.String(length=40), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('method', sa.String(length=10), nullable=False),
    sa.Column('reference', sa.String(length=64), nullable=False),
    sa.Column('tendered_fen', sa.BigInteger(), nullable=True),
    sa.Column('change_fen', sa.BigInteger(), nullable=False),
    sa.Column('cashier_id', sa.Integer(), nullable=False),
    sa.Column('cashier_no', sa.String(length=20), nullable=False),
    sa.Column('window_no', sa.Integer(), nullable=True),
    sa.Column('issued_at', hall_server.models.base.UTCDateTime(), nullable=False),
    sa.Column('business_day', sa.Date(), nullable=False),
    sa.Column('void', sa.Boolean(), nullable=False),
    sa.Column('void_reason', sa.String(length=200), nullable=True),
    sa.Column('voided_at', hall_server.models.base.UTCDateTime(), nullable=True),
    sa.Column('void_approved_by', sa.String(length=20), nullable=True),
    sa.Column('refund_of_id', sa.Integer(), nullable=True),
    sa.Column('refund_reason', sa.String(length=200), nullable=True),
    sa.Column('refund_approved_by', sa.String(length=20), nullable=True),
    sa.Column('reprints', sa.Integer(), nullable=False),
    sa.Column('day_close_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['cashier_id'], ['staff.id'], name=op.f('fk_fee_receipts_cashier_id_staff')),
    sa.ForeignKeyConstraint(['day_close_id'], ['fee_day_closes.id'], name=op.f('fk_fee_receipts_day_close_id_fee_day_closes')),
    sa.ForeignKeyConstraint(['notice_id'], ['fee_notices.id'], name=op.f('fk_fee_receipts_notice_id_fee_notices')),
    sa.ForeignKeyConstraint(['refund_of_id'], ['fee_receipts.id'], name=op.f('fk_fee_receipts_refund_of_id_fee_receipts')),
    sa.ForeignKeyConstraint(['series_id'], ['fee_receipt_series.id'], name=op.f('fk_fee_receipts_series_id_fee_receipt_series')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fee_receipts')),
    sa.UniqueConstraint('receipt_no', name=op.f('uq_fee_receipts_receipt_no')),
    sa.UniqueConstraint('series_id', 'seq', name='uq_fee_receipts_series_seq')
    )
    op.create_index('ix_fee_receipts_cashier_day', 'fee_receipts', ['cashier_id', 'business_day'], unique=False)
    op.create_index('ix_fee_receipts_day', 'fee_receipts', ['business_day'], unique=False)
    op.create_index(op.f('ix_fee_receipts_notice_id'), 'fee_receipts', ['notice_id'], unique=False)
    op.create_table('fee_receipt_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('receipt_id', sa.Integer(), nullable=False),
    sa.Column('notice_line_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('income_type', sa.String(length=40), nullable=False),
    sa.Column('item_code', sa.String(length=32), nullable=False),
    sa.Column('item_name', sa.String(length=100), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['fee_accounts.id'], name=op.f('fk_fee_receipt_lines_account_id_fee_accounts')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_fee_receipt_lines_department_id_departments')),
    sa.ForeignKeyConstraint(['notice_line_id'], ['fee_notice_lines.id'], name=op.f('fk_fee_receipt_lines_notice_line_id_fee_notice_lines')),
    sa.ForeignKeyConstraint(['receipt_id'], ['fee_receipts.id'], name=op.f('fk_fee_receipt_lines_receipt_id_fee_receipts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fee_receipt_lines'))
    )
    op.create_index(op.f('ix_fee_receipt_lines_receipt_id'), 'fee_receipt_lines', ['receipt_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_fee_receipt_lines_receipt_id'), table_name='fee_receipt_lines')
    op.drop_table('fee_receipt_lines')
    op.drop_index(op.f('ix_fee_receipts_notice_id'), table_name='fee_receipts')
    op.drop_index('ix_fee_receipts_day', table_name='fee_receipts')
    op.drop_index('ix_fee_receipts_cashier_day', table_name='fee_receipts')
    op.drop_table('fee_receipts')
    op.drop_index(op.f('ix_fee_notice_lines_notice_id'), table_name='fee_notice_lines')
    op.drop_table('fee_notice_lines')
    op.drop_index(op.f('ix_fee_notices_state'), table_name='fee_notices')
    op.drop_index(op.f('ix_fee_notices_case_no'), table_name='fee_notices')
    op.drop_index(op.f('ix_fee_notices_case_id'), table_name='fee_notices')
    op.drop_table('fee_notices')
    op.drop_index(op.f('ix_fee_items_matter_code'), table_name='fee_items')
    op.drop_table('fee_items')
    op.drop_table('fee_day_closes')
    op.drop_table('fee_accounts')
    op.drop_table('fee_receipt_series')
    op.drop_table('fee_notice_counters')
