"""``/audit``: the snapshots and whether each still verifies (department, auditors, admins)."""

from __future__ import annotations

import io

import marshmallow as ma
from flask import Response, render_template, send_file

from market40.audit import get_snapshot, snapshots_query, verify_snapshot
from market40.audit.snapshots import snapshot_body
from market40.extensions import db
from market40.reports.csvexport import snapshot_csv
from market40.web.args import PageArgsSchema, parse
from market40.web.blueprint import bp
from market40.web.i18n import current_lang
from market40.web.session import login_required, require

PAGE_SIZE = 20


class AuditArgsSchema(PageArgsSchema):
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=100_000))


@bp.get("/audit")
@login_required
def audit() -> str:
    """Snapshots newest first, each with its hash, chain and data check."""
    require("snapshots.read")
    args = parse(AuditArgsSchema())
    page = args["page"]
    snapshots = list(
        db.session.scalars(snapshots_query().limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE))
    )
    more = len(snapshots) > PAGE_SIZE
    snapshots = snapshots[:PAGE_SIZE]
    checks = {s.id: verify_snapshot(db.session, s.id) for s in snapshots}
    return render_template("audit.html", snapshots=snapshots, checks=checks, page=page, more=more)


def _stem(snapshot_id: int) -> tuple[object, str]:
    snapshot = get_snapshot(db.session, snapshot_id)
    return snapshot, f"snapshot-{snapshot.id}-{snapshot.ruleset}-{snapshot.as_of.isoformat()}"


@bp.get("/audit/snapshots/<id:snapshot_id>.csv")
@login_required
def snapshot_csv_file(snapshot_id: int) -> Response:
    """The snapshot's markets as CSV, with the figures exactly as frozen."""
    require("snapshots.read")
    snapshot, stem = _stem(snapshot_id)
    text = snapshot_csv(snapshot_body(snapshot), current_lang())
    response = send_file(io.BytesIO(text.encode("utf-8")), mimetype="text/csv",
                         as_attachment=True, download_name=f"{stem}.csv", max_age=0)
    response.headers["X-Snapshot-SHA256"] = snapshot.sha256
    return response


@bp.get("/audit/snapshots/<id:snapshot_id>.pdf")
@login_required
def snapshot_pdf_file(snapshot_id: int) -> Response:
    """The snapshot as a printable PDF report."""
    from market40.audit.pdf import snapshot_pdf

    require("snapshots.read")
    snapshot, stem = _stem(snapshot_id)
    response = send_file(io.BytesIO(snapshot_pdf(snapshot, current_lang())),
                         mimetype="application/pdf", as_attachment=True,
                         download_name=f"{stem}.pdf", max_age=0)
    response.headers["X-Snapshot-SHA256"] = snapshot.sha256
    return response
