"""Conversion import: all rows valid or nothing imported; the same file twice changes nothing."""
import pytest
import sqlalchemy as sa

from models.meters.conversion import ImportRefused, import_meters, read_csv
from models.meters.entities import Meter

HEADER = "number,manufacturer,model,store,status,last_calibration,registers\n"


@pytest.fixture
def refs(make):
    store = make.store()
    model = make.meter_model(model_code="ACE1000")
    return store, model


def rows(refs, *lines):
    store, _ = refs
    return read_csv(HEADER + "".join(line.format(store=store.code) + "\n" for line in lines))


def test_valid_file_imports_with_registers_and_due_dates(db, refs):
    result = import_meters(db.session, rows(refs, "70001,Itron,ACE1000,{store},in_store,2020-01-15,1.8.0:active:1",
                                             "70002,itron,ace1000,{store},in_lab,,1.8.1:active_wbp:40;3.8.0:reactive:40"))
    meter = db.session.scalar(sa.select(Meter).where(Meter.number == "70002"))
    assert result.created == 2 and [(r.code, r.multiplier) for r in meter.registers] == [("1.8.1", 40), ("3.8.0", 40)]
    first = db.session.scalar(sa.select(Meter).where(Meter.number == "70001"))
    assert first.next_calibration_due.isoformat() == "2030-01-15"   # the model's 120 months later


def test_same_file_twice_changes_nothing(db, refs):
    line = "70001,Itron,ACE1000,{store},in_store,2020-01-15,1.8.0:active:1"
    import_meters(db.session, rows(refs, line))
    again = import_meters(db.session, rows(refs, line))
    assert (again.created, again.unchanged) == (0, 1)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Meter)) == 1


def test_every_bad_row_is_listed_and_nothing_is_imported(db, refs):
    with pytest.raises(ImportRefused) as info:
        import_meters(db.session, rows(refs,
                                       "70001,Itron,ACE1000,{store},in_store,2020-01-15,1.8.0:active:1",
                                       "70002,Itron,ACE1000,NOWHERE,in_store,2020-01-15,1.8.0:active:1",
                                       "70003,Itron,ACE1000,{store},in_store,15/01/2020,1.8.0:active:1",
                                       "70001,Itron,ACE1000,{store},in_store,2020-01-15,1.8.0:active:1",
                                       "70004,Itron,ACE1000,{store},installed,2020-01-15,1.8.0:active:0"))
    assert info.value.problems == [
        "row 3: unknown store 'NOWHERE'",
        "row 4: last_calibration '15/01/2020' is not a date (YYYY-MM-DD)",
        "row 5: meter 70001 is also on row 2",
        "row 6: status 'installed' is not stock; import in_store, in_lab, rejected or scrapped"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Meter)) == 0


def test_wrong_header_refuses_the_file():
    with pytest.raises(ImportRefused, match="row 1: wrong header; .* missing registers; unknown regs"):
        read_csv("number,manufacturer,model,store,status,last_calibration,regs\n1,a,b,c,in_store,,x\n")


def test_existing_meter_with_other_data_is_a_bad_row(db, refs, make):
    make.meter(number="70009")
    with pytest.raises(ImportRefused, match="row 2: meter 70009 already exists with other data"):
        import_meters(db.session, rows(refs, "70009,Itron,ACE1000,{store},in_store,2020-01-15,1.8.0:active:1"))


def test_cli_import_reports_rows_and_exits_non_zero(app, refs, tmp_path):
    from portal.cli import cli
    bad = tmp_path / "legacy.csv"
    bad.write_text(HEADER + "70001,Itron,ACE1000,NOWHERE,in_store,,1.8.0:active:1\n")
    result = app.test_cli_runner().invoke(cli, ["import", "meters", str(bad)])
    assert result.exit_code == 1 and "row 2: unknown store 'NOWHERE'" in result.output
