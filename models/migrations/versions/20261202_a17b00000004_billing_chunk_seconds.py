"""billing runs: the seconds per stage of each chunk

Revision ID: a17b00000004
Revises: a17b00000003
Create Date: 2026-12-02 17:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'a17b00000004'
down_revision = 'a17b00000003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("billing_chunks") as batch:
        batch.add_column(sa.Column("seconds", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("billing_chunks") as batch:
        batch.drop_column("seconds")
