"""inquiry new applicants: no schema change

A new applicant's service point waits in the existing status `planned` (not yet connected; the transition
table already leads it to active or retired), and the new-connection request carries the tariff and power
in its existing columns (requested_tariff, requested_power_va). The search reaches the applicant's point
through customer_requests.customer_id and .service_point_id, both indexed already. So this revision only
keeps its place in the chain.

Revision ID: a17b00000001
Revises: a15b00000004
Create Date: 2026-12-02 17:00:00

"""
revision = 'a17b00000001'
down_revision = 'a15b00000004'
branch_labels = None
depends_on = None


def upgrade():
    pass        # nothing to change: see the docstring


def downgrade():
    pass
