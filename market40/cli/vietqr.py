"""``flask vietqr encode|decode`` and ``flask cards``."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from market40 import vietqr
from market40.cli.common import domain_errors
from market40.codes import market_sheet, printable_vendors
from market40.codes.banks import bank_names
from market40.extensions import db
from market40.registry.markets import get_market


@click.group("vietqr")
def vietqr_group() -> None:
    """Encode and decode VietQR payloads."""


@vietqr_group.command("encode")
@click.option("--bin", "bank_bin", required=True, help="6-digit bank BIN, e.g. 970436.")
@click.option("--account", required=True, help="Account (or card) number.")
@click.option("--card", is_flag=True, help="Transfer to a card number (QRIBFTTC).")
@click.option("--amount", type=int, help="Integer đồng: makes a dynamic (one-sale) code.")
@click.option("--purpose", help="Transfer memo (62.08); folded to ASCII.")
def encode(bank_bin: str, account: str, card: bool, amount: int | None,
           purpose: str | None) -> None:
    """Print a VietQR payload as JSON: {"payload": ..., "warnings": [...]}."""
    try:
        payload, warnings = vietqr.encode_with_warnings(
            bank_bin=bank_bin, account=account, service="card" if card else "account",
            amount=amount, purpose=purpose, banks=bank_names() or None,
        )
    except vietqr.VietQRError as error:
        raise click.ClickException(str(error)) from None
    click.echo(json.dumps({"payload": payload, "warnings": list(warnings)}, ensure_ascii=False))


@vietqr_group.command("decode")
@click.argument("payload")
def decode(payload: str) -> None:
    """Decode and validate a payload; print its fields as JSON (exit 1 if invalid)."""
    try:
        decoded = vietqr.decode(payload.strip(), banks=bank_names() or None)
    except vietqr.VietQRError as error:
        raise click.ClickException(f"{type(error).__name__}: {error}") from None
    fields = {name: getattr(decoded, name) for name in vietqr.API_FIELDS}
    fields["warnings"] = list(decoded.warnings)
    click.echo(json.dumps(fields, ensure_ascii=False))



@click.command("cards")
@click.option("--market", "market_code", required=True, help="Market code, e.g. DAI-TU.")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), required=True,
              help="PDF file to write.")
@domain_errors
def cards(market_code: str, out: str) -> None:
    """Print every approved vendor's stall card of a market to one PDF (A4, cut marks)."""
    market = get_market(db.session, market_code)
    started = time.perf_counter()
    body = market_sheet(db.session, market)
    try:
        Path(out).write_bytes(body)
    except OSError as error:
        raise click.ClickException(f"cannot write {out}: {error.strerror}") from None
    count = len(printable_vendors(db.session, market))
    click.echo(f"Wrote {count} cards of {market.name} to {out} "
               f"({len(body) / 1024:.0f} KiB, {time.perf_counter() - started:.1f} s).")


commands = [vietqr_group, cards]
