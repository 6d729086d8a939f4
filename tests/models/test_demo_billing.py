"""The demo's billed history carries what billing must explain: a meter change and a power change inside the
billed month, misc charges. One small demo (120 service points) billed for its last month."""
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from models.audit.recorder import Actor
from models.billing.entities import Bill, BillLine, MiscCharge
from models.billing.runs import bill_chunk, pending_chunks, start_billing_run
from models.contracts.entities import Contract, ContractVersion
from models.demo import events
from models.demo.loader import load_demo_data
from models.meters.entities import Installation, MeterMovement
from models.premises.entities import ServicePoint
from models.readings.entities import Reading, ReadingType

AS_OF = date(2026, 11, 20)
PERIOD = date(2026, 10, 1)


@pytest.fixture
def billed(db, make):
    counts = load_demo_data(db.session, 120, seed=2, as_of=AS_OF, months=2)
    from models.audit.recorder import acting_as
    with acting_as(Actor(None, "test")):
        run = start_billing_run(db.session, PERIOD)
        for chunk_id in pending_chunks(db.session, run.id):
            bill_chunk(db.session, chunk_id)
    return counts


def _bill_of(db, spn):
    return db.session.scalar(sa.select(Bill).join(Contract, Contract.id == Bill.contract_id)
                             .join(ServicePoint, ServicePoint.id == Contract.service_point_id)
                             .where(ServicePoint.spn == spn, Bill.period == PERIOD))


def test_a_demo_bill_has_the_meter_change_pair_of_lines(db, billed):
    documents = db.session.scalars(sa.select(MeterMovement.document_no)
                                   .where(MeterMovement.document_no.like(f"{events.DEMO_METER_CHANGE} %"))).all()
    assert 1 <= len(documents) <= events.HANDFUL
    spn = documents[0].removeprefix(f"{events.DEMO_METER_CHANGE} ")
    bill = _bill_of(db, spn)
    energy = [line for line in bill.lines if line.readings and line.kind == "energy"]
    meters = {r["meter"] for line in energy for r in line.readings}
    assert len(meters) == 2       # the old meter to its removal reading, the new one from its installation
    kinds = {(r["previous_type"], r["current_type"]) for line in energy for r in line.readings}
    assert ("actual", "removal") in kinds and ("installation", "actual") in kinds


def test_a_demo_bill_prorates_the_power_change(db, billed):
    assert billed["power_changes"] >= 1
    contract_id = db.session.scalar(sa.select(ContractVersion.contract_id)
                                    .where(ContractVersion.change_reason == events.DEMO_POWER_CHANGE))
    changed_on = db.session.scalar(sa.select(ContractVersion.valid_from)
                                   .where(ContractVersion.change_reason == events.DEMO_POWER_CHANGE))
    bill = db.session.scalar(sa.select(Bill).where(Bill.contract_id == contract_id, Bill.period == PERIOD))
    energy = sorted((line for line in bill.lines if line.kind == "energy"), key=lambda line: line.covers_from)
    # each part priced on its own version, the parts meeting on the change day and covering the period
    assert [(e.covers_from, e.covers_to) for e in energy] == [(bill.period_start, changed_on),
                                                              (changed_on, bill.period_end)]


def test_demo_misc_charges_are_lines_of_the_next_bill(db, billed):
    charges = db.session.scalars(sa.select(MiscCharge)).all()
    assert {c.reason for c in charges} == {events.DEMO_METER_TEST, events.DEMO_RECONNECTION}
    assert all(c.bill_id for c in charges)
    line = db.session.scalar(sa.select(BillLine).where(BillLine.bill_id == charges[0].bill_id,
                                                       BillLine.amount == charges[0].amount))
    assert line is not None and line.kind == "misc_charge" and line.amount in (Decimal("75000"), Decimal("100000"))


def test_every_demo_contract_has_a_meter_for_its_billed_month(db, billed):
    assert not db.session.scalar(sa.select(sa.func.count()).select_from(Bill).where(Bill.period != PERIOD))
    errors = db.session.scalar(sa.text("SELECT count(*) FROM billing_chunks WHERE errors IS NOT NULL"))
    assert errors == 0
    removals = db.session.scalar(sa.select(sa.func.count()).where(Reading.reading_type == ReadingType.REMOVAL))
    assert removals == db.session.scalar(sa.select(sa.func.count()).where(Installation.removed_on.is_not(None)))
