from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError

from models.errors import DomainError
from models.tariffs.catalogue import CATALOGUE, load_pln_catalogue
from models.tariffs.entities import ComponentKind, TariffVersion, TouPeriod
from models.tariffs.operations import add_tariff_version


def test_overlapping_version_is_refused_with_the_version_it_meets(db, make):
    tariff = make.tariff(code="R-1/TR 1300", effective_from=date(2024, 10, 1))
    with pytest.raises(DomainError) as info:
        add_tariff_version(db.session, tariff, date(2025, 1, 1), None, [])
    assert info.value.field == "effective_from"
    assert "overlaps version R-1/TR 1300 2024-10-01..open" in info.value.message


def test_adjacent_versions_are_accepted(db, make):
    tariff = make.tariff(effective_from=date(2024, 7, 1), effective_to=date(2024, 10, 1))
    version = add_tariff_version(db.session, tariff, date(2024, 10, 1), None, [])
    assert [v.effective_from for v in tariff.versions] == [date(2024, 7, 1), version.effective_from]


def test_database_itself_refuses_overlap_on_postgresql(db, make):
    tariff = make.tariff(effective_from=date(2024, 1, 1), effective_to=date(2024, 12, 31))
    db.session.add(TariffVersion(tariff=tariff, effective_from=date(2024, 6, 1)))
    if db.engine.dialect.name != "postgresql":
        db.session.flush()  # SQLite has no exclusion constraints: the operation's check is the guard there
        return
    with pytest.raises(IntegrityError, match="ex_tariff_versions_no_overlap"):
        db.session.flush()


def test_catalogue_expresses_every_rule_as_data(db):
    tariffs = load_pln_catalogue(db.session)
    assert set(tariffs) == {e.code for e in CATALOGUE}
    old, current = tariffs["R-1/TR 450"].versions
    assert [(c.block_from, c.block_to, c.rate) for c in old.components if c.kind is ComponentKind.ENERGY] == [
        (0, 30, Decimal("169")), (30, 60, Decimal("360")), (60, None, Decimal("495"))]
    assert old.effective_to == current.effective_from == date(2024, 10, 1)
    tou = {c.tou_period: c for c in tariffs["I-3/TM"].versions[0].components if c.kind is ComponentKind.ENERGY}
    assert tou[TouPeriod.LWBP].rate == Decimal("1114.74") and tou[TouPeriod.WBP].factor == Decimal("1.4")
    reactive = next(c for c in tariffs["I-3/TM"].versions[0].components if c.kind is ComponentKind.REACTIVE_EXCESS)
    assert reactive.threshold_ratio == Decimal("0.62")


def test_catalogue_load_is_idempotent(db):
    first = load_pln_catalogue(db.session)
    again = load_pln_catalogue(db.session)
    assert {k: v.id for k, v in first.items()} == {k: v.id for k, v in again.items()}
