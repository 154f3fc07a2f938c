"""Liveness that means something: the database answers."""

from __future__ import annotations

import sqlalchemy as sa
from flask_smorest import Blueprint

from market40.api.schemas import HealthSchema
from market40.extensions import db

blp = Blueprint("health", __name__, url_prefix="/", description="Service health")


@blp.route("/healthz")
@blp.response(200, HealthSchema)
def healthz() -> dict[str, str]:
    """Check that the service and its database answer."""
    db.session.execute(sa.text("SELECT 1"))
    return {"status": "ok"}
