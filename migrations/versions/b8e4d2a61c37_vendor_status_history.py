"""vendor_status_history: each vendor's submit, approval, rejection, revert, QR issue and
withdrawal with its time and actor; backfilled from the audit log and the vendors' columns.

Past figures read it (``reports.lifecycle``): a revert today no longer changes them.
The backfill takes every vendor's workflow entries from the audit log (their QR issues and
withdrawals from the logged ``qr_issued_at`` values); a vendor with no such entries
(bulk-loaded rows) gets its past from its own columns. Downgrade drops the table.

Revision ID: b8e4d2a61c37
Revises: a7e2c4b9d1f3
Create Date: 2026-12-03 08:20:00

"""
from collections import defaultdict
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b8e4d2a61c37"
down_revision = "a7e2c4b9d1f3"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)
WORKFLOW = ("submit", "approve", "reject", "revert")
BATCH = 5000

vendors = sa.table(
    "vendors", sa.column("id"), sa.column("status"), sa.column("submitted_at", UTC_DATETIME),
    sa.column("approved_at", UTC_DATETIME), sa.column("qr_issued_at", UTC_DATETIME),
    sa.column("rejected_at", UTC_DATETIME), sa.column("updated_at", UTC_DATETIME))
audit = sa.table(
    "audit_entries", sa.column("id"), sa.column("at", UTC_DATETIME), sa.column("user_id"),
    sa.column("actor"), sa.column("action"), sa.column("entity"), sa.column("entity_id"),
    sa.column("old", sa.JSON), sa.column("new", sa.JSON))
history = sa.table(
    "vendor_status_history", sa.column("vendor_id"), sa.column("event"), sa.column("status"),
    sa.column("at", UTC_DATETIME), sa.column("user_id"), sa.column("actor"))


def _utc(value):
    """A stored or logged time as an aware UTC datetime (SQLite keeps none: it is UTC)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _events_from_audit(entries):
    """One vendor's audit entries (in order) -> its history rows."""
    events = []
    for entry in entries:
        old, new = entry.old or {}, entry.new or {}
        status = new.get("status")
        who = {"user_id": entry.user_id, "actor": entry.actor}
        if entry.action in WORKFLOW:
            events.append({"event": entry.action, "status": status or entry.action,
                           "at": _utc(entry.at), **who})
        elif entry.action in ("create", "update") and status in ("submitted", "approved"):
            event = "submit" if status == "submitted" else "approve"
            events.append({"event": event, "status": status, "at": _utc(entry.at), **who})
        if "qr_issued_at" in new:
            if new["qr_issued_at"]:
                events.append({"event": "qr_issued", "status": status or "approved",
                               "at": _utc(new["qr_issued_at"]), **who})
            elif old.get("qr_issued_at"):
                events.append({"event": "qr_withdrawn", "status": status or "submitted",
                               "at": _utc(entry.at), **who})
    return events


def _events_from_columns(row):
    events = []
    who = {"user_id": None, "actor": "backfill"}
    if row.submitted_at is not None and row.status != "draft":
        events.append({"event": "submit", "status": "submitted", "at": _utc(row.submitted_at),
                       **who})
    if row.approved_at is not None:
        events.append({"event": "approve", "status": "approved", "at": _utc(row.approved_at),
                       **who})
    if row.qr_issued_at is not None:
        events.append({"event": "qr_issued", "status": "approved",
                       "at": _utc(row.qr_issued_at), **who})
    if row.status == "rejected" and row.rejected_at is not None:
        events.append({"event": "reject", "status": "rejected", "at": _utc(row.rejected_at),
                       **who})
    if row.status == "reverted" and row.updated_at is not None:
        events.append({"event": "revert", "status": "reverted", "at": _utc(row.updated_at),
                       **who})
    return events


def backfill(connection):
    logged = defaultdict(list)
    for entry in connection.execute(
            sa.select(audit).where(audit.c.entity == "vendor").order_by(audit.c.id)):
        logged[str(entry.entity_id)].append(entry)
    sqlite = connection.dialect.name == "sqlite"
    rows = []
    for vendor in connection.execute(sa.select(vendors).order_by(vendors.c.id)):
        events = _events_from_audit(logged.get(str(vendor.id), ()))
        if not events:
            events = _events_from_columns(vendor)
        else:
            # A QR in force now that the log does not show issued (a row changed without
            # the workflow): its column is the record.
            qr = [e["event"] for e in events if e["event"].startswith("qr_")]
            if vendor.qr_issued_at is not None and (not qr or qr[-1] != "qr_issued"):
                events.append({"event": "qr_issued", "status": vendor.status,
                               "at": _utc(vendor.qr_issued_at), "user_id": None,
                               "actor": "backfill"})
        for event in events:
            if sqlite:
                event["at"] = event["at"].replace(tzinfo=None)
            rows.append({"vendor_id": vendor.id, **event})
        if len(rows) >= BATCH:
            connection.execute(sa.insert(history), rows)
            rows = []
    if rows:
        connection.execute(sa.insert(history), rows)


def upgrade():
    op.create_table(
        "vendor_status_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("at", UTC_DATETIME, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("correction", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_vendor_status_history_user_id_users")),
        sa.ForeignKeyConstraint(["vendor_id"], ["vendors.id"], ondelete="CASCADE",
                                name=op.f("fk_vendor_status_history_vendor_id_vendors")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vendor_status_history")),
    )
    op.create_index("ix_vendor_status_history_vendor", "vendor_status_history",
                    ["vendor_id", "at", "id"])
    backfill(op.get_bind())


def downgrade():
    op.drop_index("ix_vendor_status_history_vendor", table_name="vendor_status_history")
    op.drop_table("vendor_status_history")
