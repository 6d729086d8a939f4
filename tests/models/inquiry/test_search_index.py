"""The demo loader's bulk inserts (models.base.insert_rows, past any session event) still index names and
addresses for the inquiry's search."""
import sqlalchemy as sa

from models.customers.entities import Customer
from models.demo.loader import load_demo_data
from models.inquiry.search import search


def test_bulk_loaded_customers_are_found_by_name(db):
    load_demo_data(db.session, 2, seed=3)
    name = db.session.scalar(sa.select(Customer.name).order_by(Customer.id).limit(1))
    assert name in [m.customer for m in search(db.session, name, "name").matches]
