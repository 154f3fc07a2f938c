"""/api/v1/audit/snapshots: create, list, read in four formats, verify; no change, ever."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shutil
import subprocess

import pytest

from tests.factories import auth
from tests.reports.test_snapshots import tamper

URL = "/api/v1/audit/snapshots"


def create(client, token, ruleset="tn-2022", as_of="2024-06-30"):
    return client.post(URL, json={"ruleset": ruleset, "as_of": as_of}, headers=auth(token))


def test_who_may_create(client, scenario, make_user, department):
    assert client.post(URL, json={"ruleset": "tn-2022"}).status_code == 401
    for role, markets in (("board", ("DAI-TU",)), ("auditor", ()), ("vendor", None)):
        if role == "vendor":
            token = make_user("vendor", vendor_id=scenario["a"].id)[1]
        else:
            token = make_user(role, markets=markets)[1]
        assert create(client, token).status_code == 403, role
    response = create(client, department)
    assert response.status_code == 201
    body = response.get_json()
    assert (body["id"], body["ruleset"], body["as_of"], body["certified"]) == (
        1, "tn-2022", "2024-06-30", 1)
    assert body["created_by"] == "so-tttt" and body["prev_sha256"] is None
    assert body["body"]["summary"]["certified"] == 1
    admin = make_user("admin")[1]
    second = create(client, admin, ruleset="tn-pilot-example").get_json()
    assert second["prev_sha256"] == body["sha256"]


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({}, 422, "ruleset"),
        ({"ruleset": "tn-2022", "as_of": "2999-01-01"}, 422, "as_of"),
        ({"ruleset": "tn-2022", "as_of": "tomorrow"}, 422, "as_of"),
        ({"ruleset": "tn-2022", "sha256": "0" * 64}, 422, "sha256"),
        ({"ruleset": "tn-1999"}, 404, None),
        ({"ruleset": "../../etc"}, 422, "ruleset"),
    ],
)
def test_bad_requests(client, reference, department, payload, status, field):
    response = client.post(URL, json=payload, headers=auth(department))
    assert response.status_code == status
    if field:
        assert field in json.dumps(response.get_json()["errors"])


def test_list_and_read(client, scenario, make_user, department):
    create(client, department)
    create(client, department, ruleset="tn-pilot-example")
    assert client.get(URL).status_code == 401
    assert client.get(URL, headers=auth(make_user("board", markets=("DAI-TU",))[1])
                      ).status_code == 403
    auditor = make_user("auditor")[1]
    listed = client.get(URL, headers=auth(auditor))
    assert listed.status_code == 200 and json.loads(listed.headers["X-Pagination"])["total"] == 2
    newest, oldest = listed.get_json()
    assert set(newest) == {"id", "ruleset", "ruleset_sha256", "as_of", "created_at",
                           "created_by", "sha256", "prev_sha256", "certified", "key_id",
                           "signature"}
    assert newest["prev_sha256"] == oldest["sha256"] and newest["ruleset"] == "tn-pilot-example"
    assert newest["created_at"].endswith("+07:00")
    only = client.get(f"{URL}?ruleset=tn-2022", headers=auth(auditor)).get_json()
    assert [s["id"] for s in only] == [oldest["id"]]
    one = client.get(f"{URL}/{oldest['id']}", headers=auth(auditor)).get_json()
    assert one["sha256"] == oldest["sha256"] and len(one["body"]["markets"]) == 140
    assert client.get(f"{URL}/99", headers=auth(auditor)).status_code == 404


def test_canonical_csv_and_pdf(client, scenario, department):
    snapshot = create(client, department).get_json()
    url = f"{URL}/{snapshot['id']}"
    canonical = client.get(f"{url}?format=canonical", headers=auth(department))
    assert hashlib.sha256(canonical.data).hexdigest() == snapshot["sha256"]
    assert canonical.headers["X-Snapshot-SHA256"] == snapshot["sha256"]
    exported = client.get(f"{url}?format=csv&lang=vi", headers=auth(department))
    assert exported.mimetype == "text/csv"
    header, *lines = list(csv.reader(io.StringIO(exported.get_data(as_text=True)[1:])))
    assert len(lines) == 140 and header[:2] == ["Mã", "Tên"]
    dai_tu = next(line for line in lines if line[0] == "DAI-TU")
    assert dai_tu[header.index("Tỷ lệ có mã QR")] == "0.571429"  # exactly as frozen
    pdf = client.get(f"{url}?format=pdf&lang=vi", headers=auth(department))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF") and "attachment" in pdf.headers["Content-Disposition"]
    if shutil.which("pdftotext"):  # poppler-utils: installed by .ci/run
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf.data, capture_output=True,
                              check=True).stdout.decode().replace("\xa0", " ")
        assert f"Bản chốt số liệu công nhận Chợ 4.0 số {snapshot['id']}" in text
        assert "Ảnh chụp" not in text
        assert "Đạt chuẩn: 1/60 chợ theo chỉ tiêu (1,7 %), trên tổng số 140 chợ" in text
        assert "Chợ Hùng Sơn (Đại Từ)" in text and snapshot["sha256"] in text
        # Criteria in words, local dates, Vietnamese numbers; no metric codes or ISO dates
        assert "Tỷ lệ có mã QR ≥ 100 %" in text and "coverage >=" not in text
        assert "57,1 % ✗ chưa đạt" in text
        assert re.search(r"Tính đến ngày: \d\d/\d\d/\d{4} · Lập lúc: \d\d/\d\d/\d{4} \d\d:\d\d",
                         text)
        assert not re.search(r"\d{4}-\d\d-\d\d", text)
        assert "chưa có số liệu" in text  # markets without vendors
    english = client.get(f"{url}?format=pdf&lang=en", headers=auth(department))
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=english.data, capture_output=True,
                              check=True).stdout.decode()
        assert "QR coverage ≥ 100%" in text and "57.1% ✗ not passed" in text
    assert client.get(f"{url}?format=docx", headers=auth(department)).status_code == 422


def test_verify_and_tampering(client, db, scenario, department):
    first = create(client, department).get_json()
    second = create(client, department).get_json()
    ok = client.get(f"{URL}/{first['id']}/verify", headers=auth(department)).get_json()
    assert ok == {"id": first["id"], "sha256": first["sha256"], "hash_ok": True,
                  "chain_ok": True, "signature_ok": True, "key_id": first["key_id"],
                  "problems": [], "details": [], "changes": [],
                  "ruleset_sha256_now": first["ruleset_sha256"]}
    tamper(db, "UPDATE snapshots SET body = replace(body, :old, :new) WHERE id = :id",
           old='"certified":true', new='"certified":false', id=first["id"])
    altered = client.get(f"{URL}/{first['id']}/verify", headers=auth(department)).get_json()
    assert altered["hash_ok"] is False and altered["signature_ok"] is False
    assert f"snapshot {first['id']}: sha256: the body does not hash" in altered["problems"][0]
    assert {"snapshot": first["id"], "field": "signature",
            "message": f"does not verify with key {first['key_id']}"} in altered["details"]
    after = client.get(f"{URL}/{second['id']}/verify", headers=auth(department)).get_json()
    assert after["hash_ok"] is True and after["chain_ok"] is True
    assert client.get(f"{URL}/{first['id']}/verify").status_code == 401


def test_public_key_verifies_a_snapshot_outside_the_service(client, scenario, department):
    import base64

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    empty = client.get("/api/v1/audit/public-key")
    assert empty.status_code == 200 and empty.get_json()["chain_head"] is None
    snapshot = create(client, department).get_json()
    key = client.get("/api/v1/audit/public-key").get_json()  # public: no token
    assert key["algorithm"] == "Ed25519" and key["key_id"] == snapshot["key_id"]
    assert key["chain_head"] == {"id": snapshot["id"], "sha256": snapshot["sha256"]}
    assert [k["key_id"] for k in key["keys"]] == [key["key_id"]]
    canonical = client.get(f"{URL}/{snapshot['id']}?format=canonical",
                           headers=auth(department)).data
    signature = base64.b64decode(snapshot["signature"])
    Ed25519PublicKey.from_public_bytes(base64.b64decode(key["public_key"])).verify(
        signature, canonical)
    load_pem_public_key(key["pem"].encode()).verify(signature, canonical)


def test_no_way_to_change_or_delete(client, scenario, department):
    snapshot = create(client, department).get_json()
    for method in ("put", "patch", "delete"):
        response = getattr(client, method)(f"{URL}/{snapshot['id']}", json={},
                                           headers=auth(department))
        assert response.status_code == 405
