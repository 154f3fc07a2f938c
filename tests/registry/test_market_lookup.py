"""One market lookup: the same code, in any case, names the same market everywhere."""

from __future__ import annotations

import pytest

from market40.errors import NotFound
from market40.registry.markets import find_market, get_market
from tests.factories import auth


def test_find_market_ignores_case_and_spaces(reference):
    session = reference.session
    assert find_market(session, " dai-tu ").code == "DAI-TU"
    assert get_market(session, "Dai-Tu") is find_market(session, "DAI-TU")
    assert find_market(session, "no-such") is None
    with pytest.raises(NotFound, match="no-such"):
        get_market(session, "no-such")


@pytest.mark.parametrize("path", [
    "/api/v1/markets/dai-tu",
    "/api/v1/markets/dai-tu/listings",
    "/api/v1/markets/dai-tu/vendors",
    "/api/v1/reports/adoption?level=market&code=dai-tu",
    "/api/v1/transactions?market=dai-tu",
    "/api/v1/markets/dai-tu/cards.pdf",
    "/markets/dai-tu",
])
def test_lower_case_code_answers_like_upper_case(client, make_user, make_vendor, path):
    make_vendor("DAI-TU")
    _, token = make_user("admin")
    lower = client.get(path, headers=auth(token))
    upper = client.get(path.replace("dai-tu", "DAI-TU"), headers=auth(token))
    assert lower.status_code == upper.status_code == 200, (path, lower.get_data(as_text=True))
    if lower.mimetype == "application/json":
        assert lower.get_json() == upper.get_json()


def test_unknown_code_is_404_on_the_page_and_the_api(client, reference):
    assert client.get("/markets/no-such").status_code == 404
    assert client.get("/api/v1/markets/no-such/listings").status_code == 404
