"""journals and the chart of accounts

Revision ID: a15b00000002
Revises: a15b00000001
Create Date: 2026-12-02 12:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a15b00000002'
down_revision = 'a15b00000001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('journal_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('posting_date', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('open', 'exported', name='batchstatus', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('exported_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('exported_by', sa.String(length=120), nullable=True),
    sa.Column('csv_file', sa.LargeBinary(), nullable=True),
    sa.Column('json_file', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journal_batches')),
    sa.UniqueConstraint('posting_date', name=op.f('uq_journal_batches_posting_date'))
    )
    with op.batch_alter_table('journal_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_journal_batches_status'), ['status'], unique=False)

    op.create_table('ledger_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('type', sa.Enum('asset', 'liability', 'equity', 'revenue', 'expense', name='accounttype', native_enum=False, create_constraint=True, length=17), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_accounts')),
    sa.UniqueConstraint('code', name=op.f('uq_ledger_accounts_code'))
    )
    op.create_table('journal_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('source_type', sa.Enum('bill', 'payment', 'write_off', name='sourcetype', native_enum=False, create_constraint=True, length=17), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('event', sa.Enum('invoice', 'credit_note', 'payment', 'reversal', 'write_off', 'write_off_void', name='journalevent', native_enum=False, create_constraint=True, length=22), nullable=False),
    sa.Column('event_on', sa.Date(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('reference', sa.String(length=80), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['journal_batches.id'], name=op.f('fk_journal_entries_batch_id_journal_batches')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_journal_entries_customer_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journal_entries')),
    sa.UniqueConstraint('source_type', 'source_id', 'event', name=op.f('uq_journal_entries_source_type_source_id_event'))
    )
    with op.batch_alter_table('journal_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_journal_entries_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_journal_entries_customer_id'), ['customer_id'], unique=False)

    op.create_table('posting_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('receivables', 'revenue', 'tax', 'misc', 'cash', 'write_off', 'rounding', name='rulekind', native_enum=False, create_constraint=True, length=19), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['ledger_accounts.id'], name=op.f('fk_posting_rules_account_id_ledger_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_posting_rules')),
    sa.UniqueConstraint('kind', 'key', name=op.f('uq_posting_rules_kind_key'))
    )
    with op.batch_alter_table('posting_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_posting_rules_account_id'), ['account_id'], unique=False)

    op.create_table('journal_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('debit', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('credit', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.CheckConstraint('debit >= 0 AND credit >= 0 AND (debit = 0 OR credit = 0)', name=op.f('ck_journal_lines_one_side')),
    sa.ForeignKeyConstraint(['account_id'], ['ledger_accounts.id'], name=op.f('fk_journal_lines_account_id_ledger_accounts')),
    sa.ForeignKeyConstraint(['entry_id'], ['journal_entries.id'], name=op.f('fk_journal_lines_entry_id_journal_entries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journal_lines'))
    )
    with op.batch_alter_table('journal_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_journal_lines_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_journal_lines_entry_id'), ['entry_id'], unique=False)


def downgrade():
    with op.batch_alter_table('journal_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_journal_lines_entry_id'))
        batch_op.drop_index(batch_op.f('ix_journal_lines_account_id'))

    op.drop_table('journal_lines')
    with op.batch_alter_table('posting_rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_posting_rules_account_id'))

    op.drop_table('posting_rules')
    with op.batch_alter_table('journal_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_journal_entries_customer_id'))
        batch_op.drop_index(batch_op.f('ix_journal_entries_batch_id'))

    op.drop_table('journal_entries')
    op.drop_table('ledger_accounts')
    with op.batch_alter_table('journal_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_journal_batches_status'))

    op.drop_table('journal_batches')
