"""CSV export of transactions: streamed, scoped, spreadsheet-safe."""

from __future__ import annotations

import csv
import io
import tracemalloc

import pytest
import sqlalchemy as sa

from market40.csvfile import formula_safe
from market40.models import Transaction
from market40.payments.bulk import insert_transactions, timestamp_writer
from tests.factories import auth
from tests.heavy import scaled
from tests.payments.helpers import local, tx

URL = "/api/v1/transactions"


def read_csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.data[:500]
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_csv_by_format_or_accept_header_in_time_order(client, admin, make_vendor):
    vendor = make_vendor("DAI-TU", display_name="Rau sạch cô Lan")
    for ref, hour in (("c-2", 9), ("c-1", 7)):
        client.post(URL, json=tx(vendor.id, ref, occurred_at=local(2025, 3, 1, hour)),
                    headers=auth(admin))
    # Each streamed response is read before the next request (the test client runs the
    # generator lazily, inside the request's contexts).
    by_format = client.get(f"{URL}?format=csv", headers=auth(admin))
    assert by_format.is_streamed
    assert 'attachment; filename="transactions-' in by_format.headers["Content-Disposition"]
    rows = read_csv(by_format)
    assert rows == read_csv(client.get(URL, headers={**auth(admin), "Accept": "text/csv"}))
    assert [r["reference"] for r in rows] == ["c-1", "c-2"]
    first = rows[0]
    assert first["occurred_at"] == "2025-03-01T07:00:00+07:00"
    assert (first["market"], first["vendor_id"], first["vendor_name"], first["amount_vnd"],
            first["method"], first["kind"], first["source"]) == (
        "DAI-TU", str(vendor.id), "Rau sạch cô Lan", "25000", "cash", "sale", "api")


def test_json_stays_the_default(client, admin, make_vendor):
    response = client.get(URL, headers={**auth(admin), "Accept": "*/*"})
    assert response.mimetype == "application/json"


def test_csv_cells_cannot_run_formulas(client, admin, make_vendor):
    vendor = make_vendor("DAI-TU", display_name="=HYPERLINK(\"http://x\")")
    client.post(URL, json=tx(vendor.id, "-2+3"), headers=auth(admin))
    client.post(URL, json=tx(vendor.id, "@SUM(A1)", occurred_at=local(2025, 3, 1, 9)),
                headers=auth(admin))
    rows = read_csv(client.get(f"{URL}?format=csv", headers=auth(admin)))
    assert [r["reference"] for r in rows] == ["'-2+3", "'@SUM(A1)"]
    assert rows[0]["vendor_name"].startswith("'=HYPERLINK")


@pytest.mark.parametrize(
    ("value", "safe"),
    [("=1+1", "'=1+1"), ("+84", "'+84"), ("-5", "'-5"), ("@x", "'@x"), ("\tx", "'\tx"),
     ("Rau", "Rau"), ("", ""), (25_000, 25_000)],
)
def test_formula_safe(value, safe):
    assert formula_safe(value) == safe


def test_csv_honours_filters_and_scope(client, make_user, make_vendor, admin):
    dai_tu, thai = make_vendor("DAI-TU"), make_vendor("THAI")
    client.post(URL, json=tx(dai_tu.id, "s-1"), headers=auth(admin))
    client.post(URL, json=tx(thai.id, "s-2", method="qr"), headers=auth(admin))
    _, board = make_user("board", markets=("THAI",))
    assert [r["reference"] for r in read_csv(
        client.get(f"{URL}?format=csv", headers=auth(board)))] == ["s-2"]
    assert [r["reference"] for r in read_csv(
        client.get(f"{URL}?format=csv&method=cash", headers=auth(admin)))] == ["s-1"]
    assert client.get(f"{URL}?format=csv&market=DAI-TU", headers=auth(board)).status_code == 403
    assert client.get(f"{URL}?format=csv").status_code == 401


def _export_peak(app, db, client, admin, vendors, count: int) -> tuple[int, int, int]:
    """Add rows up to ``count``, export them all: (bytes, chunks, peak traced memory)."""
    write = timestamp_writer(app.config["BACKEND"])
    stored = db.session.scalar(sa.select(sa.func.count()).select_from(Transaction))
    rows = [
        (vendors[i % 3].id, vendors[0].market_id, write(local(2025, 1, 1 + i % 28, 6, i % 60)),
         1_000 + i, "cash", "sale", "api", f"bulk-{i:06d}", write(local(2025, 3, 1)))
        for i in range(stored, count)
    ]
    insert_transactions(db.session, rows)
    db.session.commit()
    response = client.get(f"{URL}?format=csv", headers=auth(admin))
    assert response.is_streamed
    tracemalloc.start()
    size = chunks = 0
    for chunk in response.response:
        size += len(chunk)
        chunks += 1
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    response.close()
    return size, chunks, peak


@pytest.mark.slow
def test_export_streams_in_constant_memory(app, db, client, admin, make_vendor):
    """Four times the rows, the same peak: nothing grows with the size of the export.

    75,000 rows on CI; 40,000 in ``make test`` (the large export still 16 stream batches)."""
    vendors = [make_vendor("DAI-TU") for _ in range(3)]
    _export_peak(app, db, client, admin, vendors, 100)  # warm caches (compiled SQL, ...)
    small, _, small_peak = _export_peak(app, db, client, admin, vendors, scaled(15_000, 8_000))
    large, chunks, large_peak = _export_peak(app, db, client, admin, vendors,
                                             scaled(60_000, 32_000))
    assert large > 4 * small * 0.95 and chunks > large // (128 * 1024)
    assert large_peak < small_peak * 1.5, (small_peak, large_peak)
