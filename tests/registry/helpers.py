"""Helpers shared by the registry's API and CLI tests (plain functions, not fixtures)."""

from __future__ import annotations

import io
from typing import Any

import sqlalchemy as sa

from market40.models import AuditEntry, Vendor
from tests.factories import auth

_counter = iter(range(1, 1_000_000))


def vendor_payload(**overrides: Any) -> dict[str, Any]:
    n = next(_counter)
    payload: dict[str, Any] = {
        "stall_code": f"A-{n:03d}",
        "display_name": f"Rau sạch cô Lan {n}",
        "owner_name": "Nguyễn Thị Lan",
        "phone": "0912345678",
        "national_id": "019180001234",
        "goods_category": "rau củ quả",
        "bank_bin": "970436",
        "account_number": f"{1_000_000_000 + n}",
        "account_holder": "NGUYEN THI LAN",
    }
    payload.update(overrides)
    return {k: v for k, v in payload.items() if v is not ...}


def post_vendor(client: Any, token: str, market: str = "DAI-TU", **overrides: Any) -> dict:
    response = client.post(f"/api/v1/markets/{market}/vendors", json=vendor_payload(**overrides),
                           headers=auth(token))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def act(client: Any, token: str, vendor_id: int, action: str, **body: Any):
    return client.post(f"/api/v1/vendors/{vendor_id}/{action}", json=body, headers=auth(token))


def submitted_vendor(client: Any, maker_token: str, market: str = "DAI-TU",
                     **overrides: Any) -> dict:
    vendor = post_vendor(client, maker_token, market, **overrides)
    response = act(client, maker_token, vendor["id"], "submit")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def audit_entries(db: Any, **filters: Any) -> list[AuditEntry]:
    statement = sa.select(AuditEntry).filter_by(**filters).order_by(AuditEntry.id)
    return list(db.session.scalars(statement))


def vendor_count(db: Any) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Vendor)) or 0


def csv_file(rows: list[list[Any]], bom: bool = False, delimiter: str = ",") -> bytes:
    text = "\r\n".join(delimiter.join("" if c is None else str(c) for c in row) for row in rows)
    return (("\ufeff" if bom else "") + text + "\r\n").encode("utf-8")


def xlsx_file(rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


HEADER = ["stall_code", "display_name", "owner_name", "phone", "national_id", "goods_category",
          "bank_bin", "account_number", "account_holder"]


def moves_released_together(monkeypatch: Any, parties: int = 2, timeout: float = 10) -> None:
    """Hold each workflow move until ``parties`` requests have loaded the vendor and made
    theirs in memory, so their flushes race (two checkers approving at once); after
    ``timeout`` seconds a move goes on alone (the other may be waiting for its lock)."""
    import threading

    from market40.registry import workflow

    barrier = threading.Barrier(parties, timeout=timeout)
    original = workflow.record_change

    def record_after_all_moved(*args: Any, **kwargs: Any) -> Any:
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            pass
        return original(*args, **kwargs)

    monkeypatch.setattr(workflow, "record_change", record_after_all_moved)
