"""dunning, arrangements, penalties, protected service points

Revision ID: a15b00000003
Revises: a15b00000002
Create Date: 2026-12-02 13:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a15b00000003'
down_revision = 'a15b00000002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('payment_arrangements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('active', 'completed', 'broken', name='arrangementstatus', native_enum=False, create_constraint=True, length=17), nullable=False),
    sa.Column('bill_ids', sa.JSON(), nullable=False),
    sa.Column('total', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('down_payment', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('created_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('by', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('down_payment >= 0', name=op.f('ck_payment_arrangements_down_payment_not_negative')),
    sa.CheckConstraint('total > 0', name=op.f('ck_payment_arrangements_total_positive')),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_payment_arrangements_contract_id_contracts')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_payment_arrangements_customer_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_arrangements'))
    )
    with op.batch_alter_table('payment_arrangements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_arrangements_contract_id'), ['contract_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_arrangements_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_arrangements_status'), ['status'], unique=False)
    op.create_table('arrangement_instalments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('arrangement_id', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.SmallInteger(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('met_on', sa.Date(), nullable=True),
    sa.CheckConstraint('amount > 0', name=op.f('ck_arrangement_instalments_amount_positive')),
    sa.ForeignKeyConstraint(['arrangement_id'], ['payment_arrangements.id'], name=op.f('fk_arrangement_instalments_arrangement_id_payment_arrangements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_arrangement_instalments')),
    sa.UniqueConstraint('arrangement_id', 'sequence', name=op.f('uq_arrangement_instalments_arrangement_id_sequence'))
    )
    with op.batch_alter_table('arrangement_instalments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_arrangement_instalments_arrangement_id'), ['arrangement_id'], unique=False)
    op.create_table('debt_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('reminder', 'warning', 'disconnection', 'reconnection', 'protected', name='debtactionkind', native_enum=False, create_constraint=True, length=21), nullable=False),
    sa.Column('channel', sa.Enum('letter', 'sms', name='debtchannel', native_enum=False, create_constraint=True, length=14), nullable=True),
    sa.Column('service_point_id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('service_order_id', sa.Integer(), nullable=True),
    sa.Column('bill_ids', sa.JSON(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('created_on', sa.Date(), nullable=False),
    sa.Column('by', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_debt_actions_contract_id_contracts')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_debt_actions_customer_id_customers')),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instances.id'], name=op.f('fk_debt_actions_instance_id_process_instances'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['service_order_id'], ['service_orders.id'], name=op.f('fk_debt_actions_service_order_id_service_orders')),
    sa.ForeignKeyConstraint(['service_point_id'], ['service_points.id'], name=op.f('fk_debt_actions_service_point_id_service_points')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_debt_actions'))
    )
    with op.batch_alter_table('debt_actions', schema=None) as batch_op:
        batch_op.create_index('ix_debt_actions_contract_id_created_on', ['contract_id', 'created_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_debt_actions_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_debt_actions_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_debt_actions_service_order_id'), ['service_order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_debt_actions_service_point_id'), ['service_point_id'], unique=False)
    op.create_table('late_penalties',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bill_id', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=40), nullable=False),
    sa.Column('contract_version_id', sa.Integer(), nullable=False),
    sa.Column('percent', sa.Numeric(precision=18, scale=6), nullable=False),
    sa.Column('base', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('misc_charge_id', sa.Integer(), nullable=False),
    sa.Column('posted_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bill_id'], ['bills.id'], name=op.f('fk_late_penalties_bill_id_bills')),
    sa.ForeignKeyConstraint(['contract_version_id'], ['contract_versions.id'], name=op.f('fk_late_penalties_contract_version_id_contract_versions')),
    sa.ForeignKeyConstraint(['misc_charge_id'], ['misc_charges.id'], name=op.f('fk_late_penalties_misc_charge_id_misc_charges')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_late_penalties')),
    sa.UniqueConstraint('bill_id', 'rule', name=op.f('uq_late_penalties_bill_id_rule'))
    )
    with op.batch_alter_table('late_penalties', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_late_penalties_misc_charge_id'), ['misc_charge_id'], unique=False)
    with op.batch_alter_table('service_points', schema=None) as batch_op:
        batch_op.add_column(sa.Column('protected', sa.Enum('life_support', 'hospital', 'state_institution', name='protection', native_enum=False, create_constraint=True, length=25), nullable=True))


def downgrade():
    with op.batch_alter_table('service_points', schema=None) as batch_op:
        # The enum's CHECK names the column: SQLite's table copy would keep it without the column.
        batch_op.drop_constraint(op.f('ck_service_points_protection'), type_='check')
        batch_op.drop_column('protected')
    with op.batch_alter_table('late_penalties', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_late_penalties_misc_charge_id'))
    op.drop_table('late_penalties')
    with op.batch_alter_table('debt_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_debt_actions_service_point_id'))
        batch_op.drop_index(batch_op.f('ix_debt_actions_service_order_id'))
        batch_op.drop_index(batch_op.f('ix_debt_actions_instance_id'))
        batch_op.drop_index(batch_op.f('ix_debt_actions_customer_id'))
        batch_op.drop_index('ix_debt_actions_contract_id_created_on')
    op.drop_table('debt_actions')
    with op.batch_alter_table('arrangement_instalments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_arrangement_instalments_arrangement_id'))
    op.drop_table('arrangement_instalments')
    with op.batch_alter_table('payment_arrangements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_arrangements_status'))
        batch_op.drop_index(batch_op.f('ix_payment_arrangements_customer_id'))
        batch_op.drop_index(batch_op.f('ix_payment_arrangements_contract_id'))
    op.drop_table('payment_arrangements')
