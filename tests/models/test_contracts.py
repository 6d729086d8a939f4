from datetime import date

import pytest

from models.contracts.entities import ContractStatus
from models.contracts.operations import change_contract_terms, open_contract, terminate_contract
from models.errors import DomainError


def test_change_adds_a_version_and_keeps_history(db, make):
    contract = make.contract(power_va=900, registered_on=date(2019, 3, 1))
    bigger = make.tariff(code="R-1/TR 1300")
    change_contract_terms(db.session, contract, date(2024, 2, 1), "power increase", tariff=bigger,
                          contracted_power_va=1300)
    v1, v2 = contract.versions
    assert (v1.valid_from, v1.valid_to, v1.contracted_power_va) == (date(2019, 3, 1), date(2024, 2, 1), 900)
    assert (v2.version_no, v2.valid_to, v2.tariff.code, v2.contracted_power_va) == (2, None, "R-1/TR 1300", 1300)
    assert contract.version_on(date(2024, 1, 31)) is v1 and contract.version_on(date(2024, 2, 1)) is v2


def test_change_must_start_after_the_current_version(db, make):
    contract = make.contract(registered_on=date(2023, 1, 1))
    with pytest.raises(DomainError, match="must be after 2023-01-01"):
        change_contract_terms(db.session, contract, date(2023, 1, 1), "typo", contracted_power_va=2200)


def test_power_outside_the_tariff_range_is_refused(db, make):
    tariff = make.tariff(min_va=3500, max_va=5500)
    with pytest.raises(DomainError) as info:
        make.contract(tariff=tariff, power_va=2200)
    assert info.value.field == "contracted_power_va" and "3500-5500 VA" in info.value.message


def test_second_active_contract_on_a_service_point_is_refused(db, make):
    contract = make.contract()
    with pytest.raises(DomainError, match="already has an active contract"):
        open_contract(db.session, contract.service_point, contract.account, "000000000777", make.tariff(), 1300,
                      date(2024, 1, 1))


def test_new_contract_after_termination_gets_the_next_serial(db, make):
    first = make.contract(registered_on=date(2020, 1, 1))
    terminate_contract(db.session, first, date(2024, 6, 30))
    second = make.contract(service_point=first.service_point, registered_on=date(2024, 7, 1))
    assert (first.status, first.versions[-1].valid_to) == (ContractStatus.TERMINATED, date(2024, 7, 1))
    assert second.serial == 2
