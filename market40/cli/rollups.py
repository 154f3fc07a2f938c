"""``flask rollups rebuild|reconcile``: recompute rollups, or prove them equal to raw rows."""

from __future__ import annotations

from datetime import datetime

import click

from market40.cli.common import domain_errors
from market40.extensions import db
from market40.localtime import shift_months
from market40.partitions import archived_ranges
from market40.rollups import rebuild_rollups, reconcile

FROM = click.option("--from", "since", type=click.DateTime(formats=["%Y-%m-%d"]),
                    default=None, help="Only local days from this date (YYYY-MM-DD).")


def _archived() -> str:
    """The archived months, as ``2025-01..2025-03, 2025-06``; empty when none."""
    return ", ".join(
        f"{first:%Y-%m}" if shift_months(first, 1) == after
        else f"{first:%Y-%m}..{shift_months(after, -1):%Y-%m}"
        for first, after in archived_ranges(db.session.connection()))


@click.group("rollups")
def rollups() -> None:
    """Daily per-vendor rollups: rebuild them, or reconcile them with the raw rows."""


@rollups.command("rebuild")
@FROM
@domain_errors
def rebuild(since: datetime | None) -> None:
    """Recompute the rollups (from --from on) from the raw transactions."""
    written = rebuild_rollups(db.session, since.date() if since else None)
    archived = _archived()
    db.session.commit()
    click.echo(f"Rebuilt {written:,} rollup rows"
               + (f" from {since.date()}." if since else "."))
    if archived:
        click.echo(f"Kept as they were: the rollups of the archived months {archived} "
                   "(their payments are detached; nothing to recompute them from).")


@rollups.command("reconcile")
@FROM
@click.option("--limit", type=click.IntRange(min=0), default=0,
              help="Print at most this many differences (0: all); all are counted.")
@domain_errors
def reconcile_command(since: datetime | None, limit: int) -> None:
    """Compare rollups with the raw transactions; exit 1 on any difference."""
    count = 0
    if archived := _archived():
        click.echo(f"Not compared: the archived months {archived} (their payments are "
                   "detached).")
    for difference in reconcile(db.session, since.date() if since else None):
        count += 1
        if not limit or count <= limit:
            click.echo(str(difference))
    db.session.rollback()
    if count:
        click.echo(f"{count:,} difference(s) between rollups and raw transactions.", err=True)
        raise SystemExit(1)
    click.echo("Rollups match the raw transactions.")


commands = [rollups]
