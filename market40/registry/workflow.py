"""Maker-checker: the moves of a vendor between draft, submitted, approved, rejected, reverted.

    draft ──submit──> submitted ──approve──> approved ──revert──> reverted
    reverted ──submit──┘    ├──reject──> rejected (final: the stall code is freed)
                            └──revert──> reverted (back to the maker, with a reason)

Every maker of the pending state (each user who created, edited or submitted the vendor
since its last approval: ``makers.maker_ids``) can neither approve nor reject it; the
approval's audit entry names all the makers and the checker.
Approval issues the QR code (``qr_issued_at``) when the vendor has a bank account;
leaving ``approved`` withdraws it. Each move also writes the vendor's status history
(``registry.history``) in the same transaction. Two checkers approving at once: the vendor's
version column lets exactly one of them win, the other gets a 409.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from market40.auth import can
from market40.db import begin_writing
from market40.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from market40.models import User, Vendor, utcnow
from market40.registry.audit import (
    Actor,
    actor_id,
    actor_name,
    diff,
    record_change,
    snapshot,
)
from market40.registry.history import ensure_history, move_events, record_events
from market40.registry.makers import maker_ids, maker_names
from market40.registry.vendors import check_version, flush_vendor_changes, get_vendor

log = logging.getLogger(__name__)

# action -> (statuses it may start from, status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (frozenset({"draft", "reverted"}), "submitted"),
    "approve": (frozenset({"submitted"}), "approved"),
    "reject": (frozenset({"submitted"}), "rejected"),
    "revert": (frozenset({"submitted", "approved"}), "reverted"),
}
CHECKER_ACTIONS = frozenset({"approve", "reject"})
REASON_ACTIONS = frozenset({"reject", "revert"})
MAX_REASON = 500
MAX_BULK = 500


def _clean_reason(action: str, reason: str | None) -> str | None:
    if action not in REASON_ACTIONS:
        return None
    text = " ".join((reason or "").split())
    if not text:
        raise InvalidInput.field("reason", f"is required to {action} a vendor")
    if len(text) > MAX_REASON:
        raise InvalidInput.field("reason", f"must be at most {MAX_REASON} characters")
    return text


def apply_transition(
    vendor: Vendor,
    action: str,
    actor: Actor,
    *,
    reason: str | None = None,
    at: datetime | None = None,
    expected_version: int | None = None,
    makers: set[int] | None = None,
) -> tuple[dict, dict]:
    """Check and make the move on ``vendor`` in memory; return the (old, new) audit values.

    ``makers``: ids of the users who made the pending state (``makers.maker_ids``); when
    not given, only the recorded ``made_by`` is known.
    """
    sources, target = TRANSITIONS[action]
    reason = _clean_reason(action, reason)
    check_version(vendor, expected_version)
    if vendor.status not in sources:
        allowed = ", ".join(sorted(sources))
        raise Conflict(f"vendor {vendor.id} is {vendor.status}: only a vendor that is {allowed} "
                       f"can be {'submitted' if action == 'submit' else action + 'ed'}")
    if makers is None:
        makers = {vendor.made_by_id} - {None}  # type: ignore[assignment]
    if action in CHECKER_ACTIONS and isinstance(actor, User) and actor.id in makers:
        raise Conflict(f"you made or last edited vendor {vendor.id} since its last approval, "
                       f"so another user must {action} it (maker-checker: no maker of a "
                       "change may check it)")
    now = at or utcnow()
    before = snapshot(vendor)
    vendor.status = target
    if action == "submit":
        vendor.submitted_at = now
    else:
        vendor.checked_by_id = actor_id(actor)
        vendor.reason = reason
    if action == "approve":
        vendor.approved_at = now
        vendor.qr_issued_at = now if vendor.has_bank_account else None
    else:
        vendor.approved_at = None
        vendor.qr_issued_at = None
    if action == "reject":
        vendor.rejected_at = now
    vendor.updated_at = now
    return diff(before, snapshot(vendor))


def transition(
    session: Session,
    vendor: Vendor,
    action: str,
    actor: Actor,
    *,
    reason: str | None = None,
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Vendor:
    """Move ``vendor`` by ``action`` and audit it; Conflict when the move is not allowed."""
    now = at or utcnow()
    # Read before the move: a query after it would autoflush the change outside
    # flush_vendor_changes (a lost race would then be a 500, not a 409).
    makers = maker_ids(session, vendor) if action in CHECKER_ACTIONS else None
    names = maker_names(session, makers) if makers is not None else None
    ensure_history(session, vendor)
    had_qr = vendor.qr_issued_at is not None
    old, new = apply_transition(vendor, action, actor, reason=reason, at=now,
                                expected_version=expected_version, makers=makers)
    if names is not None:
        # The audit log shows, for every checked state, all its makers and its checker.
        new = {**new, "makers": names, "checker": actor_name(actor)}
    record_change(session, actor=actor, action=action, entity="vendor", entity_id=vendor.id,
                  market_id=vendor.market_id, old=old, new=new, at=now)
    # The status history in the same transaction: past figures read it (registry.history).
    record_events(session, vendor.id, move_events(action, had_qr, vendor, now, actor))
    flush_vendor_changes(session, vendor)
    log.info("vendor %s %s -> %s by %s", vendor.id, action, vendor.status, actor_name(actor))
    return vendor






@dataclass(frozen=True)
class BulkOutcome:
    """What happened to one id of a bulk approval."""

    id: int
    outcome: str  # "approved" or "failed"
    code: int  # the HTTP status this id alone would have got
    message: str | None = None
    status: str | None = None  # the vendor's status afterwards, when it exists


def bulk_approve(session: Session, ids: Iterable[int], actor: User,
                 versions: Mapping[int, int] | None = None) -> list[BulkOutcome]:
    """Approve each id on its own (a savepoint each): one failure does not undo the others.

    ``versions`` maps an id to the version the checker reviewed (409 when it changed).
    The caller commits the approvals that succeeded; every id gets an outcome, in order.
    """
    versions = versions or {}
    unique = list(dict.fromkeys(ids))
    if not unique:
        raise InvalidInput.field("ids", "give at least one vendor id")
    if len(unique) > MAX_BULK:
        raise InvalidInput.field("ids", f"at most {MAX_BULK} ids per request")
    begin_writing(session)  # SQLite: a concurrent bulk approval waits, then reads ours
    outcomes: list[BulkOutcome] = []
    for vendor_id in unique:
        vendor: Vendor | None = None
        try:
            with session.begin_nested():
                vendor = get_vendor(session, vendor_id)
                if not can(actor, "vendors.approve", vendor=vendor):
                    raise Forbidden(f"vendor {vendor_id} is not in your markets")
                transition(session, vendor, "approve", actor,
                           expected_version=versions.get(vendor_id))
            outcomes.append(BulkOutcome(vendor_id, "approved", 200, status=vendor.status))
        except DomainError as error:
            status = None
            if vendor is not None and not isinstance(error, NotFound | Forbidden):
                session.refresh(vendor)
                status = vendor.status
            outcomes.append(BulkOutcome(vendor_id, "failed", error.status, error.message, status))
    return outcomes
