"""Check a printed or photographed stall code against the registry.

Pasted-over QR stickers and stale cards send buyers' money to someone else; a
board member photographs the card and this says whether it still pays the vendor.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from PIL import Image, UnidentifiedImageError

from market40 import vietqr
from market40.codes.banks import bank_names
from market40.errors import InvalidInput
from market40.models import Vendor

# Phone photos are ~12 MP; anything far larger is not a photo of a stall card.
MAX_PIXELS = 40_000_000
IMAGE_SIGNATURES = {b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG"}


@dataclass(frozen=True)
class VerifyResult:
    match: bool
    reason: str
    expected: dict[str, Any]
    found: dict[str, Any] | None = field(default=None)


def _mask(account: str) -> str:
    return account[:4] + "…" if len(account) > 4 else account


def read_qr_texts(image_bytes: bytes) -> list[str]:
    """Every QR code's text in a PNG or JPEG image (sniffed from its bytes, not its name)."""
    import zxingcpp  # imported here: only this check needs the native decoder

    if not any(image_bytes.startswith(sig) for sig in IMAGE_SIGNATURES):
        raise InvalidInput.field("image", "must be a PNG or JPEG image")
    try:
        with Image.open(io.BytesIO(image_bytes)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise InvalidInput.field("image", f"is larger than {MAX_PIXELS:,} pixels")
            image.load()
            grey = image.convert("L")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise InvalidInput.field("image", f"cannot be read: {error}") from None
    results = zxingcpp.read_barcodes(grey, formats=zxingcpp.BarcodeFormat.QRCode)
    return [r.text for r in results if r.valid and r.text]


def expected_of(vendor: Vendor) -> dict[str, Any]:
    return {
        "vendor_id": vendor.id,
        "stall_code": vendor.stall_code,
        "bank_bin": vendor.bank_bin,
        "bank": bank_names().get(vendor.bank_bin or ""),
        "account": vendor.account_number,
        "status": vendor.status,
    }


def verify_stall(vendor: Vendor, *, payload: str | None = None,
                 image: bytes | None = None) -> VerifyResult:
    """Does this code (``payload``, or the QR found in ``image``) pay ``vendor``'s account?"""
    expected = expected_of(vendor)
    if (payload is None) == (image is None):
        raise InvalidInput.field("payload", "give either a payload or an image, not both")
    if image is not None:
        texts = read_qr_texts(image)
        if not texts:
            return VerifyResult(False, "no QR code found in the image", expected)
        payload = texts[0]
    assert payload is not None
    names = bank_names() or None  # no bank list (not seeded): decode without names
    try:
        decoded = vietqr.decode(payload.strip(), banks=names)
    except vietqr.VietQRError as error:
        return VerifyResult(False, f"not a valid VietQR code: {error}", expected,
                            {"payload": payload})
    found = {"bank_bin": decoded.bank_bin, "bank": decoded.bank, "account": decoded.account,
             "initiation": decoded.initiation, "amount": decoded.amount}
    if vendor.status != "approved" or not vendor.has_bank_account:
        reason = f"vendor {vendor.id} is {vendor.status} and has no valid QR code"
        return VerifyResult(False, reason, expected, found)
    if decoded.account != vendor.account_number:
        reason = (f"account {_mask(decoded.account)} at {decoded.bank or decoded.bank_bin} is not "
                  f"the vendor's account {_mask(vendor.account_number)}")
        return VerifyResult(False, reason, expected, found)
    if decoded.bank_bin != vendor.bank_bin:
        reason = (f"account {_mask(decoded.account)} belongs to another bank: the code says "
                  f"{decoded.bank or decoded.bank_bin}, the registry says "
                  f"{expected['bank'] or vendor.bank_bin}")
        return VerifyResult(False, reason, expected, found)
    if decoded.is_dynamic:
        return VerifyResult(True, "pays the vendor's account, but it is a one-sale code with an "
                            "amount, not the printed stall code", expected, found)
    return VerifyResult(True, "the code pays the vendor's registered account", expected, found)
