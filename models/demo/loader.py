"""`cms demo-data`: a deterministic, realistic Indonesian utility for a seed.

Reference data (tariffs, stores, models, routes, users) goes through the ORM and the audit trail;
the bulk (customers to installations) is inserted with Core executemany in chunks, recorded as
one bulk audit event per table: at 100,000 service points the ORM's unit of work would take
minutes instead of seconds.
"""
from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal as D

import sqlalchemy as sa
from faker import Faker
from sqlalchemy.orm import Session

from models.audit.recorder import record_bulk
from models.base import insert_rows
from models.clock import today
from models.contracts.entities import Contract, ContractStatus, ContractType, ContractVersion, Cycle
from models.customers.entities import (
    Account,
    BankAccount,
    Customer,
    CustomerKind,
    IdentityDocument,
    PaymentMethod,
)
from models.customers.entities import (
    IdentityDocumentType as Doc,
)
from models.demo import events, reference
from models.demo.readings import MONTHS, DemoRegister, history
from models.errors import DomainError
from models.inquiry.words import index_inserted
from models.meters.entities import (
    ControlDevice,
    ControlDeviceKind,
    Installation,
    Meter,
    MeterMovement,
    MeterStatus,
    MovementKind,
    Register,
    StoreKind,
    UsageType,
)
from models.meters.operations import register_template
from models.premises.entities import (
    MeterChamber,
    MeterPoint,
    Property,
    ServicePoint,
    ServicePointStatus,
    SupplyVoltage,
)
from models.readings.entities import (
    Reading,
    ReadingAnomaly,
    ReadingCycle,
    ReadingOrder,
    ReadingStatus,
    ReadingType,
)
from models.tariffs.catalogue import load_pln_catalogue
from models.types import add_months

CHUNK = 5000
BANKS = ["BRI", "BNI", "Bank Mandiri", "BCA", "BTN", "Bank Syariah Indonesia", "CIMB Niaga"]
MCB_AMPERES = [2, 4, 6, 10, 16, 20, 25, 35, 50, 63, 80, 100, 125, 160, 200, 250, 315, 400]


@dataclass(frozen=True)
class Profile:
    tariff: str
    weight: float
    powers: tuple[int, ...]
    organisation: bool = False
    models: tuple[int, ...] = (0, 1)       # indexes into reference.METER_MODELS
    residential: bool = True


PROFILES = [
    Profile("R-1/TR 450", 14, (450,)),
    Profile("R-1/TR 900", 22, (900,)),
    Profile("R-1/TR 900-RTM", 6, (900,)),
    Profile("R-1/TR 1300", 16, (1300,)),
    Profile("R-1/TR 1300 PRA", 7, (1300,), models=(2,)),
    Profile("R-1/TR 2200", 10, (2200,)),
    Profile("R-2/TR", 6, (3500, 4400, 5500)),
    Profile("R-3/TR", 2, (6600, 7700, 11000, 13200), models=(3,)),
    Profile("B-2/TR", 7, (6600, 11000, 23000, 33000, 53000, 105000, 197000), True, (3,), False),
    Profile("B-3/TM", 1, (240000, 345000, 555000, 1110000), True, (4,), False),
    Profile("I-3/TM", 1, (240000, 555000, 1385000, 3465000), True, (4,), False),
    Profile("I-4/TT", 0.1, (30000000, 45000000), True, (5,), False),
    Profile("P-1/TR", 2, (6600, 13200, 41500), True, (3,), False),
    Profile("P-2/TM", 0.4, (240000, 345000), True, (4,), False),
    Profile("P-3/TR", 1.5, (1300, 2200, 3500), True, (0, 1), False),
    Profile("L/TR", 0.5, (1300, 2200, 5500), False, (0, 1), False),
    Profile("L/TM", 0.05, (240000, 555000), True, (4,), False),
    Profile("L/TT", 0.01, (30000000,), True, (5,), False),
]
TABLES = [Customer, IdentityDocument, Account, BankAccount, Property, MeterChamber, MeterPoint, ServicePoint,
          Contract, ContractVersion, Meter, Register, ControlDevice, Installation, Reading, MeterMovement,
          ReadingAnomaly, ReadingCycle, ReadingOrder]


def demo_day(as_of: date | None) -> date:
    """The day the demo stands at: `--as-of`, else the clock's today. Every demo date derives from it,
    so a seed and a day give the same data whenever they are loaded."""
    return as_of or today()


class _Pools:
    """Faker's id_ID vocabulary drawn once; per-row Faker calls would dominate a 100,000-row load."""

    def __init__(self, fake: Faker):
        self.first = [fake.first_name() for _ in range(800)]
        self.last = [fake.last_name() for _ in range(800)]
        self.companies = [fake.company() for _ in range(2000)]
        self.streets = [fake.street_name() for _ in range(3000)]
        self.postcodes = [fake.postcode() for _ in range(500)]

    def person(self, rng: random.Random) -> str:
        return f"{rng.choice(self.first)} {rng.choice(self.last)}"

    def address(self, rng: random.Random) -> str:
        return f"{rng.choice(self.streets)} No. {rng.randrange(1, 250)}"


@dataclass
class _State:
    rng: random.Random
    pools: _Pools
    as_of: date
    tariffs: dict
    models: list
    store_ids: dict
    routes_by_city: dict
    months: int = MONTHS
    ids: dict = field(default_factory=lambda: defaultdict(int))
    sequence: dict = field(default_factory=lambda: defaultdict(int))
    apartment: dict | None = None
    rows: dict = field(default_factory=lambda: defaultdict(list))
    registers_of: dict = field(default_factory=lambda: defaultdict(list))
    cycles: dict = field(default_factory=dict)          # (route id, period) -> [cycle id, orders so far]
    superseded: list = field(default_factory=list)      # estimates to point at their actual reading
    meter_changes: list = field(default_factory=list)   # models.demo.events.MeterChange, done after the load

    def next_id(self, table) -> int:
        self.ids[table] += 1
        return self.ids[table]


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange(max((end - start).days, 1)))


def _mcb(power_va: int, phases: int) -> int:
    amps = power_va / (230 if phases == 1 else 400 * 1.732)
    return next((a for a in MCB_AMPERES if a >= amps), MCB_AMPERES[-1])


def _registers(s: _State, meter_id: int, model, voltage: SupplyVoltage) -> None:
    """The model's register template; what the demo adds is the installation's: medium and high voltage
    meters sit behind current/voltage transformers (one factor for all registers) and read to 0.01."""
    factor = D(1) if voltage is SupplyVoltage.LOW else (
        s.rng.choice(reference.MULTIPLIERS_TM) if voltage is SupplyVoltage.MEDIUM else D(800))
    decimals = 0 if voltage is SupplyVoltage.LOW else 2
    for template in register_template(model):
        register_id = s.next_id(Register)
        row = {**template, "id": register_id, "meter_id": meter_id, "decimals": decimals, "multiplier": factor,
               "stream": None}
        s.rows[Register].append(row)
        s.registers_of[meter_id].append(DemoRegister(register_id, row["code"], row["usage_type"], factor,
                                                     row["digits"], decimals, D(0)))


def _meter(s: _State, model_index: int, status: MeterStatus, store_id: int | None, voltage=SupplyVoltage.LOW) -> int:
    model, prefix = s.models[model_index]
    meter_id = s.next_id(Meter)
    months = model.calibration_interval_months
    if s.rng.random() < 0.25:   # a quarter fall due within the coming year: work for the laboratory
        last = add_months(s.as_of + timedelta(days=s.rng.randrange(0, 365)), -months)
    else:
        last = s.as_of - timedelta(days=s.rng.randrange(30, months * 30))
    s.rows[Meter].append({
        "id": meter_id, "number": f"{prefix}{meter_id:09d}", "model_id": model.id, "status": status,
        "store_id": store_id, "manufactured_year": last.year - s.rng.randrange(0, 2),
        "last_calibrated_on": last, "next_calibration_due": add_months(last, months)})
    _registers(s, meter_id, model, voltage)
    return meter_id


def _property(s: _State, city: str, kind: str) -> tuple[int, str]:
    pid = s.next_id(Property)
    address = s.pools.address(s.rng)
    s.rows[Property].append({
        "id": pid, "address": address, "city": city, "postal_code": s.rng.choice(s.pools.postcodes),
        "kind": kind, "latitude": None, "longitude": None})
    return pid, f"{address}, {city}"


def _placement(s: _State, p: Profile, city: str, city_code: str) -> tuple[int, str, int | None]:
    """A house of its own, or a flat in an apartment block whose meters share a meter chamber."""
    if not (p.residential and s.rng.random() < 0.25):
        return *_property(s, city, "house" if p.residential else "commercial"), None
    apt = s.apartment
    if apt is None or apt["free"] == 0 or apt["city"] != city:
        pid, address = _property(s, city, "apartment")
        chamber_id = s.next_id(MeterChamber)
        s.rows[MeterChamber].append({"id": chamber_id, "code": f"MC-{city_code}-{chamber_id:06d}", "property_id": pid,
                                     "feeder": f"{city_code}-F{s.rng.randrange(1, 40):02d}",
                                     "transformer": f"{city_code}-T{s.rng.randrange(1, 900):04d}",
                                     "location_note": "ground floor, behind the lobby"})
        apt = s.apartment = {"city": city, "property_id": pid, "chamber_id": chamber_id, "address": address,
                             "free": s.rng.randrange(8, 25), "position": 0}
    apt["free"] -= 1
    apt["position"] += 1
    point_id = s.next_id(MeterPoint)
    s.rows[MeterPoint].append({"id": point_id, "chamber_id": apt["chamber_id"], "position": f"P{apt['position']:02d}"})
    return apt["property_id"], f"{apt['address']} unit {apt['position']}", point_id


def _customer(s: _State, p: Profile, i: int) -> tuple[int, str]:
    cid = s.next_id(Customer)
    name = s.rng.choice(s.pools.companies) if p.organisation else s.pools.person(s.rng)
    created = datetime.combine(_day(s.rng, date(2000, 1, 1), s.as_of), time(9), tzinfo=UTC)
    s.rows[Customer].append({"id": cid, "kind": CustomerKind.ORGANISATION if p.organisation else CustomerKind.PERSON,
                             "name": name, "email": None, "phone": f"08{s.rng.randrange(10**9, 10**10)}",
                             "created_at": created})
    docs = [(Doc.TAX_NUMBER, f"{i % 90 + 10:02d}{i:09d}{s.rng.randrange(1000):03d}")] if p.organisation else [
        (Doc.NATIONAL_ID, f"{s.rng.choice((317101, 327301, 357801, 127101, 337401, 517101))}{i:010d}")]
    if not p.organisation and s.rng.random() < 0.3:
        docs.append((Doc.TAX_NUMBER, f"{i % 90 + 10:02d}{i:09d}{s.rng.randrange(1000):03d}"))
    for doc_type, number in docs:
        s.rows[IdentityDocument].append({"id": s.next_id(IdentityDocument), "customer_id": cid,
                                         "doc_type": doc_type, "number": number})
    return cid, name


def _service_point(s: _State, i: int) -> None:
    p = s.rng.choices(PROFILES, weights=[x.weight for x in PROFILES])[0]
    tariff = s.tariffs[p.tariff]
    voltage = tariff.voltage
    city, city_code = reference.CITIES[s.rng.randrange(len(reference.CITIES))]
    customer_id, name = _customer(s, p, i)
    property_id, address, point_id = _placement(s, p, city, city_code)

    account_id = s.next_id(Account)
    direct_debit = s.rng.random() < 0.15
    s.rows[Account].append({"id": account_id, "account_no": f"{account_id:010d}", "customer_id": customer_id,
                            "payer_name": name, "billing_address": address,
                            "payment_method": PaymentMethod.DIRECT_DEBIT if direct_debit else PaymentMethod.STANDARD})
    if direct_debit:
        s.rows[BankAccount].append({"id": s.next_id(BankAccount), "account_id": account_id,
                                    "bank": s.rng.choice(BANKS), "number": f"{s.rng.randrange(10**9, 10**10)}",
                                    "holder": name})

    route = s.rng.choice(s.routes_by_city[city])
    s.sequence[route.id] += 1
    seq = s.sequence[route.id]
    registered = _day(s.rng, date(1995, 1, 1), s.as_of - timedelta(days=60))
    sp_id = s.next_id(ServicePoint)
    s.rows[ServicePoint].append({
        "id": sp_id, "spn": f"{city_code}{sp_id:08d}", "property_id": property_id, "meter_point_id": point_id,
        "route_id": route.id, "itinerary": f"{route.code}-{(seq - 1) // 50 + 1:02d}", "reading_sequence": seq * 10,
        "supply_voltage": voltage, "feeder": f"{city_code}-F{s.rng.randrange(1, 40):02d}",
        "transformer": f"{city_code}-T{s.rng.randrange(1, 900):04d}", "status": ServicePointStatus.ACTIVE,
        "created_on": registered})

    contract_id = s.next_id(Contract)
    s.rows[Contract].append({"id": contract_id, "service_point_id": sp_id, "serial": 1,
                             "customer_no": f"{51 + reference.CITIES.index((city, city_code))}{contract_id:010d}",
                             "account_id": account_id, "status": ContractStatus.ACTIVE,
                             "registered_on": registered, "terminated_on": None})
    power = s.rng.choice(p.powers)
    terms = {"contract_type": ContractType.PREPAID if tariff.payment_mode.value == "prepaid"
             else ContractType.TEMPORARY if p.tariff.startswith("L/") else ContractType.PERMANENT,
             "reading_cycle": Cycle.MONTHLY, "billing_cycle": Cycle.MONTHLY,
             "late_penalty_percent": D("0") if p.residential else D("2"),
             "penalty_grace_days": 0 if p.residential else 7}
    versions = [(registered, None, tariff, power, None)]
    if p.tariff in ("R-1/TR 1300", "R-1/TR 2200") and s.rng.random() < 0.12 and registered < s.as_of - timedelta(800):
        changed = _day(s.rng, registered + timedelta(days=365), s.as_of - timedelta(days=30))
        versions = [(registered, changed, s.tariffs["R-1/TR 900"], 900, None),
                    (changed, None, tariff, power, "power increase requested by customer")]
    for n, (start, end, t, va, reason) in enumerate(versions, start=1):
        s.rows[ContractVersion].append({
            "id": s.next_id(ContractVersion), "contract_id": contract_id, "version_no": n, "valid_from": start,
            "valid_to": end, "tariff_id": t.id, "contracted_power_va": va, "change_reason": reason,
            "created_at": datetime.combine(start, time(10), tzinfo=UTC), **terms})

    # The meter in place went in when the contract began, or (an older contract) replaced an earlier one
    # before the demo's reading history starts: no contract-month of the history is without a meter.
    decade = s.as_of - timedelta(days=3650)
    installed = registered if registered >= decade else _day(
        s.rng, decade, add_months(s.as_of.replace(day=1), -max(s.months, 2) - 1))
    meter_id = _meter(s, s.rng.choice(p.models), MeterStatus.INSTALLED, None, voltage)
    installation_id = s.next_id(Installation)
    s.rows[Installation].append({"id": installation_id, "service_point_id": sp_id, "meter_point_id": point_id,
                                 "meter_id": meter_id, "control_device_id": None, "installed_on": installed,
                                 "removed_on": None})
    registers = s.registers_of.pop(meter_id)
    for register in registers:   # every register read when the meter went in
        register.value = D(0) if register.usage is UsageType.DEMAND else D(s.rng.randrange(0, 50))
        s.rows[Reading].append({"id": s.next_id(Reading), "register_id": register.id, "read_on": installed,
                                "value": register.value, "reading_type": ReadingType.INSTALLATION,
                                "installation_id": installation_id, "source": "installation", "by": "demo-data",
                                "created_at": datetime.combine(installed, time(11), tzinfo=UTC),
                                "consumption": None, "status": ReadingStatus.VALID, "superseded_by_id": None,
                                "correction": None})
    if terms["contract_type"] is not ContractType.PREPAID:
        change = events.meter_change_day(s, p.tariff, route, installed, len(registers))
        last, daily = history(s, sp_id, route, registers, installed, tariff.tariff_class, power, until=change)
        if change:
            s.meter_changes.append(events.MeterChange(sp_id, route, change, tariff.tariff_class, power, registers,
                                                      last, daily))
    if voltage is SupplyVoltage.LOW:
        phases = s.models[p.models[0]][0].phases
        device_id = s.next_id(ControlDevice)
        s.rows[ControlDevice].append({"id": device_id, "serial": f"MCB{device_id:09d}",
                                      "kind": ControlDeviceKind.CIRCUIT_BREAKER,
                                      "rating_amperes": D(_mcb(power, phases)), "phases": phases})
        s.rows[Installation].append({"id": s.next_id(Installation), "service_point_id": sp_id,
                                     "meter_point_id": point_id, "meter_id": None, "control_device_id": device_id,
                                     "installed_on": installed, "removed_on": None})


def _stock(s: _State, count: int) -> None:
    """Meters not installed: most in stores, some at the laboratory, each with two years of movements
    that end where it is now (delivered to the central store, then sent on and received)."""
    stores = [sid for kind, ids in s.store_ids.items() if kind is not StoreKind.LABORATORY for sid in ids]
    central = s.store_ids[StoreKind.CENTRAL][0]
    for n in range(count):
        in_lab = s.rng.random() < 0.1
        store_id = s.store_ids[StoreKind.LABORATORY][0] if in_lab else s.rng.choice(stores)
        index = s.rng.randrange(len(s.models))
        voltage = SupplyVoltage.MEDIUM if s.models[index][0].time_of_use else SupplyVoltage.LOW
        meter_id = _meter(s, index, MeterStatus.IN_LAB if in_lab else MeterStatus.IN_STORE, store_id, voltage)
        s.registers_of.pop(meter_id, None)
        delivered = s.as_of - timedelta(days=s.rng.randrange(60, 730))
        moves = [(MovementKind.RECEIVE, None, central, delivered, f"DO-{delivered.year}-{n // 50 + 1:04d}")]
        if store_id != central:
            sent = delivered + timedelta(days=s.rng.randrange(5, 50))
            document = f"SJ-{sent.year}-{s.rng.randrange(1, 9999):04d}"
            moves += [(MovementKind.SEND, central, store_id, sent, document),
                      (MovementKind.RECEIVE, central, store_id, sent + timedelta(days=s.rng.randrange(1, 6)), document)]
        for kind, origin, destination, on, document in moves:
            s.rows[MeterMovement].append({"id": s.next_id(MeterMovement), "meter_id": meter_id, "kind": kind,
                                          "from_store_id": origin, "to_store_id": destination, "document_no": document,
                                          "moved_on": on, "by": "demo-data", "reason": None})


def _flush_rows(session: Session, s: _State, counts: dict) -> None:
    for model in TABLES:
        rows = s.rows.pop(model, [])
        shapes: dict[tuple, list[dict]] = defaultdict(list)
        for row in rows:
            shapes[tuple(row)].append(row)
        # insert_rows skips the statement machinery per row (a third of the load's time went there) but,
        # unlike an ORM insert, fills no column defaults: the ones a shape leaves out are given once.
        for keys, same in shapes.items():
            insert_rows(session, model.__table__, same, _defaults(model.__table__, keys))
            index_inserted(session, model.__table__, same)      # names and addresses into the search index
        counts[model.__tablename__] += len(rows)
    if s.superseded:      # after the inserts: an estimate points at a reading inserted after it
        session.execute(sa.update(Reading.__table__).where(Reading.__table__.c.id == sa.bindparam("e"))
                        .values(status=ReadingStatus.SUPERSEDED, superseded_by_id=sa.bindparam("a")), s.superseded)
        s.superseded = []


def _defaults(table: sa.Table, keys: tuple) -> dict:
    given = set(keys)
    defaults = {}
    for column in table.columns:
        if column.key in given or column.default is None:
            continue
        default = column.default
        defaults[column.key] = default.arg if default.is_scalar else default.arg(None)
    return defaults


def _resync_sequences(session: Session) -> None:
    """Explicit ids leave PostgreSQL's sequences behind; move them past the loaded rows."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for model in TABLES:
        table = model.__tablename__
        session.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"))
        # Planner statistics now, not when autovacuum gets round to it: the first queries need them.
        session.execute(sa.text(f"ANALYZE {table}"))


def load_demo_data(session: Session, service_points: int, seed: int, as_of: date | None = None,
                   progress: Callable[[int], None] | None = None, months: int = MONTHS) -> dict[str, int]:
    """Load a demo utility into an empty database; returns rows written per table. `months` of readings
    before the current month (2, or 1, is the least: the last month's reading and the one it counts from)."""
    if service_points < 1:
        raise DomainError("must be at least 1", "service_points")
    if months < 1:
        raise DomainError("must be at least 1", "months")
    for model in (Customer, ServicePoint, Meter):
        if session.scalar(sa.select(sa.func.count()).select_from(model)):
            raise DomainError(f"the database already holds {model.__tablename__}; demo data loads into an empty one")
    rng = random.Random(seed)
    fake = Faker("id_ID")
    fake.seed_instance(seed)
    as_of = demo_day(as_of)

    reference.demo_users(session)
    reference.follow_up_rules(session)
    tariffs = load_pln_catalogue(session)
    from models.accounting.chart import seed_default_chart  # the journal's chart of accounts and posting rules
    seed_default_chart(session)
    stores = reference.stores(session)
    models = reference.meter_models(session)
    routes = reference.routes(session, max(len(reference.CITIES), service_points // 400))
    session.flush()
    routes_by_city = defaultdict(list)
    for route in routes:
        routes_by_city[route.area].append(route)
    store_ids = defaultdict(list)
    for store in stores:
        store_ids[store.kind].append(store.id)

    s = _State(rng=rng, pools=_Pools(fake), as_of=as_of, tariffs=tariffs, models=models, store_ids=store_ids,
               routes_by_city=routes_by_city, months=months)
    counts: dict[str, int] = defaultdict(int)
    for i in range(service_points):
        _service_point(s, i + 1)
        if (i + 1) % CHUNK == 0:
            _flush_rows(session, s, counts)
            if progress:
                progress(CHUNK)
    _stock(s, service_points // 20 + 50)
    _flush_rows(session, s, counts)
    if progress and service_points % CHUNK:
        progress(service_points % CHUNK)
    _resync_sequences(session)
    if s.meter_changes:       # through the operations, then the new meters' readings in bulk again
        events.change_meters(session, s)
        _flush_rows(session, s, counts)
        _resync_sequences(session)
    counts.update(events.contract_events(session, s.as_of))
    if session.get_bind().dialect.name == "sqlite":
        # Planner statistics for SQLite too: without them it walks a whole index on an equality of its first
        # column (search words by kind, bills by status) instead of the selective one (a million service
        # points: the name search 540 ms -> 5 ms, the debt section 226 ms -> 5 ms).
        session.execute(sa.text("ANALYZE"))
    for table, n in counts.items():
        record_bulk(session, table, {"rows": n, "source": f"demo-data seed {seed}"})
    return dict(counts)
