"""The upload size limit: the portal answers 413 with the limit named, the CLI refuses the same way."""
import io

import pytest
import sqlalchemy as sa

from models.readings.entities import ReadingImport
from portal.cli import cli
from tests.conftest import csrf_token

ROW = b"98001,1.8.0,2026-02-01,1050,actual,\n"


@pytest.fixture
def small_limit(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)     # restored after the test


def upload(client, data: bytes, **headers):
    token = csrf_token(client, "/readings/")
    return client.post("/readings/imports", headers=headers, data={
        "csrf_token": token, "file": (io.BytesIO(data), "big.csv")})


def test_an_upload_over_the_limit_is_refused_with_the_limit_named_and_nothing_written(db, client, login,
                                                                                      small_limit):
    login("clerk")
    page = upload(client, ROW * 100)
    assert page.status_code == 413 and "The file is larger than the 1 KB limit" in page.text
    answer = upload(client, ROW * 100, Accept="application/json")
    assert (answer.status_code, answer.json) == (413, {"field": "file",
                                                       "message": "The file is larger than the 1 KB limit"})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReadingImport)) == 0


def test_an_upload_under_the_limit_is_queued(db, client, login, small_limit):
    login("clerk")
    assert upload(client, ROW).status_code == 302
    assert db.session.scalar(sa.select(ReadingImport.filename)) == "big.csv"


def test_the_cli_refuses_a_file_over_the_limit(db, app, small_limit, tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(b"meter,register,date,value,type,note\n" + ROW * 100)
    result = app.test_cli_runner().invoke(cli, ["import", "readings", str(path)])
    assert result.exit_code == 1 and "The file is larger than the 1 KB limit" in result.output
