"""Where a PostgreSQL bulk write spends its time: CPU seconds of the server backend per phase.

The shared 2-core machines make wall times swing 2-3x with other people's work; the CPU
time the PostgreSQL backend itself spends on a statement barely moves. This script reads
it from ``/proc/<pg_backend_pid()>/stat`` (PostgreSQL on this host), around each phase of
writing the same simulated rows (the province's 12,000 vendors, ``--days`` days) into a
fresh schema, one variant after the other:

- ``old``: the path before issue 16 (COPY straight into ``transactions``, rollups summed
  in Python and upserted by executemany), plain table;
- ``staged``: ``payments.bulk.copy_transactions`` (COPY into a temporary table, one
  INSERT ... SELECT, rollups set-based), plain table;
- ``partitioned``: the same into monthly partitions (migrations b5c8e2f4a913 and
  c8f1d3a5e2b7: transactions and daily_rollups by month);
- ``month load``: the chunks COPYed into a table of the month's own, indexed and
  attached at the end, one transaction (``payments.month_load``: a month that has no
  partition yet), its vendor-day rollups likewise (their phase includes building their
  key and indexes);
- ``partitioned, no FK checks``: the same with ``session_replication_role = replica``
  (superuser only; measurement, never the application): what the foreign key of
  ``transactions`` (its vendor with its market) costs, a per-row trigger.

Usage: ``python bench/bench_bulk_phases.py [--days 7] [--chunks 3]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import date

import sqlalchemy as sa
from scratch_db import machine, scratch_database

from market40.extensions import db
from market40.models import utcnow
from market40.partitions import ensure_months_of
from market40.payments.bulk import (
    COLUMNS,
    STAGED,
    STAGING,
    STAGING_DDL,
    insert_transactions,
    timestamp_writer,
)
from market40.payments.month_load import MonthLoad
from market40.rollups.staged import upsert_staged_rollups
from market40.rollups.upsert import upsert_rollups
from market40.simulate.generate import clock_for, generate_day
from market40.simulate.province import create_province_vendors
from market40.simulate.traffic import plan_simulation

TICKS = os.sysconf("SC_CLK_TCK")
UNTIL = date(2025, 6, 30)


def cpu(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


class Phases:
    def __init__(self, connection: sa.Connection) -> None:
        self.pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        connection.commit()
        self.cpu: dict[str, float] = {}
        self.client: dict[str, float] = {}
        self.wall: dict[str, float] = {}
        self._mark = (cpu(self.pid), time.process_time(), time.perf_counter())

    def done(self, phase: str) -> None:
        now = (cpu(self.pid), time.process_time(), time.perf_counter())
        for i, table in enumerate((self.cpu, self.client, self.wall)):
            table[phase] = table.get(phase, 0) + now[i] - self._mark[i]
        self._mark = now


def chunk_rows(plan, first: int, days: int) -> tuple[list[tuple], list[dict]]:
    created = timestamp_writer("postgresql")(utcnow())
    rows: list[tuple] = []
    rollups: list[dict] = []
    for day in plan.days[first:first + days]:
        out = generate_day(day, plan.vendors, 40, set(), clock_for("postgresql", day), created)
        rows += out.rows
        rollups += out.rollups
    return rows, rollups


def write(connection: sa.Connection, phases: Phases, variant: str, rows, rollups) -> None:
    driver = connection.connection.driver_connection
    names = ", ".join(COLUMNS)
    with connection.begin():
        if variant.endswith("no FK checks"):
            connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        phases.done("other")
        if variant == "old":
            insert_transactions(connection, rows)
            phases.done("COPY into transactions")
            upsert_rollups(connection, rollups)
            phases.done("rollups")
        else:
            connection.exec_driver_sql(STAGING_DDL)
            staged = f"pg_temp.{STAGING}"
            connection.exec_driver_sql(f"TRUNCATE {staged}")
            with driver.cursor() as cursor, cursor.copy(
                    f"COPY {staged} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            phases.done("COPY into staging")
            ensure_months_of(connection, staged)
            connection.exec_driver_sql(
                f"INSERT INTO transactions ({names}) SELECT {names} FROM {staged}")
            phases.done("INSERT ... SELECT")
            upsert_staged_rollups(connection, STAGED)
            phases.done("rollups")
    phases.done("commit")


def load_month(connection: sa.Connection, phases: Phases, plan, args) -> int:
    """All chunks into one month's own table, then indexes, references, rollups, ATTACH."""
    total = 0
    with connection.begin():
        load = MonthLoad.begin(connection, plan.days[0].replace(day=1))
        assert load is not None, "the month has a partition already"
        phases.done("other")
        for n in range(args.chunks):
            rows, _ = chunk_rows(plan, n * args.days, args.days)
            phases.done("python (not counted)")
            total += load.copy(rows)
            phases.done("COPY into the month")
        for step in ("build_indexes", "add_references", "add_rollups", "attach"):
            getattr(load, step)()
            phases.done(step.replace("_", " "))
    phases.done("commit")
    return total


def run(variant: str, args: argparse.Namespace) -> tuple[int, Phases]:
    partitioned = variant.startswith("partitioned") or variant == "month load"
    with scratch_database("postgresql", partitioned) as scratch, scratch.app.app_context():
        with db.engine.begin() as connection:
            create_province_vendors(connection, 12_000)
        plan = plan_simulation(db.session, days=args.days * args.chunks, until=UNTIL, seed=40)
        db.session.commit()
        total = 0
        with db.engine.connect() as connection:
            phases = Phases(connection)
            if variant == "month load":
                return load_month(connection, phases, plan, args), phases
            for n in range(args.chunks):
                rows, rollups = chunk_rows(plan, n * args.days, args.days)
                phases.done("python (not counted)")
                write(connection, phases, variant, rows, rollups)
                total += len(rows)
        return total, phases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=7, help="days per chunk (~29k rows a day)")
    parser.add_argument("--chunks", type=int, default=3)
    parser.add_argument("--variants", nargs="+", default=[
        "old", "staged", "partitioned", "month load", "partitioned, no FK checks"])
    args = parser.parse_args()
    print(f"bench_bulk_phases: {machine()}", flush=True)
    results = {}
    for variant in args.variants:
        rows, phases = run(variant, args)
        results[variant] = (rows, phases)
        server = sum(v for k, v in phases.cpu.items() if k != "python (not counted)")
        wall = sum(v for k, v in phases.wall.items() if k != "python (not counted)")
        print(f"\n{variant}: {rows:,} rows in {args.chunks} chunks; server CPU {server:.1f} s "
              f"({rows / server:,.0f} rows per CPU-second), wall {wall:.1f} s "
              f"({rows / wall:,.0f} rows/s), load {os.getloadavg()[0]:.1f}")
        for phase in phases.cpu:
            if phase == "python (not counted)":
                continue
            print(f"  {phase:<24} server CPU {phases.cpu[phase]:7.2f} s   Python CPU "
                  f"{phases.client[phase]:6.2f} s   wall {phases.wall[phase]:7.2f} s")
    print("\nserver CPU-seconds per 100k rows:")
    for variant, (rows, phases) in results.items():
        spent = statistics.fsum(c for k, c in phases.cpu.items() if k != "python (not counted)")
        print(f"  {variant:<28} {100_000 * spent / rows:6.2f}")


if __name__ == "__main__":
    main()
