"""Transactions: record one or a batch, list them page by page, or stream them as CSV."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import stream_with_context
from flask.views import MethodView
from flask_smorest import Blueprint

from market40.api.arguments import typed_body
from market40.api.pagination import PAGE_PARAMETERS, SelectPage
from market40.api.schemas.base import TEXT
from market40.api.schemas.transactions import (
    BatchInSchema,
    BatchResultSchema,
    TransactionInSchema,
    TransactionQueryArgsSchema,
    TransactionSchema,
)
from market40.auth import current_user
from market40.downloads import CSV, JSON, download, wants
from market40.extensions import db
from market40.localtime import local_now
from market40.models import utcnow
from market40.payments import (
    MAX_ITEMS,
    BatchResult,
    TransactionFilters,
    TransactionIn,
    csv_chunks,
    decode_batch,
    export_query,
    record_batch,
    record_transaction,
    transactions_query,
)

blp = Blueprint(
    "transactions", __name__, url_prefix="/api/v1/transactions",
    description="Payments received by vendors (sales) and by boards (fees). Boards record "
                "what they are told (source declared); admins and systems post source api.",
)


def _filters(args: dict[str, Any]) -> TransactionFilters:
    return TransactionFilters(**{k: v for k, v in args.items() if k != "format"})


def csv_when_asked(view: Callable[..., Any]) -> Callable[..., Any]:
    """Answer ``format=csv`` / ``Accept: text/csv`` with a streamed export of every
    matching row, before pagination runs (a CSV is the whole selection, not a page)."""

    @functools.wraps(view)
    def wrapper(self: MethodView, args: dict[str, Any]) -> Any:
        if wants(args, (("json", JSON), ("csv", CSV))) != "csv":
            return view(self, args)
        statement = export_query(db.session, current_user(), _filters(args))
        stamp = local_now().strftime("%Y%m%d-%H%M")
        return download(stream_with_context(csv_chunks(db.session, statement)), CSV,
                        f"transactions-{stamp}.csv")

    return wrapper


@blp.route("")
class Transactions(MethodView):
    @blp.arguments(TransactionQueryArgsSchema, location="query")
    @blp.response(200, TransactionSchema(many=True))
    @blp.alt_response(200, schema=TEXT, content_type="text/csv",
                      description="A page of transactions, or every match as CSV")
    @csv_when_asked
    @blp.paginate(SelectPage, **PAGE_PARAMETERS)
    def get(self, args: dict[str, Any]) -> sa.Select:
        """List transactions you may see, newest first; CSV with format=csv or Accept: text/csv.

        The CSV is streamed; for large exports use an export job
        (``POST /api/v1/transactions/exports``): a complete file with its sha256.
        """
        return transactions_query(db.session, current_user(), _filters(args))

    @blp.arguments(TransactionInSchema)
    @blp.response(201, TransactionSchema)
    @blp.alt_response(200, schema=TransactionSchema,
                      description="The reference was already stored with this content")
    @blp.alt_response(409, description="The vendor cannot receive it (not approved, no "
                                       "account for qr), or the reference is stored with "
                                       "other content")
    def post(self, item: TransactionIn) -> tuple[Any, int]:
        """Record one transaction (idempotent by reference)."""
        recorded = record_transaction(db.session, current_user(), item)
        view = recorded.view  # plain values: nothing to reload after the commit
        db.session.commit()
        return view, 201 if recorded.created else 200


def _typed_batch(raw: bytes) -> dict[str, Any] | None:
    items = decode_batch(raw, utcnow(), MAX_ITEMS)
    return None if items is None else {"transactions": items}


@blp.route("/batch")
class TransactionBatch(MethodView):
    @typed_body(_typed_batch)  # the common body in one pass; any other through the schema
    @blp.arguments(BatchInSchema)
    @blp.response(201, BatchResultSchema)
    @blp.alt_response(422, description="Nothing stored: every problem as "
                                       "[{index, field, message}]")
    @blp.alt_response(403, description="An item's vendor is outside your markets")
    def post(self, data: dict[str, Any]) -> BatchResult:
        """Record up to 10,000 transactions, all or nothing; known references are reported."""
        result = record_batch(db.session, current_user(), data["transactions"])
        db.session.commit()
        return result
