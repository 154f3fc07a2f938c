"""Registering, reading and editing vendors: validation, scope, personal data."""

from __future__ import annotations

import json

import sqlalchemy as sa

from market40.models import Bank, Vendor
from tests.factories import auth
from tests.registry.helpers import (
    act,
    audit_entries,
    post_vendor,
    submitted_vendor,
    vendor_count,
    vendor_payload,
)


def test_register_normalises_and_starts_as_draft(client, board, db):
    response = client.post("/api/v1/markets/dai-tu/vendors", headers=auth(board), json={
        "stall_code": " a-012 ",
        "display_name": "Rau sạch  cô Lan",
        # NFD (decomposed) input, as macOS keyboards send it, is stored NFC.
        "owner_name": "Nguye\u0302\u0303n Thi\u0323 Lan",
        "phone": "+84 912 345 678",
        "national_id": "019180001234",
        "goods_category": "RAU CỦ QUẢ",
        "bank_bin": "vietcombank",
        "account_number": "0123456789",
        "account_holder": "  NGUYEN THI LAN ",
    })
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["stall_code"] == "A-012"
    assert body["display_name"] == "Rau sạch cô Lan"
    assert body["owner_name"] == "Nguyễn Thị Lan"
    assert body["phone"] == "0912345678"
    assert body["goods_category"] == "rau củ quả"
    assert body["bank_bin"] == "970436" and body["account_holder"] == "NGUYEN THI LAN"
    assert body["status"] == "draft" and body["made_by"] == "bq-daitu"
    assert body["market_code"] == "DAI-TU" and body["has_bank_account"] is True
    assert body["qr_issued_at"] is None
    assert body["created_at"].endswith("+07:00")
    [entry] = audit_entries(db, entity="vendor", entity_id=str(body["id"]))
    assert entry.action == "create" and entry.new["stall_code"] == "A-012"


BAD_FIELDS = [
    ("phone", "0212345678", "mobile"),
    ("phone", "091234567", "mobile"),
    ("national_id", "01918000123", "12-digit"),
    ("goods_category", "xe máy", "must be one of"),
    ("bank_bin", "970499", "not a known bank"),
    ("bank_bin", "12345", "6-digit"),
    ("account_number", "12345", "6 to 19 digits"),
    ("account_number", "12345678901234567890", "6 to 19 digits"),
    ("stall_code", "#12", "letters, digits"),
    ("display_name", "", "required"),
    ("display_name", "x" * 121, "at most 120"),
]


def test_bad_field_is_422_naming_it_and_nothing_stored(client, board, db):
    for field, value, expected in BAD_FIELDS:
        response = client.post("/api/v1/markets/DAI-TU/vendors", headers=auth(board),
                               json=vendor_payload(**{field: value}))
        assert response.status_code == 422, (field, value)
        errors = response.get_json()["errors"]
        assert field in errors and expected in " ".join(errors[field]), (field, errors)
    assert vendor_count(db) == 0 and audit_entries(db) == []


def test_bank_fields_all_or_none(client, board, db):
    response = client.post("/api/v1/markets/DAI-TU/vendors", headers=auth(board),
                           json=vendor_payload(account_number=None))
    assert response.status_code == 422
    assert "account_number" in response.get_json()["errors"]
    vendor = post_vendor(client, board, bank_bin=None, account_number=None, account_holder=None)
    assert vendor["has_bank_account"] is False and vendor["bank_bin"] is None


def test_inactive_bank_refused_for_new_accounts_but_kept_on_old_vendors(client, board, db):
    vendor = post_vendor(client, board, bank_bin="970416")
    db.session.get(Bank, "970416").active = False
    db.session.commit()
    response = client.post("/api/v1/markets/DAI-TU/vendors", headers=auth(board),
                           json=vendor_payload(bank_bin="970416"))
    assert response.status_code == 422
    assert "no longer active" in response.get_json()["errors"]["bank_bin"][0]
    # Editing something else of a vendor at that bank still works.
    response = client.patch(f"/api/v1/vendors/{vendor['id']}", headers=auth(board),
                            json={"bank_bin": "970416", "display_name": "Rau cô Lan"})
    assert response.status_code == 200, response.get_json()


def test_unknown_field_is_rejected(client, board):
    response = client.post("/api/v1/markets/DAI-TU/vendors", headers=auth(board),
                           json=vendor_payload(status="approved"))
    assert response.status_code == 422
    assert "status" in json.dumps(response.get_json())


def test_stall_code_unique_in_market_until_rejected(client, board, checker, make_user, db):
    first = submitted_vendor(client, board, stall_code="B-001")
    # Another market may use the same stall code.
    post_vendor(client, make_user("board", markets=("THAI",))[1], "THAI", stall_code="B-001")
    response = client.post("/api/v1/markets/DAI-TU/vendors", headers=auth(board),
                           json=vendor_payload(stall_code="b-001"))
    assert response.status_code == 409
    assert "B-001" in response.get_json()["errors"]["stall_code"][0]
    # A rejected registration frees the stall for a new one.
    rejected = act(client, checker, first["id"], "reject", reason="Không phải tiểu thương")
    assert rejected.status_code == 200
    post_vendor(client, board, stall_code="B-001")
    assert vendor_count(db) == 3


def test_writes_need_a_token_and_a_role(client, reference, make_user):
    url = "/api/v1/markets/DAI-TU/vendors"
    assert client.post(url, json=vendor_payload()).status_code == 401
    response = client.post(url, json=vendor_payload(), headers=auth("m40_not-a-token"))
    assert response.status_code == 401 and response.headers["WWW-Authenticate"]
    department = make_user("department")[1]
    assert client.post(url, json=vendor_payload(), headers=auth(department)).status_code == 403
    assert client.post("/api/v1/markets/NOPE/vendors", json=vendor_payload(),
                       headers=auth(make_user("admin")[1])).status_code == 404


def test_board_cannot_touch_another_markets_vendors(client, board, make_user):
    thai = make_user("board", markets=("THAI",))[1]
    vendor = post_vendor(client, board)
    assert client.post("/api/v1/markets/DAI-TU/vendors", json=vendor_payload(),
                       headers=auth(thai)).status_code == 403
    assert client.get(f"/api/v1/vendors/{vendor['id']}", headers=auth(thai)).status_code == 403
    assert client.get("/api/v1/markets/DAI-TU/vendors", headers=auth(thai)).status_code == 403
    response = client.patch(f"/api/v1/vendors/{vendor['id']}", json={"display_name": "X"},
                            headers=auth(thai))
    assert response.status_code == 403
    assert act(client, thai, vendor["id"], "submit").status_code == 403


def test_vendor_reads_need_a_token(client, board):
    vendor = post_vendor(client, board)
    assert client.get("/api/v1/markets/DAI-TU/vendors").status_code == 401
    assert client.get(f"/api/v1/vendors/{vendor['id']}").status_code == 401


def test_personal_data_only_for_permitted_readers(client, board, make_user):
    vendor = post_vendor(client, board)
    department = make_user("department")[1]
    auditor = make_user("auditor")[1]
    for token, visible in ((board, True), (auditor, True), (department, False)):
        one = client.get(f"/api/v1/vendors/{vendor['id']}", headers=auth(token)).get_json()
        listed = client.get("/api/v1/markets/DAI-TU/vendors", headers=auth(token)).get_json()[0]
        for body in (one, listed):
            assert ("phone" in body) is visible and ("national_id" in body) is visible
            assert body["owner_name"] == "Nguyễn Thị Lan"


def test_vendor_user_sees_only_its_own_stall(client, board, make_user):
    mine = post_vendor(client, board)
    other = post_vendor(client, board)
    token = make_user("vendor", vendor_id=mine["id"])[1]
    listed = client.get("/api/v1/markets/DAI-TU/vendors", headers=auth(token)).get_json()
    assert [v["id"] for v in listed] == [mine["id"]] and listed[0]["phone"] == "0912345678"
    assert client.get(f"/api/v1/vendors/{other['id']}", headers=auth(token)).status_code == 403
    assert client.get("/api/v1/markets/THAI/vendors", headers=auth(token)).status_code == 403
    response = client.patch(f"/api/v1/vendors/{mine['id']}", json={"display_name": "X"},
                            headers=auth(token))
    assert response.status_code == 403


def test_list_filters_and_pagination(client, board, checker):
    post_vendor(client, board, stall_code="A-001", goods_category="thịt",
                display_name="Thịt lợn Hùng")
    post_vendor(client, board, stall_code="A-002", bank_bin=None, account_number=None,
                account_holder=None)
    approved = submitted_vendor(client, board, stall_code="A-003")
    assert act(client, checker, approved["id"], "approve").status_code == 200
    for n in range(4, 9):
        post_vendor(client, board, stall_code=f"C-{n:03d}")

    def codes(query: str) -> list[str]:
        response = client.get(f"/api/v1/markets/DAI-TU/vendors?{query}", headers=auth(board))
        assert response.status_code == 200, response.get_json()
        return [v["stall_code"] for v in response.get_json()]

    assert codes("goods_category=THỊT") == ["A-001"]
    assert codes("has_bank_account=false") == ["A-002"]
    assert codes("status=approved") == ["A-003"]
    assert codes("q=hùng") == ["A-001"]
    assert codes("q=c-00") == ["C-004", "C-005", "C-006", "C-007", "C-008"]
    assert codes("page=2&page_size=3") == ["C-004", "C-005", "C-006"]
    response = client.get("/api/v1/markets/DAI-TU/vendors?page_size=3", headers=auth(board))
    assert json.loads(response.headers["X-Pagination"])["total"] == 8
    response = client.get("/api/v1/markets/DAI-TU/vendors?status=lost", headers=auth(board))
    assert response.status_code == 422 and "status" in json.dumps(response.get_json())


def test_patch_with_bad_fields_changes_nothing(client, board, db):
    vendor = post_vendor(client, board)
    response = client.patch(f"/api/v1/vendors/{vendor['id']}", headers=auth(board),
                            json={"display_name": "Tên mới", "phone": "123"})
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["phone"]
    db.session.expire_all()
    stored = db.session.get(Vendor, vendor["id"])
    assert stored.display_name == vendor["display_name"] and stored.phone == "0912345678"
    assert [e.action for e in audit_entries(db, entity_id=str(vendor["id"]))] == ["create"]
    response = client.patch(f"/api/v1/vendors/{vendor['id']}", headers=auth(board),
                            json={"account_holder": None})
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"account_holder"}
    response = client.patch(f"/api/v1/vendors/{vendor['id']}", headers=auth(board),
                            json={"market_code": "THAI"})
    assert response.status_code == 422 and "market_code" in json.dumps(response.get_json())


def test_patch_clears_optional_fields_and_audits_the_difference(client, board, db):
    vendor = post_vendor(client, board)
    response = client.patch(f"/api/v1/vendors/{vendor['id']}", headers=auth(board), json={
        "phone": None, "bank_bin": None, "account_number": None, "account_holder": None})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["phone"] is None and body["has_bank_account"] is False
    entry = audit_entries(db, entity_id=str(vendor["id"]), action="update")[0]
    assert entry.old["phone"] == "0912345678" and entry.new["phone"] is None
    assert entry.old["bank_bin"] == "970436" and "display_name" not in entry.new
    # Sending the same values again is no change, and no audit entry.
    again = client.patch(f"/api/v1/vendors/{vendor['id']}", headers=auth(board),
                         json={"phone": None})
    assert again.status_code == 200 and again.get_json()["version"] == body["version"]
    assert len(audit_entries(db, entity_id=str(vendor["id"]), action="update")) == 1


def test_patch_with_a_stale_version_is_409(client, board):
    vendor = post_vendor(client, board)
    url = f"/api/v1/vendors/{vendor['id']}"
    ok = client.patch(url, json={"display_name": "A", "version": vendor["version"]},
                      headers=auth(board))
    assert ok.status_code == 200
    stale = client.patch(url, json={"display_name": "B", "version": vendor["version"]},
                         headers=auth(board))
    assert stale.status_code == 409 and "changed since you read it" in stale.get_json()["message"]


def test_stall_code_change_to_a_taken_one_is_409(client, board):
    post_vendor(client, board, stall_code="D-001")
    other = post_vendor(client, board, stall_code="D-002")
    response = client.patch(f"/api/v1/vendors/{other['id']}", json={"stall_code": "d-001"},
                            headers=auth(board))
    assert response.status_code == 409 and "stall_code" in response.get_json()["errors"]


def test_unknown_vendor_is_404(client, board):
    assert client.get("/api/v1/vendors/999999", headers=auth(board)).status_code == 404


def test_get_one_vendor(client, board, db):
    vendor = post_vendor(client, board)
    body = client.get(f"/api/v1/vendors/{vendor['id']}", headers=auth(board)).get_json()
    assert body == vendor
    assert db.session.scalar(sa.select(Vendor.made_by_id).where(Vendor.id == vendor["id"]))
