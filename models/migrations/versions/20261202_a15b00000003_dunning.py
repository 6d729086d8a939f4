"""dunning, arrangements, penalties, protected service points

Revision ID: a15b00000003
Revises: a15b00000002
Create Date: 2026-12-02 13:10:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = 'a15b00000003'
down_revision = 'a15b00000002'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
