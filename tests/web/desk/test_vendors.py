"""Register, submit, approve at the desk: the registry's rules, in the page's language."""

from __future__ import annotations

import re

import sqlalchemy as sa

from market40.models import AuditEntry, Vendor
from tests.registry.helpers import moves_released_together
from tests.web.desk.conftest import form_token, posted_together

NEW = "/desk/markets/DAI-TU/vendors/new"
STALL = {
    "stall_code": "D-101", "display_name": "Rau sạch Bà Lan", "owner_name": "Nguyễn Thị Lan",
    "goods_category": "rau củ quả", "phone": "0912 345 678", "national_id": "",
    "bank_bin": "970436", "account_number": "5566778899", "account_holder": "NGUYEN THI LAN",
}


def vendor_by_stall(db, stall: str) -> Vendor | None:
    return db.session.scalar(sa.select(Vendor).where(Vendor.stall_code == stall))


def version_of(html: str) -> str:
    return re.search(r'name="version" value="(\d+)"', html).group(1)


def test_anonymous_visitors_are_sent_to_the_login_page(client, desk):
    for path in ("/desk", NEW, "/desk/approvals", "/desk/markets/DAI-TU/vendors"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")


def test_roles_without_the_desk_get_403(as_user):
    for key in ("auditor", "vendor"):
        assert as_user(key).get("/desk").status_code == 403
    assert as_user("department").get("/desk").status_code == 200
    # A board user's scope: another market's pages are closed.
    other = as_user("other_board")
    assert other.get("/desk/markets/DAI-TU/vendors").status_code == 403
    assert other.get(NEW).status_code == 403


def test_a_bad_form_comes_back_with_every_problem_in_vietnamese_and_nothing_saved(
        as_user, db):
    board = as_user("board")
    token = form_token(board, NEW)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Vendor))
    response = board.post(NEW, data={**STALL, "csrf_token": token, "phone": "12345",
                                     "display_name": "", "account_holder": "",
                                     "action": "submit"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="display_name-error"' in html and "bắt buộc phải điền" in html
    assert 'id="phone-error"' in html and "số di động Việt Nam" in html
    assert 'id="account_holder-error"' in html
    assert 'value="D-101"' in html  # what was typed stays
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Vendor)) == before
    english = board.post(NEW + "?lang=en", data={**STALL, "csrf_token": token, "phone": "1",
                                                 "action": "draft"})
    assert english.status_code == 422
    assert "must be a Vietnamese mobile number" in english.get_data(as_text=True)


def test_a_post_without_the_csrf_token_is_refused(as_user, db):
    response = as_user("board").post(NEW, data={**STALL, "action": "draft"})
    assert response.status_code == 400
    assert vendor_by_stall(db, "D-101") is None


def test_register_submit_and_another_user_approves(as_user, db):
    maker = as_user("board")
    response = maker.post(NEW, data={**STALL, "csrf_token": form_token(maker, NEW),
                                     "action": "draft"})
    assert response.status_code == 302, response.get_data(as_text=True)[-2500:]
    vendor = vendor_by_stall(db, "D-101")
    assert response.headers["Location"] == f"/desk/vendors/{vendor.id}"
    assert vendor.status == "draft" and vendor.phone == "0912345678"
    page = maker.get(f"/desk/vendors/{vendor.id}").get_data(as_text=True)
    assert "Đã lưu nháp." in page and f'/desk/vendors/{vendor.id}/submit"' in page
    token = csrf_token_of(page)
    submitted = maker.post(f"/desk/vendors/{vendor.id}/submit",
                           data={"csrf_token": token, "version": version_of(page)})
    assert submitted.status_code == 302, submitted.get_data(as_text=True)[-3000:]
    db.session.expire_all()
    assert vendor_by_stall(db, "D-101").status == "submitted"

    # The maker is told why there is no approve button, and a forged POST is refused.
    page = maker.get(f"/desk/vendors/{vendor.id}").get_data(as_text=True)
    assert f'/desk/vendors/{vendor.id}/approve"' not in page
    assert 'id="why-not-approve"' in page and "người lập – người duyệt" in page
    forged = maker.post(f"/desk/vendors/{vendor.id}/approve",
                        data={"csrf_token": token, "version": version_of(page)})
    assert forged.status_code == 409 and "người lập – người duyệt" in forged.get_data(
        as_text=True)

    checker = as_user("checker")
    page = checker.get(f"/desk/vendors/{vendor.id}").get_data(as_text=True)
    assert f'/desk/vendors/{vendor.id}/approve"' in page
    approved = checker.post(f"/desk/vendors/{vendor.id}/approve",
                            data={"csrf_token": csrf_token_of(page),
                                  "version": version_of(page)})
    assert approved.status_code == 302
    db.session.expire_all()
    vendor = vendor_by_stall(db, "D-101")
    assert vendor.status == "approved" and vendor.qr_issued_at is not None
    page = checker.get(f"/desk/vendors/{vendor.id}").get_data(as_text=True)
    assert "<svg" in page and f"/vendors/{vendor.id}/card.pdf" in page
    actions = [e.action for e in db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.entity == "vendor",
                                    AuditEntry.entity_id == str(vendor.id)))]
    assert sorted(actions) == ["approve", "create", "submit"]
    assert checker.get(f"/vendors/{vendor.id}/card.pdf").data.startswith(b"%PDF")


def test_a_stale_version_is_refused_with_a_reload_hint(as_user, db, desk):
    vendor = desk.vendors["waiting"] if "waiting" in desk.vendors else None
    board = as_user("checker")
    vendor = vendor or db.session.scalar(sa.select(Vendor).where(Vendor.status == "submitted"))
    page = board.get(f"/desk/vendors/{vendor.id}").get_data(as_text=True)
    response = board.post(f"/desk/vendors/{vendor.id}/approve",
                          data={"csrf_token": csrf_token_of(page), "version": "999"})
    assert response.status_code == 409
    assert "tải lại trang" in response.get_data(as_text=True)
    missing = board.post(f"/desk/vendors/{vendor.id}/approve",
                         data={"csrf_token": csrf_token_of(page)})
    assert missing.status_code == 422


def test_reject_needs_a_reason(as_user, db):
    vendor = db.session.scalar(sa.select(Vendor).where(Vendor.status == "submitted"))
    board = as_user("checker")
    page = board.get(f"/desk/vendors/{vendor.id}").get_data(as_text=True)
    response = board.post(f"/desk/vendors/{vendor.id}/reject",
                          data={"csrf_token": csrf_token_of(page), "version": version_of(page),
                                "reason": "  "})
    assert response.status_code == 422 and "cần nhập lý do" in response.get_data(as_text=True)


def test_edit_makes_the_editor_the_maker(as_user, db):
    vendor = db.session.scalar(sa.select(Vendor).where(Vendor.status == "submitted"))
    board = as_user("checker")
    page = board.get(f"/desk/vendors/{vendor.id}").get_data(as_text=True)
    data = {"csrf_token": csrf_token_of(page), "version": version_of(page),
            "stall_code": vendor.stall_code, "display_name": "Tên mới",
            "owner_name": vendor.owner_name, "goods_category": vendor.goods_category,
            "phone": vendor.phone or "", "national_id": vendor.national_id or "",
            "bank_bin": vendor.bank_bin or "", "account_number": vendor.account_number or "",
            "account_holder": vendor.account_holder or ""}
    assert board.post(f"/desk/vendors/{vendor.id}", data=data).status_code == 302
    db.session.expire_all()
    assert vendor.display_name == "Tên mới" and vendor.made_by.name == "web-board-daitu-2"
    stale = board.post(f"/desk/vendors/{vendor.id}", data=data)
    assert stale.status_code == 409


def test_the_vendor_list_searches_filters_and_pages(as_user, db):
    board = as_user("board")
    page = board.get("/desk/markets/DAI-TU/vendors?status=approved").get_data(as_text=True)
    assert 'id="vendor-list"' in page
    assert board.get("/desk/markets/DAI-TU/vendors?status=nope").status_code == 422
    assert board.get("/desk/markets/DAI-TU/vendors?page=0").status_code == 422
    empty = board.get("/desk/markets/DAI-TU/vendors?q=zzzzzz").get_data(as_text=True)
    assert 'id="vendor-list"' not in empty


def test_the_queue_never_shows_your_own_and_bulk_approve_reports_each(as_user, db):
    maker = as_user("board")
    maker.post(NEW, data={**STALL, "csrf_token": form_token(maker, NEW), "action": "submit"})
    mine = vendor_by_stall(db, "D-101")
    queue = maker.get("/desk/approvals").get_data(as_text=True)
    assert f'value="{mine.id}"' not in queue
    checker = as_user("checker")
    page = checker.get("/desk/approvals?select=all").get_data(as_text=True)
    assert f'value="{mine.id}"' in page and "checked" in page
    ids = re.findall(r'name="vendor_id" value="(\d+)"', page)
    response = checker.post("/desk/approvals", data={"csrf_token": csrf_token_of(page),
                                                     "vendor_id": ids + ["999999"]})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="outcomes"' in html
    assert "hồ sơ không tồn tại" in html
    db.session.expire_all()
    assert vendor_by_stall(db, "D-101").status == "approved"
    none = checker.post("/desk/approvals", data={"csrf_token": csrf_token_of(page)})
    assert none.status_code == 422


def test_the_desk_home_counts_and_to_dos(as_user):
    page = as_user("board").get("/desk").get_data(as_text=True)
    assert 'id="desk-markets"' in page and "DAI-TU" in page and "THAI" not in page
    admin = as_user("admin").get("/desk").get_data(as_text=True)
    assert "DAI-TU" in admin and "THAI" in admin


def csrf_token_of(html: str) -> str:
    from tests.web.conftest import csrf_token

    return csrf_token(html)


def test_hidden_characters_bring_the_form_back_with_the_problem_next_to_the_field(as_user, db):
    """The input policy refuses a bidi override or NUL; on the desk's forms the form comes
    back (422) with the problem, in Vietnamese, next to the field it concerns, what was
    typed elsewhere kept, and nothing saved."""
    board = as_user("board")
    token = form_token(board, NEW)
    response = board.post(NEW, data={**STALL, "csrf_token": token, "action": "submit",
                                     "display_name": "Rau\u202e sạch", "owner_name": "Lan\x00"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="display_name-error"' in html and 'id="owner_name-error"' in html
    assert "ký tự ẩn hoặc ký tự điều khiển (U+202E)" in html
    assert "ký tự ẩn hoặc ký tự điều khiển (NUL)" in html
    assert 'value="D-101"' in html and "\u202e" not in html
    assert vendor_by_stall(db, "D-101") is None
    # A field the view does not validate itself is still refused before it runs.
    vendor = db.session.scalar(sa.select(Vendor).where(Vendor.status == "submitted"))
    checker = as_user("checker")
    page = checker.get(f"/desk/vendors/{vendor.id}").get_data(as_text=True)
    refused = checker.post(f"/desk/vendors/{vendor.id}/reject",
                           data={"csrf_token": csrf_token_of(page), "version": version_of(page),
                                 "reason": "sai\u200b số"})
    assert refused.status_code == 422
    assert "ký tự ẩn hoặc ký tự điều khiển (U+200B)" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Vendor, vendor.id).status == "submitted"


def test_an_edit_with_a_hidden_character_keeps_the_stored_vendor(as_user, db):
    vendor = db.session.scalar(sa.select(Vendor).where(Vendor.status == "submitted"))
    name = vendor.display_name
    board = as_user("checker")
    page = board.get(f"/desk/vendors/{vendor.id}").get_data(as_text=True)
    response = board.post(f"/desk/vendors/{vendor.id}",
                          data={"csrf_token": csrf_token_of(page), "version": version_of(page),
                                "stall_code": vendor.stall_code,
                                "display_name": "Tên\u2066 mới", "owner_name": vendor.owner_name,
                                "goods_category": vendor.goods_category})
    assert response.status_code == 422
    assert 'id="display_name-error"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Vendor, vendor.id).display_name == name


def test_two_checkers_approving_at_once_get_one_approval_and_one_reload_page(
        app, as_user, db, monkeypatch):
    """Two checkers press "Duyệt" on the same vendor at the same moment: one approval, and
    the other sees the vendor page with a reload hint (409), never a 500."""
    vendor = db.session.scalar(sa.select(Vendor).where(Vendor.status == "submitted"))
    checkers = [as_user("checker"), as_user("admin")]
    pages = [c.get(f"/desk/vendors/{vendor.id}").get_data(as_text=True) for c in checkers]
    moves_released_together(monkeypatch)
    results = posted_together([
        (client, f"/desk/vendors/{vendor.id}/approve",
         {"csrf_token": csrf_token_of(page), "version": version_of(page)})
        for client, page in zip(checkers, pages, strict=True)])
    assert sorted(code for code, _ in results) == [302, 409], [c for c, _ in results]
    loser = next(html for code, html in results if code == 409)
    assert 'id="action-problem"' in loser and "tải lại trang" in loser
    db.session.expire_all()
    assert db.session.get(Vendor, vendor.id).status == "approved"
    approvals = db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action == "approve", AuditEntry.entity_id == str(vendor.id))).all()
    assert len(approvals) == 1


def test_odd_numbers_in_a_posted_id_or_version_are_a_422_not_a_500(as_user, db):
    """"²" passes str.isdigit but not int(), and 20 digits overflow the database's
    integer: on the approvals queue and a vendor move each is a clear 422."""
    vendor = db.session.scalar(sa.select(Vendor).where(Vendor.status == "submitted"))
    checker = as_user("checker")
    page = checker.get("/desk/approvals").get_data(as_text=True)
    token = csrf_token_of(page)
    for odd in ("²", "99999999999999999999", "9" * 5000, "-1"):
        bulk = checker.post("/desk/approvals", data={"csrf_token": token, "vendor_id": odd})
        assert bulk.status_code == 422, odd
        assert "error-box" in bulk.get_data(as_text=True)
        move = checker.post(f"/desk/vendors/{vendor.id}/approve",
                            data={"csrf_token": token, "version": odd})
        assert move.status_code == 422, odd
        assert "tải lại trang" in move.get_data(as_text=True)
    versioned = checker.post("/desk/approvals", data={
        "csrf_token": token, "vendor_id": str(vendor.id), f"version_{vendor.id}": "²"})
    assert versioned.status_code == 200  # an unreadable version is not sent: approved as shown
    db.session.expire_all()
    assert db.session.get(Vendor, vendor.id).status == "approved"


def test_two_checkers_bulk_approving_at_once_each_get_the_queue_back(
        app, as_user, db, monkeypatch):
    """Two checkers tick the same vendor and press "Duyệt các hồ sơ đã chọn" together:
    one approves it, the other's queue page says it changed meanwhile. On SQLite the
    second bulk approval was an error page (503: its read snapshot could not become a
    write once the first had written)."""
    vendor = db.session.scalar(sa.select(Vendor).where(Vendor.status == "submitted"))
    checkers = [as_user("checker"), as_user("admin")]
    pages = [c.get("/desk/approvals").get_data(as_text=True) for c in checkers]
    moves_released_together(monkeypatch, timeout=2)
    results = posted_together([
        (client, "/desk/approvals", {"csrf_token": csrf_token_of(page),
                                     "vendor_id": str(vendor.id),
                                     f"version_{vendor.id}": str(vendor.version)})
        for client, page in zip(checkers, pages, strict=True)])
    assert [code for code, _ in results] == [200, 200], [c for c, _ in results]
    assert sum("tải lại trang" in html for _, html in results) == 1
    db.session.expire_all()
    assert db.session.get(Vendor, vendor.id).status == "approved"


def test_a_new_account_sends_it_back_with_the_reason_in_the_pages_language(as_user, db):
    # The registry writes the reason itself ("bank account changed: needs approval
    # again"); the Vietnamese desk showed it in English.
    vendor = db.session.scalar(sa.select(Vendor).where(
        Vendor.status == "approved", Vendor.account_number.is_not(None)))
    board = as_user("checker")
    page = board.get(f"/desk/vendors/{vendor.id}").get_data(as_text=True)
    data = {"csrf_token": csrf_token_of(page), "version": version_of(page),
            "stall_code": vendor.stall_code, "display_name": vendor.display_name,
            "owner_name": vendor.owner_name, "goods_category": vendor.goods_category,
            "phone": vendor.phone or "", "national_id": vendor.national_id or "",
            "bank_bin": "970436", "account_number": "7788990011",
            "account_holder": vendor.account_holder or "NGUYEN VAN A"}
    assert board.post(f"/desk/vendors/{vendor.id}", data=data).status_code == 302
    page = board.get(f"/desk/vendors/{vendor.id}").get_data(as_text=True)
    assert "Đổi tài khoản ngân hàng: cần duyệt lại" in page
    assert "bank account changed" not in page
    english = board.get(f"/desk/vendors/{vendor.id}?lang=en").get_data(as_text=True)
    assert "bank account changed: needs approval again" in english
    # The market page's list of stalls to follow up (for its board) gives it too.
    market = board.get("/markets/DAI-TU?lang=vi").get_data(as_text=True)
    assert "Đổi tài khoản ngân hàng: cần duyệt lại" in market
    assert "bank account changed" not in market
