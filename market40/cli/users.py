"""``flask users create|revoke|list``."""

from __future__ import annotations

import click
import sqlalchemy as sa

from market40.auth import create_user, issue_token, revoke_tokens
from market40.cli.common import DATABASE_ID, domain_errors
from market40.extensions import db
from market40.inputpolicy import clean
from market40.models import User
from market40.models.user import ROLES


@click.group("users")
def users() -> None:
    """Create users, issue and revoke their API tokens."""


@users.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--market", "markets", multiple=True, help="Market code (board users; repeatable).")
@click.option("--vendor", "vendor_id", type=DATABASE_ID, help="Vendor id (vendor users).")
@domain_errors
def create(name: str, role: str, markets: tuple[str, ...], vendor_id: int | None) -> None:
    """Create a user and print its API token on the last line (shown once)."""
    user = create_user(db.session, name, role, markets, vendor_id)
    token = issue_token(db.session, user)
    db.session.commit()
    scope = ", ".join(m.code for m in user.markets) or "province"
    click.echo(f"Created {role} user {user.name!r} (id {user.id}, scope: {scope}).")
    click.echo("API token (shown once, store it now):", err=True)
    click.echo(token)


@users.command("token")
@click.argument("name")
@domain_errors
def token(name: str) -> None:
    """Issue another API token for an existing user."""
    name = clean(name, "name", identifier=True)
    user = db.session.scalar(sa.select(User).where(User.name == name))
    if user is None:
        raise click.ClickException(f"user {name!r} does not exist")
    click.echo(issue_token(db.session, user))
    db.session.commit()


@users.command("revoke")
@click.argument("name")
@domain_errors
def revoke(name: str) -> None:
    """Revoke every API token of a user."""
    count = revoke_tokens(db.session, name)
    db.session.commit()
    click.echo(f"Revoked {count} token(s) of {name!r}.")


@users.command("list")
def list_users() -> None:
    """List users with their role, scope and token use."""
    for user in db.session.scalars(sa.select(User).order_by(User.name)):
        last = max((t.last_used_at for t in user.tokens if t.last_used_at), default=None)
        scope = ",".join(m.code for m in user.markets) or "-"
        click.echo(f"{user.id}\t{user.name}\t{user.role}\t{scope}\tlast used: {last or 'never'}")


commands = [users]
