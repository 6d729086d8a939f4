"""The inquiry's search paths and sections on real rows."""
from datetime import date
from decimal import Decimal

import pytest

from models.billing.entities import Bill, BillStatus
from models.contacts.entities import ContactOutcome
from models.contacts.operations import add_service_note, log_contact
from models.customers.entities import BankAccount, IdentityDocumentType, PaymentMethod
from models.errors import DomainError
from models.inquiry import overview
from models.inquiry.search import LIMIT, paths_for, search
from models.inquiry.words import fold, rebuild_search_words
from models.premises.entities import Property, ServicePoint
from models.requests.entities import RequestType
from models.requests.operations import register_request


@pytest.fixture
def point(make, db):
    customer = make.customer(name="Siti Nurhaliza Rahayu", phone="081234567890")
    make.identity_document(customer, number="3171012345678901")
    account = make.account(customer, payment_method=PaymentMethod.DIRECT_DEBIT)
    db.session.add(BankAccount(account=account, bank="BCA", number="1234567890", holder=customer.name))
    sp = make.service_point(spn="BDG90000001")
    sp.property.address = "Jl. Cihampelas 42"
    from models.contracts.operations import open_contract
    contract = open_contract(db.session, sp, account, "519000000001", make.tariff(code="R-1/TR 1300"), 1300,
                             date(2020, 1, 1))
    meter = make.installed_meter(contract, date(2020, 1, 1), number="MTR-77001")
    db.session.commit()
    return contract, meter


def spns(result):
    return [m.spn for m in result.matches]


def test_every_number_path_finds_the_point(point):
    contract, _ = point
    from models.base import db
    for term in ("BDG90000001", "BDG90000001/1", "519000000001", "MTR-77001", "3171012345678901",
                 "1234567890", "081234567890", "+6281234567890"):
        result = search(db.session, term)
        assert spns(result) == ["BDG90000001"], term
    assert search(db.session, "BDG90000001/2").matches == []
    assert spns(search(db.session, "MTR-77001", "meter", brand="itron")) == ["BDG90000001"]
    assert search(db.session, "MTR-77001", "meter", brand="Landis").matches == []
    assert spns(search(db.session, "3171012345678901", "identity",
                       doc_type=IdentityDocumentType.NATIONAL_ID.value)) == ["BDG90000001"]


def test_masked_numbers_match_only_whole(point, db):
    assert search(db.session, "317101234567", "identity").matches == []
    assert search(db.session, "123456", "bank_account").matches == []
    assert spns(search(db.session, "BDG9000", "spn")) == ["BDG90000001"]     # an SPN may be a prefix


def test_names_and_addresses_match_partially_in_any_case_and_accent(point, db):
    assert spns(search(db.session, "siti rahay")) == ["BDG90000001"]
    assert spns(search(db.session, "NURHALÍZA")) == ["BDG90000001"]
    assert spns(search(db.session, "cihampelas 42", "address")) == ["BDG90000001"]
    assert search(db.session, "siti budi").matches == []
    match = search(db.session, "rahayu").matches[0]
    assert (match.customer, match.tariff, match.power_va, match.meter) == (
        "Siti Nurhaliza Rahayu", "R-1/TR 1300", 1300, "MTR-77001")


def test_whole_words_rank_first(make, db):
    make.contract(service_point=make.service_point(spn="BDG90000011"), tariff=None)
    first = make.customer(name="Budiman Santoso")
    second = make.customer(name="Budi Santoso")
    for spn, customer in (("BDG90000012", first), ("BDG90000013", second)):
        from models.contracts.operations import open_contract
        open_contract(db.session, make.service_point(spn=spn), make.account(customer), spn[-6:] + "000000",
                      make.tariff(), 900, date(2021, 1, 1))
    db.session.commit()
    assert spns(search(db.session, "budi santoso")) == ["BDG90000013", "BDG90000012"]


def test_renamed_customers_and_bulk_rows_are_indexed(point, db):
    contract, _ = point
    contract.account.customer.name = "Dewi Lestari"
    db.session.commit()
    assert search(db.session, "siti").matches == []
    assert spns(search(db.session, "lestari")) == ["BDG90000001"]
    assert rebuild_search_words(db.session) > 0
    assert spns(search(db.session, "dewi")) == ["BDG90000001"]


def test_shapes_and_refusals(db):
    assert paths_for("INV-2026-0000001") == ["bill"]
    assert paths_for("Siti")[0] == "name"
    assert paths_for("081234567890")[0] == "phone"
    assert fold("Ñoño ÅSTRÖM") == "nono astrom"
    with pytest.raises(DomainError):
        search(db.session, "x" * 201)
    with pytest.raises(DomainError):
        search(db.session, "x", "nope")
    assert search(db.session, "   ").matches == []


def test_more_than_the_limit_says_so(make, db):
    prop = db.session.get(Property, make.service_point().property_id)
    prop.address = "Jl. Panjang 1"
    db.session.add_all(ServicePoint(spn=f"LIM{n:08d}", property=prop, created_on=date(2020, 1, 1))
                       for n in range(LIMIT + 1))
    db.session.commit()
    result = search(db.session, "panjang", "address")
    assert len(result.matches) == LIMIT and result.truncated


def test_header_alerts_and_sections(point, db, make):
    contract, meter = point
    sp = contract.service_point
    register_request(db.session, RequestType.COMPLAINT, service_point_id=sp.id, description="meter noisy")
    for day in (date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)):
        make.reading(meter, day, "0", reading_type="estimated")
    log_contact(db.session, sp, channel="phone", reason="bill_question", text="asked about May",
                outcome=ContactOutcome.ANSWERED)
    add_service_note(db.session, sp, "dog in the yard")
    db.session.add(Bill(contract_id=contract.id, service_point_id=sp.id, account_id=contract.account_id,
                        period=date(2024, 2, 1), period_start=date(2024, 2, 1), period_end=date(2024, 3, 1),
                        tariff_code="R-1/TR 1300", tariff_class="R-1", power_va=1300, kwh=Decimal("120"),
                        subtotal=Decimal("173364"), taxes=Decimal("0"), total=Decimal("173364"),
                        status=BillStatus.ISSUED, number="INV-2024-0000009", issued_on=date(2024, 3, 2)))
    db.session.commit()
    h = overview.header(db.session, "BDG90000001")
    kinds = {a["kind"]: a["text"] for a in h["alerts"]}
    assert kinds["complaint"] == "1 open complaint(s)"
    assert kinds["estimates"] == "3 estimated readings in a row"
    assert h["debt"].total == Decimal("173364") and h["customer"].name == "Siti Nurhaliza Rahayu"
    general = overview.section(db.session, "BDG90000001", "general")
    assert (general["contacts"], general["notes"][0].text, general["terms"].contracted_power_va) == (
        1, "dog in the yard", 1300)
    invoices = overview.section(db.session, "BDG90000001", "invoices")
    assert [b.total for b in invoices["bills"]] == [Decimal("173364")]
    assert [(p.outstanding, p.payments) for p in invoices["payments"].values()] == [(Decimal("173364"), [])]
    devices = overview.section(db.session, "BDG90000001", "devices")
    assert [i.meter.number for i in devices["current_meters"]] == ["MTR-77001"]
    assert len(devices["readings"]) == 4          # the installation reading and three estimates
    usage = overview.section(db.session, "BDG90000001", "billed_usage")
    assert [(b.kwh, b.number) for b in usage["bills"]] == [(Decimal("120"), "INV-2024-0000009")]
    requests = overview.section(db.session, "BDG90000001", "requests")
    (item, changes, _), = requests["requests"]
    assert item.request_type is RequestType.COMPLAINT and [c.to_status for c in changes] == ["registered"]
    customer = overview.section(db.session, "BDG90000001", "customer")
    assert [[s.spn for s in services] for _, services in customer["accounts"]] == [["BDG90000001"]]
    assert overview.section(db.session, "BDG90000001", "debt")["debt"].total == Decimal("173364")
    events = overview.timeline(db.session, sp)
    assert {e["kind"] for e in events} >= {"bill", "reading", "contact", "request", "note"}
    assert {e["kind"] for e in overview.timeline(db.session, sp, {"note"})} == {"note"}


def test_a_contact_needs_text_and_known_choices(point, db):
    sp = point[0].service_point
    with pytest.raises(DomainError, match="write what was said"):
        log_contact(db.session, sp, channel="phone", reason="other", text="  ")
    with pytest.raises(DomainError, match="choose one of"):
        log_contact(db.session, sp, channel="pigeon", reason="other", text="hi")


def test_core_bulk_inserts_are_indexed_like_the_demo_loader(make, db):
    import sqlalchemy as sa

    from models.customers.entities import Account, Customer
    sp = make.service_point(spn="BDG90000031")
    created_at = make.customer().created_at
    next_id = (db.session.scalar(sa.select(sa.func.max(Customer.id))) or 0) + 1
    db.session.execute(sa.insert(Customer.__table__), [{"id": next_id, "kind": "person", "name": "Yohanes Pratomo",
                                                        "created_at": created_at}])
    account = make.account(db.session.get(Customer, next_id))
    from models.contracts.operations import open_contract
    open_contract(db.session, sp, db.session.get(Account, account.id), "519000000031", make.tariff(), 900,
                  date(2022, 1, 1))
    db.session.commit()
    assert spns(search(db.session, "pratomo")) == ["BDG90000031"]


@pytest.mark.parametrize("wide", [5, 6])
def test_common_words_are_checked_and_rare_ones_intersected(make, db, monkeypatch, wide):
    # At a million addresses "jalan" and "no" are in most of them; here the thresholds shrink to the data:
    # "mawar" (3 entries) and "70" (1) are under SAMPLE and intersected; "jalan", "no" and "7" (5 each) are
    # checked candidate by candidate, or (WIDE 6) intersected too once few candidates pass. Whole words
    # rank first either way, and the answer is the same.
    import models.inquiry.search as text_search
    monkeypatch.setattr(text_search, "SAMPLE", 5)
    monkeypatch.setattr(text_search, "WIDE", wide)
    monkeypatch.setattr(text_search, "BATCH", 1)
    monkeypatch.setattr(text_search, "POOL", 4)
    for n, address in enumerate(("Jalan Mawar No. 7", "Jalan Mawar No. 70", "Jalan Mawar 7", "Jalan Melati No. 7",
                                 "Jalan Kenanga No. 7", "Gang Anggrek No. 1", "Gang Mawar No. 5", "Gang Mawar 9"),
                                start=1):
        make.service_point(spn=f"SRC0000000{n}").property.address = address
    db.session.commit()
    assert spns(search(db.session, "mawar 70", "address")) == ["SRC00000002"]
    assert spns(search(db.session, "jalan mawar no 7", "address")) == ["SRC00000001", "SRC00000002"]
    assert spns(search(db.session, "mawar 7", "address")) == ["SRC00000001", "SRC00000003", "SRC00000002"]
    assert spns(search(db.session, "no 7", "address")) == ["SRC00000001", "SRC00000004", "SRC00000005",
                                                            "SRC00000002"]
