"""``flask snapshots create|list|verify|rotate-key|public-key``: audit snapshots from the shell."""

from __future__ import annotations

import json
from datetime import datetime

import click
import sqlalchemy as sa

from market40.audit import create_snapshot, snapshots_query, verify_snapshot
from market40.audit.signing import key_dir, public_keys, rotate_key
from market40.audit.verify import verify_chain
from market40.cli.common import DATABASE_ID, domain_errors
from market40.extensions import db
from market40.models import User


@click.group("snapshots")
def snapshots() -> None:
    """Create, list and verify the hash-chained certification snapshots."""


@snapshots.command("create")
@click.option("--ruleset", "ruleset_name", required=True, help="Ruleset name, e.g. tn-2022.")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Local date (default: today).")
@click.option("--user", "user_name", help="Record this (admin or department) user as author.")
@domain_errors
def create(ruleset_name: str, as_of: datetime | None, user_name: str | None) -> None:
    """Freeze a certification and append it to the chain."""
    user = None
    if user_name:
        user = db.session.scalar(sa.select(User).where(User.name == user_name))
        if user is None:
            raise click.ClickException(f"user {user_name!r} does not exist")
        if user.role not in ("admin", "department"):
            raise click.ClickException(f"user {user_name!r} ({user.role}) may not create snapshots")
    snapshot = create_snapshot(db.session, ruleset_name, as_of.date() if as_of else None, user)
    db.session.commit()
    click.echo(f"Snapshot {snapshot.id}: {snapshot.ruleset} as of {snapshot.as_of.isoformat()}, "
               f"{snapshot.certified} certified")
    click.echo(f"sha256 {snapshot.sha256}")
    click.echo(f"prev   {snapshot.prev_sha256 or '-'}")


@snapshots.command("list")
def list_snapshots() -> None:
    """List snapshots, newest first."""
    for s in db.session.scalars(snapshots_query()):
        author = s.author.name if s.author else "-"
        click.echo(f"{s.id}\t{s.ruleset}\t{s.as_of.isoformat()}\t{s.certified} certified\t"
                   f"{s.created_at.isoformat()}\t{author}\t{s.sha256}")


@snapshots.command("verify")
@click.argument("snapshot_id", type=DATABASE_ID, required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the verification as JSON.")
@domain_errors
def verify(snapshot_id: int | None, as_json: bool) -> None:
    """Check the whole chain, or one snapshot (its hash, signature, links and data changes).

    Without SNAPSHOT_ID every snapshot's fields, hash and signature and every link of
    the chain are checked. Exits with status 1 on any problem.
    """
    if snapshot_id is None:
        report = verify_chain(db.session)
        for problem in report.problems:
            click.echo(str(problem))
        head = f"{report.head.id} {report.head.sha256}" if report.head else "-"
        click.echo(f"{report.count} snapshots, chain head {head}: "
                   f"{'ok' if report.ok else f'{len(report.problems)} problem(s)'}")
        if not report.ok:
            raise SystemExit(1)
        return
    result = verify_snapshot(db.session, snapshot_id)
    if as_json:
        from market40.api.schemas.snapshots import VerificationSchema

        click.echo(json.dumps(VerificationSchema().dump(result), ensure_ascii=False, indent=2))
    else:
        click.echo(f"snapshot {result.snapshot_id} {result.sha256}")
        click.echo(f"hash:      {'ok' if result.hash_ok else 'FAILED'}")
        click.echo(f"signature: {'ok' if result.signature_ok else 'FAILED'}")
        click.echo(f"chain:     {'ok' if result.chain_ok else 'FAILED'}")
        for problem in result.problems:
            click.echo(f"  {problem}")
        click.echo(f"changes since: {len(result.changes)}")
        for change in result.changes:
            click.echo(f"  {change.market} {change.metric}: {change.then} -> {change.now}")
    if not result.ok:
        raise SystemExit(1)


@snapshots.command("rotate-key")
def rotate_key_command() -> None:
    """Sign from now on with a new Ed25519 key; the old public key stays trusted."""
    old, new = rotate_key()
    click.echo(f"retired {old}; signing with {new} (public keys in {key_dir()})")


@snapshots.command("public-key")
def public_key_command() -> None:
    """Print the current signing key's public key (PEM) and id."""
    keys = public_keys()
    current = next(k for k in keys.values() if k.current)
    click.echo(f"# Ed25519 key {current.key_id}")
    click.echo(current.pem.rstrip())


commands = [snapshots]
