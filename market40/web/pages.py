"""Public pages."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template

from market40.extensions import db
from market40.models import Market, Vendor

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static")


@bp.get("/")
def index() -> str:
    markets = db.session.scalar(sa.select(sa.func.count()).select_from(Market)) or 0
    vendors = db.session.scalar(sa.select(sa.func.count()).select_from(Vendor)) or 0
    return render_template("index.html", markets=markets, vendors=vendors)
