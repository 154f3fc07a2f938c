"""Vendors: register (one, or a checked batch), edit; every change audited.

Workflow moves (submit, approve, ...) live in ``workflow.py``. An edit is a new
"make": the editor becomes the vendor's maker, so someone else has to check it, and
a bank-account change on an approved vendor sends it back to ``submitted`` and
withdraws its QR code until it is approved again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from market40.errors import Conflict, InvalidInput, NotFound
from market40.models import Market, Vendor, utcnow
from market40.models.vendor import LIVE_STALL_CONDITION
from market40.registry.audit import (
    Actor,
    Change,
    actor_id,
    diff,
    record_change,
    record_changes,
    snapshot,
)
from market40.registry.history import (
    column_events,
    ensure_history,
    move_events,
    record_events,
    record_many,
)
from market40.registry.validation import (
    BANK_FIELDS,
    VENDOR_INPUT_FIELDS,
    BankDirectory,
    DuplicateAccount,
    DuplicateStall,
    RowProblem,
    account_taken_message,
    clean_vendor_fields,
)

log = logging.getLogger(__name__)
# The reason the registry writes itself (pages show it in their language: web filter
# ``reason``); every other reason is a person's own words.
ACCOUNT_CHANGED = "bank account changed: needs approval again"

LOCKED_STATUSES = ("rejected", "closed")
NEW_STATUSES = ("draft", "submitted")


def get_vendor(session: Session, vendor_id: int) -> Vendor:
    vendor = session.get(Vendor, vendor_id)
    if vendor is None:
        raise NotFound(f"vendor {vendor_id} does not exist")
    return vendor


def live_stalls(session: Session, market: Market) -> dict[str, int]:
    """Stall code -> vendor id of the market's vendors that hold their stall."""
    rows = session.execute(
        sa.select(Vendor.stall_code, Vendor.id)
        .where(Vendor.market_id == market.id, sa.text(LIVE_STALL_CONDITION))
    )
    return {stall: vendor_id for stall, vendor_id in rows}


Account = tuple[str, str]  # (bank BIN, account number)


def account_holders(session: Session, accounts: Iterable[Account],
                    except_id: int | None = None) -> dict[Account, tuple[str, str]]:
    """(BIN, account) -> (market code, stall code) of the live vendors holding them."""
    wanted = {(b, a) for b, a in accounts if b and a}
    if not wanted:
        return {}
    numbers = sorted({a for _, a in wanted})
    held: dict[Account, tuple[str, str]] = {}
    for start in range(0, len(numbers), 900):  # under SQLite's 999 parameters
        rows = session.execute(
            sa.select(Vendor.bank_bin, Vendor.account_number, Market.code, Vendor.stall_code)
            .join(Market, Vendor.market_id == Market.id)
            .where(Vendor.account_number.in_(numbers[start:start + 900]),
                   Vendor.status.not_in(LOCKED_STATUSES),
                   Vendor.id != (except_id or 0))
        )
        for bank_bin, number, market_code, stall in rows:
            if (bank_bin, number) in wanted:
                held[(bank_bin, number)] = (market_code, stall)
    return held


def check_account_free(session: Session, bank_bin: str | None, account_number: str | None,
                       except_id: int | None = None) -> None:
    """DuplicateAccount (409) when another live vendor holds this account."""
    if bank_bin and account_number:
        holder = account_holders(session, [(bank_bin, account_number)], except_id)
        if holder:
            raise DuplicateAccount(*holder[(bank_bin, account_number)])


def flush_vendor_changes(session: Session, vendor: Vendor | None = None) -> None:
    """Flush, turning lost races into 409s instead of 500s."""
    # Read before the flush: a failed flush leaves nothing loadable until the rollback.
    # Without autoflush: loading ``vendor.market`` would flush first, outside the ``try``
    # (two checkers approving at once at the desk, where nothing had loaded it, got a 500).
    with session.no_autoflush:
        label = f"vendor {vendor.id}" if vendor is not None and vendor.id else "the vendor"
        stall = (vendor.stall_code, vendor.market.code) if vendor is not None else None
    try:
        session.flush()
    except StaleDataError:
        raise Conflict(f"{label} was changed by someone else at the same time; reload it and "
                       "try again") from None
    except IntegrityError as error:
        if stall is not None and "stall_code" in str(error.orig):
            raise DuplicateStall(*stall) from None
        if "account" in str(error.orig):  # uq_vendors_bank_account_live: a lost race
            problem = ("this bank account was just registered for another live vendor; "
                       "one account can pay one live vendor only")
            conflict = Conflict(f"account_number: {problem}")
            conflict.errors = {"account_number": [problem]}  # type: ignore[attr-defined]
            raise conflict from None
        raise Conflict("the change conflicts with another vendor: reload and try again") from None


def _new_vendor(market: Market, values: Mapping[str, Any], actor: Actor, status: str,
                at: datetime) -> Vendor:
    return Vendor(
        market=market,
        **{name: values.get(name) for name in VENDOR_INPUT_FIELDS},
        status=status,
        made_by_id=actor_id(actor),
        submitted_at=at if status == "submitted" else None,
        created_at=at,
        updated_at=at,
    )


def register_vendor(session: Session, market: Market, data: Mapping[str, Any], actor: Actor,
                    *, status: str = "draft") -> Vendor:
    """Register one vendor in ``market`` (as ``draft`` unless told ``submitted``)."""
    values, errors = clean_vendor_fields(data, BankDirectory.load(session))
    if errors:
        raise InvalidInput(errors)
    holder = live_stalls(session, market).get(values["stall_code"])
    if holder is not None:
        raise DuplicateStall(values["stall_code"], market.code, holder)
    check_account_free(session, values.get("bank_bin"), values.get("account_number"))
    vendor = register_vendors(session, market, [values], actor, status=status, checked=True)[0]
    return vendor


def check_vendor_rows(
    session: Session,
    market: Market,
    rows: Sequence[tuple[int, Mapping[str, Any]]],
    banks: BankDirectory | None = None,
) -> tuple[list[dict[str, Any]], list[RowProblem]]:
    """Validate numbered rows as one batch: field rules, stall codes unique in the batch
    and among the market's live vendors. Returns the clean rows and every problem."""
    banks = banks or BankDirectory.load(session)
    taken = live_stalls(session, market)
    first_row: dict[str, int] = {}
    first_account: dict[Account, int] = {}
    cleaned: list[dict[str, Any]] = []
    problems: list[RowProblem] = []
    for number, data in rows:
        values, errors = clean_vendor_fields(data, banks)
        for name, messages in errors.items():
            problems.extend(RowProblem(number, name, m) for m in messages)
        stall = values.get("stall_code")
        if stall:
            if stall in first_row:
                problems.append(RowProblem(number, "stall_code",
                                           f"{stall} is also on row {first_row[stall]}"))
            else:
                first_row[stall] = number
            if stall in taken:
                problems.append(RowProblem(
                    number, "stall_code",
                    f"{stall} is already registered in market {market.code} "
                    f"(vendor {taken[stall]})"))
        account = (values.get("bank_bin"), values.get("account_number"))
        if account[0] and account[1]:
            if account in first_account:
                problems.append(RowProblem(number, "account_number",
                                           f"the same bank account is on row "
                                           f"{first_account[account]}"))
            else:
                first_account[account] = number  # type: ignore[index]
        cleaned.append(values)
    held = account_holders(session, first_account)
    for account, number in first_account.items():
        if account in held:
            problems.append(RowProblem(number, "account_number",
                                       account_taken_message(*held[account])))
    problems.sort(key=lambda p: p.row)
    return cleaned, problems


def build_vendors(
    session: Session,
    market: Market,
    rows: Iterable[Mapping[str, Any]],
    actor: Actor,
    *,
    status: str = "submitted",
    at: datetime | Sequence[datetime] | None = None,
    checked: bool = False,
) -> list[Vendor]:
    """New vendors for ``rows``, not yet added to the session; all valid or InvalidInput.

    Unless ``checked`` (rows already through ``check_vendor_rows``), the rows are checked
    first and any problem raises InvalidInput listing ``{row, field, message}`` with rows
    numbered from 1. ``at`` may give each vendor its own creation time.
    """
    if status not in NEW_STATUSES:
        raise InvalidInput.field("status", "a new vendor is draft or submitted")
    rows = list(rows)
    if not checked:
        rows, problems = check_vendor_rows(session, market, list(enumerate(rows, start=1)))
        if problems:
            raise InvalidInput([asdict(p) for p in problems],
                               message=f"{len(problems)} problem(s); nothing was stored")
    times = at if isinstance(at, Sequence) else [at or utcnow()] * len(rows)
    return [_new_vendor(market, values, actor, status, when)
            for values, when in zip(rows, times, strict=True)]


def register_vendors(
    session: Session,
    market: Market,
    rows: Iterable[Mapping[str, Any]],
    actor: Actor,
    *,
    status: str = "submitted",
    action: str = "create",
    at: datetime | Sequence[datetime] | None = None,
    checked: bool = False,
) -> list[Vendor]:
    """Register many vendors at once, all or none, each with its audit entry."""
    vendors = build_vendors(session, market, rows, actor, status=status, at=at, checked=checked)
    session.add_all(vendors)
    flush_vendor_changes(session, vendors[0] if len(vendors) == 1 else None)
    record_changes(session, actor, (
        Change(action, "vendor", vendor.id, market.id, None, snapshot(vendor), vendor.created_at)
        for vendor in vendors))
    record_many(session, (
        (vendor.id, event) for vendor in vendors for event in column_events(vendor, actor)))
    log.info("registered %d vendor(s) in %s as %s", len(vendors), market.code, status)
    return vendors


def check_version(vendor: Vendor, expected: int | None) -> None:
    """Optimistic check for clients that send the ``version`` they last read."""
    if expected is not None and expected != vendor.version:
        raise Conflict(f"vendor {vendor.id} has changed since you read it (version "
                       f"{vendor.version}, you sent {expected}); reload it and try again")


def update_vendor(session: Session, vendor: Vendor, data: Mapping[str, Any], actor: Actor,
                  *, expected_version: int | None = None) -> Vendor:
    """Change the given fields; the editor becomes the maker.

    A changed bank field on an approved vendor sends it back to ``submitted`` and clears
    ``qr_issued_at``: the printed QR pays into the old account and must not be used.
    """
    check_version(vendor, expected_version)
    if vendor.status in LOCKED_STATUSES:
        raise Conflict(f"vendor {vendor.id} is {vendor.status} and can no longer be edited; "
                       "register the stall again instead")
    unknown = sorted(set(data) - set(VENDOR_INPUT_FIELDS))
    if unknown:
        raise InvalidInput({name: ["cannot be changed here"] for name in unknown})
    current = {name: getattr(vendor, name) for name in VENDOR_INPUT_FIELDS}
    values, errors = clean_vendor_fields(data, BankDirectory.load(session), current=current)
    if errors:
        raise InvalidInput(errors)
    changed = {k: v for k, v in values.items() if current[k] != v}
    if not changed:
        return vendor
    if "stall_code" in changed:
        holder = live_stalls(session, vendor.market).get(changed["stall_code"])
        if holder is not None and holder != vendor.id:
            raise DuplicateStall(changed["stall_code"], vendor.market.code, holder)
    if any(name in changed for name in BANK_FIELDS):
        check_account_free(session, values.get("bank_bin", current["bank_bin"]),
                           values.get("account_number", current["account_number"]),
                           except_id=vendor.id)
    sent_back = vendor.status == "approved" and any(name in changed for name in BANK_FIELDS)
    if sent_back:
        ensure_history(session, vendor)
    had_qr = vendor.qr_issued_at is not None
    before = snapshot(vendor)
    now = utcnow()
    for name, value in changed.items():
        setattr(vendor, name, value)
    vendor.made_by_id = actor_id(actor)
    if sent_back:
        vendor.status = "submitted"
        vendor.submitted_at = now
        vendor.approved_at = None
        vendor.checked_by_id = None
        vendor.qr_issued_at = None
        vendor.reason = ACCOUNT_CHANGED
    vendor.updated_at = now
    old, new = diff(before, snapshot(vendor))
    record_change(session, actor=actor, action="update", entity="vendor", entity_id=vendor.id,
                  market_id=vendor.market_id, old=old, new=new, at=now)
    if sent_back:  # back to the checker; the old account's QR is withdrawn from now
        record_events(session, vendor.id, move_events("submit", had_qr, vendor, now, actor))
    flush_vendor_changes(session, vendor)
    return vendor
