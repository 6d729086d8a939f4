"""inquiry search indexes

Revision ID: a16b00000001
Revises: a13b00000001
Create Date: 2026-12-02 12:40:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = 'a16b00000001'
down_revision = 'a13b00000001'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
