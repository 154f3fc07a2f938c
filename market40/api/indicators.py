"""Province indicators entered by the department, against their targets."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import Blueprint

from market40.api.pagination import PAGE_PARAMETERS, SelectPage
from market40.api.schemas.indicators import (
    IndicatorInSchema,
    IndicatorStatusSchema,
    IndicatorValueSchema,
)
from market40.auth import caller
from market40.extensions import db
from market40.models import Indicator
from market40.registry.indicators import indicator_history, indicator_statuses, record_indicator

blp = Blueprint(
    "indicators",
    __name__,
    url_prefix="/api/v1/indicators",
    description="Province indicators (e.g. e-payment accounts) and their targets",
)


@blp.route("")
class Indicators(MethodView):
    @blp.response(200, IndicatorStatusSchema(many=True))
    def get(self) -> Any:
        """Each indicator's latest value and whether each target is met, not met or pending."""
        return indicator_statuses(db.session)

    @blp.arguments(IndicatorInSchema)
    @blp.response(201, IndicatorValueSchema)
    def post(self, data: dict[str, Any]) -> Indicator:
        """Enter a dated value of an indicator with its source (department)."""
        user = caller()
        entry = record_indicator(db.session, user, **data)
        db.session.commit()
        return entry


@blp.route("/<key>/values")
class IndicatorValues(MethodView):
    @blp.response(200, IndicatorValueSchema(many=True))
    @blp.paginate(SelectPage, **PAGE_PARAMETERS)
    def get(self, key: str) -> sa.Select:
        """Every value entered for one indicator, newest first."""
        return indicator_history(key)
