"""``/audit``: the snapshots and whether each still verifies (department, auditors, admins)."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import marshmallow as ma
from flask import Response, abort, redirect, render_template, request, send_file, url_for
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms.validators import ValidationError

from market40.audit import create_snapshot, get_snapshot, snapshots_query
from market40.audit.snapshots import chain_head, snapshot_body
from market40.audit.verify import verify_page
from market40.extensions import db
from market40.localtime import local_today
from market40.reports.adoption import EARLIEST_AS_OF
from market40.reports.csvexport import snapshot_csv
from market40.reports.rulesets import list_rulesets
from market40.web.args import DEFAULT_RULESET, PageArgs, PageArgsSchema, parse
from market40.web.blueprint import bp
from market40.web.formatting import format_date
from market40.web.i18n import current_lang, gettext
from market40.web.session import login_required, require
from market40.web.views.overview import ruleset_options

PAGE_SIZE = 20


class AuditArgsSchema(PageArgsSchema):
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=100_000))
    created = ma.fields.Integer(load_default=None, validate=ma.validate.Range(min=1))


def _audit_page(args: PageArgs, form: dict[str, Any], status: int) -> tuple[str, int]:
    """The page's bodies are hashed and their signatures checked; the chain's links are
    read once for the whole page (ids and hashes only), and today's figures are
    computed once per as-of date: the cost grows with the page, not with the chain."""
    page = args["page"]
    statement = (snapshots_query(with_body=True)
                 .limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE))
    snapshots = list(db.session.scalars(statement))
    more = len(snapshots) > PAGE_SIZE
    snapshots = snapshots[:PAGE_SIZE]
    checks = verify_page(db.session, snapshots)
    rulesets = ruleset_options(list_rulesets())
    html = render_template("audit.html", snapshots=snapshots, checks=checks, page=page,
                           more=more, args=args, form=form, rulesets=rulesets,
                           head=chain_head(db.session),
                           ruleset_names={r.name: r for r in rulesets}, today=local_today())
    return html, status


@bp.get("/audit")
@login_required
def audit() -> tuple[str, int]:
    """Snapshots newest first, each with its hash, chain and data check; the department
    also gets the form that creates one."""
    require("snapshots.read")
    args = parse(AuditArgsSchema())
    form = {"ruleset": DEFAULT_RULESET, "as_of": local_today(), "errors": {}}
    return _audit_page(args, form, args.status)


@bp.post("/audit/snapshots")
@login_required
def audit_create_snapshot() -> Response | tuple[str, int]:
    """Freeze the certification of a ruleset as of a date (the form on ``/audit``)."""
    user = require("snapshots.create")
    try:
        validate_csrf(request.form.get("csrf_token"))
    except (ValidationError, CSRFError):
        abort(400, "The form has expired or its csrf_token is missing; reload the page.")
    today = local_today()
    errors: dict[str, str] = {}
    name = request.form.get("ruleset", "")
    known = {r.name for r in list_rulesets()}
    if name not in known:
        errors["ruleset"] = gettext("invalid.ruleset_choose")
    as_of: date | None = None
    try:
        as_of = date.fromisoformat(request.form.get("as_of", ""))
    except ValueError:
        errors["as_of"] = gettext("invalid.as_of_form")
    if as_of is not None and as_of > today:
        errors["as_of"] = gettext("invalid.as_of_future_form",
                                  today=format_date(today, current_lang()))
    elif as_of is not None and as_of < EARLIEST_AS_OF:
        errors["as_of"] = gettext("invalid.as_of_past_form",
                                  earliest=format_date(EARLIEST_AS_OF, current_lang()))
    if errors:
        args = PageArgs({"page": 1, "created": None})
        form = {"ruleset": name, "as_of": as_of or today, "errors": errors}
        return _audit_page(args, form, 422)
    snapshot = create_snapshot(db.session, name, as_of, user)
    db.session.commit()
    return redirect(url_for("web.audit", created=snapshot.id) + f"#snapshot-{snapshot.id}")


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
