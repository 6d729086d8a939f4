"""indexes on reading references (deleting a reading must not scan every reading for SET NULL)

Revision ID: 0ffa262bfe23
Revises: 2942f134d381
Create Date: 2026-11-28 06:37:25.698299

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0ffa262bfe23'
down_revision = '2942f134d381'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('reading_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reading_orders_reading_id'), ['reading_id'], unique=False)

    with op.batch_alter_table('readings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_readings_superseded_by_id'), ['superseded_by_id'], unique=False)
        # the unique (register_id, read_on, reading_type) index serves these lookups already
        batch_op.drop_index('ix_readings_register_date')



def downgrade():
    with op.batch_alter_table('readings', schema=None) as batch_op:
        batch_op.create_index('ix_readings_register_date', ['register_id', 'read_on'], unique=False)
        batch_op.drop_index(batch_op.f('ix_readings_superseded_by_id'))

    with op.batch_alter_table('reading_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reading_orders_reading_id'))

