"""tariff schedules, tiers and demand charges

Revision ID: a14b00000001
Revises: a16b00000001
Create Date: 2026-12-02 12:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'a14b00000001'
down_revision = 'a16b00000001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('tariff_rate_structures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('source_uri', sa.String(length=300), nullable=True),
    sa.Column('structure', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['tariff_versions.id'],
                            name=op.f('fk_tariff_rate_structures_version_id_tariff_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tariff_rate_structures')),
    sa.UniqueConstraint('version_id', name=op.f('uq_tariff_rate_structures_version_id'))
    )


def downgrade():
    op.drop_table('tariff_rate_structures')
