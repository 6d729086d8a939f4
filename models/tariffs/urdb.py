"""Read an OpenEI Utility Rate Database (URDB) tariff into a RateStructure, or refuse it with the reason.

Accepts the API's answer ({"items": [item]}), a bare item, and REopt's inputs (ElectricTariff with
`urdb_response`, or `monthly_energy_rates`/`monthly_demand_rates`). URDB schedules are 0-based.
Whatever cannot be priced exactly from kW interval data is refused: coincident demand, reactive
(kVAr) charges, demand ratchets, units other than kWh / kW / $ per month or day, a missing schedule.
"""
from __future__ import annotations

from models.errors import DomainError
from models.tariffs.rate_structures import RateStructure, Tier, money, schedule

_REFUSED_KEYS = {
    "coincidentratestructure": "coincident demand charges need the system peak's time, which the load does not carry",
    "demandratchetpercentage": "demand ratchets depend on earlier months' demand outside the priced year",
}


def _first(item: dict, *names):
    for name in names:
        if item.get(name) not in (None, ""):
            return item[name]
    return None


def _tiers(structure, name: str, unit_ok: tuple[str, ...]) -> tuple[tuple[Tier, ...], ...]:
    if not isinstance(structure, list) or not structure:
        raise DomainError(f"{name} is empty or not a list of periods", field=name)
    out = []
    for p, period in enumerate(structure):
        if not isinstance(period, list) or not period:
            raise DomainError(f"period {p} has no tiers", field=name)
        tiers = []
        for tier in period:
            if not isinstance(tier, dict) or "rate" not in tier:
                raise DomainError(f"period {p} has a tier without a rate", field=name)
            unit = tier.get("unit")
            if unit is not None and unit not in unit_ok:
                raise DomainError(f"unit {unit!r} cannot be priced exactly (only {', '.join(unit_ok)})",
                                  field=name)
            if tier.get("sell"):
                raise DomainError("sell rates (export) are not priced", field=name)
            rate = money(tier["rate"], name) + money(tier.get("adj") or 0, name)
            top = tier.get("max")
            tiers.append(Tier(None if top is None else money(top, name), rate))
        # URDB marks an open last tier with a huge max (1e14): treat it as open.
        if tiers[-1].max is not None and tiers[-1].max >= 10 ** 12:
            tiers[-1] = Tier(None, tiers[-1].rate)
        out.append(tuple(tiers))
    return tuple(out)


def _energy_unit(structure) -> str:
    units = {t.get("unit", "kWh") for period in structure for t in period if isinstance(t, dict)}
    if len(units) > 1:
        raise DomainError(f"energy tiers mix units {sorted(units)}", field="energyratestructure")
    return units.pop() if units else "kWh"


def _per_month(item: dict, amount_key: str, unit_key: str, label: str):
    """A charge in $/month; $/day is refused (it would need the bill's days, URDB's own tools differ)."""
    amount = _first(item, amount_key)
    if amount is None:
        return money(0, label), False
    unit = item.get(unit_key) or "$/month"
    if unit == "$/month":
        return money(amount, label), False
    if unit == "$/year" and label == "mincharge":
        return money(amount, label), True
    raise DomainError(f"{label} in {unit!r} cannot be priced exactly (only $/month)", field=label)


def from_reopt(data: dict) -> dict:
    """REopt's ElectricTariff as a URDB item (monthly rates become 12 one-period months)."""
    tariff = data["ElectricTariff"]
    if "urdb_response" in tariff:
        return tariff["urdb_response"]
    if "monthly_energy_rates" in tariff:
        months = [[m] * 24 for m in range(12)]
        item = {"name": "REopt monthly rates", "energyweekdayschedule": months, "energyweekendschedule": months,
                "energyratestructure": [[{"rate": r, "unit": "kWh"}] for r in tariff["monthly_energy_rates"]]}
        if tariff.get("monthly_demand_rates"):
            item["flatdemandstructure"] = [[{"rate": r}] for r in tariff["monthly_demand_rates"]]
            item["flatdemandmonths"] = list(range(12))
        return item
    raise DomainError("REopt's ElectricTariff has no urdb_response or monthly rates (a URDB label or blended "
                      "rates would need the URDB service)", field="ElectricTariff")


def parse_urdb(data: dict) -> RateStructure:
    if "items" in data:
        items = data["items"]
        if not isinstance(items, list) or len(items) != 1:
            raise DomainError("the URDB answer must hold exactly one tariff item", field="items")
        data = items[0]
    if "ElectricTariff" in data:
        data = from_reopt(data)
    for key, reason in _REFUSED_KEYS.items():
        if data.get(key):
            raise DomainError(f"{reason}", field=key)
    if money(data.get("demandreactivepowercharge") or 0, "demandreactivepowercharge"):
        raise DomainError("a reactive (kVAr) demand charge cannot be priced from kW "
                          "load", field="demandreactivepowercharge")
    for key in ("demandunits", "demandrateunit", "demandRateUnits", "flatdemandunit", "flatDemandUnits"):
        if data.get(key) not in (None, "kW"):
            raise DomainError(f"demand in {data[key]!r} cannot be priced from kW load", field=key)
    if "energyratestructure" not in data:
        raise DomainError("no energyratestructure: not a tariff this system can price", field="energyratestructure")
    for key in ("energyweekdayschedule", "energyweekendschedule"):
        if key not in data:
            raise DomainError(f"{key} is missing: the energy periods cannot be placed in time", field=key)
    unit = _energy_unit(data["energyratestructure"])
    energy = _tiers(data["energyratestructure"], "energyratestructure", ("kWh", "kWh daily"))
    demand, dweek, dwknd = (), None, None
    if data.get("demandratestructure"):
        for key in ("demandweekdayschedule", "demandweekendschedule"):
            if key not in data:
                raise DomainError(f"{key} is missing: the TOU demand periods cannot be placed in time", field=key)
        demand = _tiers(data["demandratestructure"], "demandratestructure", ("kW",))
        dweek = schedule(data["demandweekdayschedule"], "demandweekdayschedule")
        dwknd = schedule(data["demandweekendschedule"], "demandweekendschedule")
    flat, flat_months = (), None
    if data.get("flatdemandstructure"):
        if data.get("flatdemandmonths") is None:
            raise DomainError("flatdemandmonths is missing: the flat demand rates cannot be placed in months",
                              field="flatdemandmonths")
        flat = _tiers(data["flatdemandstructure"], "flatdemandstructure", ("kW",))
        flat_months = tuple(int(m) for m in data["flatdemandmonths"])
    fixed_key = "fixedchargefirstmeter" if _first(data, "fixedchargefirstmeter") is not None else "fixedmonthlycharge"
    fixed, _ = _per_month(data, fixed_key, "fixedchargeunits", "fixedchargefirstmeter")
    minimum, annual = _per_month(data, "mincharge", "minchargeunits", "mincharge")
    return RateStructure(
        name=str(_first(data, "name", "label") or "URDB tariff"),
        energy_weekday=schedule(data["energyweekdayschedule"], "energyweekdayschedule"),
        energy_weekend=schedule(data["energyweekendschedule"], "energyweekendschedule"),
        energy_rates=energy, energy_tier_unit=unit, demand_weekday=dweek, demand_weekend=dwknd,
        demand_rates=demand, flat_demand_months=flat_months, flat_demand_rates=flat, fixed_monthly=fixed,
        minimum_monthly=minimum if not annual else money(0, "mincharge"),
        minimum_annual=minimum if annual else money(0, "mincharge"),
        notes=tuple(n for n in [str(data.get("uri") or "")] if n))
