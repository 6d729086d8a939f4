"""bank statements, suspense, direct-debit mandates and collections

Revision ID: a15b00000004
Revises: a15b00000003
Create Date: 2026-12-02 13:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a15b00000004'
down_revision = 'a15b00000003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('direct_debit_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('message_id', sa.String(length=35), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('total', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('xml', sa.Text(), nullable=True),
    sa.Column('booked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('by', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_direct_debit_batches')),
    sa.UniqueConstraint('due_on', name=op.f('uq_direct_debit_batches_due_on'))
    )
    op.create_table('statement_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('format', sa.Enum('camt053', 'camt054', 'csv', name='statementformat', native_enum=False, create_constraint=True, length=15), nullable=False),
    sa.Column('message_id', sa.String(length=80), nullable=True),
    sa.Column('lines', sa.Integer(), nullable=False),
    sa.Column('posted', sa.Integer(), nullable=False),
    sa.Column('replayed', sa.Integer(), nullable=False),
    sa.Column('suspense', sa.Integer(), nullable=False),
    sa.Column('skipped', sa.Integer(), nullable=False),
    sa.Column('total_posted', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('report', sa.JSON(), nullable=True),
    sa.Column('by', sa.String(length=120), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statement_imports')),
    sa.UniqueConstraint('sha256', name=op.f('uq_statement_imports_sha256'))
    )
    op.create_table('mandates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=35), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('active', 'revoked', name='mandatestatus', native_enum=False, create_constraint=True, length=15), nullable=False),
    sa.Column('revoked_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_mandates_account_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mandates')),
    sa.UniqueConstraint('reference', name=op.f('uq_mandates_reference'))
    )
    with op.batch_alter_table('mandates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mandates_account_id'), ['account_id'], unique=False)

    op.create_table('direct_debit_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('bill_id', sa.Integer(), nullable=False),
    sa.Column('mandate_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('end_to_end_id', sa.String(length=35), nullable=False),
    sa.Column('status', sa.Enum('collected', 'returned', name='debititemstatus', native_enum=False, create_constraint=True, length=17), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=True),
    sa.Column('return_reason', sa.String(length=200), nullable=True),
    sa.CheckConstraint('amount > 0', name=op.f('ck_direct_debit_items_amount_positive')),
    sa.ForeignKeyConstraint(['batch_id'], ['direct_debit_batches.id'], name=op.f('fk_direct_debit_items_batch_id_direct_debit_batches')),
    sa.ForeignKeyConstraint(['bill_id'], ['bills.id'], name=op.f('fk_direct_debit_items_bill_id_bills')),
    sa.ForeignKeyConstraint(['mandate_id'], ['mandates.id'], name=op.f('fk_direct_debit_items_mandate_id_mandates')),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_direct_debit_items_payment_id_payments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_direct_debit_items')),
    sa.UniqueConstraint('end_to_end_id', name=op.f('uq_direct_debit_items_end_to_end_id'))
    )
    with op.batch_alter_table('direct_debit_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_direct_debit_items_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_direct_debit_items_bill_id'), ['bill_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_direct_debit_items_mandate_id'), ['mandate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_direct_debit_items_payment_id'), ['payment_id'], unique=False)

    op.create_table('suspense_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=True),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('bank_reference', sa.String(length=80), nullable=False),
    sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('booked_on', sa.Date(), nullable=False),
    sa.Column('payer', sa.String(length=200), nullable=True),
    sa.Column('payer_account', sa.String(length=40), nullable=True),
    sa.Column('remittance', sa.String(length=500), nullable=True),
    sa.Column('status', sa.Enum('open', 'matched', 'refunded', name='suspensestatus', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('resolved_by', sa.String(length=120), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_suspense_items_amount_positive')),
    sa.ForeignKeyConstraint(['import_id'], ['statement_imports.id'], name=op.f('fk_suspense_items_import_id_statement_imports')),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_suspense_items_payment_id_payments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suspense_items')),
    sa.UniqueConstraint('bank_reference', name=op.f('uq_suspense_items_bank_reference'))
    )
    with op.batch_alter_table('suspense_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_suspense_items_import_id'), ['import_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_suspense_items_payment_id'), ['payment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_suspense_items_status'), ['status'], unique=False)



def downgrade():
    with op.batch_alter_table('suspense_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_suspense_items_status'))
        batch_op.drop_index(batch_op.f('ix_suspense_items_payment_id'))
        batch_op.drop_index(batch_op.f('ix_suspense_items_import_id'))

    op.drop_table('suspense_items')
    with op.batch_alter_table('direct_debit_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_direct_debit_items_payment_id'))
        batch_op.drop_index(batch_op.f('ix_direct_debit_items_mandate_id'))
        batch_op.drop_index(batch_op.f('ix_direct_debit_items_bill_id'))
        batch_op.drop_index(batch_op.f('ix_direct_debit_items_batch_id'))

    op.drop_table('direct_debit_items')
    with op.batch_alter_table('mandates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mandates_account_id'))

    op.drop_table('mandates')
    op.drop_table('statement_imports')
    op.drop_table('direct_debit_batches')
