"""HTTP caching of the public pages and reports: ETag, Last-Modified, 304 without work,
and nothing shared between languages, arguments or users (market40.cache.http)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from market40.extensions import db as _db
from market40.models import DataVersion
from tests.factories import auth
from tests.payments.helpers import tx

PAGES = ("/", "/markets/DAI-TU", "/api/v1/reports/adoption?level=province",
         "/api/v1/reports/adoption?level=market&code=DAI-TU",
         "/api/v1/reports/certification?ruleset=tn-2022", "/api/v1/banks",
         "/api/v1/communes", "/api/v1/districts", "/api/v1/reports/rulesets")


@contextmanager
def statements(app) -> Iterator[list[str]]:
    """The SQL statements the app sends meanwhile (what a request costs)."""
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    with app.app_context():
        engine = _db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


@pytest.mark.parametrize("path", PAGES)
def test_a_conditional_request_is_a_304_without_computing(app, client, dashboard, path):
    first = client.get(path)
    assert first.status_code == 200
    tag = first.headers["ETag"]
    reference = path.startswith(("/api/v1/banks", "/api/v1/communes", "/api/v1/districts"))
    assert first.headers["Cache-Control"] == ("public, max-age=86400" if reference
                                              else "no-cache")
    with statements(app) as seen:
        again = client.get(path, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.headers["ETag"] == tag
    assert not again.get_data()
    assert only_the_version(seen)
    with statements(app) as seen:
        stored = client.get(path)
    assert stored.status_code == 200 and stored.get_data() == first.get_data()
    assert stored.headers["ETag"] == tag
    assert only_the_version(seen)  # the answer was stored


def only_the_version(seen: list[str]) -> bool:
    """The data version was read (and a market's code looked up), no figure computed."""
    versions = [s for s in seen if "data_versions" in s]
    others = [s for s in seen if "data_versions" not in s]
    return len(versions) == 1 and all("FROM markets" in s for s in others) and len(others) <= 1


def test_without_cache_every_request_computes_and_no_etag(app, client, dashboard):
    app.config["CACHE"] = "off"
    first = client.get("/")
    assert "ETag" not in first.headers
    with statements(app) as seen:
        assert client.get("/").status_code == 200
    assert len(seen) > 5


def test_languages_arguments_and_markets_never_share_an_answer(client, dashboard):
    vi = client.get("/markets/DAI-TU")
    en = client.get("/markets/DAI-TU?lang=en")
    week = client.get("/markets/DAI-TU?window=7")
    other = client.get("/markets/THAI")
    tags = {r.headers["ETag"] for r in (vi, en, week, other)}
    assert len(tags) == 4
    assert 'lang="vi"' in vi.get_data(as_text=True)
    assert 'lang="en"' in en.get_data(as_text=True)
    # The cookie set by ?lang=en now chooses English for the plain URL: another answer.
    cookie_en = client.get("/markets/DAI-TU")
    assert 'lang="en"' in cookie_en.get_data(as_text=True)
    assert cookie_en.headers["ETag"] != vi.headers["ETag"]
    assert "Cookie" in cookie_en.headers["Vary"]
    assert client.get("/markets/DAI-TU", headers={"If-None-Match": vi.headers["ETag"]}
                      ).status_code == 200


def test_a_logged_in_page_is_private_and_never_stored_or_served_to_others(
        app, client, dashboard, login):
    anonymous = client.get("/markets/DAI-TU")
    assert 'id="board"' not in anonymous.get_data(as_text=True)
    board = login("board")
    mine = board.get("/markets/DAI-TU")
    assert 'id="board"' in mine.get_data(as_text=True)  # the follow-ups: personal data
    assert mine.headers["Cache-Control"] == "no-store"
    assert "ETag" not in mine.headers and "Last-Modified" not in mine.headers
    # the anonymous answer's tag does not make a 304 for a logged-in user
    assert board.get("/markets/DAI-TU", headers={"If-None-Match": anonymous.headers["ETag"]}
                     ).status_code == 200
    with app.test_client() as stranger:
        page = stranger.get("/markets/DAI-TU").get_data(as_text=True)
    assert 'id="board"' not in page


def test_a_vendors_figures_are_never_cached(client, dashboard, admin):
    vendor_id = dashboard.vendors["rau"].id
    response = client.get(f"/api/v1/reports/adoption?level=vendor&code={vendor_id}",
                          headers=auth(admin))
    assert response.status_code == 200 and "ETag" not in response.headers
    assert client.get(f"/api/v1/reports/adoption?level=vendor&code={vendor_id}"
                      ).status_code == 401  # and a token is still needed


def test_last_modified_and_if_modified_since(app, client, dashboard, admin, make_vendor):
    vendor = make_vendor("DAI-TU")
    _db.session.commit()
    # the last change a minute ago (Last-Modified is sent once its second is over)
    _db.session.execute(sa.update(DataVersion).values(
        changed_at=datetime.now(UTC) - timedelta(minutes=1)))
    _db.session.commit()
    path = "/api/v1/reports/adoption?level=market&code=DAI-TU"
    first = client.get(path)
    modified = first.last_modified
    assert modified is not None and modified <= datetime.now(UTC)
    later = (modified + timedelta(seconds=5)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert client.get(path, headers={"If-Modified-Since": later}).status_code == 304
    response = client.post("/api/v1/transactions", headers=auth(admin),
                           json=tx(vendor.id, "lm-1"))
    assert response.status_code == 201
    # a write since: the same date is no longer a reason for 304
    assert client.get(path, headers={"If-Modified-Since": later}).status_code == 200


def test_a_bad_argument_is_answered_by_the_view_and_not_stored(client, dashboard):
    assert client.get("/api/v1/reports/adoption?level=market&code=NOPE").status_code == 404
    bad = client.get("/api/v1/reports/adoption?level=province&window=0")
    assert bad.status_code == 422 and "ETag" not in bad.headers
    assert client.get("/markets/NOPE").status_code == 404


def test_concurrent_misses_compute_once(app, client, dashboard):
    """Eight readers arrive together after a write: the figures are computed once."""
    import threading

    from market40.extensions import cache

    with statements(app) as alone:
        assert client.get("/?show=all").status_code == 200
    once = sum("market_daily_rollups" in s for s in alone)
    assert once > 0
    with app.app_context():
        cache.clear()
    barrier = threading.Barrier(8)
    statuses: list[int] = []

    def read() -> None:
        reader = app.test_client()
        barrier.wait()
        statuses.append(reader.get("/?show=all").status_code)

    with statements(app) as together:
        threads = [threading.Thread(target=read) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert statuses == [200] * 8
    assert sum("market_daily_rollups" in s for s in together) == once
