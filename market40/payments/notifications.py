"""Bank credit notifications: match the account to its vendor, record once, log the rest.

A bank or an aggregator (SePay, VietQR.VN, ...) pushes each credit; the signature was
checked by the view (``signature.verify``) before anything here runs. The stored
reference is ``bank:<bank reference>``, so a bank's numbering can never collide with a
client's idempotency keys. Banks retry until they get a 2xx: a replay records nothing
and answers with the stored transaction; a notification that cannot be recorded is
kept (once per reference, counting attempts) for an admin, and answered 422.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from market40 import vietqr
from market40.codes.banks import bank_names
from market40.errors import Conflict, InvalidInput
from market40.models import Market, Transaction, UnmatchedNotification, Vendor, utcnow
from market40.payments.memo import kind_from_memo
from market40.payments.record import Recorded, store_transaction
from market40.payments.rules import (
    BANK_PREFIX,
    TransactionIn,
    amount_problem,
    occurred_at_problem,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BankNotification:
    reference: str
    occurred_at: datetime
    amount: int | None = None
    content: str | None = None
    account_number: str | None = None
    bank_bin: str | None = None
    payload: str | None = None


@dataclass(frozen=True, slots=True)
class NotificationOutcome:
    """Either ``recorded`` (new or replayed) or ``unmatched`` with the ``problem`` to answer."""

    recorded: Recorded | None = None
    unmatched: UnmatchedNotification | None = None
    problem: InvalidInput | None = None


class _Unrecordable(Exception):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field, self.reason = field, reason


def receive_bank_notification(
    session: Session, note: BankNotification, body: dict[str, Any],
    *, now: datetime | None = None,
) -> NotificationOutcome:
    """Record ``note`` for the approved vendor owning the account, or log why not.

    The caller commits in both cases (the log entry is worth keeping) and answers
    ``outcome.problem`` (422) when there is one.

    :raises Conflict: the bank reference is stored with a different amount or time.
    """
    now = now or utcnow()
    reference = BANK_PREFIX + note.reference
    stored = session.scalar(sa.select(Transaction).where(Transaction.reference == reference))
    if stored is not None:
        return NotificationOutcome(recorded=_replay(stored, note))
    try:
        item, market = _transaction_for(session, note, reference, now)
    except _Unrecordable as problem:
        entry = _log_unmatched(session, note.reference, problem.reason, body, now)
        # The reason names the account number: it stays in the admin-only log, not here.
        log.warning("bank notification %s not recorded (%s)", note.reference, problem.field)
        return NotificationOutcome(
            unmatched=entry,
            problem=InvalidInput({problem.field: [problem.reason]},
                                 message=f"Not recorded: {problem.reason.rstrip('.')}."),
        )
    recorded = store_transaction(session, item, market=market, source="bank", payload=body,
                                 content=note.content)
    session.execute(
        sa.update(UnmatchedNotification)
        .where(UnmatchedNotification.reference == note.reference,
               UnmatchedNotification.resolved_at.is_(None))
        .values(resolved_at=now, transaction_id=recorded.transaction.id)
    )
    return NotificationOutcome(recorded=recorded)


def _replay(stored: Transaction, note: BankNotification) -> Recorded:
    changed = [name for name, value in (("amount", note.amount),
                                        ("occurred_at", note.occurred_at))
               if value is not None and getattr(stored, name) != value]
    # The account credited is part of what the bank said: a replay naming another one is
    # not the same notification (the body it was recorded from is kept with the row).
    first = stored.payload if isinstance(stored.payload, dict) else {}
    for name, value in (("account_number", note.account_number), ("bank_bin", note.bank_bin),
                        ("payload", note.payload)):
        before = first.get(name)
        if isinstance(before, str) and name == "account_number":
            before = before.strip() or None
        if value is not None and before is not None and before != value:
            changed.append(name)
    if changed:
        raise Conflict(f"bank reference {note.reference!r} is already stored (transaction "
                       f"{stored.id}) with a different {', '.join(changed)}")
    return Recorded(stored, False)


def _transaction_for(
    session: Session, note: BankNotification, reference: str, now: datetime
) -> tuple[TransactionIn, Market]:
    bank_bin, account, amount, memo = note.bank_bin, note.account_number, note.amount, note.content
    if note.payload is not None:
        try:
            qr = vietqr.decode(note.payload, banks=bank_names() or None)
        except vietqr.VietQRError as error:
            raise _Unrecordable("payload", f"not a valid VietQR payload: {error}") from None
        if bank_bin is not None and bank_bin != qr.bank_bin:
            raise _Unrecordable("bank_bin", f"bank_bin {bank_bin} differs from the payload's "
                                            f"{qr.bank_bin}")
        if account is not None and account != qr.account:
            raise _Unrecordable("account_number", f"account_number {account} differs from "
                                                  f"the payload's {qr.account}")
        bank_bin, account = qr.bank_bin, qr.account
        amount = amount if amount is not None else qr.amount
        memo = memo if memo is not None else qr.purpose
    if amount is None:
        raise _Unrecordable("amount", "no amount: send amount (or a payload with one)")
    if (problem := amount_problem(amount)) is not None:
        raise _Unrecordable("amount", f"amount {amount}: {problem}")
    if (problem := occurred_at_problem(note.occurred_at, now)) is not None:
        raise _Unrecordable("occurred_at", f"occurred_at {note.occurred_at.isoformat()}: "
                                           f"{problem}")
    if not account:
        raise _Unrecordable("account_number", "no account: send account_number or payload")
    vendor = match_account(session, account, bank_bin)
    item = TransactionIn(vendor.id, amount, "qr", kind_from_memo(memo), note.occurred_at,
                         reference)
    return item, vendor.market


def match_account(session: Session, account: str, bank_bin: str | None) -> Vendor:
    """The one approved vendor owning ``account`` (at ``bank_bin`` when given)."""
    statement = (sa.select(Vendor).options(joinedload(Vendor.market))
                 .where(Vendor.account_number == account))
    if bank_bin is not None:
        statement = statement.where(Vendor.bank_bin == bank_bin)
    vendors = list(session.scalars(statement.order_by(Vendor.id)))
    approved = [v for v in vendors if v.status == "approved"]
    where = f"account {account}" + (f" at bank {bank_bin}" if bank_bin else "")
    if len(approved) == 1:
        return approved[0]
    if len(approved) > 1:
        banks = sorted({v.bank_bin or "?" for v in approved})
        if len(banks) > 1:
            raise _Unrecordable("bank_bin", f"{where} is ambiguous: it exists at banks "
                                            f"{', '.join(banks)}; send bank_bin")
        ids = ", ".join(str(v.id) for v in approved)
        raise _Unrecordable("account_number", f"{where} is ambiguous: vendors {ids} share it")
    if vendors:
        states = ", ".join(f"vendor {v.id} is {v.status}" for v in vendors)
        raise _Unrecordable("account_number", f"{where} has no approved vendor ({states})")
    raise _Unrecordable("account_number", f"no vendor has {where}")


def _log_unmatched(
    session: Session, reference: str, reason: str, body: dict[str, Any], now: datetime
) -> UnmatchedNotification:
    for _ in range(2):
        entry = session.scalar(sa.select(UnmatchedNotification)
                               .where(UnmatchedNotification.reference == reference))
        if entry is not None:
            # One UPDATE that adds in the database: 20 concurrent retries count 20, where
            # a read-modify-write in Python lost updates.
            session.execute(
                sa.update(UnmatchedNotification)
                .where(UnmatchedNotification.id == entry.id)
                .values(attempts=UnmatchedNotification.attempts + 1, last_received_at=now,
                        reason=reason[:300], body=body)
                .execution_options(synchronize_session=False))
            session.refresh(entry)
            return entry
        entry = UnmatchedNotification(reference=reference, reason=reason[:300], body=body,
                                      received_at=now, last_received_at=now)
        try:
            with session.begin_nested():
                session.add(entry)
            return entry
        except IntegrityError:  # a retry of the same notification, logged concurrently
            continue
    raise Conflict("The same notification is being logged concurrently; retry.")
