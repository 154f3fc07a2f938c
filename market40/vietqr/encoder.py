"""Build VietQR payloads: ``encode`` (strict by default) and ``encode_with_warnings``.

Objects go out in ascending ID order 00, 01, 38, 53, 54, 58, 59, 60, 62, 63 (as peers and
bank apps emit them); empty objects are never written. With an amount the code is
dynamic (01 = 12), without one static (11): print static codes on stall cards.

Free text (59, 60, 62.xx) must be printable ASCII within its limit. ``strict=True`` (the
default) raises when it is not, naming the field and the limit; ``strict=False`` folds
and cuts it and says so: ``encode_with_warnings`` returns the messages, ``encode`` issues
them as :class:`VietQRWarning`. Nothing is ever changed silently.

>>> encode(bank_bin="970416", account="257678859")  # vector #1, static ACB
'00020101021138530010A0000007270123000697041601092576788590208QRIBFTTA53037045802VN6304AE9F'
>>> encode(bank_bin="970436", account="1017595600", amount=180000,
...        purpose="thanh toan don hang")[-35:]  # vector #10, dynamic Vietcombank
'62230819thanh toan don hang630470FA'
>>> payload, notes = encode_with_warnings(bank_bin="970436", account="1017595600",
...                                       purpose="Chợ Đồng Hỷ")
>>> notes
("62.08 (purpose): folded to ASCII: 'Chợ Đồng Hỷ' -> 'Cho Dong Hy'",)
"""

from __future__ import annotations

import warnings as _warnings
from binascii import crc_hqx
from collections.abc import Mapping

from . import spec
from .exceptions import InvalidComponent, InvalidFormat, InvalidLength, VietQRWarning
from .text import fit
from .tlv import LENGTH_TEXT

__all__ = ["encode", "encode_with_warnings"]

_L = LENGTH_TEXT
# 38.02 objects, ready to append.
_SERVICE_OBJECTS = {name: f"0208{code}" for name, code in spec.SERVICE_CODES.items()}
_AMOUNT_LIMIT = 10**spec.AMOUNT_MAX_LEN  # amounts are < 10**13 (at most 13 digits)
_NAME_MAX = spec.MERCHANT_NAME_MAX_LEN
_CITY_MAX = spec.MERCHANT_CITY_MAX_LEN
_BIN = "38.01.00"
_ACCOUNT = "38.01.01"


def encode(
    *,
    bank_bin: str,
    account: str,
    service: str = "account",
    amount: int | None = None,
    purpose: str | None = None,
    bill: str | None = None,
    reference: str | None = None,
    terminal: str | None = None,
    merchant_name: str | None = None,
    merchant_city: str | None = None,
    strict: bool = True,
    banks: Mapping[str, str] | None = None,
) -> str:
    """Return the VietQR payload for a NAPAS247 transfer to ``account`` at ``bank_bin``.

    :param service: ``"account"`` (QRIBFTTA) or ``"card"`` (QRIBFTTC, digits only).
    :param amount: integer dong > 0 (dynamic code), or None (static code).
    :param strict: raise on text that is not printable ASCII or is over its limit;
        False folds and cuts it and issues a :class:`VietQRWarning` per change.
    :param banks: BIN -> bank name; when given, an unknown BIN raises InvalidComponent.
    :raises VietQRError: InvalidFormat, InvalidLength or InvalidComponent naming the field.
    """
    payload, notes = _build(
        bank_bin, account, service, amount, purpose, bill, reference, terminal,
        merchant_name, merchant_city, strict, banks,
    )  # fmt: skip
    for note in notes:
        _warnings.warn(note, VietQRWarning, stacklevel=2)
    return payload


def encode_with_warnings(
    *,
    bank_bin: str,
    account: str,
    service: str = "account",
    amount: int | None = None,
    purpose: str | None = None,
    bill: str | None = None,
    reference: str | None = None,
    terminal: str | None = None,
    merchant_name: str | None = None,
    merchant_city: str | None = None,
    banks: Mapping[str, str] | None = None,
) -> tuple[str, tuple[str, ...]]:
    """Like ``encode(strict=False)``, but return ``(payload, warnings)`` instead of warning.

    Each warning names the field and the change (``"59 (merchant_name): cut to 25
    characters: ..."``); an empty tuple means the payload holds exactly what was passed.
    Errors that folding cannot fix (bad BIN, account, amount) still raise.
    """
    payload, notes = _build(
        bank_bin, account, service, amount, purpose, bill, reference, terminal,
        merchant_name, merchant_city, False, banks,
    )  # fmt: skip
    return payload, tuple(notes)


def _build(
    bank_bin: str,
    account: str,
    service: str,
    amount: int | None,
    purpose: str | None,
    bill: str | None,
    reference: str | None,
    terminal: str | None,
    merchant_name: str | None,
    merchant_city: str | None,
    strict: bool,
    banks: Mapping[str, str] | None,
) -> tuple[str, list[str]]:
    """Validate the arguments and build the payload; the hot path is plain str work."""
    if (
        type(bank_bin) is not str
        or len(bank_bin) != 6
        or not (bank_bin.isascii() and bank_bin.isdigit())
    ):
        _bad_bin(bank_bin)
    if banks is not None and bank_bin not in banks:
        raise InvalidComponent(
            f"{_BIN} (bank_bin): {bank_bin!r} is not in the bank list", field=_BIN, value=bank_bin
        )
    service_object = _SERVICE_OBJECTS.get(service)  # type: ignore[arg-type]
    if service_object is None:
        raise InvalidComponent(
            f"38.02 (service): must be 'account' or 'card', got {service!r}",
            field="38.02",
            value=service,
        )
    if (
        type(account) is not str
        or not 0 < len(account) <= spec.ACCOUNT_MAX_LEN
        or not (account.isascii() and account.isalnum())
        or (service == "card" and not account.isdigit())
    ):
        _bad_account(account, service)
    size = len(account)
    # 38 = 0010A000000727 (14) + 01 template (4 + 10 + 4 + size) + 0208<service> (12)
    head = (
        f"38{_L[44 + size]}0010A00000072701{_L[14 + size]}0006{bank_bin}01{_L[size]}"
        f"{account}{service_object}5303704"
    )
    if amount is None:
        body = f"000201010211{head}5802VN"
    else:
        if type(amount) is not int or not 0 < amount < _AMOUNT_LIMIT:
            _bad_amount(amount)
        digits = str(amount)
        body = f"000201010212{head}54{_L[len(digits)]}{digits}5802VN"

    notes: list[str] = []
    if merchant_name is not None and merchant_name != "":
        merchant_name = _text(merchant_name, "59", "merchant_name", _NAME_MAX, strict, notes)
        if merchant_name:
            body += f"59{_L[len(merchant_name)]}{merchant_name}"
    if merchant_city is not None and merchant_city != "":
        merchant_city = _text(merchant_city, "60", "merchant_city", _CITY_MAX, strict, notes)
        if merchant_city:
            body += f"60{_L[len(merchant_city)]}{merchant_city}"

    # 62 sub-objects in ascending ID order; an empty or absent value writes nothing.
    additional = ""
    for sub, name, value in (
        ("01", "bill", bill),
        ("05", "reference", reference),
        ("07", "terminal", terminal),
        ("08", "purpose", purpose),
    ):
        if value is None or value == "":
            continue
        if (
            type(value) is not str
            or len(value) > spec.ADDITIONAL_SUB_MAX_LEN
            or not (value.isascii() and value.isprintable())
        ):
            value = _text(value, f"62.{sub}", name, spec.ADDITIONAL_SUB_MAX_LEN, strict, notes)
            if not value:
                continue
        additional += f"{sub}{_L[len(value)]}{value}"
    if additional:
        if len(additional) > 99:
            raise InvalidLength(
                f"62 (additional data): bill, reference, terminal and purpose take "
                f"{len(additional)} characters together, over the limit of 99; shorten them",
                field="62",
                value=additional,
            )
        body += f"62{_L[len(additional)]}{additional}"

    body += "6304"
    return body + "%04X" % crc_hqx(body.encode("ascii"), 0xFFFF), notes  # noqa: UP031


def _text(
    value: object, tag: str, name: str, limit: int, strict: bool, notes: list[str]
) -> str | None:
    """Check one free-text value; fold and cut it (noting each change) unless strict."""
    label = f"{tag} ({name})"
    if type(value) is not str:
        raise InvalidFormat(
            f"{label}: must be a str, got {type(value).__name__} {value!r}", field=tag, value=value
        )
    if value.isascii() and value.isprintable():
        if len(value) <= limit:
            return value
        if strict:
            raise InvalidLength(
                f"{label}: at most {limit} characters, got {len(value)}: {value!r} "
                "(pass strict=False to cut it)",
                field=tag,
                value=value,
            )
    elif strict:
        raise InvalidFormat(
            f"{label}: must be printable ASCII (no diacritics or control characters), got "
            f"{value!r}; fold it with market40.vietqr.fold() or pass strict=False",
            field=tag,
            value=value,
        )
    fitted = fit(value, limit)
    if fitted.changed or fitted.cut:
        done = "folded to ASCII" if fitted.changed else ""
        if fitted.cut:
            done += f"{' and ' if done else ''}cut to {limit} characters"
        notes.append(f"{label}: {done}: {value!r} -> {fitted.text!r}")
    if not fitted.text:
        notes.append(f"{label}: nothing is left of {value!r}; the object is left out")
        return None
    return fitted.text


def _bad_bin(bank_bin: object) -> None:
    if type(bank_bin) is not str:
        raise InvalidFormat(
            f"{_BIN} (bank_bin): must be a str of 6 digits, got {type(bank_bin).__name__} "
            f"{bank_bin!r}",
            field=_BIN,
            value=bank_bin,
        )
    if len(bank_bin) != 6:
        raise InvalidLength(
            f"{_BIN} (bank_bin): must be exactly 6 digits, got {len(bank_bin)}: {bank_bin!r}",
            field=_BIN,
            value=bank_bin,
        )
    raise InvalidFormat(
        f"{_BIN} (bank_bin): must be 6 ASCII digits, got {bank_bin!r}", field=_BIN, value=bank_bin
    )


def _bad_account(account: object, service: str) -> None:
    label = f"{_ACCOUNT} (account)"
    if type(account) is not str:
        raise InvalidFormat(
            f"{label}: must be a str, got {type(account).__name__} {account!r}",
            field=_ACCOUNT,
            value=account,
        )
    if not 0 < len(account) <= spec.ACCOUNT_MAX_LEN:
        raise InvalidLength(
            f"{label}: must have 1-{spec.ACCOUNT_MAX_LEN} characters, got {len(account)}: "
            f"{account!r}",
            field=_ACCOUNT,
            value=account,
        )
    if service == "card" and account.isascii() and account.isalnum():
        raise InvalidFormat(
            f"{label}: a card number (service='card') is digits only, got {account!r}",
            field=_ACCOUNT,
            value=account,
        )
    raise InvalidFormat(
        f"{label}: must be ASCII letters and digits only (no spaces or separators), "
        f"got {account!r}",
        field=_ACCOUNT,
        value=account,
    )


def _bad_amount(amount: object) -> None:
    label = "54 (amount)"
    if type(amount) is not int:
        raise InvalidFormat(
            f"{label}: must be an int number of dong (or None for a static code), got "
            f"{type(amount).__name__} {amount!r}",
            field="54",
            value=amount,
        )
    if amount <= 0:
        raise InvalidFormat(
            f"{label}: must be greater than 0, got {amount!r}", field="54", value=amount
        )
    raise InvalidLength(
        f"{label}: at most {spec.AMOUNT_MAX_LEN} digits, got {len(str(amount))}: {amount!r}",
        field="54",
        value=amount,
    )
