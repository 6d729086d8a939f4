"""Finding service points by what the caller knows (the reference document's six paths, and the numbers
printed on a bill): one box that reads the shape of what was typed, or an explicit path.

Numbers match exactly or by prefix on an index; ID and bank account numbers, which most roles see
masked, match only whole (a prefix search would let a clerk rebuild them digit by digit). Names and
addresses match word by word by prefix, case- and accent-insensitively (models.inquiry.words), ranked
by how many typed words a row holds whole."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from models.billing.entities import Bill
from models.contracts.entities import Contract, ContractStatus, ContractVersion
from models.customers.entities import Account, BankAccount, Customer, IdentityDocument, IdentityDocumentType
from models.errors import DomainError
from models.inquiry.entities import CUSTOMER, PROPERTY, SearchWord
from models.inquiry.words import words_of
from models.meters.entities import Installation, Meter, MeterModel
from models.premises.entities import Property, ServicePoint
from models.requests.entities import CustomerRequest, RequestType
from models.tariffs.entities import Tariff

LIMIT = 300          # more than a clerk reads: the list says to narrow the search
MAX_TERM = 200
SAMPLE = 5000        # index entries counted per typed word: fewer, and the word narrows by INTERSECT
WIDE = 30_000        # ... or fewer, counted when the list is still long, and a long word narrows too
CANDIDATES = 50_000  # rows narrowed to that are read at most (beyond, the list says to narrow the search)
POOL = LIMIT + 1     # names or addresses ranked: more would only rank a list that is cut anyway
BATCH = 1000         # candidates checked per query
PATHS = ("spn", "customer_no", "meter", "bill", "identity", "bank_account", "phone", "name", "address")

_SPN_SERIAL = re.compile(r"^([A-Za-z]{2,5}\d{3,})[/#-](\d{1,4})$")
_SPN = re.compile(r"^[A-Za-z]{2,5}\d{3,}$")
_BILL = re.compile(r"^(INV|CN)-\d{4}-\d+$", re.IGNORECASE)
_PHONE = re.compile(r"^(\+?62|0)8[\d\- ]{6,14}$")
_DIGITS = re.compile(r"^\d{3,}$")


@dataclass
class Match:
    service_point_id: int
    spn: str
    customer: str | None
    address: str
    tariff: str | None
    power_va: int | None
    status: str
    meter: str | None
    matched: str            # which path found it: "meter number", "customer name"...


@dataclass
class SearchResult:
    term: str
    paths: list[str]
    matches: list[Match] = field(default_factory=list)
    truncated: bool = False


def _prefix(column, value: str):
    """A prefix match that an ordinary b-tree index answers on both engines (LIKE would not on SQLite)."""
    return sa.and_(column >= value, column < value + "\U0010ffff")


def paths_for(term: str) -> list[str]:
    """The paths a term can be, by its shape, most likely first."""
    if _BILL.match(term):
        return ["bill"]
    if _SPN_SERIAL.match(term) or _SPN.match(term):
        return ["spn", "meter", "identity"]
    compact = re.sub(r"[\s\-]", "", term)
    if _PHONE.match(term) and compact.lstrip("+").isdigit():
        return ["phone", "customer_no", "identity", "bank_account", "meter"]
    if _DIGITS.match(compact):
        return ["customer_no", "meter", "identity", "bank_account", "phone", "spn"]
    if any(ch.isdigit() for ch in term) and re.match(r"^[\w.\-]+$", term):
        return ["meter", "spn", "identity", "bill"]
    return ["name", "address"]


def _point_ids(session: Session, path: str, term: str, extra: dict) -> list[int]:
    """Service point ids one path finds, at most LIMIT + 1."""
    limit = LIMIT + 1
    if path == "spn":
        serial = None
        match = _SPN_SERIAL.match(term)
        if match:
            term, serial = match.group(1), int(match.group(2))
        serial = serial or extra.get("serial")
        query = sa.select(ServicePoint.id).where(_prefix(ServicePoint.spn, term.upper()))
        if serial:
            query = (sa.select(Contract.service_point_id)
                     .join(ServicePoint, ServicePoint.id == Contract.service_point_id)
                     .where(ServicePoint.spn == term.upper(), Contract.serial == serial))
        return list(session.scalars(query.limit(limit)))
    if path == "customer_no":
        return list(session.scalars(sa.select(Contract.service_point_id).where(
            _prefix(Contract.customer_no, term)).distinct().limit(limit)))
    if path == "meter":
        query = (sa.select(Installation.service_point_id).join(Meter, Meter.id == Installation.meter_id)
                 .where(_prefix(Meter.number, term)))
        if extra.get("brand"):
            query = query.join(MeterModel, MeterModel.id == Meter.model_id).where(
                sa.func.lower(MeterModel.manufacturer) == extra["brand"].strip().lower())
        return list(session.scalars(query.order_by(Installation.removed_on.is_not(None)).limit(limit)))
    if path == "bill":
        return list(session.scalars(sa.select(Bill.service_point_id).where(Bill.number == term.upper()).limit(limit)))
    customers = None
    if path == "identity":
        query = sa.select(IdentityDocument.customer_id).where(IdentityDocument.number == term)
        if extra.get("doc_type") in IdentityDocumentType.__members__.values():
            query = query.where(IdentityDocument.doc_type == extra["doc_type"])
        customers = query
    elif path == "bank_account":
        return list(session.scalars(
            sa.select(Contract.service_point_id).join(BankAccount, BankAccount.account_id == Contract.account_id)
            .where(BankAccount.number == term).distinct().limit(limit)))
    elif path == "phone":
        digits = re.sub(r"[\s\-]", "", term)
        if digits.startswith("+62"):
            digits = "0" + digits[3:]
        elif digits.startswith("62"):
            digits = "0" + digits[2:]
        customers = sa.select(Customer.id).where(_prefix(Customer.phone, digits))
    if customers is not None:
        return _points_of_customers(session, customers, limit)
    return []


def _points_of_customers(session: Session, customer_ids, limit: int) -> list[int]:
    return list(dict.fromkeys(p for p, _ in _customer_points(session, customer_ids, limit)))


def _customer_points(session: Session, customer_ids, limit: int) -> list[tuple[int, int]]:
    """(service point, customer) of the customers' contracts, active first, then the points they applied
    for (a new connection's planned service point has no contract until it is connected)."""
    pairs = [tuple(r) for r in session.execute(
        sa.select(Contract.service_point_id, Account.customer_id).join(Account, Account.id == Contract.account_id)
        .where(Account.customer_id.in_(customer_ids))
        .order_by((Contract.status == ContractStatus.ACTIVE).desc(), Contract.id.desc()).limit(limit))]
    if len(pairs) < limit:
        pairs += [tuple(r) for r in session.execute(
            sa.select(CustomerRequest.service_point_id, CustomerRequest.customer_id)
            .where(CustomerRequest.customer_id.in_(customer_ids), CustomerRequest.service_point_id.is_not(None),
                   CustomerRequest.request_type == RequestType.NEW_CONNECTION)
            .order_by(CustomerRequest.id.desc()).limit(limit - len(pairs)))]
    return pairs


class _WordIndex:
    """Queries on the word index for one name or address search (models.inquiry.words)."""

    def __init__(self, session: Session, kind: str, words: list[str]):
        self.session, self.kind, self.words = session, kind, words
        self.hit = SearchWord.__table__
        self.postgresql = session.get_bind().dialect.name == "postgresql"

    def count(self, word: str, cap: int) -> int:
        hit = self.hit
        return self.session.scalar(sa.select(sa.func.count()).select_from(
            sa.select(hit.c.object_id).where(_prefix(hit.c.word, word), hit.c.kind == self.kind).limit(cap)
            .subquery()))

    def _entries(self, word: str):
        return sa.select(self.hit.c.object_id).where(self.hit.c.kind == self.kind, _prefix(self.hit.c.word, word))

    def holding(self, words: list[str], limit: int) -> list[int]:
        """The objects holding every one of `words`: one word's range in the index's order (a common prefix
        stops at the limit), several intersected."""
        if len(words) == 1:
            return list(dict.fromkeys(self.session.scalars(self._entries(words[0]).limit(limit)).all()))
        both = sa.intersect(*(self._entries(w) for w in words)).subquery()
        return self.session.scalars(sa.select(both.c.object_id).order_by(both.c.object_id).limit(limit)).all()

    def check(self, ids: list[int], others: list[str]) -> dict[int, int]:
        """Of `ids`, those holding every one of `others` (all when none), with how many typed words each holds
        whole, aggregated by the database on the (kind, object, word) index."""
        hit = self.hit
        among = (hit.c.object_id == sa.any_(sa.bindparam("ids", ids, type_=ARRAY(sa.Integer))) if self.postgresql
                 else hit.c.object_id.in_(ids))          # one array parameter on PostgreSQL, not a thousand
        score = sa.func.count(sa.distinct(sa.case((hit.c.word.in_(self.words), hit.c.word))))
        holds = [sa.func.max(sa.case((_prefix(hit.c.word, w), 1), else_=0)) == 1 for w in others]
        query = (sa.select(hit.c.object_id, score)
                 .where(hit.c.kind == self.kind, among,
                        sa.or_(hit.c.word.in_(self.words), *(_prefix(hit.c.word, w) for w in others)))
                 .group_by(hit.c.object_id))
        found = dict(self.session.execute(query.having(sa.and_(*holds)) if holds else query).all())
        return found if others else {i: found.get(i, 0) for i in ids}


def _text_ids(session: Session, path: str, term: str) -> tuple[list[int], bool]:
    """(service point ids, whether the candidates were cut short) for a name or an address.

    Each typed word's entries are counted on the index, at most SAMPLE each, longest word first. The words
    under SAMPLE narrow together (an INTERSECT of their index ranges: cheap at that size); the common ones (a
    street type, "no") are checked on the candidates, a batch at a time and only as far as the list needs.
    Walking or hashing the common words' whole ranges (237,000 entries of "gang" at a million addresses) made
    a search take a second. When few candidates pass and many are left, the longest common word narrows by
    INTERSECT too if its range is not too wide (a street name with 15,000 addresses). A word nothing holds
    ends the search at once.
    """
    words = sorted(words_of(term), key=len, reverse=True)[:6]
    if not words:
        return [], False
    kind = CUSTOMER if path == "name" else PROPERTY
    index = _WordIndex(session, kind, words)
    counts = {words[0]: 1}
    if len(words) > 1:
        for w in words:             # the longest first: the likeliest to be held by nothing, which ends it
            counts[w] = index.count(w, SAMPLE)
            if not counts[w]:
                return [], False
    words.sort(key=lambda w: (counts[w], -len(w)))
    narrowing = [w for w in words if counts[w] < SAMPLE] or words[:1]
    others = sorted((w for w in words if w not in narrowing), key=len, reverse=True)
    candidates = index.holding(narrowing, CANDIDATES if others else POOL)
    ids, scores, done, widened = [], {}, 0, False
    while done < len(candidates) and len(ids) < POOL:
        batch = candidates[done:done + BATCH]
        done += len(batch)
        passed = index.check(batch, others)
        ids += [i for i in batch if i in passed]
        scores.update(passed)
        batches_left = (POOL - len(ids)) / max(len(passed), 1)
        if (not widened and others and len(ids) < POOL and len(candidates) - done > 2 * BATCH and batches_left > 2
                and index.count(others[0], WIDE) < WIDE):
            widened = True
            narrowing.append(others.pop(0))
            candidates, ids, scores, done = index.holding(narrowing, CANDIDATES), [], {}, 0
    cut = bool(others) and len(candidates) == CANDIDATES and len(ids) < POOL
    ids = ids[:POOL]
    if not ids:
        return [], cut
    ids.sort(key=lambda i: -scores[i])
    if kind == PROPERTY:
        points = session.execute(sa.select(ServicePoint.property_id, ServicePoint.id)
                                 .where(ServicePoint.property_id.in_(ids))).all()
        by_property: dict[int, list[int]] = {}
        for property_id, point_id in points:
            by_property.setdefault(property_id, []).append(point_id)
        return [p for i in ids for p in by_property.get(i, [])][:LIMIT + 1], cut
    rank = {c: n for n, c in enumerate(ids)}
    best: dict[int, int] = {}
    for point, customer in _customer_points(session, ids, LIMIT * 4):
        best[point] = min(best.get(point, len(rank)), rank.get(customer, len(rank)))
    return sorted(best, key=best.get)[:LIMIT + 1], cut


LABELS = {"spn": "SPN", "customer_no": "ID Pelanggan", "meter": "meter number", "bill": "bill number",
          "identity": "identity document", "bank_account": "bank account", "phone": "phone",
          "name": "customer name", "address": "address"}


def search(session: Session, term: str, path: str | None = None, **extra) -> SearchResult:
    """Service points matching `term` on `path` (or on the paths its shape suggests), at most LIMIT."""
    term = " ".join((term or "").split())
    if len(term) > MAX_TERM:
        raise DomainError(f"type at most {MAX_TERM} characters", "q")
    if path and path not in PATHS:
        raise DomainError(f"choose one of {', '.join(PATHS)}", "path")
    paths = [path] if path else (paths_for(term) if term else [])
    result = SearchResult(term, paths)
    if not term:
        return result
    found: dict[int, str] = {}
    cut = False
    for p in paths:
        if p in ("name", "address"):
            ids, cut_here = _text_ids(session, p, term)
            cut = cut or cut_here
        else:
            ids = _point_ids(session, p, term, extra)
        for i in ids:
            found.setdefault(i, LABELS[p])
        if len(found) > LIMIT:
            break
    ordered = list(found)[:LIMIT + 1]
    result.truncated = len(ordered) > LIMIT or cut
    result.matches = describe(session, ordered[:LIMIT], found)
    return result


def describe(session: Session, point_ids: list[int], matched: dict[int, str]) -> list[Match]:
    """The columns that tell service points apart: customer, address, tariff and power, status, meter."""
    if not point_ids:
        return []
    points = {r.id: r for r in session.execute(
        sa.select(ServicePoint.id, ServicePoint.spn, ServicePoint.status, Property.address, Property.city)
        .join(Property, Property.id == ServicePoint.property_id).where(ServicePoint.id.in_(point_ids)))}
    current = (sa.select(Contract.service_point_id, Customer.name, Tariff.code, ContractVersion.contracted_power_va)
               .join(Account, Account.id == Contract.account_id).join(Customer, Customer.id == Account.customer_id)
               .join(ContractVersion, sa.and_(ContractVersion.contract_id == Contract.id,
                                              ContractVersion.valid_to.is_(None)))
               .join(Tariff, Tariff.id == ContractVersion.tariff_id)
               .where(Contract.service_point_id.in_(point_ids))
               .order_by((Contract.status == ContractStatus.ACTIVE), Contract.serial))
    contracts = {r.service_point_id: (r.name, r.code, r.contracted_power_va)
                 for r in session.execute(current)}   # the active one is read last
    planned = [i for i in point_ids if i not in contracts]
    if planned:     # a new connection's point: the applicant and the tariff and power asked for
        for r in session.execute(
                sa.select(CustomerRequest.service_point_id, Customer.name, CustomerRequest.requested_tariff,
                          CustomerRequest.requested_power_va)
                .join(Customer, Customer.id == CustomerRequest.customer_id)
                .where(CustomerRequest.service_point_id.in_(planned),
                       CustomerRequest.request_type == RequestType.NEW_CONNECTION).order_by(CustomerRequest.id)):
            contracts[r.service_point_id] = (r.name, r.requested_tariff, r.requested_power_va)
    meters = dict(session.execute(sa.select(Installation.service_point_id, Meter.number)
                                  .join(Meter, Meter.id == Installation.meter_id)
                                  .where(Installation.service_point_id.in_(point_ids),
                                         Installation.removed_on.is_(None))).all())
    out = []
    for i in point_ids:
        p, c = points.get(i), contracts.get(i)
        if p is None:
            continue
        name, tariff, power = c or (None, None, None)
        out.append(Match(i, p.spn, name, f"{p.address}, {p.city}", tariff, power, p.status.value, meters.get(i),
                         matched[i]))
    return out
