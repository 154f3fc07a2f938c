"""``/desk/approvals``: what waits for this user's check, approved one by one or in bulk."""

from __future__ import annotations

from flask import render_template, request

from market40.errors import InvalidInput
from market40.extensions import db
from market40.registry.workflow import bulk_approve
from market40.web.desk.blueprint import bp, check_csrf, desk_user, form_number
from market40.web.desk.problems import problem_of, translate
from market40.web.desk.queries import QUEUE_SIZE, approval_queue, checkable_count


@bp.route("/desk/approvals", methods=["GET", "POST"])
def approvals() -> tuple[str, int]:
    """The queue, oldest first; POST approves every ticked ``vendor_id`` on its own."""
    user = desk_user()
    outcomes = []
    problem = None
    status = 200
    if request.method == "POST":
        check_csrf()
        raw = request.form.getlist("vendor_id")
        ids = [i for i in map(form_number, raw) if i is not None]
        try:
            if len(ids) != len(raw):
                raise InvalidInput.field("vendor_id", "must be vendor numbers")
            versions = {i: v for i in ids
                        if (v := form_number(request.form.get(f"version_{i}"))) is not None}
            results = bulk_approve(db.session, ids, user, versions)
        except InvalidInput as error:
            db.session.rollback()
            problem, status = problem_of(error), 422
        else:
            db.session.commit()
            outcomes = [(r, translate(r.message) if r.message else None) for r in results]
    queue = approval_queue(db.session, user)
    select_all = request.method == "GET" and request.args.get("select") == "all"
    # The queue shows the oldest QUEUE_SIZE; say how many wait in all (the desk home's count).
    waiting = checkable_count(db.session, user) if len(queue) >= QUEUE_SIZE else len(queue)
    return render_template("desk/approvals.html", queue=queue, outcomes=outcomes,
                           problem=problem, select_all=select_all, waiting=waiting), status
