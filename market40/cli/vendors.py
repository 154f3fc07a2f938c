"""``flask vendors import|list``: the registry for a market board at a terminal."""

from __future__ import annotations

import click
import sqlalchemy as sa

from market40.auth import authorize
from market40.cli.common import domain_errors
from market40.errors import InvalidInput
from market40.extensions import db
from market40.models import User
from market40.models.vendor import VENDOR_STATUSES
from market40.registry.audit import Actor
from market40.registry.imports import import_vendors
from market40.registry.markets import get_market
from market40.registry.queries import vendors_query
from market40.registry.spreadsheets import MAX_FILE_BYTES, FileTooLarge


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
    try:
        created = import_vendors(db.session, market, content, actor)
    except InvalidInput as error:
        db.session.rollback()
        if isinstance(error.errors, list):
            for problem in error.errors:
                click.echo(f"row {problem['row']}, {problem['field']}: {problem['message']}",
                           err=True)
            raise click.ClickException(error.message) from None
        raise
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


commands = [vendors]
