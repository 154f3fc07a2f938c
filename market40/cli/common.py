"""What every command shares: domain errors become a message and exit code 1."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click

from market40.errors import DomainError
from market40.extensions import db


def domain_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Roll back and turn a DomainError into ``Error: ...`` on stderr with exit code 1.

    An import's row problems (a list of ``{row, field, message}``) come first, a line each."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DomainError as error:
            db.session.rollback()
            detail = getattr(error, "errors", None)
            message = error.message
            if isinstance(detail, list):
                for problem in detail:
                    click.echo(f"row {problem['row']}, {problem['field']}: "
                               f"{problem['message']}", err=True)
            elif detail and isinstance(detail, dict):
                message += " " + "; ".join(f"{k}: {', '.join(v)}" for k, v in detail.items())
            raise click.ClickException(message) from None

    return wrapper
