"""Reports across the 1/7/2025 reform: communes read with a date, former districts kept.

A slice of the province around the reform: vendors in four markets of the former
thành phố Thái Nguyên that now share phường Phan Đình Phùng (THAI, DONG-QUANG, DAN from
three former wards) or sit in phường Quan Triều (QUANG-VINH), plus Đại Từ (DAI-TU, now in
xã Đại Phúc), selling by QR every day from 20/6 to 10/7/2025.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from market40.errors import NotFound
from market40.localtime import local_today
from market40.models import Market
from market40.reports import adoption_report, adoption_series, certify, resolve_scope
from market40.reports.rulesets import load_ruleset
from tests.conftest import seeded_once
from tests.factories import at, record
from tests.reports.oracle import expected

BEFORE, AFTER = date(2025, 6, 30), date(2025, 7, 1)
MARKETS = {"THAI": 3, "DONG-QUANG": 2, "DAN": 1, "QUANG-VINH": 2, "DAI-TU": 2}
PHAN_DINH_PHUNG = ["THAI", "DONG-QUANG", "DAN", "TUC-DUYEN"]  # and other seeded markets


@pytest.fixture
def reform(db, make_vendor, test_database):
    """The slice above, a template seeded once per worker and database."""
    seeded_once(test_database, "reform", lambda: seed_reform(db, make_vendor))
    return db


def seed_reform(db, make_vendor) -> None:
    start = at(date(2025, 6, 1))
    for code, count in MARKETS.items():
        for n in range(count):
            vendor = make_vendor(code, created_at=start, approved_at=start, qr_issued_at=start)
            day = date(2025, 6, 20)
            while day <= date(2025, 7, 10):
                record(db.session, vendor, at(day, 9), 10_000 * (n + 1))
                if day.day % 3 == 0:
                    record(db.session, vendor, at(day, 11), 5_000, method="cash")
                day += timedelta(days=1)
    db.session.commit()


def markets_in(session, level, code, day):
    scope = resolve_scope(session, level, code, day)
    return sorted(session.scalars(sa.select(Market.code).where(scope.where)))


def _former(session, market_code):
    from market40.registry.markets import get_market

    return get_market(session, market_code).former_commune_code


def test_old_codes_with_a_pre_reform_date_resolve_to_the_old_unit(reform):
    session = reform.session
    old = resolve_scope(session, "commune", "05443", BEFORE)
    new = resolve_scope(session, "commune", "05443", AFTER)
    assert (old.name, new.name) == ("phường Trưng Vương", "phường Phan Đình Phùng")
    assert markets_in(session, "commune", "05443", BEFORE) == ["THAI"]
    assert set(PHAN_DINH_PHUNG) <= set(markets_in(session, "commune", "05443", AFTER))
    assert resolve_scope(session, "commune", "05761", BEFORE).name == "thị trấn Hùng Sơn"
    with pytest.raises(NotFound, match="not in force on 2025-07-01"):
        resolve_scope(session, "commune", "05761", AFTER)


def test_a_commune_today_is_the_sum_of_its_markets(reform):
    session = reform.session
    today = local_today()
    scope = resolve_scope(session, "commune", "05443", today)
    markets = markets_in(session, "commune", "05443", today)
    for as_of in (today, date(2025, 7, 10), date(2025, 6, 30)):
        report = adoption_report(session, scope, as_of, 30).metrics()
        assert report == pytest.approx(expected(session, as_of, 30, markets)), as_of


def test_a_former_district_on_30_june_2025_is_what_it_was(reform):
    session = reform.session
    report = adoption_report(session, resolve_scope(session, "district", "164"), BEFORE, 30)
    assert report.historical is True and report.name == "Thái Nguyên"
    assert report.metrics() == pytest.approx(expected(
        session, BEFORE, 30, markets_in(session, "district", "164", BEFORE)))
    # ... and the same grouping still answers after the reform, as history.
    later = adoption_report(session, resolve_scope(session, "district", "164"), AFTER, 30)
    assert later.historical is True and later.figures.with_qr == report.figures.with_qr


def test_a_commune_before_the_reform_is_the_sum_of_its_former_communes(reform):
    """Phường Phan Đình Phùng's series before 1/7/2025 adds up its former wards."""
    session = reform.session
    scope = resolve_scope(session, "commune", "05443", AFTER)
    series = adoption_series(session, scope, date(2025, 6, 25), date(2025, 7, 5), "day")
    # Its markets' former wards (Gia Sàng was split: its market went to phường Gia Sàng).
    former = sorted({_former(session, m) for m in markets_in(session, "commune", "05443", AFTER)})
    assert {"05443", "05458", "05452", "05437"} <= set(former) and "05461" not in former
    for point in series.points:
        day = point.period.end
        if day >= AFTER:
            continue
        parts = [adoption_report(session, resolve_scope(session, "commune", code, day),
                                 day, 1).figures for code in former]
        assert point.figures.qr_sales_value == sum(p.qr_sales_value for p in parts), day
        assert point.figures.with_qr == sum(p.with_qr for p in parts), day


def test_a_province_series_across_the_reform_has_no_jump(reform):
    session = reform.session
    series = adoption_series(session, resolve_scope(session, "province", None),
                             date(2025, 6, 25), date(2025, 7, 5), "day")
    by_day = {p.period.end: p.figures for p in series.points}
    assert by_day[BEFORE].registered == by_day[AFTER].registered == sum(MARKETS.values())
    assert by_day[BEFORE].with_qr == by_day[AFTER].with_qr
    assert by_day[BEFORE].qr_sales_value == by_day[AFTER].qr_sales_value
    assert by_day[AFTER].qr_sales_value == sum(
        10_000 * (n + 1) for count in MARKETS.values() for n in range(count))


def test_certification_by_commune_and_by_former_district(reform):
    session = reform.session
    ruleset = load_ruleset("tn-pilot-example")
    for as_of in (BEFORE, AFTER):
        result = certify(session, ruleset, as_of)
        assert sum(g.markets for g in result.by_commune) == 140
        assert sum(g.markets for g in result.by_district) == 140
        assert sum(g.certified for g in result.by_commune) == result.certified == sum(
            g.certified for g in result.by_district)
    after = {g.key: g for g in certify(session, ruleset, AFTER).by_commune}
    before = {g.key: g for g in certify(session, ruleset, BEFORE).by_commune}
    assert after["05443"].name == "phường Phan Đình Phùng" and after["05443"].markets >= 4
    assert before["05443"].name == "phường Trưng Vương" and before["05443"].markets == 1
    assert len(after) <= 92 and "05761" in before and "05761" not in after


def test_api_reads_commune_codes_with_the_date_and_flags_districts(client, reform):
    url = "/api/v1/reports/adoption"
    body = client.get(f"{url}?level=commune&code=05443&as_of=2025-06-30").get_json()
    assert (body["name"], body["historical"]) == ("phường Trưng Vương", False)
    body = client.get(f"{url}?level=commune&code=05443&as_of=2025-07-01").get_json()
    assert (body["name"], body["historical"]) == ("phường Phan Đình Phùng", False)
    response = client.get(f"{url}?level=commune&code=05761&as_of=2025-07-01")
    assert response.status_code == 404 and "05761" in response.get_json()["message"]
    body = client.get(f"{url}?level=district&code=171&as_of=2025-07-01").get_json()
    assert (body["name"], body["historical"]) == ("Đại Từ", True)
    series = client.get("/api/v1/reports/adoption/series?level=commune&code=05488"
                        "&from=2025-06-28&to=2025-07-02").get_json()
    assert series["name"] == "xã Đại Phúc" and len(series["points"]) == 5
    response = client.get(f"{url}?level=commune")
    assert response.status_code == 422 and "code" in response.get_json()["errors"]


def test_a_snapshot_freezes_the_communes_of_its_date(reform):
    import json

    from market40.audit import create_snapshot, verify_snapshot

    session = reform.session
    snapshot = create_snapshot(session, "tn-pilot-example", AFTER, None)
    session.commit()
    body = json.loads(snapshot.body)
    thai = next(m for m in body["markets"] if m["code"] == "THAI")
    assert (thai["commune_code"], thai["district_code"]) == ("05443", "164")
    by_commune = {g["code"]: g for g in body["summary"]["by_commune"]}
    assert by_commune["05443"]["name"] == "phường Phan Đình Phùng"
    assert sum(g["markets"] for g in body["summary"]["by_commune"]) == 140
    verification = verify_snapshot(session, snapshot.id)
    assert verification.hash_ok and verification.chain_ok and verification.changes == ()


def test_certification_csv_has_the_commune_and_the_former_district(client, reform):
    import csv
    import io

    response = client.get("/api/v1/reports/certification?ruleset=tn-2022&as_of=2025-07-01"
                          "&format=csv&lang=vi")
    assert response.status_code == 200
    header, *rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert header[:4] == ["Mã", "Tên", "Mã xã/phường", "Mã huyện cũ"]
    thai = next(r for r in rows if r[0] == "THAI")
    assert thai[2:4] == ["05443", "164"]
