"""`cms collection import-statement | direct-debit | debit-returns`."""
import pytest

from models.billing.documents import payment_reference
from models.clock import today
from portal.cli import cli


@pytest.fixture
def cms(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(cli, list(args))


def test_import_statement_reports_and_refuses(db, cms, tmp_path, make):
    good = tmp_path / "s.csv"
    good.write_text(f"reference,date,amount,remittance\nC1,{today().isoformat()},1000,{payment_reference('INV-2026-0000009')}\n")
    result = cms("collection", "import-statement", str(good))
    assert result.exit_code == 0 and "1 lines: 0 posted" in result.output and "1 to suspense" in result.output
    assert "already imported" in cms("collection", "import-statement", str(good)).output
    bad = tmp_path / "b.xml"
    bad.write_bytes(b"<Document><oops>")
    result = cms("collection", "import-statement", str(bad))
    assert result.exit_code == 1 and "not well-formed XML" in result.output


def test_direct_debit_refuses_a_bad_date_and_a_day_without_bills(db, cms):
    assert cms("collection", "direct-debit", "--due", "2026-02-30").exit_code == 2
    result = cms("collection", "direct-debit", "--due", today().isoformat())
    assert result.exit_code == 1 and "no direct-debit bills" in result.output
