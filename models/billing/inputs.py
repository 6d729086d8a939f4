"""What the pricing engine prices: plain, frozen snapshots with no session behind them.

A billing run (or the simulator) gathers these from the database; `price_bill` never sees an ORM row,
so the same inputs always give the same bill and a bill can be re-priced from what was stored.
Dates are business days; every range is [from, to): the end day is not included.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from models.errors import DomainError
from models.meters.entities import UsageType
from models.readings.validation import Limits
from models.tariffs.entities import ComponentKind, RoundingRule, TariffVersion, TaxBase, TouPeriod
from models.tariffs.rate_structures import RateStructure

ACTIVE_USAGES = frozenset({UsageType.ACTIVE, UsageType.ACTIVE_WBP, UsageType.ACTIVE_LWBP})


class PricingError(DomainError):
    """The inputs cannot be priced (no tariff version for a day, a quantity the tariff cannot take).

    A billing run holds the bill with this message as its reason; `field` names the input at fault.
    """


class LineKind(enum.StrEnum):
    """A bill line's kind: the tariff component kinds plus the lines that come from outside the tariff."""

    FIXED_PER_KVA = ComponentKind.FIXED_PER_KVA.value
    ENERGY = ComponentKind.ENERGY.value
    DEMAND = ComponentKind.DEMAND.value
    REACTIVE_EXCESS = ComponentKind.REACTIVE_EXCESS.value
    MINIMUM_BILL = ComponentKind.MINIMUM_BILL.value
    TAX = ComponentKind.TAX.value
    STAMP_DUTY = ComponentKind.STAMP_DUTY.value
    FIXED = "fixed"                  # a rate structure's fixed monthly charge (not per kVA)
    CORRECTION = "correction"        # an actual reading superseded an estimate billed before
    MISC_CHARGE = "misc_charge"      # reconnection fee, meter test fee...


@dataclass(frozen=True)
class ReadingPair:
    """The two readings a quantity comes from. Types are ReadingType values ("actual", "estimated"...)."""

    register_code: str
    previous_value: Decimal
    previous_type: str
    previous_date: date
    current_value: Decimal
    current_type: str
    current_date: date
    multiplier: Decimal = Decimal(1)
    estimated: bool = False          # the quantity rests on an estimate (shown on the line)
    meter_number: str | None = None

    def as_json(self) -> dict:
        """For BillLine.readings: values as decimal strings, dates as ISO dates."""
        return {"register": self.register_code, "meter": self.meter_number,
                "previous": f"{self.previous_value.normalize():f}", "previous_type": str(self.previous_type),
                "previous_on": self.previous_date.isoformat(),
                "current": f"{self.current_value.normalize():f}", "current_type": str(self.current_type),
                "current_on": self.current_date.isoformat(), "multiplier": f"{self.multiplier.normalize():f}",
                "estimated": self.estimated}

    def describe(self) -> str:
        meter = f"meter {self.meter_number} " if self.meter_number else ""
        return (f"{meter}{self.register_code}: {self.previous_value.normalize():f} ({self.previous_type}, "
                f"{self.previous_date.isoformat()}) to {self.current_value.normalize():f} ({self.current_type}, "
                f"{self.current_date.isoformat()}) x {self.multiplier.normalize():f}")


@dataclass(frozen=True)
class QuantitySource:
    """One billed quantity (kWh, kVArh or kW) after the multiplier, with the readings behind it.

    A usage type may have several sources: a meter change gives the old meter's quantity up to its
    removal and the new meter's from its installation. The days a source covers are `covers_from` /
    `covers_to` when given, else its readings' dates, else the whole period (clipped to the period).
    For demand (kW) each reading stands alone: a part's demand is the largest source that overlaps it.
    """

    usage: UsageType
    quantity: Decimal
    readings: ReadingPair | None = None
    covers_from: date | None = None
    covers_to: date | None = None
    note: str | None = None          # where a quantity without readings comes from ("744 60-minute intervals...")

    def __post_init__(self):
        object.__setattr__(self, "usage", UsageType(self.usage))


class HourUse(NamedTuple):
    """One local hour of interval data: kWh imported, the highest interval average kW, kVArh."""

    day: date
    hour: int
    kwh: Decimal
    kw: Decimal
    kvarh: Decimal = Decimal(0)


@dataclass(frozen=True)
class IntervalUse:
    """A service point's interval data over the bill's period, summed per local day and hour.

    Hours are enough: schedules go by whole local hours and an interval never crosses one
    (models.billing.interval_gather refuses it). `problem` says why the data cannot be billed
    (a gap, an overlap, an interval across an hour): pricing then refuses, so the bill is held.
    """

    hours: tuple[HourUse, ...]
    count: int = 0                    # intervals behind the hours
    minutes: int | None = None        # their length when they are all alike
    meters: tuple[str, ...] = ()
    reactive: bool = False            # kVArh intervals (3.8.0) cover the period too
    problem: str | None = None

    def describe(self) -> str:
        length = f"{self.minutes}-minute " if self.minutes else ""
        meters = f" of meter {', '.join(self.meters)}" if self.meters else ""
        return f"from {self.count:,} {length}intervals{meters}"


@dataclass(frozen=True)
class ContractSegment:
    """The contract's terms for [valid_from, valid_to); valid_to None is open-ended."""

    valid_from: date
    valid_to: date | None
    tariff_code: str
    power_va: int

    @property
    def kva(self) -> Decimal:
        return Decimal(self.power_va) / 1000


@dataclass(frozen=True)
class ComponentSnapshot:
    """The fields of a TariffComponent, as plain data."""

    kind: ComponentKind
    label: str
    sequence: int = 10
    tou_period: TouPeriod = TouPeriod.ALL
    block_from: Decimal | None = None
    block_to: Decimal | None = None
    rate: Decimal | None = None
    factor: Decimal | None = None
    threshold_ratio: Decimal | None = None
    hours: Decimal | None = None
    percentage: Decimal | None = None
    tax_base: TaxBase | None = None
    threshold: Decimal | None = None
    amount: Decimal | None = None

    def __post_init__(self):
        # Enum members, whether given as members or as their values: the engine compares by identity.
        object.__setattr__(self, "kind", ComponentKind(self.kind))
        object.__setattr__(self, "tou_period", TouPeriod(self.tou_period or TouPeriod.ALL))
        object.__setattr__(self, "tax_base", TaxBase(self.tax_base) if self.tax_base else None)


@dataclass(frozen=True)
class VersionSnapshot:
    """A tariff version valid for [effective_from, effective_to) with its components."""

    version_id: int | None
    tariff_code: str
    tariff_class: str
    effective_from: date
    effective_to: date | None
    rounding_rule: RoundingRule
    rounding_unit: Decimal
    components: tuple[ComponentSnapshot, ...]
    # Schedules, tiers and demand (models.tariffs.rate_structures): they price a version without
    # components (an imported URDB/SAM tariff); beside components they sort interval data into periods.
    rate_structure: RateStructure | None = None

    def __post_init__(self):
        object.__setattr__(self, "rounding_rule", RoundingRule(self.rounding_rule))
        object.__setattr__(self, "components", tuple(self.components))

    def of_kind(self, kind: ComponentKind) -> tuple[ComponentSnapshot, ...]:
        return tuple(c for c in self.components if c.kind is kind)

    @property
    def time_of_use(self) -> bool:
        return any(c.tou_period is not TouPeriod.ALL for c in self.of_kind(ComponentKind.ENERGY))


@dataclass(frozen=True)
class Correction:
    """kWh the next bill adds (or, negative, gives back) because an actual reading superseded an estimate.

    Priced at the energy rate of the bill's last part (the rate in force now).
    """

    kwh: Decimal
    reason: str
    usage: UsageType = UsageType.ACTIVE
    readings: ReadingPair | None = None
    covers_from: date | None = None
    covers_to: date | None = None

    def __post_init__(self):
        object.__setattr__(self, "usage", UsageType(self.usage))


@dataclass(frozen=True)
class MiscChargeInput:
    """A misc charge (models.billing.entities.MiscCharge) waiting for the bill; priced as given.

    Outside the taxes unless its type is taxable; then it joins the tax base of the bill's last part.
    """

    type_label: str
    amount: Decimal
    reason: str
    charge_id: int | None = None
    taxable: bool = False


@dataclass(frozen=True)
class BillInputs:
    """Everything one bill is priced from.

    `month_days` is how many days one month's fixed charge, minimum bill and block limits stand for;
    empty means the period's own days (a regular monthly bill: those charges come out at one month).
    `months` is how many billing months the bill stands for: 2 for a bimonthly contract, whose bill
    covers two months' readings and so pays two months' fixed charges, minimum and block limits.
    """

    period_start: date
    period_end: date                   # exclusive
    segments: tuple[ContractSegment, ...]
    versions: tuple[VersionSnapshot, ...]
    quantities: tuple[QuantitySource, ...] = ()
    corrections: tuple[Correction, ...] = ()
    misc_charges: tuple[MiscChargeInput, ...] = ()
    month_days: int | None = None
    months: int = 1
    intervals: IntervalUse | None = None   # set: active energy and demand come from these, not from quantities

    @property
    def days(self) -> int:
        return (self.period_end - self.period_start).days


# What gathering (models.billing.gather, interval_gather) hands a billing run: here, so both build them.
@dataclass
class BillFacts:
    """What the plausibility checks and the bill row need beyond the pricing inputs."""

    contract_id: int
    service_point_id: int
    account_id: int
    tariff_code: str
    tariff_class: str
    power_va: int
    active: bool
    limits: Limits = field(default_factory=Limits)
    average_daily: Decimal | None = None     # active kWh a day over the year before the bill
    estimates_in_a_row: int = 0              # the current reading and the estimates right before it
    negative: tuple[str, ...] = ()           # registers whose reading went backwards (billed as zero)
    notes: tuple[str, ...] = ()              # other reasons to hold found while gathering
    misc_charge_ids: tuple[int, ...] = ()


@dataclass
class Gathered:
    contract_id: int
    inputs: BillInputs | None = None
    facts: BillFacts | None = None
    error: str | None = None                 # why no bill can be made (no reading in the month...)


def snapshot_version(version: TariffVersion) -> VersionSnapshot:
    """A tariff version row (with its tariff and components loaded) as plain pricing data."""
    return VersionSnapshot(
        version_id=version.id, tariff_code=version.tariff.code, tariff_class=version.tariff.tariff_class,
        effective_from=version.effective_from, effective_to=version.effective_to,
        # Defaults as the columns give them: a version not yet flushed has them empty.
        rounding_rule=version.rounding_rule or RoundingRule.HALF_UP,
        rounding_unit=Decimal(1) if version.rounding_unit is None else version.rounding_unit,
        components=tuple(
            ComponentSnapshot(
                kind=c.kind, label=c.label, sequence=_sequence(c), tou_period=c.tou_period, block_from=c.block_from,
                block_to=c.block_to, rate=c.rate, factor=c.factor, threshold_ratio=c.threshold_ratio,
                hours=c.hours, percentage=c.percentage, tax_base=c.tax_base,
                threshold=c.threshold, amount=c.amount)
            for c in sorted(version.components, key=_sequence)),
        rate_structure=version.rate_structure.rates() if version.rate_structure is not None else None)


def _sequence(component) -> int:
    return 10 if component.sequence is None else component.sequence
