"""Failed tokens are limited per address without ever refusing a valid token."""

from __future__ import annotations

import importlib.util
import logging
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
import redis

from market40 import create_app
from market40.auth import create_user, issue_token
from market40.extensions import db
from tests.conftest import app_config
from tests.factories import auth

URL = "/api/v1/audit/log"


def limited_app(tmp_path: Path, name: str, **overrides):
    app = create_app(app_config(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'limits.sqlite3'}",
        RATELIMIT_ENABLED=True, TOKEN_FAILURE_LIMIT="5 per minute", **overrides))
    with app.app_context():
        db.create_all()
        if name:
            user = create_user(db.session, name, "admin")
            token = issue_token(db.session, user)
            db.session.commit()
            app.config["ADMIN_TOKEN"] = token
    return app


def test_bad_tokens_do_not_lock_out_a_valid_one(tmp_path):
    app = limited_app(tmp_path, "admin")
    client = app.test_client()
    statuses = [client.get(URL, headers=auth("m40_wrong")).status_code for _ in range(8)]
    assert statuses[:5] == [401] * 5 and set(statuses[5:]) == {429}
    # Same address, a good token: served, again and again.
    for _ in range(3):
        assert client.get(URL, headers=auth(app.config["ADMIN_TOKEN"])).status_code == 200
    assert client.get(URL).status_code == 401  # no token: refused, but never limited here
    with app.app_context():
        db.engine.dispose()


def test_workers_count_together_in_the_shared_store(tmp_path):
    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    shared = {"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
              "RATELIMIT_KEY_PREFIX": f"m40-test-{uuid.uuid4().hex[:8]}"}
    first = limited_app(tmp_path, "", **shared)
    second = limited_app(tmp_path, "", **shared)  # another worker, same store
    statuses = [app.test_client().get(URL, headers=auth("m40_wrong")).status_code
                for app in (first, second, first, second, first, second)]
    assert statuses == [401] * 5 + [429]


def load_gunicorn_conf():
    path = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"
    spec = importlib.util.spec_from_file_location("gunicorn_conf", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("workers", "storage", "warned"), [
    (2, None, True), (4, "memory://", True), (1, None, False),
    (2, "redis://127.0.0.1:6379", False)])
def test_start_up_warns_of_several_workers_without_a_shared_store(
        monkeypatch, caplog, workers, storage, warned):
    monkeypatch.delenv("MARKET40_RATELIMIT_STORAGE_URI", raising=False)
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    if storage:
        monkeypatch.setenv("RATELIMIT_STORAGE_URI", storage)
    log = logging.getLogger("test.gunicorn")
    server = SimpleNamespace(cfg=SimpleNamespace(workers=workers), log=log)
    with caplog.at_level(logging.WARNING, logger="test.gunicorn"):
        load_gunicorn_conf().when_ready(server)
    assert ("counts alone" in caplog.text) is warned
