"""Bank credit notifications (HMAC-signed webhooks) and the log of those not recorded."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from market40.api.pagination import PAGE_PARAMETERS, SelectPage
from market40.api.schemas.transactions import (
    BankNotificationSchema,
    TransactionSchema,
    UnmatchedNotificationSchema,
    UnmatchedQueryArgsSchema,
)
from market40.extensions import db
from market40.payments import BankNotification, receive_bank_notification, unmatched_query
from market40.payments.signature import HEADER, verify

blp = Blueprint(
    "notifications", __name__, url_prefix="/api/v1/notifications",
    description="Credits pushed by a bank or an aggregator, signed with HMAC-SHA256 over the "
                "raw body: header X-Signature: sha256=<hex>, secret MARKET40_WEBHOOK_SECRET.",
)


def signed(view: Callable[..., Any]) -> Callable[..., Any]:
    """Check X-Signature over the raw body before the body is parsed at all."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        verify(request.get_data(cache=True), request.headers.get(HEADER),
               current_app.config.get("WEBHOOK_SECRET"))
        return view(*args, **kwargs)

    return wrapper


@blp.route("/bank")
class BankNotifications(MethodView):
    @signed
    @blp.arguments(BankNotificationSchema)
    @blp.response(201, TransactionSchema)
    @blp.alt_response(200, schema=TransactionSchema,
                      description="A replay: the transaction stored for this bank reference")
    @blp.alt_response(401, description="X-Signature missing or not matching the raw body")
    @blp.alt_response(409, description="The bank reference is stored with another amount")
    @blp.alt_response(422, description="Not recorded (unknown or ambiguous account, vendor "
                                       "not approved, bad payload): kept for an admin")
    @blp.alt_response(503, description="MARKET40_WEBHOOK_SECRET is not configured")
    def post(self, note: BankNotification) -> tuple[Any, int]:
        """Record a bank credit for the approved vendor owning the account."""
        outcome = receive_bank_notification(db.session, note, request.get_json())
        view = outcome.recorded.view if outcome.recorded is not None else None
        db.session.commit()  # also keeps the log entry of a notification not recorded
        if outcome.problem is not None:
            raise outcome.problem
        return view, 201 if outcome.recorded.created else 200


@blp.route("/unmatched")
class UnmatchedNotifications(MethodView):
    @blp.arguments(UnmatchedQueryArgsSchema, location="query")
    @blp.response(200, UnmatchedNotificationSchema(many=True))
    @blp.paginate(SelectPage, **PAGE_PARAMETERS)
    def get(self, args: dict[str, Any]) -> sa.Select:
        """List signed notifications that could not be recorded (admins), newest first."""
        return unmatched_query(**args)
