"""billing cycles: a run says which cycles it bills; a route may have a monthly and a bimonthly cycle a month

Revision ID: a17b00000005
Revises: a17b00000004
Create Date: 2026-12-02 20:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'a17b00000005'
down_revision = 'a17b00000004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("billing_runs") as batch:
        batch.add_column(sa.Column("cycles", sa.JSON(), nullable=True))
    with op.batch_alter_table("reading_cycles") as batch:
        batch.drop_constraint("uq_reading_cycles_route_id_period", type_="unique")
        batch.create_unique_constraint("uq_reading_cycles_route_id_period_billing_cycle",
                                       ["route_id", "period", "billing_cycle"])


def downgrade():
    with op.batch_alter_table("reading_cycles") as batch:
        batch.drop_constraint("uq_reading_cycles_route_id_period_billing_cycle", type_="unique")
        batch.create_unique_constraint("uq_reading_cycles_route_id_period", ["route_id", "period"])
    with op.batch_alter_table("billing_runs") as batch:
        batch.drop_column("cycles")
