"""Each page with the test client: status, the numbers a user reads, who may see what."""

from __future__ import annotations

import re

import pytest

from market40.web.formatting import format_percent, format_vnd
from tests.web.conftest import text

NBSP = "\u00a0"


def row_of(page: str, market_code: str) -> str:
    match = re.search(rf'<tr data-market="{market_code}"[^>]*>(.*?)</tr>', page, re.S)
    assert match, f"no row for {market_code}"
    return match.group(1)


# ---- overview -----------------------------------------------------------------------------


def test_overview_counts_certified_sites_against_the_target(client, dashboard):
    page = text(client.get("/"))
    # THAI passes tn-2022 (all vendors with QR, every fee by QR, one listing); DAI-TU does not.
    assert re.search(r'data-testid="certified">1</strong> / 60', page)
    assert f"1,7{NBSP}%" in page  # 1 / 60
    assert "Đạt" in row_of(page, "THAI") and "Chưa đạt" in row_of(page, "DAI-TU")
    # 140 seeded markets, all in the table.
    assert page.count("<tr data-market=") == 140


def test_overview_province_figures_sum_counts_before_dividing(client, dashboard):
    page = text(client.get("/"))
    # Registered: 6 at DAI-TU (none closed or rejected) + 2 at THAI; with QR: 3 + 2.
    assert "5 / 8 tiểu thương có mã QR" in page
    assert f"62,5{NBSP}%" in page
    # DAI-TU: 3 with QR of 6 registered; "rau" and "thit" sold by QR, "ca" only cash.
    dai_tu = row_of(page, "DAI-TU")
    assert f"50,0{NBSP}%" in dai_tu and f"66,7{NBSP}%" in dai_tu


def test_overview_ruleset_selector_changes_the_verdicts(client, dashboard):
    page = text(client.get("/?ruleset=tn-pilot-example"))
    # Pilot example: coverage >= 70% and active rate >= 50%: THAI 2/2 with QR, 1 of 2 active.
    assert "Đạt" in row_of(page, "THAI") and "Chưa đạt" in row_of(page, "DAI-TU")
    assert 'value="tn-pilot-example" selected' in page
    assert "Bộ tiêu chí ví dụ" in page


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("sort=coverage&order=desc", "THAI"),
        ("sort=coverage&order=asc", "DAI-TU"),
        ("sort=cashless&order=desc", "DAI-TU"),
        ("sort=certified&order=desc", "THAI"),
    ],
)
def test_overview_table_sorts_on_the_server(client, dashboard, query, first):
    page = text(client.get(f"/?{query}"))
    codes = re.findall(r'<tr data-market="([^"]+)"', page)
    # Markets with figures come first in the asked order; undefined ratios sort last.
    assert codes[0] == first
    if "certified" in query:
        # DAI-TU is not certified; the markets without any vendor (no data) follow, by code
        assert codes[1] == "DAI-TU" and codes[2] < codes[3] < codes[4]
    else:
        assert {codes[0], codes[1]} == {"THAI", "DAI-TU"}


def test_overview_district_and_grade_tables(client, dashboard):
    page = text(client.get("/?lang=en"))
    assert "By former district" in page and "By market grade" in page and "By commune" in page
    assert "Grade 1 market" in page and "Grade 3 market" in page


def test_overview_trend_chart_is_inline_svg(client, dashboard):
    page = text(client.get("/"))
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page and 'class="chart chart-lines"' in page


@pytest.mark.parametrize(
    ("query", "field"),
    [("sort=phone", "sort"), ("order=up", "order"), ("as_of=2024-13-01", "as_of"),
     ("as_of=2999-01-01", "as_of")],
)
def test_overview_bad_arguments_are_a_422_shown_next_to_the_field(client, dashboard, query,
                                                                  field):
    response = client.get(f"/?{query}")
    assert response.status_code == 422
    page = text(response)
    # The page itself, with its defaults, and the problem in words next to the field
    error = re.search(rf'<p class="field-error" id="{field}-error">([^<]+)</p>', page).group(1)
    assert f"{field}:" not in error and not re.search(r"\d{{4}}-\d{{2}}-\d{{2}}", error)
    assert page.count("<tr data-market=") == 140


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_date_after_today_is_explained_in_the_pages_language(client, dashboard, lang):
    from market40.localtime import local_today

    today = local_today().strftime("%d/%m/%Y")
    page = text(client.get(f"/?as_of=2999-01-01&lang={lang}"))
    error = re.search(r'<p class="field-error" id="as_of-error">([^<]+)</p>', page).group(1)
    assert today in error
    assert ("hôm nay" in error) == (lang == "vi") and ("today" in error) == (lang == "en")
    assert f'max="{local_today().isoformat()}"' in page
    market = text(client.get(f"/markets/DAI-TU?as_of=2999-01-01&lang={lang}"))
    assert today in market and 'aria-invalid="true"' in market


def test_a_date_before_any_figure_is_explained_not_a_500(client, dashboard):
    for path in ("/", "/markets/DAI-TU"):
        response = client.get(f"{path}?as_of=0001-01-01")
        assert response.status_code == 422, path
        assert "Chưa có số liệu trước ngày 01/01/2000" in text(response)


def test_overview_unknown_ruleset_falls_back_to_the_official_one(client, dashboard):
    response = client.get("/?ruleset=nope&lang=en")
    assert response.status_code == 422
    page = text(response)
    assert "There is no such ruleset; the official one is shown." in page
    assert 'value="tn-2022" selected' in page


def test_public_pages_show_no_personal_data(client, dashboard):
    for url in ("/", "/?lang=en", "/markets/DAI-TU", "/markets/THAI", "/markets/DAI-TU?lang=en"):
        page = text(client.get(url))
        for secret in dashboard.personal:
            assert secret not in page, (url, secret)
        assert "Chủ " not in page  # owner names stay with the board


# ---- market -------------------------------------------------------------------------------


def test_market_page_public_figures(client, dashboard):
    page = text(client.get("/markets/DAI-TU"))
    assert "Chợ Đại Từ" in page or "Đại Từ" in page
    assert f"50,0{NBSP}%" in page  # coverage 3/6
    assert "3 / 6 tiểu thương có mã QR" in page
    # QR sales in the last 30 days: rau 14, thit 4 of 14 + 7 + 7 + 7 = 35 sales.
    assert "18 / 35 giao dịch" in page
    assert f"66,7{NBSP}%" in page  # fees: 2 of 3 by QR
    assert "class=\"chart chart-bars\"" in page


def test_market_page_top_stalls_by_qr_value(client, dashboard):
    page = text(client.get("/markets/DAI-TU"))
    table = re.search(r'<table id="top-stalls" class="stack">(.*?)</table>', page, re.S).group(1)
    stalls = re.findall(r'<tr><td class="head">([A-Z0-9]+) · ', table)
    assert stalls == ["A01", "A02"]  # "ca" (B07) sold only for cash
    assert format_vnd(dashboard.qr_sale_values["rau"], "vi") in table


def test_market_page_listings(client, dashboard):
    page = text(client.get("/markets/THAI?lang=en"))
    assert "Chè Tân Cương" in page and "Postmart" in page
    assert "No product online yet." in text(client.get("/markets/DAI-TU?lang=en"))


def test_listing_links_are_only_web_addresses(client, dashboard, db):
    from datetime import date

    import sqlalchemy as sa

    from market40.models import Listing, Market

    market = db.session.scalar(sa.select(Market).where(Market.code == "DAI-TU"))
    db.session.add(Listing(market=market, product="Miến dong", platform="Shopee",
                           url="javascript:alert(1)", started_on=date(2024, 1, 1)))
    db.session.commit()
    page = text(client.get("/markets/DAI-TU"))
    assert "Miến dong" in page and "javascript:" not in page


def test_pages_are_not_cached_and_personal_pages_never_stored(client, login, dashboard):
    public = client.get("/markets/DAI-TU")
    assert public.headers["Cache-Control"] == "no-cache"
    assert public.headers["X-Content-Type-Options"] == "nosniff"
    assert "Set-Cookie" not in public.headers  # no session for anonymous readers
    login("vendor")
    private = client.get(f"/vendors/{dashboard.vendors['rau'].id}")
    assert private.headers["Cache-Control"] == "no-store"


def test_market_board_section_is_for_its_board_and_admins(client, login, dashboard):
    assert 'id="follow-ups"' not in text(client.get("/markets/DAI-TU"))
    login("other_board")
    assert 'id="follow-ups"' not in text(client.get("/markets/DAI-TU"))
    client.post("/logout", data={"csrf_token": _token(client)})
    login("department")
    assert 'id="follow-ups"' not in text(client.get("/markets/DAI-TU"))


def _token(client) -> str:
    from tests.web.conftest import csrf_token

    return csrf_token(text(client.get("/logout")))


def test_market_board_sees_who_to_follow_up_and_why(client, login, dashboard):
    login("board")
    page = text(client.get("/markets/DAI-TU"))
    table = re.search(r'<table id="follow-ups" class="stack">(.*?)</table>', page,
                      re.S).group(1)
    rows = re.findall(r'<td class="head"><a [^>]*>([A-Z0-9]+) · ', table)
    # Submitted first, then sent back, then approved without an account.
    assert rows == ["C01", "C03", "C02"]
    assert "Đang chờ duyệt" in table and "Chưa có tài khoản ngân hàng" in table
    assert "Thiếu ảnh CCCD" in table  # the board's own reason
    phone = dashboard.vendors["cho_duyet"].phone
    assert f'<a class="tel" href="tel:{phone}">{phone}</a>' in table
    assert "Thu phí" in page and 'id="fees-by-day"' in page


def test_board_prints_the_markets_cards(client, login, dashboard):
    assert client.get("/markets/DAI-TU/cards.pdf").status_code == 302  # login first
    login("board")
    page = text(client.get("/markets/DAI-TU"))
    assert 'href="/markets/DAI-TU/cards.pdf"' in page
    response = client.get("/markets/DAI-TU/cards.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    assert client.get("/markets/THAI/cards.pdf").status_code == 403  # not its market
    assert client.get("/markets/LA-BANG/cards.pdf").status_code == 403


def test_a_market_without_printable_cards_is_a_404(client, login, dashboard):
    login("admin")
    assert client.get("/markets/LA-BANG/cards.pdf").status_code == 404


def test_unknown_market_is_a_404(client, dashboard):
    assert client.get("/markets/NOPE").status_code == 404


@pytest.mark.parametrize("query", ["window=0", "window=400", "window=abc"])
def test_market_window_is_validated(client, dashboard, query):
    response = client.get(f"/markets/DAI-TU?{query}")
    assert response.status_code == 422 and "window" in text(response)


# ---- vendor -------------------------------------------------------------------------------


def test_vendor_page_needs_a_login(client, dashboard):
    vendor_id = dashboard.vendors["rau"].id
    response = client.get(f"/vendors/{vendor_id}")
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/login?next=/vendors/{vendor_id}")


@pytest.mark.parametrize(("user", "allowed"), [
    ("vendor", True), ("board", True), ("department", True), ("auditor", True), ("admin", True),
    ("other_vendor", False), ("other_board", False),
])
def test_vendor_page_access(client, login, dashboard, user, allowed):
    login(user)
    response = client.get(f"/vendors/{dashboard.vendors['rau'].id}")
    assert response.status_code == (200 if allowed else 403)


def test_vendor_page_shows_the_card_and_what_was_received(client, login, dashboard):
    login("vendor")
    vendor = dashboard.vendors["rau"]
    page = text(client.get(f"/vendors/{vendor.id}"))
    card = re.search(r'<div class="card" id="stall-card">(.*?)</div>\s*<p class="no-print">',
                     page, re.S).group(1)
    assert '<svg xmlns="http://www.w3.org/2000/svg" viewBox=' in card
    assert "0123456789" in card and "NGUYEN THI DAO" in card
    assert f'href="/vendors/{vendor.id}/card.pdf"' in page
    assert format_vnd(7 * 165_000, "vi") in page  # QR sales over the window
    assert "14 giao dịch trong 30 ngày" in page
    assert page.count('<td class="head">') >= 7  # daily totals
    assert f"45.000{NBSP}đ" in page and "Tiền mặt" in page


def _section(page: str, element_id: str) -> str:
    return re.search(rf'id="{element_id}"(.*?)</(?:ul|table)>', page, re.S).group(1)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_vendor_page_keeps_money_in_apart_from_fees_paid(client, login, dashboard, lang):
    login("vendor")
    page = text(client.get(f"/vendors/{dashboard.vendors['rau'].id}?lang={lang}"))
    money_in, money_out = _section(page, "money-in"), _section(page, "money-out")
    fee = format_vnd(300_000, lang)  # "rau" paid one fee by QR
    assert fee not in money_in and format_vnd(7 * 165_000, lang) in money_in
    assert fee in money_out
    # QR sales first, today's first of all
    assert money_in.index('id="qr_today"') < money_in.index('id="qr_sales"') < money_in.index(
        'id="cash_sales"')
    rows = re.findall(r'<tr class="(in|out)">(.*?)</tr>', _section(page, "recent-payments"), re.S)
    assert len(rows) == 20 and {d for d, _ in rows} == {"in", "out"}
    for direction, row in rows:
        sign = "−" if direction == "out" else "+"
        assert 'class="num amount" data-label="' in row and f">{sign}" in row, row
    fee_row = next(row for d, row in rows if d == "out")
    assert f"−{fee}" in fee_row


def test_vendor_card_pdf(client, login, dashboard):
    login("vendor")
    response = client.get(f"/vendors/{dashboard.vendors['rau'].id}/card.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF-")
    assert "card-DAI-TU-A01.pdf" in response.headers["Content-Disposition"]


def test_vendor_without_code_gets_the_reason_not_a_card(client, login, dashboard):
    login("board")
    vendor = dashboard.vendors["cho_duyet"]
    page = text(client.get(f"/vendors/{vendor.id}"))
    assert 'id="stall-card"' not in page and "Đang chờ duyệt" in page
    # The next step and whom to ask, not only what is missing
    assert "Mã QR sẽ hiện ở đây ngay khi hồ sơ được duyệt" in page
    no_account = text(client.get(f"/vendors/{dashboard.vendors['khong_tk'].id}?lang=en"))
    assert "No bank account on record" in no_account
    assert "Bring your bank card or account number to" in no_account
    assert client.get(f"/vendors/{vendor.id}/card.pdf").status_code == 409


def test_the_page_card_names_the_holder_as_bank_apps_show_it(client, login, dashboard, db):
    # The printed page asks buyers to check the holder's name: the bank app's form of it.
    vendor = dashboard.vendors["rau"]
    vendor.account_holder = "Nguyễn Thị Đào"
    db.session.commit()
    login("vendor")
    page = text(client.get(f"/vendors/{vendor.id}"))
    card = re.search(r'<div class="card" id="stall-card">(.*?)</div>\s*<p class="no-print">',
                     page, re.S).group(1)
    assert '<p class="holder">NGUYEN THI DAO</p>' in card and "Nguyễn Thị Đào" not in card


def test_a_stall_that_received_nothing_gets_a_true_money_axis(client, login, dashboard):
    # A new stall's chart of QR money by day: every bar 0. Its y axis read 0, 0, 0, 1, 1
    # (ticks at 0.25 đ steps, rounded): each label must be its own, whole, rising amount.
    login("board")
    page = text(client.get(f"/vendors/{dashboard.vendors['cho_duyet'].id}"))
    for chart in re.findall(r'<svg[^>]*class="chart chart-bars".*?</svg>', page, re.S):
        labels = re.findall(r'<text class="y-label"[^>]*>([^<]*)</text>', chart)
        amounts = [int(label.replace(".", "")) for label in labels]
        assert amounts == sorted(set(amounts)) and len(amounts) == 5, labels


def test_approved_vendor_whose_code_was_not_issued_says_so(client, login, dashboard, db):
    from market40.models import Vendor

    vendor = db.session.get(Vendor, dashboard.vendors["ca"].id)
    vendor.qr_issued_at = None  # e.g. the bank account just changed
    db.session.commit()
    login("board")
    page = text(client.get(f"/vendors/{vendor.id}"))
    assert 'id="stall-card"' not in page and "Chưa được cấp mã QR" in page
    board = text(client.get("/markets/DAI-TU"))
    follow = re.search(r'<table id="follow-ups" class="stack">(.*?)</table>', board,
                       re.S).group(1)
    assert "B07" in follow and "Chưa được cấp mã QR" in follow


def test_unknown_vendor_is_a_404(client, login, dashboard):
    login("admin")
    assert client.get("/vendors/999999").status_code == 404


def test_percent_filter_matches_the_formatting_module():
    assert format_percent(0.5, "vi") == f"50,0{NBSP}%"


@pytest.mark.parametrize("path", ["/vendors/{}", "/vendors/{}/card.pdf",
                                  "/audit/snapshots/{}.csv", "/audit/snapshots/{}.pdf"])
def test_ids_past_the_database_range_are_a_404_not_a_500(client, login, dashboard, path):
    login("admin")
    for number in (2**31, 2**63, 10**30):
        assert client.get(path.format(number)).status_code == 404


# ---- figures people understand (#17) ------------------------------------------------------


def test_markets_without_vendors_are_no_data_not_failed_and_can_be_filtered(client, dashboard):
    page = text(client.get("/"))
    empty = row_of(page, "LA-BANG")
    assert "Chưa có số liệu" in empty and "Chưa đạt" not in empty
    assert re.findall(r'<tr data-market="([^"]+)"', page)[:2] in (["THAI", "DAI-TU"],
                                                                   ["DAI-TU", "THAI"])
    only = text(client.get("/?show=with_data"))
    assert re.findall(r'<tr data-market="([^"]+)"', only) == ["DAI-TU", "THAI"]  # by district
    assert "Chỉ chợ có số liệu (2 chợ)" in only


def test_each_criterion_shows_its_value_and_pass_or_fail(client, dashboard):
    page = text(client.get("/"))
    dai_tu = row_of(page, "DAI-TU")
    cells = re.findall(r'<td class="num criterion" data-label="([^"]+)">(.*?)</td>', dai_tu, re.S)
    assert [label for label, _ in cells] == [
        "Tỷ lệ có mã QR", "Tỷ lệ thu phí không tiền mặt", "Sản phẩm trên sàn TMĐT"]
    (_, coverage), (_, fees), (_, online) = cells
    assert f"50,0{NBSP}%" in coverage and "Chưa đạt" in coverage
    assert f"66,7{NBSP}%" in fees and "Chưa đạt" in fees
    assert ">0<" in online and "Chưa đạt" in online
    thai = row_of(page, "THAI")
    assert thai.count('class="badge ok"') == 4  # three criteria and the result


def test_the_official_ruleset_is_the_default_and_labelled(client, dashboard):
    page = text(client.get("/"))
    options = re.findall(r'<option value="([^"]+)"( selected)?>([^<]+)</option>',
                         re.search(r'<select id="ruleset".*?</select>', page, re.S).group(0))
    assert options[0][:2] == ("tn-2022", " selected") and "(chính thức)" in options[0][2]
    assert "(ví dụ)" in options[1][2] and "Ví dụ" in options[1][2]
    assert '<span class="badge official">Chính thức</span>' in page
    example = text(client.get("/?ruleset=tn-pilot-example"))
    assert '<span class="badge example">Ví dụ</span>' in example
    assert "coverage >=" not in page and ">= 1.0" not in page  # criteria in words


def test_figure_boxes_say_their_base_and_period(client, dashboard):
    page = text(client.get("/"))
    assert "5 / 8 tiểu thương có mã QR, ngày " in page
    market = text(client.get("/markets/DAI-TU?lang=en"))
    assert "18 / 35 sales paid by QR, 30 days" in market
    assert "2 / 3 vendors with a QR code sold by QR, 30 days" in market


def test_market_names_sort_in_vietnamese_order(client, dashboard):
    from market40.web.collation import sort_key

    page = text(client.get("/?sort=district"))
    rows = re.findall(r'<tr data-market="[^"]+" data-verdict="no_data">.*?'
                      r'data-label="Huyện cũ">([^<]+)</td>', page, re.S)
    assert rows == sorted(rows, key=sort_key) and rows != sorted(rows)


def test_the_follow_up_list_agrees_with_the_qr_figure(client, login, dashboard, db):
    from market40.models import Vendor

    rejected = db.session.get(Vendor, dashboard.vendors["tra_lai"].id)
    rejected.status = "rejected"  # a rejected vendor is not registered: no follow-up
    db.session.commit()
    login("board")
    page = text(client.get("/markets/DAI-TU"))
    with_qr, registered = map(int, re.search(
        r"(\d+) / (\d+) tiểu thương có mã QR", page).groups())
    follow = re.search(r'<table id="follow-ups" class="stack">(.*?)</table>', page,
                       re.S).group(1)
    assert follow.count("<tr data-vendor=") == registered - with_qr == 2


def test_department_creates_a_snapshot_from_the_audit_page(client, login, dashboard, db):
    from market40.models import Snapshot
    from tests.web.conftest import csrf_token

    login("auditor")
    assert 'id="create-snapshot"' not in text(client.get("/audit"))  # auditors only read
    client.post("/logout", data={"csrf_token": _token(client)})
    login("department")
    page = text(client.get("/audit"))
    assert "Chưa có bản chốt số liệu nào." in page and 'id="create-snapshot"' in page
    assert re.search(r'<option value="tn-2022" selected>[^<]*\(chính thức\)</option>', page)
    token = csrf_token(page)
    response = client.post("/audit/snapshots", data={"csrf_token": token,
                                                     "ruleset": "tn-2022", "as_of": ""})
    assert response.status_code == 422
    assert "Hãy chọn ngày tính trên lịch." in text(response)
    response = client.post("/audit/snapshots", data={"csrf_token": token, "ruleset": "tn-2022",
                                                     "as_of": "2999-01-01"})
    assert response.status_code == 422 and "không được sau hôm nay" in text(response)
    assert db.session.query(Snapshot).count() == 0
    from market40.localtime import local_today

    response = client.post("/audit/snapshots", data={
        "csrf_token": token, "ruleset": "tn-2022", "as_of": local_today().isoformat()})
    assert response.status_code == 302
    snapshot = db.session.query(Snapshot).one()
    assert snapshot.ruleset == "tn-2022" and snapshot.certified == 1
    listed = text(client.get(response.headers["Location"]))
    assert f"Đã tạo bản chốt số {snapshot.id}." in listed and 'class="created"' in listed
    assert client.post("/audit/snapshots", data={"ruleset": "tn-2022"}).status_code == 400
