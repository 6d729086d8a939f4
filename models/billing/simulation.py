"""Pricing hypothetical quantities on a tariff in the database (`cms bills simulate`, the API, advice).

Quantities are taken as already multiplied (kWh at the customer, not register units). Every refusal is
a DomainError naming the input at fault, so the CLI and the API can say which one.
"""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from models.billing.inputs import BillInputs, ContractSegment, QuantitySource, snapshot_version
from models.billing.pricing import PricedBill, price_bill
from models.errors import DomainError
from models.meters.entities import UsageType
from models.tariffs.entities import Tariff, TariffVersion

PERIOD = re.compile(r"^(\d{4})-(\d{2})$")
# Far beyond any customer (a 1 TWh month, a 2 GVA connection), and inside the columns bills store.
QUANTITY_MAX = Decimal("1000000000000")
POWER_MAX = 2_000_000_000


def parse_period(period: str) -> tuple[date, date]:
    """'YYYY-MM' as the month's [first day, first day of the next month)."""
    match = PERIOD.match(str(period).strip())
    try:
        if not match:
            raise ValueError
        year, month = int(match.group(1)), int(match.group(2))
        start = date(year, month, 1)
        return start, date(year + month // 12, month % 12 + 1, 1)
    except (ValueError, OverflowError):
        raise DomainError("must be a month as YYYY-MM, e.g. 2024-10", "period") from None


def parse_quantity(value, field: str) -> Decimal | None:
    """A quantity as a Decimal: integers, decimal strings, Decimals (a JSON float through its text)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise DomainError("must be a number", field)
    try:
        quantity = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise DomainError("must be a number", field) from None
    if not quantity.is_finite():
        raise DomainError("must be a number", field)
    if quantity < 0:
        raise DomainError("must not be negative", field)
    if quantity > QUANTITY_MAX:
        raise DomainError(f"must be at most {QUANTITY_MAX:,}", field)
    return quantity


def _power(tariff: Tariff, power_va) -> int:
    try:
        if isinstance(power_va, bool):
            raise ValueError
        power = int(str(power_va).strip())
    except ValueError:
        raise DomainError("must be a whole number of VA", "power_va") from None
    if power <= 0:
        raise DomainError("must be greater than zero", "power_va")
    if power > POWER_MAX:
        raise DomainError(f"must be at most {POWER_MAX:,} VA", "power_va")
    low, high = tariff.min_power_va, tariff.max_power_va
    if (low is not None and power < low) or (high is not None and power > high):
        span = (f"{high:,} VA" if low == high else f"{low or 0:,} to {high:,} VA") if high is not None \
            else f"{low:,} VA and up"
        raise DomainError(f"tariff {tariff.code} takes {span}", "power_va")
    return power


def _sources(tariff: Tariff, kwh, lwbp, wbp, kvarh, kw) -> tuple[QuantitySource, ...]:
    given = {name: parse_quantity(value, name)
             for name, value in (("kwh", kwh), ("lwbp", lwbp), ("wbp", wbp), ("kvarh", kvarh), ("kw", kw))}
    if tariff.time_of_use:
        if given["kwh"] is not None:
            raise DomainError(f"time-of-use tariff {tariff.code} takes lwbp and wbp, not kwh", "kwh")
        for name in ("lwbp", "wbp"):
            if given[name] is None:
                raise DomainError(f"is required for time-of-use tariff {tariff.code}", name)
    else:
        for name in ("lwbp", "wbp"):
            if given[name] is not None:
                raise DomainError(f"tariff {tariff.code} is not time-of-use: give kwh", name)
        if given["kwh"] is None:
            raise DomainError("is required", "kwh")
    usage = {"kwh": UsageType.ACTIVE, "lwbp": UsageType.ACTIVE_LWBP, "wbp": UsageType.ACTIVE_WBP,
             "kvarh": UsageType.REACTIVE, "kw": UsageType.DEMAND}
    return tuple(QuantitySource(usage[name], quantity) for name, quantity in given.items() if quantity is not None)


def simulate_bill(session: Session, tariff_code: str, power_va: int, period: str, kwh=None, lwbp=None,
                  wbp=None, kvarh=None, kw=None) -> PricedBill:
    """Price one month of the given quantities on a tariff, with the version(s) valid in that month."""
    start, end = parse_period(period)
    tariff = session.scalar(sa.select(Tariff).where(Tariff.code == str(tariff_code).strip()))
    if tariff is None:
        raise DomainError(f"unknown tariff {tariff_code!r}", "tariff")
    power = _power(tariff, power_va)
    sources = _sources(tariff, kwh, lwbp, wbp, kvarh, kw)
    versions = session.scalars(
        sa.select(TariffVersion).options(selectinload(TariffVersion.components))
        .where(TariffVersion.tariff_id == tariff.id, TariffVersion.effective_from < end,
               sa.or_(TariffVersion.effective_to.is_(None), TariffVersion.effective_to > start))
        .order_by(TariffVersion.effective_from)).all()
    if not versions:
        raise DomainError(f"tariff {tariff.code} has no version valid in {start:%Y-%m}", "period")
    return price_bill(BillInputs(
        period_start=start, period_end=end, segments=(ContractSegment(start, end, tariff.code, power),),
        versions=tuple(snapshot_version(v) for v in versions), quantities=sources))


def decimal_text(value: Decimal, money: bool = False) -> str:
    """A plain decimal string: no exponent, no trailing zeros (money keeps two places when it has cents)."""
    value = value.normalize()
    if money and value.as_tuple().exponent == -1:
        value = value.quantize(Decimal("0.01"))
    return f"{value:f}"


def priced_bill_json(bill: PricedBill) -> dict:
    return {
        "lines": [{"kind": line.kind.value, "label": line.label, "quantity": decimal_text(line.quantity),
                   "unit": line.unit, "rate": decimal_text(line.rate, money=True),
                   "amount": decimal_text(line.amount, money=True)} for line in bill.lines],
        "subtotal": decimal_text(bill.subtotal, money=True),
        "taxes": decimal_text(bill.taxes, money=True),
        "total": decimal_text(bill.total, money=True),
    }
