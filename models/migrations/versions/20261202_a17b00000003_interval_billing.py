"""interval billing (reserved: empty until its change lands)

Revision ID: a17b00000003
Revises: a17b00000002
Create Date: 2026-12-02 17:00:00

"""
revision = 'a17b00000003'
down_revision = 'a17b00000002'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
