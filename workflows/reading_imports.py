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

from models.audit.recorder import acting_name
from models.clock import now_utc
from models.errors import DomainError
from models.readings.cycles import fulfil_orders, note_orders
from models.readings.entities import ImportStatus, ReadingImport
from models.readings.imports import ReadingImportRefused
from models.readings.meter_data import MeterDataResult, import_file
from models.statuses import move_status
from models.transactions import ConcurrentChange, DatabaseBusy, transaction
from workflows.reading_follow_ups import follow_up_anomalies

log = logging.getLogger(__name__)


def import_reading_file(session: Session, name: str, data: bytes, service_point: str | None = None,
                        progress=None) -> tuple[MeterDataResult, dict]:
    result = import_file(session, name, data, service_point, progress)
    answered = fulfil_orders(session, result.register_ids) if result.register_ids else 0
    noted = note_orders(session, result.notes_only) if result.notes_only else 0
    follow_ups = follow_up_anomalies(session, None) if result.anomalies else {}
    return result, {"orders_answered": answered, "orders_noted": noted, **follow_ups}


def queue_reading_import(session: Session, filename: str, data: bytes,
                         service_point: str | None = None) -> ReadingImport:
    if not data:
        raise DomainError("choose a file to import", "file")
    job = ReadingImport(filename=filename[-200:] or "upload", content=data, by=acting_name(),
                        service_point=(service_point or "").strip() or None)
    session.add(job)
    session.flush()
    return job


def import_task_id(job_id: int) -> str:
    """The Celery task id of a job's import, so the page can read its progress from the result backend."""
    return f"reading-import-{job_id}"


def run_reading_import(session: Session, job_id: int, progress=None) -> ImportStatus:
    """Run a queued import; a job already past the queue is left alone (a redelivered task).

    An edge of its own (the worker's task calls it): the job's start commits first, so the page sees it
    running; then the import and the job's end commit together, or the import rolls back whole and the
    job's end is committed alone.
    """
    job = session.get(ReadingImport, job_id)
    if job is None or job.status is not ImportStatus.QUEUED:
        return job.status if job else ImportStatus.FAILED
    with transaction():
        move_status(session, job, ImportStatus.RUNNING, what=f"import {job.id}")
        job.phase = "checking the file"
    data, name, service_point = job.content, job.filename, job.service_point
    try:
        with transaction():
            result, after = import_reading_file(session, name, data, service_point, progress)
            return _finish(session, job_id, ImportStatus.DONE, {**asdict(result), **after}, None)
    except ReadingImportRefused as exc:
        problems = {"problems": exc.problems, "count": exc.count, "partial": exc.partial}
        outcome = ImportStatus.REFUSED, problems, str(exc)
    except (DatabaseBusy, ConcurrentChange) as exc:     # not the file's fault: the same file may go in later
        log.warning("reading import %s: %s", job_id, exc)
        outcome = ImportStatus.FAILED, None, f"the import failed: {exc}"
    except DomainError as exc:
        outcome = ImportStatus.REFUSED, {"problems": [exc.message], "count": 1}, exc.message
    except Exception as exc:  # noqa: BLE001  the page must hear of it; the worker log keeps the trace
        log.exception("reading import %s failed", job_id)
        outcome = ImportStatus.FAILED, None, f"the import failed: {exc}"
    with transaction():
        return _finish(session, job_id, *outcome)


def _finish(session: Session, job_id: int, status: ImportStatus, summary, message) -> ImportStatus:
    job = session.get(ReadingImport, job_id)
    move_status(session, job, status, what=f"import {job.id}")
    if summary:
        summary.pop("register_ids", None)
        summary["notes_only"] = len(summary.get("notes_only") or [])
    job.summary, job.message, job.finished_at = summary, message, now_utc()
    job.phase, job.content = None, None
    processed = sum((summary or {}).get(k, 0) for k in ("readings", "intervals", "unchanged"))
    job.done = job.total = processed if status is ImportStatus.DONE else 0
    session.flush()
    return status
