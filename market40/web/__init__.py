"""Server-rendered pages: the province overview, market boards, vendor cards and the audit.

Vietnamese by default (``?lang=en`` for English), usable on a phone, no inline scripts
or styles (a strict CSP can be added), charts drawn as SVG on the server.
"""

from __future__ import annotations

from flask import Flask


def register_web(app: Flask) -> None:
    from market40.web.blueprint import bp, template_globals
    from market40.web.desk import register_desk
    from market40.web.filters import register_filters
    from market40.web.session import configure_sessions
    from market40.web.views import (  # noqa: F401
        account,
        audit,
        live,
        markets,
        overview,
        vendors,
    )

    configure_sessions(app)
    register_filters(app)
    app.context_processor(template_globals)
    app.register_blueprint(bp)
    register_desk(app)
