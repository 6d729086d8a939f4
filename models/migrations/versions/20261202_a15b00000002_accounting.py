"""journals and the chart of accounts

Revision ID: a15b00000002
Revises: a15b00000001
Create Date: 2026-12-02 12:40:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = 'a15b00000002'
down_revision = 'a15b00000001'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
