"""``flask simulate``: synthetic traffic for the seeded vendors, with a progress bar."""

from __future__ import annotations

import sys
import time
from datetime import date

import click
from tqdm import tqdm

from market40.cli.common import domain_errors
from market40.db import PAYMENT_TABLES, refresh_statistics
from market40.extensions import db
from market40.simulate.traffic import plan_simulation, simulate_traffic


def _codes(values: tuple[str, ...]) -> list[str]:
    return [code.strip() for value in values for code in value.split(",") if code.strip()]


@click.command("simulate")
@click.option("--days", type=click.IntRange(1, 3660), default=90, show_default=True,
              help="How many local days, ending --until.")
@click.option("--until", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Last day simulated (local date); default yesterday.")
@click.option("--seed", type=int, default=40, show_default=True,
              help="Same seed and arguments, same rows.")
@click.option("--markets", "markets", multiple=True, metavar="CODE[,CODE...]",
              help="Only these markets (repeatable or comma-separated); default all.")
@click.option("--events", is_flag=True,
              help="Also write a payment event per QR sale (live pages, streams, MQTT "
                   "relay hear them); off by default: history is not announced.")
@domain_errors
def simulate(days: int, until: date | None, seed: int, markets: tuple[str, ...],
             events: bool) -> None:
    """Generate transactions and rollups for approved vendors. Rerunning adds nothing new."""
    plan = plan_simulation(db.session, days=days, until=until.date() if until else None,
                           seed=seed, markets=_codes(markets))
    scope = ", ".join(plan.markets) or "all markets"
    click.echo(f"Simulating {plan.first} .. {plan.last} for {len(plan.vendors)} vendors "
               f"({scope}), seed {seed}" + (", with payment events." if events else "."))
    if plan.years_without_tet:
        click.echo(f"Note: no Tết dates for {', '.join(map(str, plan.years_without_tet))}; "
                   "those years get no Tết effect.", err=True)
    started = time.perf_counter()
    rows = vendor_days = skipped = 0
    generating = writing = 0.0
    with tqdm(total=len(plan.days), unit="day", disable=not sys.stderr.isatty()) as bar:
        db.session.commit()  # the plan's reads; the simulator commits its own chunks
        for progress in simulate_traffic(db.engine, plan, events=events):
            rows += progress.rows
            vendor_days += progress.vendor_days
            skipped += progress.skipped_vendor_days
            generating += progress.generate_seconds
            writing += progress.write_seconds
            bar.update(progress.days)
            bar.set_postfix(rows=f"{rows:,}")
    seconds = time.perf_counter() - started
    click.echo(f"Wrote {rows:,} transactions for {vendor_days:,} vendor-days in "
               f"{seconds:.1f} s ({rows / max(seconds, 1e-9):,.0f} rows/s); "
               f"{skipped:,} vendor-days were already simulated.")
    click.echo(f"Time spent generating: {generating:.1f} s; writing (in parallel): "
               f"{writing:.1f} s.")
    if rows:
        started = time.perf_counter()
        analyzed = refresh_statistics(db.engine, PAYMENT_TABLES)
        if analyzed:
            click.echo(f"Planner statistics refreshed (ANALYZE {', '.join(analyzed)}) in "
                       f"{time.perf_counter() - started:.1f} s.")


commands = [simulate]
