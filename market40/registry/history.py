"""Writing a vendor's status history (``vendor_status_history``), in the change's transaction.

Rules (README → Security → History):

- Every move of the workflow (``registry.workflow.transition``), every bank change that
  sends an approved vendor back (``registry.vendors.update_vendor``) and the demo seed
  write their events here in the same transaction as the vendor row: the move and its
  history are committed together or not at all.
- A QR is in force from its ``qr_issued`` event until the next ``qr_withdrawn``; figures
  for a past day read these rows (``reports.lifecycle``), never the vendor's current
  ``approved_at``/``qr_issued_at``, which later moves clear.
- Rows are never updated or deleted by the application. Changing the past is a separate,
  audited action (``flask vendors correct-history``): it appends a row marked with its
  reason and writes an audit entry ``correct-history``; nothing else may do it.
- A vendor whose rows were inserted without the workflow (older databases are filled by
  the migration; direct inserts) gets its history from its columns at its first move.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from market40.errors import InvalidInput
from market40.models import Vendor, VendorStatusEvent, utcnow
from market40.models.history import HISTORY_EVENTS, QR_EVENTS
from market40.registry.audit import Actor, actor_id, actor_name, record_change

BACKFILL_ACTOR = "backfill"


def _event(event: str, status: str, at: datetime, actor: Actor) -> dict[str, Any]:
    return {"event": event, "status": status, "at": at, "user_id": actor_id(actor),
            "actor": actor_name(actor)}


def move_events(action: str, had_qr: bool, vendor: Vendor, at: datetime,
                actor: Actor) -> list[dict[str, Any]]:
    """The history rows of one move: ``action`` (when it is a workflow event) and the QR's
    issue or withdrawal it caused; ``had_qr``: whether the vendor had a QR before it."""
    events = []
    if action in HISTORY_EVENTS:
        events.append(_event(action, vendor.status, at, actor))
    has_qr = vendor.qr_issued_at is not None
    if has_qr and not had_qr:
        events.append(_event("qr_issued", vendor.status, vendor.qr_issued_at, actor))
    elif had_qr and not has_qr:
        events.append(_event("qr_withdrawn", vendor.status, at, actor))
    return events


def column_events(vendor: Vendor, actor: Actor = BACKFILL_ACTOR) -> list[dict[str, Any]]:
    """What a vendor's own columns tell of its past (a new row, or no history yet)."""
    events = []
    if vendor.submitted_at is not None and vendor.status != "draft":
        events.append(_event("submit", "submitted", vendor.submitted_at, actor))
    if vendor.approved_at is not None:
        events.append(_event("approve", "approved", vendor.approved_at, actor))
    if vendor.qr_issued_at is not None:
        events.append(_event("qr_issued", "approved", vendor.qr_issued_at, actor))
    if vendor.status == "rejected" and vendor.rejected_at is not None:
        events.append(_event("reject", "rejected", vendor.rejected_at, actor))
    if vendor.status == "reverted" and vendor.updated_at is not None:
        events.append(_event("revert", "reverted", vendor.updated_at, actor))
    return events


def has_history(session: Session, vendor_id: int) -> bool:
    return session.scalar(sa.select(sa.literal(1)).where(
        VendorStatusEvent.vendor_id == vendor_id).limit(1)) is not None


def ensure_history(session: Session, vendor: Vendor) -> None:
    """Before a move: a vendor with no recorded history gets it from its columns first,
    so the move does not erase a past its rows never recorded. Call before changing it."""
    if vendor.id is None or has_history(session, vendor.id):
        return
    record_events(session, vendor.id, column_events(vendor))


def record_events(session: Session, vendor_id: int, events: Iterable[dict[str, Any]]) -> None:
    session.add_all(VendorStatusEvent(vendor_id=vendor_id, **event) for event in events)


def record_many(session: Session, rows: Iterable[tuple[int, dict[str, Any]]]) -> int:
    """One executemany for many vendors' events (the demo seed); returns how many."""
    values = [{"vendor_id": vendor_id, **event} for vendor_id, event in rows]
    if values:
        session.execute(sa.insert(VendorStatusEvent), values)
    return len(values)


def history_of(session: Session, vendor_id: int) -> list[VendorStatusEvent]:
    return list(session.scalars(
        sa.select(VendorStatusEvent).where(VendorStatusEvent.vendor_id == vendor_id)
        .order_by(VendorStatusEvent.at, VendorStatusEvent.id)))


def correct_history(session: Session, vendor: Vendor, event: str, at: datetime,
                    reason: str, actor: Actor) -> VendorStatusEvent:
    """The one way to change a vendor's past: append a QR event at a past time, with its
    reason, and audit it (action ``correct-history``). Only ``qr_issued``/``qr_withdrawn``:
    they are what past figures read. Nothing is deleted; earlier rows stay for the record."""
    if event not in QR_EVENTS:
        raise InvalidInput.field("event", f"must be one of {', '.join(QR_EVENTS)}")
    reason = " ".join((reason or "").split())
    if not reason:
        raise InvalidInput.field("reason", "is required to correct a vendor's history")
    if len(reason) > 500:
        raise InvalidInput.field("reason", "must be at most 500 characters")
    if at.tzinfo is None:
        raise InvalidInput.field("at", "needs a UTC offset")
    now = utcnow()
    if at > now:
        raise InvalidInput.field("at", "must not be in the future")
    ensure_history(session, vendor)
    row = VendorStatusEvent(vendor_id=vendor.id, event=event, status=vendor.status, at=at,
                            user_id=actor_id(actor), actor=actor_name(actor), correction=reason)
    session.add(row)
    record_change(session, actor=actor, action="correct-history", entity="vendor",
                  entity_id=vendor.id, market_id=vendor.market_id, old=None,
                  new={"event": event, "at": at.isoformat(), "reason": reason}, at=now)
    session.flush()
    return row


def backfill_from_columns(connection: sa.Connection, actor: str = BACKFILL_ACTOR) -> int:
    """Vendors inserted without the workflow (bulk loads) and no history yet: write their
    past from their columns; returns how many rows. Safe to run again."""
    recorded = sa.select(VendorStatusEvent.id).where(VendorStatusEvent.vendor_id == Vendor.id)
    rows = connection.execute(
        sa.select(Vendor.id, Vendor.status, Vendor.submitted_at, Vendor.approved_at,
                  Vendor.qr_issued_at, Vendor.rejected_at, Vendor.updated_at)
        .where(~recorded.exists())).all()
    values = [{"vendor_id": row.id, **event}
              for row in rows for event in column_events(row, actor)]  # type: ignore[arg-type]
    if values:
        connection.execute(sa.insert(VendorStatusEvent), values)
    return len(values)
