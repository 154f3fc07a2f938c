"""When a vendor counts as registered and as "with QR", in SQL and in Python.

A past date D is read as follows (``end`` is the UTC instant at which local day D ends):

- **ended at D**: the vendor is now ``rejected`` and was rejected before ``end``,
  or now ``closed`` and was closed before ``end`` (a missing time counts as
  "always"). A vendor rejected or closed after D still counts at D.
- **registered at D**: created before ``end`` and not ended at D.
- **with QR at D**: its QR was in force at ``end`` by its status history
  (``vendor_status_history``: the last ``qr_issued``/``qr_withdrawn`` event before
  ``end`` is an issue) and it has not ended at D. A revert or bank change today
  withdraws the QR from today on and leaves every earlier day as it was.
  A vendor with no recorded history at all (rows inserted without the workflow and not
  yet backfilled) is read from its columns as before: a bank account, its QR issued and
  approved before ``end``, a status that follows approval (``approved``, or
  ``closed``/``rejected`` later).

``registered_sql``/``with_qr_sql`` are what the reports run;
``VendorSpan`` is the same rule as local-day intervals, for day-by-day series.
Tests hold the two to the same answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from market40.localtime import local_day_sql
from market40.models import Vendor, VendorStatusEvent
from market40.models.history import QR_EVENTS

# Statuses a vendor can be in after an approval; only these can have a QR in force.
AFTER_APPROVAL = ("approved", "closed", "rejected")


def ended_sql(end: datetime) -> sa.ColumnElement[bool]:
    return sa.or_(
        sa.and_(
            Vendor.status == "rejected",
            sa.or_(Vendor.rejected_at.is_(None), Vendor.rejected_at < end),
        ),
        sa.and_(
            Vendor.status == "closed",
            sa.or_(Vendor.closed_at.is_(None), Vendor.closed_at < end),
        ),
    )


def has_account_sql() -> sa.ColumnElement[bool]:
    return sa.and_(
        Vendor.bank_bin.is_not(None),
        Vendor.account_number.is_not(None),
        Vendor.account_number != "",
    )


def registered_sql(end: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(Vendor.created_at < end, sa.not_(ended_sql(end)))


def recorded_sql() -> sa.ColumnElement[bool]:
    """The vendor has a status history (every vendor the workflow or the migration saw)."""
    return sa.select(VendorStatusEvent.id).where(
        VendorStatusEvent.vendor_id == Vendor.id).exists()


def qr_in_force_sql(end: datetime | sa.ColumnElement) -> sa.ColumnElement[bool]:
    """By the history: the vendor's last QR event before ``end`` is an issue."""
    last = (
        sa.select(VendorStatusEvent.event)
        .where(VendorStatusEvent.vendor_id == Vendor.id,
               VendorStatusEvent.event.in_(QR_EVENTS), VendorStatusEvent.at < end)
        .order_by(VendorStatusEvent.at.desc(), VendorStatusEvent.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    # Never NULL (no QR event yet): NOT(with QR) must be true then, not unknown.
    return sa.func.coalesce(last, "none") == "qr_issued"


def withdrawn_between_sql(start: datetime, end: datetime) -> sa.ColumnElement[bool]:
    """A QR of the vendor was withdrawn in ``[start, end)`` (a gap is possible)."""
    return sa.select(VendorStatusEvent.id).where(
        VendorStatusEvent.vendor_id == Vendor.id, VendorStatusEvent.event == "qr_withdrawn",
        VendorStatusEvent.at >= start, VendorStatusEvent.at < end).exists()


def with_qr_sql(end: datetime | sa.ColumnElement) -> sa.ColumnElement[bool]:
    # Cheap column tests first: the database stops at the first false one. A QR event
    # implies a history, so only vendors the column rule counts are probed for one.
    return sa.and_(
        sa.not_(ended_sql(end)),
        sa.or_(
            qr_in_force_sql(end),
            sa.and_(_columns_with_qr_sql(end), sa.not_(recorded_sql())),
        ),
    )


def _columns_with_qr_sql(end: datetime | sa.ColumnElement) -> sa.ColumnElement[bool]:
    """The rule for vendors without history: their current columns (not ended: the caller)."""
    return sa.and_(
        Vendor.status.in_(AFTER_APPROVAL),
        has_account_sql(),
        Vendor.qr_issued_at.is_not(None),
        Vendor.qr_issued_at < end,
        sa.or_(Vendor.approved_at.is_(None), Vendor.approved_at < end),
    )


def span_columns(dialect: str) -> tuple[sa.ColumnElement, ...]:
    """The columns ``VendorSpan.from_row`` takes, in order, with every timestamp turned
    into its local day by the database: no per-row datetime parsing in Python, which was
    most of the cost of a province series."""
    return (
        Vendor.id,
        Vendor.status,
        *(local_day_sql(column, dialect) for column in (
            Vendor.created_at, Vendor.approved_at, Vendor.qr_issued_at, Vendor.rejected_at,
            Vendor.closed_at)),
        Vendor.bank_bin,
        Vendor.account_number,
        recorded_sql(),
    )


def history_columns(dialect: str) -> tuple[sa.ColumnElement, ...]:
    """Each QR event as (vendor id, local day, event), for ``VendorSpan.from_row``."""
    return (VendorStatusEvent.vendor_id, local_day_sql(VendorStatusEvent.at, dialect),
            VendorStatusEvent.event)


def qr_intervals(events: list[tuple[date, str]]) -> tuple[tuple[date, date | None], ...]:
    """A vendor's history (local day, event), in order -> the local days its QR was in
    force at the day's end, as ``[start, stop)`` intervals (``stop`` None: still)."""
    spans: list[tuple[date, date | None]] = []
    opened: date | None = None
    for day, event in events:
        if event == "qr_issued" and opened is None:
            opened = day
        elif event == "qr_withdrawn" and opened is not None:
            if day > opened:
                spans.append((opened, day))
            opened = None
    if opened is not None:
        spans.append((opened, None))
    return tuple(spans)


@dataclass(frozen=True, slots=True)
class VendorSpan:
    """Local days on which a vendor is registered / has a QR: ``[start, until)``.

    ``until`` None means "still"; a ``registered_start`` of None means "never"; ``qr``
    holds the ``[start, stop)`` intervals of its QR in force (several after a revert and
    a new approval), each also ending at ``until``.
    """

    vendor_id: int
    registered_start: date | None
    qr: tuple[tuple[date, date | None], ...]
    until: date | None

    @classmethod
    def from_row(
        cls,
        vendor_id: int,
        status: str,
        created_on: date,
        approved_on: date | None,
        qr_issued_on: date | None,
        rejected_on: date | None,
        closed_on: date | None,
        bank_bin: str | None,
        account_number: str | None,
        recorded: bool = False,
        history: list[tuple[date, str]] | None = None,
    ) -> VendorSpan:
        """From a row of ``span_columns``: the status, then the local day of each event,
        whether it has a status history; ``history``: its QR events (local day, event), in
        order."""
        until: date | None = None
        if status in ("rejected", "closed"):
            until = rejected_on if status == "rejected" else closed_on
            if until is None:  # ended at an unknown time: never counted
                return cls(vendor_id, None, (), None)
        if recorded:
            return cls(vendor_id, created_on, qr_intervals(history or []), until)
        qr: tuple[tuple[date, date | None], ...] = ()
        if status in AFTER_APPROVAL and bank_bin and account_number and qr_issued_on:
            qr_start = qr_issued_on
            if approved_on is not None:
                qr_start = max(qr_start, approved_on)
            qr = ((qr_start, None),)
        return cls(vendor_id, created_on, qr, until)

    def qr_bounds(self) -> list[tuple[date, date]]:
        """The QR intervals cut at ``until``, as ``(start, stop)`` with ``date.max`` for
        "still"; empty ones left out."""
        far = self.until or date.max
        bounds = []
        for start, stop in self.qr:
            stop = min(stop or date.max, far)
            if stop > start:
                bounds.append((start, stop))
        return bounds

    def _within(self, start: date | None, day: date) -> bool:
        return start is not None and start <= day and (self.until is None or day < self.until)

    def registered_on(self, day: date) -> bool:
        return self._within(self.registered_start, day)

    def with_qr_on(self, day: date) -> bool:
        return any(start <= day < stop for start, stop in self.qr_bounds())
