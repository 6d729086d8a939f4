"""billing follow-ups: bills say whether they rest on an estimate

Revision ID: a13b00000001
Revises: fc7e31ddeef7
Create Date: 2026-12-02 12:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a13b00000001'
down_revision = 'fc7e31ddeef7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('bills', schema=None) as batch_op:
        batch_op.add_column(sa.Column('estimated', sa.Boolean(), server_default=sa.false(), nullable=False))
    # Bills written before: estimated when a line's period ends on an estimate (BillLine.readings JSON).
    bind = op.get_bind()
    lines = sa.table('bill_lines', sa.column('bill_id', sa.Integer), sa.column('readings', sa.JSON))
    bills = sa.table('bills', sa.column('id', sa.Integer), sa.column('estimated', sa.Boolean))
    estimated = {bill_id for bill_id, readings in bind.execute(
                     sa.select(lines.c.bill_id, lines.c.readings).where(lines.c.readings.is_not(None)))
                 if any(isinstance(r, dict) and r.get('current_type') == 'estimated' for r in readings or [])}
    ids = sorted(estimated)
    for start in range(0, len(ids), 1000):
        bind.execute(bills.update().where(bills.c.id.in_(ids[start:start + 1000])).values(estimated=True))


def downgrade():
    with op.batch_alter_table('bills', schema=None) as batch_op:
        batch_op.drop_column('estimated')
