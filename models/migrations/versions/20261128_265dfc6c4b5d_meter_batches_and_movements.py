"""meter batches and movements

Revision ID: 265dfc6c4b5d
Revises: adcb20690f3c
Create Date: 2026-11-28 04:36:05.841673

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '265dfc6c4b5d'
down_revision = 'adcb20690f3c'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('meter_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('prefix', sa.String(length=10), nullable=False),
    sa.Column('first_number', sa.BigInteger(), nullable=False),
    sa.Column('last_number', sa.BigInteger(), nullable=False),
    sa.Column('model_id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('delivery_document', sa.String(length=40), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('registered_by', sa.String(length=255), nullable=False),
    sa.CheckConstraint('last_number >= first_number', name=op.f('ck_meter_batches_range_ordered')),
    sa.ForeignKeyConstraint(['model_id'], ['meter_models.id'], name=op.f('fk_meter_batches_model_id_meter_models')),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_meter_batches_store_id_stores')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meter_batches'))
    )
    op.create_table('meter_movements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meter_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('receive', 'send', 'reject', name='movementkind', native_enum=False, create_constraint=True, length=15), nullable=False),
    sa.Column('from_store_id', sa.Integer(), nullable=True),
    sa.Column('to_store_id', sa.Integer(), nullable=True),
    sa.Column('document_no', sa.String(length=40), nullable=False),
    sa.Column('moved_on', sa.Date(), nullable=False),
    sa.Column('by', sa.String(length=255), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['from_store_id'], ['stores.id'], name=op.f('fk_meter_movements_from_store_id_stores')),
    sa.ForeignKeyConstraint(['meter_id'], ['meters.id'], name=op.f('fk_meter_movements_meter_id_meters'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['to_store_id'], ['stores.id'], name=op.f('fk_meter_movements_to_store_id_stores')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meter_movements'))
    )
    with op.batch_alter_table('meter_movements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meter_movements_from_store_id'), ['from_store_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meter_movements_meter_id'), ['meter_id'], unique=False)
        batch_op.create_index('ix_meter_movements_report', ['moved_on', 'kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_meter_movements_to_store_id'), ['to_store_id'], unique=False)

    with op.batch_alter_table('meters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('batch_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('in_transit_to_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_meters_batch_id'), ['batch_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_meters_batch_id_meter_batches'), 'meter_batches', ['batch_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_meters_in_transit_to_id_stores'), 'stores', ['in_transit_to_id'], ['id'])




def downgrade():

    with op.batch_alter_table('meters', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_meters_in_transit_to_id_stores'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_meters_batch_id_meter_batches'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_meters_batch_id'))
        batch_op.drop_column('in_transit_to_id')
        batch_op.drop_column('batch_id')

    with op.batch_alter_table('meter_movements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meter_movements_to_store_id'))
        batch_op.drop_index('ix_meter_movements_report')
        batch_op.drop_index(batch_op.f('ix_meter_movements_meter_id'))
        batch_op.drop_index(batch_op.f('ix_meter_movements_from_store_id'))

    op.drop_table('meter_movements')
    op.drop_table('meter_batches')

