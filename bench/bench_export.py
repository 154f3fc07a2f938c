"""How fast an export job writes a province's transactions, and what a 10 M-row year takes.

Builds ``--rows`` transactions (default 1,000,000) with the bulk path the simulator
uses (``market40.payments.bulk.insert_transactions``: COPY on PostgreSQL, executemany
on SQLite) for ``--vendors`` approved vendors of the seeded markets, in a throwaway
database (``bench/scratch_db.py``). Then, ``--repeat`` times each:

- ``job``: ``run_export`` (the code the job's thread runs): id windows of
  ``EXPORT_WINDOW``, the file hashed while written, then renamed into place;
- ``stream``: the streamed ``?format=csv`` generator (``csv_chunks``) read to the end,
  for a side-by-side ratio.

Each window query reads a bounded primary-key range, so the time per row does not grow
with the table: the 10 M-row figure is rows / (rows per second), stated as such.

    .venv/bin/python bench/bench_export.py --backend sqlite --rows 1000000
    .venv/bin/python bench/bench_export.py --backend postgresql --rows 1000000
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scratch_db import machine, scratch_database  # noqa: E402
from market40.extensions import db  # noqa: E402
from market40.models import ExportJob, User, Vendor  # noqa: E402
from market40.payments.bulk import insert_transactions, timestamp_writer  # noqa: E402
from market40.payments.export import csv_chunks  # noqa: E402
from market40.payments.queries import TransactionFilters, export_query  # noqa: E402
from market40.simulate.province import create_province_vendors  # noqa: E402

YEAR_ROWS = 10_000_000


def build(backend: str, rows: int, vendors: int) -> float:
    """Insert the vendors and ``rows`` transactions; returns seconds taken."""
    started = time.perf_counter()
    with db.engine.begin() as connection:
        create_province_vendors(connection, total=vendors)
    pairs = db.session.execute(sa.select(Vendor.id, Vendor.market_id)).all()
    admin = User(name="bench-admin", role="admin")
    db.session.add(admin)
    db.session.commit()
    write = timestamp_writer(backend)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    step = timedelta(days=365) / rows
    created = write(start + timedelta(days=366))
    chunk = 100_000
    for first in range(0, rows, chunk):
        batch = []
        for i in range(first, min(first + chunk, rows)):
            vendor_id, market_id = pairs[i % len(pairs)]
            batch.append((vendor_id, market_id, write(start + step * i), 5_000 + (i % 997) * 100,
                          "qr" if i % 3 else "cash", "sale", "api", f"b{i:09d}", created))
        insert_transactions(db.session, batch)
        db.session.commit()
    return time.perf_counter() - started


def run_job(app, directory: Path) -> tuple[float, ExportJob]:
    from market40.payments.export_jobs import run_export

    admin = db.session.scalar(sa.select(User).where(User.name == "bench-admin"))
    job = ExportJob(user_id=admin.id, filters={}, status="queued")
    db.session.add(job)
    db.session.commit()
    app.config["EXPORT_DIR"] = str(directory)
    started = time.perf_counter()
    run_export(db.session, app, job.id)
    seconds = time.perf_counter() - started
    db.session.expire_all()
    job = db.session.get(ExportJob, job.id)
    assert job.status == "done", job.error
    return seconds, job


def check_file(path: Path, job: ExportJob, rows: int) -> None:
    digest, size, lines = hashlib.sha256(), 0, 0
    with open(path, "rb") as file:
        while piece := file.read(1 << 20):
            digest.update(piece)
            size += len(piece)
            lines += piece.count(b"\n")
    assert digest.hexdigest() == job.sha256 and size == job.size
    assert lines == job.rows + 1 == rows + 1, (lines, job.rows)


def run_stream() -> tuple[float, int]:
    admin = db.session.scalar(sa.select(User).where(User.name == "bench-admin"))
    started = time.perf_counter()
    size = sum(len(c.encode()) for c in csv_chunks(
        db.session, export_query(db.session, admin, TransactionFilters())))
    db.session.commit()
    return time.perf_counter() - started, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--vendors", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-stream", action="store_true", help="skip the streamed export")
    options = parser.parse_args()
    print(f"before: {machine()}")
    with scratch_database(options.backend) as scratch, scratch.app.app_context(), \
            tempfile.TemporaryDirectory(prefix="m40export-") as tmp:
        built = build(options.backend, options.rows, options.vendors)
        print(f"built {options.rows:,} transactions ({options.vendors:,} vendors) on "
              f"{options.backend} in {built:.1f} s")
        jobs, streams = [], []
        for n in range(options.repeat):
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            seconds, job = run_job(scratch.app, Path(tmp) / f"run{n}")
            rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            if n == 0:  # the file is what the job says it is (read in pieces)
                check_file(Path(job.path), job, options.rows)
            Path(job.path).unlink()
            jobs.append(seconds)
            print(f"job    run {n + 1}: {seconds:6.1f} s  {job.rows / seconds:9,.0f} rows/s  "
                  f"{job.size / 1e6:,.0f} MB  peak RSS {rss_before / 1024:.0f}"
                  f"->{rss_after / 1024:.0f} MiB")
            if not options.no_stream:
                seconds, size = run_stream()
                streams.append(seconds)
                print(f"stream run {n + 1}: {seconds:6.1f} s  "
                      f"{options.rows / seconds:9,.0f} rows/s  {size / 1e6:,.0f} MB")
        job_median = statistics.median(jobs)
        rate = options.rows / job_median
        print(f"\njob median {job_median:.1f} s = {rate:,.0f} rows/s on {options.backend}")
        if streams:
            stream_median = statistics.median(streams)
            print(f"stream median {stream_median:.1f} s = {options.rows / stream_median:,.0f} "
                  f"rows/s; job/stream time ratio {job_median / stream_median:.2f}")
        year = YEAR_ROWS / rate
        print(f"a {YEAR_ROWS:,}-row year at this rate: {year:,.0f} s = {year / 60:.1f} min "
              f"(extrapolated linearly: every window reads a bounded id range)")
    print(f"after: {machine()}")


if __name__ == "__main__":
    main()
