"""Simulator throughput: rows per second into SQLite and PostgreSQL, side by side.

Scenarios (each on a fresh throwaway database, see ``scratch_db``):

- ``province``: the bench's own province-sized vendor set, ~12,000 approved vendors over
  the 140 markets (``market40.simulate.province``: 80% with a bank account, QR issued
  after each market's launch), simulated for a year. Target: >= 10 million rows in
  <= 5 minutes on SQLite.
- ``demo``: what ``make run`` does: the 2,115 demo vendors of ``flask seed`` (12 pilot
  markets), ``simulate --days 90``, then the same command again (must add nothing).

Each scenario runs ``--runs`` times per backend, alternating backends; the table shows
medians. Backends (columns):

- ``sqlite`` (an empty table: the secondary indexes are built after the load,
  ``simulate.indexes``); ``sqlite-indexed``: one day simulated first, so the measured
  days go through the indexes, as before issue 16;
- ``postgresql``: the COPY path (staging table, rollups set-based), one plain table;
- ``pg-partitioned``: transactions partitioned by month (production): every month of
  the fresh database is loaded into a table of its own and attached
  (``payments.month_load``);
  with the rows drawn in a second process (``simulate.producer``);
- ``pg-part-1proc``: the same month loads, the rows drawn in the writer's process (tuples);
- ``pg-part-through``: every month written through the partitioned table by the COPY
  path, the rows drawn in the writer's process (as before the month loads);
- ``pg-old``: the path before issue 16 (COPY straight into transactions, rollups summed
  in Python and upserted by executemany), one plain table.

Usage::

    python bench/bench_simulate.py [--scenario province|demo|both]
        [--backends sqlite postgresql pg-partitioned pg-part-1proc pg-part-through pg-old]
        [--days 365] [--vendors 12000] [--runs 1]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import date, timedelta

from scratch_db import machine, scratch_database

from market40.extensions import db
from market40.rollups import reconcile
from market40.simulate.province import create_province_vendors
from market40.simulate.traffic import plan_simulation, simulate_traffic

UNTIL = date(2025, 12, 31)


BACKENDS = {  # column -> (database, partitioned, staged rollups, month loads, processes)
    "sqlite": ("sqlite", False, True, True, None),
    "sqlite-indexed": ("sqlite", False, True, True, None),  # not empty: no deferred indexes
    "postgresql": ("postgresql", False, True, True, None),
    "pg-partitioned": ("postgresql", True, True, True, None),
    "pg-part-1proc": ("postgresql", True, True, True, False),
    "pg-part-through": ("postgresql", True, True, False, False),
    "pg-old": ("postgresql", False, False, True, False),
}


def run_simulation(days: int, until: date, staged: bool = True, month_loads: bool = True,
                   processes: bool | None = None) -> dict[str, float]:
    plan = plan_simulation(db.session, days=days, until=until, seed=40)
    db.session.commit()
    started = time.perf_counter()
    rows = generating = writing = 0.0
    for progress in simulate_traffic(db.engine, plan, staged_rollups=staged,
                                     month_loads=month_loads, processes=processes):
        rows += progress.rows
        generating += progress.generate_seconds
        writing += progress.write_seconds
    seconds = time.perf_counter() - started
    return {"rows": rows, "seconds": seconds, "rows/s": rows / seconds,
            "generate s": generating, "write s": writing}


def province(backend: str, args: argparse.Namespace) -> dict[str, float]:
    database, partitioned, staged, month_loads, processes = BACKENDS[backend]
    with scratch_database(database, partitioned) as scratch, scratch.app.app_context():
        with db.engine.begin() as connection:
            vendors = create_province_vendors(connection, args.vendors)
        if backend == "sqlite-indexed":  # one day before the plan: the table is not empty
            run_simulation(1, args.until - timedelta(days=args.days), staged)
        result = {"vendors": vendors,
                  **run_simulation(args.days, args.until, staged, month_loads, processes)}
        started = time.perf_counter()
        result["differences"] = sum(1 for _ in reconcile(db.session, None))
        result["reconcile s"] = time.perf_counter() - started
        db.session.rollback()
        return result


def demo(backend: str, args: argparse.Namespace) -> dict[str, float]:
    from market40.simulate.vendors import seed_demo_vendors

    database, partitioned, staged, month_loads, processes = BACKENDS[backend]
    with scratch_database(database, partitioned) as scratch, scratch.app.app_context():
        seed_demo_vendors(db.session, seed=40)
        db.session.commit()
        # what `make run` does: the 90 days ending yesterday, twice
        result = run_simulation(90, _yesterday(), staged, month_loads, processes)
        again = run_simulation(90, _yesterday(), staged, month_loads, processes)
        return {**result, "rerun rows": again["rows"], "rerun s": again["seconds"]}


def _yesterday() -> date:
    from market40.localtime import local_day
    from market40.models import utcnow

    return date.fromordinal(local_day(utcnow()).toordinal() - 1)


SCENARIOS = {"province": province, "demo": demo}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=["province", "demo", "both"], default="both")
    parser.add_argument("--backends", nargs="+", choices=list(BACKENDS),
                        default=["sqlite", "pg-old", "pg-partitioned"])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--vendors", type=int, default=12_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--until", type=date.fromisoformat, default=UNTIL,
                        help="last simulated day of the province scenario")
    args = parser.parse_args()
    print(f"bench_simulate: {machine()}", flush=True)
    names = ["demo", "province"] if args.scenario == "both" else [args.scenario]
    for name in names:
        results: dict[str, list[dict[str, float]]] = {b: [] for b in args.backends}
        for run in range(args.runs):
            for backend in args.backends:
                result = SCENARIOS[name](backend, args)
                result["load 1m"] = os.getloadavg()[0]  # at the end of the run
                results[backend].append(result)
                print(f"  {name} run {run + 1} {backend}: "
                      + ", ".join(f"{k} {v:,.1f}" for k, v in result.items()), flush=True)
        keys = list(next(iter(results.values()))[0])
        print(f"\n{name}: medians of {args.runs} run(s)"
              + (f", {args.vendors:,} vendors x {args.days} days ending {args.until}"
                 if name == "province" else ", 2,115 demo vendors x 90 days"))
        print(f"  {'':<14}" + "".join(f"{b:>14}" for b in args.backends))
        for key in keys:
            print(f"  {key:<14}" + "".join(
                f"{statistics.median(r[key] for r in results[b]):>14,.1f}"
                for b in args.backends))
        print(flush=True)


if __name__ == "__main__":
    main()
