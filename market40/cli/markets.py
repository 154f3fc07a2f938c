"""``flask markets import``: register markets from a CSV file (e.g. the former Bắc Kạn's)."""

from __future__ import annotations

import click

from market40.cli.common import domain_errors
from market40.extensions import db
from market40.registry.markets import import_markets


@click.group("markets")
def markets() -> None:
    """Register markets."""


@markets.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@domain_errors
def import_command(file: click.utils.LazyFile) -> None:
    """Register the markets of a UTF-8 CSV FILE: every row or none.

    Columns: code, name, commune_code, grade (required), former_commune_code, address,
    board_name, launched_on. commune_code is a commune in force today; a former one
    (until 30/6/2025) is translated to its new commune.
    """
    try:
        text = file.read()
    except UnicodeDecodeError:
        raise click.ClickException(f"{file.name} is not UTF-8 text: save the list as "
                                   "'CSV UTF-8'") from None
    created = import_markets(db.session, text, "cli")
    db.session.commit()
    for market in created:
        click.echo(f"{market.code}\t{market.commune.label}\t{market.name}")
    click.echo(f"{len(created)} market(s) registered.")

commands = [markets]
