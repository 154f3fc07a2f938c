"""Importing a list at the desk: a bad row saves nothing and is shown; a double submit replays."""

from __future__ import annotations

import io
import re

import sqlalchemy as sa

from market40.models import Vendor
from tests.web.conftest import csrf_token

PAGE = "/desk/markets/DAI-TU/import"
HEADER = ("stall_code,display_name,owner_name,phone,national_id,goods_category,bank_bin,"
          "account_number,account_holder")


def csv(*rows: str) -> bytes:
    return ("\r\n".join((HEADER, *rows)) + "\r\n").encode("utf-8-sig")


GOOD = ("I-1,Rau Bà Tư,Lê Thị Tư,0912000111,,rau củ quả,970436,0011223344,LE THI TU",
        "I-2,Thịt Ông Năm,Phạm Văn Năm,,,thịt,,,")
BAD = "I-3,Cá Út,Đỗ Văn Út,12345,,cá,970436,0011223355,DO VAN UT"


def form(page: str) -> dict[str, str]:
    return {"csrf_token": csrf_token(page),
            "idempotency_key": re.search(r'name="idempotency_key" value="(\w+)"', page).group(1)}


def count(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Vendor))


def test_one_bad_row_saves_nothing_and_the_table_names_it(as_user, db):
    board = as_user("board")
    page = board.get(PAGE).get_data(as_text=True)
    assert "/api/v1/vendors/import-template.xlsx" in page and "import-template.csv" in page
    before = count(db)
    response = board.post(PAGE, data={**form(page), "file": (io.BytesIO(csv(*GOOD, BAD)),
                                                             "list.csv")},
                          content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="import-problems"' in html
    assert re.search(r'<td data-label="Dòng">4</td><td data-label="Cột">Số điện thoại</td>',
                     html)
    assert "số di động Việt Nam" in html
    assert count(db) == before


def test_a_good_list_is_imported_once_even_when_sent_twice(as_user, db):
    board = as_user("board")
    page = board.get(PAGE).get_data(as_text=True)
    data = form(page)
    before = count(db)
    first = board.post(PAGE, data={**data, "file": (io.BytesIO(csv(*GOOD)), "list.csv")},
                       content_type="multipart/form-data")
    assert first.status_code == 200
    assert "Đã nhập 2 tiểu thương" in first.get_data(as_text=True)
    again = board.post(PAGE, data={**data, "file": (io.BytesIO(csv(*GOOD)), "list.csv")},
                       content_type="multipart/form-data")
    assert again.status_code == 200 and "không nhập lại" in again.get_data(as_text=True)
    assert count(db) == before + 2
    statuses = set(db.session.scalars(sa.select(Vendor.status).where(
        Vendor.stall_code.in_(("I-1", "I-2")))))
    assert statuses == {"submitted"}


def test_no_file_or_a_wrong_file_is_a_clear_422(as_user):
    board = as_user("board")
    page = board.get(PAGE).get_data(as_text=True)
    missing = board.post(PAGE, data=form(page), content_type="multipart/form-data")
    assert missing.status_code == 422 and "Tệp: bắt buộc phải điền" in missing.get_data(
        as_text=True)
    junk = board.post(PAGE, data={**form(page), "file": (io.BytesIO(b"\x00\x01"), "x.bin")},
                      content_type="multipart/form-data")
    assert junk.status_code == 422
    assert as_user("department").get(PAGE).status_code == 403
    assert as_user("other_board").get(PAGE).status_code == 403


def test_every_file_problem_a_clerk_meets_is_shown_in_vietnamese(as_user, db):
    """What a clerk's own spreadsheet gets wrong (Excel's default ANSI CSV, a renamed or
    missing column, one account on two rows, an account cut by a number cell, a list over
    the row limit) comes back in Vietnamese, not in the rule's English; nothing is saved."""
    from openpyxl import Workbook

    board = as_user("board")
    workbook = Workbook()
    workbook.active.append(HEADER.split(","))
    workbook.active.append(["I-9", "Cá Út", "Đỗ Văn Út", None, None, "cá", 970436,
                            1234567890123456789.0, "DO VAN UT"])
    xlsx = io.BytesIO()
    workbook.save(xlsx)
    many = csv(*(f"M-{n},Quầy {n},Chủ {n},,,cá,,," for n in range(5001)))
    files = {
        "ansi.csv": (csv(GOOD[0]).decode("utf-8-sig").encode("cp1258", "replace"),
                     "Lưu thành"),
        "cols.csv": (b"stall_code,ten_quay,goods_category\r\nI-7,X,c\xc3\xa1\r\n",
                     "cột không có trong tệp mẫu"),
        "twice.csv": (csv(GOOD[0], GOOD[0].replace("I-1", "I-8")),
                      "tài khoản ngân hàng này cũng có ở dòng 2"),
        "number.xlsx": (xlsx.getvalue(), "chỉ giữ 15 chữ số"),
        "many.csv": (many, "có hơn 5000 dòng tiểu thương"),
    }
    before = count(db)
    for name, (content, vietnamese) in files.items():
        page = board.get(PAGE).get_data(as_text=True)
        response = board.post(PAGE, data={**form(page), "file": (io.BytesIO(content), name)},
                              content_type="multipart/form-data")
        html = response.get_data(as_text=True)
        assert response.status_code == 422, name
        assert vietnamese in html, name
        for english in ("UTF-8 text", "unknown column", "missing from the header",
                        "same bank account", "stored as a number", "vendor rows"):
            assert english not in html, (name, english)
    missing = board.post(PAGE, data={**form(board.get(PAGE).get_data(as_text=True)),
                                     "file": (io.BytesIO(b"stall_code,display_name\r\nI-7,X\r\n"),
                                              "x.csv")},
                         content_type="multipart/form-data").get_data(as_text=True)
    assert "thiếu cột bắt buộc này ở dòng tiêu đề" in missing
    assert count(db) == before


def test_a_file_too_large_comes_back_on_the_import_page(as_user, db):
    """Over the 5 MB file bound the clerk sees the import page again saying the file is
    too large; over the 8 MB request bound (refused before any view), an error page
    saying so. Both were "an error was logged, try again later"."""
    board = as_user("board")
    for megabytes in (6,):
        page = board.get(PAGE).get_data(as_text=True)
        content = csv(GOOD[0]) + b"," * (megabytes * 1024 * 1024)
        response = board.post(PAGE, data={**form(page), "file": (io.BytesIO(content), "big.csv")},
                              content_type="multipart/form-data")
        html = response.get_data(as_text=True)
        assert response.status_code == 413, megabytes
        assert "tệp lớn hơn 5 MB" in html and 'id="f-file"' in html, megabytes
        assert "Vui lòng thử lại sau" not in html
    page = board.get(PAGE).get_data(as_text=True)
    content = csv(GOOD[0]) + b"," * (9 * 1024 * 1024)
    response = board.post(PAGE, data={**form(page), "file": (io.BytesIO(content), "big.csv")},
                          content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "Tệp quá lớn" in html and "hãy chia nhỏ" in html and "thử lại sau" not in html


def test_the_queue_says_how_many_wait_beyond_the_first_page(as_user, db):
    """The desk home says "N hồ sơ chờ bạn duyệt"; the queue lists the oldest 50 and says
    they are 50 of N, so "Chọn tất cả" is not taken for all of them."""
    from market40.web.desk.queries import QUEUE_SIZE

    board = as_user("board")
    page = board.get(PAGE).get_data(as_text=True)
    rows = [f"Q-{n},Quầy {n},Chủ {n},,,cá,,," for n in range(QUEUE_SIZE + 5)]
    imported = board.post(PAGE, data={**form(page), "file": (io.BytesIO(csv(*rows)), "q.csv")},
                          content_type="multipart/form-data")
    assert imported.status_code == 200, imported.get_data(as_text=True)[-2000:]
    checker = as_user("checker")
    home = checker.get("/desk").get_data(as_text=True)
    total = int(re.search(r"(\d+) hồ sơ chờ bạn duyệt", home).group(1))
    assert total > QUEUE_SIZE
    queue = checker.get("/desk/approvals").get_data(as_text=True)
    assert queue.count('name="vendor_id"') == QUEUE_SIZE
    assert f"{QUEUE_SIZE} hồ sơ gửi sớm nhất trong {total} hồ sơ chờ" in queue
