"""/collection/bank: upload a statement (report, or refusal with the bad lines and nothing written), work the
suspense queue, download a batch's pain.008."""
import io

import sqlalchemy as sa

from models.clock import today
from models.collection.bank_entities import StatementImport, SuspenseItem, SuspenseStatus
from tests.conftest import csrf_token


def _upload(client, token, name, data):
    return client.post("/collection/bank/statements", data={"csrf_token": token, "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_upload_report_and_suspense_refund(db, client, login):
    login("clerk")
    token = csrf_token(client, "/collection/bank/")
    data = f"reference,date,amount,payer,remittance\nP1,{today().isoformat()},5000,Budi,donasi\n".encode()
    answer = _upload(client, token, "s.csv", data)
    assert answer.status_code == 302
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "1 to suspense" in page and "P1" in page
    item = db.session.scalars(sa.select(SuspenseItem)).one()
    client.post(f"/collection/bank/suspense/{item.id}/refund", data={"csrf_token": token, "reason": "unknown payer"})
    db.session.expire_all()
    assert db.session.get(SuspenseItem, item.id).status is SuspenseStatus.REFUNDED
    assert "Nothing in suspense" in client.get("/collection/bank/").get_data(as_text=True)


def test_a_hostile_file_is_a_report_not_a_5xx_and_writes_nothing(db, client, login):
    login("clerk")
    token = csrf_token(client, "/collection/bank/")
    rows = "".join(f"X{n},{today().isoformat()},{'9' * 30},,x\n" for n in range(2000))
    answer = _upload(client, token, "big.csv", ("reference,date,amount,payer,remittance\n" + rows).encode())
    assert answer.status_code == 422 and "2,000 bad line(s)" in answer.get_data(as_text=True)
    assert _upload(client, token, "x.xml", b"<Document><a>").status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StatementImport)) == 0
    assert client.post("/collection/bank/suspense/99999/refund", data={"csrf_token": token}).status_code == 404
    assert client.get("/collection/bank/direct-debit/99999/pain.008.xml").status_code == 404
