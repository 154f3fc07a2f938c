"""market40: the registry, VietQR codes, transactions and reports behind Chợ 4.0."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(config: type | dict[str, Any] | None = None) -> Flask:
    """Build the Flask app.

    Flask is imported here, not at module level, so that ``import market40.vietqr``
    stays free of Flask and SQLAlchemy (the codec must be publishable on its own).
    """
    from market40.app import build_app

    return build_app(config)
