"""``flask users-passwd NAME``: the password a user logs in with on the web pages."""

from __future__ import annotations

import sys

import click

from market40.cli.common import domain_errors
from market40.extensions import db
from market40.inputpolicy import clean
from market40.web.accounts import clear_password, set_password


@click.command("users-passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from the first line of standard input (scripts).")
@click.option("--clear", "clear", is_flag=True, help="Remove the password: no more web login.")
@domain_errors
def users_passwd(name: str, password_stdin: bool, clear: bool) -> None:
    """Set (or --clear) the web login password of user NAME (10 characters or more).

    Without --password-stdin it asks twice, without echo. Open web sessions of the
    user end at their next page.
    """
    name = clean(name, "name", identifier=True)
    if clear:
        clear_password(db.session, name)
        db.session.commit()
        click.echo(f"Web password of {name!r} removed.")
        return
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    set_password(db.session, name, password)
    db.session.commit()
    click.echo(f"Web password of {name!r} set.")


commands = [users_passwd]
