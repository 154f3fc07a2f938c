"""Field rules of the registry, shared by the API, the file import, the CLI and the demo seed.

``clean_vendor_fields`` takes raw values (strings from JSON, CSV or XLSX cells), returns
the normalised values and every problem per field; it never touches the session, so the
import can check thousands of rows against one ``BankDirectory`` and report them all.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from market40.errors import Conflict
from market40.inputpolicy import problem
from market40.models import Bank
from market40.models.vendor import GOODS_CATEGORIES
from market40.vietqr import fold

# The vendor fields a market board fills in, in the order of the import template.
VENDOR_INPUT_FIELDS = (
    "stall_code",
    "display_name",
    "owner_name",
    "phone",
    "national_id",
    "goods_category",
    "bank_bin",
    "account_number",
    "account_holder",
)
REQUIRED_VENDOR_FIELDS = ("stall_code", "display_name", "owner_name", "goods_category")
BANK_FIELDS = ("bank_bin", "account_number", "account_holder")
PERSONAL_FIELDS = ("phone", "national_id")

STALL_CODE = re.compile(r"^[A-Z0-9][A-Z0-9./-]{0,19}$", re.ASCII)
# Mobile numbers since the 2018 renumbering: 03x Viettel, 05x Vietnamobile/Gmobile,
# 07x MobiFone, 08x VinaPhone/iTel/..., 09x all carriers. Landlines start 02.
MOBILE_PHONE = re.compile(r"^0[35789]\d{8}$", re.ASCII)
# CCCD: 3-digit province, century/sex, year, 6 digits
NATIONAL_ID = re.compile(r"^\d{12}$", re.ASCII)
ACCOUNT_NUMBER = re.compile(r"^\d{6,19}$", re.ASCII)
PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
MAX_LENGTHS = {"display_name": 120, "owner_name": 120, "account_holder": 120}


def clean_text(value: Any) -> str | None:
    """NFC (macOS and some keyboards send decomposed Vietnamese), trimmed, single spaces."""
    if value is None:
        return None
    text = " ".join(unicodedata.normalize("NFC", str(value)).split())
    return text or None


def match_key(text: str) -> str:
    """Lowercase ASCII (``vietqr.fold``): for lenient matching, never for storing."""
    return fold(text).lower()


_CATEGORIES = {c.casefold(): c for c in GOODS_CATEGORIES} | {
    match_key(c): c for c in GOODS_CATEGORIES
}


def canonical_category(value: str) -> str | None:
    """The listed goods category ``value`` names, ignoring case and diacritics."""
    text = clean_text(value) or ""
    return _CATEGORIES.get(text.casefold()) or _CATEGORIES.get(match_key(text))


@dataclass(frozen=True)
class BankDirectory:
    """Active banks by BIN and by short name, loaded once per request or import."""

    active_bins: frozenset[str]
    by_name: Mapping[str, str] = field(default_factory=dict)
    inactive_bins: frozenset[str] = frozenset()

    @classmethod
    def load(cls, session: Session) -> BankDirectory:
        banks = session.scalars(sa.select(Bank)).all()
        by_name: dict[str, str] = {}
        for bank in banks:
            if bank.active:
                for name in (bank.short_name, *bank.former_names):
                    by_name.setdefault(name.casefold(), bank.bin)
        return cls(
            active_bins=frozenset(b.bin for b in banks if b.active),
            by_name=by_name,
            inactive_bins=frozenset(b.bin for b in banks if not b.active),
        )

    def resolve(self, value: str) -> tuple[str | None, str | None]:
        """(BIN, None) for a known active bank given by BIN or short name, else (None, problem)."""
        if value.isdigit():
            if value in self.active_bins:
                return value, None
            if value in self.inactive_bins:
                return None, f"bank {value} is no longer active; choose the bank's current BIN"
            if len(value) != 6:
                return None, "must be a 6-digit bank BIN (see /api/v1/banks)"
            return None, f"{value} is not a known bank BIN (see /api/v1/banks)"
        bin_ = self.by_name.get(value.casefold())
        if bin_ is None:
            return None, (f"{value!r} is neither a bank BIN nor a bank short name "
                          "(see /api/v1/banks)")
        return bin_, None


# A spreadsheet number is a double: Excel and LibreOffice keep 15 significant digits and
# write zeros (or other digits) after them, so a longer account number read from a number
# cell is not the one that was typed, and would print a QR paying another account.
SPREADSHEET_DIGITS = 15
NUMBER_CELL_CUT = ("was stored as a number, which keeps only 15 digits, so its last digits "
                   "are lost; format the column as Text and type the account number again")


def _digits_text(value: Any) -> str:
    """Spreadsheets hand numbers as int or float; a whole float is its integer digits."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def normalise_phone(value: Any) -> tuple[str | None, str | None]:
    text = PHONE_SEPARATORS.sub("", _digits_text(value))
    if text.startswith("+84"):
        text = "0" + text[3:]
    elif text.startswith("84") and len(text) == 11:
        text = "0" + text[2:]
    elif isinstance(value, int | float) and len(text) == 9:
        text = "0" + text  # a spreadsheet number cell dropped the leading zero
    if not MOBILE_PHONE.match(text):
        return None, (
            "must be a Vietnamese mobile number: 10 digits starting 03, 05, 07, 08 or 09 "
            "(+84 is accepted)"
        )
    return text, None


def _clean_one(name: str, raw: Any, banks: BankDirectory) -> tuple[Any, str | None]:
    """One field's normalised value and its problem (None when fine)."""
    if isinstance(raw, str):
        # The input policy (market40.inputpolicy), also for rows of an imported file; then
        # NFKC, so full-width look-alikes (Ａ-０１, ０９１２...) become the ASCII they imitate.
        bad = problem(raw, multiline=False)
        if bad is not None:
            return None, bad
        raw = unicodedata.normalize("NFKC", raw)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if name in REQUIRED_VENDOR_FIELDS:
            return None, "is required"
        return None, None
    if name == "stall_code":
        code = "".join(_digits_text(raw).split()).upper()
        if not STALL_CODE.match(code):
            return None, (
                "must be 1-20 letters, digits, '-', '.' or '/', starting with a letter "
                "or digit (e.g. A-012)"
            )
        return code, None
    if name in ("display_name", "owner_name", "account_holder"):
        text = clean_text(raw)
        if text is not None and len(text) > MAX_LENGTHS[name]:
            return None, f"must be at most {MAX_LENGTHS[name]} characters"
        return text, None
    if name == "phone":
        return normalise_phone(raw)
    if name == "national_id":
        text = "".join(_digits_text(raw).split())
        if isinstance(raw, int | float) and text.isdigit() and len(text) == 11:
            text = "0" + text  # CCCD numbers start with the province code 0xx
        if not NATIONAL_ID.match(text):
            return None, "must be a 12-digit citizen ID (CCCD) number"
        return text, None
    if name == "goods_category":
        category = canonical_category(str(raw))
        if category is None:
            return None, "must be one of: " + ", ".join(GOODS_CATEGORIES)
        return category, None
    if name == "bank_bin":
        return banks.resolve(_digits_text(raw).strip())
    if name == "account_number":
        text = "".join(_digits_text(raw).split())
        if isinstance(raw, int | float) and not isinstance(raw, bool) and \
                len(text) > SPREADSHEET_DIGITS:
            return None, NUMBER_CELL_CUT
        if not ACCOUNT_NUMBER.match(text):
            return None, "must be 6 to 19 digits"
        return text, None
    raise KeyError(name)


def clean_vendor_fields(
    data: Mapping[str, Any],
    banks: BankDirectory,
    current: Mapping[str, Any] | None = None,
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Normalise the given vendor fields; return (values, {field: [problems]}).

    Without ``current`` (a new vendor) missing required fields are problems; with it
    (an edit) only the given fields are checked, and the bank fields are checked
    together against the result of the edit. A bank that has since become inactive
    stays valid on a vendor that already uses it.
    """
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    names = [n for n in VENDOR_INPUT_FIELDS if current is None or n in data]
    for name in names:
        raw = data.get(name)
        if (
            name == "bank_bin" and current is not None and raw is not None
            and str(raw).strip() == current.get("bank_bin")
        ):
            values[name] = current["bank_bin"]
            continue
        value, problem = _clean_one(name, raw, banks)
        if problem:
            errors.setdefault(name, []).append(problem)
        else:
            values[name] = value
    merged = {**(current or {}), **values}
    given = [n for n in BANK_FIELDS if merged.get(n) is not None or n in errors]
    if given and len(given) < len(BANK_FIELDS):
        for name in BANK_FIELDS:
            if name not in given:
                errors.setdefault(name, []).append(
                    "is required with the other bank fields: give bank_bin, account_number "
                    "and account_holder together, or none of them"
                )
    return values, errors


@dataclass(frozen=True)
class RowProblem:
    """One problem of one row of a file or batch: ``row`` as the user counts it (header 1)."""

    row: int
    field: str
    message: str


def account_taken_message(market_code: str, stall_code: str) -> str:
    # Market and stall only: the caller may not see the other vendor's personal data.
    return (f"this bank account already receives the payments of stall {stall_code} in "
            f"market {market_code}; one account can pay one live vendor only")


class DuplicateAccount(Conflict):
    """409 naming ``account_number``: another live vendor holds that bank account."""

    def __init__(self, market_code: str, stall_code: str) -> None:
        problem = account_taken_message(market_code, stall_code)
        self.errors = {"account_number": [problem]}
        super().__init__(f"account_number: {problem}")


class DuplicateStall(Conflict):
    """409 naming ``stall_code``: another live vendor of the market has that stall."""

    def __init__(self, stall_code: str, market_code: str, vendor_id: int | None = None) -> None:
        holder = f" (vendor {vendor_id})" if vendor_id is not None else ""
        problem = f"{stall_code} is already registered in market {market_code}{holder}"
        self.errors = {"stall_code": [problem]}
        super().__init__(f"stall_code: {problem}")
