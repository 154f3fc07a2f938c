"""Read VietQR payloads: ``decode``, ``validate``, ``is_valid``.

Checks run in this order and the FIRST failure raises, naming its tag path:

1. ``payload``: a non-empty str (whitespace around it, as scanners add, is ignored);
2. ``63``: the payload ends with ``6304`` + 4 hex digits (else the structure is parsed to
   find where it breaks: a cut-off object is an InvalidLength at that object), and the
   CRC matches (InvalidChecksum). A damaged payload fails here before anything in it is
   trusted;
3. the root TLV, strictly: IDs and lengths 2 digits, lengths 01-99 that fit, no
   duplicates; ``00`` = ``01`` first and ``63`` last;
4. ``01`` = 11 | 12; ``38`` (its TLV, GUID ``A000000727``, ``01`` template with a
   6-digit BIN known to ``banks`` when given, and a 1-19 character account; ``02``);
   ``52``; ``53`` = 704; ``54``; ``58`` = VN; ``62`` (its TLV).

Object order other than "00 first, 63 last" is free [NAPAS §5.1]; unknown objects are
kept in ``extra``. Deviations that real bank codes carry and bank apps accept decode
with a warning: a lower-case CRC (MB Bank), text over its limit (59 > 25, 60 > 15,
62.01-08 > 25) or outside printable ASCII, an amount with a trailing "." or leading
zeros. Amount: digits only, > 0, at most 13 characters; "10.000" and "1,000" are
rejected (VND has no minor unit, so "." can only be a decimal point); a trailing "."
("50000.") is what the spec allows [NAPAS §5.2.6], so it is accepted as 50000.

>>> qr = decode("00020101021138540010A00000072701240006970422011003523509170208QRIBFTTA"
...             "53037045802VN630479db", banks={"970422": "MB Bank"})
>>> qr.bank, qr.account, qr.crc, qr.warnings
('MB Bank', '0352350917', '79DB', ("63: CRC '79db' is not in upper case",))
>>> is_valid("00020101021138570010A00000072701270006970403011200110123456780208QRIBFTTA"
...          "53037045802VN6304F4E5")  # NAPAS §6.1.1 as printed: length 12, 13 digits
False
>>> validate(" 00020101021138540010A00000072701240006970422011003523509170208QRIBFTTA"
...          "53037045802VN630479db\\n")[-8:]
'630479DB'
"""

from __future__ import annotations

from binascii import crc_hqx
from collections.abc import Mapping

from . import spec
from .exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from .payload import VietQRPayload, _trusted
from .spec import COUNTRY_VN, CURRENCY_VND
from .tlv import parse

__all__ = ["decode", "is_valid", "validate"]

_HEX = frozenset("0123456789ABCDEFabcdef")
# Root objects decode() reads into named fields; every other one goes to ``extra``.
_KNOWN_ROOT = frozenset({"00", "01", "38", "52", "53", "54", "58", "59", "60", "62", "63"})
_INITIATION = spec.INITIATION
_LIMITED_62 = spec.ADDITIONAL_LIMITED  # 62.01-08: ANS <= 25
_AMOUNT_MAX = spec.AMOUNT_MAX_LEN
_NAME_MAX = spec.MERCHANT_NAME_MAX_LEN
_CITY_MAX = spec.MERCHANT_CITY_MAX_LEN
_SUB_MAX = spec.ADDITIONAL_SUB_MAX_LEN


def decode(payload: str, *, banks: Mapping[str, str] | None = None) -> VietQRPayload:
    """Decode and fully validate a VietQR payload.

    :param banks: BIN -> bank short name; when given, an unknown BIN raises
        InvalidComponent and the result's ``bank`` is the name, else ``bank`` is None.
    :raises VietQRError: the first problem, see the module docstring for the order.
    """
    text, notes = _checked(payload)
    root = parse(text)
    _check_ends(root)
    return _read(root, text[-4:].upper(), notes, banks)


def validate(payload: str, *, banks: Mapping[str, str] | None = None) -> str:
    """Return ``payload`` normalised (whitespace stripped, CRC upper case), or raise."""
    text, notes = _checked(payload)
    root = parse(text)
    _check_ends(root)
    normalised = text[:-4] + text[-4:].upper()
    _read(root, normalised[-4:], notes, banks)
    return normalised


def is_valid(payload: str, *, banks: Mapping[str, str] | None = None) -> bool:
    """True if ``decode(payload, banks=banks)`` would succeed (warnings allowed)."""
    try:
        decode(payload, banks=banks)
    except ValueError:
        return False
    return True


def _checked(payload: str) -> tuple[str, list[str]]:
    """Steps 1-2: type, CRC object at the end, CRC value; returns the stripped payload."""
    if type(payload) is not str:
        raise InvalidFormat(
            f"payload: must be a str, got {type(payload).__name__}", field="payload", value=payload
        )
    text = payload.strip()
    if text[-8:-4] != "6304":
        _no_crc_object(text)
    crc = text[-4:]
    # surrogatepass: a lone surrogate must fail as a CRC mismatch, not a UnicodeEncodeError
    expected = "%04X" % crc_hqx(text[:-4].encode("utf-8", "surrogatepass"), 0xFFFF)  # noqa: UP031
    if crc == expected:
        return text, []
    if not _HEX.issuperset(crc):
        raise InvalidFormat(f"63: the CRC must be 4 hex digits, got {crc!r}", field="63", value=crc)
    if crc.upper() != expected:
        raise InvalidChecksum(
            f"63: the CRC is {crc!r} but the payload before it computes to {expected!r} "
            "(damaged or edited payload)",
            field="63",
            value=crc,
        )
    return text, [f"63: CRC {crc!r} is not in upper case"]


def _no_crc_object(text: str) -> None:
    """Explain why ``text`` does not end with a CRC object: cut off, or no 63 at the end."""
    if not text:
        raise InvalidLength("payload: empty", field="payload", value=text)
    root = parse(text)  # raises where the structure breaks (e.g. a cut-off object)
    last = next(reversed(root))
    if last == "63":
        raise InvalidLength(
            f"63: the CRC object is '6304' and 4 hex digits, got length "
            f"{len(root['63']):02d}: {root['63']!r}",
            field="63",
            value=root["63"],
        )
    if "63" not in root:
        raise InvalidFormat(
            f"63: the CRC object is missing: the payload must end with '6304' and 4 hex "
            f"digits, but its last object is {last} = {root[last]!r}",
            field="63",
            value=None,
        )
    raise InvalidFormat(
        f"63: the CRC object must be the last object, but {last} = {root[last]!r} follows it",
        field="63",
        value=root["63"],
    )


def _check_ends(root: dict[str, str]) -> None:
    """Step 3: 00 = 01 first, 63 last (the envelope check already fixed its length)."""
    first = next(iter(root))
    if first != "00":
        raise InvalidFormat(
            f"00: the payload format indicator must be the first object; found {first} first",
            field="00",
            value=root.get("00"),
        )
    if root["00"] != spec.FORMAT_VERSION:
        raise InvalidComponent(
            f"00: the payload format indicator must be '01', got {root['00']!r}",
            field="00",
            value=root["00"],
        )
    last = next(reversed(root))
    if last != "63":
        raise InvalidFormat(
            f"63: the CRC object must be the last object; found {last} last "
            f"(its value {root[last]!r} ends with the CRC text)",
            field="63",
            value=root.get("63"),
        )


def _read(
    root: dict[str, str], crc: str, notes: list[str], banks: Mapping[str, str] | None
) -> VietQRPayload:
    """Step 4: the objects' values, in tag order (fast checks inline, messages out of line)."""
    get = root.get
    initiation = _INITIATION.get(get("01"))  # type: ignore[arg-type]
    if initiation is None:
        _bad_initiation(get("01"))

    napas = get("38")
    if napas is None:
        _no_napas(root)
    bank_bin, account, service, extra = _read_napas(napas)  # type: ignore[arg-type]
    bank = None
    if banks is not None:
        bank = banks.get(bank_bin)
        if bank is None:
            raise InvalidComponent(
                f"38.01.00: BIN {bank_bin!r} is not in the bank list",
                field="38.01.00",
                value=bank_bin,
            )

    mcc = get("52")
    if mcc is not None and not (len(mcc) == 4 and mcc.isascii() and mcc.isdigit()):
        raise InvalidFormat(
            f"52: the merchant category code is 4 digits, got {mcc!r}", field="52", value=mcc
        )
    if get("53") != CURRENCY_VND:
        _bad_fixed(get("53"), "53", "currency", f"{CURRENCY_VND} (VND)")
    amount: int | None = None
    value = get("54")
    if value is not None:
        if len(value) <= _AMOUNT_MAX and value.isascii() and value.isdigit() and value[0] != "0":
            amount = int(value)
        else:
            amount = _read_amount(value, notes)
    if get("58") != COUNTRY_VN:
        _bad_fixed(get("58"), "58", "country code", f"{COUNTRY_VN!r}")

    name = get("59")
    if name is not None and not (len(name) <= _NAME_MAX and name.isascii() and name.isprintable()):
        _note_text(name, "59", _NAME_MAX, notes)
    city = get("60")
    if city is not None and not (len(city) <= _CITY_MAX and city.isascii() and city.isprintable()):
        _note_text(city, "60", _CITY_MAX, notes)

    purpose = bill = reference = terminal = None
    value = get("62")
    if value is not None:
        for sub, text in parse(value, "62").items():
            if sub == "08":
                purpose = text
            elif sub == "01":
                bill = text
            elif sub == "05":
                reference = text
            elif sub == "07":
                terminal = text
            else:
                extra[f"62.{sub}"] = text
            if not (len(text) <= _SUB_MAX and text.isascii() and text.isprintable()) and (
                sub in _LIMITED_62
            ):
                _note_text(text, f"62.{sub}", _SUB_MAX, notes)
    if not _KNOWN_ROOT.issuperset(root):
        extra.update((tag, value) for tag, value in root.items() if tag not in _KNOWN_ROOT)

    return _trusted(
        {
            "bank_bin": bank_bin,
            "bank": bank,
            "account": account,
            "service": service,
            "initiation": initiation,
            "amount": amount,
            "purpose": purpose,
            "bill": bill,
            "reference": reference,
            "terminal": terminal,
            "merchant_name": name,
            "merchant_city": city,
            "crc": crc,
            "warnings": tuple(notes),
            "mcc": mcc,
            "extra": extra,
        }
    )


def _read_napas(value: str) -> tuple[str, str, str | None, dict[str, str]]:
    """Tag 38: GUID, the 01 beneficiary template (BIN, account) and the 02 service code."""
    napas = parse(value, "38")
    guid = napas.get("00")
    if guid is None:
        raise InvalidFormat("38.00: the NAPAS GUID is missing", field="38.00", value=None)
    if guid != spec.NAPAS_GUID:
        raise InvalidComponent(
            f"38.00: the GUID must be the NAPAS AID 'A000000727', got {guid!r}",
            field="38.00",
            value=guid,
        )
    beneficiary = napas.get("01")
    if beneficiary is None:
        raise InvalidFormat(
            "38.01: the beneficiary template (BIN and account) is missing",
            field="38.01",
            value=None,
        )
    inner = parse(beneficiary, "38.01")
    bank_bin = inner.get("00")
    if bank_bin is None:
        raise InvalidFormat("38.01.00: the bank BIN is missing", field="38.01.00", value=None)
    if len(bank_bin) != 6:
        raise InvalidLength(
            f"38.01.00: the bank BIN is exactly 6 digits, got {len(bank_bin)}: {bank_bin!r}",
            field="38.01.00",
            value=bank_bin,
        )
    if not (bank_bin.isascii() and bank_bin.isdigit()):
        raise InvalidFormat(
            f"38.01.00: the bank BIN is 6 digits, got {bank_bin!r}",
            field="38.01.00",
            value=bank_bin,
        )
    account = inner.get("01")
    if account is None:
        raise InvalidFormat(
            "38.01.01: the account or card number is missing", field="38.01.01", value=None
        )
    if len(account) > spec.ACCOUNT_MAX_LEN:
        raise InvalidLength(
            f"38.01.01: the account or card number has at most 19 characters, got "
            f"{len(account)}: {account!r}",
            field="38.01.01",
            value=account,
        )
    if not (account.isascii() and account.isprintable()):
        raise InvalidFormat(
            f"38.01.01: the account or card number must be printable ASCII, got {account!r}",
            field="38.01.01",
            value=account,
        )
    service = napas.get("02")
    if service is not None and len(service) > spec.SERVICE_MAX_LEN:
        raise InvalidLength(
            f"38.02: the service code has at most 10 characters, got {service!r}",
            field="38.02",
            value=service,
        )
    if service is not None and service not in spec.NAPAS_SERVICE_CODES:
        raise InvalidComponent(
            f"38.02: the service code must be one of NAPAS's "
            f"({', '.join(sorted(spec.NAPAS_SERVICE_CODES))}), got {service!r}",
            field="38.02",
            value=service,
        )
    extra: dict[str, str] = {}
    if len(napas) > 3 or len(inner) > 2:
        extra.update((f"38.{k}", v) for k, v in napas.items() if k not in ("00", "01", "02"))
        extra.update((f"38.01.{k}", v) for k, v in inner.items() if k not in ("00", "01"))
    return bank_bin, account, service, extra


def _read_amount(value: str | None, notes: list[str]) -> int | None:
    """Tag 54: integer dong, digits only, > 0, <= 13 characters; "50000." tolerated."""
    if value is None:
        return None
    if len(value) > spec.AMOUNT_MAX_LEN:
        raise InvalidLength(
            f"54: the amount has at most 13 characters, got {len(value)}: {value!r}",
            field="54",
            value=value,
        )
    digits = value[:-1] if value[-1] == "." else value
    if not (digits.isascii() and digits.isdigit()):
        raise InvalidFormat(
            f"54: the amount must be whole dong in digits only (no separators or decimals), "
            f"got {value!r}",
            field="54",
            value=value,
        )
    amount = int(digits)
    if amount == 0:
        raise InvalidFormat(f"54: the amount must be greater than 0, got {value!r}", field="54")
    if digits is not value:
        notes.append(f"54: amount {value!r} ends with '.'; read as {amount}")
    if digits[0] == "0":
        notes.append(f"54: amount {value!r} has leading zeros; read as {amount}")
    return amount


def _note_text(value: str, tag: str, limit: int, notes: list[str]) -> None:
    """Free text over its limit or outside printable ASCII: tolerated, with a warning."""
    if len(value) > limit:
        notes.append(f"{tag}: {len(value)} characters, over the limit of {limit}: {value!r}")
    if not (value.isascii() and value.isprintable()):
        notes.append(f"{tag}: not printable ASCII (bank apps may garble it): {value!r}")


def _bad_fixed(value: str | None, tag: str, what: str, shown: str) -> None:
    if value is None:
        raise InvalidFormat(f"{tag}: the {what} is missing (must be {shown})", field=tag)
    raise InvalidComponent(
        f"{tag}: the {what} must be {shown}, got {value!r}", field=tag, value=value
    )


def _bad_initiation(method: str | None) -> None:
    if method is None:
        raise InvalidFormat(
            "01: the point of initiation method is missing (11 static or 12 dynamic)", field="01"
        )
    raise InvalidComponent(
        f"01: the point of initiation method must be 11 (static) or 12 (dynamic), got {method!r}",
        field="01",
        value=method,
    )


def _no_napas(root: dict[str, str]) -> None:
    others = ", ".join(tag for tag in root if "26" <= tag <= "51")
    hint = f" (it has account templates {others}: another network's QR)" if others else ""
    raise InvalidFormat(
        f"38: the NAPAS template (bank BIN and account) is missing; not a VietQR code{hint}",
        field="38",
    )
