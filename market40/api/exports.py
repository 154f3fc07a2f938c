"""Transaction export jobs: the whole selection as a CSV file, complete and verifiable.

``GET /api/v1/transactions?format=csv`` streams; a proxy or worker timeout can cut a
stream and the client still sees a 200. For large exports post a job here: it writes
the file outside the request (``market40.payments.export_jobs``), and the file is then
served with its Content-Length, Range support and its sha256 (``X-Export-SHA256``).
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from flask import Response, send_file, url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from market40.api.schemas.base import TEXT
from market40.api.schemas.exports import ExportJobSchema, TransactionExportInSchema
from market40.auth import current_user
from market40.downloads import CSV
from market40.errors import Conflict, DomainError
from market40.extensions import db
from market40.models import ExportJob
from market40.payments.export_jobs import start_export, visible_job

blp = Blueprint(
    "exports", __name__, url_prefix="/api/v1/transactions/exports",
    description="Large transaction exports: a job writes the CSV file, then serves it "
                "whole with its size and sha256. Use these instead of format=csv for "
                "more than about a million rows.",
)


class Gone(DomainError):
    status = 410
    message = "The export's file has been removed; start a new export."


def _view(job: ExportJob) -> dict[str, Any]:
    return {
        "id": job.id, "kind": job.kind, "status": job.status, "filters": job.filters,
        "rows": job.rows, "size": job.size, "sha256": job.sha256, "error": job.error,
        "created_at": job.created_at, "started_at": job.started_at,
        "finished_at": job.finished_at,
        "status_url": url_for("exports.ExportStatus", export_id=job.id),
        "file_url": (url_for("exports.ExportFile", export_id=job.id)
                     if job.status == "done" else None),
    }


@blp.route("")
class Exports(MethodView):
    @blp.arguments(TransactionExportInSchema(), required=False)
    @blp.response(202, ExportJobSchema)
    @blp.alt_response(403, description="A market or vendor outside your scope")
    @blp.alt_response(409, description="Too many of your exports are still running")
    def post(self, args: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
        """Start a CSV export of the transactions matching these filters (202)."""
        job = start_export(db.session, current_user(), args or {})
        view = _view(job)
        return view, 202, {"Location": view["status_url"]}


@blp.route("/<id:export_id>")
class ExportStatus(MethodView):
    @blp.response(200, ExportJobSchema)
    def get(self, export_id: int) -> dict[str, Any]:
        """An export's status, row count, size and sha256 (its creator or an admin)."""
        return _view(visible_job(db.session, current_user(), export_id))


@blp.route("/<id:export_id>/file")
class ExportFile(MethodView):
    @blp.response(200, TEXT, content_type="text/csv",
                  description="The whole file; Range requests give parts of it")
    @blp.alt_response(409, description="The export is not done (see its status)")
    @blp.alt_response(410, description="The file has been removed")
    def get(self, export_id: int) -> Response:
        """The finished CSV with Content-Length and X-Export-SHA256 (its creator or an admin)."""
        job = visible_job(db.session, current_user(), export_id)
        if job.status != "done":
            raise Conflict(f"Export {job.id} is {job.status}, not done.")
        path = Path(job.path or "")
        if not job.path or not path.is_file() or path.stat().st_size != job.size:
            raise Gone()
        response = send_file(path, mimetype=CSV, as_attachment=True,
                             download_name=f"transactions-export-{job.id}.csv",
                             conditional=True, etag=job.sha256, max_age=0)
        response.headers["X-Export-SHA256"] = job.sha256 or ""
        digest = base64.b64encode(bytes.fromhex(job.sha256 or "")).decode()
        response.headers["Repr-Digest"] = f"sha-256=:{digest}:"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = "private, no-cache"
        return response
