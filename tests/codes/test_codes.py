"""market40.codes: the payload a vendor's buyers scan, the bank list behind it, and the
check of a printed card against the registry (the API and card tests cover the HTTP side)."""

from __future__ import annotations

import pytest

from market40 import vietqr
from market40.codes import payment_code
from market40.codes.banks import bank_names, forget_bank_names, short_name
from market40.codes.verify import verify_stall
from market40.errors import Conflict, InvalidInput
from market40.extensions import db as _db
from market40.models import Bank
from market40.render import qr_png


def test_the_static_code_pays_the_vendors_account_and_names_its_bank(make_vendor):
    vendor = make_vendor(bank_bin="970436", account_number="0071000888999")
    code = payment_code(vendor)
    decoded = vietqr.decode(code.payload)
    assert (decoded.bank_bin, decoded.account) == ("970436", "0071000888999")
    assert code.initiation == "static" and decoded.amount is None
    assert code.bank == "Vietcombank"


def test_a_one_sale_code_carries_the_amount_and_an_ascii_memo(make_vendor):
    vendor = make_vendor()
    code = payment_code(vendor, amount=25_000, purpose="Rau muống")
    decoded = vietqr.decode(code.payload)
    assert code.initiation == "dynamic" and decoded.amount == 25_000
    assert decoded.purpose == "Rau muong" and code.warnings  # folded, and it says so


@pytest.mark.parametrize("fields, says", [
    ({"status": "submitted"}, "not approved"),
    ({"bank_bin": None, "account_number": None, "account_holder": None}, "no bank account"),
])
def test_only_an_approved_vendor_with_an_account_has_a_code(make_vendor, fields, says):
    with pytest.raises(Conflict, match=says):
        payment_code(make_vendor(**fields))


def test_a_memo_that_would_be_cut_is_refused_not_cut(make_vendor):
    with pytest.raises(InvalidInput) as refused:
        payment_code(make_vendor(), amount=10_000, purpose="Rau sạch " * 5)
    assert refused.value.errors == {"purpose": [
        "is longer than 25 characters once written without accents"]}


def test_the_bank_list_is_read_once_and_forgotten_after_seeding(db, reference):
    assert short_name("970436") == "Vietcombank"
    bank = db.session.get(Bank, "970436")
    bank.short_name = "VCB"
    db.session.commit()
    assert short_name("970436") == "Vietcombank"  # cached for the app's life
    forget_bank_names()
    assert short_name("970436") == "VCB"
    assert short_name(None) is None and short_name("000000") is None


def test_an_unseeded_database_is_not_remembered_as_bankless(db):
    forget_bank_names()
    assert bank_names() == {}
    from market40.registry.seed import seed_reference

    seed_reference(_db.session)
    _db.session.commit()
    assert bank_names()["970436"] == "Vietcombank"  # no forget needed: emptiness was not kept


def test_a_photo_of_the_printed_card_matches_and_a_pasted_over_one_does_not(make_vendor):
    vendor = make_vendor(bank_bin="970436", account_number="0071000888999")
    own = verify_stall(vendor, image=qr_png(payment_code(vendor).payload, box_size=6))
    assert own.match and own.reason == "the code pays the vendor's registered account"
    other = vietqr.encode(bank_bin="970436", account="1234567890")
    pasted = verify_stall(vendor, image=qr_png(other, box_size=6))
    assert not pasted.match and "is not the vendor's account" in pasted.reason
    assert "1234567890" not in pasted.reason  # accounts are masked in the answer
    with pytest.raises(InvalidInput):
        verify_stall(vendor, image=b"GIF89a not a photo")
