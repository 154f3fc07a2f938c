"""Logout ends the session on the server; no built-in SECRET_KEY."""

from __future__ import annotations

import logging
import stat

import pytest
from itsdangerous import BadSignature, URLSafeTimedSerializer

from market40 import create_app
from market40.config import TestConfig
from tests.web.conftest import csrf_token, log_in


def session_cookie(client) -> str:
    return client.get_cookie("market40_session").value


def test_a_copied_cookie_stops_working_after_logout(app, client, dashboard):
    log_in(client, dashboard.users["admin"])
    copied = session_cookie(client)
    thief = app.test_client()
    thief.set_cookie("market40_session", copied)
    assert thief.get("/me").status_code == 302
    assert "/login" not in thief.get("/me").headers["Location"]
    token = csrf_token(client.get("/logout").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    # The cookie the thief holds is still validly signed, but its session has ended.
    assert thief.get("/me").headers["Location"].startswith("/login")


def test_a_session_without_its_server_row_is_refused(app, client, dashboard):
    log_in(client, dashboard.users["admin"])
    serializer = app.session_interface.get_signing_serializer(app)
    data = serializer.loads(session_cookie(client))
    data["auth"] = data["auth"][:2]  # the cookie format that had no server-side session
    forged = app.test_client()
    forged.set_cookie("market40_session", serializer.dumps(data))
    assert forged.get("/me").headers["Location"].startswith("/login")


def config_without_secret(tmp_path) -> dict:
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(SECRET_KEY=None, SECRET_KEY_FILE=str(tmp_path / "instance" / "secret_key"),
                  SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    return config


def test_no_configured_key_generates_one_kept_0600(tmp_path, caplog, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("MARKET40_SECRET_KEY", raising=False)
    with caplog.at_level(logging.WARNING, logger="market40.secretkey"):
        first = create_app(config_without_secret(tmp_path))
    path = tmp_path / "instance" / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "generated a random one" in caplog.text
    key = first.config["SECRET_KEY"]
    assert len(key) >= 43 and key not in ("dev-only-change-me", "test-secret")
    caplog.clear()
    second = create_app(config_without_secret(tmp_path))  # another worker, a restart
    assert second.config["SECRET_KEY"] == key and "generated" not in caplog.text


def test_the_old_development_key_forges_nothing(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("MARKET40_SECRET_KEY", raising=False)
    app = create_app(config_without_secret(tmp_path))
    forged = URLSafeTimedSerializer("dev-only-change-me", salt="cookie-session").dumps(
        {"auth": [1, "x", "y"]})
    serializer = app.session_interface.get_signing_serializer(app)
    with pytest.raises(BadSignature):
        serializer.loads(forged)


def test_a_key_file_readable_by_others_is_tightened(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("MARKET40_SECRET_KEY", raising=False)
    path = tmp_path / "instance" / "secret_key"
    path.parent.mkdir()
    path.write_text("k" * 40)
    path.chmod(0o644)
    app = create_app(config_without_secret(tmp_path))
    assert app.config["SECRET_KEY"] == "k" * 40
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
