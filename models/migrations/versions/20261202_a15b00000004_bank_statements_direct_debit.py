"""bank statements, suspense, direct-debit mandates and collections

Revision ID: a15b00000004
Revises: a15b00000003
Create Date: 2026-12-02 13:10:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = 'a15b00000004'
down_revision = 'a15b00000003'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
