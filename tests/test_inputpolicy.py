"""The input policy: the same refusal on SQLite and PostgreSQL, wherever text comes in."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from market40 import inputpolicy
from market40.errors import InvalidInput, NotFound
from market40.models import Market, User, Vendor
from market40.registry.markets import create_market, get_market
from tests.factories import auth
from tests.payments.helpers import local, post_notification
from tests.registry.helpers import HEADER, csv_file, vendor_payload

BAD = [
    ("\x00", "NUL"),
    ("\x1b", "U+001B"),
    ("\x85", "U+0085"),
    ("\u202e", "bidi control U+202E"),
    ("\u2067", "bidi control U+2067"),
    ("\u200b", "zero-width character U+200B"),
    ("\ufeff", "zero-width character U+FEFF"),
]


@pytest.mark.parametrize(("char", "named"), BAD)
def test_problem_names_the_character(char, named):
    assert named in inputpolicy.problem(f"Rau{char}sạch")
    assert inputpolicy.problem("Rau sạch\ncô Lan\t") is None
    assert "one line" in inputpolicy.problem("a\nb", multiline=False)


def test_clean_normalises():
    decomposed = "Nguye\u0302\u0303n"
    assert inputpolicy.clean(decomposed, "name") == "Nguyễn"
    assert inputpolicy.clean("Ａ-０１", "stall_code", identifier=True) == "A-01"


@pytest.mark.parametrize(("char", "named"), BAD)
def test_a_json_field_is_a_422_naming_it(client, db, board, char, named):
    body = vendor_payload(display_name=f"Rau{char}sạch")
    response = client.post("/api/v1/markets/DAI-TU/vendors", json=body, headers=auth(board))
    assert response.status_code == 422, response.get_json()
    errors = response.get_json()["errors"]["json"]
    assert named in errors["display_name"][0]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Vendor)) == 0


def test_nested_json_keys_and_values_are_checked(client, board):
    body = {"ids": [1], "items": [{"id": 1, "version": 1, "x\x00": "y"}]}
    response = client.post("/api/v1/vendors/bulk-approve", json=body, headers=auth(board))
    assert response.status_code == 422
    assert "items.0.x\x00" in response.get_json()["errors"]["json"]


def test_a_query_argument_is_a_422_naming_it(client, board):
    for query in ("status=%00", "q=a%E2%80%AEb", "x%00=1"):
        response = client.get(f"/api/v1/markets/DAI-TU/vendors?{query}", headers=auth(board))
        assert response.status_code == 422, (query, response.get_json())
        assert "query" in response.get_json()["errors"]


def test_a_path_segment_is_a_404(client, board):
    for path in ("/api/v1/markets/DAI%00TU", "/api/v1/markets/DAI%E2%80%AE/vendors",
                 "/markets/DAI%00TU"):
        assert client.get(path, headers=auth(board)).status_code == 404, path


@pytest.mark.parametrize("depth", [40, 1_000, 100_000])
def test_deep_json_is_a_400(client, board, depth):
    raw = "[" * depth + "]" * depth
    response = client.post("/api/v1/vendors/bulk-approve", data=raw,
                           headers={**auth(board), "Content-Type": "application/json"})
    assert response.status_code == 400
    assert "nested deeper" in response.get_json()["message"]


# Python refuses to read an integer of more than 4,300 digits (a guard against slow
# conversions): such a number in a body was a 500 from every JSON endpoint.
LONG_NUMBER = "9" * 5_000


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/api/v1/transactions",
     '{"vendor_id": 1, "amount": %s, "method": "qr", "reference": "r1"}', "amount"),
    ("/api/v1/transactions/batch", '{"transactions": [{"vendor_id": -%s}]}',
     "transactions.0.vendor_id"),
    ("/api/v1/notifications/sepay", '{"id": %s}', "id"),
])
def test_a_number_too_long_to_read_is_a_422_naming_it(client, admin, path, body, field):
    headers = {**auth(admin), "Content-Type": "application/json",
               "Authorization": "Apikey test-sepay-key" if "sepay" in path
               else auth(admin)["Authorization"]}
    response = client.post(path, data=body % LONG_NUMBER, headers=headers)
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    assert "5000 digits" in response.get_json()["errors"]["json"][field][0]


def test_a_signed_notification_with_a_number_too_long_is_a_422(client, reference):
    raw = ('{"reference": "FT1", "occurred_at": "2025-03-01T08:00:00+07:00", '
           '"account_number": "1", "amount": ' + LONG_NUMBER + '}').encode()
    response = post_notification(client, raw)
    assert response.status_code == 422
    assert "amount" in response.get_json()["errors"]["json"]


def test_a_signed_bank_notification_with_nul_is_a_422(client, make_vendor):
    make_vendor("DAI-TU", bank_bin="970436", account_number="0011223344")
    body = {"account_number": "0011223344", "bank_bin": "970436", "amount": 45_000,
            "content": "chuyen tien", "reference": "FT25\x00060112345",
            "occurred_at": local(2025, 3, 1, 7, 15).isoformat()}
    response = post_notification(client, body)
    assert response.status_code == 422
    assert "reference" in response.get_json()["errors"]["json"]


def test_a_login_name_with_nul_is_refused(client, reference):
    response = client.post("/login", data={"name": "admin\x00", "password": "x" * 12})
    assert response.status_code == 422
    assert ("<strong>Tên đăng nhập</strong>: có ký tự ẩn hoặc ký tự điều khiển (NUL)"
            in response.get_data(as_text=True))
    response = client.post("/login?lang=en", data={"name": "admin\x00", "password": "x" * 12})
    assert response.status_code == 422
    assert ("<strong>User name</strong>: holds a hidden or control character (NUL)"
            in response.get_data(as_text=True))


def test_full_width_look_alikes_are_folded(client, db, board):
    body = vendor_payload(stall_code="Ａ-９９", account_number="１２３４５６７８")
    response = client.post("/api/v1/markets/DAI-TU/vendors", json=body, headers=auth(board))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["stall_code"] == "A-99"
    vendor = db.session.get(Vendor, response.get_json()["id"])
    assert vendor.account_number == "12345678"
    arabic = vendor_payload(account_number="\u0661\u0662\u0663\u0664\u0665\u0666\u0667")
    response = client.post("/api/v1/markets/DAI-TU/vendors", json=arabic, headers=auth(board))
    assert response.status_code == 422 and "account_number" in str(response.get_json())


def test_an_imported_row_is_checked_too(client, db, board):
    rows = [HEADER, ["A-001", "Rau\u202esạch", "Nguyễn Thị Hương", "0912345601", "019180001201",
                     "rau củ quả", "970405", "3900205000001", "NGUYEN THI HUONG"]]
    response = client.post("/api/v1/markets/DAI-TU/vendors/import", headers=auth(board),
                           content_type="multipart/form-data",
                           data={"file": (io.BytesIO(csv_file(rows)), "v.csv")})
    assert response.status_code == 422
    assert "bidi control" in str(response.get_json())
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Vendor)) == 0


def test_market_names_follow_the_policy(client, reference, admin):
    db = reference
    market = db.session.scalar(sa.select(Market).where(Market.code == "DAI-TU"))
    body = {"code": "CHO-MOI", "name": "Chợ\u202e Mới", "commune_code": market.commune_code,
            "grade": 3}
    response = client.post("/api/v1/markets", json=body, headers=auth(admin))
    assert response.status_code == 422
    assert "name" in response.get_json()["errors"]["json"]
    # The service refuses it too (seeds, the CLI): the same rule, not only the HTTP layer.
    with pytest.raises(InvalidInput) as refused:
        create_market(db.session, body, "cli")
    assert "bidi" in refused.value.errors["name"][0]
    with pytest.raises(NotFound):
        get_market(db.session, "DAI-TU\x00")


def test_cli_names_follow_the_policy(runner, db, reference):
    result = runner.invoke(args=["users", "create", "ad\x00min", "--role", "admin"])
    assert result.exit_code == 1 and "name" in result.output
    result = runner.invoke(args=["users", "token", "ad\u202emin"])
    assert result.exit_code == 1 and "bidi" in result.output
    result = runner.invoke(args=["users-passwd", "ad\x00min", "--clear"])
    assert result.exit_code == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_whole_number_takes_ascii_digits_up_to_its_bound_only():
    from market40.inputpolicy import whole_number

    assert whole_number("0", 9) == 0 and whole_number("2147483647", 2**31 - 1) == 2**31 - 1
    for odd in ("", "²", "١٢", "-1", "+1", " 1", "1.0", "2147483648", "9" * 5000):
        assert whole_number(odd, 2**31 - 1) is None, odd
