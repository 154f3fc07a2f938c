"""Ingestion under gunicorn: single POSTs per second (p50/p99) and batch rows per second.

For each backend: a throwaway database (``scratch_db``) with ~2,000 approved vendors
and an admin token; gunicorn on 127.0.0.1 serving ``wsgi:app`` from it; then

- ``single``: ``--requests`` POST /api/v1/transactions from ``--clients`` threads, each
  with its own keep-alive ``http.client`` connection (reconnecting when a sync worker
  closes it). Every request is a new transaction (unique reference). Reports requests
  per second, p50 and p99 latency, and the server's CPU time per request (from /proc:
  the master and its workers), which bounds what the machine can do:
  cores / (CPU per request). Targets: >= 500/s with p99 < 50 ms.
- ``batch``: ``--batches`` POST /api/v1/transactions/batch of ``--batch-size`` items
  from ``--batch-clients`` concurrent clients (several systems uploading; SQLite still
  takes one writer at a time, but parsing and checking run in both workers). Reports
  stored rows per second over the wall time. Target: >= 20,000 rows/s.

The load generator runs on the same machine (its CPU time is printed): on a 2-core box it
takes a share of what the server could use. Backends alternate within each run; the
tables show medians of ``--runs``. Usage::

    python bench/bench_ingest.py [--backends sqlite postgresql pg-partitioned pg-old]
        [--requests 4000] [--clients 8] [--batches 6] [--batch-size 10000]
        [--batch-clients 2] [--workers 2] [--worker-class sync] [--threads 1] [--runs 3]
        [--batch-only] [--waits] [--code before=/tmp/main-export after=.]

Backends (columns): ``sqlite``; ``postgresql`` (the COPY path with set-based rollups,
one plain table); ``pg-partitioned`` (the same, transactions partitioned by month, as in
production); ``pg-old`` (the batch path before issue 16: rollups summed in Python and
upserted by executemany, ``MARKET40_BULK_STAGED_ROLLUPS=false``).

``--code NAME=DIR ...`` serves each backend from each of these source trees in turn
(gunicorn's working directory: e.g. ``git archive main | tar -x -C DIR`` for "before"),
alternating within every run, so a change is measured side by side with what it
replaces. The scratch database is made by this tree's code, and on ``pg-partitioned`` by
the migrations of the tree that serves it (so a schema change is measured too).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from scratch_db import PG_URL, machine, scratch_database

from market40.auth import create_user, issue_token
from market40.extensions import db
from market40.models import Vendor
from market40.simulate.province import create_province_vendors

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


BACKENDS = {  # column -> (database, partitioned, staged rollups)
    "sqlite": ("sqlite", False, True),
    "postgresql": ("postgresql", False, True),
    "pg-partitioned": ("postgresql", True, True),
    "pg-old": ("postgresql", False, False),
}


@contextmanager
def gunicorn(url: str, args: argparse.Namespace, staged: bool = True, code: Path = ROOT):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "MARKET40_WEBHOOK_SECRET": "bench-secret",
           "PGAPPNAME": f"m40bench-{port}",  # its PostgreSQL backends, for their CPU time
           "MARKET40_RATELIMIT_ENABLED": "false",
           "MARKET40_BULK_STAGED_ROLLUPS": "true" if staged else "false"}
    command = [str(GUNICORN), "--workers", str(args.workers), "--worker-class",
               args.worker_class, "--threads", str(args.threads), "--bind",
               f"127.0.0.1:{port}", "--log-level", "warning", "--keep-alive", "5", "wsgi:app"]
    process = subprocess.Popen(command, cwd=code, env=env)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.2)
        yield port, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


TICKS = os.sysconf("SC_CLK_TCK")


def server_cpu_seconds(master: int) -> float:
    """CPU time (user + system) of the gunicorn master and its workers, from /proc."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry.name), int(fields[1])
        if pid == master or ppid == master:
            total += (int(fields[11]) + int(fields[12])) / TICKS
    return total


def postgres_cpu_seconds(port: int) -> float:
    """CPU time of the PostgreSQL backends serving the gunicorn on ``port`` (same host)."""
    engine = sa.create_engine(PG_URL, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        pids = connection.execute(sa.text(
            "SELECT pid FROM pg_stat_activity WHERE application_name = :name"),
            {"name": f"m40bench-{port}"}).scalars().all()
    engine.dispose()
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / TICKS
    return total


class WaitSampler(threading.Thread):
    """``--waits``: what the app's PostgreSQL backends are doing, sampled every few ms
    from ``pg_stat_activity`` while the batches run (what they wait for, in which
    statement). Diagnosis only: the sampling takes CPU from the figures it samples."""

    def __init__(self, port: int, interval: float = 0.005) -> None:
        super().__init__(daemon=True)
        self.port, self.interval = port, interval
        self.samples: dict[tuple[str, str], int] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        engine = sa.create_engine(PG_URL, poolclass=sa.pool.NullPool)
        query = sa.text(
            "SELECT coalesce(wait_event_type || ':' || wait_event, 'on CPU'), "
            "regexp_replace(left(query, 60), '\\s+', ' ', 'g') FROM pg_stat_activity "
            "WHERE application_name = :name AND state = 'active'")
        with engine.connect() as connection:
            while not self.stop.is_set():
                for wait, sql in connection.execute(query, {"name": f"m40bench-{self.port}"}):
                    key = (wait, sql)
                    self.samples[key] = self.samples.get(key, 0) + 1
                connection.rollback()
                time.sleep(self.interval)
        engine.dispose()

    def report(self, top: int = 12) -> str:
        total = sum(self.samples.values()) or 1
        lines = [f"    {100 * n / total:5.1f}%  {wait:<28} {sql}" for (wait, sql), n in
                 sorted(self.samples.items(), key=lambda item: -item[1])[:top]]
        return "  backend samples (share of active samples):\n" + "\n".join(lines)


def body(vendor_id: int, reference: str, now: datetime, rng: random.Random) -> dict:
    return {"vendor_id": vendor_id, "amount": rng.randrange(1, 500) * 1_000,
            "method": "qr" if rng.random() < 0.3 else "cash", "kind": "sale",
            "occurred_at": (now - timedelta(seconds=rng.randrange(86_400 * 30))).isoformat(),
            "reference": reference}


def single_posts(port: int, master: int, token: str, vendors: list[int],
                 args: argparse.Namespace, tag: str) -> dict[str, float]:
    rng = random.Random(1)
    now = datetime.now(UTC)
    payloads = [json.dumps(body(rng.choice(vendors), f"{tag}-s-{i}", now, rng)).encode()
                for i in range(args.requests)]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    latencies: list[float] = []
    failures: list[int] = []
    lock = threading.Lock()

    def client(part: list[bytes]) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, bad = [], []
        for payload in part:
            started = time.perf_counter()
            try:
                connection.request("POST", "/api/v1/transactions", payload, headers)
                response = connection.getresponse()
                response.read()
            except (http.client.HTTPException, OSError):
                connection.close()  # the worker closed the connection: reconnect, retry
                connection.request("POST", "/api/v1/transactions", payload, headers)
                response = connection.getresponse()
                response.read()
            mine.append(time.perf_counter() - started)
            if response.status != 201:
                bad.append(response.status)
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
        with lock:
            latencies.extend(mine)
            failures.extend(bad)

    parts = [payloads[i::args.clients] for i in range(args.clients)]
    threads = [threading.Thread(target=client, args=(part,)) for part in parts]
    server = server_cpu_seconds(master)
    cpu, started = time.process_time(), time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    server = server_cpu_seconds(master) - server
    latencies.sort()
    return {"rps": len(latencies) / wall,
            "p50 ms": 1000 * latencies[len(latencies) // 2],
            "p99 ms": 1000 * latencies[int(len(latencies) * 0.99) - 1],
            "server cpu ms/req": 1000 * server / len(latencies),
            "client cpu %": 100 * (time.process_time() - cpu) / wall,
            "errors": len(failures)}


def batches(port: int, master: int, token: str, vendors: list[int],
            args: argparse.Namespace, tag: str, postgres: bool) -> dict[str, float]:
    rng = random.Random(2)
    now = datetime.now(UTC)
    payloads = [
        json.dumps({"transactions": [body(rng.choice(vendors), f"{tag}-b{b}-{i}", now, rng)
                                     for i in range(args.batch_size)]}).encode()
        for b in range(args.batches)
    ]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    seconds: list[float] = []
    stored: list[int] = []
    errors: list[str] = []

    def client(part: list[bytes]) -> None:
        for payload in part:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
            started = time.perf_counter()
            connection.request("POST", "/api/v1/transactions/batch", payload, headers)
            response = connection.getresponse()
            result = json.loads(response.read())
            seconds.append(time.perf_counter() - started)
            connection.close()
            if response.status != 201:
                errors.append(f"{response.status} {str(result)[:300]}")
            else:
                stored.append(result["stored"])

    parts = [payloads[i::args.batch_clients] for i in range(args.batch_clients)]
    threads = [threading.Thread(target=client, args=(part,)) for part in parts]
    server, database = server_cpu_seconds(master), postgres_cpu_seconds(port) if postgres else 0
    sampler = WaitSampler(port) if postgres and args.waits else None
    if sampler is not None:
        sampler.start()
    cpu, started = time.process_time(), time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if sampler is not None:
        sampler.stop.set()
        sampler.join()
        print(sampler.report(), flush=True)
    client_cpu = time.process_time() - cpu
    server = server_cpu_seconds(master) - server
    database = (postgres_cpu_seconds(port) - database) if postgres else 0
    if errors:
        raise RuntimeError(f"batch failed: {errors[0]}")
    per_10k = 10_000 / sum(stored)
    return {"rows/s": sum(stored) / wall, "batch median s": statistics.median(seconds),
            "app cpu s/10k": server * per_10k, "pg cpu s/10k": database * per_10k,
            "client cpu s/10k": client_cpu * per_10k}


def run(backend: str, args: argparse.Namespace, tag: str, code: Path = ROOT,
        ) -> dict[str, float]:
    database, partitioned, staged = BACKENDS[backend]
    with scratch_database(database, partitioned, code) as scratch:
        with scratch.app.app_context():
            with db.engine.begin() as connection:
                create_province_vendors(connection, args.vendors)
            user = create_user(db.session, "bench-admin", "admin")
            token = issue_token(db.session, user)
            db.session.commit()
            vendors = list(db.session.scalars(  # QR needs an account: use those that have one
                db.select(Vendor.id).where(Vendor.account_number.is_not(None))))
        with gunicorn(scratch.url, args, staged, code) as (port, master):
            warm = argparse.Namespace(**{**vars(args), "requests": 200})
            single_posts(port, master, token, vendors, warm, f"{tag}-warm")
            result = {} if args.batch_only else single_posts(port, master, token, vendors,
                                                             args, tag)
            result.update(batches(port, master, token, vendors, args, tag,
                                  database == "postgresql"))
        result["load 1m"] = os.getloadavg()[0]  # at the end of the run
        return result


def _figure(value: float) -> str:
    return f"{value:,.1f}" if abs(value) >= 10 else f"{value:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", nargs="+", choices=list(BACKENDS),
                        default=["sqlite", "pg-old", "pg-partitioned"])
    parser.add_argument("--batch-only", action="store_true",
                        help="skip the single POSTs (only warm-up) and measure batches")
    parser.add_argument("--requests", type=int, default=4_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--batches", type=int, default=6)
    parser.add_argument("--batch-size", type=int, default=10_000)
    parser.add_argument("--batch-clients", type=int, default=2,
                        help="batches are posted by this many concurrent clients")
    parser.add_argument("--vendors", type=int, default=2_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="sync")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--waits", action="store_true",
                        help="PostgreSQL: sample what the app's backends wait for during "
                             "the batches (diagnosis: the sampling costs CPU)")
    parser.add_argument("--code", nargs="+", metavar="NAME=DIR", default=[],
                        help="serve from each of these source trees in turn (side by side)")
    args = parser.parse_args()
    trees = {name: Path(path).resolve() for name, path in
             (item.split("=", 1) for item in args.code)} or {"": ROOT}
    print(f"bench_ingest: {machine()}", flush=True)
    print(f"gunicorn {args.workers} x {args.worker_class} (threads {args.threads}); "
          f"{args.clients} client threads, {args.requests} single POSTs, "
          f"{args.batches} batches of {args.batch_size:,} from {args.batch_clients} client(s)",
          flush=True)
    columns = [(backend, name) for backend in args.backends for name in trees]
    results: dict[tuple[str, str], list[dict[str, float]]] = {c: [] for c in columns}
    label = {c: "@".join(filter(None, c)) for c in columns}
    for run_number in range(args.runs):
        for column in columns:
            result = run(column[0], args, f"r{run_number}", trees[column[1]])
            results[column].append(result)
            print(f"  run {run_number + 1} {label[column]}: "
                  + ", ".join(f"{k} {_figure(v)}" for k, v in result.items()), flush=True)
    width = max(14, *(len(v) + 2 for v in label.values()))
    print(f"\nmedians of {args.runs} run(s)")
    print(f"  {'':<16}" + "".join(f"{label[c]:>{width}}" for c in columns))
    for key in next(iter(results.values()))[0]:
        print(f"  {key:<16}" + "".join(
            f"{_figure(statistics.median(r[key] for r in results[c])):>{width}}"
            for c in columns))


if __name__ == "__main__":
    main()
