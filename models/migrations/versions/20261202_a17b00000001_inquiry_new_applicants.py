"""inquiry new applicants (reserved: empty until its change lands)

Revision ID: a17b00000001
Revises: a15b00000004
Create Date: 2026-12-02 17:00:00

"""
revision = 'a17b00000001'
down_revision = 'a15b00000004'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
