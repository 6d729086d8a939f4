"""Each validation rule with hand-computed consumption."""
from decimal import Decimal as D

from models.readings.entities import AnomalyCode as A
from models.readings.validation import Limits, advance, judge


def codes(verdict):
    return [code for code, _ in verdict.anomalies]


def test_consumption_is_the_advance_times_the_multiplier():
    verdict = judge(D("1200"), D("1450"), 6, D("40"), days=30, average_daily=D("300"), active_contract=True,
                    recent_zero_runs=0)
    assert (verdict.consumption, codes(verdict)) == (D("10000"), [])     # 250 x 40 = 10,000 vs 9,000 expected


def test_rollover_from_the_registers_digits():
    assert advance(D("99950"), D("30"), 5) == (D("80"), A.ROLLOVER)       # 100,000 - 99,950 + 30
    verdict = judge(D("99950"), D("30"), 5, D("1"), 30, D("3"), True, 0)
    assert (verdict.consumption, codes(verdict)) == (D("80"), [A.ROLLOVER])


def test_a_drop_far_from_the_end_is_negative_consumption():
    verdict = judge(D("5000"), D("4990"), 5, D("1"), 30, D("3"), True, 0)
    assert (verdict.consumption, codes(verdict)) == (None, [A.NEGATIVE_CONSUMPTION])


def test_zero_consumption_on_an_active_contract_only():
    assert codes(judge(D("10"), D("10"), 6, D("1"), 30, None, True, 0)) == [A.ZERO_CONSUMPTION]
    assert codes(judge(D("10"), D("10"), 6, D("1"), 30, None, False, 0)) == []


def test_meter_stopped_after_n_readings_without_advance():
    assert codes(judge(D("10"), D("10"), 6, D("1"), 30, None, True, recent_zero_runs=2)) == [A.METER_STOPPED]
    limits = Limits(stopped_periods=5)
    assert codes(judge(D("10"), D("10"), 6, D("1"), 30, None, True, 2, limits)) == [A.ZERO_CONSUMPTION]


def test_consumption_outside_the_history_band():
    high = judge(D("0"), D("1000"), 6, D("1"), days=30, average_daily=D("10"), active_contract=True,
                 recent_zero_runs=0)                                     # 1,000 > 3 x 300
    low = judge(D("0"), D("50"), 6, D("1"), 30, D("10"), True, 0)       # 50 < 0.2 x 300
    wide = judge(D("0"), D("1000"), 6, D("1"), 30, D("10"), True, 0, Limits(high_factor=D(4)))
    assert (codes(high), codes(low), codes(wide)) == ([A.HIGH_CONSUMPTION], [A.LOW_CONSUMPTION], [])


def test_first_reading_has_no_consumption():
    assert judge(None, D("123"), 6, D("1"), None, None, True, 0).consumption is None
