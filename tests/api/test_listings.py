"""/api/v1/markets/{code}/listings: what counts for online_products."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from market40.localtime import local_today
from market40.models import AuditEntry, Listing
from tests.factories import auth

URL = "/api/v1/markets/DAI-TU/listings"
TEA = {"product": "Chè Tân Cương", "platform": "Shopee", "url": "https://shopee.vn/che-tc"}


def online_products(client, code="DAI-TU", as_of=None):
    query = f"/api/v1/reports/adoption?level=market&code={code}"
    if as_of:
        query += f"&as_of={as_of}"
    return client.get(query).get_json()["online_products"]


def test_board_adds_and_ends_a_listing(client, db, reference, make_user):
    board, token = make_user("board", markets=("DAI-TU",))
    assert online_products(client) == 0
    response = client.post(URL, json=TEA, headers=auth(token))
    assert response.status_code == 201
    listing = response.get_json()
    assert listing["started_on"] == local_today().isoformat() and listing["ended_on"] is None
    assert listing["market_code"] == "DAI-TU" and listing["url"] == TEA["url"]
    assert online_products(client) == 1
    listed = client.get(URL)
    assert listed.status_code == 200 and [x["id"] for x in listed.get_json()] == [listing["id"]]
    ended = client.delete(f"{URL}/{listing['id']}", headers=auth(token))
    assert ended.status_code == 204 and ended.data == b""
    row = db.session.get(Listing, listing["id"])
    assert row is not None and row.ended_on == local_today()  # kept, with its end
    assert online_products(client) == 0
    again = client.delete(f"{URL}/{listing['id']}", headers=auth(token))
    assert again.status_code == 409
    actions = db.session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.entity == "listing")).all()
    assert actions == ["listing.create", "listing.end"]


def test_backdated_listings_count_from_their_start(client, reference, make_user):
    _, token = make_user("department")
    started = local_today() - timedelta(days=10)
    response = client.post(URL, json={**TEA, "started_on": started.isoformat()},
                           headers=auth(token))
    assert response.status_code == 201
    assert online_products(client, as_of=started.isoformat()) == 1
    assert online_products(client, as_of=(started - timedelta(days=1)).isoformat()) == 0
    assert client.get(f"{URL}?active_on={started - timedelta(days=1)}").get_json() == []
    assert len(client.get(f"{URL}?active_on={started}").get_json()) == 1


def test_who_may_write(client, reference, make_user, make_vendor):
    assert client.post(URL, json=TEA).status_code == 401
    _, other_board = make_user("board", markets=("THAI",))
    assert client.post(URL, json=TEA, headers=auth(other_board)).status_code == 403
    _, auditor = make_user("auditor")
    assert client.post(URL, json=TEA, headers=auth(auditor)).status_code == 403
    vendor = make_vendor("DAI-TU")
    _, vendor_token = make_user("vendor", vendor_id=vendor.id)
    assert client.post(URL, json=TEA, headers=auth(vendor_token)).status_code == 403
    _, admin = make_user("admin")
    created = client.post(URL, json=TEA, headers=auth(admin)).get_json()
    assert client.delete(f"{URL}/{created['id']}").status_code == 401
    assert client.delete(f"{URL}/{created['id']}", headers=auth(other_board)).status_code == 403
    # A listing of DAI-TU is not found under another market.
    elsewhere = f"/api/v1/markets/THAI/listings/{created['id']}"
    assert client.delete(elsewhere, headers=auth(admin)).status_code == 404
    assert client.get("/api/v1/markets/NOPE/listings").status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"url": "javascript:alert(1)"}, "url"),
        ({"url": "shopee.vn/che"}, "url"),
        ({"product": "   "}, "product"),
        ({"product": "x" * 151}, "product"),
        ({"platform": None}, "platform"),
        ({"started_on": (date.today() + timedelta(days=3)).isoformat()}, "started_on"),
        ({"price": 10}, "price"),
    ],
)
def test_bad_listings_are_422_naming_the_field(client, reference, make_user, change, field):
    _, token = make_user("board", markets=("DAI-TU",))
    response = client.post(URL, json={**TEA, **change}, headers=auth(token))
    assert response.status_code == 422
    assert field in json.dumps(response.get_json()["errors"])
