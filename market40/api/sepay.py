"""SePay's webhook, accepted as SePay sends it (``Authorization: Apikey …``)."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from market40.api.schemas.sepay import SepayAnswerSchema, SepayWebhookSchema
from market40.extensions import db
from market40.payments.adapters.sepay import SepayWebhook, check_api_key, receive_sepay

blp = Blueprint(
    "sepay", __name__, url_prefix="/api/v1/notifications",
    description="SePay bank-credit webhooks: header Authorization: Apikey <key>, the key "
                "set in MARKET40_SEPAY_API_KEY and in SePay's webhook settings.",
)


@blp.route("/sepay")
class SepayNotifications(MethodView):
    @blp.arguments(SepayWebhookSchema)
    @blp.response(201, SepayAnswerSchema)
    @blp.alt_response(200, schema=SepayAnswerSchema,
                      description="Replayed, money out (ignored) or unmatched (kept for an "
                                  "admin): acknowledged so that SePay stops retrying")
    @blp.alt_response(401, description="Authorization is not 'Apikey <the configured key>'")
    @blp.alt_response(503, description="MARKET40_SEPAY_API_KEY is not configured")
    def post(self, webhook: SepayWebhook) -> tuple[dict[str, Any], int]:
        """Record a SePay credit for the approved vendor owning the account."""
        outcome = receive_sepay(db.session, webhook, request.get_json())
        db.session.commit()  # the transaction and its event, or the unmatched log entry
        body = {"success": outcome.success, "status": outcome.status,
                "transaction_id": outcome.transaction_id, "message": outcome.message}
        return body, 201 if outcome.status == "recorded" else 200


@blp.before_request
def _api_key() -> None:
    # Before the body is parsed: a caller without the key learns nothing about it.
    check_api_key(request.headers.get("Authorization"),
                  current_app.config.get("SEPAY_API_KEY"))
