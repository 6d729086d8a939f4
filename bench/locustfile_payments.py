"""Locust users for bench/payments_api.py: each post pays the next distinct open bill in full, with a new
Idempotency-Key and reference. Configured by the bench through BENCH_PAY_* variables; on quitting, the accepted
posts (reference -> payment id) are written to BENCH_PAY_ACCEPTED for the database check."""
from __future__ import annotations

import itertools
import json
import os
import random

import gevent
from locust import FastHttpUser, constant_throughput, events, task

BILLS = open(os.environ["BENCH_PAY_BILLS"]).read().split()
RUN = os.environ["BENCH_PAY_RUN"]
TOKEN = os.environ["BENCH_PAY_TOKEN"]
PAID_ON = os.environ["BENCH_PAY_PAID_ON"]          # the application's today
NEXT = itertools.count()
ACCEPTED: dict[str, int] = {}


RATE = float(os.environ.get("BENCH_PAY_RATE", "10"))
# "poisson": each user waits an exponential time (mean 1/rate) before each post, so that the users' posts arrive
# as independent clients' do. "paced": locust's constant_throughput, which keeps every user to its period from
# one common start: all users post within the same few milliseconds, a burst of `users` posts each period.
ARRIVALS = os.environ.get("BENCH_PAY_ARRIVALS", "poisson")


def _poisson_wait(_user) -> float:
    return random.expovariate(RATE)


class Partner(FastHttpUser):
    wait_time = constant_throughput(RATE) if ARRIVALS == "paced" else _poisson_wait

    def on_start(self) -> None:
        if ARRIVALS != "paced":
            gevent.sleep(random.expovariate(RATE))      # not all at the moment locust starts them

    @task
    def pay(self) -> None:
        i = next(NEXT)
        if i >= len(BILLS):
            self.environment.runner.quit()
            return
        reference = f"BENCH-{RUN}-{i}"
        body = {"bill_number": BILLS[i], "amount": "103000.00", "channel": "partner", "reference": reference,
                "paid_on": PAID_ON}
        with self.client.post("/api/v1/payments", json=body, name="POST /api/v1/payments", catch_response=True,
                              headers={"Authentication-Token": TOKEN, "Idempotency-Key": reference}) as answer:
            if answer.status_code == 201:
                ACCEPTED[reference] = answer.json()["payment_id"]
                answer.success()
            else:
                answer.failure(f"{answer.status_code} {answer.text[:200]}")


@events.quitting.add_listener
def _write_accepted(environment, **_kw) -> None:
    with open(os.environ["BENCH_PAY_ACCEPTED"], "w") as f:
        json.dump(ACCEPTED, f)
