"""Record up to 10,000 transactions in one request: all or nothing.

Every item is checked before anything is written; any problem (a bad field, an unknown
or unapproved vendor, a reference stored or repeated with different content) makes the
whole batch a 422 listing each problem as ``{index, field, message}``. Items whose
reference is already stored with the same content are reported as known, never stored
twice. Rows go in with one executemany, sorted by reference so that concurrent batches
take index locks in the same order, and their rollups in the same transaction
(on PostgreSQL by COPY and set-based rollups: ``payments.bulk.copy_transactions``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from market40.auth import scope_markets
from market40.db import lookup_chunks
from market40.errors import Conflict, Forbidden, InvalidInput
from market40.live.outbox import add_events, add_staged_events, announced
from market40.localtime import local_day
from market40.models import Market, Transaction, User, Vendor, utcnow
from market40.partitions import ensure_for, stored_references
from market40.payments.bulk import (
    CopyText,
    connection_of,
    copy_escape,
    copy_transactions,
    dialect_of,
    insert_transactions,
    timestamp_writer,
)
from market40.payments.rules import TransactionIn, declared_amount_problem, parse_item
from market40.payments.vendors import (
    foreign_key_violation,
    payment_columns,
    payment_problem,
    source_for,
    vendors_moved,
)
from market40.rollups import RollupDeltas, upsert_rollups

log = logging.getLogger(__name__)

MAX_ITEMS = 10_000


@dataclass
class BatchResult:
    received: int
    stored: int = 0
    # Items whose reference was already stored with the same content: (index, reference, id)
    known: list[dict[str, Any]] = field(default_factory=list)
    # Items repeating an earlier item of the same batch, content identical: stored once.
    repeated: int = 0


class _Errors:
    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, index: int, name: str, message: str) -> None:
        self.items.append({"index": index, "field": name, "message": message})

    def raise_if_any(self) -> None:
        if self.items:
            self.items.sort(key=lambda e: (e["index"], e["field"]))
            count = len({e["index"] for e in self.items})
            raise InvalidInput(self.items, message=f"{count} item(s) are not valid; "
                                                   "nothing was stored.")


def record_batch(
    session: Session, actor: User, raw_items: Sequence[Any], *, now: datetime | None = None
) -> BatchResult:
    """Check every item, then store the new ones; see the module docstring.

    ``raw_items``: the items as parsed JSON, or as :class:`TransactionIn` already checked
    against the rules (``rules.decode_batch``).

    :raises Forbidden: one of the vendors is outside the actor's scope (the role: the access table).
    :raises InvalidInput: any item is not acceptable (nothing is stored).
    """
    if not 1 <= len(raw_items) <= MAX_ITEMS:
        raise InvalidInput.field("transactions", f"Send between 1 and {MAX_ITEMS:,} items.")
    now = now or utcnow()
    errors = _Errors()
    items: dict[int, TransactionIn] = {}
    for index, raw in enumerate(raw_items):
        if type(raw) is TransactionIn:  # typed and checked already (rules.decode_batch)
            items[index] = raw
            continue
        item, problems = parse_item(raw, now)
        for name, message in problems.items():
            errors.add(index, name, message)
        if item is not None:
            items[index] = item

    result = BatchResult(received=len(raw_items))
    first_of: dict[str, int] = {}
    repeats = len({item.reference for item in items.values()}) < len(items)
    for index, item in list(items.items()) if repeats else ():
        earlier = first_of.setdefault(item.reference, index)
        if earlier == index:
            continue
        differences = item.same_as(items[earlier])
        if differences:
            errors.add(index, "reference", f"Repeats item {earlier}'s reference with a "
                                           f"different {', '.join(differences)}.")
        else:
            result.repeated += 1
        del items[index]

    source = source_for(actor)
    for index, item in items.items() if source == "declared" else ():
        if (problem := declared_amount_problem(source, item.amount)) is not None:
            errors.add(index, "amount", problem)
    markets = _check_vendors(session, actor, items, errors)
    # Months missing on a partitioned table are made before anything reads transactions.
    ensure_for(connection_of(session), {item.occurred_at for item in items.values()})
    for attempt in (1, 2):
        new = _drop_known(session, items, errors, result)
        errors.raise_if_any()
        try:
            with session.begin_nested():
                result.stored = _insert(session, new, markets, source)
        except IntegrityError as error:
            if foreign_key_violation(error):  # a vendor's market is not what we read
                raise vendors_moved(session, markets) from None
            # A concurrent request stored some of these references after we looked:
            # back to the savepoint (the caller's own writes stay) and look again;
            # they are now "known".
            result.known.clear()
            if attempt == 2:
                archived = archived_references(session, [item.reference for item in new])
                message = ("Reference(s) already stored in a month detached to the archive: "
                           + ", ".join(archived[:10]) if archived else
                           "Concurrent writes of the same references; retry the batch.")
                raise Conflict(message) from None
            continue
        break
    log.info("batch of %s: %s stored, %s known, %s repeated", result.received, result.stored,
             len(result.known), result.repeated)
    return result


def archived_references(session: Session, references: Sequence[str]) -> list[str]:
    """Those of ``references`` whose month was detached (``flask partitions detach``)."""
    return sorted(stored_references(connection_of(session), references) or ())


def _check_vendors(
    session: Session, actor: User, items: dict[int, TransactionIn], errors: _Errors
) -> dict[int, int]:
    """Vendor id -> market id for the items' vendors; records each vendor problem."""
    ids = sorted({item.vendor_id for item in items.values()})
    vendors: dict[int, sa.Row[Any]] = {}
    if dialect_of(session) == "postgresql":  # one array parameter, not an IN of thousands
        wanted = sa.bindparam("ids", ids, type_=postgresql.ARRAY(sa.Integer))
        chunks: Iterable[Any] = [payment_columns().where(Vendor.id == sa.any_(wanted))]
    else:
        chunks = (payment_columns().where(Vendor.id.in_(chunk)) for chunk in lookup_chunks(ids))
    for statement in chunks:
        vendors.update((v.id, v) for v in session.execute(statement))
    allowed = scope_markets(actor)
    # Vendors in scope that can receive any payment (approved, with an account): one
    # test each, not one per item
    ready = {vendor.id for vendor in vendors.values()
             if (allowed is None or vendor.market_id in allowed)
             and vendor.status == "approved" and vendor.bank_bin and vendor.account_number}
    for index, item in list(items.items()):
        if item.vendor_id in ready:
            continue
        vendor = vendors.get(item.vendor_id)
        if vendor is None:
            errors.add(index, "vendor_id", f"No vendor has id {item.vendor_id}.")
        elif allowed is not None and vendor.market_id not in allowed:
            code = session.get(Market, vendor.market_id).code
            raise Forbidden(f"Item {index}: vendor {vendor.id} is in market {code}, "
                            "outside your markets; nothing was stored.")
        elif (problem := payment_problem(vendor, item.method, item.occurred_at)) is not None:
            errors.add(index, "vendor_id", problem[0].upper() + problem[1:] + ".")
        else:
            continue
        del items[index]
    return {vendor.id: vendor.market_id for vendor in vendors.values()}


def _drop_known(
    session: Session, items: dict[int, TransactionIn], errors: _Errors, result: BatchResult
) -> list[TransactionIn]:
    """The items whose reference is not stored yet; the others become known or errors."""
    by_reference = {item.reference: index for index, item in items.items()}
    references = sorted(by_reference)
    known = stored_references(connection_of(session), references)
    if known is not None:  # partitioned: only the known ones are looked up in every month
        references = sorted(known & by_reference.keys())
    for chunk in lookup_chunks(references):
        for stored in session.execute(
            sa.select(Transaction.id, Transaction.reference, Transaction.vendor_id,
                      Transaction.amount, Transaction.method, Transaction.kind,
                      Transaction.occurred_at).where(Transaction.reference.in_(chunk))
        ):
            index = by_reference.pop(stored.reference)
            differences = items[index].same_as(stored)
            if differences:
                errors.add(index, "reference", f"Already stored (transaction {stored.id}) "
                                               f"with a different {', '.join(differences)}.")
            else:
                result.known.append(
                    {"index": index, "reference": stored.reference, "id": stored.id})
    result.known.sort(key=lambda k: k["index"])
    return [items[by_reference[reference]] for reference in sorted(by_reference)]


def _insert(session: Session, new: list[TransactionIn], markets: dict[int, int],
            source: str) -> int:
    if not new:
        return 0
    dialect = dialect_of(session)
    if dialect == "postgresql" and current_app.config.get("BULK_STAGED_ROLLUPS", True):
        # COPY text made here in one pass; rollups set-based from the staged rows; the
        # INSERT stages its QR sales, whose events are one INSERT ... SELECT after it
        created_at = utcnow().isoformat()
        text = "".join([
            f"{item.vendor_id}\t{markets[item.vendor_id]}\t"
            f"{item.occurred_at.astimezone(UTC).isoformat()}\t{item.amount}\t{item.method}\t"
            f"{item.kind}\t{source}\t{copy_escape(item.reference)}\t{created_at}\n"
            for item in new])  # sorted by reference
        copy_transactions(session, CopyText(text.encode(), len(new)), ordered=True,
                          stage_qr_sales=True,  # months made by record_batch already
                          markets={markets[item.vendor_id] for item in new})
        sales = [item for item in new if announced(item.method, item.kind)]
        add_staged_events(session, {item.amount for item in sales},
                          {item.vendor_id for item in sales})
        return len(new)
    write_time = timestamp_writer(dialect)
    created_at = write_time(utcnow())
    rows = [(item.vendor_id, markets[item.vendor_id], write_time(item.occurred_at),
             item.amount, item.method, item.kind, source, item.reference, created_at)
            for item in new]  # sorted by reference
    deltas = RollupDeltas()
    for item in new:
        deltas.add(item.vendor_id, markets[item.vendor_id], local_day(item.occurred_at),
                   item.method, item.kind, item.amount)
    insert_transactions(session, rows)
    upsert_rollups(session, deltas.rows())
    moments = [item.occurred_at for item in new]
    add_events(session, [item.reference for item in new], between=(min(moments), max(moments)))
    return len(rows)
