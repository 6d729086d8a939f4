"""Interval data rolled up to consumption per register and time-of-use period.

PLN's time-of-use split: WBP (waktu beban puncak, peak) 17:00-22:00 local time, LWBP the rest. A TOU
meter's import channel (1.8.0) rolls up to its WBP register (1.8.1) and LWBP register (1.8.2); any
other channel, or a meter without TOU registers, rolls up to the register of the channel's own code.
An interval crossing a period boundary (daily or monthly data) is split in proportion to its minutes.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.clock import business_zone
from models.meters.entities import Register
from models.readings.entities import IntervalReading

PEAK = (time(17), time(22))
WBP, LWBP = "WBP", "LWBP"


def split_tou(start: datetime, minutes: int, value: Decimal, zone: ZoneInfo) -> dict[str, Decimal]:
    """The interval's energy in WBP and LWBP, in proportion to the minutes it spends in each."""
    local = start.astimezone(zone)
    end = local + timedelta(minutes=minutes)
    peak, day = 0, local.date()
    while datetime.combine(day, time(0), zone) < end:
        window_start = datetime.combine(day, PEAK[0], zone)
        window_end = datetime.combine(day, PEAK[1], zone)
        overlap = (min(end, window_end) - max(local, window_start)).total_seconds()
        peak += max(0, overlap)
        day += timedelta(days=1)
    in_peak = value * int(peak) / (minutes * 60)
    return {WBP: in_peak, LWBP: value - in_peak}


def rollup(session: Session, meter_id: int, start: date, end: date, zone: ZoneInfo | None = None) -> dict[str, Decimal]:
    """Consumption per register code from the meter's intervals starting in [start, end) local days."""
    zone = zone or business_zone()
    codes = set(session.scalars(sa.select(Register.code).where(Register.meter_id == meter_id)))
    tou = {"1.8.1", "1.8.2"} <= codes
    since = datetime.combine(start, time(0), zone)
    until = datetime.combine(end, time(0), zone)
    out: dict[str, Decimal] = defaultdict(Decimal)
    for channel, at, minutes, value in session.execute(
            sa.select(IntervalReading.channel, IntervalReading.start_at, IntervalReading.minutes, IntervalReading.value)
            .where(IntervalReading.meter_id == meter_id, IntervalReading.start_at >= since,
                   IntervalReading.start_at < until)):
        value = Decimal(value)
        if channel == "1.8.0" and tou:
            parts = split_tou(at, minutes, value, zone)
            out["1.8.1"] += parts[WBP]
            out["1.8.2"] += parts[LWBP]
        else:
            out[channel] += value
    return dict(sorted(out.items()))
