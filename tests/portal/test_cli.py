import pytest
import sqlalchemy as sa

from models.clock import today
from models.users.entities import User
from portal.cli import cli


@pytest.fixture
def cms(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(cli, list(args))


def test_users_create_then_list(db, cms):
    result = cms("users", "create", "rina@example.com", "--role", "process_owner", "--password", "s3cret-pass")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "rina@example.com"))
    assert [r.name for r in user.roles] == ["process_owner"]
    assert "rina@example.com\tprocess_owner\tactive" in cms("users", "list").output


def test_unknown_role_is_refused_with_the_reason(db, cms):
    result = cms("users", "create", "x@example.com", "--role", "boss", "--password", "s3cret-pass")
    assert result.exit_code == 1
    assert "Role: unknown role 'boss'; choose one of admin, process_owner, clerk" in result.output
    assert db.session.scalar(sa.select(User).where(User.email == "x@example.com")) is None


def test_token_from_the_cli_opens_the_api(db, cms, client, make):
    user, _ = make.user()
    sp = make.service_point()
    token = cms("tokens", "create", user.email, "--name", "test client").stdout.strip()
    response = client.get(f"/api/v1/service-points/{sp.spn}", headers={"Authentication-Token": token})
    assert response.status_code == 200 and response.json["spn"] == sp.spn


def test_token_for_unknown_user_is_refused(cms):
    result = cms("tokens", "create", "nobody@example.com", "--name", "test client")
    assert result.exit_code == 1 and "no user with e-mail nobody@example.com" in result.output


def test_demo_data_if_empty_leaves_a_loaded_database_alone(db, cms, make):
    make.customer()
    result = cms("demo-data", "--if-empty", "--service-points", "5")
    assert result.exit_code == 0 and "not loaded" in result.output


def test_import_readings_reads_a_nem12_file_and_refuses_an_invalid_one(db, cms, make, tmp_path):
    from datetime import date

    from models.meters.entities import Installation, Meter, MeterStatus, Register, UsageType
    from tests.models.test_meter_data_files import NEM as shared
    meter = Meter(number="METSER123", model=make.meter_model(), status=MeterStatus.INSTALLED, registers=[
        Register(code=code, usage_type=UsageType.ACTIVE) for code in ("1.8.0", "3.8.0")])
    db.session.add(Installation(service_point=make.service_point(spn="VABD000163"), meter=meter,
                                installed_on=date(2000, 1, 1)))
    db.session.commit()
    good = cms("import", "readings", str(shared / "unzipped" / "Example_NEM12_actual_interval.csv"))
    assert good.exit_code == 0 and "nem12: imported 0 reading(s) (0 with anomalies) and 96 interval" in good.output
    bad = cms("import", "readings", str(shared / "invalid" / "Example_NEM12_missing_header.csv"))
    assert bad.exit_code == 1 and "row 1: the file must start with a 100 header record" in bad.output


def test_demo_data_bills_its_history_and_renders_the_last_month(db, cms, shipped):
    from models.billing.entities import Bill, BillDocument, BillStatus
    result = cms("demo-data", "--service-points", "12", "--requests", "0", "--bill-months", "2")
    assert result.exit_code == 0 and "billed 2 months" in result.output, result.output
    periods = db.session.scalars(sa.select(Bill.period).distinct().order_by(Bill.period)).all()
    assert len(periods) == 2 and periods[1] < today().replace(day=1)
    issued_last = db.session.scalar(sa.select(sa.func.count()).select_from(Bill).where(
        Bill.period == periods[1], Bill.status == BillStatus.ISSUED))
    assert issued_last > 0 and db.session.scalar(sa.select(sa.func.count()).select_from(BillDocument)) == issued_last
