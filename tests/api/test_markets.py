"""Markets: public reads with filters, admin/department writes, district derived from commune."""

from __future__ import annotations

import json

import sqlalchemy as sa

from market40.models import Market
from tests.factories import auth
from tests.registry.helpers import audit_entries

NEW_MARKET = {
    "code": "CHO-MOI",
    "name": "Chợ Mới Hùng Sơn",
    "commune_code": "05761",
    "grade": 3,
    "address": "Tổ dân phố Sơn Tập 1, thị trấn Hùng Sơn",
    "board_name": "Ban quản lý chợ Mới",
    "launched_on": "2024-10-01",
}


def test_list_is_public_with_filters(client, reference):
    response = client.get("/api/v1/markets?page_size=500")
    assert response.status_code == 200
    markets = response.get_json()
    assert len(markets) == 140
    dai_tu = next(m for m in markets if m["code"] == "DAI-TU")
    assert dai_tu["district_code"] == "171" and dai_tu["district_name"] == "Đại Từ"
    assert (dai_tu["commune_code"], dai_tu["commune_name"], dai_tu["commune_kind"]) == (
        "05488", "Đại Phúc", "xã")
    assert (dai_tu["former_commune_code"], dai_tu["former_commune_name"]) == (
        "05761", "Hùng Sơn")
    assert dai_tu["launched_on"] == "2022-04-25"
    assert dai_tu["grade"] == 1 and dai_tu["status"] == "active"
    grade_1 = client.get("/api/v1/markets?grade=1").get_json()
    assert {m["code"] for m in grade_1} == {"THAI", "DONG-QUANG", "DAI-TU", "TUC-DUYEN"}
    in_dai_tu = client.get("/api/v1/markets?district=171&page_size=500").get_json()
    assert in_dai_tu and {m["district_code"] for m in in_dai_tu} == {"171"}
    assert client.get("/api/v1/markets?status=closed").get_json() == []
    assert [m["code"] for m in client.get("/api/v1/markets?q=đồng quang").get_json()] == [
        "DONG-QUANG"]


def test_pagination_and_bad_filters(client, reference):
    response = client.get("/api/v1/markets?page=3&page_size=20")
    assert len(response.get_json()) == 20
    assert json.loads(response.headers["X-Pagination"])["total"] == 140
    for query, field in (("grade=4", "grade"), ("status=open", "status"),
                         ("page_size=501", "page_size")):
        response = client.get(f"/api/v1/markets?{query}")
        assert response.status_code == 422 and field in json.dumps(response.get_json())


def test_get_one_and_404(client, reference):
    assert client.get("/api/v1/markets/dong-bam").get_json()["code"] == "DONG-BAM"
    response = client.get("/api/v1/markets/NOPE")
    assert response.status_code == 404 and "NOPE" in response.get_json()["message"]


def test_create_derives_the_district_and_audits(client, admin, db):
    response = client.post("/api/v1/markets", json={**NEW_MARKET, "code": "cho-moi"},
                           headers=auth(admin))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["code"] == "CHO-MOI" and body["district_code"] == "171"
    assert body["status"] == "active" and body["launched_on"] == "2024-10-01"
    [entry] = audit_entries(db, entity="market")
    assert entry.action == "create" and entry.entity_id == "CHO-MOI" and entry.actor == "admin"
    assert entry.new["district_code"] == "171" and entry.old is None


def test_create_validation(client, admin, db):
    cases = [
        ({"district_code": "164"}, "district_code", "former district 171, not 164"),
        ({"commune_code": "99999"}, "commune_code", "not a commune"),
        ({"grade": 4}, "grade", "1, 2 or 3"),
        ({"code": "X"}, "code", "2-40"),
        ({"name": "  "}, "name", "required"),
        ({"status": "open"}, "status", "active, closed"),
    ]
    for change, field, message in cases:
        response = client.post("/api/v1/markets", json={**NEW_MARKET, **change},
                               headers=auth(admin))
        assert response.status_code == 422, (change, response.get_json())
        assert message in " ".join(response.get_json()["errors"][field])
    missing = {k: v for k, v in NEW_MARKET.items() if k != "grade"}
    response = client.post("/api/v1/markets", json=missing, headers=auth(admin))
    assert response.status_code == 422 and "grade" in json.dumps(response.get_json())
    assert db.session.scalar(sa.select(Market).where(Market.code == "CHO-MOI")) is None
    assert audit_entries(db) == []


def test_create_duplicate_code_is_409(client, admin):
    response = client.post("/api/v1/markets", json={**NEW_MARKET, "code": "DAI-TU"},
                           headers=auth(admin))
    assert response.status_code == 409 and "DAI-TU" in response.get_json()["message"]


def test_writes_need_markets_write(client, reference, make_user):
    assert client.post("/api/v1/markets", json=NEW_MARKET).status_code == 401
    for role, markets in (("board", ("DAI-TU",)), ("auditor", ())):
        token = make_user(role, markets=markets)[1]
        assert client.post("/api/v1/markets", json=NEW_MARKET,
                           headers=auth(token)).status_code == 403
        assert client.patch("/api/v1/markets/DAI-TU", json={"grade": 2},
                            headers=auth(token)).status_code == 403
    department = make_user("department")[1]
    assert client.post("/api/v1/markets", json=NEW_MARKET,
                       headers=auth(department)).status_code == 201


def test_patch_changes_only_given_fields(client, reference, make_user, db):
    token = make_user("department", name="so-cong-thuong")[1]
    response = client.patch("/api/v1/markets/DONG-BAM",
                            json={"grade": 2, "launched_on": "2023-03-15"}, headers=auth(token))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["grade"] == 2 and body["launched_on"] == "2023-03-15"
    [entry] = audit_entries(db, entity="market", action="update")
    assert entry.entity_id == "DONG-BAM" and entry.market_code == "DONG-BAM"
    assert entry.old == {"grade": 3, "launched_on": None}
    assert entry.new == {"grade": 2, "launched_on": "2023-03-15"}


def test_patch_bad_input_changes_nothing(client, admin, db):
    before = client.get("/api/v1/markets/DONG-BAM").get_json()
    response = client.patch("/api/v1/markets/DONG-BAM",
                            json={"name": "Chợ Đồng Bẩm mới", "district_code": "171"},
                            headers=auth(admin))
    assert response.status_code == 422 and "district_code" in response.get_json()["errors"]
    response = client.patch("/api/v1/markets/DONG-BAM", json={"code": "LB"}, headers=auth(admin))
    assert response.status_code == 422 and "code" in json.dumps(response.get_json())
    response = client.patch("/api/v1/markets/DONG-BAM", json={"grade": "hai"},
                            headers=auth(admin))
    assert response.status_code == 422 and "grade" in json.dumps(response.get_json())
    assert client.get("/api/v1/markets/DONG-BAM").get_json() == before
    assert audit_entries(db) == []


def test_moving_a_market_to_another_commune_moves_its_district(client, admin):
    response = client.patch("/api/v1/markets/DONG-BAM", json={"commune_code": "05761"},
                            headers=auth(admin))
    assert response.status_code == 200
    assert response.get_json()["district_code"] == "171"


def test_commune_filter_uses_the_current_communes(client, reference):
    in_phan_dinh_phung = client.get("/api/v1/markets?commune=05443&page_size=500").get_json()
    codes = {m["code"] for m in in_phan_dinh_phung}
    assert {"THAI", "DONG-QUANG", "DAN", "TUC-DUYEN"} <= codes
    assert {m["commune_name"] for m in in_phan_dinh_phung} == {"Phan Đình Phùng"}
    assert {m["former_commune_code"] for m in in_phan_dinh_phung} >= {"05443", "05458"}


def test_create_in_a_current_commune(client, admin):
    """A current commune; its former district follows when all its parts were in one.

    Xã Đại Từ (05830) was formed from four communes of huyện Đại Từ; xã Đại Phúc (05488)
    from thị trấn Hùng Sơn (Đại Từ) and four communes of thành phố Thái Nguyên.
    """
    response = client.post("/api/v1/markets", json={**NEW_MARKET, "commune_code": "05830"},
                           headers=auth(admin))
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert (created["commune_code"], created["former_commune_code"]) == ("05830", None)
    assert created["district_code"] == "171"
    body = {**NEW_MARKET, "commune_code": "05488"}
    response = client.post("/api/v1/markets", headers=auth(admin), json={
        **body, "code": "CHO-MOI-2"})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["district_code"] is None
    response = client.post("/api/v1/markets", headers=auth(admin), json={
        **body, "code": "CHO-MOI-4", "former_commune_code": "05761"})
    assert response.status_code == 201, response.get_json()
    assert (response.get_json()["former_commune_code"], response.get_json()["district_code"]) \
        == ("05761", "171")
    response = client.post("/api/v1/markets", headers=auth(admin), json={
        **body, "code": "CHO-MOI-3", "former_commune_code": "05443"})
    assert response.status_code == 422
    assert "not a former commune of 05488" in " ".join(
        response.get_json()["errors"]["former_commune_code"])


def test_create_in_a_former_commune_is_translated(client, admin):
    response = client.post("/api/v1/markets", json=NEW_MARKET, headers=auth(admin))
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert (created["commune_code"], created["commune_name"]) == ("05488", "Đại Phúc")
    assert (created["former_commune_code"], created["district_code"]) == ("05761", "171")


def test_a_split_former_commune_asks_for_the_current_one(client, admin):
    """Phường Gia Sàng (05461) went partly to Phan Đình Phùng, the rest to Gia Sàng."""
    response = client.post("/api/v1/markets", json={**NEW_MARKET, "commune_code": "05461"},
                           headers=auth(admin))
    assert response.status_code == 422
    message = " ".join(response.get_json()["errors"]["commune_code"])
    assert "split" in message and "05443" in message and "05467" in message


def test_a_market_in_the_former_bac_kan_has_no_former_district(client, admin):
    response = client.post("/api/v1/markets", headers=auth(admin), json={
        **NEW_MARKET, "code": "CHO-BAC-KAN", "commune_code": "01843",
        "address": "Tổ 1, phường Bắc Kạn"})
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert (created["commune_name"], created["commune_kind"]) == ("Bắc Kạn", "phường")
    assert created["district_code"] is None and created["former_commune_code"] is None
