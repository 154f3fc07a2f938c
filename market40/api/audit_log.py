"""The registry's audit log: who changed what, with the old and new values.

Readable by admin, department, auditor and board users (a board sees only the entries
of its markets). Phone and national ID inside old/new are masked for readers who may
not see vendors' personal data.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import Blueprint

from market40.api.pagination import PAGE_PARAMETERS, SelectPage
from market40.api.schemas.audit import AuditEntrySchema, AuditQueryArgsSchema
from market40.auth import caller
from market40.extensions import db
from market40.registry.queries import audit_log_query

blp = Blueprint("audit_log", __name__, url_prefix="/api/v1/audit",
                description="Audit log of registry changes")


@blp.route("/log")
class AuditLog(MethodView):
    @blp.arguments(AuditQueryArgsSchema, location="query")
    @blp.response(200, AuditEntrySchema(many=True))
    @blp.paginate(SelectPage, **PAGE_PARAMETERS)
    def get(self, args: dict) -> sa.Select:
        """List registry changes, newest first; filter by entity, action, market and time."""
        user = caller()
        return audit_log_query(db.session, user, **args)
