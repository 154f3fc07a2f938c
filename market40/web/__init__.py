"""Server-rendered pages: dashboards for the department, market boards and vendors."""

from __future__ import annotations

from flask import Flask


def register_web(app: Flask) -> None:
    from market40.web.pages import bp

    app.register_blueprint(bp)
