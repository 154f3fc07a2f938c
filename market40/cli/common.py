"""What every command shares: domain errors become a message and exit code 1."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click

from market40.errors import DomainError
from market40.extensions import db
from market40.models.base import MAX_ID

#: The type of a command's database id argument: out of range is click's message, not
#: the database's OverflowError.
DATABASE_ID = click.IntRange(1, MAX_ID)


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
                # Said once: a one-field error's message is often that field's problem.
                parts = [f"{k}: {', '.join(v)}" for k, v in detail.items()]
                message = "; ".join(dict.fromkeys(
                    [message, *parts] if message not in parts else parts))
            raise click.ClickException(message) from None

    return wrapper
