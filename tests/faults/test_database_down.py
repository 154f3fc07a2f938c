"""PostgreSQL goes away and comes back: 503 with a clear JSON body, then recovery.

The shared PostgreSQL server is never stopped: the app reaches it through a TCP proxy
(tests/faults/proxy.py) that the test cuts and restores. The same app instance must
answer 200 again on its own, with no restart.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from market40 import create_app
from market40.extensions import db
from tests.faults.proxy import TcpProxy

PG_URL = os.environ.get("MARKET40_TEST_DATABASE_URL")
pytestmark = pytest.mark.skipif(not PG_URL, reason="MARKET40_TEST_DATABASE_URL is not set")


@pytest.fixture
def proxied_app():
    """An app on a scratch schema whose every database connection goes through a proxy."""
    from market40.auth import create_user, issue_token
    from market40.registry.seed import seed_reference

    url = make_url(PG_URL)
    schema = f"m40_down_{uuid.uuid4().hex[:10]}"
    direct = sa.create_engine(url)
    with direct.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    with TcpProxy((url.host or "127.0.0.1", url.port or 5432)) as proxy:
        through = url.set(host="127.0.0.1", port=proxy.port).render_as_string(
            hide_password=False)
        app = create_app({
            "SQLALCHEMY_DATABASE_URI": f"{through}?options={quote(f'-csearch_path={schema}')}",
            "RATELIMIT_ENABLED": False,
            # A dead database must fail fast, not hang a worker for the OS TCP timeout.
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True,
                                          "connect_args": {"connect_timeout": 3}},
        })
        with app.app_context():
            db.create_all()
            seed_reference(db.session)
            token = issue_token(db.session, create_user(db.session, "down-admin", "admin", ()))
            db.session.commit()
        try:
            yield app, proxy, token
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
            with direct.begin() as connection:
                connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            direct.dispose()


def requests(token: str) -> list[tuple[str, str, dict | None, dict]]:
    headers = {"Authorization": f"Bearer {token}"}
    sale = {"vendor_id": 1, "amount": 10_000, "method": "cash",
            "occurred_at": datetime.now(UTC).isoformat(), "reference": "down-1"}
    return [
        ("GET", "/healthz", None, {}),
        ("GET", "/api/v1/markets?district=171", None, {}),
        ("GET", "/api/v1/reports/adoption?level=province", None, {}),
        ("GET", "/api/v1/transactions", None, headers),
        ("POST", "/api/v1/transactions", sale, headers),
    ]


def test_database_down_is_503_json_and_recovers_without_restart(proxied_app):
    app, proxy, token = proxied_app
    client = app.test_client()
    for method, path, body, headers in requests(token):
        response = client.open(path, method=method, json=body, headers=headers)
        assert response.status_code < 500, (path, response.status_code)

    proxy.cut()
    for method, path, body, headers in requests(token):
        response = client.open(path, method=method, json=body, headers=headers)
        assert response.status_code == 503, (path, response.status_code, response.data)
        assert response.is_json, (path, response.content_type)
        assert response.get_json() == {
            "code": 503, "status": "Service Unavailable",
            "message": "The database is unavailable; try again shortly."}
        assert response.headers["Retry-After"] == "5"
    # A page a person opens gets a page, not JSON, and no traceback.
    page = client.get("/", headers={"Accept": "text/html"})
    assert page.status_code == 503 and page.mimetype == "text/html"
    assert b"Traceback" not in page.data

    proxy.restore()
    response = client.get("/healthz")
    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})
    for method, path, body, headers in requests(token):
        response = client.open(path, method=method, json=body, headers=headers)
        assert response.status_code < 500, (path, response.status_code, response.data)
