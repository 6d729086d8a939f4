"""payments, their allocations to bills, cashier days

Revision ID: a15b00000001
Revises: a14b00000001
Create Date: 2026-12-02 12:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a15b00000001'
down_revision = 'a14b00000001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cashier_days',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cashier', sa.String(length=120), nullable=False),
    sa.Column('business_day', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('open', 'closed', name='cashierdaystatus', native_enum=False, create_constraint=True, length=14), nullable=False),
    sa.Column('expected', sa.JSON(), nullable=True),
    sa.Column('counted', sa.JSON(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cashier_days')),
    sa.UniqueConstraint('cashier', 'business_day', name=op.f('uq_cashier_days_cashier_business_day'))
    )
    op.create_table('payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.Enum('cashier', 'bank_transfer', 'partner', 'direct_debit', name='paymentchannel', native_enum=False, create_constraint=True, length=21), nullable=False),
    sa.Column('method', sa.Enum('cash', 'card', 'qris', 'transfer', 'debit', name='paymentmethod', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('reference', sa.String(length=80), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('posted', 'reversed', name='paymentstatus', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('payer', sa.String(length=200), nullable=True),
    sa.Column('named_bill_id', sa.Integer(), nullable=True),
    sa.Column('idempotency_key', sa.String(length=100), nullable=True),
    sa.Column('request_hash', sa.String(length=64), nullable=True),
    sa.Column('cashier_day_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('by', sa.String(length=120), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reversed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reversal_reason', sa.String(length=500), nullable=True),
    sa.CheckConstraint('amount > 0', name=op.f('ck_payments_amount_positive')),
    sa.ForeignKeyConstraint(['cashier_day_id'], ['cashier_days.id'], name=op.f('fk_payments_cashier_day_id_cashier_days')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_payments_customer_id_customers')),
    sa.ForeignKeyConstraint(['named_bill_id'], ['bills.id'], name=op.f('fk_payments_named_bill_id_bills')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payments')),
    sa.UniqueConstraint('channel', 'reference', name=op.f('uq_payments_channel_reference')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_payments_idempotency_key'))
    )
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payments_cashier_day_id'), ['cashier_day_id'], unique=False)
        batch_op.create_index('ix_payments_customer_id_paid_on', ['customer_id', 'paid_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_payments_named_bill_id'), ['named_bill_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payments_status'), ['status'], unique=False)

    op.create_table('payment_allocations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=False),
    sa.Column('bill_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('allocated_on', sa.Date(), nullable=False),
    sa.Column('allocated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('released_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('amount > 0', name=op.f('ck_payment_allocations_amount_positive')),
    sa.ForeignKeyConstraint(['bill_id'], ['bills.id'], name=op.f('fk_payment_allocations_bill_id_bills')),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_payment_allocations_payment_id_payments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_allocations'))
    )
    with op.batch_alter_table('payment_allocations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_allocations_bill_id'), ['bill_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_allocations_payment_id'), ['payment_id'], unique=False)
    op.create_table('write_offs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bill_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('written_off_on', sa.Date(), nullable=False),
    sa.Column('by', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_write_offs_amount_positive')),
    sa.ForeignKeyConstraint(['bill_id'], ['bills.id'], name=op.f('fk_write_offs_bill_id_bills')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_write_offs'))
    )
    with op.batch_alter_table('write_offs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_write_offs_bill_id'), ['bill_id'], unique=False)


def downgrade():
    with op.batch_alter_table('write_offs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_write_offs_bill_id'))

    op.drop_table('write_offs')
    with op.batch_alter_table('payment_allocations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_allocations_payment_id'))
        batch_op.drop_index(batch_op.f('ix_payment_allocations_bill_id'))

    op.drop_table('payment_allocations')
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payments_status'))
        batch_op.drop_index(batch_op.f('ix_payments_named_bill_id'))
        batch_op.drop_index('ix_payments_customer_id_paid_on')
        batch_op.drop_index(batch_op.f('ix_payments_cashier_day_id'))

    op.drop_table('payments')
    op.drop_table('cashier_days')
