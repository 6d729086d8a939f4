"""Price interval load through a rate structure: pure Decimal functions, no database.

Each interval goes to its period by the local month, weekday/weekend and hour of its start (URDB and
SAM schedules are by whole local hours; an interval that crosses an hour boundary is refused rather
than split by guess). Energy is the interval's kWh; demand is its average kW (kWh / hours).
Line amounts are exact; each is rounded to the cent once (ROUND_HALF_UP), totals add the rounded lines.
"""
from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from models.errors import DomainError
from models.tariffs.rate_structures import RateStructure, Tier

CENT = Decimal("0.01")
DEFAULT_YEAR = 2018        # NREL's test data: not a leap year, 1 January is a Monday


@dataclass
class MonthQuantities:
    days: int
    energy: dict[int, Decimal]            # energy period -> kWh
    demand: dict[int, Decimal]            # demand period -> highest interval kW
    peak: Decimal                         # the month's highest interval kW (flat demand)


def _weekend(day: date) -> bool:
    return day.weekday() >= 5


def interval_quantities(structure: RateStructure, intervals: Iterable[tuple[datetime, int, Decimal]],
                        period: tuple[date, date], zone: ZoneInfo | None = None) -> MonthQuantities:
    """Per-period kWh and per-period highest kW of the intervals starting in [period) local days.

    `intervals` are (start, minutes, kWh); an aware start is read in `zone` (the business zone by
    default), a naive one is already local. Billing calls this with one meter's import channel for a
    bill period and prices the result like register quantities.
    """
    if zone is None:
        from models.clock import business_zone
        zone = business_zone()
    first, end = period
    energy: dict[int, Decimal] = {}
    demand: dict[int, Decimal] = {}
    peak = Decimal(0)
    for start, minutes, kwh in intervals:
        local = start.astimezone(zone).replace(tzinfo=None) if start.tzinfo else start
        if not first <= local.date() < end:
            continue
        if minutes <= 0 or 60 % minutes or local.minute % minutes:
            raise DomainError(f"an interval of {minutes} minutes at {local:%Y-%m-%d %H:%M} does not sit inside "
                              "one hour of the schedule", field="intervals")
        weekend = _weekend(local.date())
        m, h = local.month - 1, local.hour
        p = (structure.energy_weekend if weekend else structure.energy_weekday)[m][h]
        energy[p] = energy.get(p, Decimal(0)) + kwh
        kw = kwh * 60 / minutes
        if kw > peak:
            peak = kw
        if structure.demand_weekday is not None:
            d = (structure.demand_weekend if weekend else structure.demand_weekday)[m][h]
            if kw > demand.get(d, Decimal(-1)):
                demand[d] = kw
    return MonthQuantities((end - first).days, energy, demand, peak)


def hour_quantities(structure: RateStructure, hours: Iterable[tuple], days: int) -> MonthQuantities:
    """Per-period kWh and highest kW of interval data already summed per local (day, hour, kWh, kW, ...).

    Billing's form of interval_quantities: the bill's intervals are bucketed to hours once
    (models.billing.interval_gather), and each part of the bill sorts them with its own version's schedule.
    """
    ew, ee, dw, de = (structure.energy_weekday, structure.energy_weekend, structure.demand_weekday,
                      structure.demand_weekend)
    energy: dict[int, Decimal] = {}
    demand: dict[int, Decimal] = {}
    peak = Decimal(0)
    for day, hour, kwh, kw, *_ in hours:
        weekend = day.weekday() >= 5
        m = day.month - 1
        p = (ee if weekend else ew)[m][hour]
        energy[p] = energy.get(p, Decimal(0)) + kwh
        if kw > peak:
            peak = kw
        if dw is not None:
            d = (de if weekend else dw)[m][hour]
            if kw > demand.get(d, Decimal(-1)):
                demand[d] = kw
    return MonthQuantities(days, energy, demand, peak)


def _tiered(quantity: Decimal, tiers: Sequence[Tier], scale: Decimal | int = 1):
    """(quantity, rate) per tier reached; bounds are cumulative, times `scale` (days for daily tiers)."""
    below = Decimal(0)
    for tier in tiers:
        top = None if tier.max is None else tier.max * scale
        part = quantity - below if top is None else min(quantity, top) - below
        if part > 0:
            yield part, tier.rate
        if top is None or quantity <= top:
            return
        below = top
    # Past the last closed bound: URDB and SAM bill the excess at the last tier's rate.
    if quantity > below:
        yield quantity - below, tiers[-1].rate


def _line(label: str, quantity: Decimal, unit: str, rate: Decimal) -> dict:
    return {"label": label, "quantity": quantity, "unit": unit, "rate": rate,
            "amount": (quantity * rate).quantize(CENT, ROUND_HALF_UP)}


def price_month(structure: RateStructure, month: int, q: MonthQuantities,
                month_share: Decimal | None = None) -> list[dict]:
    """The month's lines: energy per period and tier, TOU demand, flat demand, fixed, minimum top-up.

    `month_share` (a bill part's days / the month's days) prorates the monthly energy tier bounds, the fixed
    charge and the minimum; daily tiers scale with `q.days` alone. Demand tiers stay as they are.
    """
    lines = []
    scale = q.days if structure.energy_tier_unit == "kWh daily" else (month_share or 1)
    total = sum(q.energy.values(), Decimal(0))
    for p in sorted(q.energy):
        tiers = structure.energy_rates[p]
        # Tier bounds count the month's total kWh over every period (SAM's and REopt's rule); the
        # period's share of each tier is its share of the month (28 significant digits).
        share = (q.energy[p] / total if total else Decimal(0)) if len(q.energy) > 1 else Decimal(1)
        for i, (month_kwh, rate) in enumerate(_tiered(total, tiers, scale)):
            kwh = month_kwh * share if share != 1 else month_kwh
            tier = f" tier {i + 1}" if len(tiers) > 1 else ""
            lines.append(_line(f"energy period {p}{tier}", kwh, "kWh", rate))
    for p in sorted(q.demand):
        tiers = structure.demand_rates[p]
        for i, (kw, rate) in enumerate(_tiered(q.demand[p], tiers)):
            if rate:
                tier = f" tier {i + 1}" if len(tiers) > 1 else ""
                lines.append(_line(f"demand period {p}{tier}", kw, "kW", rate))
    if structure.flat_demand_months is not None:
        fp = structure.flat_demand_months[month - 1]
        tiers = structure.flat_demand_rates[fp]
        for i, (kw, rate) in enumerate(_tiered(q.peak, tiers)):
            if rate:
                tier = f" tier {i + 1}" if len(tiers) > 1 else ""
                lines.append(_line(f"flat demand{tier}", kw, "kW", rate))
    months = Decimal(1) if month_share is None else month_share
    if structure.fixed_monthly:
        lines.append(_line("fixed monthly charge", months, "month", structure.fixed_monthly))
    subtotal = sum((line["amount"] for line in lines), Decimal(0))
    minimum = structure.minimum_monthly if month_share is None else (structure.minimum_monthly * month_share).quantize(
        CENT, ROUND_HALF_UP)
    if minimum and subtotal < minimum:
        lines.append(_line("minimum monthly charge top-up", Decimal(1), "month", minimum - subtotal))
    return lines


def price_year(structure: RateStructure, kw: Sequence[Decimal], year: int = DEFAULT_YEAR) -> dict:
    """Price a year of equal intervals of average kW, from 1 January 00:00 local (no DST, NREL's way).

    8,760 (8,784 in a leap year) values are hours, four times that quarter hours. Returns
    {"months": [{"month", "lines", "total"}...12], "total"}.
    """
    hours = 366 * 24 if calendar.isleap(year) else 365 * 24
    if len(kw) == hours:
        per_hour = 1
    elif len(kw) == hours * 4:
        per_hour = 4
    else:
        raise DomainError(f"{len(kw)} values are not a year of hourly ({hours}) or 15-minute ({hours * 4}) "
                          f"load for {year}", field="load")
    months = [_empty_month(structure, year, m) for m in range(1, 13)]
    ew, ee = structure.energy_weekday, structure.energy_weekend
    dw, de = structure.demand_weekday, structure.demand_weekend
    fraction = Decimal(1) / per_hour if per_hour > 1 else None
    day, i = date(year, 1, 1), 0
    one = timedelta(days=1)
    zero = Decimal(0)
    while day.year == year:
        q = months[day.month - 1]
        m = day.month - 1
        weekend = day.weekday() >= 5
        erow = (ee if weekend else ew)[m]
        drow = None if dw is None else (de if weekend else dw)[m]
        energy, demand = q.energy, q.demand
        peak = q.peak
        for h in range(24):
            if per_hour == 1:
                top = kwh = kw[i]
            else:
                chunk = kw[i:i + per_hour]
                top, kwh = max(chunk), sum(chunk, zero)
            i += per_hour
            if top > peak:
                peak = top
            if drow is not None:
                d = drow[h]
                if top > demand.get(d, zero):
                    demand[d] = top
            p = erow[h]
            energy[p] = energy.get(p, zero) + kwh
        q.peak = peak
        day += one
    out, total = [], Decimal(0)
    for m, q in enumerate(months, start=1):
        if fraction is not None:
            q.energy = {p: v * fraction for p, v in q.energy.items()}
        if dw is not None:
            # A period the month's schedule uses but the load never exceeded 0 kW still bills 0 kW.
            for p in _periods_in_month(structure, m):
                q.demand.setdefault(p, zero)
        lines = price_month(structure, m, q)
        month_total = sum((line["amount"] for line in lines), Decimal(0))
        out.append({"month": m, "lines": lines, "total": month_total})
        total += month_total
    if structure.minimum_annual and total < structure.minimum_annual:
        top_up = structure.minimum_annual - total
        out[-1]["lines"].append(_line("minimum annual charge top-up", Decimal(1), "year", top_up))
        out[-1]["total"] += out[-1]["lines"][-1]["amount"]
        total += out[-1]["lines"][-1]["amount"]
    return {"months": out, "total": total}


def _empty_month(structure: RateStructure, year: int, month: int) -> MonthQuantities:
    return MonthQuantities(calendar.monthrange(year, month)[1], {}, {}, Decimal(0))


def _periods_in_month(structure: RateStructure, month: int) -> set[int]:
    return set(structure.demand_weekday[month - 1]) | set(structure.demand_weekend[month - 1])


def check_load(values: Sequence[Decimal]) -> None:
    """Refuse export (negative kW): net metering and sell rates are not priced here."""
    for n, v in enumerate(values, start=1):
        if v < 0:
            raise DomainError(f"value {n} is {v} kW: export (negative load) is not priced", field="load")
