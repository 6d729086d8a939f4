from models.billing.numbering import next_invoice_number


def test_numbers_run_on_without_gaps_per_series_and_year(db):
    issued = [next_invoice_number(db.session, "INV", 2026) for _ in range(3)]
    assert issued == ["INV-2026-0000001", "INV-2026-0000002", "INV-2026-0000003"]
    assert next_invoice_number(db.session, "CN", 2026) == "CN-2026-0000001"
    assert next_invoice_number(db.session, "INV", 2027) == "INV-2027-0000001"


def test_a_rolled_back_issue_gives_its_number_back(db):
    savepoint = db.session.begin_nested()
    assert next_invoice_number(db.session, "INV", 2026) == "INV-2026-0000001"
    savepoint.rollback()
    assert next_invoice_number(db.session, "INV", 2026) == "INV-2026-0000001"
