"""``flask --app wsgi ...`` commands: thin click wrappers around the domain packages.

A package rather than one ``cli.py``: each command group is its own small module.
"""

from __future__ import annotations

from importlib import import_module

from flask import Flask

# Each module exposes ``commands``: a list of click commands/groups.
CLI_MODULES = (
    "seed",
    "users",
    "vendors",
    "vietqr",
    "web_users",
    "certify",
    "snapshots",
    "simulate",
    "rollups",
    "access",
)


def register_commands(app: Flask) -> None:
    for name in CLI_MODULES:
        for command in import_module(f"market40.cli.{name}").commands:
            app.cli.add_command(command)
