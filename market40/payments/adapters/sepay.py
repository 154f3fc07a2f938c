"""SePay's bank-credit webhook (https://docs.sepay.vn/tich-hop-webhooks.html), as sent.

SePay posts one JSON object per bank movement::

    {"id": 92704, "gateway": "Vietcombank", "transactionDate": "2023-03-25 14:02:37",
     "accountNumber": "0123499999", "subAccount": null, "code": null,
     "content": "chuyen tien mua rau", "transferType": "in", "transferAmount": 25000,
     "accumulated": 19077000, "referenceCode": "MBVCB.3278907687", "description": ""}

with ``Authorization: Apikey <key>``; it retries any non-2xx answer (up to 7 times)
and stops on ``{"success": true}``. Mapping: ``id`` is the deduplication key (stored
reference ``bank:sepay-<id>``), ``transactionDate`` is local time (Asia/Ho_Chi_Minh),
``gateway`` is a bank's short name (mapped to its BIN when our bank list knows it),
``accountNumber`` (or the virtual ``subAccount`` a vendor was given) picks the vendor,
``content`` is the memo (sale or fee, as for every credit). ``transferType: "out"``
is money leaving the account: acknowledged, never recorded.
"""

from __future__ import annotations

import hmac
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from market40.codes.banks import bank_names
from market40.errors import Conflict, Unauthorized, Unavailable
from market40.localtime import LOCAL_TZ
from market40.models import Vendor
from market40.payments.notifications import BankNotification, receive_bank_notification

log = logging.getLogger(__name__)

SCHEME = "apikey"
REFERENCE_PREFIX = "sepay-"
_NON_ALNUM = re.compile(r"[^a-z0-9]")


@dataclass(frozen=True, slots=True)
class SepayWebhook:
    id: int
    gateway: str
    transaction_date: datetime  # naive local time, as SePay sends it
    account_number: str
    transfer_type: str  # "in" | "out"
    transfer_amount: int
    sub_account: str | None = None
    code: str | None = None
    content: str | None = None
    reference_code: str | None = None


def check_api_key(header: str | None, key: str | None) -> None:
    """Return if ``header`` is ``Apikey <key>``.

    :raises Unavailable: no key is configured (the endpoint is switched off).
    :raises Unauthorized: the header is missing or carries another key.
    """
    if not key:
        raise Unavailable("SePay notifications are not configured on this server "
                          "(MARKET40_SEPAY_API_KEY is not set).")
    scheme, _, received = (header or "").strip().partition(" ")
    if scheme.lower() != SCHEME or not received.strip():
        raise Unauthorized("Authorization must be 'Apikey <key>' (the key set in SePay).")
    if not hmac.compare_digest(received.strip().encode(), key.encode()):
        raise Unauthorized("The SePay API key is not the one configured.")


def bank_bin_for(gateway: str, banks: dict[str, str]) -> str | None:
    """The BIN whose short name is ``gateway`` (case, spaces and dashes ignored)."""
    wanted = _NON_ALNUM.sub("", gateway.lower())
    for bank_bin, name in banks.items():
        if _NON_ALNUM.sub("", name.lower()) == wanted:
            return bank_bin
    return None


def to_notification(webhook: SepayWebhook, banks: dict[str, str], *,
                    account: str | None = None) -> BankNotification:
    """The credit as a bank notification; ``account`` overrides the account to match."""
    return BankNotification(
        reference=f"{REFERENCE_PREFIX}{webhook.id}",
        occurred_at=webhook.transaction_date.replace(tzinfo=LOCAL_TZ),
        amount=webhook.transfer_amount,
        content=webhook.content,
        account_number=account or webhook.account_number,
        bank_bin=bank_bin_for(webhook.gateway, banks),
    )


@dataclass(frozen=True, slots=True)
class SepayOutcome:
    status: str  # recorded | replayed | ignored | unmatched | conflict
    transaction_id: int | None = None
    message: str | None = None
    success: bool = True  # what SePay needs to stop retrying


def receive_sepay(session: Session, webhook: SepayWebhook,
                  body: dict[str, Any]) -> SepayOutcome:
    """Record a SePay credit like a bank notification; the caller commits.

    Every outcome answers ``success``: a retry cannot change an unmatched account or
    money going out, and the unmatched ones are kept for an admin.
    """
    if webhook.transfer_type != "in":
        log.info("SePay %s: money out, not recorded", webhook.id)
        return SepayOutcome("ignored", message="transferType out: not a credit")
    account = webhook.account_number
    if webhook.sub_account and session.scalar(
            sa.select(Vendor.id).where(Vendor.account_number == webhook.sub_account,
                                       Vendor.status == "approved").limit(1)) is not None:
        account = webhook.sub_account  # a virtual account handed to one vendor
    note = to_notification(webhook, bank_names() or {}, account=account)
    try:
        outcome = receive_bank_notification(session, note, body)
    except Conflict as conflict:
        log.warning("SePay %s conflicts with the stored credit", webhook.id)
        return SepayOutcome("conflict", message=conflict.message)
    if outcome.problem is not None:
        return SepayOutcome("unmatched", message=outcome.problem.message)
    recorded = outcome.recorded
    return SepayOutcome("recorded" if recorded.created else "replayed",
                        transaction_id=recorded.transaction.id)
