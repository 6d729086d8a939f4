"""Direct debit: the pain.008 of a due date (each bill once, schema-valid with IDR and domestic accounts),
booking it as payments, returns by pain.002 or camt.054 reversing them."""
from datetime import timedelta

import pytest
import sqlalchemy as sa
from lxml import etree

from models.clock import today
from models.collection.bank_entities import DebitItemStatus, DirectDebitItem
from models.collection.direct_debit import (
    Creditor,
    add_mandate,
    apply_debit_returns,
    book_direct_debit_batch,
    create_direct_debit_batch,
)
from models.collection.entities import Payment, PaymentStatus
from models.collection.queries import bill_balances
from models.collection.statements import StatementRefused
from models.customers.entities import BankAccount, PaymentMethod
from models.errors import DomainError

CREDITOR = Creditor("PT Watt Distribusi", "0011223344", "BMRIIDJA", "ID00ZZZ0000001")


@pytest.fixture
def debited(db, contract, issue):
    account = contract.account
    account.payment_method = PaymentMethod.DIRECT_DEBIT
    db.session.add(BankAccount(account_id=account.id, bank="Bank Mandiri", number="1230009876543", holder="Siti"))
    add_mandate(db.session, account, "MND-0001", today() - timedelta(days=30))
    return issue(6)


def test_the_collection_file_is_valid_pain008_with_each_bill_once(db, debited):
    batch, made = create_direct_debit_batch(db.session, debited.due_on, CREDITOR)
    root = etree.fromstring(batch.xml.encode())
    ns = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"}
    assert made and (batch.count, batch.total) == (1, 267847)
    assert root.findtext(".//p:DrctDbtTxInf/p:InstdAmt", namespaces=ns) == "267847.00"
    assert root.find(".//p:InstdAmt", ns).get("Ccy") == "IDR"
    assert root.findtext(".//p:DbtrAcct/p:Id/p:Othr/p:Id", namespaces=ns) == "1230009876543"
    assert root.findtext(".//p:MndtId", namespaces=ns) == "MND-0001"
    again, made = create_direct_debit_batch(db.session, debited.due_on, CREDITOR)
    assert again.id == batch.id and not made
    with pytest.raises(DomainError, match="no direct-debit bills"):
        create_direct_debit_batch(db.session, debited.due_on - timedelta(days=1), CREDITOR)


def test_booking_pays_the_bill_and_a_return_opens_it_again(db, debited, clock):
    batch, _ = create_direct_debit_batch(db.session, debited.due_on, CREDITOR)
    if debited.due_on > today():
        with pytest.raises(DomainError, match="book it then"):
            book_direct_debit_batch(db.session, batch)
        clock.to(debited.due_on)
    [payment] = book_direct_debit_batch(db.session, batch)
    assert bill_balances(db.session, [debited.id])[debited.id] == 0
    e2e = batch.items[0].end_to_end_id
    pain002 = f"""<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03"><CstmrPmtStsRpt>
<GrpHdr><MsgId>R1</MsgId><CreDtTm>2026-01-01T00:00:00</CreDtTm></GrpHdr>
<OrgnlGrpInfAndSts><OrgnlMsgId>{batch.message_id}</OrgnlMsgId><OrgnlMsgNmId>pain.008.001.02</OrgnlMsgNmId>
</OrgnlGrpInfAndSts><OrgnlPmtInfAndSts><OrgnlPmtInfId>x</OrgnlPmtInfId><TxInfAndSts>
<OrgnlEndToEndId>{e2e}</OrgnlEndToEndId><TxSts>RJCT</TxSts><StsRsnInf><Rsn><Cd>AM04</Cd></Rsn></StsRsnInf>
</TxInfAndSts></OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>""".encode()
    assert apply_debit_returns(db.session, pain002) == {"returned": 1, "unchanged": 0}
    assert apply_debit_returns(db.session, pain002) == {"returned": 0, "unchanged": 1}
    assert payment.status is PaymentStatus.REVERSED and "insufficient funds" in payment.reversal_reason
    assert batch.items[0].status is DebitItemStatus.RETURNED
    assert bill_balances(db.session, [debited.id])[debited.id] == 267847
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 1


def test_a_return_reads_its_debits_after_locking_their_customers(db, debited, clock):
    """Another returns file of the same debit, committed while this one waited for the lock: this one finds the
    debit returned and changes nothing (read before the lock, it reversed the payment a second time)."""
    batch, _ = create_direct_debit_batch(db.session, debited.due_on, CREDITOR)
    clock.to(max(debited.due_on, today()))
    [payment] = book_direct_debit_batch(db.session, batch)
    item = batch.items[0]
    connection = db.session.connection()        # the other file's commit, behind the session's back
    connection.execute(sa.update(DirectDebitItem.__table__).where(DirectDebitItem.__table__.c.id == item.id)
                       .values(status=DebitItemStatus.RETURNED))
    connection.execute(sa.update(Payment.__table__).where(Payment.__table__.c.id == payment.id)
                       .values(status=PaymentStatus.REVERSED))
    assert item.status is DebitItemStatus.COLLECTED                 # what this session read before
    assert apply_debit_returns(db.session, _pain002(batch.message_id, item.end_to_end_id)) == {
        "returned": 0, "unchanged": 1}


def _pain002(message_id: str, end_to_end_id: str) -> bytes:
    return f"""<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03"><CstmrPmtStsRpt>
<GrpHdr><MsgId>R1</MsgId><CreDtTm>2026-01-01T00:00:00</CreDtTm></GrpHdr>
<OrgnlGrpInfAndSts><OrgnlMsgId>{message_id}</OrgnlMsgId><OrgnlMsgNmId>pain.008.001.02</OrgnlMsgNmId>
</OrgnlGrpInfAndSts><OrgnlPmtInfAndSts><OrgnlPmtInfId>x</OrgnlPmtInfId><TxInfAndSts>
<OrgnlEndToEndId>{end_to_end_id}</OrgnlEndToEndId><TxSts>RJCT</TxSts><StsRsnInf><Rsn><Cd>AM04</Cd></Rsn>
</StsRsnInf></TxInfAndSts></OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>""".encode()


def test_a_return_of_an_unknown_debit_refuses_the_file(db, debited):
    camt054 = b"""<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn>
<Ntfctn><Ntry><NtryDtls><TxDtls><Refs><EndToEndId>NOPE</EndToEndId></Refs><RtrInf><Rsn><Cd>AC04</Cd></Rsn>
</RtrInf></TxDtls></NtryDtls></Ntry></Ntfctn></BkToCstmrDbtCdtNtfctn></Document>"""
    with pytest.raises(StatementRefused, match="NOPE"):
        apply_debit_returns(db.session, camt054)
