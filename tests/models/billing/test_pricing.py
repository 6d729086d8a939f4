"""The pricing engine, on the PLN catalogue (../shared/reference/pln-tariffs-2024.md), worked by hand.

Rounding in every case: each line half up to whole rupiah (the catalogue's rule).
"""
from datetime import date

import pytest

from models.billing.inputs import (
    BillInputs,
    ComponentSnapshot,
    ContractSegment,
    Correction,
    MiscChargeInput,
    PricingError,
    QuantitySource,
    VersionSnapshot,
)
from models.billing.pricing import price_bill
from models.billing.proration import split_by_days
from models.meters.entities import UsageType
from tests.models.billing.builders import D, amounts, catalogue_version, consumption, month_bill, reading

pytestmark = pytest.mark.no_db
OCT, NOV = date(2024, 10, 1), date(2024, 11, 1)


def test_household_1300_va_at_180_kwh():
    # energy 180 x 1,444.70 = 260,046; RM1 40 h x 1.3 kVA x 1,444.70 = 75,124 is lower: no minimum line
    # PPJ 3% x 260,046 = 7,801.38 -> 7,801; total 267,847; jam nyala 180 / 1.3 = 138.46 -> 138.5
    bill = price_bill(month_bill("R-1/TR 1300", 1300, active=180))
    assert amounts(bill) == [("energy", 260046), ("tax", 7801)]
    assert bill.lines[0].explain() == "180 kWh x Rp 1,444.70 = Rp 260,046"
    assert (bill.subtotal, bill.taxes, bill.total, bill.jam_nyala) == (260046, 7801, 267847, D("138.5"))


def test_minimum_bill_binds_at_30_kwh():
    # energy 30 x 1,444.70 = 43,341; RM1 = 40 x 1.3 x 1,444.70 = 75,124.40 -> 75,124: top-up 75,124 - 43,341 = 31,783
    # PPJ 3% x (43,341 + 31,783 = 75,124) = 2,253.72 -> 2,254; total 77,378
    bill = price_bill(month_bill("R-1/TR 1300", 1300, active=30))
    assert amounts(bill) == [("energy", 43341), ("minimum_bill", 31783), ("tax", 2254)]
    assert bill.lines[1].explain() == ("40 h x 1.3 kVA = 52 kWh x Rp 1,444.70 = Rp 75,124 minimum, "
                                       "less energy Rp 43,341 = Rp 31,783")
    assert bill.total == 77378 == sum(line.amount for line in bill.lines)


def test_industry_tou_with_multiplier_and_reactive_excess():
    # I-3/TM 345 kVA, CT/VT multiplier 800: LWBP (1,262.5 - 1,200) x 800 = 50,000 kWh; WBP 12.5 x 800 = 10,000;
    # kVArh 50 x 800 = 40,000. LWBP 50,000 x 1,114.74 = 55,737,000; WBP rate 1.4 x 1,114.74 = 1,560.636,
    # 10,000 x 1,560.636 = 15,606,360; excess 40,000 - 0.62 x 60,000 = 2,800 kVArh x 1,114.74 = 3,121,272.
    # RM2 40 x 345 x 1,114.74 = 15,383,412 is lower. PPJ 3% x 74,464,632 = 2,233,938.96 -> 2,233,939.
    # The bill (76,698,571) is above Rp 5,000,000: stamp duty 10,000. Total 76,708,571. Jam nyala 60,000/345 = 173.9
    pairs = {usage: reading(code, prev, OCT, cur, NOV, multiplier="800") for usage, code, prev, cur in [
        (UsageType.ACTIVE_LWBP, "1.8.2", "1200", "1262.5"), (UsageType.ACTIVE_WBP, "1.8.1", "300", "312.5"),
        (UsageType.REACTIVE, "3.8.0", "500", "550")]}
    inputs = BillInputs(OCT, NOV, (ContractSegment(OCT, None, "I-3/TM", 345000),), (catalogue_version("I-3/TM"),),
                        tuple(QuantitySource(u, consumption(p), p) for u, p in pairs.items()))
    bill = price_bill(inputs)
    assert amounts(bill) == [("energy", 55737000), ("energy", 15606360), ("reactive_excess", 3121272),
                             ("tax", 2233939), ("stamp_duty", 10000)]
    assert bill.lines[0].readings == (pairs[UsageType.ACTIVE_LWBP],) and bill.lines[1].rate == D("1560.636")
    assert (bill.subtotal, bill.total, bill.jam_nyala) == (74464632, 76708571, D("173.9"))


R2_CHANGE = (ContractSegment(date(2024, 1, 1), date(2024, 11, 16), "R-2/TR", 3500),
             ContractSegment(date(2024, 11, 16), None, "R-2/TR", 5500))


def test_power_change_on_the_16th_splits_at_the_readings_of_that_day():
    # November, 3,500 VA to 5,500 VA on the 16th, read that day: 250 kWh before, 350 after.
    # 250 x 1,699.53 = 424,882.5 -> 424,883; 350 x 1,699.53 = 594,835.5 -> 594,836.
    # RM1 halves (15/30 days): 40 x 3.5 x 1,699.53 / 2 = 118,967 and 40 x 5.5 x 1,699.53 / 2 = 186,948: both lower.
    # PPJ 3% x 424,883 = 12,746.49 -> 12,746; 3% x 594,836 = 17,845.08 -> 17,845. Total 1,050,310
    first = reading("1.8.0", "10000", NOV, "10250", date(2024, 11, 16))
    second = reading("1.8.0", "10250", date(2024, 11, 16), "10600", date(2024, 12, 1))
    bill = price_bill(BillInputs(NOV, date(2024, 12, 1), R2_CHANGE, (catalogue_version("R-2/TR"),), (
        QuantitySource(UsageType.ACTIVE, D(250), first), QuantitySource(UsageType.ACTIVE, D(350), second))))
    assert amounts(bill) == [("energy", 424883), ("energy", 594836), ("tax", 12746), ("tax", 17845)]
    assert [line.split for line in bill.lines[:2]] == ["by readings", "by readings"]
    assert [p.segment.power_va for p in bill.parts] == [3500, 5500] and bill.total == 1050310


def test_power_change_on_the_16th_without_readings_splits_by_days_and_prorates_the_minimum():
    # 100 kWh, no reading on the 16th: 15/30 days each -> 50 + 50 kWh, 50 x 1,699.53 = 84,976.5 -> 84,977 each.
    # RM1 3,500 VA for 15/30 days = 118,967 -> top-up 33,990; RM1 5,500 VA = 186,948 -> top-up 101,971.
    # PPJ 3% x 118,967 = 3,569.01 -> 3,569; 3% x 186,948 = 5,608.44 -> 5,608. Total 315,092
    bill = price_bill(BillInputs(NOV, date(2024, 12, 1), R2_CHANGE, (catalogue_version("R-2/TR"),),
                                 (QuantitySource(UsageType.ACTIVE, D(100)),)))
    assert amounts(bill) == [("energy", 84977), ("minimum_bill", 33990), ("energy", 84977),
                             ("minimum_bill", 101971), ("tax", 3569), ("tax", 5608)]
    assert bill.lines[0].explain() == "50 kWh x Rp 1,699.53 = Rp 84,977 (1 Nov - 15 Nov 2024, split by days)"
    assert bill.total == 315092


def test_meter_change_on_the_10th_bills_both_meters_with_their_own_multipliers():
    # Old meter 5,000 -> removal 5,060 on the 10th, x1 = 60 kWh; new meter installed at 0, 60 on 1 Nov, x2 = 120.
    # 180 kWh x 1,444.70 = 260,046; PPJ 7,801; total 267,847 (the same as one meter read 180 kWh)
    removed = reading("1.8.0", "5000", OCT, "5060", date(2024, 10, 10), current_type="removal", meter="M-OLD")
    installed = reading("1.8.0", "0", date(2024, 10, 10), "60", NOV, "2", previous_type="installation",
                        meter="M-NEW")
    inputs = month_bill("R-1/TR 1300", 1300)
    bill = price_bill(BillInputs(OCT, NOV, inputs.segments, inputs.versions, (
        QuantitySource(UsageType.ACTIVE, consumption(removed), removed),
        QuantitySource(UsageType.ACTIVE, consumption(installed), installed))))
    assert amounts(bill) == [("energy", 260046), ("tax", 7801)] and bill.total == 267847
    assert bill.lines[0].readings == (removed, installed) and bill.lines[0].split is None


def test_tariff_version_change_inside_the_period():
    # R-1/TR 450 read 16 Sep to 16 Oct 2024 (30 days), 90 kWh; the block version ends 1 Oct: 15/30 days each, 45 kWh.
    # Blocks: fixed 0.45 kVA x 11,000 x 15/30 = 2,475; limits halve to 0-15-30: 15 x 169 = 2,535, 15 x 360 = 5,400,
    # 15 x 495 = 7,425; PPJ 3% x 17,835 = 535.05 -> 535. Q4: 45 x 415 = 18,675 (RM1 40 x 0.45 x 415 / 2 = 3,735 lower);
    # PPJ 3% x 18,675 = 560.25 -> 560. Total 17,835 + 535 + 18,675 + 560 = 37,605
    versions = (catalogue_version("R-1/TR 450", blocks=True, version_id=1),
                catalogue_version("R-1/TR 450", version_id=2))
    bill = price_bill(month_bill("R-1/TR 450", 450, date(2024, 9, 16), date(2024, 10, 16), versions, active=90))
    assert amounts(bill) == [("fixed_per_kva", 2475), ("energy", 2535), ("energy", 5400), ("energy", 7425),
                             ("energy", 18675), ("tax", 535), ("tax", 560)]
    assert [line.version_id for line in bill.lines] == [1, 1, 1, 1, 2, 1, 2] and bill.total == 37605


def test_blocks_apply_per_month():
    # R-1/TR 450, September 2024, 90 kWh: fixed 0.45 x 11,000 = 4,950; 30 x 169 = 5,070; 30 x 360 = 10,800;
    # 30 x 495 = 14,850; PPJ 3% x 35,670 = 1,070.1 -> 1,070; total 36,740
    version = catalogue_version("R-1/TR 450", blocks=True)
    bill = price_bill(month_bill("R-1/TR 450", 450, date(2024, 9, 1), OCT, (version,), active=90))
    assert amounts(bill) == [("fixed_per_kva", 4950), ("energy", 5070), ("energy", 10800), ("energy", 14850),
                             ("tax", 1070)]
    assert bill.total == 36740


def test_correction_and_misc_charge_are_lines_of_their_own():
    # 180 kWh: 260,046; an actual reading adds 12 kWh the estimate missed: 12 x 1,444.70 = 17,336.4 -> 17,336.
    # PPJ 3% x (260,046 + 17,336) = 8,321.46 -> 8,321; reconnection fee 50,000 untaxed. Total 335,703
    base = month_bill("R-1/TR 1300", 1300, active=180)
    inputs = BillInputs(OCT, NOV, base.segments, base.versions, base.quantities,
                        corrections=(Correction(D(12), "actual reading replaces the estimate of 1 Oct"),),
                        misc_charges=(MiscChargeInput("Reconnection fee", D(50000), "reconnected 3 Oct"),))
    bill = price_bill(inputs)
    assert amounts(bill) == [("energy", 260046), ("correction", 17336), ("misc_charge", 50000), ("tax", 8321)]
    assert (bill.subtotal, bill.taxes, bill.total) == (327382, 8321, 335703)


def test_a_taxable_misc_charge_joins_the_tax_base():
    # 260,046 + meter test fee 100,000 (its type taxable): PPJ 3% x 360,046 = 10,801.38 -> 10,801; total 370,847
    base = month_bill("R-1/TR 1300", 1300, active=180)
    fee = MiscChargeInput("Meter test fee", D(100000), "customer asked for a test", charge_id=4, taxable=True)
    bill = price_bill(BillInputs(OCT, NOV, base.segments, base.versions, base.quantities, misc_charges=(fee,)))
    assert amounts(bill) == [("energy", 260046), ("misc_charge", 100000), ("tax", 10801)] and bill.total == 370847


def test_estimated_reading_is_marked_on_its_line():
    pair = reading("1.8.0", "100", OCT, "280", NOV, current_type="estimated")
    base = month_bill("R-1/TR 1300", 1300)
    bill = price_bill(BillInputs(OCT, NOV, base.segments, base.versions,
                                 (QuantitySource(UsageType.ACTIVE, D(180), pair),)))
    assert bill.lines[0].estimated
    assert bill.lines[0].explain() == "180 kWh x Rp 1,444.70 = Rp 260,046 (estimated reading)"


def test_demand_takes_the_larger_meter_and_no_rounding_keeps_exact_amounts():
    # 3 kWh x 1,000.5 = 3,001.5 (rule NONE keeps it); demand max(80, 100) kW x 30,000 = 3,000,000. Total 3,003,001.5
    version = VersionSnapshot(7, "X/TM", "X", OCT, None, "none", D(1), (
        ComponentSnapshot("energy", "Energy", rate=D("1000.5")), ComponentSnapshot("demand", "Demand", rate=D(30000))))
    bill = price_bill(BillInputs(OCT, NOV, (ContractSegment(OCT, None, "X/TM", 300000),), (version,), (
        QuantitySource("active", D(3)), QuantitySource("demand", D(80)), QuantitySource("demand", D(100)))))
    assert amounts(bill) == [("energy", D("3001.5")), ("demand", 3000000)] and bill.total == D("3003001.5")


def test_a_day_without_a_tariff_version_is_refused_with_the_day():
    with pytest.raises(PricingError) as info:
        price_bill(month_bill("R-1/TR 1300", 1300, date(2024, 9, 20), OCT, active=10))
    assert info.value.field == "tariff" and "2024-09-20" in info.value.message


def test_time_of_use_tariff_refuses_single_rate_kwh():
    with pytest.raises(PricingError) as info:
        price_bill(month_bill("I-3/TM", 345000, active=1000))
    assert info.value.field == "kwh"


def test_split_by_days_puts_the_remainder_on_the_last_part():
    # 100 x 10/31 = 32.26 -> 32; 100 x 20/31 = 64.52 -> 65 (second 33); last 100 - 65 = 35
    assert split_by_days(D(100), [10, 10, 11]) == [32, 33, 35]
    assert split_by_days(D("10.5"), [1, 2]) == [D("3.5"), D("7.0")]
