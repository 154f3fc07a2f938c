"""Bulk import from CSV/XLSX: all rows or none, every problem reported, idempotent retries."""

from __future__ import annotations

import io
import threading
import zipfile

import pytest
import sqlalchemy as sa

from market40.models import IdempotencyRecord, Vendor
from market40.registry import spreadsheets
from tests.factories import auth
from tests.registry.helpers import (
    HEADER,
    audit_entries,
    csv_file,
    post_vendor,
    vendor_count,
    xlsx_file,
)

URL = "/api/v1/markets/DAI-TU/vendors/import"


def good_rows(count: int = 3) -> list[list[object]]:
    rows = [HEADER]
    for n in range(1, count + 1):
        rows.append([f"A-{n:03d}", f"Rau sạch Hương {n}", "Nguyễn Thị Hương", f"09123456{n:02d}",
                     f"0191800012{n:02d}", "rau củ quả", "970405", f"3900205{n:06d}",
                     "NGUYEN THI HUONG"])
    return rows


def upload(client, token, content: bytes, name: str = "vendors.csv", key: str | None = None,
           url: str = URL):
    headers = auth(token)
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post(url, headers=headers, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(content), name)})


def test_csv_import_stores_submitted_vendors_made_by_the_importer(client, board, db):
    response = upload(client, board, csv_file(good_rows(3), bom=True))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["created"] == 3 and body["market_code"] == "DAI-TU"
    assert [v["stall_code"] for v in body["vendors"]] == ["A-001", "A-002", "A-003"]
    assert {v["status"] for v in body["vendors"]} == {"submitted"}
    vendors = db.session.scalars(sa.select(Vendor).order_by(Vendor.stall_code)).all()
    assert vendors[0].display_name == "Rau sạch Hương 1"  # BOM stripped, diacritics kept
    assert vendors[0].made_by.name == "bq-daitu" and vendors[0].submitted_at
    assert {e.action for e in audit_entries(db)} == {"import"}
    assert len(audit_entries(db)) == 3


def test_xlsx_import_with_numbers_typed_as_numbers(client, board, db):
    rows = good_rows(2)
    # Excel turns 0912345601 typed into a number cell into 912345601; the CCCD loses its 0.
    rows[1][3] = 912345601
    rows[1][4] = 19180001201
    rows[1][7] = 3900205000001
    rows.insert(2, [None] * 9)  # a blank row in the middle is skipped
    response = upload(client, board, xlsx_file(rows), name="danh-sach.xlsx")
    assert response.status_code == 201, response.get_json()
    vendor = db.session.scalar(sa.select(Vendor).where(Vendor.stall_code == "A-001"))
    assert vendor.phone == "0912345601" and vendor.national_id == "019180001201"
    assert vendor.account_number == "3900205000001" and vendor.owner_name == "Nguyễn Thị Hương"


def test_xlsx_account_number_cut_by_a_number_cell_is_refused(client, board, db):
    """A spreadsheet keeps 15 significant digits of a number: a 16-19 digit account typed
    into a number cell comes back with its last digits changed. Storing it would print a
    QR that pays someone else's account (or nobody's); the row is refused instead."""
    rows = good_rows(2)
    rows[1][7] = 1234567890123456789  # what the clerk typed; the file holds 1.23456789012346E+18
    rows[1][7] = float(rows[1][7])
    rows[2][7] = 123456789012345  # 15 digits survive a number cell
    response = upload(client, board, xlsx_file(rows), name="danh-sach.xlsx")
    assert response.status_code == 422, response.get_json()
    problems = response.get_json()["errors"]
    assert [(p["row"], p["field"]) for p in problems] == [(2, "account_number")]
    assert "Text" in problems[0]["message"]
    assert vendor_count(db) == 0
    rows[1][7] = "1234567890123456789"  # the same digits in a text cell are kept exactly
    response = upload(client, board, xlsx_file(rows), name="danh-sach.xlsx")
    assert response.status_code == 201, response.get_json()
    stored = set(db.session.scalars(sa.select(Vendor.account_number)))
    assert stored == {"1234567890123456789", "123456789012345"}


def test_xlsx_named_csv_is_read_as_xlsx(client, board):
    assert upload(client, board, xlsx_file(good_rows(1)), name="wrong.csv").status_code == 201


def test_bad_rows_reject_the_whole_file_and_list_every_problem(client, board, db):
    post_vendor(client, board, stall_code="A-009")
    rows = good_rows(3)
    rows[1][3] = "12345"  # row 2: phone
    rows[2][5] = "xe máy"  # row 3: category
    rows[2][8] = ""  # row 3: holder missing while bank and account given
    rows.append(["A-001", "Trùng mã", "Lê Văn Hải", "", "", "thịt", "", "", ""])  # row 5: dup
    rows.append(["", "", "Ma Thị Nụ", "", "", "cá", "", "", ""])  # row 6: two required missing
    rows.append(["a-009", "Đã có", "Lê Thị Hoa", "", "", "hoa", "", "", ""])  # row 7: taken in DB
    before = vendor_count(db), len(audit_entries(db))
    response = upload(client, board, csv_file(rows))
    assert response.status_code == 422
    body = response.get_json()
    problems = {(p["row"], p["field"]) for p in body["errors"]}
    assert problems == {
        (2, "phone"), (3, "goods_category"), (3, "account_holder"), (5, "stall_code"),
        (6, "stall_code"), (6, "display_name"), (7, "stall_code"),
    }
    duplicate = next(p for p in body["errors"] if p["row"] == 5)
    assert "also on row 2" in duplicate["message"]
    taken = next(p for p in body["errors"] if p["row"] == 7)
    assert "already registered" in taken["message"]
    assert "nothing was imported" in body["message"]
    assert (vendor_count(db), len(audit_entries(db))) == before


def test_header_problems_are_row_1(client, board, db):
    rows = [["stall_code", "display_name", "ten_chu", "goods_category"], ["A-1", "X", "Y", "cá"]]
    body = upload(client, board, csv_file(rows)).get_json()
    assert {(p["row"], p["field"]) for p in body["errors"]} == {(1, "ten_chu"), (1, "owner_name")}
    assert vendor_count(db) == 0


def test_columns_in_any_order_and_optional_columns_left_out(client, board, db):
    rows = [["goods_category", "Owner_Name", "display name", "stall_code"],
            ["tạp hóa", "Đỗ Văn Cường", "Tạp hóa Cường", "C-001"]]
    response = upload(client, board, csv_file(rows, delimiter=";"))
    assert response.status_code == 201, response.get_json()
    vendor = db.session.scalar(sa.select(Vendor))
    assert vendor.owner_name == "Đỗ Văn Cường" and vendor.bank_bin is None


@pytest.mark.parametrize(("content", "expected"), [
    (b"", "empty"),
    ("stall_code,display_name\nA-1,Rau cô Hà\n".encode("cp1258"), "UTF-8"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "neither CSV nor XLSX"),
    (",".join(HEADER).encode() + b"\r\n", "no vendor rows"),
])
def test_unreadable_files_are_422_naming_file(client, board, content, expected):
    response = upload(client, board, content)
    assert response.status_code == 422
    assert expected in " ".join(response.get_json()["errors"]["file"])


def test_zip_that_is_not_a_workbook(client, board):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "xin chào")
    response = upload(client, board, buffer.getvalue(), name="x.xlsx")
    assert response.status_code == 422 and "not an XLSX" in response.get_json()["errors"]["file"][0]


def test_limits(client, board, monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_FILE_BYTES", 2_000)
    big = csv_file(good_rows(40))
    assert len(big) > 2_000
    response = upload(client, board, big)
    assert response.status_code == 413 and "MB" in response.get_json()["message"]
    monkeypatch.setattr(spreadsheets, "MAX_FILE_BYTES", 5 * 1024 * 1024)
    monkeypatch.setattr(spreadsheets, "MAX_DATA_ROWS", 5)
    response = upload(client, board, csv_file(good_rows(6)))
    assert response.status_code == 422
    assert "more than 5 vendor rows" in response.get_json()["errors"]["file"][0]


def test_real_upload_limit_is_5_mb(client, board):
    content = csv_file(good_rows(1)) + b"#" * (5 * 1024 * 1024)
    assert upload(client, board, content).status_code == 413


def test_missing_file_field(client, board):
    response = client.post(URL, headers=auth(board), content_type="multipart/form-data",
                           data={"other": (io.BytesIO(b"x"), "x.csv")})
    assert response.status_code == 422 and "file" in str(response.get_json())


def test_permissions(client, board, make_user):
    content = csv_file(good_rows(1))
    assert upload(client, "", content).status_code == 401
    assert upload(client, make_user("department")[1], content).status_code == 403
    assert upload(client, make_user("board", markets=("THAI",))[1], content).status_code == 403
    assert upload(client, board, content,
                  url="/api/v1/markets/NOPE/vendors/import").status_code == 404


def test_replayed_idempotency_key_returns_the_first_answer(client, board, db):
    content = csv_file(good_rows(2))
    first = upload(client, board, content, key="import-2024-05-01-a")
    assert first.status_code == 201
    again = upload(client, board, content, key="import-2024-05-01-a")
    assert again.status_code == 201 and again.get_data() == first.get_data()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert vendor_count(db) == 2
    other = upload(client, board, csv_file(good_rows(3)), key="import-2024-05-01-a")
    assert other.status_code == 409 and "different request" in other.get_json()["message"]
    assert vendor_count(db) == 2


def test_a_rejected_file_is_replayed_too(client, board, db):
    rows = good_rows(1)
    rows[1][3] = "nope"
    content = csv_file(rows)
    first = upload(client, board, content, key="k-422")
    again = upload(client, board, content, key="k-422")
    assert first.status_code == again.status_code == 422
    assert first.get_json() == again.get_json() and vendor_count(db) == 0


def test_idempotency_key_is_scoped_per_user_and_checked(client, board, make_user, db):
    content = csv_file(good_rows(1))
    assert upload(client, board, content, key="same").status_code == 201
    colleague = make_user("board", markets=("DAI-TU",))[1]
    # Another user's key space: this runs the import, which now finds the stall taken.
    response = upload(client, colleague, content, key="same")
    assert response.status_code == 422 and "already registered" in str(response.get_json())
    response = upload(client, board, content, key="x" * 201)
    assert response.status_code == 422 and "Idempotency-Key" in response.get_json()["errors"]


def test_concurrent_retries_with_one_key_import_once(app, board, db):
    if app.config["BACKEND"] != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    content = csv_file(good_rows(50))
    barrier = threading.Barrier(3, timeout=10)
    results: list[tuple[int, bytes]] = []

    def send() -> None:
        client = app.test_client()
        barrier.wait()
        response = upload(client, board, content, key="one-key")
        results.append((response.status_code, response.get_data()))

    threads = [threading.Thread(target=send) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert [code for code, _ in results] == [201, 201, 201], results
    assert len({body for _, body in results}) == 1
    assert vendor_count(db) == 50
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IdempotencyRecord)) == 1


def test_templates(client, reference):
    csv_template = client.get("/api/v1/vendors/import-template.csv")
    assert csv_template.status_code == 200 and csv_template.mimetype == "text/csv"
    text = csv_template.get_data().decode("utf-8")
    assert text == "\ufeff" + ",".join(HEADER) + "\r\n"
    xlsx = client.get("/api/v1/vendors/import-template.xlsx")
    assert xlsx.status_code == 200 and "attachment" in xlsx.headers["Content-Disposition"]
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(xlsx.get_data()))
    assert workbook.sheetnames[0] == "vendors"
    assert [c.value for c in workbook["vendors"][1]] == HEADER
    banks = {row[0] for row in workbook["ngan-hang"].iter_rows(min_row=2, values_only=True)}
    assert "970436" in banks and len(banks) == 66


def test_filled_in_xlsx_template_imports(client, board, db):
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(client.get("/api/v1/vendors/import-template.xlsx")
                                        .get_data()))
    sheet = workbook["vendors"]
    sheet.append(["F-001", "Bún phở bà Tâm", "Lương Thị Tâm", "0987654321", "019170001111",
                  "Ăn uống", "MB Bank", "0987654321", "LUONG THI TAM"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(client, board, buffer.getvalue(), name="mau.xlsx")
    assert response.status_code == 201, response.get_json()
    vendor = db.session.scalar(sa.select(Vendor))
    assert vendor.bank_bin == "970422" and vendor.goods_category == "ăn uống"
