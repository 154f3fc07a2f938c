"""Maker-checker moves of a vendor, one at a time or approved in bulk.

``bulk-approve`` treats each id on its own and answers 200 with one outcome per id
(the way Mojaloop reports bulk transfers): a vendor that cannot be approved (already
approved, made by the caller, outside the caller's markets, unknown) does not stop
the others; its outcome carries the status code it would have had alone.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from market40.api.schemas.vendors import (
    BulkApproveResultSchema,
    BulkApproveSchema,
    ReasonActionSchema,
    VendorSchema,
    WorkflowActionSchema,
)
from market40.auth import caller
from market40.extensions import db
from market40.models import Vendor
from market40.registry.vendors import get_vendor
from market40.registry.workflow import bulk_approve, transition

blp = Blueprint("workflow", __name__, url_prefix="/api/v1/vendors",
                description="Maker-checker: submit, approve, reject, revert")


def _move(vendor_id: int, action: str, data: dict[str, Any]) -> Vendor:
    vendor = get_vendor(db.session, vendor_id)
    user = caller(vendor=vendor)
    vendor = transition(db.session, vendor, action, user, reason=data.get("reason"),
                        expected_version=data.get("version"))
    db.session.commit()
    return vendor


@blp.route("/<id:vendor_id>/submit")
class SubmitVendor(MethodView):
    @blp.arguments(WorkflowActionSchema, required=False)
    @blp.response(200, VendorSchema)
    def post(self, data: dict, vendor_id: int) -> Vendor:
        """Submit a draft or reverted vendor for approval."""
        return _move(vendor_id, "submit", data or {})


@blp.route("/<id:vendor_id>/approve")
class ApproveVendor(MethodView):
    @blp.arguments(WorkflowActionSchema, required=False)
    @blp.response(200, VendorSchema)
    def post(self, data: dict, vendor_id: int) -> Vendor:
        """Approve a submitted vendor (not its maker); issues its QR if it has an account."""
        return _move(vendor_id, "approve", data or {})


@blp.route("/<id:vendor_id>/reject")
class RejectVendor(MethodView):
    @blp.arguments(ReasonActionSchema)
    @blp.response(200, VendorSchema)
    def post(self, data: dict, vendor_id: int) -> Vendor:
        """Reject a submitted vendor for good, with a reason (not its maker)."""
        return _move(vendor_id, "reject", data)


@blp.route("/<id:vendor_id>/revert")
class RevertVendor(MethodView):
    @blp.arguments(ReasonActionSchema)
    @blp.response(200, VendorSchema)
    def post(self, data: dict, vendor_id: int) -> Vendor:
        """Send a submitted or approved vendor back for correction; withdraws its QR."""
        return _move(vendor_id, "revert", data)


@blp.route("/bulk-approve")
class BulkApprove(MethodView):
    @blp.arguments(BulkApproveSchema)
    @blp.response(200, BulkApproveResultSchema)
    def post(self, data: dict) -> dict[str, Any]:
        """Approve many vendors; each id succeeds or fails on its own (per-id outcomes)."""
        user = caller()
        items = data.get("items", [])
        ids = [*data.get("ids", []), *(item["id"] for item in items)]
        versions = {item["id"]: item["version"] for item in items}
        outcomes = bulk_approve(db.session, ids, user, versions)
        db.session.commit()
        approved = sum(1 for o in outcomes if o.outcome == "approved")
        return {"approved": approved, "failed": len(outcomes) - approved, "results": outcomes}
