"""Bank statements: camt.053/054 and CSV lines matched by payment reference, bill number or ID Pelanggan,
posted once, the rest in suspense; malformed files refused whole.

The XML follows the ISO 20022 message definitions (camt.053.001.02 and camt.054.001.08 element names);
amounts are the conftest's bills: 180 kWh = Rp 267,847."""
from decimal import Decimal

import pytest
import sqlalchemy as sa

from models.billing.documents import payment_reference
from models.clock import today
from models.collection.bank_entities import StatementImport, SuspenseItem, SuspenseStatus
from models.collection.entities import Payment, PaymentChannel
from models.collection.queries import bill_balances
from models.collection.statements import StatementRefused, import_statement, parse_statement


def entry(ref, amount, remittance, indicator="CRDT", ccy="IDR", status="BOOK", day=None, payer="Siti Rahayu"):
    day = day or today().isoformat()
    return f"""<Ntry><Amt Ccy="{ccy}">{amount}</Amt><CdtDbtInd>{indicator}</CdtDbtInd><Sts>{status}</Sts>
<BookgDt><Dt>{day}</Dt></BookgDt><ValDt><Dt>{day}</Dt></ValDt><AcctSvcrRef>{ref}</AcctSvcrRef>
<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
<NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
<RltdPties><Dbtr><Nm>{payer}</Nm></Dbtr><DbtrAcct><Id><Othr><Id>1234567890</Id></Othr></Id></DbtrAcct></RltdPties>
<RmtInf><Ustrd>{remittance}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>"""


def camt053(*entries, msg="STMT-1") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>{msg}</MsgId><CreDtTm>2026-01-01T08:00:00</CreDtTm></GrpHdr>
<Stmt><Id>S1</Id><CreDtTm>2026-01-01T08:00:00</CreDtTm><Acct><Id><Othr><Id>0011223344</Id></Othr></Id>
<Ccy>IDR</Ccy></Acct>{"".join(entries)}</Stmt></BkToCstmrStmt></Document>""".encode()


def test_lines_match_by_payment_reference_bill_number_and_id_pelanggan(db, issue, contract):
    may, june, july = issue(5), issue(6), issue(7)
    data = camt053(entry("B1", "267847.00", f"PLN {payment_reference(june.number)}"),
                   entry("B2", "100000", f"bayar {july.number}"),
                   entry("B3", "50000", f"ID {contract.customer_no}"),
                   entry("B4", "99000", "sumbangan"),
                   entry("B5", "5000", "bank fee", indicator="DBIT"))
    result = import_statement(db.session, "s.xml", data)
    record = result.statement
    assert (record.posted, record.suspense, record.skipped, record.total_posted) == (3, 1, 1, Decimal("417847"))
    balances = bill_balances(db.session, [may.id, june.id, july.id])
    # June by its reference, July partly by its number, the ID Pelanggan's 50,000 to the oldest (May)
    assert balances == {may.id: Decimal("217847"), june.id: 0, july.id: Decimal("167847")}
    item = db.session.scalars(sa.select(SuspenseItem)).one()
    assert (item.bank_reference, item.amount, item.status, item.masked_account) == (
        "B4", 99000, SuspenseStatus.OPEN, "••••••7890")
    assert "line 5 (B5): a debit" in record.report["skipped"][0]


def test_the_same_file_or_the_same_line_twice_posts_nothing_twice(db, issue):
    june = issue(6)
    data = camt053(entry("B1", "1000", payment_reference(june.number)), entry("B2", "7", "who?"))
    import_statement(db.session, "s.xml", data)
    again = import_statement(db.session, "s-copy.xml", data)
    assert again.statement is None and again.duplicate_of is not None
    other = import_statement(db.session, "t.xml", camt053(entry("B1", "1000", payment_reference(june.number)),
                                                          entry("B2", "7", "who?"), msg="STMT-2"))
    assert (other.statement.posted, other.statement.replayed) == (0, 2)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SuspenseItem)) == 1


def test_camt054_notifications_are_read_too(db, issue):
    june = issue(6)
    data = camt053(entry("N1", "267847", payment_reference(june.number))).replace(
        b"camt.053.001.02", b"camt.054.001.08").replace(b"<Stmt>", b"<Ntfctn>").replace(b"</Stmt>", b"</Ntfctn>")
    assert import_statement(db.session, "n.xml", data).statement.posted == 1
    assert db.session.scalar(sa.select(Payment.channel)) is PaymentChannel.BANK_TRANSFER


def test_a_csv_statement_posts_its_credits(db, issue):
    june = issue(6)
    text = (f"reference,date,amount,payer,remittance\nC1,{today().isoformat()},267847,Budi,"
            f"{payment_reference(june.number)}\nC2,{today().isoformat()},-5000,,fee\n")
    record = import_statement(db.session, "s.csv", text.encode()).statement
    assert (record.posted, record.skipped) == (1, 1) and bill_balances(db.session, [june.id])[june.id] == 0


@pytest.mark.parametrize("data, reason", [
    (b"<Document><unclosed>", "not well-formed XML"),
    (b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"/>', "not a camt.053 or camt.054"),
    (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><d>&a;</d>', "DTD"),
    (b"date,amount\n", "the header lacks reference"),
    (b"\xff\xfe\x00", "neither camt XML nor UTF-8"),
    (b"", "empty"),
])
def test_files_that_are_not_statements_are_refused_with_the_reason(db, data, reason):
    with pytest.raises(StatementRefused, match=reason):
        import_statement(db.session, "x", data)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StatementImport)) == 0


def test_bad_lines_refuse_the_whole_file_and_are_all_counted(db, issue):
    june = issue(6)
    good = f"G1,{today().isoformat()},1000,,{payment_reference(june.number)}\n"
    bad = "".join(f"X{n},{today().isoformat()},{'1e400' if n % 2 else 'abc'},,x\n" for n in range(10_000))
    with pytest.raises(StatementRefused) as refused:
        import_statement(db.session, "big.csv", ("reference,date,amount,payer,remittance\n" + good + bad).encode())
    assert refused.value.count == 10_000 and len(refused.value.problems) == 100
    assert "line 3: amount 'abc' is not a number" in refused.value.problems[0]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 0


def test_huge_amounts_and_future_dates_are_bad_lines(db):
    parsed = parse_statement(camt053(entry("H1", "99999999999999999999.00", "x"),
                                     entry("H2", "10.001", "x"), entry("H3", "10", "x", day="2999-01-01")))
    assert parsed.bad == 3 and not parsed.lines


def test_an_import_locks_every_customer_it_pays_before_its_first_payment(db, issue, contract, make, tariffs,
                                                                        monkeypatch):
    """Chunk by chunk, a later chunk's lower customer id was locked after a higher one: a lock-order inversion
    against any other allocator of both (allocate_credits), so a possible deadlock."""
    from tests.models.collection.test_payments import LOCKING, statements
    other = make.contract(tariff=tariffs["R-1/TR 1300"], power_va=1300)
    first, second = sorted([contract, other], key=lambda c: c.account.customer.id, reverse=True)
    monkeypatch.setattr("models.collection.statements.CHUNK", 1)
    data = camt053(entry("B1", "1000", f"ID {first.customer_no}"), entry("B2", "1000", f"ID {second.customer_no}"))
    with statements(db) as sent:
        assert import_statement(db.session, "s.xml", data).statement.posted == 2
    locks = [i for i, statement in enumerate(sent) if "FOR NO KEY UPDATE" in statement]
    reads = [i for i, statement in enumerate(sent) if " AS kind" in statement]     # credit and open bills
    assert (len(locks) == 1 and locks[0] < reads[0]) if LOCKING.get(db.engine.dialect.name) else not locks
