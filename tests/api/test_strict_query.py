"""Query arguments are strict everywhere: a misspelt one is a 422 naming it."""

from __future__ import annotations

import re

import pytest

from market40.auth.access import guarded
from tests.factories import auth

DOCUMENTS = {"/api/openapi.json", "/api/docs", "/api/docs/assets/<path:filename>"}


def _operations(app):
    for rule in app.url_map.iter_rules():
        if not guarded(rule.rule) or rule.rule in DOCUMENTS:
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^:<>]+)>",
                      lambda m: "DAI-TU" if m.group(1) == "code" else "1", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, path


def test_every_operation_refuses_an_unknown_query_argument(app, client, make_user, reference):
    _, token = make_user("admin")
    operations = list(_operations(app))
    assert len(operations) > 40
    for method, path in operations:
        response = client.open(f"{path}?distrct=171", method=method, headers=auth(token))
        assert response.status_code == 422, (method, path, response.status_code)
        body = response.get_json()
        assert body["errors"] == {"query": {"distrct": ["Unknown field."]}}, (method, path)


def test_misspelt_filter_is_refused_and_the_right_one_filters(client, reference):
    response = client.get("/api/v1/markets?distrct=171")
    assert response.status_code == 422
    assert "distrct" in response.get_json()["message"]
    markets = client.get("/api/v1/markets?district=171&page=1&page_size=500").get_json()
    assert markets and all(m["district_code"] == "171" for m in markets)
    assert len(client.get("/api/v1/markets?page_size=500").get_json()) > len(markets)


def test_access_is_checked_before_the_arguments(client, reference):
    assert client.get("/api/v1/transactions?distrct=1").status_code == 401


@pytest.mark.parametrize("path", ["/api/openapi.json?v=2", "/api/docs?v=2"])
def test_documents_take_cache_busters(client, path):
    assert client.get(path).status_code == 200
