"""Bulk registration from a board's CSV or XLSX file: every row or none.

Each row goes through the same rules as ``POST /markets/{code}/vendors``; stall codes
must be unique within the file and among the market's live vendors. Imported vendors
are ``submitted`` with the importer as their maker: someone else approves them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

from sqlalchemy.orm import Session

from market40.errors import InvalidInput
from market40.models import Market, User, Vendor
from market40.registry import idempotency
from market40.registry.audit import Actor
from market40.registry.spreadsheets import MAX_REPORTED_PROBLEMS, read_rows
from market40.registry.validation import BankDirectory
from market40.registry.vendors import check_vendor_rows, register_vendors


def import_vendors(session: Session, market: Market, content: bytes, actor: Actor) -> list[Vendor]:
    """Register every row of the file as a submitted vendor, or raise InvalidInput listing
    each problem as ``{row, field, message}`` (row 1 is the header) and store nothing."""
    rows, problems = read_rows(content)
    cleaned, row_problems = check_vendor_rows(session, market, rows, BankDirectory.load(session))
    # A column missing from the header is reported once, not again on every row.
    header_fields = {p.field for p in problems if p.row == 1}
    row_problems = [p for p in row_problems if p.field not in header_fields]
    problems = sorted([*problems, *row_problems], key=lambda p: p.row)
    if problems:
        bad_rows = len({p.row for p in problems})
        shown = problems[:MAX_REPORTED_PROBLEMS]
        listed = f"; the first {len(shown)} are listed" if len(shown) < len(problems) else ""
        raise InvalidInput(
            [asdict(p) for p in shown],
            message=f"{len(problems)} problem(s) on {bad_rows} row(s){listed}; nothing was "
                    "imported",
        )
    if not cleaned:
        raise InvalidInput({"file": ["has a header but no vendor rows"]},
                           message="file: has a header but no vendor rows")
    return register_vendors(session, market, cleaned, actor, status="submitted",
                            action="import", checked=True)


@dataclass(frozen=True)
class ImportAnswer:
    """The answer to an import: its status, its body as first rendered, and whether it
    was replayed from an earlier request with the same ``Idempotency-Key``."""

    status: int
    body: str
    replayed: bool


def import_vendors_once(
    session: Session,
    market: Market,
    actor: User,
    content: bytes,
    key: str | None,
    render: Callable[[list[Vendor] | InvalidInput], str],
) -> ImportAnswer:
    """Import ``content`` at most once per ``key`` (per market and user).

    Without a key this is :func:`import_vendors` (InvalidInput raised). With one, the key
    is claimed first, the import runs in a savepoint, and its first answer (201, or 422
    with every problem) is stored, as ``render`` writes it, and replayed on retries with
    the same file; the same key with another file is a Conflict. The caller commits.
    """
    record = None
    if key is not None:
        scope = f"vendors.import:{market.id}:{actor.id}"
        claimed = idempotency.claim(session, scope, idempotency.check_key(key),
                                    idempotency.fingerprint(content))
        if isinstance(claimed, idempotency.StoredAnswer):
            return ImportAnswer(claimed.status, claimed.body, True)
        record = claimed
    outcome: list[Vendor] | InvalidInput
    try:
        with session.begin_nested():
            outcome = import_vendors(session, market, content, actor)
        status = 201
    except InvalidInput as error:
        if record is None:
            raise
        outcome, status = error, error.status
    body = render(outcome)
    if record is not None:
        idempotency.complete(session, record, status, body)
    return ImportAnswer(status, body, False)
