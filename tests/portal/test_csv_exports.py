"""Every CSV the portal writes goes through csv_response: text that would run as a formula is quoted,
numbers stay numbers."""
import csv
import io
from decimal import Decimal

from models.clock import today
from models.meters.entities import StoreKind
from models.meters.operations import move_meters, register_meter_batch
from reports.exports import csv_response

FORMULA = '=HYPERLINK("http://evil.example","x")'


def test_formula_cells_are_quoted_and_numbers_kept(app):
    with app.test_request_context():
        response = csv_response("t.csv", ["a"], [
            (FORMULA, "+1+2", "-1+1", "@SUM(A1)", "\tx", "\rx", "-12.5", Decimal("-12.5"), -3, "", None, "a=b")])
    assert list(csv.reader(io.StringIO(response.get_data(as_text=True))))[1] == [
        "'" + FORMULA, "'+1+2", "'-1+1", "'@SUM(A1)", "'\tx", "'\rx", "-12.5", "-12.5", "-3", "", "", "a=b"]


def test_a_reports_csv_quotes_a_formula_typed_into_a_movement(db, client, login, make):
    central, district, model = make.store(), make.store(StoreKind.DISTRICT), make.meter_model()
    register_meter_batch(db.session, 70001, 70001, model.id, central.id, "DO-1", received_on=today())
    move_meters(db.session, "send", ["70001"], district.id, "SJ-1", reason=FORMULA, moved_on=today())
    db.session.commit()
    login("clerk")
    report = client.get(f"/meters/movements/report?date_from={today()}&date_to={today()}&format=csv")
    header, *rows = csv.reader(io.StringIO(report.text))
    sent = [r for r in rows if r[header.index("movement")] == "send"]
    assert [r[header.index("reason")] for r in sent] == ["'" + FORMULA]


def test_a_long_csv_goes_out_in_pieces_read_from_a_generator(app, monkeypatch):
    monkeypatch.setattr("reports.exports.BLOCK", 2)
    read = []

    def rows():
        for n in range(5):
            read.append(n)
            yield (n, f"row {n}")
    with app.test_request_context():
        response = csv_response("t.csv", ["n", "text"], rows())
        assert read == []                   # nothing read before the response is sent
        pieces = list(response.response)
    assert len(pieces) == 3 and read == [0, 1, 2, 3, 4]
    assert list(csv.reader(io.StringIO("".join(pieces))))[1:] == [[str(n), f"row {n}"] for n in range(5)]
