"""Bulk vendor import from a CSV or XLSX file, and the files' templates.

All or nothing: one bad row rejects the file with 422 listing every problem as
``{row, field, message}``. With an ``Idempotency-Key`` header the first answer (201
or 422) is stored per market and user and replayed on retries with the same file
(``Idempotent-Replayed: true``); the same key with another file is a 409.
"""

from __future__ import annotations

from flask import Response, current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from market40.api.errors import error_body
from market40.api.schemas.vendors import ImportFileSchema, ImportResultSchema
from market40.auth import caller
from market40.downloads import CSV, download
from market40.errors import InvalidInput
from market40.extensions import db
from market40.models import Market, User, Vendor
from market40.registry import idempotency
from market40.registry.import_templates import template_csv, template_xlsx
from market40.registry.imports import import_vendors_once
from market40.registry.markets import get_market
from market40.registry.queries import banks_query
from market40.registry.spreadsheets import MAX_FILE_BYTES, FileTooLarge

blp = Blueprint("imports", __name__, url_prefix="/api/v1",
                description="Bulk vendor import (CSV/XLSX), all rows or none")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def read_upload(upload: FileStorage) -> bytes:
    content = upload.stream.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        raise FileTooLarge()
    return content


def _json(body: object) -> str:
    return current_app.json.dumps(body)


def _render(market: Market, outcome: list[Vendor] | InvalidInput) -> str:
    """The import's JSON body: the created vendors, or the API's one error shape."""
    if isinstance(outcome, InvalidInput):
        return _json(error_body(outcome.status, outcome.message, outcome.errors))
    return _json(ImportResultSchema().dump(
        {"market_code": market.code, "created": len(outcome), "vendors": outcome}))


def import_once(session: Session, market: Market, user: User, content: bytes,
                key: str | None) -> tuple[int, str, bool]:
    """(status, JSON body, replayed): ``registry.imports.import_vendors_once`` as JSON."""
    answer = import_vendors_once(session, market, user, content, key,
                                 lambda outcome: _render(market, outcome))
    return answer.status, answer.body, answer.replayed


@blp.route("/markets/<code>/vendors/import")
class VendorImport(MethodView):
    @blp.arguments(ImportFileSchema, location="files")
    @blp.response(201, ImportResultSchema)
    @blp.alt_response(422, description="Every problem of the file as {row, field, message}")
    @blp.alt_response(409, description="Idempotency-Key reused with a different file")
    @blp.alt_response(413, description="File larger than 5 MB")
    @blp.doc(parameters=[{
        "in": "header", "name": "Idempotency-Key", "required": False,
        "schema": {"type": "string", "maxLength": 200},
        "description": "Retries with the same key and file get the first answer"}])
    def post(self, files: dict, code: str) -> Response:
        """Import vendors from a CSV or XLSX file as submitted; one bad row stores nothing."""
        market = get_market(db.session, code)
        user = caller(market=market)
        content = read_upload(files["file"])
        status, body, replayed = import_once(db.session, market, user, content,
                                             request.headers.get(idempotency.HEADER))
        db.session.commit()
        response = Response(body, status=status, mimetype="application/json")
        if replayed:
            response.headers["Idempotent-Replayed"] = "true"
        return response


@blp.route("/vendors/import-template.csv")
class CsvTemplate(MethodView):
    @blp.response(200, content_type="text/csv")
    def get(self) -> Response:
        """Download the CSV import template (UTF-8 with BOM, header row only)."""
        return download(template_csv(), CSV, "vendors-import-template.csv")


@blp.route("/vendors/import-template.xlsx")
class XlsxTemplate(MethodView):
    @blp.response(200, content_type=XLSX_TYPE)
    def get(self) -> Response:
        """Download the XLSX import template, with column help and the bank list."""
        banks = db.session.scalars(banks_query(active=True)).all()
        return download(template_xlsx(banks), XLSX_TYPE, "vendors-import-template.xlsx")
