"""Fixtures of the web tests: the dashboard data set and logged-in clients."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from tests.conftest import seeded_once
from tests.web.seeddata import PASSWORD, Dashboard, kept, restored, seed_dashboard

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                  r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def dashboard(reference, test_database) -> Dashboard:
    """The web data set, a template seeded once per worker, database and local day (its
    payments are "yesterday" and before)."""
    def seed() -> Dashboard:
        data = seed_dashboard(reference.session)
        reference.session.commit()
        return kept(data)

    return restored(reference.session,
                    seeded_once(test_database, "dashboard", seed, daily=True))


def text(response) -> str:
    """A test client response's body, as the page's text."""
    return response.get_data(as_text=True)


def csrf_token(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1) or match.group(2)


def log_in(client: FlaskClient, name: str, password: str = PASSWORD, next_url: str = ""):
    page = client.get("/login")
    token = csrf_token(page.get_data(as_text=True))
    return client.post("/login", data={"csrf_token": token, "name": name,
                                       "password": password, "next": next_url})


@pytest.fixture
def login(client, dashboard) -> Callable[[str], FlaskClient]:
    """``login("board")``: the test client, logged in as that dashboard user."""

    def as_user(key: str) -> FlaskClient:
        response = log_in(client, dashboard.users[key])
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return as_user
