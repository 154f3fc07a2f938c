"""The VietQR payload a vendor's buyers scan."""

from __future__ import annotations

from dataclasses import dataclass

from market40 import vietqr
from market40.codes.banks import bank_names
from market40.errors import Conflict, InvalidInput
from market40.models import Vendor

PURPOSE_LIMIT = 25  # 62.08, like every 62 sub-object (NAPAS VietQR §5.2.14)


@dataclass(frozen=True)
class PaymentCode:
    vendor_id: int
    payload: str
    bank_bin: str
    bank: str | None
    account_number: str
    initiation: str  # "static" (stall card) or "dynamic" (one sale, with amount)
    amount: int | None
    purpose: str | None
    warnings: tuple[str, ...]


def payment_code(vendor: Vendor, *, amount: int | None = None,
                 purpose: str | None = None) -> PaymentCode:
    """The vendor's code: static for the printed card, dynamic with ``amount`` for one sale.

    Only approved vendors with a bank account have a code (Conflict says why not).
    Purpose text is folded to ASCII for bank apps (the warnings say so); text that would
    have to be cut is refused instead.
    """
    if vendor.status != "approved":
        raise Conflict(f"vendor {vendor.id} is {vendor.status}, not approved: it has no QR code")
    if not vendor.has_bank_account or vendor.qr_issued_at is None:
        raise Conflict(f"vendor {vendor.id} has no bank account on record: it has no QR code")
    if purpose and vietqr.fit(purpose, PURPOSE_LIMIT).cut:
        # A memo cut short in the buyer's app is worse than an error the vendor can fix.
        raise InvalidInput.field(
            "purpose", f"is longer than {PURPOSE_LIMIT} characters once written without accents"
        )
    names = bank_names()
    try:
        payload, warnings = vietqr.encode_with_warnings(
            bank_bin=vendor.bank_bin,
            account=vendor.account_number,
            amount=amount,
            purpose=purpose or None,
        )
    except vietqr.VietQRError as error:
        field = {"54": "amount", "62.08": "purpose"}.get(getattr(error, "field", ""), "vendor")
        raise InvalidInput.field(field, str(error)) from None
    return PaymentCode(
        vendor_id=vendor.id,
        payload=payload,
        bank_bin=vendor.bank_bin,
        bank=names.get(vendor.bank_bin),
        account_number=vendor.account_number,
        initiation="dynamic" if amount is not None else "static",
        amount=amount,
        purpose=purpose or None,
        warnings=warnings,
    )
