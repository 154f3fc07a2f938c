"""The audit log: every registry change, in its own transaction, readable by role and scope."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from market40.registry import vendors as vendor_registry
from tests.factories import auth
from tests.registry.helpers import act, audit_entries, post_vendor, submitted_vendor

URL = "/api/v1/audit/log"


@pytest.fixture
def boards(maker, checker, make_user):
    """The maker and checker of DAI-TU, and a board user of THAI."""
    return maker, checker, make_user("board", markets=("THAI",), name="thai-board")[1]


def test_entries_show_who_changed_what(client, boards, make_user):
    maker, checker, _ = boards
    vendor = submitted_vendor(client, maker)
    act(client, checker, vendor["id"], "approve")
    auditor = make_user("auditor")[1]
    response = client.get(f"{URL}?entity=vendor&entity_id={vendor['id']}", headers=auth(auditor))
    assert response.status_code == 200
    entries = response.get_json()
    assert [e["action"] for e in entries] == ["approve", "submit", "create"]  # newest first
    approve = entries[0]
    assert set(approve) == {"id", "at", "actor", "action", "entity", "entity_id", "market_code",
                            "old", "new"}
    assert approve["actor"] == "checker" and approve["market_code"] == "DAI-TU"
    assert approve["entity"] == "vendor" and approve["entity_id"] == str(vendor["id"])
    assert approve["old"]["status"] == "submitted" and approve["new"]["status"] == "approved"
    assert approve["at"].endswith("+07:00")
    create = entries[-1]
    assert create["old"] is None and create["new"]["phone"] == "0912345678"


def test_filters_and_pagination(client, boards, make_user):
    maker, checker, thai = boards
    for _ in range(3):
        submitted_vendor(client, maker)
    submitted_vendor(client, thai, "THAI")
    admin = make_user("admin")[1]

    def get(query: str) -> list[dict]:
        response = client.get(f"{URL}?{query}", headers=auth(admin))
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    assert {e["action"] for e in get("action=submit")} == {"submit"}
    assert len(get("action=submit")) == 4
    assert {e["market_code"] for e in get("market=THAI")} == {"THAI"}
    assert len(get("market=dai-tu&action=create")) == 3
    response = client.get(f"{URL}?page=2&page_size=3", headers=auth(admin))
    assert len(response.get_json()) == 3
    assert json.loads(response.headers["X-Pagination"])["total"] == 8
    now = datetime.now(UTC)
    later = (now + timedelta(hours=1)).isoformat()
    assert get(f"from={later.replace('+', '%2B')}") == []
    earlier = (now - timedelta(hours=1)).isoformat().replace("+", "%2B")
    assert len(get(f"from={earlier}&to={later.replace('+', '%2B')}")) == 8
    # Dates are local (Asia/Ho_Chi_Minh, UTC+7) days, "to" included.
    local_today = (now + timedelta(hours=7)).date()
    assert len(get(f"from={local_today}&to={local_today}")) == 8
    assert get(f"to={local_today - timedelta(days=1)}") == []
    for bad, field in (("from=yesterday", "from"), ("to=2024-05-01T08:00:00", "to"),
                       ("entity=bank", "entity"),
                       ("from=0001-01-01", "from"), ("to=9999-12-31", "to")):  # were 500s
        response = client.get(f"{URL}?{bad}", headers=auth(admin))
        assert response.status_code == 422 and field in json.dumps(response.get_json())
    assert client.get(f"{URL}?market=NOPE", headers=auth(admin)).status_code == 404


def test_who_may_read(client, boards, make_user):
    maker, _, thai = boards
    vendor = post_vendor(client, maker)
    submitted_vendor(client, thai, "THAI")
    assert client.get(URL).status_code == 401
    vendor_user = make_user("vendor", vendor_id=vendor["id"])[1]
    assert client.get(URL, headers=auth(vendor_user)).status_code == 403
    # A board reads only its markets' entries, and may not ask for another market's.
    seen = client.get(URL, headers=auth(thai)).get_json()
    assert seen and {e["market_code"] for e in seen} == {"THAI"}
    assert client.get(f"{URL}?market=DAI-TU", headers=auth(thai)).status_code == 403
    for role in ("admin", "department", "auditor"):
        token = make_user(role)[1]
        entries = client.get(URL, headers=auth(token)).get_json()
        assert {e["market_code"] for e in entries} == {"DAI-TU", "THAI"}


def test_personal_data_masked_for_the_department(client, boards, make_user):
    maker, _, _ = boards
    vendor = post_vendor(client, maker)
    client.patch(f"/api/v1/vendors/{vendor['id']}", json={"phone": "0987654321"},
                 headers=auth(maker))
    department = make_user("department")[1]
    update = client.get(f"{URL}?action=update", headers=auth(department)).get_json()[0]
    assert update["old"]["phone"] == update["new"]["phone"] == "(hidden)"
    create = client.get(f"{URL}?action=create", headers=auth(department)).get_json()[0]
    assert create["new"]["national_id"] == "(hidden)" and create["new"]["owner_name"]
    auditor = make_user("auditor")[1]
    update = client.get(f"{URL}?action=update", headers=auth(auditor)).get_json()[0]
    assert update["old"]["phone"] == "0912345678" and update["new"]["phone"] == "0987654321"


def test_a_failing_write_leaves_no_audit_entry(client, boards, db, monkeypatch):
    """The entry is in the change's transaction: when the database refuses the change at
    flush time (here a stall code taken behind the check's back), neither is stored."""
    maker, _, _ = boards
    post_vendor(client, maker, stall_code="Z-001")
    other = post_vendor(client, maker, stall_code="Z-002")
    entries_before = len(audit_entries(db))
    monkeypatch.setattr(vendor_registry, "live_stalls", lambda session, market: {})
    response = client.patch(f"/api/v1/vendors/{other['id']}", json={"stall_code": "Z-001"},
                            headers=auth(maker))
    assert response.status_code == 409 and "stall_code" in response.get_json()["errors"]
    assert len(audit_entries(db)) == entries_before
    assert client.get(f"/api/v1/vendors/{other['id']}",
                      headers=auth(maker)).get_json()["stall_code"] == "Z-002"
