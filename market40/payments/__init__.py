"""Transaction ingestion: single, batch and bank notifications; idempotent by reference.

Every write path stores a reference at most once (the unique index decides races) and
adds its rollups in the same database transaction.
"""

from market40.payments.batch import MAX_ITEMS, BatchResult, record_batch
from market40.payments.export import csv_chunks
from market40.payments.memo import kind_from_memo
from market40.payments.notifications import (
    BankNotification,
    NotificationOutcome,
    match_account,
    receive_bank_notification,
)
from market40.payments.queries import (
    TransactionFilters,
    export_query,
    transactions_query,
    unmatched_query,
)
from market40.payments.record import (
    Recorded,
    TransactionView,
    record_transaction,
    store_transaction,
)
from market40.payments.rules import TransactionIn, decode_batch, parse_item, rule_errors
from market40.payments.signature import sign, verify

__all__ = [
    "MAX_ITEMS",
    "BankNotification",
    "BatchResult",
    "NotificationOutcome",
    "Recorded",
    "TransactionFilters",
    "TransactionIn",
    "TransactionView",
    "csv_chunks",
    "decode_batch",
    "export_query",
    "kind_from_memo",
    "match_account",
    "parse_item",
    "receive_bank_notification",
    "record_batch",
    "record_transaction",
    "rule_errors",
    "sign",
    "store_transaction",
    "transactions_query",
    "unmatched_query",
    "verify",
]
