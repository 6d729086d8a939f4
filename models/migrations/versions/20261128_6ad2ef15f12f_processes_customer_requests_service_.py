"""processes, customer requests, service orders

Hand-reviewed: process definitions/instances/human tasks/status history for the BPMN engine,
the customer request and the minimal service order it creates.

Revision ID: 6ad2ef15f12f
Revises: 403a861f1513
Create Date: 2026-11-28 04:11:36.375072

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6ad2ef15f12f'
down_revision = '403a861f1513'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('process_definitions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('bpmn_process_id', sa.String(length=200), nullable=False),
    sa.Column('bpmn_xml', sa.Text(), nullable=False),
    sa.Column('checksum', sa.String(length=64), nullable=False),
    sa.Column('deployed_by', sa.String(length=255), nullable=False),
    sa.Column('deployed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_process_definitions')),
    sa.UniqueConstraint('key', 'version', name=op.f('uq_process_definitions_key_version'))
    )
    with op.batch_alter_table('process_definitions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_process_definitions_checksum'), ['checksum'], unique=False)
        batch_op.create_index(batch_op.f('ix_process_definitions_key'), ['key'], unique=False)

    op.create_table('process_instances',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('definition_id', sa.Integer(), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=True),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('running', 'completed', 'error', 'suspended', 'cancelled', name='instancestatus', native_enum=False, create_constraint=True, length=17), nullable=False),
    sa.Column('state', sa.Text(), nullable=False),
    sa.Column('serializer_version', sa.String(length=20), nullable=False),
    sa.Column('current_activity', sa.String(length=200), nullable=True),
    sa.Column('waiting_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('next_timer_due', sa.DateTime(timezone=True), nullable=True),
    sa.Column('waiting_messages', sa.JSON(), nullable=False),
    sa.Column('error_message', sa.Text(), nullable=True),
    sa.Column('error_element', sa.String(length=200), nullable=True),
    sa.Column('started_by', sa.String(length=255), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('lock_version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['definition_id'], ['process_definitions.id'], name=op.f('fk_process_instances_definition_id_process_definitions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_process_instances'))
    )
    with op.batch_alter_table('process_instances', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_process_instances_definition_id'), ['definition_id'], unique=False)
        batch_op.create_index('ix_process_instances_object', ['object_type', 'object_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_process_instances_status'), ['status'], unique=False)
        batch_op.create_index('ix_process_instances_timer', ['status', 'next_timer_due'], unique=False)

    op.create_table('human_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('spiff_task_id', sa.String(length=36), nullable=False),
    sa.Column('bpmn_id', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('process_key', sa.String(length=80), nullable=False),
    sa.Column('lane', sa.String(length=100), nullable=True),
    sa.Column('role', sa.String(length=80), nullable=False),
    sa.Column('state', sa.Enum('open', 'completed', 'cancelled', name='taskstate', native_enum=False, create_constraint=True, length=17), nullable=False),
    sa.Column('priority', sa.SmallInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('claimed_by_id', sa.Integer(), nullable=True),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_by_id', sa.Integer(), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('form_data', sa.JSON(), nullable=True),
    sa.Column('object_type', sa.String(length=40), nullable=True),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('object_label', sa.String(length=200), nullable=True),
    sa.Column('customer_name', sa.String(length=200), nullable=True),
    sa.Column('spn', sa.String(length=20), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('lock_version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['claimed_by_id'], ['users.id'], name=op.f('fk_human_tasks_claimed_by_id_users')),
    sa.ForeignKeyConstraint(['completed_by_id'], ['users.id'], name=op.f('fk_human_tasks_completed_by_id_users')),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instances.id'], name=op.f('fk_human_tasks_instance_id_process_instances'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_human_tasks')),
    sa.UniqueConstraint('instance_id', 'spiff_task_id', name=op.f('uq_human_tasks_instance_id_spiff_task_id'))
    )
    with op.batch_alter_table('human_tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_human_tasks_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_human_tasks_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_human_tasks_process_key'), ['process_key'], unique=False)
        batch_op.create_index('ix_human_tasks_queue', ['state', 'role', 'claimed_by_id'], unique=False)

    op.create_table('status_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.String(length=40), nullable=True),
    sa.Column('to_status', sa.String(length=40), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('by', sa.String(length=255), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instances.id'], name=op.f('fk_status_changes_instance_id_process_instances'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_status_changes'))
    )
    with op.batch_alter_table('status_changes', schema=None) as batch_op:
        batch_op.create_index('ix_status_changes_object', ['object_type', 'object_id', 'at'], unique=False)

    op.create_table('customer_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('request_type', sa.Enum('new_connection', 'power_change', 'tariff_change', 'contract_change', 'termination', 'complaint', name='requesttype', native_enum=False, create_constraint=True, length=23), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('service_point_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.Enum('counter', 'phone', 'web', 'email', 'letter', 'field', name='channel', native_enum=False, create_constraint=True, length=15), nullable=False),
    sa.Column('registered_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('registered', 'technical_review', 'survey', 'awaiting_approval', 'approved', 'rejected', 'awaiting_payment', 'installation', 'activation', 'completed', 'cancelled', 'investigation', 'response', 'closed', name='requeststatus', native_enum=False, create_constraint=True, length=25), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('requested_power_va', sa.Integer(), nullable=True),
    sa.Column('requested_tariff', sa.String(length=40), nullable=True),
    sa.Column('fee_amount', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('resolution', sa.Text(), nullable=True),
    sa.Column('registered_by', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('customer_id IS NOT NULL OR service_point_id IS NOT NULL', name=op.f('ck_customer_requests_has_subject')),
    sa.CheckConstraint('fee_amount IS NULL OR fee_amount >= 0', name=op.f('ck_customer_requests_fee_not_negative')),
    sa.CheckConstraint('requested_power_va IS NULL OR requested_power_va > 0', name=op.f('ck_customer_requests_power_positive')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_customer_requests_customer_id_customers')),
    sa.ForeignKeyConstraint(['service_point_id'], ['service_points.id'], name=op.f('fk_customer_requests_service_point_id_service_points')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_requests')),
    sa.UniqueConstraint('number', name=op.f('uq_customer_requests_number'))
    )
    with op.batch_alter_table('customer_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customer_requests_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_customer_requests_request_type'), ['request_type'], unique=False)
        batch_op.create_index(batch_op.f('ix_customer_requests_service_point_id'), ['service_point_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_customer_requests_status'), ['status'], unique=False)

    op.create_table('service_orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('order_type', sa.Enum('survey', 'installation', 'removal', 'meter_change', 'disconnection', 'reconnection', 'inspection', name='serviceordertype', native_enum=False, create_constraint=True, length=21), nullable=False),
    sa.Column('status', sa.Enum('created', 'assigned', 'in_progress', 'completed', 'cancelled', 'failed', name='serviceorderstatus', native_enum=False, create_constraint=True, length=19), nullable=False),
    sa.Column('service_point_id', sa.Integer(), nullable=True),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('crew', sa.String(length=100), nullable=True),
    sa.Column('created_on', sa.Date(), nullable=False),
    sa.Column('planned_on', sa.Date(), nullable=True),
    sa.Column('actual_on', sa.Date(), nullable=True),
    sa.Column('result', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('actual_on IS NULL OR actual_on >= created_on', name=op.f('ck_service_orders_dates_ordered')),
    sa.ForeignKeyConstraint(['request_id'], ['customer_requests.id'], name=op.f('fk_service_orders_request_id_customer_requests')),
    sa.ForeignKeyConstraint(['service_point_id'], ['service_points.id'], name=op.f('fk_service_orders_service_point_id_service_points')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_orders')),
    sa.UniqueConstraint('number', name=op.f('uq_service_orders_number'))
    )
    with op.batch_alter_table('service_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_orders_order_type'), ['order_type'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_orders_request_id'), ['request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_orders_service_point_id'), ['service_point_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_orders_status'), ['status'], unique=False)



def downgrade():
    with op.batch_alter_table('service_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_orders_status'))
        batch_op.drop_index(batch_op.f('ix_service_orders_service_point_id'))
        batch_op.drop_index(batch_op.f('ix_service_orders_request_id'))
        batch_op.drop_index(batch_op.f('ix_service_orders_order_type'))

    op.drop_table('service_orders')
    with op.batch_alter_table('customer_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customer_requests_status'))
        batch_op.drop_index(batch_op.f('ix_customer_requests_service_point_id'))
        batch_op.drop_index(batch_op.f('ix_customer_requests_request_type'))
        batch_op.drop_index(batch_op.f('ix_customer_requests_customer_id'))

    op.drop_table('customer_requests')
    with op.batch_alter_table('status_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_status_changes_object')

    op.drop_table('status_changes')
    with op.batch_alter_table('human_tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_human_tasks_queue')
        batch_op.drop_index(batch_op.f('ix_human_tasks_process_key'))
        batch_op.drop_index(batch_op.f('ix_human_tasks_instance_id'))
        batch_op.drop_index(batch_op.f('ix_human_tasks_created_at'))

    op.drop_table('human_tasks')
    with op.batch_alter_table('process_instances', schema=None) as batch_op:
        batch_op.drop_index('ix_process_instances_timer')
        batch_op.drop_index(batch_op.f('ix_process_instances_status'))
        batch_op.drop_index('ix_process_instances_object')
        batch_op.drop_index(batch_op.f('ix_process_instances_definition_id'))

    op.drop_table('process_instances')
    with op.batch_alter_table('process_definitions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_process_definitions_key'))
        batch_op.drop_index(batch_op.f('ix_process_definitions_checksum'))

    op.drop_table('process_definitions')
