"""The generated admin refuses bad input naming the field and saves nothing."""
import sqlalchemy as sa

from models.meters.entities import Meter, MeterStatus
from models.tariffs.entities import TariffVersion
from tests.conftest import csrf_token


def post_form(client, url, data):
    return client.post(url, data={**data, "csrf_token": csrf_token(client, url)})


def meter_form(make, number):
    model = make.meter_model()
    return {"number": number, "model": str(model.id), "store": str(make.store().id),
            "registers-0-code": "1.8.0", "registers-0-usage_type": "active", "registers-0-digits": "6",
            "registers-0-decimals": "0", "registers-0-multiplier": "1"}


def test_admin_creates_a_meter_with_its_register(db, client, login, make):
    login("admin")
    response = post_form(client, "/admin/admin_meters/new/", meter_form(make, "50001"))
    assert response.status_code == 302
    meter = db.session.scalar(sa.select(Meter).where(Meter.number == "50001"))
    assert ([r.code for r in meter.registers], meter.status) == (["1.8.0"], MeterStatus.IN_STORE)


def test_duplicate_meter_number_is_a_field_error(db, client, login, make):
    make.meter(number="50002")
    login("admin")
    page = post_form(client, "/admin/admin_meters/new/", meter_form(make, "50002"))
    assert page.status_code == 200 and "Already exists" in page.text
    assert db.session.scalar(sa.select(sa.func.count()).where(Meter.number == "50002")) == 1


def test_zero_multiplier_is_refused_and_nothing_saved(db, client, login, make):
    login("admin")
    data = meter_form(make, "50003") | {"registers-0-multiplier": "0"}
    page = post_form(client, "/admin/admin_meters/new/", data)
    assert "Multiplier: must be greater than zero" in page.text
    assert db.session.scalar(sa.select(Meter).where(Meter.number == "50003")) is None


def test_overlapping_tariff_version_is_refused(db, client, login, make):
    tariff = make.tariff(code="B-2/TR")
    login("admin")
    page = post_form(client, "/admin/admin_tariff_versions/new/", {
        "tariff": str(tariff.id), "effective_from": "2025-01-01", "rounding_rule": "half_up", "rounding_unit": "1"})
    assert "Effective from: overlaps version B-2/TR 2024-10-01..open" in page.text
    assert db.session.scalar(sa.select(sa.func.count()).where(TariffVersion.tariff_id == tariff.id)) == 1


def test_admin_changes_contract_terms_as_a_new_version(db, client, login, make):
    contract = make.contract(power_va=1300)
    login("admin")
    response = post_form(client, f"/admin/admin_contracts/terms/{contract.id}", {
        "effective_from": "2025-03-01", "tariff": str(contract.versions[0].tariff_id),
        "contracted_power_va": "2200", "reason": "power increase"})
    assert response.status_code == 302
    db.session.refresh(contract)
    assert [(v.version_no, v.contracted_power_va) for v in contract.versions] == [(1, 1300), (2, 2200)]


def test_bank_account_numbers_are_masked_for_clerks(db, client, login, make):
    from models.customers.entities import BankAccount
    db.session.add(BankAccount(account=make.account(), bank="BRI", number="1234567890", holder="Siti"))
    db.session.flush()
    login("clerk")
    page = client.get("/admin/admin_bank_accounts/").text
    assert "••••••7890" in page and "1234567890" not in page


def test_admin_sees_full_numbers_and_exports_csv(db, client, login, make):
    make.identity_document(number="3171999900001111")
    login("admin")
    export = client.get("/admin/admin_identity_documents/export/csv/")
    assert export.status_code == 200 and "3171999900001111" in export.text


def test_audit_trail_is_filtered_by_entity(db, client, login, make):
    meter = make.meter(number="50004")
    login("admin")
    page = client.get(f"/admin/admin_audit_events/?flt0_entity_equals=meters&flt1_entity_id_equals={meter.id}")
    assert page.status_code == 200 and "50004" in page.text


def test_admin_creates_a_user_through_create_user_and_its_password_rules(db, client, login):
    from models.users.entities import User
    login("admin")
    form = {"email": "new.clerk@example.com", "full_name": "New Clerk", "role": "clerk"}
    page = post_form(client, "/admin/admin_users/new/", form | {"new_password": "short"})
    assert "must have at least 8 characters" in page.text
    assert post_form(client, "/admin/admin_users/new/", form | {"new_password": "long-enough"}).status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "new.clerk@example.com"))
    assert (user.active, [r.name for r in user.roles]) == (True, ["clerk"])
    assert user.password.startswith("$argon2")


def test_admin_sets_validation_limits_per_tariff_class(db, client, login):
    from models.readings.entities import ReadingRule
    login("admin")
    rule = {"tariff_class": "B-2", "low_factor": "0.2", "stopped_periods": "3"}
    page = post_form(client, "/admin/admin_reading_rules/new/", rule | {"high_factor": "0.5"})
    assert "High factor: must be above 1" in page.text
    assert post_form(client, "/admin/admin_reading_rules/new/", rule | {"high_factor": "2.5"}).status_code == 302
    assert db.session.scalar(sa.select(ReadingRule.high_factor).where(ReadingRule.tariff_class == "B-2")) == 2.5
