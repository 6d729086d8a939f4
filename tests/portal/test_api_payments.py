"""POST /api/v1/payments (Idempotency-Key: the same key and body answer the first result; another body is a 409)
and GET /api/v1/customers/<id>/debt. The bills: 180 kWh = Rp 267,847; 100 kWh = Rp 148,804."""
import pytest

from models.audit.entities import AuditEvent
from models.collection.entities import Payment
from tests.portal.test_api import issue_api_token


@pytest.fixture
def api(db, client, make):
    token = issue_api_token(make.user(role="clerk")[0])

    def _post(key="key-1", **body):
        headers = {"Authentication-Token": token, **({"Idempotency-Key": key} if key else {})}
        return client.post("/api/v1/payments", json=body, headers=headers)
    _post.get = lambda url: client.get(url, headers={"Authentication-Token": token})
    _post.raw = lambda data: client.post("/api/v1/payments", json=data,
                                         headers={"Authentication-Token": token, "Idempotency-Key": "raw"})
    return _post


def body(bill, **kw):
    return {"bill_number": bill.number, "amount": "300000.00", "channel": "partner", "reference": "BRI-77",
            "paid_on": f"{bill.issued_on}", **kw}


def test_a_payment_answers_how_it_was_allocated(db, api, issue):
    may, june = issue(5), issue(6, "100")
    answer = api(**body(may))
    assert answer.status_code == 201
    # May first (the named bill): 267,847; the remaining 32,153 to June, which still owes 116,651
    assert [(a["bill_number"], a["amount"], a["balance"]) for a in answer.json["allocations"]] == [
        (may.number, "267847", "0"), (june.number, "32153", "116651")]
    assert answer.json["credit"] == "0" and answer.json["replayed"] is False


def test_a_replay_returns_the_first_payment_and_another_body_is_409(db, api, issue):
    may = issue(5)
    first = api(**body(may))
    again = api(**body(may))
    changed = api(**body(may, amount="1.00"))
    assert again.json["payment_id"] == first.json["payment_id"] and again.json["replayed"] is True
    assert changed.status_code == 409 and "another request" in changed.json["message"]
    assert db.session.query(Payment).count() == 1


def test_the_same_reference_under_a_new_key_posts_nothing_more(db, api, issue):
    may = issue(5)
    first = api(**body(may))
    other = api(key="key-2", **body(may))
    assert other.json["payment_id"] == first.json["payment_id"] and db.session.query(Payment).count() == 1


@pytest.mark.parametrize(("fields", "key", "status", "field"), [
    ({}, None, 400, "Idempotency-Key"),
    ({"amount": 300000}, "k", 400, "amount"),
    ({"amount": "-1"}, "k", 400, "amount"),
    ({"amount": "1e30"}, "k", 400, "amount"),
    ({"channel": "cash-in-hand"}, "k", 400, "channel"),
    ({"paid_on": "9999-12-31"}, "k", 400, "paid_on"),
    ({"bill_number": "INV-1990-0000001"}, "k", 404, "bill_number"),
    ({"reference": "x" * 10_000}, "k", 400, "reference"),
    ({"amount": "0"}, "k", 400, "amount"),
    ({"amount": "0.00"}, "k", 400, "amount"),
    ({"amount": "abc"}, "k", 400, "amount"),
    ({"amount": "1.001"}, "k", 400, "amount"),              # IDR has two decimals
    ({"amount": "NaN"}, "k", 400, "amount"),
    ({"amount": ["1"]}, "k", 400, "amount"),
    ({"amount": "9" * 10_000}, "k", 400, "amount"),
    ({"bill_number": None, "customer_no": "999999999999"}, "k", 404, "customer_no"),
    ({"bill_number": 42}, "k", 400, "bill_number"),
    ({"bill_number": "INV-" + "9" * 10_000}, "k", 400, "bill_number"),
    ({"customer_no": {"id": 1}, "bill_number": None}, "k", 400, "customer_no"),
    ({"reference": 77}, "k", 400, "reference"),
    ({"channel": ["partner"]}, "k", 400, "channel"),
    ({"paid_on": 20250501}, "k", 400, "paid_on"),
    ({"paid_on": "2025-02-30"}, "k", 400, "paid_on"),
    ({"paid_on": "x" * 10_000}, "k", 400, "paid_on"),
    ({"payer": "x" * 10_000}, "k", 400, "payer"),
    ({}, "k" * 10_000, 400, "Idempotency-Key"),
])
def test_bad_input_is_refused_naming_the_field_and_posts_nothing(db, api, issue, fields, key, status, field):
    answer = api(key=key, **body(issue(5), **fields))
    assert answer.status_code == status and field in answer.json["errors"]["json"]
    assert db.session.query(Payment).count() == 0


def test_debt_sums_the_open_bills_of_every_account(db, api, issue, make, customer, contract, tariffs):
    other = make.contract(tariff=tariffs["R-1/TR 1300"])
    other.account.customer_id = customer.id           # a second account of the same customer
    may, june = issue(5), issue(6, "100", on=other)
    api(**body(may, amount="100000.00"))
    debt = api.get(f"/api/v1/customers/{customer.id}/debt")
    # 267,847 - 100,000 = 167,847 on May + 148,804 on June = 316,651
    assert debt.status_code == 200 and debt.json["total"] == "316651"
    assert sorted(b["bill_number"] for b in debt.json["bills"]) == sorted([may.number, june.number])
    assert api.get("/api/v1/customers/999999/debt").status_code == 404


def test_a_body_that_is_not_an_object_or_lacks_fields_is_refused(db, api, issue):
    may = issue(5)
    answers = [api.raw([body(may)]), api.raw("300000"), api.raw(None), api(key="k")]
    assert [a.status_code for a in answers] == [400, 400, 422, 422]      # no body: the fields are missing
    assert db.session.query(Payment).count() == 0


@pytest.mark.parametrize("changed", [{"bill_number": "INV-1990-0000001"}, {"amount": "0.00"}, {"amount": "abc"}])
def test_a_used_key_with_another_body_is_409_whatever_that_body_lacks(db, api, issue, changed):
    may = issue(5)
    first = api(**body(may))
    again = api(**body(may, **changed))
    assert first.status_code == 201 and again.status_code == 409 and "another request" in again.json["message"]
    assert db.session.query(Payment).count() == 1


def test_a_remembered_token_posts_as_its_user(app, db, client, make, issue, monkeypatch):
    monkeypatch.setitem(app.config, "CMS_API_TOKEN_CACHE_SECONDS", 10)
    user = make.user(role="clerk")[0]
    token, (may, june) = issue_api_token(user), (issue(5), issue(6, "100"))
    for key, bill, reference in (("k-1", may, "BRI-77"), ("k-2", june, "BRI-78")):  # the second one remembered
        answer = client.post("/api/v1/payments", json=body(bill, reference=reference),
                             headers={"Authentication-Token": token, "Idempotency-Key": key})
        assert answer.status_code == 201
    posted = db.session.query(AuditEvent.entity_id, AuditEvent.actor_id, AuditEvent.actor).where(
        AuditEvent.entity == "payments").order_by(AuditEvent.id).all()
    assert [(actor_id, actor) for _, actor_id, actor in posted] == [(user.id, user.email)] * 2
