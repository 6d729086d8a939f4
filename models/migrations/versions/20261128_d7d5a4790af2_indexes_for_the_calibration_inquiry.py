"""indexes for the calibration inquiry

Revision ID: d7d5a4790af2
Revises: 265dfc6c4b5d
Create Date: 2026-11-28 04:40:59.662722

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd7d5a4790af2'
down_revision = '265dfc6c4b5d'
branch_labels = None
depends_on = None


def upgrade():

    with op.batch_alter_table('meters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meters_due_store'))
        batch_op.create_index('ix_meters_due_store', ['next_calibration_due', 'store_id', 'status'], unique=False)

    with op.batch_alter_table('registers', schema=None) as batch_op:
        batch_op.create_index('ix_registers_usage_meter', ['usage_type', 'meter_id'], unique=False)




def downgrade():

    with op.batch_alter_table('registers', schema=None) as batch_op:
        batch_op.drop_index('ix_registers_usage_meter')

    with op.batch_alter_table('meters', schema=None) as batch_op:
        batch_op.drop_index('ix_meters_due_store')
        batch_op.create_index(batch_op.f('ix_meters_due_store'), ['next_calibration_due', 'store_id'], unique=False)


