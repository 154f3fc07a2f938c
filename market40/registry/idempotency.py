"""Idempotency keys: the first answer to a request is stored and replayed on its retries.

The key is claimed (inserted) before the work starts, in the work's own transaction:
a concurrent request with the same key blocks on the primary key until the first one
commits, then finds its stored answer. The same key with a different request is a 409.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from market40.errors import Conflict, InvalidInput
from market40.models import IdempotencyRecord

KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,200}$")
HEADER = "Idempotency-Key"


@dataclass(frozen=True)
class StoredAnswer:
    status: int
    body: str


def fingerprint(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def check_key(key: str) -> str:
    key = key.strip()
    if not KEY_PATTERN.match(key):
        raise InvalidInput.field(HEADER, "must be 1-200 visible ASCII characters (e.g. a UUID)")
    return key


def _stored(record: IdempotencyRecord, request_sha256: str) -> StoredAnswer:
    if record.request_sha256 != request_sha256:
        raise Conflict(f"{HEADER} {record.key!r} was already used for a different request; "
                       "use a new key for a new file")
    return StoredAnswer(record.status_code, record.response)


def claim(session: Session, scope: str, key: str,
          request_sha256: str) -> IdempotencyRecord | StoredAnswer:
    """Claim ``key`` for this request, or return the answer stored under it."""
    existing = session.get(IdempotencyRecord, (scope, key))
    if existing is not None:
        return _stored(existing, request_sha256)
    record = IdempotencyRecord(scope=scope, key=key, request_sha256=request_sha256,
                               status_code=0, response="")
    try:
        with session.begin_nested():
            session.add(record)
    except IntegrityError:
        # Another request with this key committed first, while we waited on its row.
        winner = session.get(IdempotencyRecord, (scope, key), populate_existing=True)
        if winner is None:  # pragma: no cover - it was just there
            raise Conflict(f"{HEADER} {key!r} is in use; retry shortly") from None
        return _stored(winner, request_sha256)
    return record


def complete(session: Session, record: IdempotencyRecord, status: int, body: str) -> None:
    record.status_code = status
    record.response = body
    session.flush()
