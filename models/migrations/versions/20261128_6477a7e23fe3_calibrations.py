"""calibrations

Revision ID: 6477a7e23fe3
Revises: d7d5a4790af2
Create Date: 2026-11-28 04:46:41.910203

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6477a7e23fe3'
down_revision = 'd7d5a4790af2'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('calibrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meter_id', sa.Integer(), nullable=False),
    sa.Column('tested_on', sa.Date(), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('certificate', sa.String(length=60), nullable=True),
    sa.Column('next_due', sa.Date(), nullable=True),
    sa.Column('remarks', sa.String(length=500), nullable=True),
    sa.Column('by', sa.String(length=255), nullable=False),
    sa.CheckConstraint('NOT passed OR certificate IS NOT NULL', name=op.f('ck_calibrations_certificate_when_passed')),
    sa.ForeignKeyConstraint(['meter_id'], ['meters.id'], name=op.f('fk_calibrations_meter_id_meters'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calibrations'))
    )
    with op.batch_alter_table('calibrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calibrations_meter_id'), ['meter_id'], unique=False)




def downgrade():

    with op.batch_alter_table('calibrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calibrations_meter_id'))

    op.drop_table('calibrations')

