"""The poster, its key, self-registration and the status page."""

from __future__ import annotations

import re
import shutil
import subprocess
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from market40.models import AuditEntry, SelfRegistration, Vendor
from tests.web.conftest import csrf_token
from tests.web.desk.conftest import form_token

STALL = {
    "stall_code": "J-7", "display_name": "Cá tươi Cô Hoa", "owner_name": "Trần Thị Hoa",
    "goods_category": "cá", "phone": "0987654321", "bank_bin": "970415",
    "account_number": "102030405060", "account_holder": "TRAN THI HOA",
}


def join_path(board) -> str:
    page = board.get("/desk/markets/DAI-TU/poster").get_data(as_text=True)
    url = re.search(r'id="join-url">([^<]+)<', page).group(1).replace("&amp;", "&")
    parts = urlsplit(url)
    assert parts.scheme == "http" and parts.path == "/join/DAI-TU"
    return f"{parts.path}?{parts.query}"


def test_join_register_then_board_approves_and_the_status_page_offers_the_card(
        as_user, app, db):
    board = as_user("board")
    path = join_path(board)
    phone = app.test_client()
    form = phone.get(path)
    assert form.status_code == 200
    html = form.get_data(as_text=True)
    assert 'name="national_id"' not in html and 'name="website"' in html
    response = phone.post(path, data={**STALL, "csrf_token": csrf_token(html)})
    assert response.status_code == 302
    status_url = response.headers["Location"]
    assert re.fullmatch(r"/join/status/[A-Za-z0-9_-]{32}", status_url)
    vendor = db.session.scalar(sa.select(Vendor).where(Vendor.stall_code == "J-7"))
    assert vendor.status == "submitted" and vendor.made_by_id is None
    assert vendor.national_id is None and vendor.phone == "0987654321"
    token = status_url.rsplit("/", 1)[1]
    stored = db.session.scalar(sa.select(SelfRegistration.token_hash))
    assert token not in stored  # only the hash is kept
    entry = db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.entity_id == str(vendor.id), AuditEntry.action == "create"))
    assert entry.actor == "self-registration"

    status = phone.get(status_url)
    text = status.get_data(as_text=True)
    assert "Ban quản lý chợ đang kiểm tra hồ sơ." in text and 'id="join-card"' not in text
    assert status.headers["Cache-Control"] == "no-store"
    assert phone.get(status_url + "/card.pdf").status_code == 404

    # Any board user may check it: nobody at the market made it.
    page = board.get(f"/desk/vendors/{vendor.id}").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    assert board.post(f"/desk/vendors/{vendor.id}/approve",
                      data={"csrf_token": csrf_token(page), "version": version}
                      ).status_code == 302
    text = phone.get(status_url).get_data(as_text=True)
    assert "Đã duyệt" in text and 'id="join-card"' in text
    english = phone.get(status_url + "?lang=en").get_data(as_text=True)
    assert "Approved. Download your stall" in english
    card = phone.get(status_url + "/card.pdf")
    assert card.status_code == 200 and card.data.startswith(b"%PDF")
    assert phone.get("/join/status/" + "x" * 32).status_code == 404


def test_a_board_user_registering_through_the_poster_is_its_maker(as_user, db):
    """Logged in at the desk, a board user who fills in the poster's form (helping a vendor,
    or for a stall of their own) made that registration: they cannot approve it alone,
    where the anonymous form let the same user make and check it."""
    board = as_user("board")
    path = join_path(board)
    form = board.get(path).get_data(as_text=True)
    response = board.post(path, data={**STALL, **hidden_fields(form),
                                      "csrf_token": csrf_token(form)})
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    vendor = db.session.scalar(sa.select(Vendor).where(Vendor.stall_code == "J-7"))
    assert vendor.status == "submitted" and vendor.made_by.name == "web-board-daitu"
    page = board.get(f"/desk/vendors/{vendor.id}").get_data(as_text=True)
    assert f'/desk/vendors/{vendor.id}/approve"' not in page
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    forged = board.post(f"/desk/vendors/{vendor.id}/approve",
                        data={"csrf_token": csrf_token(page), "version": version})
    assert forged.status_code == 409
    checker = as_user("checker")
    page = checker.get(f"/desk/vendors/{vendor.id}").get_data(as_text=True)
    assert checker.post(f"/desk/vendors/{vendor.id}/approve",
                        data={"csrf_token": csrf_token(page), "version": version}
                        ).status_code == 302


def hidden_fields(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))


def test_a_double_submit_lands_on_the_one_status_page_it_made(as_user, app, db):
    # A second tap while the first send is under way: the browser shows the answer to the
    # second, which must be the status page of the one registration, not "stall taken".
    path = join_path(as_user("board"))
    phone = app.test_client()
    form = hidden_fields(phone.get(path).get_data(as_text=True))
    first = phone.post(path, data={**STALL, **form})
    second = phone.post(path, data={**STALL, **form})
    assert first.status_code == 302, first.get_data(as_text=True)
    assert second.status_code == 302, second.get_data(as_text=True)
    assert second.headers["Location"] == first.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Vendor).where(
        Vendor.stall_code == "J-7")) == 1
    assert "Chờ duyệt" in phone.get(second.headers["Location"]).get_data(as_text=True)
    # A form loaded again is another registration of the same stall: refused as before.
    again = hidden_fields(phone.get(path).get_data(as_text=True))
    other = phone.post(path, data={**STALL, **again})
    assert other.status_code == 409
    assert "đã được đăng ký" in other.get_data(as_text=True)
    # Back to the form, filled in for the next stall (a neighbour's): a registration of
    # its own, not the first one's status page.
    neighbour = {**STALL, "stall_code": "J-8", "account_number": "102030405061"}
    next_stall = phone.post(path, data={**neighbour, **form})
    assert next_stall.status_code == 302
    assert next_stall.headers["Location"] != first.headers["Location"]
    assert "J-8" in phone.get(next_stall.headers["Location"]).get_data(as_text=True)


def test_an_approved_stall_without_a_bank_account_is_not_promised_a_card(as_user, app, db):
    # The bank fields may be left blank: approval then issues no QR, and the status page
    # must say what is missing instead of "download your card" with nothing to download.
    board = as_user("board")
    path = join_path(board)
    phone = app.test_client()
    form = hidden_fields(phone.get(path).get_data(as_text=True))
    no_bank = {**STALL, "bank_bin": "", "account_number": "", "account_holder": ""}
    status_url = phone.post(path, data={**no_bank, **form}).headers["Location"]
    vendor = db.session.scalar(sa.select(Vendor).where(Vendor.stall_code == "J-7"))
    page = board.get(f"/desk/vendors/{vendor.id}").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    assert board.post(f"/desk/vendors/{vendor.id}/approve", data={
        "csrf_token": csrf_token(page), "version": version}).status_code == 302
    text = phone.get(status_url).get_data(as_text=True)
    assert "Đã duyệt" in text and 'id="join-card"' not in text
    assert "Tải thẻ QR" not in text and "chưa có tài khoản ngân hàng" in text
    english = phone.get(status_url + "?lang=en").get_data(as_text=True)
    assert "Download" not in english and "no bank account" in english


def test_a_form_left_open_too_long_comes_back_with_what_was_typed(as_user, app, db,
                                                                  monkeypatch):
    # The form's CSRF token lasts an hour; a vendor serving customers between two fields
    # sends it later. The answer was an error page ("Yêu cầu không hợp lệ"), every field
    # lost; now the form comes back filled in, with a fresh token, and nothing is stored.
    import time

    path = join_path(as_user("board"))
    phone = app.test_client()
    form = hidden_fields(phone.get(path).get_data(as_text=True))
    monkeypatch.setitem(app.config, "WTF_CSRF_TIME_LIMIT", 1)  # an hour, in the test: 1 s
    time.sleep(2.1)
    late = phone.post(path, data={**STALL, **form})
    html = late.get_data(as_text=True)
    assert late.status_code == 400
    assert "đã mở quá lâu" in html and 'value="Cá tươi Cô Hoa"' in html
    assert 'value="102030405060"' in html and '<option value="cá" selected>' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Vendor).where(
        Vendor.stall_code == "J-7")) == 0
    monkeypatch.setitem(app.config, "WTF_CSRF_TIME_LIMIT", 3600)
    again = phone.post(path, data={**STALL, **hidden_fields(html)})
    assert again.status_code == 302 and "/join/status/" in again.headers["Location"]
    # The form comes back with a submission key of its own, never the one posted: a page
    # elsewhere could have posted a key it knows (no valid token), and the key leads to
    # the status address of whatever registration the form then makes.
    chosen = "k" * 32
    forged = phone.post(path, data={**STALL, "stall_code": "J-9", "submission": chosen})
    assert forged.status_code == 400
    assert hidden_fields(forged.get_data(as_text=True))["submission"] != chosen


def test_a_stall_code_with_a_vietnamese_letter_is_told_to_use_plain_letters(as_user, app):
    # "Đ" is a letter to whoever types it: "gồm 1–20 chữ cái" alone did not say what was
    # wrong with "Đ-01".
    path = join_path(as_user("board"))
    phone = app.test_client()
    form = hidden_fields(phone.get(path).get_data(as_text=True))
    refused = phone.post(path, data={**STALL, **form, "stall_code": "Đ-01"})
    problem = re.search(r'id="stall_code-error">([^<]*)<', refused.get_data(as_text=True))
    assert refused.status_code == 422 and "không dấu" in problem.group(1)
    english = phone.post(path + "&lang=en", data={**STALL, **form, "stall_code": "Đ-01"})
    assert "A-Z" in re.search(r'id="stall_code-error">([^<]*)<',
                              english.get_data(as_text=True)).group(1)


def test_a_wrong_or_rotated_key_is_refused(as_user, app, db):
    board = as_user("board")
    path = join_path(board)
    phone = app.test_client()
    assert phone.get("/join/DAI-TU").status_code == 404
    assert phone.get("/join/DAI-TU?k=guess").status_code == 404
    assert phone.get("/join/NOPE?k=guess").status_code == 404
    assert phone.get(path).status_code == 200
    rotated = board.post("/desk/markets/DAI-TU/poster/rotate",
                         data={"csrf_token": form_token(board, "/desk/markets/DAI-TU/poster")})
    assert rotated.status_code == 302
    assert phone.get(path).status_code == 404
    assert phone.get(join_path(board)).status_code == 200
    assert db.session.scalar(sa.select(AuditEntry.action).where(
        AuditEntry.action == "join_key.rotate")) == "join_key.rotate"
    # Only the market's board (or an admin) prints and rotates its poster.
    other = as_user("other_board")
    assert other.get("/desk/markets/DAI-TU/poster.pdf").status_code == 403
    assert as_user("department").get("/desk/markets/DAI-TU/poster").status_code == 403


def test_bad_fields_a_taken_account_and_the_honeypot_store_nothing(as_user, app, db, desk):
    path = join_path(as_user("board"))
    phone = app.test_client()
    token = csrf_token(phone.get(path).get_data(as_text=True))
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Vendor))
    bad = phone.post(path, data={**STALL, "csrf_token": token, "phone": "123",
                                 "goods_category": ""})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "số di động Việt Nam" in html and 'id="goods_category-error"' in html
    taken = db.session.scalar(sa.select(Vendor).where(Vendor.status == "approved",
                                                      Vendor.account_number.is_not(None)))
    dup = phone.post(path, data={**STALL, "csrf_token": token, "bank_bin": taken.bank_bin,
                                 "account_number": taken.account_number})
    assert dup.status_code == 409  # the registry: one account pays one live vendor
    assert f"tài khoản này đã nhận tiền cho quầy {taken.stall_code}" in dup.get_data(
        as_text=True)
    bot = phone.post(path, data={**STALL, "csrf_token": token, "website": "http://spam"})
    assert bot.status_code == 400
    no_token = phone.post(path, data=STALL)
    assert no_token.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Vendor)) == count


def test_the_poster_pdf_holds_the_join_address_as_a_qr(as_user, tmp_path):
    board = as_user("board")
    path = join_path(board)
    response = board.get("/desk/markets/DAI-TU/poster.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    if not shutil.which("pdftoppm"):
        pytest.skip("poppler-utils (pdftoppm, pdftotext) not installed")
    text = subprocess.run(["pdftotext", "-", "-"], input=response.data, capture_output=True,
                          check=True).stdout.decode()
    assert "Đăng ký nhận thanh toán" in " ".join(text.split()) and path in text
    (tmp_path / "poster.pdf").write_bytes(response.data)
    subprocess.run(["pdftoppm", "-r", "100", "-gray", "-png", "-singlefile",
                    str(tmp_path / "poster.pdf"), str(tmp_path / "poster")], check=True)
    import zxingcpp
    from PIL import Image

    found = [b.text for b in zxingcpp.read_barcodes(Image.open(tmp_path / "poster.png"))]
    assert found == [f"http://localhost{path}"]


@pytest.fixture
def limited(tmp_path):
    """An app with its rate limits on (the tests' own config turns them off) and the
    poster path of DAI-TU."""
    from market40 import create_app
    from market40.config import TestConfig
    from market40.extensions import db as _db
    from market40.models import Market
    from market40.registry.enrollment import join_key
    from market40.registry.seed import seed_reference

    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'rl.sqlite3'}",
                  RATELIMIT_ENABLED=True)
    app = create_app(config)
    with app.app_context():
        _db.create_all()
        seed_reference(_db.session)
        market = _db.session.scalar(sa.select(Market).where(Market.code == "DAI-TU"))
        path = f"/join/DAI-TU?k={join_key(_db.session, market)}"
        _db.session.commit()
    yield app, path
    with app.app_context():
        _db.engine.dispose()


def test_join_posts_are_rate_limited_per_address(limited):
    app, path = limited
    phone = app.test_client()
    codes = [phone.post(path, data={"stall_code": ""}).status_code for _ in range(6)]
    assert codes[:5] == [400] * 5 and codes[5] == 429


def test_a_vendor_correcting_mistakes_is_not_locked_out(limited):
    # Each refusal of a field shows the form again and stores nothing; a vendor fixing
    # one field after another must not meet "too many requests" (and lose the form).
    app, path = limited
    phone = app.test_client()
    form = hidden_fields(phone.get(path).get_data(as_text=True))
    for phone_number in ("1", "12", "123", "0123", "01234", "012345"):
        assert phone.post(path, data={**STALL, **form, "phone": phone_number}
                          ).status_code == 422
    assert phone.post(path, data={**STALL, **form}).status_code == 302


def test_a_hidden_character_on_the_phone_form_is_shown_next_to_the_field(as_user, app, db):
    path = join_path(as_user("board"))
    phone = app.test_client()
    token = csrf_token(phone.get(path).get_data(as_text=True))
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Vendor))
    bad = phone.post(path, data={**STALL, "csrf_token": token, "owner_name": "Lan\u200d"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert 'id="owner_name-error"' in html and "(U+200D)" in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Vendor)) == count
