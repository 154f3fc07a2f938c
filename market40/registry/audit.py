"""The registry's audit log: ``record_change`` is called by every registry write.

The entry is added to the same session as the change, so it is committed (or
rolled back) with it: there is never a change without its entry, nor an entry
for a change that did not happen.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from market40.models import AuditEntry, Market, User, Vendor, utcnow

log = logging.getLogger(__name__)

# Who made a change: a user, or a system actor such as "seed" or "cli".
Actor = User | str

# What the log keeps of a vendor and a market (everything a user can change or the workflow sets).
VENDOR_AUDIT_FIELDS = (
    "stall_code", "display_name", "owner_name", "phone", "national_id", "goods_category",
    "bank_bin", "account_number", "account_holder", "status", "reason", "made_by_id",
    "checked_by_id", "submitted_at", "approved_at", "rejected_at", "qr_issued_at",
)
MARKET_AUDIT_FIELDS = (
    "code", "name", "commune_code", "former_commune_code", "district_code", "grade", "address",
    "board_name",
    "status", "launched_on",
)
# Shown only to readers who may see a vendor's personal data.
PERSONAL_FIELDS = frozenset({"phone", "national_id"})


def actor_name(actor: Actor) -> str:
    return actor.name if isinstance(actor, User) else actor


def actor_id(actor: Actor) -> int | None:
    return actor.id if isinstance(actor, User) else None


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def snapshot(obj: Vendor | Market, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The audited fields of ``obj`` as JSON-ready values."""
    if fields is None:
        fields = VENDOR_AUDIT_FIELDS if isinstance(obj, Vendor) else MARKET_AUDIT_FIELDS
    return {name: _json_value(getattr(obj, name)) for name in fields}


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[dict, dict]:
    """The fields whose value changed, as (old, new) dicts with the same keys."""
    changed = [k for k in after if before.get(k) != after[k]]
    return {k: before.get(k) for k in changed}, {k: after[k] for k in changed}


@dataclass(frozen=True)
class Change:
    """One audited change, for ``record_changes``."""

    action: str
    entity: str
    entity_id: int | str
    market_id: int | None
    old: Mapping[str, Any] | None
    new: Mapping[str, Any] | None
    at: datetime | None = None


def _entry_values(actor: Actor, change: Change) -> dict[str, Any]:
    return {
        "at": change.at or utcnow(),
        "user_id": actor_id(actor),
        "actor": actor_name(actor),
        "action": change.action,
        "entity": change.entity,
        "entity_id": str(change.entity_id),
        "market_id": change.market_id,
        "old": {k: _json_value(v) for k, v in change.old.items()} if change.old is not None
        else None,
        "new": {k: _json_value(v) for k, v in change.new.items()} if change.new is not None
        else None,
    }


def record_change(
    session: Session,
    *,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: int | str,
    market_id: int | None,
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any] | None,
    at: datetime | None = None,
) -> AuditEntry:
    """Add one audit entry to ``session`` (the caller's transaction); flushed with the change."""
    change = Change(action, entity, entity_id, market_id, old, new, at)
    entry = AuditEntry(**_entry_values(actor, change))
    session.add(entry)
    log.info("audit %s %s %s by %s", action, entity, entity_id, entry.actor)
    return entry


def record_changes(session: Session, actor: Actor, changes: Iterable[Change]) -> int:
    """Write many audit entries in one executemany (imports, the demo seed), in the
    caller's transaction; returns how many."""
    rows = [_entry_values(actor, change) for change in changes]
    if rows:
        session.execute(sa.insert(AuditEntry), rows)
        log.info("audit %d changes by %s", len(rows), actor_name(actor))
    return len(rows)


def redact_personal(values: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """``values`` with phone and national ID masked, for readers without that right."""
    if values is None:
        return None
    return {k: ("(hidden)" if k in PERSONAL_FIELDS and v is not None else v)
            for k, v in values.items()}
