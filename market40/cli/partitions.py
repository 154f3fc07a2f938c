"""``flask partitions list|create-ahead|detach``: the monthly partitions of transactions."""

from __future__ import annotations

from datetime import datetime

import click

from market40.cli.common import domain_errors
from market40.db import PARTITIONED_TABLES, refresh_statistics
from market40.extensions import db
from market40.localtime import local_today
from market40.partitions import create_ahead, detach_before, is_partitioned, partitions

NOT_PARTITIONED = ("transactions is one table here (SQLite, or PostgreSQL before migration "
                   "b5c8e2f4a913): there are no partitions to manage.")


def _connection():
    connection = db.session.connection()
    if not is_partitioned(connection):
        click.echo(NOT_PARTITIONED)
        return None
    return connection


@click.group("partitions")
def partitions_group() -> None:
    """PostgreSQL: transactions by local month (create ahead, detach old months)."""


@partitions_group.command("list")
def list_command() -> None:
    """Every monthly table, attached or detached, with its estimated rows."""
    if (connection := _connection()) is None:
        return
    for partition in partitions(connection):
        state = "attached" if partition.attached else "detached"
        rows = "?" if partition.rows < 0 else f"~{partition.rows:,}"
        click.echo(f"{partition.month:%Y-%m}  {partition.name}  {state}  {rows} rows")
    db.session.rollback()


@partitions_group.command("create-ahead")
@click.option("--months", type=click.IntRange(0, 120), default=3, show_default=True,
              help="Months after the current local month to create.")
@click.option("--analyze/--no-analyze", default=True, show_default=True,
              help="Then refresh the planner statistics of the partitioned tables, "
                   "which autovacuum never analyzes.")
@domain_errors
def create_ahead_command(months: int, analyze: bool) -> None:
    """Create the partitions of this month and the next --months (run it daily)."""
    if (connection := _connection()) is None:
        return
    created = create_ahead(connection, months, local_today())
    db.session.commit()
    click.echo(f"Created {len(created)} partition(s)"
               + (": " + ", ".join(f"{m:%Y-%m}" for m in created) if created else
                  f"; the months up to +{months} already exist."))
    if analyze:
        refresh_statistics(db.engine, PARTITIONED_TABLES)
        click.echo(f"Statistics refreshed: {', '.join(PARTITIONED_TABLES)}.")


@partitions_group.command("detach")
@click.option("--before", "before", required=True,
              type=click.DateTime(formats=["%Y-%m"]),
              help="Detach every month before this one (YYYY-MM).")
@domain_errors
def detach_command(before: datetime) -> None:
    """Detach old months to archive tables; rollups and reports keep their figures."""
    if (connection := _connection()) is None:
        return
    names = detach_before(connection, before.date(), local_today())
    db.session.commit()
    if names:
        click.echo(f"Detached {len(names)} partition(s): {', '.join(names)}. The tables stay "
                   "(dump them with pg_dump -t, or attach them again); reports are unchanged.")
    else:
        click.echo(f"No attached month before {before:%Y-%m}.")


commands = [partitions_group]
