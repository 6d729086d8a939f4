"""Read an NREL SAM tariff (the `ur_*` inputs of ssc's utilityrate5) into a RateStructure, or refuse it.

SAM writes schedules as flat 288-value lists (12 months x 24 hours, periods 1-based) and rates as
flat matrices: ur_ec_tou_mat rows (period, tier, max, max unit, buy, sell), ur_dc_tou_mat rows
(period, tier, max kW, charge), ur_dc_flat_mat rows (month 0-11, tier, max kW, charge). Tier max
1e38 is SAM's open tier. Units SAM defines relative to demand (kWh/kW) are refused.
"""
from __future__ import annotations

from decimal import Decimal

from models.errors import DomainError
from models.tariffs.rate_structures import RateStructure, Tier, money, schedule

OPEN = Decimal("1e37")
_EC_UNITS = {0: "kWh", 2: "kWh daily"}


def _rows(data: dict, key: str, width: int) -> list[list]:
    flat = data.get(key)
    if not isinstance(flat, list) or not flat or len(flat) % width:
        raise DomainError(f"{key} must be a flat list of rows of {width} numbers", field=key)
    return [flat[i:i + width] for i in range(0, len(flat), width)]


def _sched(data: dict, key: str, periods: dict[int, int]) -> tuple[tuple[int, ...], ...]:
    flat = data.get(key)
    if not isinstance(flat, list) or len(flat) != 288:
        raise DomainError(f"{key} is missing or not 288 values (12 months x 24 hours)", field=key)
    grid = [flat[m * 24:(m + 1) * 24] for m in range(12)]
    for row in grid:
        for cell in row:
            if cell not in periods:
                raise DomainError(f"{key} names period {cell!r}, which has no rate", field=key)
    return schedule([[periods[c] for c in row] for row in grid], key)


def _group(rows, key: str, rate_index: int) -> tuple[dict[int, int], tuple[tuple[Tier, ...], ...]]:
    by_period: dict[int, list] = {}
    for row in rows:
        by_period.setdefault(int(row[0]), []).append(row)
    numbers = sorted(by_period)
    out = []
    for number in numbers:
        tiers = []
        for row in sorted(by_period[number], key=lambda r: r[1]):
            top = money(row[2], key)
            tiers.append(Tier(None if top >= OPEN else top, money(row[rate_index], key)))
        out.append(tuple(tiers))
    return {float(n): i for i, n in enumerate(numbers)} | {n: i for i, n in enumerate(numbers)}, tuple(out)


def parse_sam(data: dict) -> RateStructure:
    for key, reason in (("ur_en_ts_buy_rate", "time-series buy rates"),
                        ("ur_enable_billing_demand", "billing demand (ratchets over earlier months)")):
        if data.get(key):
            raise DomainError(f"{reason} are not priced here", field=key)
    ec = _rows(data, "ur_ec_tou_mat", 6)
    units = {int(r[3]) for r in ec}
    if not units <= set(_EC_UNITS) or len(units) > 1:
        raise DomainError(f"ur_ec_tou_mat: tier units {sorted(units)} cannot be priced exactly "
                          "(only 0 = kWh or 2 = kWh daily, not mixed)", field="ur_ec_tou_mat")
    if any(money(r[5], "ur_ec_tou_mat") for r in ec):
        raise DomainError("ur_ec_tou_mat: sell rates (export) are not priced", field="ur_ec_tou_mat")
    ec_periods, energy = _group(ec, "ur_ec_tou_mat", 4)
    demand, dweek, dwknd, flat, flat_months = (), None, None, (), None
    if data.get("ur_dc_enable"):
        if data.get("ur_dc_tou_mat"):
            dc_periods, demand = _group(_rows(data, "ur_dc_tou_mat", 4), "ur_dc_tou_mat", 3)
            dweek = _sched(data, "ur_dc_sched_weekday", dc_periods)
            dwknd = _sched(data, "ur_dc_sched_weekend", dc_periods)
        if data.get("ur_dc_flat_mat"):
            month_rows = _rows(data, "ur_dc_flat_mat", 4)
            months, flat = _group(month_rows, "ur_dc_flat_mat", 3)
            if sorted({int(r[0]) for r in month_rows}) != list(range(12)):
                raise DomainError("ur_dc_flat_mat must have rows for months 0-11", field="ur_dc_flat_mat")
            flat_months = tuple(months[m] for m in range(12))
    annual = money(data.get("ur_annual_min_charge") or 0, "ur_annual_min_charge")
    return RateStructure(
        name=str(data.get("name") or "SAM tariff"),
        energy_weekday=_sched(data, "ur_ec_sched_weekday", ec_periods),
        energy_weekend=_sched(data, "ur_ec_sched_weekend", ec_periods),
        energy_rates=energy, energy_tier_unit=_EC_UNITS[units.pop()],
        demand_weekday=dweek, demand_weekend=dwknd, demand_rates=demand,
        flat_demand_months=flat_months, flat_demand_rates=flat,
        fixed_monthly=money(data.get("ur_monthly_fixed_charge") or 0, "ur_monthly_fixed_charge"),
        minimum_monthly=money(data.get("ur_monthly_min_charge") or 0, "ur_monthly_min_charge"),
        minimum_annual=annual)


def parse_tariff(data) -> RateStructure:
    """A tariff file's JSON, SAM or URDB (or REopt's wrapper), detected by its keys."""
    from models.tariffs.urdb import parse_urdb
    if not isinstance(data, dict):
        raise DomainError("a tariff file is a JSON object", field="file")
    if any(k.startswith("ur_") for k in data):
        return parse_sam(data)
    if {"items", "energyratestructure", "ElectricTariff"} & set(data):
        return parse_urdb(data)
    raise DomainError("neither a URDB tariff (energyratestructure) nor a SAM tariff (ur_* keys)", field="file")
