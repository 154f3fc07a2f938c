"""The JSON API under /api/v1: one flask-smorest blueprint per resource."""

from __future__ import annotations

from importlib import import_module

import swagger_ui_bundle
from flask import Flask, send_from_directory

from market40.extensions import api

# One module per resource, each exposing ``blp``; registered in this order.
API_MODULES = (
    "health",
    "reference",
    "markets",
    "vendors",
    "workflow",
    "imports",
    "audit_log",
    "qr",
    "cards",
    "reports",
    "snapshots",
    "listings",
    "indicators",
    "transactions",
    "notifications",
)


def register_api(app: Flask) -> None:
    for name in API_MODULES:
        api.register_blueprint(import_module(f"market40.api.{name}").blp)

    # Swagger UI's assets come from the swagger-ui-bundle package: the docs work offline.
    @app.get("/api/docs/assets/<path:filename>")
    def swagger_assets(filename: str):  # type: ignore[no-untyped-def]
        return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename, max_age=86400)
