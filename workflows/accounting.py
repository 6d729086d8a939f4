"""The posting sweep on Celery beat: hourly, so the journal follows the day, and once after midnight so that
yesterday's batch is complete before the accountant exports it. Idempotent: a second run posts nothing."""
from __future__ import annotations

from celery import shared_task

from models.accounting.operations import post_unposted
from models.audit.recorder import Actor
from models.base import db
from models.transactions import transaction


@shared_task(name="accounting.post", ignore_result=True)
def post_journal() -> int:
    """Post every unposted bill, credit note, payment, reversal and write-off; the number of entries made.
    A missing posting rule refuses the whole sweep (logged by Celery) until the admin adds it. Two sweeps at
    once cannot post twice: the second one's commit hits the entries' unique key and is rolled back."""
    with transaction(Actor(None, "journal posting")):
        return post_unposted(db.session).entries
