"""Demo reading history: 24 monthly readings per register (`--months`) on the route's day, seasonal by tariff class,
with some estimates (later superseded by an actual reading), anomalies and reader notes; a reading
cycle per route for last month (closed) and this month (open) with their orders.

Consumption per day = contracted kVA x load hours of the class x a per-customer factor; residential
use swings most with the hot months (April-May and October-November), industry least. Medium voltage
meters split energy into WBP (about a fifth) and LWBP, with kVArh and a maximum-demand register.
Prepaid contracts are not read.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal as D

from models.contracts.entities import Cycle
from models.meters.entities import UsageType
from models.readings.entities import (
    AnomalyCode,
    AnomalyStatus,
    CycleStatus,
    OrderStatus,
    Reading,
    ReadingAnomaly,
    ReadingCycle,
    ReadingOrder,
    ReadingStatus,
    ReadingType,
)
from models.readings.estimation import estimate_value, expected_range
from models.readings.operations import RegisterContext
from models.readings.validation import Limits, advance

MONTHS = 24
SWING = {"R": 0.14, "B": 0.07, "P": 0.06, "S": 0.06, "I": 0.03, "L": 0.0}
LOAD_HOURS = {"R": 4.0, "B": 6.5, "P": 5.0, "S": 5.0, "I": 11.0, "L": 3.0}
LIMITS = Limits()      # the default band: the demo configures no reading rules
SHARE = {"1.8.0": D(1), "1.8.1": D("0.21"), "1.8.2": D("0.79"), "3.8.0": D("0.45")}


@dataclass
class DemoRegister:
    id: int
    code: str
    usage: UsageType
    multiplier: D
    digits: int
    decimals: int
    value: D                 # the installation reading


def _month_starts(as_of: date, months: int = MONTHS) -> list[date]:
    """The first days of the `months` months before `as_of`'s. Billing a month counts from the reading
    before it, so fewer than two would leave the last month nothing to bill from."""
    first = as_of.replace(day=1)
    out = []
    for back in range(max(months, 2), 0, -1):
        year, month = divmod(first.year * 12 + first.month - 1 - back, 12)
        out.append(date(year, month + 1, 1))
    return out


def _season(day: date, tariff_class: str) -> float:
    # two hot spells a year: peaks in April-May and October-November
    return 1 + SWING.get(tariff_class[:1], 0.05) * math.cos(2 * math.pi * (day.month - 4.5) / 6)


def _at(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


def history(s, sp_id: int, route, registers: list[DemoRegister], installed: date, tariff_class: str,
            power_va: int, until: date | None = None) -> tuple[dict[int, tuple[date, D]], float]:
    """Append the readings, anomalies, cycles and orders of one service point to the loader's rows; the
    registers' last readings and the use a day. `until`: the meter comes out that day (a meter change),
    so it is read before it only and has no reading orders."""
    rng = s.rng
    daily = power_va / 1000 * LOAD_HOURS.get(tariff_class[:1], 4.0) * rng.uniform(0.6, 1.4)
    months = [m.replace(day=route.scheduled_day) for m in _month_starts(s.as_of, s.months)]
    months = [m for m in months if installed < m and (until is None or m < until)]
    this_month = s.as_of.replace(day=route.scheduled_day)
    read_now = until is None and bool(months) and this_month <= s.as_of and rng.random() < 0.85
    plan = months + ([this_month] if read_now else [])
    current = {r.id: (installed, r.value) for r in registers}          # latest reading, estimates included
    actual = dict(current)                                             # latest non-estimate
    pending: dict[int, list] = {r.id: [] for r in registers}          # estimates awaiting the next actual
    last_reading: dict[int, int] = {}
    for n, day in enumerate(plan):
        before = dict(current)
        estimate = 0 < n < len(months) - 1 and rng.random() < 0.03
        spike = not estimate and rng.random() < 0.01
        note = AnomalyCode.DANGEROUS_DOG if estimate and rng.random() < 0.3 else AnomalyCode.NO_ACCESS
        kwh = daily * _season(day, tariff_class) * rng.uniform(0.9, 1.1) * (4 if spike else 1)
        rollovers = []
        for r in registers:
            base_day, base_value = current[r.id] if estimate else actual[r.id]
            days = (day - base_day).days
            if r.usage is UsageType.DEMAND:
                value = (D(power_va / 1000 * rng.uniform(0.45, 0.8)) / r.multiplier).quantize(D("0.01"))
                used = value * r.multiplier
            else:
                # an actual reading is made up the way an estimate is worked out, at the month's synthetic use
                units_a_day = D(kwh) * SHARE.get(r.code, D(1))
                value = estimate_value(_context(s, r, (base_day, base_value), units_a_day), day, units_a_day,
                                       r.decimals)
                advanced, wrapped = advance(base_value, value, r.digits)
                used = None if advanced is None else advanced * r.multiplier
                if wrapped and not estimate:
                    rollovers.append((r, wrapped))
            if days > 45 and n == 0:
                used = None      # the oldest reading kept: what it consumed since installation is history
            reading_id = s.next_id(Reading)
            last_reading[r.id] = reading_id
            row = {"id": reading_id, "register_id": r.id, "read_on": day, "value": value, "installation_id": None,
                   "reading_type": ReadingType.ESTIMATED if estimate else ReadingType.ACTUAL,
                   "source": f"estimate, cycle {route.code} {day:%Y-%m}" if estimate else f"route {route.code}",
                   "by": "demo-data", "created_at": _at(day), "consumption": used,
                   "status": ReadingStatus.ANOMALY if spike else ReadingStatus.VALID,
                   "superseded_by_id": None, "correction": None}
            if estimate:
                pending[r.id].append((reading_id, used or D(0)))
                if r.code == registers[0].code:
                    _anomaly(s, reading_id, note, "reader's note, estimated", AnomalyStatus.RESOLVED)
            else:
                if pending[r.id] and used is not None and r.usage is not UsageType.DEMAND:
                    row["correction"] = used - sum(u for _, u in pending[r.id])
                for estimate_id, _ in pending[r.id]:
                    s.superseded.append({"e": estimate_id, "a": reading_id})
                pending[r.id] = []
                actual[r.id] = (day, value)
                if spike and used is not None and r.code in ("1.8.0", "1.8.2"):
                    _anomaly(s, reading_id, AnomalyCode.HIGH_CONSUMPTION, f"{used} against about {used / 4:.0f}",
                             AnomalyStatus.OPEN if n >= len(months) - 3 else AnomalyStatus.RESOLVED)
            current[r.id] = (day, value)
            s.rows[Reading].append(row)
            if rollovers and rollovers[-1][0] is r:
                if rollovers[-1][1] is AnomalyCode.NEGATIVE_CONSUMPTION:
                    row["status"] = ReadingStatus.ANOMALY
                _anomaly(s, reading_id, rollovers[-1][1], f"{value} after {base_value}", AnomalyStatus.RESOLVED)
        if n >= len(months) - 1 and until is None:   # last month's closed cycle, and this month's if read
            _order(s, route, day, sp_id, registers, before, daily, OrderStatus.READ, last_reading)
    if months and not read_now and until is None:
        _order(s, route, this_month, sp_id, registers, current, daily, OrderStatus.OPEN)
    return current, daily


def _context(s, r: DemoRegister, previous: tuple[date, D], daily: D) -> RegisterContext:
    """What the estimation rules need of a register, from the loader's rows instead of the database."""
    return RegisterContext(register_id=r.id, digits=r.digits, multiplier=r.multiplier, installed_on=None,
                           active_contract=True, limits=LIMITS, previous=previous, average_daily=daily, zero_run=0,
                           demand=r.usage is UsageType.DEMAND, today=s.as_of)


def _anomaly(s, reading_id: int, code: AnomalyCode, detail: str, status: AnomalyStatus) -> None:
    s.rows[ReadingAnomaly].append({"id": s.next_id(ReadingAnomaly), "reading_id": reading_id, "code": code,
                                   "status": status, "detail": detail[:300], "service_order_id": None,
                                   "process_instance_id": None})


def _cycle(s, route, day: date) -> tuple[int, int]:
    key = (route.id, day.replace(day=1))
    if key not in s.cycles:
        open_ = day.replace(day=1) == s.as_of.replace(day=1)
        cycle_id = s.next_id(ReadingCycle)
        s.rows[ReadingCycle].append({
            "id": cycle_id, "route_id": route.id, "period": key[1], "billing_cycle": Cycle.MONTHLY, "scheduled_on": day,
            "status": CycleStatus.OPEN if open_ else CycleStatus.CLOSED, "created_at": _at(key[1]),
            "closed_at": None if open_ else _at(day + timedelta(days=5)), "closed_by": None if open_ else "demo-data"})
        s.cycles[key] = [cycle_id, 0]
    s.cycles[key][1] += 1
    return s.cycles[key][0], s.cycles[key][1]


def _order(s, route, day, sp_id, registers, previous: dict, daily: float, status, reading_ids=None) -> None:
    for r in registers:
        cycle_id, sequence = _cycle(s, route, day)
        previous_on, previous_value = previous[r.id]
        low, high = expected_range(_context(s, r, previous[r.id], D(daily) * SHARE.get(r.code, D(1))), day)
        s.rows[ReadingOrder].append({
            "id": s.next_id(ReadingOrder), "cycle_id": cycle_id, "sequence": sequence, "service_point_id": sp_id,
            "register_id": r.id, "previous_on": previous_on, "previous_value": previous_value, "expected_low": low,
            "expected_high": high, "status": status, "reading_id": reading_ids[r.id] if reading_ids else None,
            "remark": None})
