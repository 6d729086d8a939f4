"""Tariff and power advice (models/billing/advice.py; the brief named models/tariffs/advice.py, which import-linter
refuses: tariffs <-> billing would be a cycle): a service point's last 12 months priced on every option it may choose.

The use of each month comes from its interval data when the intervals cover the whole month (WBP/LWBP
split as models.readings.intervals does, peak kW from intervals of an hour or less), else from its issued
invoice (the reading pairs behind the bill's lines: kWh, WBP/LWBP, kVArh, kW). Every option is priced at
today's tariff version (what last year's use would cost now), the current tariff and power included, so
the differences compare like with like. Fewer than 12 months are scaled to a year, and the result says so.

Options: each tariff of the same use (the first letter of the tariff class: R household, B business, I
industry, P government, L temporary) at every standard PLN power step inside its power range (a tariff
without a range: the current power). Ruled out, with the reason: a supply voltage the service point lacks,
a power below the recorded peak demand (kW x 1,000 VA, a lower bound since kVA >= kW), a time-of-use
tariff without a WBP/LWBP split in the history, a demand charge without recorded kW.
"""
from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from models.billing.entities import Bill, BillKind, BillStatus
from models.billing.inputs import BillInputs, ContractSegment, PricingError, QuantitySource, snapshot_version
from models.billing.pricing import price_bill
from models.clock import business_zone, today
from models.contracts.entities import Contract, ContractStatus, ContractVersion
from models.errors import DomainError
from models.meters.entities import Installation, Meter, Register, UsageType
from models.premises.entities import SupplyVoltage
from models.premises.queries import get_service_point
from models.readings.entities import IntervalReading
from models.readings.intervals import PEAK, split_tou
from models.requests.entities import RequestType
from models.tariffs.entities import ComponentKind, Tariff, TariffVersion
from models.types import add_months

# PLN's standard connected powers (VA): low voltage, then medium-voltage kVA steps.
STANDARD_STEPS_VA = (450, 900, 1300, 2200, 3500, 4400, 5500, 6600, 7700, 10600, 11000, 13200, 16500, 23000,
                     33000, 41500, 53000, 66000, 82500, 105000, 131000, 147000, 164000, 197000, 240000, 345000,
                     415000, 555000, 690000, 865000, 1110000, 1385000, 1730000, 2180000, 2770000, 3465000,
                     4330000, 5540000)
LV_TOP = 197000
MONTHS = 12
ZERO = Decimal(0)
_PEAK_FROM, _PEAK_TO = PEAK[0].hour * 60, PEAK[1].hour * 60


@dataclass(frozen=True)
class MonthUse:
    period: date
    source: str                        # "bill" or "intervals"
    kwh: Decimal                       # all active energy
    lwbp: Decimal | None = None
    wbp: Decimal | None = None
    kvarh: Decimal | None = None
    kw: Decimal | None = None
    billed_total: Decimal | None = None


@dataclass(frozen=True)
class Option:
    tariff_code: str
    tariff_name: str
    power_va: int
    current: bool = False
    annual_cost: Decimal | None = None
    difference: Decimal | None = None  # annual cost - today's annual cost
    limit: str | None = None           # why it is ruled out

    @property
    def allowed(self) -> bool:
        return self.limit is None and self.annual_cost is not None and not self.current


@dataclass(frozen=True)
class Advice:
    spn: str
    supply_voltage: str
    tariff_code: str
    power_va: int
    months: tuple[MonthUse, ...]
    peak_kw: Decimal | None
    scaled: bool                       # fewer than 12 months, scaled to a year
    current: Option | None
    options: tuple[Option, ...]


def tariff_options(session: Session, spn: str) -> Advice:
    sp = get_service_point(session, spn)
    contract = session.scalar(sa.select(Contract).where(Contract.service_point_id == sp.id,
                                                        Contract.status == ContractStatus.ACTIVE)
                              .options(selectinload(Contract.versions).selectinload(ContractVersion.tariff)))
    terms = contract and (contract.version_on(today()) or contract.versions[-1])
    if not terms:
        raise DomainError(f"service point {sp.spn} has no active contract to advise on", "spn")
    this_month = today().replace(day=1)
    first = add_months(this_month, -MONTHS)
    by_month = {**_billed_months(session, contract.id, first), **_interval_months(session, sp.id, first, this_month)}
    months = tuple(by_month[p] for p in sorted(by_month)[-MONTHS:])
    peaks = [m.kw for m in months if m.kw is not None]
    peak = max(peaks) if peaks else None
    current_code, current_power = terms.tariff.code, terms.contracted_power_va
    use = terms.tariff.tariff_class[:1]
    options, cache = [], {}
    for tariff, version in _tariffs(session):
        if tariff.tariff_class[:1] != use:
            continue
        for power in _powers(tariff, current_power if tariff.code == current_code else None, current_power):
            is_current = tariff.code == current_code and power == current_power
            unpriceable = _unpriceable(tariff, version, months)
            limit = _limit(tariff, power, sp.supply_voltage, peak) or unpriceable
            cost = None
            if unpriceable is None:     # a ruled-out option that can be priced still shows its cost
                try:
                    cost = _annual(version, tariff.code, power, months, cache)
                except PricingError as exc:
                    limit = f"cannot be priced: {exc.message}"
            options.append(Option(tariff.code, tariff.name, power, is_current, cost, None, limit))
    current = next((o for o in options if o.current), None)
    if current is None:       # today's terms outside the steps or the use: still the baseline
        tariff = terms.tariff
        version = dict(_tariffs(session)).get(tariff)
        cost = _annual(version, tariff.code, current_power, months, cache) if version is not None and months else None
        current = Option(tariff.code, tariff.name, current_power, True, cost)
        options.append(current)
    base = current.annual_cost
    options = [dataclasses.replace(o, difference=None if base is None or o.annual_cost is None
                                   else o.annual_cost - base) for o in options]
    options.sort(key=lambda o: (not o.current, not o.allowed, o.annual_cost is None, o.annual_cost or ZERO,
                                o.tariff_code, o.power_va))
    return Advice(sp.spn, sp.supply_voltage.value, current_code, current_power, months, peak,
                  0 < len(months) < MONTHS, options[0] if options[0].current else current, tuple(options))


def chosen_option(advice: Advice, tariff_code: str, power_va: int) -> Option:
    """The option a clerk asks to start a request for, refused unless the advice allows it."""
    option = next((o for o in advice.options if o.tariff_code == tariff_code and o.power_va == power_va), None)
    if option is None:
        raise DomainError(f"{tariff_code} at {power_va:,} VA is not an option for {advice.spn}", "option")
    if option.current:
        raise DomainError("this is the service point's tariff and power today", "option")
    if not option.allowed:
        raise DomainError(f"{tariff_code} at {power_va:,} VA is ruled out: {option.limit}", "option")
    return option


def request_type_for(advice: Advice, option: Option) -> RequestType:
    return RequestType.TARIFF_CHANGE if option.tariff_code != advice.tariff_code else RequestType.POWER_CHANGE


def _tariffs(session: Session) -> list[tuple[Tariff, TariffVersion | None]]:
    day = today()
    tariffs = session.scalars(sa.select(Tariff).order_by(Tariff.code).options(
        selectinload(Tariff.versions).selectinload(TariffVersion.components),
        selectinload(Tariff.versions).selectinload(TariffVersion.rate_structure))).all()
    return [(t, next((v for v in t.versions if v.effective_from <= day and (v.effective_to is None
                                                                           or day < v.effective_to)), None))
            for t in tariffs]


def _powers(tariff: Tariff, own: int | None, current: int) -> list[int]:
    low, high = tariff.min_power_va, tariff.max_power_va
    if low is None and high is None:
        return [current]
    # A low-voltage supply ends at 197 kVA; the medium-voltage steps begin above it.
    ladder = [s for s in STANDARD_STEPS_VA if (s <= LV_TOP) == (tariff.voltage is SupplyVoltage.LOW)]
    steps = [s for s in ladder if (low is None or s >= low) and (high is None or s <= high)]
    if own is not None and own not in steps:
        steps.append(own)
    return sorted(steps) or [low if low is not None else high]


def _limit(tariff, power: int, voltage, peak: Decimal | None) -> str | None:
    if tariff.voltage != voltage:
        return f"needs a {tariff.voltage.value} supply; the service point has {voltage.value}"
    if peak is not None and Decimal(power) < peak * 1000:
        return f"{power:,} VA is below the recorded peak demand of {peak.normalize():f} kW"
    return None


def _unpriceable(tariff, version, months) -> str | None:
    if version is None:
        return f"cannot be priced: tariff {tariff.code} has no version valid today"
    if not months:
        return "cannot be priced: no billed month or interval data in the last 12 months"
    if tariff.time_of_use and any(m.wbp is None for m in months):
        return "cannot be priced: time-of-use needs a WBP/LWBP split the history lacks (a TOU meter or intervals)"
    if any(c.kind is ComponentKind.DEMAND for c in version.components) and any(m.kw is None for m in months):
        return "cannot be priced: the tariff charges demand and the history has no kW"
    return None


def _annual(version: TariffVersion, code: str, power: int, months: tuple[MonthUse, ...],
            cache: dict | None = None) -> Decimal:
    """The year's cost: each month a one-month bill, so its length changes nothing (no proration, block
    limits a month) and months of equal quantities cost the same: they are priced once (`cache`, per request,
    also keeps the version's snapshot)."""
    cache = {} if cache is None else cache
    # Today's version stands for every month of the history: last year's use at today's rates.
    snapshot = cache.get(version.id)
    if snapshot is None:
        snapshot = cache[version.id] = dataclasses.replace(snapshot_version(version), effective_from=date.min,
                                                           effective_to=None)
    total = ZERO
    for m in months:
        sources = _sources(m, snapshot.time_of_use)
        key = (version.id, power, sources)
        if key not in cache:
            end = add_months(m.period, 1)
            cache[key] = price_bill(BillInputs(m.period, end, (ContractSegment(m.period, None, code, power),),
                                               (snapshot,), sources)).total
        total += cache[key]
    if len(months) < MONTHS:
        total = (total * MONTHS / len(months)).quantize(Decimal(1), ROUND_HALF_UP)
    return total


def _sources(m: MonthUse, tou: bool) -> tuple[QuantitySource, ...]:
    sources = [QuantitySource(UsageType.ACTIVE_LWBP, m.lwbp), QuantitySource(UsageType.ACTIVE_WBP, m.wbp)] \
        if tou else [QuantitySource(UsageType.ACTIVE, m.kwh)]
    if m.kvarh is not None:
        sources.append(QuantitySource(UsageType.REACTIVE, m.kvarh))
    if m.kw is not None:
        sources.append(QuantitySource(UsageType.DEMAND, m.kw))
    return tuple(sources)


def _billed_months(session: Session, contract_id: int, first: date) -> dict[date, MonthUse]:
    """Each period's latest issued invoice as quantities, from the reading pairs its lines name."""
    bills = session.scalars(sa.select(Bill).options(selectinload(Bill.lines)).where(
        Bill.contract_id == contract_id, Bill.kind == BillKind.INVOICE, Bill.status == BillStatus.ISSUED,
        Bill.period >= first).order_by(Bill.period, Bill.id)).all()
    pairs = {p["meter"]: None for b in bills for line in b.lines for p in line.readings or ()}
    registers = {(number, code): (usage, digits) for number, code, usage, digits in session.execute(
        sa.select(Meter.number, Register.code, Register.usage_type, Register.digits).join(Meter)
        .where(Meter.number.in_([n for n in pairs if n])))} if pairs else {}
    out = {}
    for bill in bills:
        seen, amounts, kw = set(), defaultdict(Decimal), None
        for line in bill.lines:
            for p in line.readings or ():
                key = (p["meter"], p["register"], p["previous_on"], p["current_on"])
                if key in seen or (p["meter"], p["register"]) not in registers:
                    continue
                seen.add(key)
                usage, digits = registers[(p["meter"], p["register"])]
                current, previous, factor = (Decimal(p[k]) for k in ("current", "previous", "multiplier"))
                if usage is UsageType.DEMAND:
                    kw = max(kw or ZERO, current * factor)
                    continue
                units = current - previous
                amounts[usage] += (units if units >= 0 else units + 10 ** digits) * factor
        split = UsageType.ACTIVE_WBP in amounts or UsageType.ACTIVE_LWBP in amounts
        out[bill.period] = MonthUse(
            bill.period, "bill", bill.kwh,
            lwbp=amounts[UsageType.ACTIVE_LWBP] if split else None,
            wbp=amounts[UsageType.ACTIVE_WBP] if split else None,
            kvarh=amounts[UsageType.REACTIVE] if UsageType.REACTIVE in amounts else None, kw=kw,
            billed_total=bill.total)
    return out


def _interval_months(session: Session, service_point_id: int, first: date, end: date) -> dict[date, MonthUse]:
    """Months wholly covered by the service point's import intervals."""
    zone = business_zone()
    meters = list(session.scalars(sa.select(Installation.meter_id).where(
        Installation.service_point_id == service_point_id, Installation.meter_id.is_not(None),
        sa.or_(Installation.removed_on.is_(None), Installation.removed_on > first))))
    if not meters:
        return {}
    summed = _summed_months(session.connection(), meters, first, end, zone)
    return summed if summed is not None else _walked_months(session, meters, first, end, zone)


def _summed_months(connection, meters: list[int], first: date, end: date, zone) -> dict[date, MonthUse] | None:
    """The months from sums the database makes, with no interval row sent back (a year of 15-minute data is
    35,040 rows): per local month and channel, kWh, WBP kWh by the local hour, the highest kWh, the interval
    lengths. None, for the row-by-row walk, for intervals of several lengths in a month, when an interval
    does not sit inside one local hour (a WBP boundary might cut it), or where the database cannot tell
    local time cheaply (below)."""
    if PEAK[0].minute or PEAK[1].minute:
        return None
    t = IntervalReading.__table__
    since, until = datetime.combine(first, time(0), zone), datetime.combine(end, time(0), zone)
    where = (t.c.meter_id.in_(meters), t.c.channel.in_(("1.8.0", "3.8.0")), t.c.start_at >= since,
             t.c.start_at < until)
    if connection.dialect.name == "postgresql":
        # One grouped pass; the database knows the zone (daylight saving too). Numeric sums are exact.
        local = sa.func.timezone(zone.key, t.c.start_at)
        month = sa.func.to_char(local, "YYYY-MM")
        rows = connection.execute(sa.select(month, *_sums(t, sa.extract("hour", local),
                                                          sa.cast(sa.extract("minute", local), sa.Integer),
                                                          t.c.value))
                                  .where(*where).group_by(month, t.c.channel))
        found = [(date(int(m[:4]), int(m[5:7]), 1), *rest) for m, *rest in rows]
        return _from_sums(found, Decimal, zone)
    months = _local_months(first, end, zone)
    if connection.dialect.name != "sqlite" or any(o is None or o % timedelta(hours=1) for *_, o in months):
        return None
    # SQLite keeps instants as UTC text 'YYYY-MM-DD HH:MM:SS.ffffff' (SQLAlchemy's format) and QUANTITY as
    # binary floats: the UTC hour is two characters, a month's whole-hour offset gives the local one, and
    # kWh are summed as whole ten-thousandths (the QUANTITY scale), so the sums stay exact. One pass a month.
    selects = []
    for since, until, month, offset in months:
        hour = (sa.cast(sa.func.substr(t.c.start_at, 12, 2), sa.Integer) + int(offset / timedelta(hours=1)) + 24) % 24
        selects.append(sa.select(sa.literal(month.isoformat()), *_sums(
            t, hour, sa.cast(sa.func.substr(t.c.start_at, 15, 2), sa.Integer), sa.func.round(t.c.value * 10000)))
            .where(*where[:2], t.c.start_at >= since, t.c.start_at < until).group_by(t.c.channel))
    found = [(date.fromisoformat(m), *rest) for m, *rest in connection.execute(sa.union_all(*selects))]
    return _from_sums(found, lambda v: Decimal(int(v)).scaleb(-4), zone)


def _sums(t, hour, minute, quantity) -> list:
    """Channel, count, minutes, kWh, WBP kWh, highest kWh, shortest and longest interval, intervals outside an hour."""
    return [t.c.channel, sa.func.count(), sa.func.sum(t.c.minutes), sa.func.sum(quantity),
            sa.func.sum(sa.case((hour.between(PEAK[0].hour, PEAK[1].hour - 1), quantity), else_=0)),
            sa.func.max(quantity), sa.func.min(t.c.minutes), sa.func.max(t.c.minutes),
            sa.func.sum(sa.case((sa.or_(60 % t.c.minutes != 0, minute % t.c.minutes != 0), 1), else_=0))]


def _from_sums(found, quantity, zone) -> dict[date, MonthUse] | None:
    minutes, kwh, wbp, kvarh, kw = (defaultdict(int), defaultdict(Decimal), defaultdict(Decimal),
                                    defaultdict(Decimal), {})
    for month, channel, count, covered, total, peak, top, shortest, longest, outside in found:
        if not count:
            continue
        if channel == "3.8.0":
            kvarh[month] = quantity(total)
            continue
        if outside or shortest != longest:
            return None
        minutes[month], kwh[month], wbp[month] = int(covered), quantity(total), quantity(peak)
        if longest <= 60:
            kw[month] = quantity(top) * 60 / longest
    return _covered(minutes, kwh, wbp, kvarh, kw, zone)


def _walked_months(session: Session, meters: list[int], first: date, end: date, zone) -> dict[date, MonthUse]:
    """The months from every interval, split at the WBP boundaries by minutes (models.readings.intervals)."""
    table = IntervalReading.__table__
    rows = session.connection().execute(
        sa.select(table.c.channel, table.c.start_at, table.c.minutes, table.c.value)
        .where(table.c.meter_id.in_(meters), table.c.channel.in_(("1.8.0", "3.8.0")),
               table.c.start_at >= datetime.combine(first, time(0), zone),
               table.c.start_at < datetime.combine(end, time(0), zone)))
    minutes, kwh, wbp, kvarh, kw = (defaultdict(int), defaultdict(Decimal), defaultdict(Decimal),
                                    defaultdict(Decimal), {})
    months = _local_months(first, end, zone)
    for channel, at, length, value in rows:
        month, start = _month_and_minute(at.astimezone(UTC), months, zone)
        if channel == "3.8.0":
            kvarh[month] += value
            continue
        minutes[month] += length
        kwh[month] += value
        if start + length <= 1440:       # within one day: the overlap with the peak window in minutes
            peak = min(start + length, _PEAK_TO) - max(start, _PEAK_FROM)
            if peak > 0:
                wbp[month] += value * peak / length
        else:
            wbp[month] += split_tou(at, length, value, zone)["WBP"]
        if length <= 60:
            demand = value * 60 / length
            if demand > kw.get(month, ZERO):
                kw[month] = demand
    return _covered(minutes, kwh, wbp, kvarh, kw, zone)


def _covered(minutes, kwh, wbp, kvarh, kw, zone) -> dict[date, MonthUse]:
    """The months the intervals cover whole (every minute of the local month)."""
    out = {}
    for month, covered in minutes.items():
        days = (add_months(month, 1) - month).days
        if covered < days * 1440 - _dst_slack(month, zone):
            continue
        out[month] = MonthUse(month, "intervals", kwh[month], lwbp=kwh[month] - wbp[month], wbp=wbp[month],
                              kvarh=kvarh.get(month), kw=kw.get(month))
    return out


def _local_months(first: date, end: date, zone) -> list[tuple[datetime, datetime, date, timedelta | None]]:
    """Each month's [start, end) instants with its UTC offset when the offset holds all month (else None)."""
    out, month = [], first
    while month < end:
        since = datetime.combine(month, time(0), zone)
        until = datetime.combine(add_months(month, 1), time(0), zone)
        offset = since.utcoffset()
        # UTC bounds: comparing instants of one tzinfo is far cheaper than across zones.
        steady = (until - timedelta(seconds=1)).utcoffset() == offset
        out.append((since.astimezone(UTC), until.astimezone(UTC), month, offset if steady else None))
        month = add_months(month, 1)
    return out


def _month_and_minute(at: datetime, months, zone) -> tuple[date, int]:
    """The local month and minute of the day of an instant; a fixed offset spares a time-zone conversion."""
    for since, until, month, offset in months:
        if since <= at < until:
            if offset is None:
                local = at.astimezone(zone)
                return month, local.hour * 60 + local.minute
            return month, ((at - since).seconds // 60) % 1440
    local = at.astimezone(zone)
    return local.date().replace(day=1), local.hour * 60 + local.minute


def _dst_slack(month: date, zone) -> int:
    """Minutes a month is shorter in a zone that moves its clocks (none in Asia/Jakarta)."""
    start = datetime.combine(month, time(0), zone)
    end = datetime.combine(add_months(month, 1), time(0), zone)
    return max(0, int(((end - start) - timedelta(days=(end.date() - start.date()).days)).total_seconds() // -60))
