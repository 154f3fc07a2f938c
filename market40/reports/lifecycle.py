"""When a vendor counts as registered and as "with QR", in SQL and in Python.

The vendor row keeps its current status and the time of each transition, not a
full history, so a past date D is read as follows (``end`` is the UTC instant at
which local day D ends):

- **ended at D**: the vendor is now ``rejected`` and was rejected before ``end``,
  or now ``closed`` and was closed before ``end`` (a missing time counts as
  "always"). A vendor rejected or closed after D still counts at D.
- **registered at D**: created before ``end`` and not ended at D.
- **with QR at D**: has a bank account, its QR was issued (and it was approved)
  before ``end``, its status is one that follows approval (``approved``, or
  ``closed``/``rejected`` later), and it has not ended at D. A vendor now back in
  draft/submitted/reverted is not counted for any date: its QR is not in force.

``registered_sql``/``with_qr_sql`` are what the reports run;
``VendorSpan`` is the same rule as local-day intervals, for day-by-day series.
Tests hold the two to the same answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from market40.localtime import local_day_sql
from market40.models import Vendor

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


def with_qr_sql(end: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(
        Vendor.status.in_(AFTER_APPROVAL),
        has_account_sql(),
        Vendor.qr_issued_at.is_not(None),
        Vendor.qr_issued_at < end,
        sa.or_(Vendor.approved_at.is_(None), Vendor.approved_at < end),
        sa.not_(ended_sql(end)),
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
    )


@dataclass(frozen=True, slots=True)
class VendorSpan:
    """Local days on which a vendor is registered / has a QR: ``[start, until)``.

    ``until`` None means "still"; a ``*_start`` of None means "never".
    """

    vendor_id: int
    registered_start: date | None
    qr_start: date | None
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
    ) -> VendorSpan:
        """From a row of ``span_columns``: the status, then the local day of each event."""
        until: date | None = None
        if status in ("rejected", "closed"):
            until = rejected_on if status == "rejected" else closed_on
            if until is None:  # ended at an unknown time: never counted
                return cls(vendor_id, None, None, None)
        qr_start = None
        if status in AFTER_APPROVAL and bank_bin and account_number and qr_issued_on:
            qr_start = qr_issued_on
            if approved_on is not None:
                qr_start = max(qr_start, approved_on)
        return cls(vendor_id, created_on, qr_start, until)

    def _within(self, start: date | None, day: date) -> bool:
        return start is not None and start <= day and (self.until is None or day < self.until)

    def registered_on(self, day: date) -> bool:
        return self._within(self.registered_start, day)

    def with_qr_on(self, day: date) -> bool:
        return self._within(self.qr_start, day)
