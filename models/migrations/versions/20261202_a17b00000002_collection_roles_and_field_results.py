"""collection roles and field results: the cashier and accountant roles

Revision ID: a17b00000002
Revises: a17b00000001
Create Date: 2026-12-02 17:00:00

The crew's results need no schema: a disconnection or reconnection order's end reaches its collection case
through the DebtAction that links them.
"""
import sqlalchemy as sa
from alembic import op

revision = 'a17b00000002'
down_revision = 'a17b00000001'
branch_labels = None
depends_on = None

ROLES = {
    "cashier": "The cashier's counter: posts payments, prints receipts, closes their own day",
    "accountant": "Accounting pages, journal exports, trial balance; reads collection, posts nothing",
}
roles = sa.table("roles", sa.column("id", sa.Integer), sa.column("name", sa.String),
                 sa.column("description", sa.String), sa.column("update_datetime", sa.DateTime(timezone=True)))
roles_users = sa.table("roles_users", sa.column("user_id", sa.Integer), sa.column("role_id", sa.Integer))


def upgrade():
    conn = op.get_bind()
    present = set(conn.scalars(sa.select(roles.c.name).where(roles.c.name.in_(list(ROLES)))))
    for name, text in ROLES.items():
        if name not in present:       # create_user's ensure_roles may have made it first
            op.execute(roles.insert().values(name=name, description=text,
                                             update_datetime=sa.func.current_timestamp()))


def downgrade():
    ids = sa.select(roles.c.id).where(roles.c.name.in_(list(ROLES))).scalar_subquery()
    op.execute(roles_users.delete().where(roles_users.c.role_id.in_(ids)))
    op.execute(roles.delete().where(roles.c.name.in_(list(ROLES))))
