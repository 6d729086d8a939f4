"""Billing from interval data through a tariff's schedule (models.billing.interval_gather, pricing).

PLN I-3/TM 555 kVA (Q4-2024: LWBP Rp 1,114.74, WBP K = 1.4 -> Rp 1,560.636, RM2 40 h, PPJ 3%, stamp
duty Rp 10,000 above Rp 5,000,000) with its schedule: WBP 17:00-22:00 every day. A TOU meter (1.8.1 WBP,
1.8.2 LWBP) installed on 31 Dec 2024 at 0; the January bill runs from 31 Dec to the reading of 31 Jan.
"""
from datetime import date, datetime, timedelta
from decimal import Decimal as D
from pathlib import Path

import pytest

from models.billing.gather import gather_contracts
from models.billing.inputs import BillInputs, ContractSegment, PricingError, QuantitySource, VersionSnapshot
from models.billing.pricing import price_bill
from models.billing.runs import plan_bill
from models.clock import business_zone
from models.errors import DomainError
from models.installations.operations import install_meter
from models.meters.entities import Meter, MeterModel, MeterStatus, Register, UsageType
from models.readings.entities import IntervalReading
from models.tariffs.catalogue import load_pln_catalogue
from models.tariffs.importing import import_tariff, read_tariff, set_rate_structure
from models.tariffs.interval_pricing import interval_quantities, price_month
from models.tariffs.rate_structures import RateStructure

JAN, FIRST, LAST = date(2025, 1, 1), date(2024, 12, 31), date(2025, 1, 31)
DATA = (Path(__file__).resolve().parents[3] / "../shared/data/tariffs/urdb_real_tariffs").resolve()
PLN_DAY = [0] * 17 + [1] * 5 + [0] * 2                   # period 1 = WBP, 17:00-22:00
PLN_TOU = {"name": "PLN WBP/LWBP", "energy_weekday": [PLN_DAY] * 12, "energy_weekend": [PLN_DAY] * 12,
           "energy_rates": [[{"max": None, "rate": "1114.74"}], [{"max": None, "rate": "1560.636"}]],
           "tou_periods": ["lwbp", "wbp"]}


def _meter(make, contract, installed_on, codes):
    meter = Meter(number=f"IV{contract.id}", model=MeterModel(manufacturer="Itron", model_code=f"IV{contract.id}"),
                  status=MeterStatus.IN_STORE, store=make.store())
    for code, usage in codes.items():
        meter.registers.append(Register(code=code, usage_type=usage, multiplier=D(1)))
    make.session.add(meter)
    make.session.flush()
    install_meter(make.session, contract.service_point, meter, installed_on, {c: D(0) for c in codes})
    return meter


def _intervals(db, meter, first, days, minutes, kwh, skip=()):
    start = datetime.combine(first, datetime.min.time(), business_zone())
    rows = []
    for i in range(days * 1440 // minutes):
        at = start + timedelta(minutes=minutes * i)
        if at.hour * 60 + at.minute not in skip or at.date() != first + timedelta(days=9):
            rows.append({"meter_id": meter.id, "channel": "1.8.0", "start_at": at, "minutes": minutes,
                         "value": kwh(at), "quality": "A"})
    db.session.execute(IntervalReading.__table__.insert(), rows)


@pytest.fixture
def tou(db, make):
    tariffs = load_pln_catalogue(db.session)
    set_rate_structure(db.session, tariffs["I-3/TM"].versions[-1], PLN_TOU)
    contract = make.contract(tariff=tariffs["I-3/TM"], power_va=555000, registered_on=date(2024, 12, 1))
    meter = _meter(make, contract, FIRST, {"1.8.1": UsageType.ACTIVE_WBP, "1.8.2": UsageType.ACTIVE_LWBP})
    db.session.expire_all()
    return contract, meter


def _peak(at):       # 80 kWh in each WBP hour, 40 in the others: a day is 400 WBP + 760 LWBP kWh
    return D(80) if 17 <= at.hour < 22 else D(40)


def _energy(bill):
    return [(line.label, line.quantity, line.amount) for line in bill.lines if line.kind.value == "energy"]


def test_interval_path_and_register_path_give_the_same_bill(db, make, tou):
    contract, meter = tou
    make.reading(meter, LAST, "12400", code="1.8.1")      # 31 days x 400 WBP
    make.reading(meter, LAST, "23560", code="1.8.2")      # 31 days x 760 LWBP
    by_registers = price_bill(gather_contracts(db.session, [contract.id], JAN)[contract.id].inputs)
    _intervals(db, meter, FIRST, 31, 60, _peak)
    inputs = gather_contracts(db.session, [contract.id], JAN)[contract.id].inputs
    by_intervals = price_bill(inputs)
    # LWBP 23,560 x 1,114.74 = 26,263,274; WBP 12,400 x 1,560.636 = 19,351,886; RM2 40 x 555 x 1,114.74 =
    # 24,747,228 is lower; PPJ 3% x 45,615,160 = 1,368,455; stamp duty 10,000: 46,993,615
    assert _energy(by_intervals) == _energy(by_registers) == [
        ("Energy LWBP", 23560, 26263274), ("Energy WBP (K x LWBP)", 12400, 19351886)]
    assert by_intervals.total == by_registers.total == 46993615
    assert inputs.quantities == () and by_intervals.lines[0].explain().endswith(
        "(from 744 60-minute intervals of meter " + meter.number + ")")


def test_incomplete_interval_data_holds_the_bill_with_the_gap(db, make, tou):
    contract, meter = tou
    make.reading(meter, LAST, "12400", code="1.8.1")
    make.reading(meter, LAST, "23560", code="1.8.2")
    _intervals(db, meter, FIRST, 31, 15, lambda at: _peak(at) / 4, skip={18 * 60, 18 * 60 + 15})
    gathered = gather_contracts(db.session, [contract.id], JAN)[contract.id]
    with pytest.raises(PricingError, match="incomplete: none from 2025-01-09 18:00 to 2025-01-09 18:30"):
        price_bill(gathered.inputs)
    assert plan_bill(gathered).reasons[0].startswith("cannot be priced: the interval data of 2024-12-31 to 2025-01-30")


@pytest.fixture
def smud(db, make):
    structure, source = read_tariff((DATA / "SMUD_CI-TOD3_Secondary_500-999kW.json").read_bytes())
    version = import_tariff(db.session, structure, source, "SMUD-TOD3", date(2024, 1, 1))
    contract = make.contract(tariff=version.tariff, power_va=600000, registered_on=date(2024, 12, 1))
    meter = _meter(make, contract, FIRST, {"1.8.0": UsageType.ACTIVE})
    db.session.expire_all()
    return contract, meter, structure


def _load(at):       # 300 kW at night, 650 kW from 08:00 to 20:00 on weekdays
    return D(650) if 8 <= at.hour < 20 and at.weekday() < 5 else D(300)


def test_an_imported_tariff_bills_from_intervals_alone(db, make, smud):
    contract, meter, structure = smud
    _intervals(db, meter, JAN, 31, 60, _load)
    gathered = gather_contracts(db.session, [contract.id], JAN)[contract.id]
    bill = price_bill(gathered.inputs)
    # The same month through the tariff importer's pricing (verified against PySAM), from the same intervals.
    rows = [(datetime.combine(JAN, datetime.min.time(), business_zone()) + timedelta(hours=h), 60, None)
            for h in range(744)]
    expected = price_month(structure, 1, interval_quantities(
        structure, [(at, m, _load(at)) for at, m, _ in rows], (JAN, date(2025, 2, 1))))
    assert (gathered.inputs.period_start, gathered.inputs.period_end) == (JAN, date(2025, 2, 1))
    assert [(line.quantity.quantize(D("0.0001")), line.amount) for line in bill.lines] == [
        (e["quantity"].quantize(D("0.0001")), e["amount"]) for e in expected]
    assert bill.total == sum(e["amount"] for e in expected) and bill.kwh == sum(_load(at) for at, _, _ in rows)
    assert {line.kind.value for line in bill.lines} == {"energy", "demand", "fixed"}


def test_an_imported_tariff_with_registers_only_is_held_with_the_reason(db, make, smud):
    contract, meter, _ = smud
    make.reading(meter, LAST, "350000")
    plan = plan_bill(gather_contracts(db.session, [contract.id], JAN)[contract.id])
    assert plan.reasons[0] == ("cannot be priced: tariff SMUD-TOD3 has a time-of-use schedule, priced from interval "
                               "data; the service point has only register readings, which cannot feed it")


def test_a_schedule_names_a_tou_period_for_each_energy_period():
    with pytest.raises(DomainError, match="tou_periods must name one of lwbp, wbp, all for each of the 2"):
        RateStructure.from_json({**PLN_TOU, "tou_periods": ["lwbp"]})
    assert RateStructure.from_json(PLN_TOU).to_json()["tou_periods"] == ["lwbp", "wbp"]


def _fpl(**quantities):
    structure, _ = read_tariff((DATA / "FPL_GSLD-1_General_Service_Large_Demand.json").read_bytes())
    version = VersionSnapshot(7, "FPL", "URDB", date(2024, 1, 1), None, "half_up", D(1), (), structure)
    return BillInputs(JAN, date(2025, 2, 1), (ContractSegment(date(2024, 1, 1), None, "FPL", 1000),), (version,),
                      tuple(QuantitySource(UsageType(u), D(q)) for u, q in quantities.items()))


def test_registers_feed_a_one_period_structure_and_kw_is_required():
    # FPL GSLD-1 (one energy period, flat demand): 744 kWh x (0.01958 + 0.03544) = 40.93, 1 kW x (13.59 +
    # 2.06) = 15.65, fixed 88.67; the monthly minimum 6,833.67 adds 6,688.42.
    bill = price_bill(_fpl(active=744, demand=1))
    assert [(line.kind.value, line.amount) for line in bill.lines] == [
        ("energy", D("40.93")), ("demand", D("15.65")), ("fixed", D("88.67")), ("minimum_bill", D("6688.42"))]
    assert bill.lines[0].explain() == "Energy period 0: 744 kWh x 0.05502 = 40.93"
    with pytest.raises(PricingError, match="charges demand but no kW was recorded"):
        price_bill(_fpl(active=744))
