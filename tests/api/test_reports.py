"""GET /api/v1/reports/...: figures, access, validation and CSV."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from market40.localtime import local_today
from market40.reports.metrics import METRICS
from tests.factories import auth
from tests.reports.oracle import as_json, expected
from tests.reports.scenario import AS_OF

URL = "/api/v1/reports/adoption"


def rows(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.mark.parametrize(
    ("query", "markets"),
    [
        ("level=market&code=DAI-TU", ["DAI-TU"]),
        ("level=market&code=DONG-QUANG", ["DONG-QUANG"]),
        ("level=district&code=171", "171"),
        ("level=province", None),
        ("", None),
    ],
)
def test_public_figures_equal_the_raw_computation(client, db, scenario, query, markets):
    from market40.models import Market

    if isinstance(markets, str):
        markets = [m.code for m in db.session.query(Market).filter_by(district_code=markets)]
    for window in (1, 30):
        response = client.get(f"{URL}?{query}&as_of=2024-06-30&window={window}")
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert set(body) == set(METRICS) | {"level", "code", "name", "as_of", "window",
                                            "historical"}
        assert body["as_of"] == "2024-06-30" and body["window"] == window
        want = as_json(expected(db.session, AS_OF, window, markets))
        assert {k: body[k] for k in METRICS} == pytest.approx(want)


def test_names_nulls_and_defaults(client, scenario):
    body = client.get(f"{URL}?level=district&code=171&as_of=2024-06-30").get_json()
    assert (body["name"], body["code"], body["level"]) == ("Đại Từ", "171", "district")
    assert body["coverage"] == pytest.approx(9 / 20)
    empty = client.get(f"{URL}?level=market&code=DONG-QUANG&as_of=2024-06-30").get_json()
    assert empty["coverage"] is None and empty["fees_cashless_share"] is None
    assert isinstance(empty["registered"], int)
    province = client.get(URL).get_json()
    assert province["as_of"] == local_today().isoformat() and province["window"] == 30
    assert (province["level"], province["code"], province["name"]) == (
        "province", "19", "Thái Nguyên")


def test_vendor_figures_need_a_token_in_scope(client, db, scenario, make_user):
    vendor = scenario["b"]
    query = f"{URL}?level=vendor&code={vendor.id}&as_of=2024-06-30"
    assert client.get(query).status_code == 401
    assert client.get(query, headers={"Authorization": "Bearer nope"}).status_code == 401
    _, other_board = make_user("board", markets=("THAI",))
    assert client.get(query, headers=auth(other_board)).status_code == 403
    _, other_vendor = make_user("vendor", vendor_id=scenario["a"].id)
    assert client.get(query, headers=auth(other_vendor)).status_code == 403
    for user in (make_user("board", markets=("DAI-TU",)), make_user("vendor", vendor_id=vendor.id),
                 make_user("department"), make_user("auditor")):
        response = client.get(query, headers=auth(user[1]))
        assert response.status_code == 200, user[0].role
    body = response.get_json()
    want = as_json(expected(db.session, AS_OF, 30, vendor_id=vendor.id))
    assert {k: body[k] for k in METRICS} == pytest.approx(want)
    assert body["online_products"] is None and body["name"] == vendor.display_name
    series = client.get(f"{URL}/series?level=vendor&code={vendor.id}")
    assert series.status_code == 401


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("level=county", 422, "level"),
        ("level=market", 422, "code"),
        ("level=vendor&code=x", 422, "code"),
        ("level=market&code=NOPE", 404, None),
        ("level=district&code=999", 404, None),
        ("window=0", 422, "window"),
        ("window=367", 422, "window"),
        ("window=ten", 422, "window"),
        ("as_of=30/06/2024", 422, "as_of"),
        ("as_of=2999-01-01", 422, "as_of"),
        ("as_of=0001-01-01", 422, "as_of"),  # no window before it: was a 500
        ("as_of=1999-12-31", 422, "as_of"),
        ("format=xlsx", 422, "format"),
        ("lang=fr", 422, "lang"),
        ("colour=red", 422, "colour"),
    ],
)
def test_bad_queries_are_4xx_naming_the_field(client, reference, query, status, field):
    response = client.get(f"{URL}?{query}")
    assert response.status_code == status
    body = response.get_json()
    assert body["code"] == status
    if field:
        assert field in str(body["errors"])


def test_csv_in_english_and_vietnamese(client, scenario):
    response = client.get(f"{URL}?level=market&code=DAI-TU&as_of=2024-06-30&format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="adoption-market-DAI-TU-2024-06-30.csv"' in (
        response.headers["Content-Disposition"])
    header, row = rows(response)
    assert header == ["level", "code", "name", "as_of", "window", *METRICS]
    values = dict(zip(header, row, strict=True))
    assert values["registered"] == "7" and values["coverage"] == "0.5714"
    assert values["fees_cashless_share"] == "0.6667" and values["name"] == "Chợ Hùng Sơn (Đại Từ)"
    vi = client.get(f"{URL}?level=market&code=DONG-QUANG&as_of=2024-06-30&format=csv&lang=vi")
    header, row = rows(vi)
    for heading in ("Tiểu thương đăng ký", "Tiểu thương có mã QR", "Tỷ lệ có mã QR",
                    "Sản phẩm trên sàn TMĐT"):
        assert heading in header
    assert row[header.index("Tỷ lệ có mã QR")] == ""  # undefined: empty, not 0


def test_csv_cells_cannot_run_as_formulas(client, make_vendor, make_user):
    vendor = make_vendor("DAI-TU", display_name='=HYPERLINK("http://evil.example","x")')
    _, token = make_user("department")
    response = client.get(f"{URL}?level=vendor&code={vendor.id}&format=csv", headers=auth(token))
    header, row = rows(response)
    assert row[header.index("name")] == "'" + '=HYPERLINK("http://evil.example","x")'


def test_series_json_and_csv(client, db, scenario):
    response = client.get(f"{URL}/series?level=market&code=DAI-TU&from=2024-06-01&to=2024-06-30")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["from"], body["to"], body["granularity"]) == ("2024-06-01", "2024-06-30", "day")
    assert len(body["points"]) == 30
    first = body["points"][0]
    assert (first["period_start"], first["period_end"], first["days"]) == (
        "2024-06-01", "2024-06-01", 1)
    assert first["qr_sales_value"] == 25_000
    assert first["change"]["qr_sales_value"] == pytest.approx(-0.375)
    assert set(first["change"]) == set(METRICS)
    last = body["points"][-1]
    want = as_json(expected(db.session, AS_OF, 1, ["DAI-TU"]))
    assert {k: last[k] for k in METRICS} == pytest.approx(want)
    monthly = client.get(f"{URL}/series?level=province&from=2024-01-01&to=2024-06-30"
                         "&granularity=month&format=csv&lang=vi")
    header, *lines = rows(monthly)
    assert len(lines) == 6 and header[:3] == ["Từ ngày", "Đến ngày", "Số ngày"]
    assert "Thay đổi: Giá trị bán qua QR (đồng)" in header


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2023-01-01&to=2024-01-02", "to"),
        ("from=2019-01-01&to=2024-01-01&granularity=month", "to"),
        ("from=2024-02-01&to=2024-01-01", "from"),
        ("granularity=week", "granularity"),
        ("from=yesterday", "from"),
        ("from=0001-01-01&to=0001-01-02", "from"),  # was a 500
    ],
)
def test_series_limits(client, reference, query, field):
    response = client.get(f"{URL}/series?{query}")
    assert response.status_code == 422
    assert field in str(response.get_json()["errors"])


def test_certification(client, scenario):
    response = client.get("/api/v1/reports/certification?ruleset=tn-2022&as_of=2024-06-30")
    assert response.status_code == 200
    body = response.get_json()
    assert body["ruleset"]["name"] == "tn-2022" and len(body["ruleset"]["sha256"]) == 64
    assert (body["ruleset"]["target"], body["as_of"]) == (60, "2024-06-30")
    assert len(body["markets"]) == 140
    quan_chu = next(m for m in body["markets"] if m["code"] == "QUAN-CHU")
    assert quan_chu["certified"] is True and quan_chu["district_code"] == "171"
    assert quan_chu["criteria"] == [
        {"metric": "coverage", "op": ">=", "threshold": 1.0, "value": 1.0, "passed": True},
        {"metric": "fees_cashless_share", "op": ">=", "threshold": 1.0, "value": 1.0,
         "passed": True},
        {"metric": "online_products", "op": ">=", "threshold": 1, "value": 1, "passed": True},
    ]
    thai = next(m for m in body["markets"] if m["code"] == "THAI")
    assert thai["criteria"][1]["value"] is None and thai["criteria"][1]["passed"] is False
    summary = body["summary"]
    assert (summary["certified"], summary["target"]) == (1, 60)
    assert summary["progress"] == pytest.approx(1 / 60)
    assert {"code": "171", "name": "Đại Từ", "certified": 1, "markets": 21,
            "historical": True} in summary["by_district"]
    # QUAN-CHU (TT. Quân Chu, Đại Từ) is in xã Quân Chu since 1/7/2025; on 30/6/2024 it
    # counts in its commune of then.
    assert quan_chu["commune_code"] == "05851"
    assert {"code": "05851", "name": "thị trấn Quân Chu", "certified": 1, "markets": 1} in (
        summary["by_commune"])
    assert summary["by_grade"] == [
        {"grade": 1, "certified": 0, "markets": 4},
        {"grade": 2, "certified": 0, "markets": 10},
        {"grade": 3, "certified": 1, "markets": 126},
    ]
    exported = client.get("/api/v1/reports/certification?ruleset=tn-2022&as_of=2024-06-30"
                          "&format=csv&lang=vi")
    header, *lines = rows(exported)
    assert len(lines) == 140 and "Đạt Chợ 4.0" in header
    quan_chu_row = next(line for line in lines if line[0] == "QUAN-CHU")
    assert quan_chu_row[header.index("Đạt Chợ 4.0")] == "Có"


def test_certification_errors_and_rulesets(client, reference):
    assert client.get("/api/v1/reports/certification").status_code == 422
    ancient = client.get("/api/v1/reports/certification?ruleset=tn-2022&as_of=0001-01-01")
    assert ancient.status_code == 422 and "2000-01-01" in str(ancient.get_json()["errors"])
    missing = client.get("/api/v1/reports/certification?ruleset=tn-1999")
    assert missing.status_code == 404 and "tn-2022" in missing.get_json()["message"]
    rulesets = client.get("/api/v1/reports/rulesets").get_json()
    assert [r["name"] for r in rulesets] == ["tn-2022", "tn-pilot-example"]
    assert rulesets[1]["label"] == "example, not an official ruleset"
    assert rulesets[1]["criteria"][0] == {"metric": "coverage", "op": ">=", "threshold": 0.7}


def test_openapi_documents_the_reports(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    for path in ("/api/v1/reports/adoption", "/api/v1/reports/adoption/series",
                 "/api/v1/reports/certification", "/api/v1/reports/rulesets"):
        assert path in paths
    assert date(2024, 6, 30) == AS_OF
