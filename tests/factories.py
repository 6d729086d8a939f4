"""Factory helpers: each makes one valid, flushed entity with sensible defaults; override what matters."""
from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from models.contracts.entities import Contract
from models.contracts.operations import open_contract
from models.customers.entities import Account, Customer, IdentityDocument, IdentityDocumentType
from models.meters.entities import Meter, MeterModel, MeterStatus, Register, Store, StoreKind, UsageType
from models.premises.entities import Property, ReadingRoute, ServicePoint, SupplyVoltage
from models.tariffs.entities import ComponentKind, Tariff, TariffComponent, TariffVersion
from models.users.entities import User
from models.users.operations import create_user

_seq = itertools.count(1)


class Factory:
    def __init__(self, session: Session):
        self.session = session

    def _add(self, obj):
        self.session.add(obj)
        return self._done(obj)

    def _done(self, obj):
        # Commit (a savepoint release inside the test's transaction): requests made by the test share
        # its session, and a refused request's rollback must not take the test's data with it.
        self.session.commit()
        return obj

    def user(self, role: str = "clerk", password: str = "correct-horse") -> tuple[User, str]:
        return self._done(create_user(self.session, f"user{next(_seq)}@example.com", role, password)), password

    def customer(self, name: str = "Siti Rahayu", **kw) -> Customer:
        return self._add(Customer(name=name, **kw))

    def identity_document(self, customer=None, number=None, doc_type=IdentityDocumentType.NATIONAL_ID):
        return self._add(IdentityDocument(customer=customer or self.customer(), doc_type=doc_type,
                                          number=number or f"3171{next(_seq):012d}"))

    def account(self, customer=None, **kw) -> Account:
        customer = customer or self.customer()
        kw.setdefault("account_no", f"A{next(_seq):09d}")
        return self._add(Account(customer=customer, payer_name=customer.name, billing_address="Jl. Melati 1", **kw))

    def route(self, **kw) -> ReadingRoute:
        kw.setdefault("code", f"R{next(_seq):04d}")
        return self._add(ReadingRoute(name="Route", area="Bandung", **kw))

    def service_point(self, spn: str | None = None, **kw) -> ServicePoint:
        prop = self._add(Property(address=f"Jl. Mawar {next(_seq)}", city="Bandung"))
        kw.setdefault("created_on", date(2020, 1, 1))
        return self._add(ServicePoint(spn=spn or f"BDG{next(_seq):08d}", property=prop, **kw))

    def tariff(self, code: str | None = None, rate: str = "1444.70", min_va=None, max_va=None,
               effective_from=date(2024, 10, 1), effective_to=None) -> Tariff:
        tariff = self._add(Tariff(code=code or f"T-{next(_seq)}", tariff_class="R-1", name="Household",
                                  voltage=SupplyVoltage.LOW, min_power_va=min_va, max_power_va=max_va))
        self.tariff_version(tariff, effective_from, effective_to, rate)
        return tariff

    def tariff_version(self, tariff, effective_from, effective_to=None, rate="1444.70") -> TariffVersion:
        return self._add(TariffVersion(tariff=tariff, effective_from=effective_from, effective_to=effective_to,
                                       components=[TariffComponent(kind=ComponentKind.ENERGY, label="Energy",
                                                                   rate=Decimal(rate))]))

    def contract(self, service_point=None, tariff=None, power_va: int = 1300,
                 registered_on=date(2020, 1, 1)) -> Contract:
        return self._done(open_contract(self.session, service_point or self.service_point(), self.account(),
                                        f"{next(_seq):012d}", tariff or self.tariff(), power_va, registered_on))

    def store(self, kind=StoreKind.CENTRAL) -> Store:
        n = next(_seq)
        return self._add(Store(code=f"S{n}", name=f"Store {n}", kind=kind))

    def meter_model(self, **kw) -> MeterModel:
        kw.setdefault("model_code", f"M{next(_seq)}")
        return self._add(MeterModel(manufacturer="Itron", **kw))

    def meter(self, number: str | None = None, multiplier="1", **kw) -> Meter:
        kw.setdefault("status", MeterStatus.IN_STORE)
        kw.setdefault("store", self.store() if kw["status"] is MeterStatus.IN_STORE else None)
        meter = Meter(number=number or f"{30000 + next(_seq)}", model=self.meter_model(), **kw)
        meter.registers.append(Register(code="1.8.0", usage_type=UsageType.ACTIVE, multiplier=Decimal(multiplier)))
        return self._add(meter)

    # Billing (tests/models/billing): meters at a contract's service point, readings, misc charges.
    def installed_meter(self, contract, installed_on, value="0", multiplier="1", number=None) -> Meter:
        from models.installations.operations import install_meter
        meter = self.meter(number=number, multiplier=multiplier)
        install_meter(self.session, contract.service_point, meter, installed_on, {"1.8.0": Decimal(value)})
        return self._done(meter)

    def reading(self, meter, read_on, value, reading_type="actual", code="1.8.0"):
        from models.readings.entities import ReadingType
        from models.readings.operations import record_reading
        register = next(r for r in meter.registers if r.code == code)
        return self._done(record_reading(self.session, register, read_on, Decimal(value), ReadingType(reading_type)))

    def misc_charge(self, contract, amount="50000", reason="reconnected after payment", taxable=False):
        from models.billing.entities import MiscCharge, MiscChargeType
        kind = self._add(MiscChargeType(code=f"FEE{next(_seq)}", name="Reconnection fee", taxable=taxable))
        return self._add(MiscCharge(contract_id=contract.id, charge_type_id=kind.id, amount=Decimal(amount),
                                    reason=reason, by="clerk@example.com"))
