"""The JSON API under /api/v1: one flask-smorest blueprint per resource."""

from __future__ import annotations

from typing import Any

import swagger_ui_bundle
from flask import Flask, send_from_directory
from werkzeug.routing import IntegerConverter

from market40.api import (
    audit_keys,
    audit_log,
    cards,
    exports,
    health,
    imports,
    indicators,
    listings,
    live,
    markets,
    notifications,
    qr,
    reference,
    reports,
    sepay,
    snapshots,
    speech,
    transactions,
    vendors,
    workflow,
)
from market40.extensions import api
from market40.models.base import MAX_ID

# One module per resource, each exposing ``blp``; registered (and documented) in this order.
API_MODULES = (
    health,
    reference,
    markets,
    vendors,
    workflow,
    imports,
    audit_log,
    qr,
    cards,
    reports,
    snapshots,
    audit_keys,
    listings,
    indicators,
    transactions,
    exports,
    notifications,
    speech,
    sepay,
    live,
)


class IdConverter(IntegerConverter):
    """``<id:name>``: a database id (1 to 2**31-1). Anything else is a 404, not a query
    that overflows the database driver; the range is also written into the OpenAPI path
    parameter (flask-smorest documents IntegerConverter's min and max)."""

    def __init__(self, url_map: Any) -> None:
        super().__init__(url_map, min=1, max=MAX_ID)


def register_api(app: Flask) -> None:
    app.url_map.converters["id"] = IdConverter
    for module in API_MODULES:
        api.register_blueprint(module.blp)

    # Swagger UI's assets come from the swagger-ui-bundle package: the docs work offline.
    @app.get("/api/docs/assets/<path:filename>")
    def swagger_assets(filename: str):  # type: ignore[no-untyped-def]
        return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename, max_age=86400)
