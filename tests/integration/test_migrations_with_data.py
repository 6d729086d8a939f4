"""Migrations must upgrade a database that holds data, not only an empty one.

SQLite batch migrations rebuild tables; with foreign keys enforced that once failed as soon as
registers referred to the meters being rebuilt.
"""
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CMS = Path(sys.executable).parent / "cms"
BEFORE_METER_BATCHES = "adcb20690f3c"
pytestmark = [pytest.mark.integration, pytest.mark.no_db]


def test_sqlite_database_with_meters_upgrades_to_head(tmp_path):
    database = tmp_path / "old.sqlite3"
    env = {**os.environ, "CMS_INSTANCE_PATH": str(tmp_path), "CMS_DATABASE_URL": f"sqlite:///{database}"}
    subprocess.run([CMS, "db", "upgrade", BEFORE_METER_BATCHES], env=env, cwd=ROOT, check=True, capture_output=True)
    with sqlite3.connect(database) as db:
        db.execute("INSERT INTO stores (id, code, name, kind) VALUES (1, 'GDG', 'Central', 'central')")
        db.execute("INSERT INTO meter_models (id, manufacturer, model_code, phases, digits, time_of_use, "
                   "calibration_interval_months) VALUES (1, 'Itron', 'ACE', 1, 6, 0, 120)")
        db.execute("INSERT INTO meters (id, number, model_id, status, store_id) VALUES (1, '30001', 1, 'in_store', 1)")
        db.execute("INSERT INTO registers (id, meter_id, code, usage_type, digits, decimals, multiplier) "
                   "VALUES (1, 1, '1.8.0', 'active', 6, 0, 1)")
    result = subprocess.run([CMS, "db", "upgrade"], env=env, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT number, batch_id FROM meters").fetchall() == [("30001", None)]
        assert db.execute("SELECT meter_id, code FROM registers").fetchall() == [(1, "1.8.0")]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
