"""Every tariff file in ../shared/data imports, or is refused with the reason; imported ones store and price."""
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from models.errors import DomainError
from models.tariffs.importing import import_tariff, rate_structure_of, read_load, read_tariff
from models.tariffs.interval_pricing import price_year
from models.tariffs.rate_structures import RateStructure

DATA = (Path(__file__).resolve().parents[3] / "../shared/data").resolve()
REACTIVE = "reactive (kVAr) demand charge cannot be priced from kW load"
EXPECTED = {
    "interval_loads/nrel_reopt/monthly_rate.json": None,
    "interval_loads/nrel_reopt/multi_tier_urdb_response.json": "fixedchargefirstmeter in '$/day' cannot be priced",
    "interval_loads/nrel_reopt/tiered_energy_demand.json": None,
    "interval_loads/nrel_reopt/tiered_tou_demand.json": None,
    "interval_loads/nrel_sam/Test_Commercial_Demand_Charges.tariff.json": None,
    "interval_loads/nrel_sam/Test_Residential_TOU_Rates.tariff.json": None,
    "interval_loads/nrel_sam/Test_Residential_TOU_Rates_w_tiers.tariff.json": None,
    "tariffs/openstudio_hpxml_sample_rates/Jackson Electric Member Corp - A Residential Service Senior Citizen "
    "Low Income Assistance (Effective 2017-01-01).json": None,
    "tariffs/openstudio_hpxml_sample_rates/Sample Tiered Rate.json": None,
    "tariffs/openstudio_hpxml_sample_rates/Sample Tiered Time-of-Use Rate.json": None,
    "tariffs/openstudio_hpxml_sample_rates/Sample Time-of-Use Rate.json": None,
    "tariffs/urdb_real_tariffs/FPL_GSLD-1_General_Service_Large_Demand.json": None,
    "tariffs/urdb_real_tariffs/PGE_BEV-2-S_2025-09-08.json": REACTIVE,
    "tariffs/urdb_real_tariffs/SCE_TOU-8_Option-D_Under-2kV.json": REACTIVE,
    "tariffs/urdb_real_tariffs/SCE_TOU-EV-9_below-2kV_2025-09-08.json": REACTIVE,
    "tariffs/urdb_real_tariffs/SDGE_AL-TOU_Secondary_Above_500kW.json": None,
    "tariffs/urdb_real_tariffs/SDGE_EV-HP_EECC-CPP-D_2025-09-08.json": REACTIVE,
    "tariffs/urdb_real_tariffs/SMUD_CI-TOD3_Secondary_500-999kW.json": None,
}
FILES = sorted(str(p.relative_to(DATA)) for folder in ("tariffs", "interval_loads")
               for p in (DATA / folder).rglob("*") if p.is_file())
NOT_TARIFFS = ("LICENSE", "SOURCE", "_hourly_kW.csv")


def test_the_expectations_cover_every_file():
    assert sorted(f for f in FILES if not any(n in f for n in NOT_TARIFFS)) == sorted(EXPECTED)


@pytest.mark.parametrize("name", FILES)
def test_each_file_imports_or_is_refused_with_its_reason(name):
    raw = (DATA / name).read_bytes()
    if any(n in name for n in NOT_TARIFFS):
        with pytest.raises(DomainError, match="not JSON|neither a URDB"):
            read_tariff(raw)
        return
    reason = EXPECTED[name]
    if reason is None:
        structure, _ = read_tariff(raw)
        again = RateStructure.from_json(structure.to_json())    # what the database stores prices the same
        assert again == structure
        assert price_year(again, [Decimal(1)] * 8760)["total"] > 0
    else:
        with pytest.raises(DomainError, match=re.escape(reason)):
            read_tariff(raw)


def test_reopt_tiered_energy_and_demand_by_hand():
    # REopt's FlatLoad of 876,000 kWh is 100 kW every hour. January: 744 h x 100 kW = 74,400 kWh,
    # all in tier 1 (bound 74,400) at 0.10 = 7,440; demand 100 kW, all in tier 1 (bound 100) at 10
    # = 1,000. The year: 876,000 x 0.10 + 12 x 1,000 = 99,600.
    structure, _ = read_tariff((DATA / "interval_loads/nrel_reopt/tiered_energy_demand.json").read_bytes())
    result = price_year(structure, [Decimal(100)] * 8760)
    assert result["months"][0]["total"] == Decimal("8440.00")
    assert result["total"] == Decimal("99600.00")


def test_fpl_minimum_charge_lifts_a_small_month():
    # FPL GSLD-1: 1 kW all January = 744 kWh x (0.01958 + 0.03544) = 40.93 energy, 1 kW x (13.59 +
    # 2.06) = 15.65 demand, 88.67 fixed = 145.25; the monthly minimum 6,833.67 adds 6,688.42.
    structure, _ = read_tariff((DATA / "tariffs/urdb_real_tariffs/FPL_GSLD-1_General_Service_Large_Demand.json")
                               .read_bytes())
    january = price_year(structure, [Decimal(1)] * 8760)["months"][0]
    assert [line["amount"] for line in january["lines"]] == [
        Decimal("40.93"), Decimal("15.65"), Decimal("88.67"), Decimal("6688.42")]
    assert january["total"] == Decimal("6833.67")


def test_an_imported_tariff_is_stored_and_priced_from_the_database(db):
    structure, source = read_tariff((DATA / "tariffs/openstudio_hpxml_sample_rates/Sample Time-of-Use Rate.json")
                                    .read_bytes())
    version = import_tariff(db.session, structure, source, "NREL-TOU", date(2024, 1, 1))
    db.session.expire_all()
    assert version.tariff.tariff_class == "URDB" and version.tariff.time_of_use
    assert rate_structure_of(db.session, "NREL-TOU", date(2025, 6, 1)) == structure
    with pytest.raises(DomainError, match="already exists"):
        import_tariff(db.session, structure, source, "NREL-TOU", date(2024, 1, 1))


@pytest.mark.parametrize(("text", "message"), [
    ("", "empty"), ("1\nx\n", "line 2: 'x' is not a kW value"), ("1\n-2\n", "export"),
    ("timestamp,kW\n2018-01-01T00:00,1\n2018-01-01T02:00,1\n", "step by 60 or 15"),
    ("timestamp,kW\n2018-02-01T00:00,1\n2018-02-01T01:00,1\n", "1 January 00:00"),
])
def test_bad_load_files_are_refused(text, message):
    with pytest.raises(DomainError, match=message):
        read_load(text)


def test_a_timestamped_load_names_its_year():
    rows = "\n".join(f"2019-01-01T{h:02d}:00,{h}" for h in range(3))
    assert read_load("timestamp,demand_kw\n" + rows) == ([Decimal(0), Decimal(1), Decimal(2)], 2019)


@pytest.mark.parametrize(("cell", "rates", "message"), [
    (float("inf"), None, "is not a period number"), (1.5, None, "is not a period number"),
    (10 ** 9, None, "is not a period number"), (0, [[{"rate": "NaN"}]], "must be a finite number"),
    (0, [[{"max": 5, "rate": 1}, {"max": 3, "rate": 2}]], "tier bounds must rise"),
    (0, [[{"max": None, "rate": 1}, {"max": 3, "rate": 2}]], "open tier before its last"),
])
def test_hostile_structures_are_refused(cell, rates, message):
    data = {"energy_weekday": [[cell] * 24] * 12, "energy_weekend": [[0] * 24] * 12,
            "energy_rates": rates or [[{"max": None, "rate": 1}]]}
    with pytest.raises(DomainError, match=message):
        RateStructure.from_json(data)
