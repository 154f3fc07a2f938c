from __future__ import annotations

import json


def test_districts_with_communes(client, reference):
    response = client.get("/api/v1/districts")
    assert response.status_code == 200
    districts = response.get_json()
    assert [d["code"] for d in districts][:3] == ["164", "165", "167"]
    dai_tu = next(d for d in districts if d["code"] == "171")
    assert dai_tu["name"] == "Đại Từ" and len(dai_tu["communes"]) == 27
    assert {"code": "05761", "name": "Hùng Sơn", "kind": "thị trấn"} in dai_tu["communes"]


def test_banks_search_by_bin_name_and_former_name(client, reference):
    assert [b["bin"] for b in client.get("/api/v1/banks?q=970436").get_json()] == ["970436"]
    assert "970416" in [b["bin"] for b in client.get("/api/v1/banks?q=acb").get_json()]
    assert [b["bin"] for b in client.get("/api/v1/banks?q=oceanbank").get_json()] == ["970414"]


def test_banks_pagination_header(client, reference):
    response = client.get("/api/v1/banks?page=2&page_size=20")
    assert response.status_code == 200
    assert len(response.get_json()) == 20
    pagination = json.loads(response.headers["X-Pagination"])
    assert pagination["total"] == 66 and pagination["page"] == 2 and pagination["last_page"] == 4


def test_bad_pagination_is_422_naming_the_field(client, reference):
    response = client.get("/api/v1/banks?page_size=0")
    assert response.status_code == 422
    assert "page_size" in json.dumps(response.get_json())
    response = client.get("/api/v1/banks?active=maybe")
    assert response.status_code == 422
    assert "active" in json.dumps(response.get_json())


def test_communes_in_force_today_with_what_they_were_formed_from(client, reference):
    response = client.get("/api/v1/communes")
    assert response.status_code == 200
    communes = response.get_json()
    assert len(communes) == 92
    by_code = {c["code"]: c for c in communes}
    pdp = by_code["05443"]
    assert (pdp["name"], pdp["kind"], pdp["label"]) == (
        "Phan Đình Phùng", "phường", "phường Phan Đình Phùng")
    assert (pdp["valid_from"], pdp["valid_to"], pdp["district_code"]) == ("2025-07-01", None, None)
    parts = {(p["code"], p["name"], p["whole"]) for p in pdp["formed_from"]}
    assert {("05443", "Trưng Vương", True), ("05458", "Đồng Quang", True),
            ("05437", "Túc Duyên", True), ("05452", "Tân Thịnh", True),
            ("05461", "Gia Sàng", False)} <= parts
    assert {p["source"] for p in pdp["formed_from"]} == {
        "NQ 1683/NQ-UBTVQH15 Điều 1 khoản 76"}
    bac_kan = by_code["01843"]
    assert bac_kan["label"] == "phường Bắc Kạn"
    assert {(p["code"], p["province"]) for p in bac_kan["formed_from"]} == {(None, "Bắc Kạn")}


def test_communes_on_a_date_before_the_reform(client, reference):
    communes = client.get("/api/v1/communes?as_of=2025-06-30").get_json()
    assert len(communes) == 172
    trung_vuong = next(c for c in communes if c["code"] == "05443")
    assert (trung_vuong["name"], trung_vuong["district_code"]) == ("Trưng Vương", "164")
    assert trung_vuong["valid_to"] == "2025-06-30" and trung_vuong["formed_from"] == []
    assert len(client.get("/api/v1/communes?as_of=2025-07-01").get_json()) == 92


def test_communes_bad_date_is_422_naming_the_field(client, reference):
    for query in ("as_of=2025-13-01", "as_of=hôm nay", "asof=2025-01-01"):
        response = client.get(f"/api/v1/communes?{query}")
        assert response.status_code == 422, query
        assert "as_of" in json.dumps(response.get_json()) or "asof" in json.dumps(
            response.get_json())


def test_reference_data_is_cached_by_etag(client, reference):
    for url in ("/api/v1/communes?as_of=2026-01-01", "/api/v1/districts"):
        first = client.get(url)
        assert first.headers["ETag"] and "max-age" in first.headers["Cache-Control"]
        again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.data == b""
    other = client.get("/api/v1/communes?as_of=2025-06-30")
    assert other.headers["ETag"] != client.get("/api/v1/communes").headers["ETag"]
