"""reading validation and anomalies

Hand-reviewed: readings get their consumption and status (existing ones count as valid);
anomalies and per-tariff-class validation rules are new tables.

Revision ID: 2a4e4c48b37d
Revises: c489328d543f
Create Date: 2026-11-28 05:08:40.659891

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2a4e4c48b37d'
down_revision = 'c489328d543f'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('reading_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tariff_class', sa.String(length=10), nullable=False),
    sa.Column('high_factor', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('low_factor', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('stopped_periods', sa.Integer(), nullable=False),
    sa.CheckConstraint('high_factor > 1', name=op.f('ck_reading_rules_high_above_one')),
    sa.CheckConstraint('low_factor >= 0 AND low_factor < 1', name=op.f('ck_reading_rules_low_below_one')),
    sa.CheckConstraint('stopped_periods >= 2', name=op.f('ck_reading_rules_stopped_at_least_two')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reading_rules')),
    sa.UniqueConstraint('tariff_class', name=op.f('uq_reading_rules_tariff_class'))
    )
    op.create_table('reading_anomalies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reading_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.Enum('negative_consumption', 'rollover', 'zero_consumption', 'high_consumption', 'low_consumption', 'meter_stopped', 'no_access', 'meter_damaged', 'tampering_suspected', 'dangerous_dog', name='anomalycode', native_enum=False, create_constraint=True, length=28), nullable=False),
    sa.Column('status', sa.Enum('open', 'follow_up', 'resolved', name='anomalystatus', native_enum=False, create_constraint=True, length=17), nullable=False),
    sa.Column('detail', sa.String(length=300), nullable=True),
    sa.Column('service_order_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['reading_id'], ['readings.id'], name=op.f('fk_reading_anomalies_reading_id_readings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_order_id'], ['service_orders.id'], name=op.f('fk_reading_anomalies_service_order_id_service_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reading_anomalies'))
    )
    with op.batch_alter_table('reading_anomalies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reading_anomalies_reading_id'), ['reading_id'], unique=False)
        batch_op.create_index('ix_reading_anomalies_status_code', ['status', 'code'], unique=False)

    with op.batch_alter_table('readings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consumption', sa.Numeric(precision=18, scale=4), nullable=True))
        batch_op.add_column(sa.Column('status', sa.Enum('valid', 'anomaly', 'superseded', name='readingstatus', native_enum=False, create_constraint=True, length=18), nullable=False,
                                      server_default='valid'))  # existing readings were all taken as valid




def downgrade():

    with op.batch_alter_table('readings', schema=None) as batch_op:
        batch_op.drop_column('status')
        batch_op.drop_column('consumption')

    with op.batch_alter_table('reading_anomalies', schema=None) as batch_op:
        batch_op.drop_index('ix_reading_anomalies_status_code')
        batch_op.drop_index(batch_op.f('ix_reading_anomalies_reading_id'))

    op.drop_table('reading_anomalies')
    op.drop_table('reading_rules')

