"""Reading files end to end: import, answer open reading orders, start follow-up work for anomalies.

The CLI runs it in the foreground; the portal queues the file as a ReadingImport and a worker runs it.
The import is one transaction (all or nothing), so its progress cannot go through the database (on
SQLite a second writer would break the import's own transaction): the worker reports it to Celery's
result backend, where the page reads it (`import_task_id`).
"""
from __future__ import annotations

import logging
from dataclasses import asdict

from sqlalchemy.orm import Session

from models.clock import now_utc
from models.errors import DomainError
from models.readings.cycles import fulfil_orders, note_orders
from models.readings.entities import IMPORT_TRANSITIONS, ImportStatus, ReadingImport
from models.readings.imports import ReadingImportRefused
from models.readings.meter_data import MeterDataResult, import_file
from models.statuses import check_transition
from workflows.reading_follow_ups import follow_up_anomalies

log = logging.getLogger(__name__)


def import_reading_file(session: Session, name: str, data: bytes, by: str, service_point: str | None = None,
                        progress=None) -> tuple[MeterDataResult, dict]:
    result = import_file(session, name, data, by, service_point, progress)
    answered = fulfil_orders(session, result.register_ids) if result.register_ids else 0
    noted = note_orders(session, result.notes_only) if result.notes_only else 0
    follow_ups = follow_up_anomalies(session, None, by) if result.anomalies else {}
    return result, {"orders_answered": answered, "orders_noted": noted, **follow_ups}


def queue_reading_import(session: Session, filename: str, data: bytes, by: str,
                         service_point: str | None = None) -> ReadingImport:
    if not data:
        raise DomainError("choose a file to import", "file")
    job = ReadingImport(filename=filename[-200:] or "upload", content=data, by=by,
                        service_point=(service_point or "").strip() or None)
    session.add(job)
    session.flush()
    return job


def import_task_id(job_id: int) -> str:
    """The Celery task id of a job's import, so the page can read its progress from the result backend."""
    return f"reading-import-{job_id}"


def run_reading_import(session: Session, job_id: int, progress=None) -> ImportStatus:
    """Run a queued import; a job already past the queue is left alone (a redelivered task)."""
    job = session.get(ReadingImport, job_id)
    if job is None or job.status is not ImportStatus.QUEUED:
        return job.status if job else ImportStatus.FAILED
    check_transition(IMPORT_TRANSITIONS, job.status, ImportStatus.RUNNING, f"import {job.id}")
    job.status, job.phase = ImportStatus.RUNNING, "checking the file"
    session.commit()
    data, name, by, service_point = job.content, job.filename, job.by, job.service_point
    try:
        result, after = import_reading_file(session, name, data, by, service_point, progress)
    except ReadingImportRefused as exc:
        session.rollback()
        return _finish(session, job_id, ImportStatus.REFUSED, {"problems": exc.problems, "count": exc.count,
                                                               "partial": exc.partial}, str(exc))
    except DomainError as exc:
        session.rollback()
        return _finish(session, job_id, ImportStatus.REFUSED, {"problems": [exc.message], "count": 1}, exc.message)
    except Exception as exc:  # noqa: BLE001  the page must hear of it; the worker log keeps the trace
        session.rollback()
        log.exception("reading import %s failed", job_id)
        return _finish(session, job_id, ImportStatus.FAILED, None, f"the import failed: {exc}")
    return _finish(session, job_id, ImportStatus.DONE, {**asdict(result), **after}, None, keep_session=True)


def _finish(session: Session, job_id: int, status: ImportStatus, summary, message, keep_session=False):
    job = session.get(ReadingImport, job_id)
    check_transition(IMPORT_TRANSITIONS, job.status, status, f"import {job.id}")
    if summary:
        summary.pop("register_ids", None)
        summary["notes_only"] = len(summary.get("notes_only") or [])
    job.status, job.summary, job.message, job.finished_at = status, summary, message, now_utc()
    job.phase, job.content = None, None
    processed = sum((summary or {}).get(k, 0) for k in ("readings", "intervals", "unchanged"))
    job.done = job.total = processed if status is ImportStatus.DONE else 0
    session.commit()
    return status
