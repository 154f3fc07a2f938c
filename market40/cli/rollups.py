"""``flask rollups rebuild|reconcile``: recompute rollups, or prove them equal to raw rows."""

from __future__ import annotations

from datetime import datetime

import click

from market40.cli.common import domain_errors
from market40.extensions import db
from market40.rollups import rebuild_rollups, reconcile

FROM = click.option("--from", "since", type=click.DateTime(formats=["%Y-%m-%d"]),
                    default=None, help="Only local days from this date (YYYY-MM-DD).")


@click.group("rollups")
def rollups() -> None:
    """Daily per-vendor rollups: rebuild them, or reconcile them with the raw rows."""


@rollups.command("rebuild")
@FROM
@domain_errors
def rebuild(since: datetime | None) -> None:
    """Recompute the rollups (from --from on) from the raw transactions."""
    written = rebuild_rollups(db.session, since.date() if since else None)
    db.session.commit()
    click.echo(f"Rebuilt {written:,} rollup rows"
               + (f" from {since.date()}." if since else "."))


@rollups.command("reconcile")
@FROM
@click.option("--limit", type=click.IntRange(min=0), default=0,
              help="Print at most this many differences (0: all); all are counted.")
@domain_errors
def reconcile_command(since: datetime | None, limit: int) -> None:
    """Compare rollups with the raw transactions; exit 1 on any difference."""
    count = 0
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
