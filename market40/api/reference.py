"""Administrative units and the bank list: public, read-only, cached by ETag (from the
data version of row 0, which payments never change: market40.cache).

``/communes?as_of=`` answers with the communes in force on a date (the two-tier
structure from 1/7/2025); ``/districts`` keeps the 9 former districts with their 172
communes, the structure until 30/6/2025.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import Blueprint

from market40.api.pagination import PAGE_PARAMETERS, SelectPage
from market40.api.schemas import (
    BankQueryArgsSchema,
    BankSchema,
    CommuneQueryArgsSchema,
    DatedCommuneSchema,
    DistrictSchema,
)
from market40.cache.http import cached_response
from market40.cache.store import GENERAL
from market40.extensions import db
from market40.localtime import local_today
from market40.registry.geography import communes_on, formed_from
from market40.registry.queries import banks_query, districts_query

blp = Blueprint("reference", __name__, url_prefix="/api/v1", description="Reference data")


# Reference data changes once in years: clients may keep it a day, then revalidate.
CACHE_CONTROL = "public, max-age=86400"


@blp.after_request
def _cache_reference(response: Any) -> Any:
    if response.status_code in (200, 304):
        response.headers["Cache-Control"] = CACHE_CONTROL
    return response


@blp.route("/communes")
class Communes(MethodView):
    @cached_response(lambda: GENERAL)
    @blp.etag
    # A misspelt ``as_of`` must not quietly mean "today".
    @blp.arguments(CommuneQueryArgsSchema, location="query", unknown=ma.RAISE)
    @blp.response(200, DatedCommuneSchema(many=True))
    def get(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        """The communes in force on ``as_of`` (default today), by code.

        From 1/7/2025: the 92 communes of Thái Nguyên after NQ 202/2025/QH15 and
        NQ 1683/NQ-UBTVQH15, each with the former communes it was formed from. Before:
        the 172 communes of the 2024 structure. A code is read with the date: some
        codes were reused (05443 is phường Trưng Vương until 30/6/2025, phường Phan
        Đình Phùng since).
        """
        day = args.get("as_of") or local_today()
        communes = communes_on(db.session, day)
        changes = formed_from(db.session, communes)
        return [{"code": c.code, "name": c.name, "kind": c.kind, "label": c.label,
                 "province_code": c.province_code, "district_code": c.district_code,
                 "valid_from": c.valid_from, "valid_to": c.valid_to,
                 "formed_from": changes.get(c.id, [])} for c in communes]


@blp.route("/districts")
class Districts(MethodView):
    @cached_response(lambda: GENERAL)
    @blp.etag
    @blp.response(200, DistrictSchema(many=True))
    @blp.paginate(SelectPage, **PAGE_PARAMETERS)
    def get(self) -> sa.Select:
        """The 9 former district-level units with their 172 communes: the structure in
        force until 30/6/2025 (see ``/communes`` for any date). Reports by district use
        them as a historical grouping."""
        return districts_query()


@blp.route("/banks")
class Banks(MethodView):
    @cached_response(lambda: GENERAL)
    @blp.arguments(BankQueryArgsSchema, location="query")
    @blp.response(200, BankSchema(many=True))
    @blp.paginate(SelectPage, **PAGE_PARAMETERS)
    def get(self, args: dict) -> sa.Select:
        """List NAPAS banks; ``q`` matches a BIN or a (former) name."""
        return banks_query(**args)
