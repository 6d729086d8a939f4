"""The pricing engine: a bill's inputs in, priced lines that explain themselves out.

Pure: no session, no clock, no float; the same inputs always give the same bill. The rules, as PLN
bills them (../shared/reference/pln-tariffs-2024.md) and as the tariff data says:
- A period is cut into parts at every change of tariff version, tariff or contracted power
  (proration.py); each part is priced with its own version and its own kVA.
- Monthly charges (fixed per kVA, demand, minimum bill) stand for one month: a part pays its share of
  the month's days (`BillInputs.month_days`, by default the period's days). A bimonthly bill
  (`BillInputs.months` = 2) stands for two months: fixed per kVA, the minimum bill and block limits
  count twice (demand is the highest kW of the period, charged once a month: twice too).
- Block limits are kWh per month, as PLN's tables state them ("0 s.d. 30 kWh" a month): a part's
  limits shrink by the same day share, so a split alone never pushes kWh into a dearer block.
- Time of use: WBP kWh at K x the LWBP rate when the WBP component has a factor and no rate.
- Reactive excess: max(0, kVArh - threshold_ratio x kWh) at the component's rate.
- Minimum bill (rekening minimum RM1/RM2): PLN bills hours x kVA x rate instead of the energy charge
  when the energy charge is lower. The bill keeps the metered energy line (its readings stay visible)
  and adds the difference as the minimum-bill line, so the two add up to exactly the RM, per part.
- Taxes per part on their base: ELECTRICITY = energy, fixed, demand, reactive, minimum top-up and
  corrections; TOTAL = every line of the part before the tax. Misc charges are not part of either
  (the reference taxes the electricity charge, and a fee is not electricity) unless their type is
  taxable (MiscChargeType.taxable): then they join the last part's base.
- Stamp duty (bea meterai) once per bill, from the last part's version, when everything else on the
  bill is above its threshold (the reference: "above a bill amount threshold"; the stamp duty law
  UU 10/2020 charges documents of more than Rp 5,000,000).
- Interval data (BillInputs.intervals, models.billing.interval_gather): each part takes the hours of its
  own days. Beside components, the version's rate structure sorts them into periods (`tou_periods`
  names WBP and LWBP) and they become the part's kWh per period, its kW (the highest interval average)
  and, with kVArh intervals, its kVArh; the components price them as they price register quantities.
  Incomplete interval data is refused (PricingError), never priced approximately.
- A version with a rate structure and no components (an imported URDB/SAM tariff) is priced by the
  structure as models.tariffs.interval_pricing prices a month: energy per period and tier, demand per
  period, flat demand, fixed and minimum charges, each line to the cent (the source's own rule; the
  amounts are in the source's currency, so these formulas name none). The bill period stands for the
  structure's month: the month of its last day picks the flat-demand period; a part of a month
  prorates tier bounds, fixed and minimum charges by days. Register readings feed a structure only
  when it has one energy period and no TOU demand; an annual minimum is refused (a monthly bill
  cannot apply it).
- Rounding: each line's amount by its version's rule to the version's unit (PLN: half up to whole
  rupiah); NONE keeps the exact product, and a day share is carried to 6 decimals. The bill's totals
  are sums of its lines, never rounded again.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import (
    ROUND_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)

from models.billing.inputs import (
    ACTIVE_USAGES,
    BillInputs,
    ComponentSnapshot,
    IntervalUse,
    LineKind,
    PricingError,
    QuantitySource,
    ReadingPair,
    VersionSnapshot,
)
from models.billing.proration import BY_DAYS, BillPart, Share, allocate, build_parts, combined_split
from models.meters.entities import UsageType
from models.tariffs.entities import ComponentKind as K
from models.tariffs.entities import RoundingRule, TaxBase, TouPeriod
from models.tariffs.interval_pricing import MonthQuantities, hour_quantities, price_month

CONTEXT = Context(prec=40, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow])
EXACT_PLACES = Decimal("0.000001")
ROUNDING = {RoundingRule.HALF_UP: ROUND_HALF_UP, RoundingRule.DOWN: ROUND_DOWN,
            RoundingRule.HALF_EVEN: ROUND_HALF_EVEN}
ELECTRICITY = {LineKind.ENERGY, LineKind.FIXED_PER_KVA, LineKind.DEMAND, LineKind.REACTIVE_EXCESS,
               LineKind.MINIMUM_BILL, LineKind.CORRECTION, LineKind.MISC_CHARGE}   # only taxable misc charges
TOU_USAGE = {TouPeriod.WBP: UsageType.ACTIVE_WBP, TouPeriod.LWBP: UsageType.ACTIVE_LWBP}
BY_INTERVALS = "by intervals"
QUANTITY_PLACES = Decimal("0.0001")
STRUCTURE_KINDS = {"energy": LineKind.ENERGY, "demand": LineKind.DEMAND, "flat": LineKind.DEMAND,
                   "fixed": LineKind.FIXED, "minimum": LineKind.MINIMUM_BILL}


@dataclass(frozen=True)
class PricedLine:
    kind: LineKind
    label: str
    version_id: int | None
    quantity: Decimal
    unit: str                          # kWh, kVA, kW, kVArh, %, charge
    rate: Decimal                      # unit price; for a tax the base it is a percentage of
    amount: Decimal
    covers_from: date
    covers_to: date                    # exclusive
    formula: str                       # the arithmetic in words, e.g. "180 kWh x Rp 1,444.70 = Rp 260,046"
    readings: tuple[ReadingPair, ...] = ()
    split: str | None = None           # "by readings" / "by days" when the period was prorated
    estimated: bool = False
    tariff_code: str | None = None
    source_note: str | None = None     # where a quantity without readings comes from (interval data)

    def explain(self) -> str:
        """What a clerk reads out to the customer."""
        notes = []
        if self.split:
            last = self.covers_to - timedelta(days=1)
            notes.append(f"{self.covers_from.day} {self.covers_from:%b} - {last.day} {last:%b %Y}, split {self.split}")
        if self.estimated:
            notes.append("estimated reading")
        if self.source_note:
            notes.append(self.source_note)
        return self.formula + (f" ({'; '.join(notes)})" if notes else "")


@dataclass(frozen=True)
class PricedBill:
    period_start: date
    period_end: date                   # exclusive
    parts: tuple[BillPart, ...]
    lines: tuple[PricedLine, ...]
    subtotal: Decimal                  # every line before taxes and stamp duty (misc charges included)
    taxes: Decimal
    stamp_duty: Decimal
    total: Decimal                     # = the sum of the lines
    kwh: Decimal                       # metered kWh of the period (corrections not included)
    jam_nyala: Decimal                 # kWh / kVA at the end of the period, 1 decimal

    @property
    def estimated(self) -> bool:
        """The period ends on an estimated reading (a correction of an earlier estimate does not count)."""
        return any(str(r.current_type) == "estimated" for line in self.lines for r in line.readings)


def rupiah(value: Decimal) -> str:
    value = value.normalize()
    return f"Rp {value.quantize(Decimal('0.01')) if value.as_tuple().exponent == -1 else value:,f}"


def rate_text(value: Decimal) -> str:
    value = value.normalize()
    return f"Rp {value.quantize(Decimal('0.01')) if value.as_tuple().exponent > -2 else value:,f}"


def number(value: Decimal) -> str:
    return f"{value.normalize():,f}"


def round_amount(amount: Decimal, version: VersionSnapshot) -> Decimal:
    if version.rounding_rule is RoundingRule.NONE:
        return amount if amount.as_tuple().exponent >= -6 else amount.quantize(EXACT_PLACES, ROUND_HALF_UP)
    unit = version.rounding_unit
    return (amount / unit).to_integral_value(rounding=ROUNDING[version.rounding_rule]) * unit


class _Part:
    """One part being priced: its version, its kVA, its day share and its quantities."""

    def __init__(self, part: BillPart, shares: dict[UsageType, list[Share]], month_days: int, months: int = 1):
        self.part, self.version, self.shares = part, part.version, shares
        self.kva = part.segment.kva
        self.days, self.month_days, self.months = part.days, month_days, months
        self.lines: list[tuple[int, PricedLine]] = []
        self.hours = None                  # the part's hours of interval data, when the bill has them

    @property
    def prorated(self) -> bool:
        """Whether the part pays other than one month's charges: a share of the days, or two months."""
        return self.days != self.month_days or self.months != 1

    @property
    def split_by_days(self) -> bool:
        return self.days != self.month_days

    def share_text(self) -> str:
        months = f" x {self.months} months" if self.months != 1 else ""
        return months + (f" x {self.days}/{self.month_days} days" if self.split_by_days else "")

    def of_month(self, amount: Decimal) -> Decimal:
        return amount * self.months * self.days / self.month_days if self.prorated else amount

    def quantity(self, *usages: UsageType) -> Decimal:
        return sum((s.quantity for u in usages for s in self.shares.get(u, [])), Decimal(0))

    def sources(self, *usages: UsageType) -> list[Share]:
        return [s for u in usages for s in self.shares.get(u, [])]

    def line(self, component: ComponentSnapshot, kind: LineKind, quantity: Decimal, unit: str, rate: Decimal,
             amount: Decimal, formula: str, shares: list[Share] = (), split: str | None = None,
             note: str | None = None) -> PricedLine:
        readings = tuple(dict.fromkeys(s.source.readings for s in shares if s.source.readings))
        if split is None and any(s.split == BY_INTERVALS for s in shares):
            split = BY_INTERVALS
        made = PricedLine(
            kind=kind, label=component.label, version_id=self.version.version_id, quantity=quantity, unit=unit,
            rate=rate, amount=amount, covers_from=self.part.start, covers_to=self.part.end, formula=formula,
            readings=readings, split=split or combined_split(list(shares)),
            estimated=any(r.estimated for r in readings), tariff_code=self.version.tariff_code,
            source_note=note or next((s.source.note for s in shares if s.source.note), None))
        self.lines.append((component.sequence, made))
        return made

    def total(self, kinds=None) -> Decimal:
        return sum((line.amount for _, line in self.lines if kinds is None or line.kind in kinds), Decimal(0))


def _energy_components(version: VersionSnapshot, period: TouPeriod) -> list[ComponentSnapshot]:
    return sorted((c for c in version.of_kind(K.ENERGY) if c.tou_period is period),
                  key=lambda c: (c.block_from or Decimal(0), c.sequence))


def _lwbp_rate(version: VersionSnapshot) -> Decimal:
    for c in _energy_components(version, TouPeriod.LWBP):
        if c.rate is not None:
            return c.rate
    raise PricingError(f"tariff {version.tariff_code}: WBP is priced as K x LWBP but no LWBP rate is given",
                       "tariff")


def _energy_rate(version: VersionSnapshot, component: ComponentSnapshot) -> Decimal:
    if component.rate is not None:
        return component.rate
    return component.factor * _lwbp_rate(version)


def _base_rate(version: VersionSnapshot) -> Decimal:
    """The energy rate a minimum bill uses when its own rate is empty: LWBP, else the first block's."""
    for period in (TouPeriod.LWBP, TouPeriod.ALL):
        for c in _energy_components(version, period):
            if c.rate is not None:
                return c.rate
    raise PricingError(f"tariff {version.tariff_code} has no energy rate for its minimum bill", "tariff")


def _blocks(p: _Part) -> list[tuple[ComponentSnapshot, Decimal, Decimal | None]]:
    """The flat/block energy components with this part's limits (kWh per month x the day share)."""
    def scaled(limit: Decimal) -> Decimal:
        return p.of_month(limit).quantize(Decimal("0.0001"), ROUND_HALF_UP) if p.prorated else limit
    return [(c, scaled(c.block_from or Decimal(0)), None if c.block_to is None else scaled(c.block_to))
            for c in _energy_components(p.version, TouPeriod.ALL)]


def _price_energy(p: _Part) -> None:
    version = p.version
    if version.time_of_use:
        if any(s.quantity for s in p.sources(UsageType.ACTIVE)):
            raise PricingError(f"time-of-use tariff {version.tariff_code} needs WBP and LWBP quantities, "
                               "not single-rate kWh", "kwh")
        for period, usage in TOU_USAGE.items():
            components = _energy_components(version, period)
            if p.sources(usage) and not components:
                raise PricingError(f"tariff {version.tariff_code} has no {period.value.upper()} energy rate",
                                   usage.value)
            for c in components:
                _energy_line(p, c, p.quantity(usage), _energy_rate(version, c), p.sources(usage))
        for c in _energy_components(version, TouPeriod.ALL):
            _energy_line(p, c, p.quantity(*ACTIVE_USAGES), _energy_rate(version, c), p.sources(*ACTIVE_USAGES))
        return
    kwh, shares = p.quantity(*ACTIVE_USAGES), p.sources(*ACTIVE_USAGES)
    priced = False
    for i, (c, low, high) in enumerate(_blocks(p)):
        in_block = max(Decimal(0), (kwh if high is None else min(kwh, high)) - low)
        if in_block or (i == 0 and not kwh):
            limits = f"{number(low)}-{number(high)}" if high is not None else f"over {number(low)}"
            block = f" in block {limits} kWh ({p.share_text()[3:]})" if p.prorated and _is_block(c) else ""
            _energy_line(p, c, in_block, _energy_rate(version, c), shares, block)
            priced = True
    if not priced and kwh:
        raise PricingError(f"tariff {version.tariff_code} has no energy rate", "tariff")


def _is_block(c: ComponentSnapshot) -> bool:
    return c.block_to is not None or bool(c.block_from)


def _energy_line(p: _Part, c: ComponentSnapshot, kwh: Decimal, rate: Decimal, shares: list[Share],
                 block: str = "") -> None:
    amount = round_amount(kwh * rate, p.version)
    p.line(c, LineKind.ENERGY, kwh, "kWh", rate, amount,
           f"{number(kwh)} kWh{block} x {rate_text(rate)} = {rupiah(amount)}", shares)


def _price_monthly(p: _Part, inputs_split: str | None) -> None:
    """Fixed per kVA, demand and reactive excess."""
    for c in p.version.of_kind(K.FIXED_PER_KVA):
        amount = round_amount(p.of_month(p.kva * c.rate), p.version)
        p.line(c, LineKind.FIXED_PER_KVA, p.kva, "kVA", c.rate, amount,
               f"{number(p.kva)} kVA x {rate_text(c.rate)}{p.share_text()} = {rupiah(amount)}", split=inputs_split)
    for c in p.version.of_kind(K.DEMAND):
        shares = p.sources(UsageType.DEMAND)
        if not shares:
            raise PricingError(f"tariff {p.version.tariff_code} charges demand but no kW was given", "kw")
        kw = max(s.quantity for s in shares)
        amount = round_amount(p.of_month(kw * c.rate), p.version)
        p.line(c, LineKind.DEMAND, kw, "kW", c.rate, amount,
               f"{number(kw)} kW x {rate_text(c.rate)}{p.share_text()} = {rupiah(amount)}", shares,
               split=inputs_split)
    for c in p.version.of_kind(K.REACTIVE_EXCESS):
        shares = p.sources(UsageType.REACTIVE)
        if not shares:
            continue
        kvarh, kwh, ratio = p.quantity(UsageType.REACTIVE), p.quantity(*ACTIVE_USAGES), c.threshold_ratio or 0
        excess = max(Decimal(0), kvarh - ratio * kwh)
        amount = round_amount(excess * c.rate, p.version)
        p.line(c, LineKind.REACTIVE_EXCESS, excess, "kVArh", c.rate, amount,
               f"{number(kvarh)} kVArh - {number(ratio)} x {number(kwh)} kWh = {number(excess)} kVArh x "
               f"{rate_text(c.rate)} = {rupiah(amount)}", shares)


def _price_minimum(p: _Part, inputs_split: str | None) -> None:
    energy = p.total({LineKind.ENERGY})
    for c in p.version.of_kind(K.MINIMUM_BILL):
        rate = c.rate if c.rate is not None else _base_rate(p.version)
        minimum_kwh = c.hours * p.kva
        minimum = round_amount(p.of_month(minimum_kwh * rate), p.version)
        if energy >= minimum:
            continue
        top_up = minimum - energy
        p.line(c, LineKind.MINIMUM_BILL, minimum_kwh, "kWh", rate, top_up,
               f"{number(c.hours)} h x {number(p.kva)} kVA = {number(minimum_kwh)} kWh x {rate_text(rate)}"
               f"{p.share_text()} = {rupiah(minimum)} minimum, less energy {rupiah(energy)} = {rupiah(top_up)}",
               split=inputs_split)


def _correction_rate(p: _Part, usage: UsageType) -> tuple[ComponentSnapshot, Decimal]:
    """The energy rate in force now: the TOU period's, or the block the part's kWh ended in."""
    version = p.version
    if version.time_of_use:
        period = next((t for t, u in TOU_USAGE.items() if u is usage), None)
        components = _energy_components(version, period) if period else []
        if not components:
            raise PricingError(f"a correction on time-of-use tariff {version.tariff_code} must be WBP or LWBP",
                               "corrections")
        return components[0], _energy_rate(version, components[0])
    blocks = _blocks(p)
    if not blocks:
        raise PricingError(f"tariff {version.tariff_code} has no energy rate", "tariff")
    kwh = p.quantity(*ACTIVE_USAGES)
    c = next((c for c, low, high in blocks if low <= kwh and (high is None or kwh < high)), blocks[0][0])
    return c, _energy_rate(version, c)


def _price_taxes(p: _Part, split: str | None) -> list[PricedLine]:
    taxes = []
    for c in sorted(p.version.of_kind(K.TAX), key=lambda c: c.sequence):
        base = p.total(None if c.tax_base is TaxBase.TOTAL else ELECTRICITY)
        amount = round_amount(base * c.percentage / 100, p.version)
        taxes.append(p.line(c, LineKind.TAX, c.percentage, "%", base, amount,
                            f"{number(c.percentage)}% x {rupiah(base)} = {rupiah(amount)}", split=split))
    return taxes


def price_bill(inputs: BillInputs) -> PricedBill:
    """Price a bill. Raises PricingError (a DomainError) when the inputs cannot be priced."""
    with localcontext(CONTEXT):
        return _price(inputs)


def _price(inputs: BillInputs) -> PricedBill:
    parts = build_parts(inputs)
    month_days = inputs.month_days or inputs.days
    priced = [_Part(part, shares, month_days, inputs.months)
              for part, shares in zip(parts, allocate(inputs, parts), strict=True)]
    charges: list[PricedLine] = []
    for p in priced:
        monthly_split = BY_DAYS if p.split_by_days else None
        if inputs.intervals is not None:
            _interval_shares(p, inputs.intervals, len(priced) > 1)
        if not p.version.components and p.version.rate_structure is not None:
            _price_structure(p, inputs.intervals)
        else:
            _price_energy(p)
            _price_monthly(p, monthly_split)
            _price_minimum(p, monthly_split)
        charges += [line for _, line in sorted(p.lines, key=lambda item: item[0])]
    last = priced[-1]
    for correction in inputs.corrections:
        c, rate = _correction_rate(last, correction.usage)
        amount = round_amount(correction.kwh * rate, last.version)
        readings = (correction.readings,) if correction.readings else ()
        charges.append(PricedLine(
            kind=LineKind.CORRECTION, label=f"Correction: {correction.reason}", version_id=last.version.version_id,
            quantity=correction.kwh, unit="kWh", rate=rate, amount=amount,
            covers_from=correction.covers_from or (readings[0].previous_date if readings else inputs.period_start),
            covers_to=correction.covers_to or (readings[0].current_date if readings else inputs.period_end),
            formula=f"{number(correction.kwh)} kWh x {rate_text(rate)} = {rupiah(amount)} ({correction.reason})",
            readings=readings, tariff_code=last.version.tariff_code))
        last.lines.append((c.sequence, charges[-1]))
    misc = [PricedLine(
        kind=LineKind.MISC_CHARGE, label=m.type_label, version_id=None, quantity=Decimal(1), unit="charge",
        rate=m.amount, amount=m.amount, covers_from=inputs.period_start, covers_to=inputs.period_end,
        formula=f"{m.type_label}: {rupiah(m.amount)} ({m.reason})") for m in inputs.misc_charges]
    last.lines += [(0, line) for line, m in zip(misc, inputs.misc_charges, strict=True) if m.taxable]
    # A tax per part, each on its own part's base; the dates tell them apart when there are several.
    taxes = [line for p in priced for line in _price_taxes(p, BY_DAYS if len(priced) > 1 else None)]
    lines = charges + misc + taxes
    before_duty = sum((line.amount for line in lines), Decimal(0))
    for c in last.version.of_kind(K.STAMP_DUTY):
        if before_duty > c.threshold:
            lines.append(PricedLine(
                kind=LineKind.STAMP_DUTY, label=c.label, version_id=last.version.version_id, quantity=Decimal(1),
                unit="document", rate=c.amount, amount=c.amount, covers_from=inputs.period_start,
                covers_to=inputs.period_end, tariff_code=last.version.tariff_code,
                formula=f"{rupiah(c.amount)}: the bill of {rupiah(before_duty)} is above {rupiah(c.threshold)}"))
    kwh = sum((s.quantity for s in inputs.quantities if s.usage in ACTIVE_USAGES), Decimal(0))
    if inputs.intervals is not None:
        kwh += sum((h.kwh for h in inputs.intervals.hours), Decimal(0))
    subtotal = sum((line.amount for line in charges + misc), Decimal(0))
    tax_total = sum((line.amount for line in taxes), Decimal(0))
    total = sum((line.amount for line in lines), Decimal(0))
    return PricedBill(
        period_start=inputs.period_start, period_end=inputs.period_end, parts=parts,
        lines=tuple(lines), subtotal=subtotal, taxes=tax_total,
        stamp_duty=total - subtotal - tax_total, total=total, kwh=kwh,
        jam_nyala=(kwh / last.kva).quantize(Decimal("0.1"), ROUND_HALF_UP))


def _interval_shares(p: _Part, use: IntervalUse, several: bool) -> None:
    """The part's quantities from the interval data of its days (for a version priced by components)."""
    if use.problem:
        raise PricingError(use.problem, "intervals")
    p.hours = [h for h in use.hours if p.part.start <= h.day < p.part.end]
    version, hours = p.version, p.hours
    if not version.components:
        return                                   # priced by its rate structure (_price_structure)
    note, split = use.describe(), BY_INTERVALS if several else None

    def add(usage: UsageType, quantity: Decimal) -> None:
        source = QuantitySource(usage, quantity, covers_from=p.part.start, covers_to=p.part.end, note=note)
        p.shares.setdefault(usage, []).append(Share(source, quantity, split))
    if version.time_of_use:
        s = version.rate_structure
        if s is None or not s.tou_periods:
            raise PricingError(f"time-of-use tariff {version.tariff_code} has no schedule naming its WBP and LWBP "
                               "hours, so its interval data cannot be split", "tariff")
        sums = {"lwbp": Decimal(0), "wbp": Decimal(0), "all": Decimal(0)}
        for h in hours:
            sums[s.tou_periods[s.energy_period(h.day, h.hour)]] += h.kwh
        if sums["all"]:
            raise PricingError(f"the schedule of time-of-use tariff {version.tariff_code} leaves hours in neither "
                               "WBP nor LWBP", "tariff")
        add(UsageType.ACTIVE_LWBP, sums["lwbp"])
        add(UsageType.ACTIVE_WBP, sums["wbp"])
    else:
        add(UsageType.ACTIVE, sum((h.kwh for h in hours), Decimal(0)))
    add(UsageType.DEMAND, max((h.kw for h in hours), default=Decimal(0)))
    if use.reactive:
        add(UsageType.REACTIVE, sum((h.kvarh for h in hours), Decimal(0)))


def _register_quantities(p: _Part) -> MonthQuantities:
    """A structure fed by register readings: only one energy period and no TOU demand can be."""
    s, code = p.version.rate_structure, p.version.tariff_code
    period = s.single_energy_period()
    if period is None or s.demand_weekday is not None:
        what = "a time-of-use schedule" if period is None else "demand charges per time-of-use period"
        raise PricingError(f"tariff {code} has {what}, priced from interval data; the service point has only "
                           "register readings, which cannot feed it", "intervals")
    kw = [s.quantity for s in p.sources(UsageType.DEMAND)]
    if s.flat_demand_months is not None and not kw:
        raise PricingError(f"tariff {code} charges demand but no kW was recorded", "kw")
    return MonthQuantities(p.days, {period: p.quantity(*ACTIVE_USAGES)}, {}, max(kw, default=Decimal(0)))


def _price_structure(p: _Part, use: IntervalUse | None) -> None:
    """A version without components, priced by its rate structure (schedules, tiers, demand, fixed, minimum)."""
    s, code = p.version.rate_structure, p.version.tariff_code
    if p.months != 1:
        raise PricingError(f"tariff {code} is priced month by month from its rate structure; a bimonthly bill "
                           "cannot be (bill the contract monthly)", "months")
    if s.minimum_annual:
        raise PricingError(f"tariff {code} has an annual minimum charge, which a monthly bill cannot apply",
                           "tariff")
    q = hour_quantities(s, p.hours, p.days) if use is not None else _register_quantities(p)
    shares = [] if use is not None else p.sources(*ACTIVE_USAGES, UsageType.DEMAND)
    share = (Decimal(p.days) / p.month_days).quantize(EXACT_PLACES, ROUND_HALF_UP) if p.prorated else None
    month = (p.part.end - timedelta(days=1)).month
    for n, line in enumerate(price_month(s, month, q, share)):
        label = line["label"][:1].upper() + line["label"][1:]
        quantity = line["quantity"].quantize(QUANTITY_PLACES, ROUND_HALF_UP)
        kind = STRUCTURE_KINDS[line["label"].split()[0]]
        p.line(ComponentSnapshot(kind=K.ENERGY, label=label, sequence=10 + n), kind, quantity, line["unit"],
               line["rate"], line["amount"],
               f"{label}: {number(quantity)} {line['unit']} x {number(line['rate'])} = {number(line['amount'])}",
               shares, note=use.describe() if use is not None else None)
