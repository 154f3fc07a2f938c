"""Bulk registration from a board's CSV or XLSX file: every row or none.

Each row goes through the same rules as ``POST /markets/{code}/vendors``; stall codes
must be unique within the file and among the market's live vendors. Imported vendors
are ``submitted`` with the importer as their maker: someone else approves them.
"""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy.orm import Session

from market40.errors import InvalidInput
from market40.models import Market, Vendor
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
