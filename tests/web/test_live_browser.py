"""The stall's live page in Debian's Chromium (Playwright), under the app's own CSP: a
payment recorded while the page is open appears at the top, the total moves, and the
sentence is said (shown in the page's live region, the clip or the voice played); the
page passes axe-core and fits 390 px. A paired phone opens it with its device token."""

from __future__ import annotations

import json
import threading
import urllib.request
from datetime import datetime
from typing import Any

import pytest

from tests.browser import CHROMIUM, PHONE, accessible
from tests.web.test_browser import Page

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")


@pytest.fixture(scope="module")
def live_server(tmp_path_factory) -> Any:
    from werkzeug.serving import make_server

    from market40 import create_app
    from market40.auth import create_user, issue_token
    from market40.config import TestConfig
    from market40.db import install_database_rules
    from market40.extensions import db
    from market40.live.devices import pair_device
    from market40.registry.seed import seed_reference
    from tests.web.seeddata import seed_dashboard

    folder = tmp_path_factory.mktemp("live-browser")
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{folder / 'live.sqlite3'}"
    config["LIVE_STREAM_SECONDS"] = 600
    app = create_app(config)
    with app.app_context():
        db.create_all()
        install_database_rules(db.engine)
        seed_reference(db.session)
        data = seed_dashboard(db.session)
        vendor = data.vendors["rau"]
        admin = issue_token(db.session, create_user(db.session, "live-admin", "admin"))
        _, device = pair_device(db.session, vendor, "Điện thoại cũ", None)
        vendor_id = vendor.id
        db.session.commit()
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{http.server_port}", "vendor": vendor_id,
           "admin": admin, "device": device, "app": app}
    from market40.live.hub import stop_hub

    stop_hub(app)
    http.shutdown()
    thread.join(timeout=5)


def record(server: dict[str, Any], reference: str, amount: int) -> None:
    body = {"vendor_id": server["vendor"], "amount": amount, "method": "qr",
            "occurred_at": datetime.now().astimezone().isoformat(), "reference": reference}
    request = urllib.request.Request(
        server["url"] + "/api/v1/transactions", data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json",
                 "Authorization": f"Bearer {server['admin']}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 201


def test_a_payment_arriving_while_the_page_is_open_is_shown_and_said(browser, live_server):
    tab = Page(browser, live_server["url"], PHONE)
    try:
        tab.goto(f"/vendors/{live_server['vendor']}/live?device={live_server['device']}")
        page = tab.page
        assert page.url.endswith(f"/vendors/{live_server['vendor']}/live")  # token left the URL
        page.wait_for_function(
            "() => document.getElementById('live-status').textContent.includes('Đang nghe')")
        before = page.locator("#live-list li").count()
        total = int(page.locator("#live-total").get_attribute("data-total"))

        record(live_server, "browser-1", 25_000)
        page.wait_for_function(
            "() => document.getElementById('live-said').textContent.includes('hai mươi lăm')",
            timeout=10_000)
        assert tab.text("#live-said") == "Đã nhận hai mươi lăm nghìn đồng"
        assert page.locator("#live-list li").count() == before + 1
        assert "25.000" in tab.text("#live-list li")
        assert int(page.locator("#live-total").get_attribute("data-total")) == total + 25_000

        # A second one: shown once, on top, even across the stream's own reconnects.
        record(live_server, "browser-2", 1_005_000)
        page.wait_for_function(
            "() => document.getElementById('live-said').textContent.includes('triệu')")
        assert page.locator("#live-list li").count() == before + 2
        assert "1.005.000" in tab.text("#live-list li")

        accessible(tab)
        tab.fits_the_screen()
        # The only failures allowed: the speech clip a headless browser may refuse to play.
        assert [e for e in tab.errors if "speech.wav" not in e and "play()" not in e] == []
    finally:
        tab.context.close()
