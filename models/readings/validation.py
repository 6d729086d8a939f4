"""How a new reading is judged against the register's previous reading and history.

Pure functions, so the entry screen, the imports and the estimation all judge alike:
- consumption = (current - previous) x multiplier;
- a lower reading is a rollover only when the register was near its end (top tenth) and the wrapped
  advance is small (under a tenth of the range); otherwise it is negative consumption;
- zero consumption on an active contract, consumption outside the history band (per tariff class),
  and a meter stopped for n readings in a row are anomalies.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from models.readings.entities import AnomalyCode

DEFAULT_HIGH, DEFAULT_LOW, DEFAULT_STOPPED = Decimal(3), Decimal("0.2"), 3


@dataclass(frozen=True)
class Limits:
    high_factor: Decimal = DEFAULT_HIGH
    low_factor: Decimal = DEFAULT_LOW
    stopped_periods: int = DEFAULT_STOPPED


@dataclass
class Verdict:
    consumption: Decimal | None
    anomalies: list[tuple[AnomalyCode, str]] = field(default_factory=list)


def advance(previous: Decimal, current: Decimal, digits: int) -> tuple[Decimal | None, AnomalyCode | None]:
    """Register units advanced from previous to current, and whether it wrapped or went backwards."""
    if current >= previous:
        return current - previous, None
    span = Decimal(10) ** digits
    wrapped = span - previous + current
    if previous >= span * Decimal("0.9") and wrapped <= span * Decimal("0.1"):
        return wrapped, AnomalyCode.ROLLOVER
    return None, AnomalyCode.NEGATIVE_CONSUMPTION


def judge(previous: Decimal | None, current: Decimal, digits: int, multiplier: Decimal, days: int | None,
          average_daily: Decimal | None, active_contract: bool, recent_zero_runs: int,
          limits: Limits = Limits()) -> Verdict:
    """The consumption since the previous reading and the anomalies it shows.

    `average_daily` is the register's consumption per day over the last twelve months (None when there is
    no history); `recent_zero_runs` counts the register's latest readings in a row with zero consumption.
    """
    if previous is None:
        return Verdict(None)
    units, code = advance(previous, current, digits)
    if units is None:
        return Verdict(None, [(code, f"{current} is below the previous {previous}")])
    used = units * multiplier
    verdict = Verdict(used, [(code, f"wrapped past {Decimal(10) ** digits - 1}")] if code else [])
    if used == 0:
        if recent_zero_runs + 1 >= limits.stopped_periods:
            verdict.anomalies.append((AnomalyCode.METER_STOPPED,
                                      f"no advance for {recent_zero_runs + 1} readings in a row"))
        elif active_contract:
            verdict.anomalies.append((AnomalyCode.ZERO_CONSUMPTION, "no consumption on an active contract"))
    elif average_daily and days:
        expected = average_daily * days
        if used > expected * limits.high_factor:
            verdict.anomalies.append((AnomalyCode.HIGH_CONSUMPTION, f"{used} against about {expected:.0f} expected"))
        elif used < expected * limits.low_factor:
            verdict.anomalies.append((AnomalyCode.LOW_CONSUMPTION, f"{used} against about {expected:.0f} expected"))
    return verdict
