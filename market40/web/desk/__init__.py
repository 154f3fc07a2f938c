"""The market desk: the pages where boards, the department and admins do registry work.

Every page calls the registry's domain functions (``market40.registry``), is gated by
the one access table (``market40.auth.access.ENDPOINTS``, checked before each desk
view with the session user) and narrowed to the user's markets by the same policy as
the API. Self-registration (``/join/...``) hangs on the same blueprint: public, rate
limited, behind the market's poster key.
"""

from __future__ import annotations

from flask import Flask


def register_desk(app: Flask) -> None:
    from market40.web.desk.blueprint import bp
    from market40.web.desk.views import (  # noqa: F401  (routes register on import)
        approvals,
        cards,
        department,
        home,
        imports,
        join,
        markets,
        poster,
        vendors,
    )

    app.register_blueprint(bp)
