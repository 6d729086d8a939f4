"""Celery tasks of the workflow engine: ids in, idempotent, one transaction per instance."""
from __future__ import annotations

import logging

from celery import shared_task

from models.audit.recorder import Actor, acting_as
from models.base import db
from models.transactions import transaction
from workflows.runtime import due_timer_instances, fire_timers

log = logging.getLogger(__name__)


def wake_due_instances() -> int:
    """Fire every due timer; each instance commits on its own so one failure cannot block the rest."""
    fired = 0
    for instance_id in due_timer_instances(db.session):
        try:
            with transaction(Actor(None, "timer")):
                fired += fire_timers(db.session, instance_id)
        except Exception:  # noqa: BLE001  logged, rolled back, retried on the next beat
            log.exception("waking process instance %s failed", instance_id)
    return fired


@shared_task(name="workflows.wake")
def wake() -> int:
    return wake_due_instances()


@shared_task(name="meters.start_due_replacements")
def start_due_replacements_task(within_days: int = 30) -> int:
    """Daily: installed meters whose calibration falls due within the horizon get a replacement process."""
    from workflows.meter_processes import start_due_replacements
    with transaction(Actor(None, "calibration due")):
        started = start_due_replacements(db.session, within_days)
    return len(started)


@shared_task(name="readings.import", bind=True)
def import_readings_task(self, job_id: int) -> str:
    """A queued reading file (portal upload): imported whole or refused; progress goes to the result backend."""
    from models.readings.entities import ReadingImport
    from workflows.reading_imports import run_reading_import

    def progress(done: int, total: int) -> None:
        self.update_state(state="PROGRESS", meta={"done": done, "total": total})

    job = db.session.get(ReadingImport, job_id)
    eager = self.request.is_eager
    with acting_as(Actor(None, job.by if job else "import")):
        return run_reading_import(db.session, job_id, None if eager else progress).value


@shared_task(name="readings.open_due_cycles")
def open_due_cycles_task() -> int:
    """Daily: this month's reading cycle for every route that has none yet (none opens twice)."""
    from models.clock import today
    from models.readings.cycles import open_due_cycles
    with transaction(Actor(None, "reading schedule")):
        opened = open_due_cycles(db.session, today())
    return len(opened)
