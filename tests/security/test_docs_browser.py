"""/api/docs in a real browser under the app's own Content-Security-Policy.

Swagger UI used to start from an inline script; now it must load from
``/static/swagger-init.js`` and render every operation with no console error (a CSP
violation is one). Debian's Chromium driven by Playwright (``tests/browser.py``); skipped
without it.
"""

from __future__ import annotations

import threading
from pathlib import Path


def test_swagger_ui_renders_under_the_csp(tmp_path: Path, browser):
    from werkzeug.serving import make_server

    from market40 import create_app
    from market40.config import TestConfig
    from market40.extensions import db

    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'docs.sqlite3'}"
    app = create_app(config)
    with app.app_context():
        db.create_all()
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    problems: list[str] = []
    try:
        page = browser.new_page()
        try:
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on("response", lambda r: problems.append(f"{r.status} {r.url}")
                    if r.status >= 400 else None)
            response = page.goto(f"http://127.0.0.1:{http.server_port}/api/docs")
            assert "script-src 'self'" in response.headers["content-security-policy"]
            page.wait_for_selector(".opblock", timeout=20_000)
            operations = page.locator(".opblock").count()
        finally:
            page.close()
    finally:
        http.shutdown()
        thread.join(timeout=5)
        with app.app_context():
            db.engine.dispose()
    assert operations >= 40
    assert problems == []
