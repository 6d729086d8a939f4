"""Meter stock: registering deliveries as number ranges, and moving meters between stores."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.audit.recorder import acting_name, record_bulk
from models.clock import today
from models.errors import DomainError
from models.meters.entities import (
    Calibration,
    Meter,
    MeterBatch,
    MeterModel,
    MeterMovement,
    MeterStatus,
    MovementKind,
    Register,
    Store,
    StoreKind,
    UsageType,
)
from models.statuses import check_move, move_status
from models.types import add_months

MAX_BATCH = 100_000
SHOWN = 20   # conflicting numbers listed in a refusal before "and N more"
_RANGE = re.compile(r"^([A-Za-z]*)(\d+)\s*-\s*\1?(\d+)$")


def register_template(model: MeterModel) -> list[dict]:
    """The registers a new meter of this model gets (TOU models: WBP, LWBP, kVArh, demand)."""
    if model.time_of_use:
        kinds = [("1.8.1", UsageType.ACTIVE_WBP), ("1.8.2", UsageType.ACTIVE_LWBP), ("3.8.0", UsageType.REACTIVE),
                 ("1.6.0", UsageType.DEMAND)]
    else:
        kinds = [("1.8.0", UsageType.ACTIVE)]
    return [{"code": code, "usage_type": usage, "digits": model.digits, "decimals": 0, "multiplier": Decimal(1)}
            for code, usage in kinds]


def _listed(numbers: list[str]) -> str:
    shown = ", ".join(numbers[:SHOWN])
    return shown + (f" and {len(numbers) - SHOWN} more" if len(numbers) > SHOWN else "")


def _existing(session: Session, numbers: list[str]) -> list[str]:
    found = []
    for start in range(0, len(numbers), 1000):
        chunk = numbers[start:start + 1000]
        found += session.scalars(sa.select(Meter.number).where(Meter.number.in_(chunk))).all()
    return sorted(found)


def register_meter_batch(session: Session, first: int, last: int, model_id: int, store_id: int,
                         delivery_document: str, prefix: str = "",
                         received_on: date | None = None) -> MeterBatch:
    """Create the meters numbered first..last (the manufacturer's numbers), all or none."""
    if last < first:
        raise DomainError(f"must not be below the first number {first}", "last_number")
    if last - first + 1 > MAX_BATCH:
        raise DomainError(f"a delivery holds at most {MAX_BATCH:,} meters", "last_number")
    if not (delivery_document or "").strip():
        raise DomainError("is required", "delivery_document")
    model = session.get(MeterModel, model_id)
    store = session.get(Store, store_id)
    if model is None:
        raise DomainError("choose a meter model", "model")
    if store is None or store.kind is StoreKind.FIELD_CREW:
        raise DomainError("deliveries are received into a store or the laboratory", "store")
    numbers = [f"{prefix}{n}" for n in range(first, last + 1)]
    taken = _existing(session, numbers)
    if taken:
        raise DomainError(f"{len(taken)} meter number(s) already exist: {_listed(taken)}; nothing was registered",
                          "first_number")
    received_on = received_on or today()
    by = acting_name()
    batch = MeterBatch(prefix=prefix, first_number=first, last_number=last, model=model, store=store,
                       delivery_document=delivery_document.strip(), received_on=received_on, registered_by=by)
    session.add(batch)
    session.flush()
    # A new meter's first status, inserted in bulk: the batch and its receive movements say who and when.
    status = MeterStatus.IN_LAB if store.kind is StoreKind.LABORATORY else MeterStatus.IN_STORE
    due = add_months(received_on, model.calibration_interval_months)
    session.execute(sa.insert(Meter.__table__), [
        {"number": n, "model_id": model.id, "status": status, "store_id": store.id, "batch_id": batch.id,
         "last_calibrated_on": received_on, "next_calibration_due": due} for n in numbers])
    ids = session.execute(sa.select(Meter.id).where(Meter.batch_id == batch.id)).scalars().all()
    template = register_template(model)
    session.execute(sa.insert(Register.__table__), [{"meter_id": i, **r} for i in ids for r in template])
    session.execute(sa.insert(MeterMovement.__table__), [
        {"meter_id": i, "kind": MovementKind.RECEIVE, "from_store_id": None, "to_store_id": store.id,
         "document_no": batch.delivery_document, "moved_on": received_on, "by": by, "reason": "delivery"}
        for i in ids])
    record_bulk(session, "meters", {"rows": len(ids), "batch": str(batch), "store": store.code})
    return batch


def parse_meter_selection(text: str) -> list[str]:
    """'30001-30010, 30015 ITR000000123' -> the meter numbers it names."""
    numbers = []
    for part in re.split(r"[\s,;]+", (text or "").strip()):
        if not part:
            continue
        match = _RANGE.match(part)
        if match:
            prefix, low, high = match.group(1), int(match.group(2)), int(match.group(3))
            if high < low or high - low >= MAX_BATCH:
                raise DomainError(f"range {part} is empty or too long", "meters")
            numbers += [f"{prefix}{n}" for n in range(low, high + 1)]
        else:
            numbers.append(part)
    if not numbers:
        raise DomainError("name at least one meter number or range", "meters")
    return list(dict.fromkeys(numbers))


def _rule_for(kind: MovementKind, meter: Meter, store: Store | None, reason: str | None) -> MeterStatus:
    """The meter's next status for this movement, or why it may not move."""
    if kind is MovementKind.SEND:
        if meter.status is MeterStatus.INSTALLED:
            raise DomainError("is installed and cannot be sent")
        if meter.status is MeterStatus.IN_TRANSIT:
            raise DomainError("is already in transit")
        if meter.store_id == store.id:
            raise DomainError(f"is already at {store.code}")
        return MeterStatus.IN_TRANSIT
    if kind is MovementKind.RECEIVE:
        if meter.status is not MeterStatus.IN_TRANSIT or meter.in_transit_to_id != store.id:
            raise DomainError(f"was not sent to {store.code}")
        return MeterStatus.IN_LAB if store.kind is StoreKind.LABORATORY else MeterStatus.IN_STORE
    if not (reason or "").strip():
        raise DomainError("a rejection needs a reason")
    if meter.status is MeterStatus.INSTALLED:
        raise DomainError("is installed: remove it first")
    return MeterStatus.REJECTED


def move_meters(session: Session, kind: MovementKind, numbers: list[str], store_id: int | None, document_no: str,
                reason: str | None = None, moved_on: date | None = None) -> list[MeterMovement]:
    """Send, receive or reject meters; every meter must pass its rule or none moves."""
    kind = MovementKind(kind)
    if not (document_no or "").strip():
        raise DomainError("is required", "document_no")
    store = session.get(Store, store_id) if store_id else None
    if kind is not MovementKind.REJECT and store is None:
        raise DomainError("choose the store", "store")
    meters = {m.number: m for m in session.scalars(sa.select(Meter).where(Meter.number.in_(numbers)))}
    problems = [f"{n}: no such meter" for n in numbers if n not in meters]
    plans = []
    for number in numbers:
        meter = meters.get(number)
        if meter is None:
            continue
        try:
            target = _rule_for(kind, meter, store, reason)
            check_move(meter.status, target, f"meter {number}")
            plans.append((meter, target))
        except DomainError as exc:
            problems.append(f"{number}: {exc.message}")
    if problems:
        raise DomainError(f"nothing moved; {len(problems)} meter(s) refused: {'; '.join(problems[:SHOWN])}"
                          + (f"; and {len(problems) - SHOWN} more" if len(problems) > SHOWN else ""), "meters")
    movements, by = [], acting_name()
    for meter, target in plans:
        from_store = meter.store_id
        movement = MeterMovement(meter=meter, kind=kind, document_no=document_no.strip(), moved_on=moved_on or today(),
                                 by=by, reason=(reason or None), from_store_id=from_store,
                                 to_store_id=store.id if kind is not MovementKind.REJECT else None)
        move_status(session, meter, target, what=f"meter {meter.number}", note=f"{kind.value} {document_no.strip()}")
        if kind is MovementKind.SEND:
            meter.in_transit_to_id = store.id
        elif kind is MovementKind.RECEIVE:
            meter.store_id, meter.in_transit_to_id = store.id, None
        session.add(movement)
        movements.append(movement)
    session.flush()
    return movements


def record_calibration(session: Session, meter: Meter, passed: bool, tested_on: date,
                       certificate: str | None = None, remarks: str | None = None) -> Calibration:
    """Pass: certificate, last calibration and the next due date; fail: the meter is rejected."""
    if meter.status is not MeterStatus.IN_LAB:
        raise DomainError(f"meter {meter.number} is {meter.status.value}, not in the laboratory", "meter")
    if passed and not (certificate or "").strip():
        raise DomainError("a passed calibration needs its certificate number", "certificate")
    if tested_on > today():
        raise DomainError("cannot be in the future", "tested_on")
    next_due = add_months(tested_on, meter.model.calibration_interval_months) if passed else None
    calibration = Calibration(meter=meter, tested_on=tested_on, passed=passed, by=acting_name(),
                              remarks=remarks or None, certificate=(certificate or "").strip() or None,
                              next_due=next_due)
    session.add(calibration)
    if passed:
        meter.last_calibrated_on, meter.next_calibration_due = tested_on, next_due
    else:
        move_meters(session, MovementKind.REJECT, [meter.number], None, f"CAL-{meter.number}",
                    reason=f"failed calibration: {remarks or 'no remarks'}", moved_on=tested_on)
    session.flush()
    return calibration


def scrap_meter(session: Session, meter: Meter, note: str | None = None) -> None:
    """A rejected meter leaves the stock for good; its number is never used again."""
    move_status(session, meter, MeterStatus.SCRAPPED, what=f"meter {meter.number}", note=note)
    session.add(MeterMovement(meter=meter, kind=MovementKind.REJECT, from_store_id=meter.store_id, to_store_id=None,
                              document_no=f"SCRAP-{meter.number}", moved_on=today(), by=acting_name(),
                              reason=f"scrapped{': ' + note if note else ''}"))
    session.flush()
