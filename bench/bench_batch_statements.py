"""Where a batch's PostgreSQL time goes: the server backend's CPU per statement of the batch API.

``bench_ingest.py --batch-only`` measures the batch API as clients see it (gunicorn, two
clients at once) and ``--waits`` what the backends wait for. This script answers the
next question, what each statement of one request costs the server, and what a schema
change would save, side by side:

- batches go through the real view (``POST /api/v1/transactions/batch`` by Flask's test
  client, one at a time) into a scratch schema made by the migrations (production's:
  partitions, composite keys) with the province's vendors;
- every statement the request sends (``psycopg`` ``execute``, ``executemany``, ``copy``
  and the commit) is timed by
  the CPU its backend spent on it, read from ``/proc/<pid>/schedstat`` (nanoseconds;
  PostgreSQL runs on this host), and the request's own Python CPU beside it;
- ``--variant NAME=FILE.sql`` runs the SQL of FILE on a second scratch schema after its
  migrations (for example ``ALTER TABLE payment_events DROP CONSTRAINT ...``: what that
  key costs), and the batches alternate between the schemas, the same payloads in each.

Medians per batch in milliseconds. The first batch of each schema is a warm-up (plans,
partitions) and is not counted. Diagnosis only: a variant is a question, not a change.

Usage: ``python bench/bench_batch_statements.py [--batches 12] [--variant NAME=FILE]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import sqlalchemy as sa
from bench_ingest import body
from scratch_db import machine, scratch_database

from market40.auth.tokens import create_user, issue_token
from market40.extensions import db
from market40.models import Vendor
from market40.simulate.province import create_province_vendors

PYTHON = "Python (the request's own CPU)"
TOTAL = "PostgreSQL, all statements"


def backend_cpu(pid: int) -> float:
    """Seconds of CPU the process ``pid`` has run (``schedstat``: nanoseconds)."""
    with open(f"/proc/{pid}/schedstat") as stat:
        return int(stat.read().split()[0]) / 1e9


def statement_key(query: object) -> str:
    """A statement's first words, whitespace folded: the row it is counted in."""
    text = query.decode() if isinstance(query, bytes) else str(query)
    return re.sub(r"\s+", " ", text).strip()[:64]


class StatementClock:
    """Backend CPU per statement of every psycopg cursor while :meth:`counting`."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] | None = None
        self.pending: tuple[str, int, float] = ("", 0, 0.0)
        execute, executemany = psycopg.Cursor.execute, psycopg.Cursor.executemany
        copy, commit = psycopg.Cursor.copy, psycopg.Connection.commit
        clock = self

        def timed(run):
            def call(cursor, query, *args, **kwargs):
                if clock.seconds is None:
                    return run(cursor, query, *args, **kwargs)
                pid = cursor.connection.info.backend_pid
                before = backend_cpu(pid)
                try:
                    return run(cursor, query, *args, **kwargs)
                finally:
                    clock.add(statement_key(query), backend_cpu(pid) - before)
            return call

        def timed_commit(connection):
            if clock.seconds is None:
                return commit(connection)
            pid = connection.info.backend_pid
            before = backend_cpu(pid)
            try:
                return commit(connection)
            finally:
                clock.add("COMMIT", backend_cpu(pid) - before)

        @contextmanager
        def timed_copy(cursor, statement, *args, **kwargs):
            with copy(cursor, statement, *args, **kwargs) as copying:
                if clock.seconds is None:
                    yield copying
                    return
                pid = cursor.connection.info.backend_pid
                before = backend_cpu(pid)
                try:
                    yield copying
                finally:
                    clock.pending = (statement_key(statement), pid, before)
            if clock.seconds is not None:  # the COPY ends when its block is left
                key, pid, before = clock.pending
                clock.add(key, backend_cpu(pid) - before)

        psycopg.Cursor.execute = timed(execute)
        psycopg.Cursor.executemany = timed(executemany)
        psycopg.Cursor.copy = timed_copy
        psycopg.Connection.commit = timed_commit

    def add(self, key: str, seconds: float) -> None:
        assert self.seconds is not None
        self.seconds[key] = self.seconds.get(key, 0.0) + seconds

    @contextmanager
    def counting(self) -> Iterator[dict[str, float]]:
        self.seconds = {}
        try:
            yield self.seconds
        finally:
            self.seconds = None


class Schema:
    """A scratch schema with vendors, a token and the SQL of its variant applied."""

    def __init__(self, stack: ExitStack, name: str, setup: str, vendors: int) -> None:
        self.name = name
        scratch = stack.enter_context(scratch_database("postgresql", partitioned=True))
        self.app = scratch.app
        with self.app.app_context():
            with db.engine.begin() as connection:
                create_province_vendors(connection, vendors)
                for statement in filter(str.strip, setup.split(";\n")):
                    connection.exec_driver_sql(statement)
            token = issue_token(db.session, create_user(db.session, f"bench-{name}", "admin"))
            db.session.commit()
            self.vendors = list(db.session.scalars(
                sa.select(Vendor.id).where(Vendor.account_number.is_not(None))
                .order_by(Vendor.id)))
        self.client = self.app.test_client()
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def payloads(vendors: list[int], count: int, size: int) -> list[bytes]:
    rng = random.Random(2)
    now = datetime.now(UTC)
    return [json.dumps({"transactions": [body(rng.choice(vendors), f"s-b{b}-{i}", now, rng)
                                         for i in range(size)]}).encode()
            for b in range(count)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=12, help="counted, after one warm-up")
    parser.add_argument("--batch-size", type=int, default=10_000)
    parser.add_argument("--vendors", type=int, default=2_000)
    parser.add_argument("--variant", action="append", default=[], metavar="NAME=FILE.sql")
    parser.add_argument("--top", type=int, default=12, help="statements shown")
    args = parser.parse_args()
    variants = {"as migrated": ""}
    for spec in args.variant:
        name, _, path = spec.partition("=")
        if not path:
            parser.error(f"--variant {spec!r}: give NAME=FILE.sql")
        variants[name] = Path(path).read_text()
    print(f"bench_batch_statements: {machine()}", flush=True)
    clock = StatementClock()
    # statement -> schema -> per-batch seconds
    figures: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    with ExitStack() as stack:
        schemas = [Schema(stack, name, setup, args.vendors) for name, setup in variants.items()]
        bodies = {s.name: payloads(s.vendors, args.batches + 1, args.batch_size)
                  for s in schemas}
        for batch in range(args.batches + 1):
            for schema in schemas:
                with clock.counting() as seconds:
                    python = time.process_time()
                    response = schema.client.post("/api/v1/transactions/batch",
                                                  data=bodies[schema.name][batch],
                                                  headers=schema.headers)
                    python = time.process_time() - python
                if response.status_code != 201:
                    raise SystemExit(f"{schema.name}: batch {batch} answered "
                                     f"{response.status_code}: {response.get_data()[:300]!r}")
                if batch == 0:
                    continue  # warm-up
                for key, value in seconds.items():
                    figures[key][schema.name].append(value)
                figures[TOTAL][schema.name].append(sum(seconds.values()))
                figures[PYTHON][schema.name].append(python)
    counted = args.batches

    def median_ms(key: str, name: str) -> float:
        values = figures[key][name] + [0.0] * (counted - len(figures[key][name]))
        return 1000 * statistics.median(values)

    first = schemas[0].name
    statements = sorted((k for k in figures if k not in (TOTAL, PYTHON)),
                        key=lambda k: -median_ms(k, first))[:args.top]
    width = max(12, *(len(s.name) for s in schemas))
    print(f"\nbackend CPU per {args.batch_size:,}-item batch, ms (median of {counted}); "
          f"load average {os.getloadavg()[0]:.2f} at the end")
    print(f"  {'':<64}" + "".join(f"  {s.name:>{width}}" for s in schemas))
    for key in [*statements, TOTAL, PYTHON]:
        print(f"  {key:<64}" + "".join(f"  {median_ms(key, s.name):>{width}.1f}"
                                       for s in schemas))


if __name__ == "__main__":
    main()
