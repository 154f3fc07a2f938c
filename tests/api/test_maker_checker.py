"""Maker-checker holds against every maker of the pending state, not just the last editor."""

from __future__ import annotations

import pytest

from tests.factories import auth
from tests.registry.helpers import act, audit_entries, post_vendor, submitted_vendor


@pytest.fixture
def boards(reference, make_user):
    """Three board users of DAI-TU: a, b and c."""
    return {name: make_user("board", markets=("DAI-TU",), name=name)[1] for name in "abc"}


def patch(client, token, vendor_id, **fields):
    response = client.patch(f"/api/v1/vendors/{vendor_id}", json=fields, headers=auth(token))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_colleagues_small_edit_does_not_launder_a_bank_change(client, boards, db):
    vendor = submitted_vendor(client, boards["a"])
    assert act(client, boards["b"], vendor["id"], "approve").status_code == 200
    # a redirects the money; b fixes a spelling; b is now the last editor.
    assert patch(client, boards["a"], vendor["id"], account_number="5550001111")["status"] \
        == "submitted"
    patch(client, boards["b"], vendor["id"], display_name="Rau sạch cô Lan (sửa)")
    for maker in ("a", "b"):
        for action, body in (("approve", {}), ("reject", {"reason": "x"})):
            refused = act(client, boards[maker], vendor["id"], action, **body)
            assert refused.status_code == 409, (maker, action)
            assert "maker-checker" in refused.get_json()["message"]
    approved = act(client, boards["c"], vendor["id"], "approve")
    assert approved.status_code == 200 and approved.get_json()["status"] == "approved"
    entry = audit_entries(db, entity_id=str(vendor["id"]), action="approve")[-1]
    assert entry.new["makers"] == ["a", "b"] and entry.new["checker"] == "c"
    first = audit_entries(db, entity_id=str(vendor["id"]), action="approve")[0]
    assert first.new["makers"] == ["a"] and first.new["checker"] == "b"


def test_makers_are_counted_from_the_last_approval(client, boards):
    vendor = submitted_vendor(client, boards["a"])
    assert act(client, boards["b"], vendor["id"], "approve").status_code == 200
    patch(client, boards["c"], vendor["id"], account_number="5550002222")
    # a made the previous, approved state only: a may check c's change.
    assert act(client, boards["c"], vendor["id"], "approve").status_code == 409
    assert act(client, boards["a"], vendor["id"], "approve").status_code == 200


def test_a_revert_does_not_make_the_reverter_a_maker(client, boards):
    vendor = submitted_vendor(client, boards["a"])
    assert act(client, boards["b"], vendor["id"], "revert", reason="Sai tên").status_code == 200
    patch(client, boards["a"], vendor["id"], display_name="Rau sạch cô Lan")
    assert act(client, boards["a"], vendor["id"], "submit").status_code == 200
    assert act(client, boards["b"], vendor["id"], "approve").status_code == 200


def test_a_stale_version_is_refused_on_reject_and_in_bulk(client, boards):
    vendor = submitted_vendor(client, boards["a"])
    read = vendor["version"]
    patch(client, boards["a"], vendor["id"], account_number="5550003333")
    response = act(client, boards["b"], vendor["id"], "reject", reason="x", version=read)
    assert response.status_code == 409 and "changed since you read it" in str(response.get_json())
    fresh = post_vendor(client, boards["a"])
    act(client, boards["a"], fresh["id"], "submit")
    current = client.get(f"/api/v1/vendors/{fresh['id']}", headers=auth(boards["b"])).get_json()
    body = {"items": [{"id": vendor["id"], "version": read},
                      {"id": fresh["id"], "version": current["version"]}]}
    result = client.post("/api/v1/vendors/bulk-approve", json=body, headers=auth(boards["b"]))
    assert result.status_code == 200, result.get_json()
    outcomes = {r["id"]: r for r in result.get_json()["results"]}
    assert outcomes[vendor["id"]]["code"] == 409
    assert outcomes[fresh["id"]]["outcome"] == "approved"


def test_bulk_approve_needs_ids_or_items(client, boards):
    response = client.post("/api/v1/vendors/bulk-approve", json={}, headers=auth(boards["a"]))
    assert response.status_code == 422 and "ids" in response.get_json()["errors"]["json"]
    response = client.post("/api/v1/vendors/bulk-approve", json={"items": [{"id": 1}]},
                           headers=auth(boards["a"]))
    assert response.status_code == 422 and "version" in str(response.get_json())
