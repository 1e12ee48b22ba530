"""Locust users of the load benchmark; started by ``bench/load_bench.py`` (not by hand).

Each user sends the mix of ``bench.load.mix`` back to back (no think time): a few such users
saturate the server while the load generator, on the same two cores, stays cheap
(``FastHttpUser``: geventhttpclient, keep-alive connections).

Users open their connection one after another, ``QONYS_LOAD_STAGGER`` seconds apart (0.25 s):
the server's workers share one listening socket and a worker accepts every connection that is
waiting when it looks. Eight connections opened at once mostly went to one worker, which
then served them all on one core while the other worker idled; opened one by one, each finds
an idle worker to take it.
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

import gevent
from locust import FastHttpUser, task

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.load.mix import Plan, next_request

PLAN = Plan.load(Path(os.environ["QONYS_LOAD_PLAN"]))
SEED = int(os.environ.get("QONYS_LOAD_SEED", "1"))
STAGGER = float(os.environ.get("QONYS_LOAD_STAGGER", "0.25"))
_users = 0


class Clerk(FastHttpUser):
    network_timeout = 60.0
    connection_timeout = 10.0

    def on_start(self) -> None:
        global _users
        _users += 1
        # Each user its own reproducible stream of requests.
        self.rng = random.Random(SEED * 1000 + _users)
        gevent.sleep(STAGGER * (_users - 1))

    @task
    def one(self) -> None:
        r = next_request(self.rng, PLAN)
        headers = {"Authorization": f"Bearer {r.token}"}
        if r.body is None:
            self.client.request(r.method, r.path, name=r.name, headers=headers)
        else:
            self.client.request(r.method, r.path, name=r.name, headers=headers, json=r.body)
