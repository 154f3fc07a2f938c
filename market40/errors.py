"""Domain errors, shared by the API, the web pages and the CLI.

Services raise these; ``api/errors.py`` maps each to one HTTP status and the
flask-smorest JSON shape, and the CLI turns them into a message and exit code 1.

    DomainError
    ├── InvalidInput      422  (field -> messages)
    ├── NotFound          404
    ├── Conflict          409
    ├── Unauthorized      401
    ├── Forbidden         403
    └── Unavailable       503
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


class DomainError(Exception):
    status = 400
    message = "The request cannot be processed."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.message
        super().__init__(self.message)


class InvalidInput(DomainError):
    """Bad input a user can fix; ``errors`` maps each field to its problems."""

    status = 422
    message = "The input is not valid."

    def __init__(
        self,
        errors: Mapping[str, Sequence[str] | str] | Sequence[Mapping[str, Any]] | None = None,
        message: str | None = None,
    ) -> None:
        if isinstance(errors, Mapping):
            errors = {k: [v] if isinstance(v, str) else list(v) for k, v in errors.items()}
        self.errors = errors or {}
        super().__init__(message)

    @classmethod
    def field(cls, field: str, problem: str) -> InvalidInput:
        return cls({field: [problem]}, message=f"{field}: {problem}")


class NotFound(DomainError):
    status = 404
    message = "Not found."


class Conflict(DomainError):
    status = 409
    message = "The request conflicts with the current state."


class Unauthorized(DomainError):
    status = 401
    message = "A valid API token is required (Authorization: Bearer TOKEN)."


class Forbidden(DomainError):
    status = 403
    message = "Your role or market scope does not allow this."


class Unavailable(DomainError):
    status = 503
    message = "The database is unavailable; try again shortly."
