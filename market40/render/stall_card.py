"""What a stall card prints: one plain, validated value, shared by the layout and the PDFs."""

from __future__ import annotations

from dataclasses import dataclass, fields

__all__ = ["StallCard"]


@dataclass(frozen=True, slots=True)
class StallCard:
    """Everything printed on one stall card. All fields are display strings.

    `payload` is the finished VietQR string (static, tag 01 = 11 for a printed card);
    `account_holder` is the name the bank's lookup returns (usually upper-case ASCII),
    which the card tells buyers to check.
    """

    payload: str
    vendor_name: str
    stall_code: str
    goods: str
    bank_short_name: str
    account_number: str
    account_holder: str
    market_name: str

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if not isinstance(value, str):
                raise ValueError(f"StallCard.{field.name} must be a string, got {value!r}")
        for name in ("payload", "vendor_name"):
            if not getattr(self, name).strip():
                raise ValueError(f"StallCard.{name} must not be empty")
