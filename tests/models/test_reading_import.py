"""The project's CSV import: hand-computed consumption, every bad row reported, all or nothing, idempotent."""
from datetime import date
from decimal import Decimal as D

import pytest
import sqlalchemy as sa

from models.installations.operations import install_meter
from models.readings.entities import AnomalyCode, Reading, ReadingAnomaly, ReadingType
from models.readings.imports import ReadingImportRefused, import_readings, read_csv

HEADER = "meter,register,date,value,type,note\n"


@pytest.fixture
def meter(db, make):
    contract = make.contract()
    meter = make.meter(number="98001", multiplier="40")
    install_meter(db.session, contract.service_point, meter, date(2026, 1, 1), {"1.8.0": D("1000")})
    return meter


def load(db, text):
    return import_readings(db.session, read_csv(HEADER + text), "test.csv")


def consumptions(db):
    return db.session.execute(sa.select(Reading.read_on, Reading.consumption)
                              .where(Reading.reading_type != ReadingType.INSTALLATION).order_by(Reading.read_on)).all()


def test_rows_are_judged_in_date_order_with_the_multiplier(db, meter):
    result = load(db, "98001,1.8.0,2026-03-01,1100,,\n98001,1.8.0,2026-02-01,1050,actual,\n")
    assert (result.imported, result.unchanged) == (2, 0)
    assert consumptions(db) == [(date(2026, 2, 1), D("2000")), (date(2026, 3, 1), D("2000"))]   # 50 x 40 each


def test_same_file_twice_changes_nothing(db, meter):
    text = "98001,1.8.0,2026-02-01,1050,actual,\n"
    load(db, text)
    again = load(db, text)
    assert (again.imported, again.unchanged) == (0, 1)


def test_every_bad_row_is_reported_and_nothing_lands(db, meter):
    with pytest.raises(ReadingImportRefused) as info:
        load(db, "98001,1.8.0,2026-02-01,1050,actual,\n"
                 "99999,1.8.0,2026-02-01,10,actual,\n"
                 "98001,1.8.0,01/03/2026,1100,actual,\n"
                 "98001,1.8.0,2026-03-01,lots,actual,\n"
                 "98001,1.8.0,2025-12-01,900,actual,\n"
                 "98001,1.8.0,2026-02-01,1060,actual,\n")
    assert info.value.problems == [
        "row 3: no register 1.8.0 on meter 99999",
        "row 4: date '01/03/2026' is not YYYY-MM-DD",
        "row 5: value 'lots' is not a number",
        "row 6: 2025-12-01 is before the meter's installation on 2026-01-01",
        "row 7: same reading as row 2"]
    assert consumptions(db) == []


def test_reader_notes_and_drops_become_anomalies(db, meter):
    result = load(db, "98001,1.8.0,2026-02-01,1000,actual,no_access\n98001,1.8.0,2026-03-01,990,actual,\n")
    codes = db.session.scalars(sa.select(ReadingAnomaly.code).order_by(ReadingAnomaly.id)).all()
    assert result.anomalies == 2
    assert codes == [AnomalyCode.ZERO_CONSUMPTION, AnomalyCode.NO_ACCESS, AnomalyCode.NEGATIVE_CONSUMPTION]


def test_wrong_header_is_refused():
    with pytest.raises(ReadingImportRefused, match="row 1: the header lacks value, type, note"):
        read_csv("meter,register,date,reading\n")


def test_a_walk_list_file_with_extra_columns_imports_its_read_rows(db, meter):
    rows = read_csv("route,sequence,meter,register,previous,date,value,type,note\n"
                    "R1,1,98001,1.8.0,1000,2026-02-01,1100,,\nR1,2,98001,1.8.0,1000,,,,\n")
    assert import_readings(db.session, rows, "walk list").imported == 1
