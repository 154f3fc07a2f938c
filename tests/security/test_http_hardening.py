"""Security headers, proxy trust, Secure cookies and the token rate limits."""

from __future__ import annotations

import re
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.factories import auth

REDIS = ("127.0.0.1", 6379)


@contextmanager
def fresh_app(tmp_path: Any, **overrides: Any) -> Iterator[Any]:
    """An app of its own (SQLite file, one admin token), with settings the fixtures lack."""
    from market40 import create_app
    from market40.auth import create_user, issue_token
    from market40.config import TestConfig
    from market40.extensions import db

    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / f'{uuid.uuid4().hex}.db'}",
                  **overrides)
    app = create_app(config)
    with app.app_context():
        db.create_all()
        tokens = [issue_token(db.session, create_user(db.session, f"admin{i}", "admin"))
                  for i in range(2)]
        db.session.commit()
    app.config["TEST_TOKENS"] = tokens
    try:
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()


def client_at(app: Any, address: str) -> Any:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


# -- headers ---------------------------------------------------------------------------


def test_every_kind_of_response_carries_the_security_headers(client, reference):
    for path in ("/", "/login", "/api/v1/markets", "/api/v1/markets/NOPE", "/api/docs",
                 "/api/openapi.json", "/healthz", "/assets/market40.css",
                 "/static/swagger-init.js", "/api/v1/vendors/1"):
        response = client.get(path)
        headers = response.headers
        csp = headers.get("Content-Security-Policy", "")
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
        assert directives.get("script-src") == "'self'", path
        assert "unsafe" not in directives.get("default-src", "unsafe"), path
        assert directives.get("frame-ancestors") == "'none'", path
        assert directives.get("object-src") == "'none'", path
        assert headers.get("X-Frame-Options") == "DENY", path
        assert headers.get("X-Content-Type-Options") == "nosniff", path
        assert headers.get("Referrer-Policy") == "same-origin", path
        assert "Strict-Transport-Security" not in headers  # plain HTTP: no HSTS


def test_api_docs_have_no_inline_script_and_load_their_starter(client, reference):
    page = client.get("/api/docs").get_data(as_text=True)
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    assert scripts and all("src=" in attrs and not body.strip() for attrs, body in scripts)
    assert 'src="/static/swagger-init.js"' in page
    assert 'data-spec-url="/api/openapi.json"' in page
    starter = client.get("/static/swagger-init.js")
    assert starter.status_code == 200 and "SwaggerUIBundle" in starter.get_data(as_text=True)


# -- proxies and cookies ---------------------------------------------------------------

FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}


def session_cookie(response: Any) -> str:
    return next(c for c in response.headers.getlist("Set-Cookie")
                if c.startswith("market40_session="))


def test_forwarded_https_is_trusted_only_with_proxy_fix(tmp_path):
    with fresh_app(tmp_path) as app:
        plain = app.test_client().get("/login", headers=FORWARDED)
        assert "Secure" not in session_cookie(plain)  # anyone can send X-Forwarded-Proto
        assert "Strict-Transport-Security" not in plain.headers
    with fresh_app(tmp_path, PROXY_FIX=1) as app:
        proxied = app.test_client().get("/login", headers=FORWARDED)
        cookie = session_cookie(proxied)
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert proxied.headers["Strict-Transport-Security"].startswith("max-age=")


def test_proxy_fix_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("MARKET40_PROXY_FIX", "1")
    monkeypatch.setenv("MARKET40_SESSION_COOKIE_SECURE", "true")
    with fresh_app(tmp_path) as app:
        assert app.config["PROXY_FIX"] == 1 and app.config["SESSION_COOKIE_SECURE"] is True
        assert "Secure" in session_cookie(app.test_client().get("/login"))


# -- rate limits -----------------------------------------------------------------------


def test_failed_tokens_are_limited_per_address_with_the_json_error(tmp_path):
    with fresh_app(tmp_path, RATELIMIT_ENABLED=True, TOKEN_FAILURE_LIMIT="3 per minute") as app:
        guesser = client_at(app, "198.51.100.7")
        statuses = [guesser.get("/api/v1/transactions", headers=auth(f"m40_guess{i}")).status_code
                    for i in range(3)]
        assert statuses == [401, 401, 401]
        refused = guesser.get("/api/v1/transactions", headers=auth("m40_guess4"))
        assert refused.status_code == 429
        body = refused.get_json()
        assert body["code"] == 429 and body["status"] == "Too Many Requests"
        assert "failed token" in body["message"]
        assert int(refused.headers["Retry-After"]) > 0
        # The address is locked for tokens, not for public reads; others are not affected.
        assert guesser.get("/api/v1/markets").status_code == 200
        other = client_at(app, "198.51.100.8")
        good = app.config["TEST_TOKENS"][0]
        assert other.get("/api/v1/transactions", headers=auth(good)).status_code == 200


def test_a_window_boundary_gives_a_guesser_no_second_allowance(tmp_path, monkeypatch):
    """One failure, two more 59 s later, then more 1.5 s after that: a fixed window (the
    default) would have started counting again and allowed three more. In a moving
    window each failure counts for a minute: only the first has slid out of view."""
    import types

    import limits.storage.memory

    clock = types.SimpleNamespace(now=1_800_000_000.0)
    monkeypatch.setattr(limits.storage.memory, "time",
                        types.SimpleNamespace(time=lambda: clock.now))
    with fresh_app(tmp_path, RATELIMIT_ENABLED=True, TOKEN_FAILURE_LIMIT="3 per minute") as app:
        guesser = client_at(app, "198.51.100.9")

        def guess(i):
            return guesser.get("/api/v1/transactions", headers=auth(f"m40_edge{i}")).status_code

        assert guess(0) == 401
        clock.now += 59
        assert [guess(1), guess(2), guess(3)] == [401, 401, 429]
        clock.now += 1.5
        assert [guess(4), guess(5)] == [401, 429]
        clock.now += 60  # every failure has slid out of view
        assert guess(6) == 401


def test_successful_token_use_does_not_count_as_failure(tmp_path):
    with fresh_app(tmp_path, RATELIMIT_ENABLED=True, TOKEN_FAILURE_LIMIT="2 per minute") as app:
        client = app.test_client()
        token = app.config["TEST_TOKENS"][0]
        for _ in range(5):
            assert client.get("/api/v1/transactions", headers=auth(token)).status_code == 200


def test_each_token_has_a_generous_limit_of_its_own(tmp_path):
    with fresh_app(tmp_path, RATELIMIT_ENABLED=True, TOKEN_RATE_LIMIT="4 per minute") as app:
        client = app.test_client()
        first, second = app.config["TEST_TOKENS"]
        statuses = [client.get("/api/v1/transactions", headers=auth(first)).status_code
                    for _ in range(5)]
        assert statuses == [200, 200, 200, 200, 429]
        assert client.get("/api/v1/transactions", headers=auth(second)).status_code == 200
        assert client.get("/api/v1/markets").status_code == 200  # no token, no token limit


def redis_reachable() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1):
            return True
    except OSError:
        return False


def test_limits_live_in_redis_when_configured(tmp_path):
    if not redis_reachable():
        pytest.skip("no Redis on 127.0.0.1:6379 (apt-get install redis-server)")
    import redis

    prefix = f"m40test-{uuid.uuid4().hex[:8]}"
    settings = {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
                "RATELIMIT_KEY_PREFIX": prefix, "TOKEN_FAILURE_LIMIT": "2 per minute"}
    server = redis.Redis(*REDIS)
    try:
        with fresh_app(tmp_path, **settings) as app:
            guesser = client_at(app, "192.0.2.44")
            for i in range(2):
                assert guesser.get("/api/v1/transactions",
                                   headers=auth(f"m40_x{i}")).status_code == 401
            assert server.keys(f"*{prefix}*"), "the failures were not counted in Redis"
        # Another app (as another gunicorn worker would) shares the count through Redis.
        with fresh_app(tmp_path, **settings) as app:
            guesser = client_at(app, "192.0.2.44")
            refused = guesser.get("/api/v1/transactions", headers=auth("m40_x3"))
            assert refused.status_code == 429 and refused.get_json()["code"] == 429
    finally:
        for key in server.scan_iter(f"*{prefix}*"):
            server.delete(key)
        server.close()
