"""readings

Revision ID: c489328d543f
Revises: 6477a7e23fe3
Create Date: 2026-11-28 04:48:14.526068

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c489328d543f'
down_revision = '6477a7e23fe3'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('readings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('register_id', sa.Integer(), nullable=False),
    sa.Column('read_on', sa.Date(), nullable=False),
    sa.Column('value', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('reading_type', sa.Enum('actual', 'estimated', 'customer', 'installation', 'removal', 'control', name='readingtype', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('installation_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=100), nullable=True),
    sa.Column('by', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('value >= 0', name=op.f('ck_readings_value_not_negative')),
    sa.ForeignKeyConstraint(['installation_id'], ['installations.id'], name=op.f('fk_readings_installation_id_installations')),
    sa.ForeignKeyConstraint(['register_id'], ['registers.id'], name=op.f('fk_readings_register_id_registers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_readings')),
    sa.UniqueConstraint('register_id', 'read_on', 'reading_type', name=op.f('uq_readings_register_id_read_on_reading_type'))
    )
    with op.batch_alter_table('readings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_readings_installation_id'), ['installation_id'], unique=False)
        batch_op.create_index('ix_readings_register_date', ['register_id', 'read_on'], unique=False)




def downgrade():

    with op.batch_alter_table('readings', schema=None) as batch_op:
        batch_op.drop_index('ix_readings_register_date')
        batch_op.drop_index(batch_op.f('ix_readings_installation_id'))

    op.drop_table('readings')

