"""``flask seed``: reference data, then (unless --no-demo) the demo vendors."""

from __future__ import annotations

import click

from market40.cli.common import domain_errors
from market40.codes.banks import forget_bank_names
from market40.db import refresh_statistics
from market40.extensions import db
from market40.registry.seed import seed_reference

#: What ``seed`` fills: reference data, then the demo's vendors, listings and users.
SEEDED_TABLES = ("districts", "communes", "commune_changes", "banks", "markets", "vendors",
                 "vendor_status_history", "listings", "users")


@click.command("seed")
@click.option("--no-demo", is_flag=True, help="Only units, banks and markets; no demo vendors.")
@click.option("--seed", "seed_value", type=int, default=40, show_default=True,
              help="Random seed of the demo data (same seed, same vendors).")
@domain_errors
def seed(no_demo: bool, seed_value: int) -> None:
    """Load Thái Nguyên's units, the NAPAS banks, the markets and demo vendors. Idempotent."""
    for name, counts in seed_reference(db.session).items():
        click.echo(f"{name}: {counts}")
    if not no_demo:
        from market40.simulate.vendors import seed_demo_vendors

        click.echo(f"demo vendors: {seed_demo_vendors(db.session, seed=seed_value)}")
        from market40.simulate.listings import seed_demo_listings

        click.echo(f"demo online listings (marked as sample data): "
                   f"{seed_demo_listings(db.session)}")
        from market40.simulate.demo_users import seed_demo_users

        for name, role, password in seed_demo_users(db.session):
            # Printed once, when created: DEMO ONLY, never for a real deployment.
            click.echo(f"demo web user (demo only): {name} ({role}) password {password}")
    db.session.commit()
    refresh_statistics(db.engine, SEEDED_TABLES)  # the planner learns what was loaded
    forget_bank_names()  # the next lookup reads the banks just seeded


commands = [seed]
