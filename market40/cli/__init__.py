"""``flask --app wsgi ...`` commands: thin click wrappers around the domain packages.

A package rather than one ``cli.py``: each command group is its own small module.
"""

from __future__ import annotations

from flask import Flask

from market40.cli import (
    access,
    certify,
    exports,
    live,
    markets,
    partitions,
    rollups,
    seed,
    simulate,
    snapshots,
    users,
    vendors,
    vietqr,
    web_users,
)

# Each module exposes ``commands``: a list of click commands/groups.
CLI_MODULES = (seed, users, vendors, vietqr, web_users, certify, snapshots, simulate, rollups,
               access, markets, live, exports, partitions)


def register_commands(app: Flask) -> None:
    for module in CLI_MODULES:
        for command in module.commands:
            app.cli.add_command(command)
