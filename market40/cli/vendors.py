"""``flask vendors import|list|history|correct-history``: the registry at a terminal."""

from __future__ import annotations

from datetime import datetime

import click
import sqlalchemy as sa

from market40.auth import authorize
from market40.cli.common import DATABASE_ID, domain_errors
from market40.errors import InvalidInput
from market40.extensions import db
from market40.models import User
from market40.models.history import QR_EVENTS
from market40.models.vendor import VENDOR_STATUSES
from market40.registry.audit import Actor
from market40.registry.history import correct_history, history_of
from market40.registry.imports import import_vendors
from market40.registry.markets import get_market
from market40.registry.queries import vendors_query
from market40.registry.spreadsheets import MAX_FILE_BYTES, FileTooLarge
from market40.registry.vendors import get_vendor


@click.group("vendors")
def vendors() -> None:
    """Import and list a market's vendors."""


def _actor(name: str | None) -> Actor:
    if name is None:
        return "cli"
    user = db.session.scalar(sa.select(User).where(User.name == name))
    if user is None or not user.active:
        raise click.ClickException(f"user {name!r} does not exist or is inactive")
    return user


@vendors.command("import")
@click.argument("file", type=click.File("rb"))
@click.option("--market", "market_code", required=True, help="Market code, e.g. DAI-TU.")
@click.option("--as", "user_name", help="Import as this user (the vendors' maker); "
              "its role and markets are checked as in the API. Default: the 'cli' actor.")
@domain_errors
def import_command(file: click.utils.LazyFile, market_code: str, user_name: str | None) -> None:
    """Import vendors from a CSV or XLSX FILE as submitted: every row or none."""
    market = get_market(db.session, market_code)
    actor = _actor(user_name)
    if isinstance(actor, User):
        authorize(actor, "vendors.import", market=market)
    content = file.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        raise FileTooLarge()
    created = import_vendors(db.session, market, content, actor)
    db.session.commit()
    click.echo(f"Imported {len(created)} vendor(s) into {market.code} as submitted "
               f"(maker: {user_name or 'cli'}); they need approval.")


@vendors.command("list")
@click.option("--market", "market_code", required=True, help="Market code, e.g. DAI-TU.")
@click.option("--status", type=click.Choice(VENDOR_STATUSES))
@domain_errors
def list_command(market_code: str, status: str | None) -> None:
    """List a market's vendors: stall, name, category, bank account, status."""
    market = get_market(db.session, market_code)
    count = 0
    for vendor in db.session.scalars(vendors_query(market, status=status)):
        account = f"{vendor.bank_bin}:{vendor.account_number}" if vendor.has_bank_account else "-"
        qr = "QR" if vendor.qr_issued_at else "-"
        click.echo(f"{vendor.id}\t{vendor.stall_code}\t{vendor.display_name}\t"
                   f"{vendor.goods_category}\t{account}\t{vendor.status}\t{qr}")
        count += 1
    click.echo(f"{count} vendor(s) in {market.code}" + (f" with status {status}" if status else ""),
               err=True)


@vendors.command("history")
@click.argument("vendor_id", type=DATABASE_ID)
@domain_errors
def history_command(vendor_id: int) -> None:
    """A vendor's status history: time (UTC), event, status after it, actor[, correction]."""
    vendor = get_vendor(db.session, vendor_id)
    for row in history_of(db.session, vendor.id):
        note = f"\tcorrection: {row.correction}" if row.correction else ""
        click.echo(f"{row.at.isoformat()}\t{row.event}\t{row.status}\t{row.actor}{note}")


@vendors.command("correct-history")
@click.argument("vendor_id", type=DATABASE_ID)
@click.option("--event", required=True, type=click.Choice(QR_EVENTS),
              help="qr_issued: the QR was in force from AT; qr_withdrawn: it was not.")
@click.option("--at", "at_text", required=True,
              help="When, ISO 8601 with an offset, e.g. 2026-11-30T08:00:00+07:00.")
@click.option("--reason", required=True, help="Why the past is corrected (kept and audited).")
@click.option("--as", "user_name", required=True, help="The admin user making the correction.")
@domain_errors
def correct_history_command(vendor_id: int, event: str, at_text: str, reason: str,
                            user_name: str) -> None:
    """Correct a vendor's past on purpose: append a QR event at a past time, audited.

    Past figures change only through this; snapshots already made keep their figures
    and ``verify`` shows the difference as ``changes``.
    """
    actor = _actor(user_name)
    if not isinstance(actor, User) or actor.role != "admin":
        raise click.ClickException("only an admin user may correct a vendor's history")
    try:
        at = datetime.fromisoformat(at_text)
    except ValueError:
        raise InvalidInput.field("at", "must be an ISO 8601 time, e.g. "
                                       "2026-11-30T08:00:00+07:00") from None
    vendor = get_vendor(db.session, vendor_id)
    row = correct_history(db.session, vendor, event, at, reason, actor)
    db.session.commit()
    click.echo(f"vendor {vendor.id}: {event} at {row.at.isoformat()} recorded as a correction "
               f"by {actor.name}")


commands = [vendors]
