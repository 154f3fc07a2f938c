"""``flask vietqr encode|decode`` and ``flask cards``."""

from __future__ import annotations

import json

import click

from market40 import vietqr
from market40.banks import bank_names


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


commands = [vietqr_group]
