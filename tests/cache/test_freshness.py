"""A write is never hidden by a cache for longer than promised (market40.cache).

For every kind of write path: a conditional request with the ETag taken before the
write is answered 200 (new content) at once on the pages and reports of the market it
concerns, and within ``CACHE_STALE_SECONDS`` on the province-wide ones; a payment
leaves another market's cached pages valid (304). Then the figures themselves: a
payment and an approval show in the numbers at once.
"""

from __future__ import annotations

import time
from datetime import timedelta
from types import SimpleNamespace

import pytest

from market40.localtime import local_today
from tests import factories
from tests.api.test_imports import csv_file, good_rows, upload
from tests.factories import at, auth, earlier_today
from tests.payments.helpers import post_notification, tx
from tests.registry.helpers import act, post_vendor, submitted_vendor

STALE = 0.15  # the bound under test, short: each write path sleeps it once
MARKET_PATHS = ("/markets/DAI-TU", "/api/v1/reports/adoption?level=market&code=DAI-TU",
                "/api/v1/reports/adoption/series?level=market&code=DAI-TU&granularity=day")
PROVINCE_PATHS = ("/", "/api/v1/reports/adoption?level=province",
                  "/api/v1/reports/adoption?level=commune&code=05443",
                  "/api/v1/reports/adoption?level=district&code=164",
                  "/api/v1/reports/certification?ruleset=tn-2022")
OTHER_MARKET = ("/markets/DONG-BAM", "/api/v1/reports/adoption?level=market&code=DONG-BAM")


@pytest.fixture
def world(app, client, db, admin, maker, checker, department, make_vendor):
    app.config["CACHE_STALE_SECONDS"] = STALE
    vendor = make_vendor("DAI-TU", bank_bin="970436", account_number="0011223344")
    db.session.commit()
    return SimpleNamespace(app=app, client=client, db=db, admin=admin, maker=maker,
                           checker=checker, department=department, vendor=vendor,
                           runner=app.test_cli_runner(), state={})


def _now() -> str:
    return earlier_today().isoformat()


# Each write path: (prepare, write, per-market?). prepare runs before the ETags are taken.
def _payment(w):
    response = w.client.post("/api/v1/transactions", headers=auth(w.admin), json=tx(
        w.vendor.id, "cache-1", method="qr", occurred_at=_now()))
    assert response.status_code == 201, response.get_json()


def _batch(w):
    items = [tx(w.vendor.id, f"cache-b{n}", occurred_at=_now()) for n in range(3)]
    response = w.client.post("/api/v1/transactions/batch", headers=auth(w.admin),
                             json={"transactions": items})
    assert response.status_code == 201, response.get_json()


def _bank(w):
    response = post_notification(w.client, {
        "account_number": "0011223344", "bank_bin": "970436", "amount": 45_000,
        "content": "chuyen tien", "reference": "FT-CACHE-1", "occurred_at": _now()})
    assert response.status_code == 201, response.get_json()


def _sepay(w):
    response = w.client.post("/api/v1/notifications/sepay", headers={
        "Authorization": "Apikey test-sepay-key"}, json={
        "id": 5501, "gateway": "Vietcombank",
        "transactionDate": earlier_today().strftime("%Y-%m-%d %H:%M:%S"),
        "accountNumber": "0011223344", "subAccount": None, "code": None,
        "content": "chuyen tien mua rau", "transferType": "in", "transferAmount": 25_000,
        "accumulated": 1_000_000, "referenceCode": "MBVCB.1", "description": ""})
    assert response.status_code == 201, response.get_json()


def _simulated_vendors(w):
    from market40.simulate.vendors import seed_market_vendors

    seed_market_vendors(w.db.session, factories.market(w.db.session, "DAI-TU"), 8, seed=4)
    w.db.session.commit()


def _simulator(w):
    result = w.runner.invoke(args=["simulate", "--days", "2", "--markets", "DAI-TU"])
    assert result.exit_code == 0, result.output
    assert "Wrote 0 " not in result.output


def _import(w):
    response = upload(w.client, w.maker, csv_file(good_rows(2)))
    assert response.status_code == 201, response.get_json()


def _create(w):
    post_vendor(w.client, w.maker, "DAI-TU")


def _edit(w):
    response = w.client.patch(f"/api/v1/vendors/{w.state['draft']['id']}",
                              headers=auth(w.maker), json={"display_name": "Rau cô Lan mới"})
    assert response.status_code == 200, response.get_json()


def _make_draft(w):
    w.state["draft"] = post_vendor(w.client, w.maker, "DAI-TU")


def _make_submitted(w):
    w.state["submitted"] = submitted_vendor(w.client, w.maker)


def _make_approved(w):
    _make_submitted(w)
    assert act(w.client, w.checker, w.state["submitted"]["id"], "approve").status_code == 200


def _submit(w):
    assert act(w.client, w.maker, w.state["draft"]["id"], "submit").status_code == 200


def _approve(w):
    assert act(w.client, w.checker, w.state["submitted"]["id"], "approve").status_code == 200


def _reject(w):
    response = act(w.client, w.checker, w.state["submitted"]["id"], "reject", reason="Sai tên")
    assert response.status_code == 200, response.get_json()


def _revert(w):
    response = act(w.client, w.checker, w.state["submitted"]["id"], "revert",
                   reason="Thiếu ảnh")
    assert response.status_code == 200, response.get_json()


def _market(w):
    grade = factories.market(w.db.session, "DAI-TU").grade
    response = w.client.patch("/api/v1/markets/DAI-TU", json={"grade": grade % 3 + 1},
                              headers=auth(w.admin))
    assert response.status_code == 200, response.get_json()


def _listing(w):
    response = w.client.post("/api/v1/markets/DAI-TU/listings", headers=auth(w.admin), json={
        "product": "Chè Tân Cương", "platform": "Shopee", "url": "https://shopee.vn/che"})
    assert response.status_code == 201, response.get_json()


def _indicator(w):
    response = w.client.post("/api/v1/indicators", headers=auth(w.department), json={
        "key": "epayment_account_share", "value": 0.66, "as_of": "2022-06-30",
        "source": "test"})
    assert response.status_code == 201, response.get_json()


def _correct_history(w):
    factories.user(w.db.session, "admin", (), "admin-cache")
    w.db.session.commit()
    vendor_id = w.state["submitted"]["id"]
    when = (at(local_today(), 0) - timedelta(minutes=1)).isoformat()
    result = w.runner.invoke(args=[
        "vendors", "correct-history", str(vendor_id), "--event", "qr_withdrawn",
        "--at", when, "--reason", "duyệt nhầm", "--as", "admin-cache"])
    assert result.exit_code == 0, result.output


def _rebuild(w):
    result = w.runner.invoke(args=["rollups", "rebuild"])
    assert result.exit_code == 0, result.output


def _nothing(w):
    pass


PATHS = {
    "payment": (_nothing, _payment, True),
    "batch": (_nothing, _batch, True),
    "bank-notification": (_nothing, _bank, True),
    "sepay": (_nothing, _sepay, True),
    "simulator": (_simulated_vendors, _simulator, True),
    "import": (_nothing, _import, False),
    "vendor-create": (_nothing, _create, False),
    "vendor-edit": (_make_draft, _edit, False),
    "vendor-submit": (_make_draft, _submit, False),
    "vendor-approve": (_make_submitted, _approve, False),
    "vendor-reject": (_make_submitted, _reject, False),
    "vendor-revert": (_make_submitted, _revert, False),
    "market-change": (_nothing, _market, False),
    "listing": (_nothing, _listing, False),
    "indicator": (_nothing, _indicator, False),
    "history-correction": (_make_approved, _correct_history, False),
    "rollup-rebuild": (_nothing, _rebuild, False),
}


def _etag(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    assert client.get(path, headers={"If-None-Match": response.headers["ETag"]}
                      ).status_code == 304  # cached and valid before the write
    return response.headers["ETag"]


def _status(client, path: str, tag: str) -> int:
    return client.get(path, headers={"If-None-Match": tag}).status_code


@pytest.mark.parametrize("name", PATHS)
def test_a_write_shows_at_once_on_its_market_and_within_the_bound_elsewhere(world, name):
    prepare, write, per_market = PATHS[name]
    prepare(world)
    client = world.client
    before = {path: _etag(client, path)
              for path in MARKET_PATHS + PROVINCE_PATHS + OTHER_MARKET}
    write(world)
    for path in MARKET_PATHS:
        assert _status(client, path, before[path]) == 200, path  # at once
    time.sleep(STALE)
    for path in PROVINCE_PATHS:
        assert _status(client, path, before[path]) == 200, path  # within the bound
    if per_market:  # a payment at DAI-TU leaves DONG-BAM's answers valid
        for path in OTHER_MARKET:
            assert _status(client, path, before[path]) == 304, path


def _figures(client, level: str = "market") -> dict:
    query = "level=market&code=DAI-TU" if level == "market" else "level=province"
    return client.get(f"/api/v1/reports/adoption?{query}").get_json()


def test_a_payment_is_in_the_figures_at_once_and_in_the_province_within_the_bound(world):
    client = world.client
    market, province = _figures(client), _figures(client, "province")
    assert market["sales_count"] == 0
    _payment(world)
    assert _figures(client)["sales_count"] == market["sales_count"] + 1
    page = client.get("/markets/DAI-TU").get_data(as_text=True)
    assert "25.000" in page  # the QR sale's value is on the market's page at once
    deadline = time.monotonic() + STALE + 0.2
    seen = _figures(client, "province")["sales_count"]
    while seen != province["sales_count"] + 1 and time.monotonic() < deadline:
        time.sleep(0.05)
        seen = _figures(client, "province")["sales_count"]
    assert seen == province["sales_count"] + 1


def test_an_approval_counts_at_once(world):
    client = world.client
    _make_submitted(world)
    before = _figures(client)
    _approve(world)
    after = _figures(client)
    assert after["with_qr"] == before["with_qr"] + 1


def test_with_no_stale_allowance_the_province_is_exact(world):
    world.app.config["CACHE_STALE_SECONDS"] = 0
    client = world.client
    province = _figures(client, "province")
    _payment(world)
    assert _figures(client, "province")["sales_count"] == province["sales_count"] + 1


def test_the_market_pages_series_keeps_past_days_and_shows_every_payment_at_once(
        world, monkeypatch):
    """The market page's day-by-day series keeps the days before today while payments
    land today (``markets._daily_series``, ``_top_stalls``, ``_report``): a payment today
    is in today's point, the best stalls and the report at once without the month being
    computed again; a late one (yesterday) at once in its day; an approval at once."""
    from market40.reports import adoption_report, adoption_series, resolve_scope
    from market40.web.queries import top_stalls
    from market40.web.views import markets

    computed = []

    def counted(*args, **kwargs):
        computed.append(args[2:])
        return adoption_series(*args, **kwargs)

    monkeypatch.setattr(markets, "adoption_series", counted)
    today = local_today()
    first = today - timedelta(days=29)

    def page_and_exact():
        with world.app.test_request_context("/markets/DAI-TU"):
            scope = resolve_scope(world.db.session, "market", "DAI-TU")
            market = markets._market("DAI-TU")
            past_days = markets._days_before_today(market, first, today)
            report = adoption_report(world.db.session, scope, today, 30)
            assert markets._report(scope, market, today, 30, past_days) == report
            page = markets._daily_series(scope, market, first, today, past_days, report)
            exact = adoption_series(world.db.session, scope, first, today, "day")
            assert markets._top_stalls(market, first, today, past_days) == top_stalls(
                world.db.session, market, first, today)
            world.db.session.rollback()  # end the read: the next sees the payments
        return page, exact

    page, exact = page_and_exact()
    assert page == exact and len(computed) == 1
    _payment(world)  # a QR sale today
    page, exact = page_and_exact()
    assert page == exact and len(computed) == 1  # the days before today were kept
    assert page.points[-1].figures.qr_sales_count == 1
    with world.app.test_request_context("/markets/DAI-TU"):
        best = markets._top_stalls(markets._market("DAI-TU"), first, today, None)
    assert [(s.vendor_id, s.qr_sales_count) for s in best] == [(world.vendor.id, 1)]
    late = world.client.post("/api/v1/transactions", headers=auth(world.admin), json=tx(
        world.vendor.id, "cache-late", method="qr",
        occurred_at=at(today - timedelta(days=1), 18).isoformat()))
    assert late.status_code == 201, late.get_json()
    page, exact = page_and_exact()
    assert page == exact and len(computed) == 2  # yesterday changed: computed again
    assert page.points[-2].figures.qr_sales_count == 1
    _make_submitted(world)
    page, _ = page_and_exact()
    _approve(world)  # a registry write: the counts at today's end change
    approved, _ = page_and_exact()
    assert approved.points[-1].figures.with_qr == page.points[-1].figures.with_qr + 1
    with world.app.test_request_context("/markets/DAI-TU"):
        best = markets._top_stalls(markets._market("DAI-TU"), first, today, None)
    assert [(s.vendor_id, s.qr_sales_count) for s in best] == [(world.vendor.id, 2)]
