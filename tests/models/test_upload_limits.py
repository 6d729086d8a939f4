"""Large and hostile reading files: bounded unzipping, bounded problem lists, a bounded audit trail."""
import hashlib
import io
import struct
import tracemalloc
import zipfile

import pytest
import sqlalchemy as sa

from models.audit.entities import AuditAction, AuditEvent
from models.readings import meter_data
from models.readings.imports import ReadingImportRefused
from models.readings.meter_data import import_file
from workflows.reading_imports import queue_reading_import

HEADER = b"meter,register,date,value,type,note\n"


def lying_zip(real: int, claimed: int) -> bytes:
    """A zip of `real` bytes of one repeated letter whose directory and local header say `claimed`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("readings.csv", b"x" * real)
    data = bytearray(buffer.getvalue())
    struct.pack_into("<I", data, 22, claimed)                               # local file header
    struct.pack_into("<I", data, data.rfind(b"PK\x01\x02") + 24, claimed)   # central directory
    return bytes(data)


@pytest.fixture
def small_cap(monkeypatch):
    monkeypatch.setattr(meter_data, "MAX_BYTES", 1024 * 1024)
    monkeypatch.setattr(meter_data, "CHUNK", 64 * 1024)
    unpacked = []
    read = zipfile.ZipExtFile.read
    monkeypatch.setattr(zipfile.ZipExtFile, "read", lambda self, n=-1: unpacked.append(len(data := read(self, n)))
                        or data)
    return unpacked


def test_a_zip_that_claims_a_small_file_is_unpacked_only_to_the_cap(db, small_cap):
    with pytest.raises(ReadingImportRefused, match="unpacks to more than 1 MB, the limit"):
        import_file(db.session, "readings.zip", lying_zip(20 * 1024 * 1024, claimed=1000))
    assert 1024 * 1024 < sum(small_cap) <= 1024 * 1024 + 64 * 1024


def test_a_zip_whose_file_differs_from_its_stated_size_is_refused(db, small_cap):
    with pytest.raises(ReadingImportRefused, match="says its file has 1,000 bytes but it unpacks to 5,000"):
        import_file(db.session, "readings.zip", lying_zip(5000, claimed=1000))


def test_a_file_of_many_bad_rows_lists_the_first_hundred_and_counts_the_rest(db):
    data = HEADER + b"".join(b"M%d,1.8.0,2026-02-30,100,actual,\n" % n for n in range(1000))
    with pytest.raises(ReadingImportRefused) as refused:
        import_file(db.session, "bad.csv", data)
    assert (refused.value.count, len(refused.value.problems)) == (1000, 100)
    assert refused.value.problems[0] == "row 2: date '2026-02-30' is not YYYY-MM-DD"
    assert refused.value.problems[-1].startswith("row 101: ")
    assert str(refused.value).startswith("1,000 bad row(s)") and str(refused.value).endswith("... and 900 more")


def test_a_nem12_file_of_many_bad_days_is_refused_the_same_way(db):
    day = "300,20260201," + ",".join(["x"] * 48) + ",A,,,20260202000000,\n"
    text = "100,NEM12,200405011135,MDA1,Ret1\n200,NMI0000001,E1,1,E1,N1,SER1,kWh,30,\n" + day * 150 + "900\n"
    with pytest.raises(ReadingImportRefused) as refused:
        import_file(db.session, "bad.nem", text.encode())
    assert (refused.value.count, len(refused.value.problems)) == (150, 100)
    assert refused.value.problems[0] == "row 3: interval 1 value 'x' is not a number"
    assert str(refused.value).endswith("... and 50 more")


def test_refusing_a_large_file_of_bad_rows_keeps_no_row_objects(db):
    data = HEADER + b"".join(b"M%07d,1.8.0,2026-02-03,100,actual,\n" % n for n in range(20_000))   # unknown meters
    tracemalloc.start()
    try:
        with pytest.raises(ReadingImportRefused, match="20,000 bad row"):
            import_file(db.session, "bad.csv", data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10 * len(data)       # the text and a chunk of rows; keeping every row took 28 times the file


def test_the_audit_trail_records_a_queued_upload_by_name_size_and_hash(db):
    data = b"meter,register,date,value,type,note\n" * 50_000
    job = queue_reading_import(db.session, "walk.csv", data)
    event = db.session.scalar(sa.select(AuditEvent).where(
        AuditEvent.entity == "reading_imports", AuditEvent.entity_id == str(job.id)))
    assert event.action is AuditAction.INSERT and event.changes["filename"] == [None, "walk.csv"]
    assert event.changes["content"] == [None, f"<1,800,000 bytes sha256:{hashlib.sha256(data).hexdigest()}>"]


def test_a_long_text_is_stored_cut_in_the_audit_trail(db):
    job = queue_reading_import(db.session, "walk.csv", b"x")
    job.message = "y" * 10_000
    db.session.flush()
    changes = db.session.scalars(sa.select(AuditEvent.changes).where(
        AuditEvent.entity == "reading_imports", AuditEvent.action == AuditAction.UPDATE)).one()
    assert changes["message"] == [None, "y" * 2000 + "… (10,000 characters)"]
