"""Estimating a register's index for a day it was not read, and the range a reading is expected in.

Average daily consumption over the last twelve months comes from the register's own history; a
register without one uses its tariff class's profile: the class's configured kWh a day
(ReadingRule.profile_daily) or else the average of the class's registers of the same code.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.clock import today
from models.contracts.entities import Contract, ContractStatus, ContractVersion
from models.meters.entities import Installation, Register
from models.readings.entities import Reading, ReadingRule, ReadingStatus, ReadingType
from models.readings.operations import HISTORY_DAYS, RegisterContext
from models.tariffs.entities import Tariff


def estimate_value(context: RegisterContext, on: date, daily: Decimal | None, decimals: int = 0) -> Decimal | None:
    """The index the register would show on `on` at `daily` kWh a day; None without a base to start from.
    A maximum-demand register is estimated at its latest value."""
    if context.demand and context.previous is not None:
        return context.previous[1]
    if context.previous is None or daily is None or on < context.previous[0]:
        return None
    units = daily * (on - context.previous[0]).days / context.multiplier
    value = (context.previous[1] + units).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return value % (Decimal(10) ** context.digits)      # an estimate may wrap a register like a reading


def expected_range(context: RegisterContext, on: date) -> tuple[Decimal | None, Decimal | None]:
    """Lowest and highest plausible index on `on`: the history band of the register's tariff class."""
    if context.demand or context.previous is None or context.average_daily is None or on <= context.previous[0]:
        return None, None
    used = context.average_daily * (on - context.previous[0]).days / context.multiplier
    low = context.previous[1] + used * context.limits.low_factor
    high = context.previous[1] + used * context.limits.high_factor
    return low.quantize(Decimal(1), rounding=ROUND_HALF_UP), high.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def class_profiles(session: Session) -> dict[tuple[str, str], Decimal]:
    """kWh a day per (tariff class, register code) for registers without a history of their own."""
    since = today() - timedelta(days=HISTORY_DAYS)
    rows = session.execute(
        sa.select(Tariff.tariff_class, Register.code, sa.func.sum(Reading.consumption),
                  sa.func.count(sa.distinct(Reading.register_id)))
        .join(Register, Register.id == Reading.register_id)
        .join(Installation, sa.and_(Installation.meter_id == Register.meter_id, Installation.removed_on.is_(None)))
        .join(Contract, sa.and_(Contract.service_point_id == Installation.service_point_id,
                                Contract.status == ContractStatus.ACTIVE))
        .join(ContractVersion, sa.and_(ContractVersion.contract_id == Contract.id, ContractVersion.valid_to.is_(None)))
        .join(Tariff, Tariff.id == ContractVersion.tariff_id)
        .where(Reading.read_on >= since, Reading.status == ReadingStatus.VALID,
               Reading.reading_type != ReadingType.ESTIMATED, Reading.consumption.is_not(None))
        .group_by(Tariff.tariff_class, Register.code))
    profiles = {(tariff_class, code): Decimal(used) / registers / HISTORY_DAYS
                for tariff_class, code, used, registers in rows if used is not None and registers}
    for rule in session.scalars(sa.select(ReadingRule).where(ReadingRule.profile_daily.is_not(None))):
        profiles[(rule.tariff_class, "1.8.0")] = rule.profile_daily
    return profiles
