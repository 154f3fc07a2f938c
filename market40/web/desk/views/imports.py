"""``/desk/markets/CODE/import``: a board's CSV/XLSX list, all rows or none, idempotent."""

from __future__ import annotations

import json
import uuid

from flask import render_template, request

from market40.api.imports import import_once, read_upload
from market40.errors import DomainError, InvalidInput
from market40.extensions import db
from market40.models import Market
from market40.web.desk.blueprint import bp, check_csrf, desk_user, market_for
from market40.web.desk.problems import problem_of, translate

KEY_FIELD = "idempotency_key"


def _page(market: Market, *, status: int = 200, created: int | None = None,
          rows: list[dict] | None = None, problem: str | None = None,
          replayed: bool = False) -> tuple[str, int]:
    # Every rendering carries a fresh key: a double submit of one form replays its answer.
    return render_template("desk/import.html", market=market, key=uuid.uuid4().hex,
                           created=created, rows=rows or [], problem=problem,
                           replayed=replayed), status


@bp.route("/desk/markets/<code>/import", methods=["GET", "POST"])
def vendor_import(code: str) -> tuple[str, int]:
    """Upload a vendor list; problems come back as a table, nothing saved."""
    market = market_for(code, "vendors.import")
    if request.method == "GET":
        return _page(market)
    check_csrf()
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise InvalidInput.field("file", "is required")
        content = read_upload(upload)
        status, body, replayed = import_once(db.session, market, desk_user(), content,
                                             request.form.get(KEY_FIELD) or None)
    except DomainError as error:  # also a file over 5 MB (413), a reused key (409)
        db.session.rollback()
        problems = getattr(error, "errors", None)
        if isinstance(problems, list):
            return _page(market, status=422, rows=_rows(problems))
        return _page(market, status=error.status, problem=problem_of(error))
    db.session.commit()
    answer = json.loads(body)
    if status == 201:
        return _page(market, created=answer["created"], replayed=replayed)
    errors = answer.get("errors")
    if isinstance(errors, list):
        return _page(market, status=status, rows=_rows(errors), replayed=replayed)
    return _page(market, status=status, replayed=replayed,
                 problem=problem_of(InvalidInput(errors or {}, answer.get("message"))))


def _rows(problems: list[dict]) -> list[dict]:
    return [{"row": p.get("row"), "field": p.get("field"), "message": translate(p["message"])}
            for p in problems]
