"""Every pooled connection busy: a request that cannot get one in time is a 503, not a 500.

A worker's connection pool can run dry under a burst (more requests at once than
``pool_size + max_overflow``, e.g. many greenlets of a gevent worker). SQLAlchemy then
raises ``TimeoutError`` after ``pool_timeout``: the client gets the same answer as for a
database that is down (503, JSON or a page, ``Retry-After``), and the worker serves again
as soon as a connection comes back.
"""

from __future__ import annotations

from market40.extensions import db

BUSY = {"code": 503, "status": "Service Unavailable",
        "message": "The database is unavailable; try again shortly."}


def test_a_dry_pool_is_503_and_the_next_request_is_served(scratch):
    app = scratch.app(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 1, "max_overflow": 0,
                                                 "pool_timeout": 0.2})
    client = app.test_client()
    headers = {"Authorization": f"Bearer {scratch.token}"}
    with app.app_context():
        held = db.engine.connect()  # the pool's only connection
        try:
            response = client.get("/api/v1/transactions", headers=headers)
            assert response.status_code == 503, response.data
            assert response.get_json() == BUSY
            assert response.headers["Retry-After"] == "5"
            page = client.get("/markets/DAI-TU", headers={"Accept": "text/html"})
            assert page.status_code == 503 and page.mimetype == "text/html"
            assert b"Traceback" not in page.data
        finally:
            held.close()
        assert client.get("/api/v1/transactions", headers=headers).status_code == 200
        db.engine.dispose()
