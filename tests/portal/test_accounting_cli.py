"""`cms accounting post | trial-balance | export` on an issued R-1/TR 1300 bill (Rp 267,847)."""
import json

import pytest

from models.clock import today
from portal.cli import cli
from tests.models.collection import conftest as collection

# The collection fixtures: issued R-1/TR 1300 invoices of one customer.
tariffs, contract, customer, issue = collection.tariffs, collection.contract, collection.customer, collection.issue


@pytest.fixture
def cms(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(cli, list(args))


def test_post_then_trial_balance_json_carries_the_totals_and_a_row_per_account(db, cms, issue):
    issue(5)
    result = cms("accounting", "post")
    assert result.exit_code == 0 and "posted 1 journal entries (1 invoice)" in result.output, result.output
    assert "posted 0 journal entries" in cms("accounting", "post").output
    doc = json.loads(cms("accounting", "trial-balance", "--json").output)
    assert doc["debit"] == doc["credit"] == "267847.00"
    rows = {r["code"]: r for r in doc["accounts"]}
    assert rows["1100"]["debit"] == "267847.00" and rows["4101"]["credit"] == "260046.00"


def test_trial_balance_before_the_first_bill_is_zero_and_a_bad_date_is_refused(db, cms):
    result = cms("accounting", "trial-balance", "--date", "2024-01-01")
    assert result.exit_code == 0 and "Total" in result.output
    bad = cms("accounting", "trial-balance", "--date", "yesterday")
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output


def test_export_is_the_same_file_twice(db, cms, issue):
    issue(5)
    day = today().isoformat()
    first = cms("accounting", "export", "--date", day, "--format", "json")
    assert first.exit_code == 0, first.output
    assert json.loads(first.output)["debit"] == "267847.00"
    assert cms("accounting", "export", "--date", day, "--format", "json").output == first.output
    assert cms("accounting", "export", "--date", day, "--format", "xml").exit_code == 2
