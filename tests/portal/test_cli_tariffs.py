"""`cms tariffs import | price-load`: URDB / SAM files into tariffs, a year of load priced."""
import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from models.tariffs.entities import Tariff
from portal.cli import cli

DATA = (Path(__file__).resolve().parents[2] / "../shared/data").resolve()
SAM = DATA / "interval_loads/nrel_sam"
SAMPLE_TOU = DATA / "tariffs/openstudio_hpxml_sample_rates/Sample Time-of-Use Rate.json"


@pytest.fixture
def cms(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(cli, [str(a) for a in args])


@pytest.fixture
def flat_load(tmp_path):
    path = tmp_path / "load.txt"
    path.write_text("1\n" * 8760)
    return path


def test_import_then_price_by_code(db, cms, flat_load):
    result = cms("tariffs", "import", SAMPLE_TOU, "--code", "NREL-TOU", "--from", "2018-01-01")
    assert result.exit_code == 0, result.output
    assert "imported urdb tariff NREL-TOU (Sample Time-of-Use Rate): version from 2018-01-01, 2 energy period(s)" \
        in result.output
    by_code = cms("tariffs", "price-load", "NREL-TOU", flat_load, "--json")
    by_file = cms("tariffs", "price-load", SAMPLE_TOU, flat_load, "--json")
    assert by_code.exit_code == 0, by_code.output
    assert json.loads(by_code.output) == json.loads(by_file.output)


def test_price_load_prints_months_and_the_total(cms):
    # SAM's residential TOU test (PySAM's bill 771.78, see tests/models/tariffs).
    result = cms("tariffs", "price-load", SAM / "Test_Residential_TOU_Rates.tariff.json",
                 SAM / "load_residential_hourly_kW.csv")
    assert result.exit_code == 0, result.output
    assert result.output.count("month total") == 12 and "2018-01\n  energy period" in result.output
    assert result.output.rstrip().endswith("total: 771.79")


def test_price_load_json_has_twelve_months(cms, flat_load):
    out = json.loads(cms("tariffs", "price-load", SAMPLE_TOU, flat_load, "--json").output)
    assert [m["month"] for m in out["months"]] == list(range(1, 13))
    assert out["total"] == str(sum(__import__("decimal").Decimal(m["total"]) for m in out["months"]))
    assert {"label", "quantity", "unit", "rate", "amount"} == set(out["months"][0]["lines"][0])


def test_a_refused_tariff_names_its_reason_and_writes_nothing(db, cms):
    result = cms("tariffs", "import", DATA / "tariffs/urdb_real_tariffs/PGE_BEV-2-S_2025-09-08.json")
    assert result.exit_code == 1
    assert "refused" in result.output and "reactive (kVAr) demand charge" in result.output
    assert db.session.scalar(sa.select(sa.func.count(Tariff.id))) == 0


@pytest.mark.parametrize(("args", "message"), [
    (("NOPE", "LOAD"), "no tariff NOPE in force"),
    ((SAMPLE_TOU, "SHORT"), "3 values are not a year of hourly (8760)"),
    ((SAMPLE_TOU, "LOAD", "--year", "2020"), "8760 values are not a year of hourly (8784)"),
])
def test_price_load_refusals(cms, flat_load, tmp_path, args, message):
    (tmp_path / "short.txt").write_text("1\n2\n3\n")
    args = [{"LOAD": flat_load, "SHORT": tmp_path / "short.txt"}.get(a, a) for a in args]
    result = cms("tariffs", "price-load", *args)
    assert result.exit_code == 1 and message in result.output, result.output
