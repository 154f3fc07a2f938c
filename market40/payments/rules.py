"""What makes a transaction acceptable: one set of rules for every way one arrives.

The single POST parses with its marshmallow schema and then applies :func:`rule_errors`;
a batch of up to 10,000 items uses :func:`parse_item` (the same rules, ~10x faster than
a schema per item) so that validation never dominates ingestion. Messages follow
marshmallow's wording, so a client sees the same text on both paths.

A batch body as clients send it (plain ASCII, every item acceptable) takes a faster
road still: :func:`decode_batch` types it straight from the request's bytes with msgspec
(one pass in C: no ``json.loads``, no dict per item), then applies the same rules. Any
doubt (another encoding, an escape, a wrong type, a broken rule) answers None, and the
body goes the item-by-item way, which names every problem: the fast road only ever
accepts what that one accepts, with the same values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal

import msgspec

from market40.inputpolicy import plain_json
from market40.localtime import day_start_utc
from market40.models.base import MAX_ID
from market40.models.transaction import KINDS, METHODS

MAX_AMOUNT = 10**12  # 1,000 billion đồng: far above any market payment, below any overflow
# What a board may declare for one sale or fee it was told about: a market stall's
# biggest plausible single payment (a pig, a season's rent), 50 million đồng.
MAX_DECLARED_AMOUNT = 50_000_000


def declared_amount_problem(source: str, amount: int) -> str | None:
    """Why a declared amount is refused, or None (other sources are bounded by MAX_AMOUNT)."""
    if source == "declared" and amount > MAX_DECLARED_AMOUNT:
        return (f"A board may declare at most {MAX_DECLARED_AMOUNT:,} đồng per sale or fee; "
                "a larger payment comes from the bank or the API.")
    return None
CLOCK_SKEW = timedelta(minutes=5)
# Nothing in a market's books predates 2000; an older date is a typo (e.g. 0024 for 2024).
# Kept in UTC: comparing with a ZoneInfo-aware bound costs a zone lookup per item.
EARLIEST_DAY = date(2000, 1, 1)
EARLIEST = day_start_utc(EARLIEST_DAY)
REFERENCE_MAX = 80
# Prefixes the service writes itself; a client key may not look like them.
BANK_PREFIX = "bank:"
SIMULATOR_PREFIX = "sim-"
RESERVED_PREFIXES = (BANK_PREFIX, SIMULATOR_PREFIX)
FIELDS = ("vendor_id", "amount", "method", "kind", "occurred_at", "reference")

MISSING = "Missing data for required field."
NOT_INTEGER = "Not a valid integer."
NOT_STRING = "Not a valid string."


class TransactionIn(msgspec.Struct, frozen=True):
    """A transaction as a client sends it, typed (not yet checked against the registry).

    A msgspec struct rather than a dataclass: a batch makes 10,000 of them, and a
    frozen dataclass takes ten times as long to build."""

    vendor_id: int
    amount: int
    method: str
    kind: str
    occurred_at: datetime
    reference: str

    def same_as(self, stored: Any) -> list[str]:
        """The fields in which a stored transaction differs from this one."""
        return [
            name
            for name in ("vendor_id", "amount", "method", "kind", "occurred_at")
            if getattr(stored, name) != getattr(self, name)
        ]


def amount_problem(value: int) -> str | None:
    if value < 1:
        return "Must be a whole number of đồng greater than 0."
    if value > MAX_AMOUNT:
        return f"Must be at most {MAX_AMOUNT:,} đồng."
    return None


def occurred_at_problem(value: datetime, now: datetime) -> str | None:
    if value.tzinfo is None:
        return "Needs a UTC offset, e.g. 2024-05-01T07:30:00+07:00."
    if value > now + CLOCK_SKEW:
        return "Is in the future (more than 5 minutes after the server's clock)."
    if value < EARLIEST:
        return "Is before 2000-01-01: check the year."
    return None


def reference_problem(value: str, *, reserved: bool = True) -> str | None:
    if not value:
        return "Must not be empty."
    if len(value) > REFERENCE_MAX:
        return f"Longer than {REFERENCE_MAX} characters."
    if not value.isprintable():
        return "Contains control characters."
    if reserved and value.startswith(RESERVED_PREFIXES):
        return f"Must not start with {' or '.join(map(repr, RESERVED_PREFIXES))} (reserved)."
    return None


def rule_errors(item: TransactionIn, now: datetime) -> dict[str, str]:
    """Business rules of a typed item: {field: problem}, empty when it is acceptable."""
    errors: dict[str, str] = {}
    if not 1 <= item.vendor_id <= MAX_ID:
        errors["vendor_id"] = f"Must be between 1 and {MAX_ID}."
    if (problem := amount_problem(item.amount)) is not None:
        errors["amount"] = problem
    if (problem := occurred_at_problem(item.occurred_at, now)) is not None:
        errors["occurred_at"] = problem
    if (problem := reference_problem(item.reference)) is not None:
        errors["reference"] = problem
    return errors


def _integer(raw: Mapping[str, Any], name: str, errors: dict[str, str]) -> int:
    value = raw.get(name)
    if name not in raw:
        errors[name] = MISSING
    elif type(value) is not int:  # not bool, not float, not "12"
        errors[name] = NOT_INTEGER
    else:
        return value
    return 0


def _choice(raw: Mapping[str, Any], name: str, choices: tuple[str, ...],
            errors: dict[str, str], default: str | None = None) -> str:
    value = raw.get(name, default)
    if value is None:
        errors[name] = MISSING
    elif not isinstance(value, str) or value not in choices:
        errors[name] = f"Must be one of: {', '.join(choices)}."
    else:
        return value
    return ""


def parse_occurred_at(value: Any) -> datetime | str:
    """An aware datetime from ISO 8601 text, or the problem as a string."""
    if not isinstance(value, str):
        return "Not a valid datetime."
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return "Not a valid datetime."
    if parsed.tzinfo is None:
        return "Not a valid aware datetime."
    return parsed


def parse_item(raw: Any, now: datetime) -> tuple[TransactionIn | None, dict[str, str]]:
    """Type-check and rule-check one raw JSON item: (item, {}) or (None, {field: problem})."""
    if not isinstance(raw, Mapping):
        return None, {"_item": "Must be an object."}
    errors: dict[str, str] = {}
    for name in raw:
        if name not in FIELDS:
            errors[str(name)] = "Unknown field."
    vendor_id = _integer(raw, "vendor_id", errors)
    amount = _integer(raw, "amount", errors)
    method = _choice(raw, "method", METHODS, errors)
    kind = _choice(raw, "kind", KINDS, errors, default="sale")
    occurred_at: Any = None
    if "occurred_at" not in raw:
        errors["occurred_at"] = MISSING
    else:
        occurred_at = parse_occurred_at(raw["occurred_at"])
        if isinstance(occurred_at, str):
            errors["occurred_at"] = occurred_at
    reference = raw.get("reference")
    if "reference" not in raw:
        errors["reference"] = MISSING
    elif not isinstance(reference, str):
        errors["reference"] = NOT_STRING
    else:
        reference = reference.strip()
    if errors:
        # Report the amount's range problem too, so one round trip shows everything.
        if "amount" not in errors and (problem := amount_problem(amount)) is not None:
            errors["amount"] = problem
        return None, errors
    item = TransactionIn(vendor_id, amount, method, kind, occurred_at, reference)
    errors = rule_errors(item, now)
    return (None, errors) if errors else (item, {})


# The fast road (see the module docstring). What the typed decode checks in C are the
# rules' own bounds; an item outside them, or a reference that ``strip`` would change
# (spaces around it), sends the body the item-by-item way.
_PLAIN_REFERENCE = "^(?!" + "|".join(map(re.escape, RESERVED_PREFIXES)) + r")\S(?:.*\S)?\Z"


class _FastItem(msgspec.Struct, forbid_unknown_fields=True):
    vendor_id: Annotated[int, msgspec.Meta(ge=1, le=MAX_ID)]
    amount: Annotated[int, msgspec.Meta(ge=1, le=MAX_AMOUNT)]
    method: Literal[METHODS]  # type: ignore[valid-type]
    occurred_at: str
    reference: Annotated[str, msgspec.Meta(max_length=REFERENCE_MAX, pattern=_PLAIN_REFERENCE)]
    kind: Literal[KINDS] = "sale"  # type: ignore[valid-type]


class _FastBatch(msgspec.Struct, forbid_unknown_fields=True):
    transactions: Annotated[list[_FastItem], msgspec.Meta(min_length=1)]


_DECODER = msgspec.json.Decoder(_FastBatch)


def decode_batch(raw: bytes, now: datetime, limit: int) -> list[TransactionIn] | None:
    """The items of a batch body ``{"transactions": [...]}`` (1 to ``limit`` of them)
    when the body is ``plain_json`` and every item is acceptable as sent; None otherwise
    (the caller then parses it item by item, which names every problem).

    Its strings are then printable ASCII (``inputpolicy.plain_json``), so a reference
    the pattern accepts passes :func:`reference_problem` as it is."""
    if not plain_json(raw):
        return None
    try:
        batch = _DECODER.decode(raw)
    except msgspec.DecodeError:  # malformed JSON, or a ValidationError (its subclass)
        return None
    if len(batch.transactions) > limit:
        return None
    latest = now + CLOCK_SKEW
    items: list[TransactionIn] = []
    append, parse = items.append, datetime.fromisoformat
    try:
        for fast in batch.transactions:
            occurred_at = parse(fast.occurred_at)
            # occurred_at_problem, inline: a naive time raises TypeError here
            if not EARLIEST <= occurred_at <= latest:
                return None
            append(TransactionIn(fast.vendor_id, fast.amount, fast.method, fast.kind,
                                 occurred_at, fast.reference))
    except (ValueError, TypeError):
        return None
    return items
