"""Rate structures as URDB and NREL SAM express them: TOU schedules, tiers, demand charges.

A structure is plain data (JSON-able) so that it is edited in the admin, stored with a tariff version
and priced by a pure function (models.tariffs.interval_pricing). Conventions, chosen to price every
imported tariff exactly as its source defines it:
- schedules are 12 x 24 matrices (month x local hour -> period index, 0-based), one for weekdays
  (Monday-Friday) and one for weekends; energy and demand have their own;
- a period's tiers are ordered; `max` is the cumulative upper bound of the tier within the month
  (kWh for energy, kW for demand), None for the last, open tier; a tier rate already includes the
  source's adjustment (URDB `rate + adj`);
- energy tier bounds count the month's total kWh over all periods; each period bills its share of
  every tier at its own tier rates (SAM utilityrate5's rule, verified against PySAM; REopt requires
  equal bounds in every period and gives the same result);
  `energy_tier_unit` "kWh daily" means the bounds are per day and scale with the month's days;
- TOU demand is the highest interval average kW inside the period in the month; flat demand is the
  month's highest, priced with the tiers of the flat period that `flat_demand_months` names;
- fixed_monthly is per month; minimum_monthly tops a month up, minimum_annual tops the year up;
- `tou_periods` (optional) names each energy period's time-of-use period ("lwbp", "wbp" or "all") for
  a version priced by its components (PLN's WBP/LWBP): the schedule then only sorts interval data
  into the registers' periods, and the components price them (models.billing.pricing).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import db
from models.errors import DomainError

MONTHS, HOURS = 12, 24
MAX_PERIODS = 100       # URDB tariffs have a handful; a bound keeps hostile JSON cheap
ENERGY_TIER_UNITS = ("kWh", "kWh daily")
TOU_NAMES = ("lwbp", "wbp", "all")


@dataclass(frozen=True)
class Tier:
    max: Decimal | None
    rate: Decimal


Schedule = tuple[tuple[int, ...], ...]       # [month][hour] -> period


@dataclass(frozen=True)
class RateStructure:
    name: str
    energy_weekday: Schedule
    energy_weekend: Schedule
    energy_rates: tuple[tuple[Tier, ...], ...]
    energy_tier_unit: str = "kWh"
    demand_weekday: Schedule | None = None
    demand_weekend: Schedule | None = None
    demand_rates: tuple[tuple[Tier, ...], ...] = ()
    flat_demand_months: tuple[int, ...] | None = None
    flat_demand_rates: tuple[tuple[Tier, ...], ...] = ()
    fixed_monthly: Decimal = Decimal(0)
    minimum_monthly: Decimal = Decimal(0)
    minimum_annual: Decimal = Decimal(0)
    notes: tuple[str, ...] = field(default=())
    tou_periods: tuple[str, ...] = ()

    def energy_period(self, day, hour: int) -> int:
        """The energy period of a local day and hour (weekend: Saturday and Sunday)."""
        return (self.energy_weekend if day.weekday() >= 5 else self.energy_weekday)[day.month - 1][hour]

    def single_energy_period(self) -> int | None:
        """The one energy period every hour of the year is in, if there is one."""
        used = {cell for sched in (self.energy_weekday, self.energy_weekend) for row in sched for cell in row}
        return next(iter(used)) if len(used) == 1 else None

    def __post_init__(self):
        check_structure(self)

    def to_json(self) -> dict:
        def tiers(rates):
            return [[{"max": None if t.max is None else str(t.max), "rate": str(t.rate)} for t in p] for p in rates]
        return {
            "name": self.name,
            "energy_weekday": [list(r) for r in self.energy_weekday],
            "energy_weekend": [list(r) for r in self.energy_weekend],
            "energy_rates": tiers(self.energy_rates), "energy_tier_unit": self.energy_tier_unit,
            "demand_weekday": self.demand_weekday and [list(r) for r in self.demand_weekday],
            "demand_weekend": self.demand_weekend and [list(r) for r in self.demand_weekend],
            "demand_rates": tiers(self.demand_rates),
            "flat_demand_months": self.flat_demand_months and list(self.flat_demand_months),
            "flat_demand_rates": tiers(self.flat_demand_rates),
            "fixed_monthly": str(self.fixed_monthly), "minimum_monthly": str(self.minimum_monthly),
            "minimum_annual": str(self.minimum_annual), "notes": list(self.notes),
            **({"tou_periods": list(self.tou_periods)} if self.tou_periods else {}),
        }

    @classmethod
    def from_json(cls, data: dict) -> RateStructure:
        def tiers(rates, name):
            return tuple(tuple(Tier(None if t.get("max") is None else money(t["max"], name), money(t["rate"], name))
                               for t in period) for period in rates or ())
        def sched(value, name):
            return None if value is None else schedule(value, name)
        try:
            return cls(
                name=str(data.get("name") or "imported tariff"),
                energy_weekday=schedule(data["energy_weekday"], "energy_weekday"),
                energy_weekend=schedule(data["energy_weekend"], "energy_weekend"),
                energy_rates=tiers(data["energy_rates"], "energy_rates"),
                energy_tier_unit=data.get("energy_tier_unit", "kWh"),
                demand_weekday=sched(data.get("demand_weekday"), "demand_weekday"),
                demand_weekend=sched(data.get("demand_weekend"), "demand_weekend"),
                demand_rates=tiers(data.get("demand_rates"), "demand_rates"),
                flat_demand_months=None if data.get("flat_demand_months") is None
                else tuple(int(m) for m in data["flat_demand_months"]),
                flat_demand_rates=tiers(data.get("flat_demand_rates"), "flat_demand_rates"),
                fixed_monthly=money(data.get("fixed_monthly", 0), "fixed_monthly"),
                minimum_monthly=money(data.get("minimum_monthly", 0), "minimum_monthly"),
                minimum_annual=money(data.get("minimum_annual", 0), "minimum_annual"),
                notes=tuple(data.get("notes") or ()),
                tou_periods=tuple(str(t).strip().lower() for t in data.get("tou_periods") or ()))
        except KeyError as exc:
            raise DomainError(f"the rate structure has no {exc.args[0]}", field=exc.args[0]) from exc
        except (TypeError, AttributeError, ValueError) as exc:
            # Hand-edited JSON of the wrong shape (a number where tiers belong, a string for a period...).
            raise DomainError(f"the rates are not in the expected shape ({exc})", field="rates") from exc


def money(value, name: str) -> Decimal:
    """A rate, bound or charge from a source file as an exact Decimal (via its text, never binary float)."""
    if isinstance(value, bool):
        raise DomainError(f"{value!r} is not a number", field=name)
    try:
        out = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise DomainError(f"{value!r} is not a number", field=name) from exc
    if not out.is_finite() or out < 0:
        raise DomainError(f"{value!r} must be a finite number not below zero", field=name)
    return out


def schedule(value, name: str) -> Schedule:
    """A 12 x 24 matrix of non-negative whole period numbers."""
    if not isinstance(value, list | tuple) or len(value) != MONTHS or any(
            not isinstance(row, list | tuple) or len(row) != HOURS for row in value):
        raise DomainError(f"{name} must be a 12 x 24 matrix (month x hour)", field=name)
    out = []
    for row in value:
        cells = []
        for cell in row:
            if (isinstance(cell, bool) or not isinstance(cell, int | float) or not math.isfinite(cell)
                    or cell != int(cell) or not 0 <= cell < MAX_PERIODS):
                raise DomainError(f"{cell!r} is not a period number", field=name)
            cells.append(int(cell))
        out.append(tuple(cells))
    return tuple(out)


def _check_tiers(rates, name: str) -> None:
    for p, tiers in enumerate(rates):
        if not tiers:
            raise DomainError(f"period {p} has no rate", field=name)
        bounds = [t.max for t in tiers]
        if any(b is None for b in bounds[:-1]):
            raise DomainError(f"period {p} has an open tier before its last", field=name)
        closed = [b for b in bounds if b is not None]
        if closed != sorted(closed) or len(set(closed)) != len(closed):
            raise DomainError(f"period {p}'s tier bounds must rise", field=name)


def _check_periods(sched: Schedule, rates, name: str) -> None:
    used = {cell for row in sched for cell in row}
    missing = sorted(p for p in used if p >= len(rates))
    if missing:
        raise DomainError(f"{name} names period {missing[0]}, which has no rate", field=name)


def check_structure(s: RateStructure) -> None:
    """Refuse a structure that cannot be priced exactly, naming what is wrong."""
    if s.energy_tier_unit not in ENERGY_TIER_UNITS:
        raise DomainError(f"energy tiers in {s.energy_tier_unit!r} cannot be priced exactly", field="energy_tier_unit")
    _check_tiers(s.energy_rates, "energy_rates")
    _check_tiers(s.demand_rates, "demand_rates")
    _check_tiers(s.flat_demand_rates, "flat_demand_rates")
    _check_periods(s.energy_weekday, s.energy_rates, "energy_weekday")
    _check_periods(s.energy_weekend, s.energy_rates, "energy_weekend")
    if (s.demand_weekday is None) != (s.demand_weekend is None):
        raise DomainError("TOU demand needs both a weekday and a weekend schedule", field="demand_weekday")
    if s.demand_rates and s.demand_weekday is None:
        raise DomainError("TOU demand rates without a demand schedule", field="demand_weekday")
    if s.demand_weekday is not None:
        _check_periods(s.demand_weekday, s.demand_rates, "demand_weekday")
        _check_periods(s.demand_weekend, s.demand_rates, "demand_weekend")
    if s.tou_periods and (len(s.tou_periods) != len(s.energy_rates) or any(t not in TOU_NAMES for t in s.tou_periods)):
        raise DomainError(f"tou_periods must name one of {', '.join(TOU_NAMES)} for each of the "
                          f"{len(s.energy_rates)} energy periods", field="tou_periods")
    if s.flat_demand_rates and s.flat_demand_months is None:
        raise DomainError("flat demand rates without the months they apply to", field="flat_demand_months")
    if s.flat_demand_months is not None:
        if len(s.flat_demand_months) != MONTHS:
            raise DomainError("flat_demand_months must name a flat period for each of 12 months",
                              field="flat_demand_months")
        bad = [m for m in s.flat_demand_months if not 0 <= m < len(s.flat_demand_rates)]
        if bad:
            raise DomainError(f"flat_demand_months names period {bad[0]}, which has no rate",
                              field="flat_demand_months")


class TariffRateStructure(db.Model):
    """A tariff version's schedules, tiers and demand charges, stored as its RateStructure's JSON.

    One JSON document rather than 288-row tables: the admin edits the grid whole, importers write it
    whole, and every write goes through RateStructure.from_json, so what is stored always prices.
    """
    __tablename__ = "tariff_rate_structures"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("tariff_versions.id", ondelete="CASCADE"), unique=True)
    source: Mapped[str] = mapped_column(sa.String(20), default="admin")    # urdb, sam, admin
    source_uri: Mapped[str | None] = mapped_column(sa.String(300))
    structure: Mapped[dict] = mapped_column(sa.JSON)

    # By name: entities imports this module (the relationship's other side), not the other way round.
    version: Mapped["TariffVersion"] = relationship(back_populates="rate_structure")  # noqa: F821, UP037

    def rates(self) -> RateStructure:
        return RateStructure.from_json(self.structure)

    def __str__(self) -> str:
        return f"rate structure of {self.version}"
