"""Who made the pending state of a vendor: every user who changed it since its last approval.

Maker-checker only holds if *every* maker is barred from checking. Looking at the last
editor alone lets a maker launder a change through a colleague's harmless edit (user A
changes the bank account, user B fixes a typo, A approves). The audit log already
records every change in the change's own transaction, so it is the source: the makers
of the pending state are the users of every non-checker entry after the latest
``approve`` (or since creation), plus the recorded ``made_by``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from market40.models import AuditEntry, User, Vendor

# Moves made by a checker: they decide on the state, they do not make it.
CHECKER_MOVES = frozenset({"approve", "reject", "revert"})


def maker_ids(session: Session, vendor: Vendor) -> set[int]:
    """Ids of every user who changed ``vendor`` since its last approval (or creation)."""
    return makers_of(session, [vendor])[vendor.id]


def makers_of(session: Session, vendors: Sequence[Vendor]) -> dict[int, set[int]]:
    """``maker_ids`` of many vendors in one query (the desk's approval queue)."""
    makers: dict[int, set[int]] = {vendor.id: set() for vendor in vendors}
    if not makers:
        return makers
    rows = session.execute(
        sa.select(AuditEntry.entity_id, AuditEntry.action, AuditEntry.user_id)
        .where(AuditEntry.entity == "vendor",
               AuditEntry.entity_id.in_([str(vendor_id) for vendor_id in makers]))
        .order_by(AuditEntry.id)
    )
    for entity_id, action, user_id in rows:
        current = makers[int(entity_id)]
        if action == "approve":
            current.clear()
        elif action not in CHECKER_MOVES and user_id is not None:
            current.add(user_id)
    for vendor in vendors:
        if vendor.made_by_id is not None:
            makers[vendor.id].add(vendor.made_by_id)
    return makers


def maker_names(session: Session, ids: set[int]) -> list[str]:
    """The users' names, sorted, for the audit entry of an approval."""
    if not ids:
        return []
    return sorted(session.scalars(sa.select(User.name).where(User.id.in_(ids))))
