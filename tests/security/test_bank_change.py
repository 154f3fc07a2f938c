"""A changed bank account is money redirected: it goes back through maker-checker.

Until someone other than the editor approves the new account, every QR endpoint of the
vendor answers an error, the old printed code no longer verifies, and the audit log
shows the old and the new account.
"""

from __future__ import annotations

from tests.security.conftest import PERSONAL

QR_URLS = ("/qr", "/qr?format=png", "/qr?format=svg", "/qr?amount=50000", "/card.pdf")
NEW_ACCOUNT = "99887766554"


def test_new_account_withdraws_the_qr_until_someone_else_approves_it(client, world):
    vendor_id = world.vendors["own"]
    base = f"/api/v1/vendors/{vendor_id}"
    board, admin = world.headers("board_a"), world.headers("admin")
    old_payload = client.get(f"{base}/qr", headers=board).get_json()["payload"]
    old_account = PERSONAL["own"][2]
    assert old_account in old_payload

    changed = client.patch(base, json={"account_number": NEW_ACCOUNT}, headers=board)
    assert changed.status_code == 200
    assert changed.get_json()["status"] == "submitted"
    assert changed.get_json()["qr_issued_at"] is None

    for suffix in QR_URLS:
        for role in ("board_a", "vendor_a", "admin"):
            response = client.get(base + suffix, headers=world.headers(role))
            assert response.status_code == 409, (suffix, role)
            assert "not approved" in response.get_json()["message"]
    verdict = client.post("/api/v1/qr/verify", json={"vendor_id": vendor_id,
                                                     "payload": old_payload}, headers=board)
    assert verdict.status_code == 200 and verdict.get_json()["match"] is False

    entries = client.get(f"/api/v1/audit/log?entity=vendor&entity_id={vendor_id}&action=update",
                         headers=admin).get_json()
    assert entries[0]["old"]["account_number"] == old_account
    assert entries[0]["new"]["account_number"] == NEW_ACCOUNT
    assert entries[0]["old"]["status"] == "approved" and entries[0]["new"]["status"] == "submitted"

    # The editor is now the maker: it cannot approve its own change; another user can.
    assert client.post(f"{base}/approve", headers=board).status_code == 409
    assert client.post(f"{base}/approve", headers=admin).status_code == 200
    new_payload = client.get(f"{base}/qr", headers=board).get_json()["payload"]
    assert NEW_ACCOUNT in new_payload and old_account not in new_payload
    again = client.post("/api/v1/qr/verify", json={"vendor_id": vendor_id,
                                                   "payload": old_payload}, headers=board)
    assert again.get_json()["match"] is False
    assert client.post("/api/v1/qr/verify", json={"vendor_id": vendor_id, "payload": new_payload},
                       headers=board).get_json()["match"] is True


def test_a_change_of_bank_alone_also_needs_approval(client, world):
    base = f"/api/v1/vendors/{world.vendors['own']}"
    changed = client.patch(base, json={"bank_bin": "970415"}, headers=world.headers("admin"))
    assert changed.get_json()["status"] == "submitted"
    assert client.get(f"{base}/qr", headers=world.headers("admin")).status_code == 409
