"""Tariff versions: dated, never overlapping within one tariff."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.errors import DomainError
from models.tariffs.entities import Tariff, TariffComponent, TariffVersion


def check_version_overlap(session: Session, version: TariffVersion) -> None:
    """Refuse a version whose [from, to) range meets another version of the same tariff.

    PostgreSQL's exclusion constraint guarantees the same; this check gives every engine the
    same clear message before the database has to say no.
    """
    if version.effective_to is not None and version.effective_to <= version.effective_from:
        raise DomainError("must be after the effective-from date", "effective_to")
    tariff_id = version.tariff_id if version.tariff_id is not None else version.tariff.id
    far_future = date.max
    other = session.scalar(
        sa.select(TariffVersion).where(
            TariffVersion.tariff_id == tariff_id,
            TariffVersion.id != (version.id or -1),
            TariffVersion.effective_from < (version.effective_to or far_future),
            sa.or_(TariffVersion.effective_to.is_(None), TariffVersion.effective_to > version.effective_from),
        ).limit(1))
    if other is not None:
        raise DomainError(f"overlaps version {other} of the same tariff", "effective_from")


def add_tariff_version(session: Session, tariff: Tariff, effective_from: date, effective_to: date | None,
                       components: list[TariffComponent], **settings) -> TariffVersion:
    version = TariffVersion(tariff=tariff, effective_from=effective_from, effective_to=effective_to,
                            components=components, **settings)
    with session.no_autoflush:
        check_version_overlap(session, version)
    session.add(version)
    session.flush()
    return version
