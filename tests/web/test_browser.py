"""The pages in a real browser: Debian's Chromium driven by Playwright, against a live server.

One server (werkzeug, in a thread, on 127.0.0.1 and a free port) over a seeded SQLite
file, one browser for the worker (``tests/browser.py``). Every page carries the app's own strict
Content-Security-Policy (``market40.security``: no 'unsafe-inline'), so an inline
script or style would show up as a console error here. Screenshots go to
``MARKET40_SCREENSHOTS`` (e.g. ``docs/screenshots``) when set, else to a temporary folder.

Without /usr/bin/chromium (``apt-get install chromium``) these tests are skipped.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from market40.web.formatting import format_percent
from tests.browser import CHROMIUM, DESKTOP, PHONE, accessible, axe_checks

MAX_SCREENSHOT_BYTES = 300 * 1024
# The outermost elements sticking out of the viewport (table scroll boxes excepted).
WIDER_THAN_SCREEN = """() => {
  if (document.documentElement.scrollWidth <= window.innerWidth) return [];
  return [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
    .filter(e => !e.closest('.table-wrap') || e.classList.contains('table-wrap'))
    .filter(e => !e.parentElement || e.parentElement.getBoundingClientRect().right
                 <= window.innerWidth + 1)
    .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right));
}"""

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="browser tests need Debian's Chromium at /usr/bin/chromium (apt-get install chromium)",
)
pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[dict[str, Any]]:
    """A live app on a seeded SQLite file; yields its base URL and the seeded data."""
    from werkzeug.serving import make_server

    from market40 import create_app
    from market40.audit import create_snapshot
    from market40.config import TestConfig
    from market40.db import install_database_rules
    from market40.extensions import db
    from market40.models import User
    from market40.registry.seed import seed_reference
    from tests.web.seeddata import seed_dashboard

    folder = tmp_path_factory.mktemp("browser")
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{folder / 'web.sqlite3'}"
    app = create_app(config)

    policy = app.test_client().get("/healthz").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy

    with app.app_context():
        db.create_all()
        install_database_rules(db.engine)
        seed_reference(db.session)
        data = seed_dashboard(db.session)
        author = db.session.query(User).filter_by(name=data.users["department"]).one()
        create_snapshot(db.session, "tn-2022", None, author)
        db.session.commit()
        vendors = {key: v.id for key, v in data.vendors.items()}
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{http.server_port}", "data": data, "vendors": vendors}
    http.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    target = os.environ.get("MARKET40_SCREENSHOTS")
    folder = Path(target) if target else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Page:
    """A browser tab that records console errors and failed requests."""

    def __init__(self, browser: Any, base: str, viewport: dict[str, int]) -> None:
        self.context = browser.new_context(viewport=viewport, locale="vi-VN",
                                           timezone_id="Asia/Ho_Chi_Minh")
        self.context.set_default_timeout(10_000)
        self.page = self.context.new_page()
        self.base = base
        self.errors: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("requestfailed", self._failed)
        self.page.on("response", lambda r: r.status >= 400 and self.errors.append(
            f"{r.status}: {r.url}"))

    def _failed(self, request: Any) -> None:
        # A request cut short by the next navigation (ERR_ABORTED) is not a page fault.
        if "ERR_ABORTED" not in (request.failure or ""):
            self.errors.append(f"failed: {request.url} ({request.failure})")

    def goto(self, path: str) -> Any:
        response = self.page.goto(self.base + path)
        self.page.wait_for_load_state("load")
        return response

    def text(self, selector: str) -> str:
        return self.page.locator(selector).first.inner_text().strip()

    def no_errors(self) -> None:
        assert self.errors == [], self.errors

    def fits_the_screen(self) -> None:
        """Nothing but the tables' own scroll boxes is wider than the viewport."""
        wide = self.page.evaluate(WIDER_THAN_SCREEN)
        assert not wide, f"the page scrolls sideways because of: {wide}"

    def shot(self, folder: Path, name: str) -> Path:
        path = folder / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=False)
        assert path.stat().st_size < MAX_SCREENSHOT_BYTES, (name, path.stat().st_size)
        return path

    def log_in(self, name: str, password: str) -> None:
        self.page.fill("#name", name)
        self.page.fill("#password", password)
        self.page.click("button[type=submit].primary")
        self.page.wait_for_load_state("load")

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def tab(browser, server) -> Iterator[Any]:
    tabs: list[Page] = []

    def open_tab(viewport: dict[str, int] = DESKTOP) -> Page:
        page = Page(browser, server["url"], viewport)
        tabs.append(page)
        return page

    yield open_tab
    for page in tabs:
        page.close()


def api(tab_: Page, path: str) -> dict[str, Any]:
    response = tab_.page.request.get(tab_.base + path)
    assert response.ok, response.status
    return response.json()


def kpis_fit(tab_: Page) -> None:
    """No figure box's text is wider than the box (the English amounts overflowed once)."""
    overflowing = tab_.page.evaluate("""() => [...document.querySelectorAll('.kpi')]
        .filter(k => k.scrollWidth > k.clientWidth + 1).map(k => k.id)""")
    assert overflowing == []


def recent_rows_are_cards(tab_: Page) -> None:
    """On a phone each payment is a card: direction first, signed amount next, no header row."""
    table = tab_.page.locator("#recent-payments")
    assert table.locator("thead").bounding_box()["height"] <= 1
    first = table.locator("tbody tr").first
    box = first.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    cells = first.locator("td")
    direction, amount = cells.nth(0).bounding_box(), cells.nth(1).bounding_box()
    assert direction["y"] < amount["y"]  # stacked, not side by side
    assert cells.nth(1).inner_text().strip()[-1:] in "đD" or "VND" in cells.nth(1).inner_text()
    assert cells.nth(1).inner_text().strip().split("\n")[-1][0] in "+−"


def header_targets_are_44px(tab_: Page) -> None:
    small = tab_.page.evaluate("""() => [...document.querySelectorAll(
        '.site-header a, .site-header button')].filter(e => e.getBoundingClientRect().height < 44)
        .map(e => e.textContent.trim())""")
    assert small == []


def test_overview_matches_the_api_on_desktop_and_phone(tab, server, shots):
    desktop = tab(DESKTOP)
    assert desktop.goto("/").status == 200
    assert desktop.page.locator("html").get_attribute("lang") == "vi"
    certification = api(desktop, "/api/v1/reports/certification?ruleset=tn-2022")
    assert desktop.text("[data-testid=certified]") == str(certification["summary"]["certified"])
    certified_rows = desktop.page.locator("#markets-table tbody tr[data-verdict=certified]")
    shown = {certified_rows.nth(i).get_attribute("data-market")
             for i in range(certified_rows.count())}
    assert shown == {m["code"] for m in certification["markets"] if m["certified"]} == {"THAI"}
    province = api(desktop, "/api/v1/reports/adoption?level=province")
    assert desktop.text("[data-testid=coverage]") == format_percent(province["coverage"], "vi")
    assert desktop.page.locator("svg.chart-lines:visible").count() == 1
    assert desktop.page.locator("#markets-table tbody tr").count() == 140
    desktop.no_errors()
    desktop.shot(shots, "overview-desktop")

    phone = tab(PHONE)
    phone.goto("/")
    phone.fits_the_screen()
    phone.no_errors()
    phone.shot(shots, "overview-phone")


CHART_TEXT_SIZES = """() => [...document.querySelectorAll('svg.chart text')]
    .filter(t => t.getClientRects().length)
    .map(t => t.getBoundingClientRect().height)"""


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_public_pages_fit_and_chart_text_is_readable(tab, server, lang, viewport):
    """No sideways scrolling, chart text at least 12 px, in both languages and both widths."""
    page = tab(viewport)
    for path in ("/", "/markets/DAI-TU", "/markets/THAI"):
        assert page.goto(f"{path}?lang={lang}").status == 200
        assert page.page.locator("html").get_attribute("lang") == lang
        page.fits_the_screen()
        kpis_fit(page)
        # Rendered glyph boxes: a 12 px font draws a line box of about 14 px.
        sizes = page.page.evaluate(CHART_TEXT_SIZES)
        assert sizes and min(sizes) >= 12 * 1.1, (path, min(sizes))
        font_px = page.page.evaluate("""() => Math.min(...[...document.querySelectorAll(
            'svg.chart')].filter(s => s.getClientRects().length).map(s =>
            parseFloat(s.getAttribute('font-size')) * s.getBoundingClientRect().width
            / s.viewBox.baseVal.width))""")
        assert font_px >= 12, (path, font_px)
        if axe_checks(lang, viewport):
            accessible(page)
    page.no_errors()


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_logged_in_pages_fit_and_pass_axe(tab, server, lang, viewport):
    from tests.web.seeddata import PASSWORD

    page = tab(viewport)
    page.goto("/login")
    page.log_in(server["data"].users["board"], PASSWORD)
    vendors = server["vendors"]
    for path in (f"/vendors/{vendors['rau']}", f"/vendors/{vendors['khong_tk']}",
                 "/markets/DAI-TU"):
        assert page.goto(f"{path}?lang={lang}").status == 200
        page.fits_the_screen()
        kpis_fit(page)
        if axe_checks(lang, viewport):
            accessible(page)
    department = tab(viewport)
    department.goto("/login")
    department.log_in(server["data"].users["department"], PASSWORD)
    assert department.goto(f"/audit?lang={lang}").status == 200
    department.fits_the_screen()
    if axe_checks(lang, viewport):
        accessible(department)
    page.no_errors()
    department.no_errors()


def test_the_axe_check_sees_poor_contrast_in_one_row_of_many(tab, server):
    """The contrast check skips rows that repeat another's markup, not a row styled apart."""
    page = tab(PHONE)
    page.goto("/")
    page.page.evaluate("""() => { const rows = document.querySelectorAll('#markets-table tbody tr');
        rows[rows.length - 1].querySelector('td.head a').style.color = '#d0d0d0'; }""")
    with pytest.raises(AssertionError, match="color-contrast"):
        accessible(page)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_bad_date_is_explained_next_to_the_field_in_the_pages_language(tab, server, lang):
    page = tab(PHONE)
    response = page.goto(f"/?as_of=2999-01-01&lang={lang}")
    assert response.status == 422
    page.errors.clear()  # the 422 itself is expected
    error = page.text("#as_of-error")
    assert ("hôm nay" in error) if lang == "vi" else ("today" in error)
    assert "as_of" not in error and "2999" not in error
    assert page.page.locator("#as_of").get_attribute("aria-describedby") == "as_of-error"
    assert page.page.locator("#as_of").get_attribute("max")
    page.fits_the_screen()
    page.no_errors()


def test_market_rows_are_cards_on_a_phone(tab, server):
    page = tab(PHONE)
    page.goto("/?show=with_data")
    rows = page.page.locator("#markets-table tbody tr")
    assert rows.count() == 2
    first = rows.first
    assert first.locator("td.head a").bounding_box()["y"] < first.locator(
        "td.criterion").first.bounding_box()["y"]
    page.fits_the_screen()
    page.no_errors()


def test_sorting_by_a_column_heading(tab, server):
    page = tab()
    page.goto("/")
    page.page.click("#markets-table th a:text('Tỷ lệ có mã QR')")
    page.page.wait_for_load_state("load")
    page.page.click("#markets-table th a:text('Tỷ lệ có mã QR')")  # again: descending
    page.page.wait_for_load_state("load")
    assert "sort=coverage" in page.page.url and "order=desc" in page.page.url
    assert page.page.locator("#markets-table tbody tr").first.get_attribute("data-market") == "THAI"
    page.no_errors()


def test_market_page_numbers_equal_the_api(tab, server, shots):
    page = tab()
    assert page.goto("/markets/DAI-TU").status == 200
    report = api(page, "/api/v1/reports/adoption?level=market&code=DAI-TU")
    assert page.text("[data-testid=coverage]") == format_percent(report["coverage"], "vi")
    assert page.text("[data-testid=active]") == str(report["active"])
    assert page.text("[data-testid=cashless]") == format_percent(
        report["cashless_share_count"], "vi")
    assert page.text("[data-testid=cashless_value]") == format_percent(
        report["cashless_share_value"], "vi")
    assert page.text("[data-testid=fees]") == format_percent(report["fees_cashless_share"], "vi")
    assert page.text("[data-testid=online]") == str(report["online_products"])
    assert page.page.locator("svg.chart-bars rect.bar").count() >= 7
    assert page.page.locator("#follow-ups").count() == 0  # not logged in
    body = page.page.content()
    for secret in server["data"].personal:
        assert secret not in body
    page.no_errors()
    phone = tab(PHONE)
    phone.goto("/markets/DAI-TU")
    phone.fits_the_screen()
    phone.no_errors()
    phone.shot(shots, "market-phone")


def test_language_switch_sticks_across_pages(tab, server):
    page = tab()
    page.goto("/markets/THAI")
    assert page.text("h2#daily-heading") == "Tỷ lệ giao dịch không tiền mặt theo ngày"
    page.page.click(".lang-switch a[hreflang=en]")
    page.page.wait_for_load_state("load")
    assert page.page.locator("html").get_attribute("lang") == "en"
    assert page.text("h2#daily-heading") == "Cashless share of sales by day"
    assert "/markets/THAI" in page.page.url
    page.page.click("a.brand")
    page.page.wait_for_load_state("load")
    assert page.text("h1") == "Market 4.0 across the province"
    assert "%" in page.text("[data-testid=coverage]") and "\u00a0%" not in page.text(
        "[data-testid=coverage]")
    page.page.click(".lang-switch a[hreflang=vi]")
    page.page.wait_for_load_state("load")
    assert page.text("h1") == "Chợ 4.0 toàn tỉnh"
    page.no_errors()


def test_vendor_logs_in_sees_its_card_and_logs_out(tab, server, shots):
    from tests.web.seeddata import PASSWORD

    page = tab(PHONE)
    vendor_id = server["vendors"]["rau"]
    page.goto(f"/vendors/{vendor_id}")
    assert "/login" in page.page.url  # asked to log in first
    page.log_in("nobody", "wrong-password-here")
    assert "Sai tên đăng nhập" in page.text(".error-box")
    page.errors.clear()  # the 401 of a wrong password is expected
    page.log_in(server["data"].users["vendor"], PASSWORD)
    assert page.page.url.endswith(f"/vendors/{vendor_id}")
    card = page.page.locator("#stall-card")
    assert card.locator("svg").count() == 1 and card.locator("svg path").count() == 1
    assert "A01" in card.inner_text()
    assert page.page.locator("#card-pdf").get_attribute("href") == f"/vendors/{vendor_id}/card.pdf"
    pdf = page.page.request.get(page.base + f"/vendors/{vendor_id}/card.pdf")
    assert pdf.ok and pdf.body()[:5] == b"%PDF-"
    page.fits_the_screen()
    page.no_errors()
    page.shot(shots, "vendor-card-phone")
    for lang in ("en", "vi"):  # English amounts are longer: they must fit too
        page.goto(f"/vendors/{vendor_id}?lang={lang}")
        page.fits_the_screen()
        kpis_fit(page)
        recent_rows_are_cards(page)
    header_targets_are_44px(page)
    page.page.click(".account button")
    page.page.wait_for_load_state("load")
    assert page.page.locator(".account a").inner_text() == "Đăng nhập"
    page.goto(f"/vendors/{vendor_id}")
    assert "/login" in page.page.url
    page.no_errors()


def test_board_sees_its_follow_up_list(tab, server, shots):
    from tests.web.seeddata import PASSWORD

    page = tab(DESKTOP)
    page.goto("/login")
    page.log_in(server["data"].users["board"], PASSWORD)
    page.goto("/markets/DAI-TU")
    rows = page.page.locator("#follow-ups tbody tr")
    assert rows.count() == 3
    assert "C01" in rows.first.inner_text()
    page.no_errors()
    page.page.locator("#board").scroll_into_view_if_needed()
    page.shot(shots, "market-board-desktop")


def test_auditor_sees_verified_snapshots(tab, server, shots):
    from tests.web.seeddata import PASSWORD

    page = tab(DESKTOP)
    page.goto("/audit")
    page.log_in(server["data"].users["auditor"], PASSWORD)
    assert page.page.url.endswith("/audit")
    row = page.page.locator("#snapshots tbody tr").first
    assert "Mã băm đúng" in row.inner_text() and "Chuỗi liền" in row.inner_text()
    csv = page.page.request.get(page.base + row.locator("a", has_text="CSV").get_attribute("href"))
    assert csv.ok and "THAI" in csv.text()
    page.no_errors()
    page.shot(shots, "audit-desktop")


def test_department_freezes_the_figures_from_the_audit_page_on_a_phone(tab, server, shots):
    from tests.web.seeddata import PASSWORD

    page = tab(PHONE)
    page.goto("/audit")
    page.log_in(server["data"].users["department"], PASSWORD)
    before = page.page.locator("#snapshots tbody tr").count()
    assert page.page.locator("#snap-ruleset").input_value() == "tn-2022"
    assert page.page.locator("#snap-as_of").get_attribute("max")
    page.fits_the_screen()
    page.page.click("#create-snapshot button[type=submit]")
    page.page.wait_for_load_state("load")
    assert page.page.locator("#snapshots tbody tr").count() == before + 1
    assert page.page.locator("#created-note").count() == 1
    assert page.page.locator("#snapshots tr.created").count() == 1
    page.fits_the_screen()
    page.no_errors()
    page.shot(shots, "audit-phone")
