"""Field rules shared by the API, the import, the CLI and the demo seed (no app needed)."""

from __future__ import annotations

import pytest

from market40.registry.validation import (
    BankDirectory,
    canonical_category,
    clean_vendor_fields,
    match_key,
    normalise_phone,
)

BANKS = BankDirectory(active_bins=frozenset({"970436", "970422"}),
                      by_name={"vietcombank": "970436", "mb bank": "970422"},
                      inactive_bins=frozenset({"970416"}))
VALID = {"stall_code": "A-1", "display_name": "Cá tươi Bình", "owner_name": "Trần Văn Bình",
         "goods_category": "cá"}


@pytest.mark.parametrize(("raw", "expected"), [
    ("0912345678", "0912345678"),
    ("+84912345678", "0912345678"),
    ("84 912 345 678", "0912345678"),
    ("091.234.5678", "0912345678"),
    ("(086) 123-4567", "0861234567"),
    (912345678, "0912345678"),  # a spreadsheet number cell lost the leading zero
    (912345678.0, "0912345678"),
])
def test_phone_normalised(raw, expected):
    assert normalise_phone(raw) == (expected, None)


@pytest.mark.parametrize("raw", ["0212345678", "02083123456", "091234567", "09123456789",
                                 "0112345678", "hotline", "+1 212 555 0100", "912345678"])
def test_phone_refused(raw):
    value, problem = normalise_phone(raw)
    assert value is None and "mobile" in problem


def test_category_ignores_case_and_diacritics():
    assert canonical_category("Rau Củ Quả") == "rau củ quả"
    assert canonical_category("rau cu qua") == "rau củ quả"
    assert canonical_category("DO GIA DUNG") == "đồ gia dụng"
    assert canonical_category("ô tô") is None
    assert match_key("Đồng Hỷ") == "dong hy"


def test_bank_by_bin_or_short_name():
    assert BANKS.resolve("970436") == ("970436", None)
    assert BANKS.resolve("MB Bank") == ("970422", None)
    assert "no longer active" in BANKS.resolve("970416")[1]
    assert "not a known" in BANKS.resolve("970499")[1]
    assert "neither" in BANKS.resolve("Ngân hàng X")[1]


def test_new_vendor_needs_the_required_fields_only():
    values, errors = clean_vendor_fields(VALID, BANKS)
    assert errors == {} and values["phone"] is None and values["bank_bin"] is None
    _, errors = clean_vendor_fields({}, BANKS)
    assert set(errors) == {"stall_code", "display_name", "owner_name", "goods_category"}


def test_national_id():
    values, errors = clean_vendor_fields({**VALID, "national_id": "019 180 001 234"}, BANKS)
    assert values["national_id"] == "019180001234" and not errors
    values, errors = clean_vendor_fields({**VALID, "national_id": 19180001234}, BANKS)
    assert values["national_id"] == "019180001234"
    _, errors = clean_vendor_fields({**VALID, "national_id": "19180001234"}, BANKS)
    assert "12-digit" in errors["national_id"][0]


def test_edit_checks_bank_fields_against_the_result():
    current = {**VALID, "bank_bin": "970436", "account_number": "0011001234567",
               "account_holder": "TRAN VAN BINH"}
    values, errors = clean_vendor_fields({"account_number": "0011009999999"}, BANKS,
                                         current=current)
    assert values == {"account_number": "0011009999999"} and not errors
    _, errors = clean_vendor_fields({"bank_bin": None}, BANKS, current=current)
    assert set(errors) == {"bank_bin"}
    values, errors = clean_vendor_fields(
        {"bank_bin": None, "account_number": "", "account_holder": None}, BANKS, current=current)
    assert not errors and values == dict.fromkeys(("bank_bin", "account_number",
                                                   "account_holder"))


def test_text_is_nfc_trimmed_and_single_spaced():
    values, _ = clean_vendor_fields({**VALID, "owner_name": "  Tra\u0302\u0300n   Va\u0306n  "},
                                    BANKS)
    assert values["owner_name"] == "Trần Văn"
