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
