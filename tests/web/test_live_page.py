"""/vendors/ID/live without a browser: who may open it, what it shows, device pairing."""

from __future__ import annotations

import re

from tests.factories import auth
from tests.payments.helpers import tx
from tests.web.conftest import log_in


def test_the_vendor_sees_todays_total_and_payments(client, dashboard, admin):
    from market40.localtime import local_now

    vendor_id = dashboard.vendors["rau"].id
    now = local_now().replace(microsecond=0)
    response = client.post("/api/v1/transactions", headers=auth(admin), json=tx(
        vendor_id, "live-page-1", 43_000, "qr", occurred_at=now))
    assert response.status_code == 201, response.json
    assert client.get(f"/vendors/{vendor_id}/live").status_code == 302  # to the login
    log_in(client, dashboard.users["vendor"])
    page = client.get(f"/vendors/{vendor_id}/live")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Tiền vào hôm nay" in html and "43.000" in html
    # Today's page gives each payment its time of day, as the script does for new ones
    # (and the statement): "09:41:07", not the date again on every row.
    row = re.search(r'<span class="live-time">([^<]*)</span>', html).group(1)
    assert row == now.strftime("%H:%M:%S")
    assert 'src="/static/live.js"' in html and "<script>" not in html
    assert f"/api/v1/vendors/{vendor_id}/statement" in html


def test_a_paired_phone_opens_the_page_with_its_token_once(client, dashboard, board):
    vendor_id, other = dashboard.vendors["rau"].id, dashboard.vendors["thit"].id
    paired = client.post(f"/api/v1/vendors/{vendor_id}/devices", headers=auth(board),
                         json={"label": "Điện thoại cũ"})
    assert paired.status_code == 201, paired.json
    first = client.get(f"/vendors/{vendor_id}/live?device={paired.json['token']}")
    assert first.status_code == 302 and first.headers["Location"].endswith(
        f"/vendors/{vendor_id}/live")
    assert "HttpOnly" in first.headers["Set-Cookie"]
    assert client.get(f"/vendors/{vendor_id}/live").status_code == 200
    assert client.get(f"/vendors/{other}/live").status_code == 403


def test_the_statement_links_open_for_the_logged_in_vendor_and_the_paired_phone(
        app, client, dashboard, admin, board):
    from market40.localtime import local_now

    vendor_id, other = dashboard.vendors["rau"].id, dashboard.vendors["thit"].id
    now = local_now().replace(microsecond=0)
    response = client.post("/api/v1/transactions", headers=auth(admin), json=tx(
        vendor_id, "live-statement-1", 61_000, "qr", occurred_at=now))
    assert response.status_code == 201, response.json
    log_in(client, dashboard.users["vendor"])
    html = client.get(f"/vendors/{vendor_id}/live").get_data(as_text=True)
    links = [link.replace("&amp;", "&") for link in
             re.findall(r'href="(/api/v1/vendors/\d+/statement\?[^"]+)"', html)]
    assert len(links) == 2  # PDF and CSV, as a tap on the phone page follows them
    pdf, csv = (client.get(link) for link in sorted(links, key=lambda s: "csv" in s))
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert csv.status_code == 200 and ",61000," in csv.get_data(as_text=True)

    phone = app.test_client()
    paired = phone.post(f"/api/v1/vendors/{vendor_id}/devices", headers=auth(board),
                        json={"label": "Điện thoại quầy"})
    phone.get(f"/vendors/{vendor_id}/live?device={paired.json['token']}")
    assert phone.get(links[0]).status_code == 200
    assert phone.get(links[0].replace(f"/{vendor_id}/", f"/{other}/")).status_code == 403
    assert app.test_client().get(links[0]).status_code == 401


def test_a_phone_whose_pairing_was_revoked_is_told_so_and_can_log_in(app, dashboard, board):
    # The speaker phone's pairing revoked (or a mistyped link): the page said "log in",
    # which a paired phone cannot do, and its stale device cookie stayed for 400 days.
    vendor_id = dashboard.vendors["rau"].id
    phone = app.test_client()
    paired = phone.post(f"/api/v1/vendors/{vendor_id}/devices", headers=auth(board),
                        json={"label": "Loa cũ"})
    phone.get(f"/vendors/{vendor_id}/live?device={paired.json['token']}")
    revoked = phone.delete(f"/api/v1/vendors/{vendor_id}/devices/{paired.json['id']}",
                           headers=auth(board))
    assert revoked.status_code == 200
    page = phone.get(f"/vendors/{vendor_id}/live")
    assert page.status_code == 401
    assert "không còn được ghép" in page.get_data(as_text=True)
    assert "market40_device=;" in page.headers["Set-Cookie"]  # forgotten
    again = phone.get(f"/vendors/{vendor_id}/live")
    assert again.status_code == 302 and again.headers["Location"].startswith("/login")
