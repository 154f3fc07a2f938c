"""Audit snapshots: frozen, hash-chained certifications (department and auditors)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from market40.api.pagination import PAGE_PARAMETERS, SelectPage
from market40.api.schemas.base import BINARY, TEXT
from market40.api.schemas.snapshots import (
    SnapshotDetailSchema,
    SnapshotFormatArgsSchema,
    SnapshotInSchema,
    SnapshotQueryArgsSchema,
    SnapshotSchema,
    VerificationSchema,
)
from market40.audit import create_snapshot, get_snapshot, snapshots_query, verify_snapshot
from market40.audit.snapshots import snapshot_body
from market40.auth import caller
from market40.downloads import CSV, PDF, download
from market40.extensions import db
from market40.models import Snapshot
from market40.reports.csvexport import snapshot_csv

# The exact bytes that were hashed: JSON, but not the shape of the json format.
CANONICAL_TYPE = "application/vnd.market40.snapshot+json"
CANONICAL = {"type": "object", "description": "The canonical body (format market40.snapshot/1)"}

blp = Blueprint(
    "snapshots",
    __name__,
    url_prefix="/api/v1/audit/snapshots",
    description="Immutable, hash-chained certification snapshots",
)


def _download(snapshot: Snapshot, fmt: str, lang: str) -> Response:
    stem = f"snapshot-{snapshot.id}-{snapshot.ruleset}-{snapshot.as_of.isoformat()}"
    headers = {"X-Snapshot-SHA256": snapshot.sha256}
    if fmt == "canonical":
        return download(snapshot.body.encode("utf-8"), CANONICAL_TYPE, headers=headers)
    if fmt == "csv":
        text = snapshot_csv(snapshot_body(snapshot), lang)
        return download(text.encode("utf-8"), CSV, f"{stem}.csv", headers=headers)
    from market40.audit.pdf import snapshot_pdf

    return download(snapshot_pdf(snapshot, lang), PDF, f"{stem}.pdf", headers=headers)


@blp.route("")
class Snapshots(MethodView):
    @blp.arguments(SnapshotQueryArgsSchema, location="query")
    @blp.response(200, SnapshotSchema(many=True))
    @blp.paginate(SelectPage, **PAGE_PARAMETERS)
    def get(self, args: dict[str, Any]) -> sa.Select:
        """List snapshots, newest first."""
        return snapshots_query(args.get("ruleset"))

    @blp.arguments(SnapshotInSchema)
    @blp.response(201, SnapshotDetailSchema)
    def post(self, data: dict[str, Any]) -> Snapshot:
        """Freeze the certification of a ruleset as of a date and append it to the chain."""
        user = caller()
        snapshot = create_snapshot(db.session, data["ruleset"], data.get("as_of"), user)
        db.session.commit()
        return snapshot


@blp.route("/<id:snapshot_id>")
class SnapshotById(MethodView):
    @blp.arguments(SnapshotFormatArgsSchema, location="query")
    @blp.response(200, SnapshotDetailSchema)
    @blp.alt_response(200, schema=CANONICAL, content_type=CANONICAL_TYPE)
    @blp.alt_response(200, schema=TEXT, content_type="text/csv")
    @blp.alt_response(200, schema=BINARY, content_type="application/pdf",
                      description="format=json (default), canonical, csv or pdf")
    def get(self, args: dict[str, Any], snapshot_id: int) -> Any:
        """One snapshot: JSON, its exact canonical bytes, CSV or PDF (``format``)."""
        snapshot = get_snapshot(db.session, snapshot_id)
        if args["format"] != "json":
            return _download(snapshot, args["format"], args["lang"])
        return snapshot


@blp.route("/<id:snapshot_id>/verify")
class SnapshotVerification(MethodView):
    @blp.response(200, VerificationSchema)
    def get(self, snapshot_id: int) -> Any:
        """Recompute the snapshot's hash and chain, and compare its figures with today's data."""
        return verify_snapshot(db.session, snapshot_id)
