"""Desk fixtures: the web data set plus a second board user of DAI-TU (the checker)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from tests.web.conftest import csrf_token, log_in
from tests.web.seeddata import password_hash

CHECKER = "web-board-daitu-2"


@pytest.fixture
def desk(app, dashboard, reference):
    from flask import g

    from market40.auth import create_user

    # The test's app context outlives each request, and Flask-WTF caches the session's
    # form token on ``g``: several clients in one test would share it. In a server every
    # request has its own app context, so this only undoes a test artefact.
    @app.before_request
    def _forget_form_token() -> None:
        g.pop("csrf_token", None)

    user = create_user(reference.session, CHECKER, "board", ["DAI-TU"])
    user.password_hash = password_hash()
    reference.session.commit()
    dashboard.users["checker"] = CHECKER
    return dashboard


@pytest.fixture
def as_user(app, desk) -> Callable[[str], FlaskClient]:
    """``as_user("board")``: a fresh test client logged in as that user (own cookies)."""

    def make(key: str) -> FlaskClient:
        client = app.test_client()
        response = log_in(client, desk.users[key])
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return make


def form_token(client: FlaskClient, path: str) -> str:
    return csrf_token(client.get(path).get_data(as_text=True))


def posted_together(posts: list[tuple[FlaskClient, str, dict[str, str]]]
                    ) -> list[tuple[int, str]]:
    """Send each ``(client, path, form)`` from a thread of its own, all at once (two users
    pressing the same button); ``(status, html)`` of each, in the order they finished."""
    import threading

    results: list[tuple[int, str]] = []

    def post(client: FlaskClient, path: str, data: dict[str, str]) -> None:
        response = client.post(path, data=data)
        results.append((response.status_code, response.get_data(as_text=True)))

    threads = [threading.Thread(target=post, args=one) for one in posts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results
