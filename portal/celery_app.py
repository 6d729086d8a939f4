"""Celery bound to the Flask app: every task runs inside an application context.

The broker is the embedded SQLite transport unless CMS_BROKER_URL names Redis (or any Kombu URL).
"""
from __future__ import annotations

from celery import Celery, Task
from celery.schedules import crontab
from flask import Flask


def beat_schedule(app: Flask) -> dict:
    return {
        # BPMN timers wake nothing by themselves: fire the due ones every CMS_TIMER_WAKE_SECONDS.
        "wake-process-timers": {"task": "workflows.wake", "schedule": app.config["CMS_TIMER_WAKE_SECONDS"]},
        # Wall-clock times, not intervals from start-up: a beat restarted often must still run them.
        "replace-meters-falling-due": {"task": "meters.start_due_replacements",
                                       "schedule": crontab(minute=20, hour="*/6")},
        "open-reading-cycles": {"task": "readings.open_due_cycles", "schedule": crontab(minute=10, hour="*/6")},
        # Issued bills queue their documents as they commit; this catches a message lost with a worker.
        "render-missing-documents": {"task": "billing.render_missing_documents", "schedule": crontab(minute=40)},
        # A chunk whose bill_exception start failed keeps its bills held: give them their review.
        # Credit (overpayments, cancelled bills' payments) pays the bills issued since.
        "allocate-credits": {"task": "collection.allocate_credits", "schedule": crontab(minute=5, hour="*/2")},
        # The journal follows the day hourly; the 00:15 run completes yesterday's batch before it is exported.
        "post-journal-hourly": {"task": "accounting.post", "schedule": crontab(minute=25)},
        "post-journal-daily": {"task": "accounting.post", "schedule": crontab(minute=15, hour=0)},
        "start-missing-bill-exceptions": {"task": "billing.start_missing_exceptions", "schedule": crontab(minute=50)},
        # Dunning: penalties, broken arrangements, new cases for overdue bills, once a day (each idempotent).
        "collection-daily": {"task": "collection.daily_dunning", "schedule": crontab(minute=15, hour=1)},
    }


def init_celery(app: Flask) -> Celery:
    class AppContextTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    broker = app.config["CMS_BROKER_URL"]
    celery = Celery(app.import_name, task_cls=AppContextTask)
    celery.conf.update(
        broker_url=broker,
        result_backend=app.config["CMS_RESULT_BACKEND"],
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        timezone="UTC",
        enable_utc=True,
        task_acks_late=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        beat_schedule=beat_schedule(app),
        include=["portal.tasks", "workflows.tasks", "workflows.billing_documents", "workflows.billing",
                 "workflows.credits", "workflows.collection", "workflows.accounting"],
        task_always_eager=app.config.get("CELERY_ALWAYS_EAGER", False),
    )
    if broker.startswith("sqla+sqlite"):
        # Options go to create_engine(); a long timeout rides out writer contention.
        celery.conf.broker_transport_options = {"connect_args": {"timeout": 30}}
        # Kombu polls a virtual transport's queues once a second, and with one message prefetched a process
        # waited for the next poll after every task: a billing run's chunks took 1 to 2 s each to reach a
        # worker that bills one in 0.1 to 0.3 s. This transport hands every transport option to
        # create_engine(), so the interval can only be set on its transport class.
        from kombu.transport import sqlalchemy as sqla_transport
        sqla_transport.Transport.polling_interval = 0.1
    celery.set_default()
    app.extensions["celery"] = celery
    return celery
