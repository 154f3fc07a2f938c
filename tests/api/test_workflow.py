"""Maker-checker: who may move a vendor where, QR issue and withdrawal, bulk approval."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from market40.models import Vendor
from tests.factories import auth
from tests.registry.helpers import (
    act,
    audit_entries,
    moves_released_together,
    post_vendor,
    submitted_vendor,
)


def test_maker_cannot_approve_but_another_user_can(client, maker, checker, db):
    vendor = submitted_vendor(client, maker)
    assert vendor["status"] == "submitted" and vendor["submitted_at"]
    refused = act(client, maker, vendor["id"], "approve")
    assert refused.status_code == 409
    assert "you made or last edited" in refused.get_json()["message"]
    approved = act(client, checker, vendor["id"], "approve")
    assert approved.status_code == 200
    body = approved.get_json()
    assert body["status"] == "approved" and body["checked_by"] == "checker"
    assert body["approved_at"] and body["qr_issued_at"] == body["approved_at"]
    actions = [e.action for e in audit_entries(db, entity_id=str(vendor["id"]))]
    assert actions == ["create", "submit", "approve"]
    entry = audit_entries(db, entity_id=str(vendor["id"]), action="approve")[0]
    assert entry.actor == "checker" and entry.old["status"] == "submitted"
    assert entry.new["status"] == "approved" and entry.new["qr_issued_at"]


def test_maker_cannot_reject_either(client, maker):
    vendor = submitted_vendor(client, maker)
    response = act(client, maker, vendor["id"], "reject", reason="Sai thông tin")
    assert response.status_code == 409 and "maker" in response.get_json()["message"]


def test_approval_without_bank_account_issues_no_qr(client, maker, checker):
    vendor = submitted_vendor(client, maker, bank_bin=None, account_number=None,
                              account_holder=None)
    body = act(client, checker, vendor["id"], "approve").get_json()
    assert body["status"] == "approved" and body["qr_issued_at"] is None


def test_reject_and_revert_need_a_reason(client, maker, checker):
    vendor = submitted_vendor(client, maker)
    for action in ("reject", "revert"):
        response = act(client, checker, vendor["id"], action)
        assert response.status_code == 422 and "reason" in str(response.get_json())
        response = act(client, checker, vendor["id"], action, reason="   ")
        assert response.status_code == 422 and "reason" in response.get_json()["errors"]
    rejected = act(client, checker, vendor["id"], "reject", reason="Không phải tiểu thương")
    assert rejected.status_code == 200
    assert rejected.get_json()["reason"] == "Không phải tiểu thương"
    assert rejected.get_json()["status"] == "rejected"


OUTSIDE_THE_WORKFLOW = [
    ((), "approve"),  # from draft
    ((), "reject"),
    ((), "revert"),
    (("submit",), "submit"),
    (("submit", "approve"), "approve"),
    (("submit", "approve"), "reject"),
    (("submit", "approve"), "submit"),
    (("submit", "reject"), "revert"),
    (("submit", "reject"), "submit"),
]


def test_moves_outside_the_workflow_are_409(client, maker, checker):
    for path, action in OUTSIDE_THE_WORKFLOW:
        vendor = post_vendor(client, maker)
        for step in path:
            token = maker if step == "submit" else checker
            body = {"reason": "lý do"} if step in ("reject", "revert") else {}
            assert act(client, token, vendor["id"], step, **body).status_code == 200
        body = {"reason": "lý do"} if action in ("reject", "revert") else {}
        response = act(client, checker, vendor["id"], action, **body)
        assert response.status_code == 409, (path, action)
        assert "only a vendor that is" in response.get_json()["message"]


def test_revert_edit_resubmit_and_approve(client, maker, checker, make_user):
    vendor = submitted_vendor(client, maker)
    reverted = act(client, checker, vendor["id"], "revert", reason="Sai số tài khoản")
    assert reverted.get_json()["status"] == "reverted"
    # The checker fixes it: now both are makers of the pending state (nothing was approved
    # since the creation), so a third user has to approve it.
    edited = client.patch(f"/api/v1/vendors/{vendor['id']}", json={"account_number": "1234567890"},
                          headers=auth(checker))
    assert edited.status_code == 200 and edited.get_json()["made_by"] == "checker"
    assert act(client, checker, vendor["id"], "submit").status_code == 200
    assert act(client, checker, vendor["id"], "approve").status_code == 409
    assert act(client, maker, vendor["id"], "approve").status_code == 409
    third = make_user("board", markets=("DAI-TU",))[1]
    response = act(client, third, vendor["id"], "approve")
    assert response.status_code == 200 and response.get_json()["status"] == "approved"


def test_bank_change_on_approved_vendor_withdraws_its_qr(client, maker, checker, db):
    vendor = submitted_vendor(client, maker)
    approved = act(client, checker, vendor["id"], "approve").get_json()
    assert approved["qr_issued_at"]
    # A name change keeps it approved: the QR does not carry the name.
    renamed = client.patch(f"/api/v1/vendors/{vendor['id']}", json={"display_name": "Rau mới"},
                           headers=auth(maker)).get_json()
    assert renamed["status"] == "approved" and renamed["qr_issued_at"] == approved["qr_issued_at"]
    changed = client.patch(f"/api/v1/vendors/{vendor['id']}", headers=auth(maker),
                           json={"bank_bin": "970415", "account_number": "101010101010"})
    assert changed.status_code == 200
    body = changed.get_json()
    assert body["status"] == "submitted" and body["qr_issued_at"] is None
    assert body["approved_at"] is None and body["made_by"] == "maker"
    entry = audit_entries(db, entity_id=str(vendor["id"]), action="update")[-1]
    assert entry.old["bank_bin"] == "970436" and entry.new["bank_bin"] == "970415"
    assert entry.old["account_number"] == vendor["account_number"]
    assert entry.new["account_number"] == "101010101010"
    assert entry.old["status"] == "approved" and entry.new["status"] == "submitted"
    assert entry.old["qr_issued_at"] and entry.new["qr_issued_at"] is None
    # The maker of the change cannot approve it; the other board user can, with a new QR.
    assert act(client, maker, vendor["id"], "approve").status_code == 409
    again = act(client, checker, vendor["id"], "approve").get_json()
    assert again["status"] == "approved" and again["qr_issued_at"] > approved["qr_issued_at"]


def test_revert_of_approved_vendor_withdraws_its_qr(client, maker, checker):
    vendor = submitted_vendor(client, maker)
    act(client, checker, vendor["id"], "approve")
    body = act(client, maker, vendor["id"], "revert", reason="Đổi tài khoản").get_json()
    assert body["status"] == "reverted" and body["qr_issued_at"] is None


def test_rejected_vendor_cannot_be_edited(client, maker, checker):
    vendor = submitted_vendor(client, maker)
    act(client, checker, vendor["id"], "reject", reason="Không phải tiểu thương")
    response = client.patch(f"/api/v1/vendors/{vendor['id']}", json={"display_name": "X"},
                            headers=auth(maker))
    assert response.status_code == 409 and "rejected" in response.get_json()["message"]


def test_roles(client, maker, make_user):
    vendor = submitted_vendor(client, maker)
    for role in ("department", "auditor"):
        token = make_user(role)[1]
        assert act(client, token, vendor["id"], "approve").status_code == 403
    assert act(client, "", vendor["id"], "approve").status_code == 401
    admin = make_user("admin")[1]
    assert act(client, admin, vendor["id"], "approve").status_code == 200


def test_approving_a_version_that_changed_is_409(client, maker, checker):
    vendor = submitted_vendor(client, maker)
    client.patch(f"/api/v1/vendors/{vendor['id']}", json={"account_number": "99999999"},
                 headers=auth(maker))
    response = act(client, checker, vendor["id"], "approve", version=vendor["version"])
    assert response.status_code == 409 and "changed since you read it" in str(response.get_json())


def test_bulk_approve_reports_each_id(client, maker, checker, make_user, db):
    good = [submitted_vendor(client, maker)["id"] for _ in range(3)]
    own = submitted_vendor(client, checker)["id"]
    draft = post_vendor(client, maker)["id"]
    thai_board = make_user("board", markets=("THAI",))[1]
    elsewhere = submitted_vendor(client, thai_board, "THAI")["id"]
    ids = [*good, own, draft, elsewhere, 999999, good[0]]
    response = client.post("/api/v1/vendors/bulk-approve", json={"ids": ids},
                           headers=auth(checker))
    assert response.status_code == 200
    body = response.get_json()
    assert body["approved"] == 3 and body["failed"] == 4
    outcomes = {r["id"]: r for r in body["results"]}
    assert [r["id"] for r in body["results"]] == ids[:-1]  # duplicates reported once
    assert all(outcomes[i]["outcome"] == "approved" and outcomes[i]["code"] == 200 for i in good)
    assert outcomes[own]["code"] == 409 and "made or last edited" in outcomes[own]["message"]
    assert outcomes[own]["status"] == "submitted"
    assert outcomes[draft]["code"] == 409 and outcomes[draft]["status"] == "draft"
    assert outcomes[elsewhere]["code"] == 403 and outcomes[elsewhere]["status"] is None
    assert outcomes[999999]["code"] == 404
    db.session.expire_all()
    statuses = {i: s for i, s in db.session.execute(sa.select(Vendor.id, Vendor.status))}
    assert [statuses[i] for i in good] == ["approved"] * 3
    assert statuses[own] == "submitted" and statuses[elsewhere] == "submitted"
    assert len(audit_entries(db, action="approve")) == 3


def test_bulk_approve_input_and_role(client, maker, make_user):
    response = client.post("/api/v1/vendors/bulk-approve", json={"ids": []}, headers=auth(maker))
    assert response.status_code == 422 and "ids" in str(response.get_json())
    response = client.post("/api/v1/vendors/bulk-approve", json={"ids": ["1"]},
                           headers=auth(maker))
    assert response.status_code == 422
    department = make_user("department")[1]
    response = client.post("/api/v1/vendors/bulk-approve", json={"ids": [1]},
                           headers=auth(department))
    assert response.status_code == 403


def test_concurrent_approvals_one_wins(app, client, maker, make_user, db, monkeypatch):
    """Two checkers approve the same vendor at the same moment: one 200, one 409."""
    vendor = submitted_vendor(client, maker)
    tokens = [make_user("board", markets=("DAI-TU",))[1] for _ in range(2)]
    moves_released_together(monkeypatch)
    results: list[tuple[int, dict]] = []

    def approve(token: str) -> None:
        response = app.test_client().post(f"/api/v1/vendors/{vendor['id']}/approve",
                                          headers=auth(token), json={})
        results.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=approve, args=(t,)) for t in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(code for code, _ in results) == [200, 409], results
    loser = next(body for code, body in results if code == 409)
    assert "changed by someone else" in loser["message"]
    assert len(audit_entries(db, action="approve")) == 1
    db.session.expire_all()
    assert db.session.get(Vendor, vendor["id"]).version == vendor["version"] + 1
