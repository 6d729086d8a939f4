"""NEM12, NEM13 and Green Button files from ../shared/data: totals computed from the files themselves."""
import csv
import io
import os
import zipfile
from collections import defaultdict
from datetime import UTC, date
from decimal import Decimal as D
from pathlib import Path

import pytest
import sqlalchemy as sa
from lxml import etree

from models.meters.entities import Installation, Meter, MeterStatus, Register, UsageType
from models.readings.entities import IntervalReading, Reading
from models.readings.imports import ReadingImportRefused
from models.readings.intervals import rollup, split_tou
from models.readings.meter_data import import_file

SHARED = Path(os.environ.get("CMS_SHARED_DIR", Path(__file__).resolve().parents[3] / "shared")) / "data"
NEM = SHARED / "meter_read_formats" / "nem12_nem13"
GREEN = SHARED / "greenbutton"
ESPI = "{http://naesb.org/espi}"


def content(path: Path) -> bytes:
    data = path.read_bytes()
    if path.suffix == ".zip":
        archive = zipfile.ZipFile(io.BytesIO(data))
        return archive.read(archive.namelist()[0])
    return data


def records(path: Path, kind: str) -> list[list[str]]:
    return [row for row in csv.reader(io.StringIO(content(path).decode())) if row and row[0] == kind]


@pytest.fixture
def site(db, make):
    """A service point (spn = NMI) with a meter whose registers carry the given codes and data streams."""
    model, points = make.meter_model(digits=12), {}

    def _site(nmi, serial, streams: dict):
        sp = points[nmi] = points.get(nmi) or make.service_point(spn=nmi)
        meter = Meter(number=serial, model=model, status=MeterStatus.INSTALLED, registers=[
            Register(code=code, stream=stream, usage_type=UsageType.ACTIVE, digits=12, decimals=3)
            for code, stream in streams.items()])
        db.session.add(Installation(service_point=sp, meter=meter, installed_on=date(2000, 1, 1)))
        db.session.flush()
        return meter
    return _site


def counts(db):
    return (db.session.scalar(sa.select(sa.func.count(IntervalReading.id))),
            db.session.scalar(sa.select(sa.func.count(Reading.id))))


def channel_totals(db) -> dict:
    rows = db.session.execute(sa.select(Meter.number, IntervalReading.channel, sa.func.sum(IntervalReading.value))
                              .join(Meter).group_by(Meter.number, IntervalReading.channel))
    return {(number, channel): D(total).quantize(D("0.001")) for number, channel, total in rows}


@pytest.mark.parametrize("path", sorted((NEM / "invalid").iterdir()), ids=lambda p: p.name)
def test_every_invalid_nem_file_is_refused_with_a_reason_and_nothing_lands(db, site, path):
    site("VABD000163", "METSER123", {"1.8.0": None, "3.8.0": None})
    with pytest.raises(ReadingImportRefused) as refused:
        import_file(db.session, path.name, path.read_bytes())
    assert refused.value.problems and all(len(p) > 12 for p in refused.value.problems)
    assert counts(db) == (0, 0)


def test_nem12_interval_totals_per_channel_match_the_file_and_a_second_import_changes_nothing(db, site):
    path = NEM / "unzipped" / "Example_NEM12_multiple_meters.csv"
    site("NCDE001111", "METSER123", {"1.8.0": None, "2.8.0": None, "3.8.0": None})
    site("NCDE001112", "METSER456", {"1.8.0": "E2"})
    site("NDDD001888", "METSER991", {"2.8.0": None})
    site("NDDD001889", "METSER992", {"4.8.0": "K2"})
    expected, channel = defaultdict(D), None
    for row in csv.reader(io.StringIO(path.read_text())):
        if row[0] == "200":
            channel = (row[6], {"E1": "1.8.0", "B1": "2.8.0", "Q1": "3.8.0", "E2": "1.8.0", "K2": "4.8.0"}[row[4]])
        elif row[0] == "300":
            expected[channel] += sum(D(v) for v in row[2:98]) / 1000          # Wh and VArh in the file
    result = import_file(db.session, path.name, path.read_bytes())
    assert (result.file_format, result.intervals) == ("nem12", 1152)
    assert channel_totals(db) == {key: total.quantize(D("0.001")) for key, total in expected.items()}
    again = import_file(db.session, path.name, path.read_bytes())
    assert (again.intervals, again.unchanged, counts(db)[0]) == (0, 1152, 1152)


def test_nem12_five_minute_solar_month_rolls_up_to_tou_registers(db, site):
    path = NEM / "unzipped" / "Example_NEM12_month_solar.csv"
    meter = site("NMI1234567", "SERNO1234", {"1.8.1": None, "1.8.2": None, "2.8.0": None})
    import_file(db.session, path.name, path.read_bytes())
    imported = sum(D(v) for row in records(path, "300")[31:] for v in row[2:290])    # the E1 channel's days
    parts = rollup(db.session, meter.id, date(2023, 1, 1), date(2024, 1, 1))
    assert parts["1.8.1"] + parts["1.8.2"] == imported and parts["1.8.1"] > 0


def test_nem12_without_a_known_meter_names_it(db):
    path = NEM / "unzipped" / "Example_NEM12_actual_interval.csv"
    with pytest.raises(ReadingImportRefused, match="unknown meter METSER123 \\(NMI VABD000163\\)"):
        import_file(db.session, path.name, path.read_bytes())


NEM13_FILES = sorted((NEM / "nem13").glob("*.zip")) + [NEM / "unzipped" / "Example_NEM13_forward_estimate.csv"]
GREEN_FILES = ["cityssm_utilityapi_hourly_electric.xml", "gbo_TestGBDataOneYearDailyBinnedMonthly.xml",
               "gbo_electric_hourly_abridged.xml", "openespi_15min_interval_with_ElectricPowerUsageSummary.xml",
               "openespi_test_usage_data_1.xml", "verdigris_SCE_UsageSummary_and_IntervalBlock.xml"]


@pytest.mark.parametrize("path", NEM13_FILES, ids=lambda p: p.name)
def test_nem13_register_reads_give_the_read_differences_as_consumption(db, site, path):
    rows = records(path, "250")
    streams = defaultdict(dict)
    for row in rows:
        streams[(row[1], row[6])].setdefault(f"1.8.{len(streams[(row[1], row[6])])}", row[4])
    meters = {serial: site(nmi, serial, codes) for (nmi, serial), codes in streams.items()}
    import_file(db.session, path.name, path.read_bytes())
    reads, used = defaultdict(dict), defaultdict(D)
    for row in rows:            # a later record's read for the same day replaces the earlier one (substitution)
        reads[(row[6], row[4])][row[9][:8]] = D(row[8])
        reads[(row[6], row[4])][row[14][:8]] = D(row[13])
    series = {key: [by_day[day] for day in sorted(by_day)] for key, by_day in reads.items()}
    expected = {key: values[-1] - values[0] for key, values in series.items()}   # the advances add up to this
    for register, consumption in db.session.execute(sa.select(Register, Reading.consumption).join(Reading.register)):
        used[(register.meter.number, register.stream)] += consumption or 0
    drops = {key for key, values in series.items() if values != sorted(values)}   # rollovers: tested on their own
    assert {k: v for k, v in used.items() if k not in drops} == {k: v for k, v in expected.items() if k not in drops}
    assert len(meters) >= 1


def test_nem13_rollover_of_a_twelve_digit_register(db, site):
    path = NEM / "nem13" / "nem13#13#INTEGM#NEMMCO.zip"
    site("NEM1313046", "SerialBMP1", {"1.8.0": "11"})
    import_file(db.session, path.name, path.read_bytes())
    last = db.session.scalar(sa.select(Reading).order_by(Reading.read_on.desc()).limit(1))
    assert (last.value, last.consumption, [a.code.value for a in last.anomalies]) == (D(9), D(10), ["rollover"])


def espi_total(path: Path) -> D:
    root = etree.parse(str(path)).getroot()
    scale = D(10) ** int(root.findtext(f".//{ESPI}ReadingType/{ESPI}powerOfTenMultiplier") or 0) / 1000
    seen, total = set(), D(0)
    for reading in root.iter(f"{ESPI}IntervalReading"):
        start = reading.findtext(f"{ESPI}timePeriod/{ESPI}start")
        if start not in seen:          # some producers repeat entries
            seen.add(start)
            total += D(reading.findtext(f"{ESPI}value")) * scale
    return total.quantize(D("0.001"))


@pytest.mark.parametrize("name", GREEN_FILES)
def test_green_button_interval_totals_match_the_file(db, site, name):
    site("GB-1", "GB-METER", {"1.8.0": None})
    data = (GREEN / name).read_bytes()
    result = import_file(db.session, name, data, service_point="GB-1")
    assert channel_totals(db) == {("GB-METER", "1.8.0"): espi_total(GREEN / name)}
    assert import_file(db.session, name, data, service_point="GB-1").unchanged == result.intervals


@pytest.mark.parametrize("name,reason", [
    ("gbo_gas_monthly_billing_with_cost.xml", "not electricity"),
    ("verdigris_ESPI_ElectricPowerUsageSummary_entry.xml", "no interval data"),
    ("verdigris_PGE_UsageSummaries_TOU_line_items.xml", "no interval data")])
def test_green_button_files_without_electricity_intervals_are_refused(db, site, name, reason):
    site("GB-1", "GB-METER", {"1.8.0": None})
    with pytest.raises(ReadingImportRefused, match=reason):
        import_file(db.session, name, (GREEN / name).read_bytes(), service_point="GB-1")
    assert counts(db) == (0, 0)


def test_tou_split_is_by_local_minutes_in_the_peak_window():
    from datetime import datetime
    from zoneinfo import ZoneInfo
    jakarta = ZoneInfo("Asia/Jakarta")                                     # UTC+7: 16:30 local is 09:30 UTC
    parts = split_tou(datetime(2026, 3, 2, 9, 30, tzinfo=UTC), 60, D("6"), jakarta)
    assert parts == {"WBP": D(3), "LWBP": D(3)}
    day = split_tou(datetime(2026, 3, 1, 17, 0, tzinfo=UTC), 1440, D("24"), jakarta)   # a local day
    assert day == {"WBP": D(5), "LWBP": D(19)}
