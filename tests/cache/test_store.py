"""The store: Redis shared by workers, in-process otherwise, and a broken store only costs time."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator

import pytest
import redis
import sqlalchemy as sa

from market40 import create_app
from market40.extensions import cache
from market40.extensions import db as _db
from tests.factories import auth, earlier_today
from tests.payments.helpers import tx
from tests.web.test_page_caching import statements

REDIS = "redis://127.0.0.1:6379/3"


@pytest.fixture
def prefix() -> Iterator[str]:
    """A key prefix of this test's own; its keys are deleted afterwards."""
    name = f"m40test-{uuid.uuid4().hex[:12]}:"
    yield name
    client = redis.Redis.from_url(REDIS)
    keys = list(client.scan_iter(f"{name}*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def worker(app, test_database) -> Iterator:
    """``worker(**config)``: another app on the test's database (a second gunicorn worker,
    say); its connections are closed before the database is reset for the next test."""
    made = []

    def make(**config):
        made.append(create_app({**test_database.config, **config}))
        return made[-1]

    yield make
    for other in made:
        with other.app_context():
            _db.session.remove()
            _db.engine.dispose()


def test_workers_share_figures_through_redis(worker, make_vendor, admin, prefix):
    vendor = make_vendor("DAI-TU")
    _db.session.commit()
    one = worker(CACHE_REDIS_URL=REDIS, CACHE_KEY_PREFIX=prefix)
    two = worker(CACHE_REDIS_URL=REDIS, CACHE_KEY_PREFIX=prefix)
    first = one.test_client().get("/markets/DAI-TU")
    assert first.status_code == 200
    with statements(two) as seen:
        second = two.test_client().get("/markets/DAI-TU")
    assert second.get_data() == first.get_data()
    assert second.headers["ETag"] == first.headers["ETag"]
    assert len(seen) <= 2  # the market and its version: the page came from Redis
    keys = redis.Redis.from_url(REDIS).keys(f"{prefix}*")
    assert keys  # and it is really there
    # A payment through worker one shows at once on worker two.
    response = one.test_client().post("/api/v1/transactions", headers=auth(admin),
                                      json=tx(vendor.id, "redis-1", amount=77_000,
                                              method="qr", occurred_at=earlier_today()))
    assert response.status_code == 201
    report = two.test_client().get("/api/v1/reports/adoption?level=market&code=DAI-TU")
    assert report.get_json()["sales_count"] >= 1
    again = two.test_client().get("/markets/DAI-TU", headers={
        "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200


def test_without_redis_each_worker_keeps_its_own(worker):
    one, two = worker(), worker()
    assert one.test_client().get("/").status_code == 200
    with statements(two) as seen:
        assert two.test_client().get("/").status_code == 200
    assert len(seen) > 5  # computed again: nothing shared, and nothing wrong
    with statements(one) as seen:
        assert one.test_client().get("/").status_code == 200
    assert len(seen) == 1  # but its own store answers
    for other in (one, two):
        with other.app_context():
            assert type(cache.cache).__name__ == "SimpleCache"


def test_a_redis_outage_costs_time_not_answers(worker, reference, caplog):
    down = worker(CACHE_REDIS_URL="redis://127.0.0.1:1/0")
    caplog.set_level(logging.WARNING, logger="market40.cache.store")
    client = down.test_client()
    for path in ("/", "/markets/DAI-TU", "/api/v1/reports/adoption?level=province"):
        response = client.get(path)
        assert response.status_code == 200, path
    assert any("cache store failed" in r.getMessage() for r in caplog.records)


def test_cache_off_is_the_old_behaviour(worker, reference):
    off = worker(CACHE="off")
    with off.app_context():
        assert type(cache.cache).__name__ == "NullCache"
        count = _db.session.scalar(sa.select(sa.func.count()).select_from(sa.table("markets")))
        assert count > 0
    response = off.test_client().get("/")
    assert response.status_code == 200 and "ETag" not in response.headers
