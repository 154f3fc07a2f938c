"""``flask exports prune``: remove export jobs and files older than EXPORT_KEEP_DAYS."""

from __future__ import annotations

import click
from flask import current_app

from market40.extensions import db
from market40.payments.export_jobs import mark_stale, prune


@click.group("exports")
def exports() -> None:
    """Transaction export jobs (POST /api/v1/transactions/exports)."""


@exports.command("prune")
@click.option("--days", type=click.FloatRange(min=0, max=36_500), default=None,
              help="Keep this many days (default EXPORT_KEEP_DAYS, 7).")
def prune_command(days: float | None) -> None:
    """Mark jobs whose worker stopped as failed; remove jobs and files older than N days."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    stale = mark_stale(db.session, app)
    db.session.commit()
    removed = prune(db.session, app, days)
    click.echo(f"{stale} interrupted job(s) marked failed; {removed} old export(s) removed")


commands = [exports]
