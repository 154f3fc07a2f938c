"""Uploads that cost a worker its life before: each is answered in under 2 s, stores nothing.

Both files are the ones the attack report used, generated here: a 5 MB CSV whose one
row holds 2.6 million cells (1 GB, 23-31 s and a 200-million-character error body
before), and a 258 KB XLSX of 50,000 rows each holding one blank cell in column XFD
(openpyxl padded every row to 16,384 cells: the worker timed out).
"""

from __future__ import annotations

import time

import sqlalchemy as sa

from market40.models import Vendor
from market40.registry import spreadsheets
from tests.registry.helpers import HEADER, csv_file, xlsx_file
from tests.security.test_upload_limits import (
    SHEET,
    XLSX_TYPE,
    refused,
    replace_member,
    rows,
    sheet_xml,
    upload,
)


def timed(client, board, content: bytes, **kwargs):
    # CPU seconds of this process (the app runs in it): what a bomb would cost the server,
    # whatever else the machine is doing.
    started = time.process_time()
    response = upload(client, board, content, **kwargs)
    return response, time.process_time() - started


def nothing_stored(db) -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Vendor)) == 0


def test_a_csv_row_of_2_6_million_cells(client, db, board):
    content = ",".join(HEADER).encode() + b"\r\n" + b"1," * 2_600_000
    assert len(content) <= spreadsheets.MAX_FILE_BYTES
    response, seconds = timed(client, board, content)
    message = refused(response)
    assert "line 2" in message and "cells" in message, message
    assert len(response.get_data()) < 10_000
    assert seconds < 2, seconds
    assert nothing_stored(db)


def test_an_xlsx_of_50_000_rows_with_a_cell_in_column_xfd(client, db, board):
    padding = b"".join(b'<row r="%d"><c r="XFD%d" s="0"/></row>' % (n, n)
                       for n in range(2, 50_002))
    bomb = replace_member(xlsx_file(rows(1)), SHEET, sheet_xml(padding))
    assert len(bomb) < 400_000
    response, seconds = timed(client, board, bomb, name="v.xlsx", mimetype=XLSX_TYPE)
    assert response.status_code in (413, 422), response.get_data(as_text=True)[:300]
    assert seconds < 2, seconds
    assert nothing_stored(db)


def test_a_wide_xlsx_row_with_values_is_refused(client, db, board):
    cells = b"".join(b'<c r="%s2"><v>1</v></c>' % spreadsheets_column(n).encode()
                     for n in range(1, 16_385))
    wide = replace_member(xlsx_file(rows(1)), SHEET,
                          sheet_xml(b'<row r="2">' + cells + b"</row>"))
    response, seconds = timed(client, board, wide, name="v.xlsx", mimetype=XLSX_TYPE)
    assert "cells" in refused(response)
    assert seconds < 2, seconds


def test_row_errors_are_capped_at_100_with_the_total(client, db, board):
    bad = [HEADER] + [[f"C-{n:04d}", "", "", "", "", "", "", "", ""] for n in range(1, 2_001)]
    response = upload(client, board, csv_file(bad))
    assert response.status_code == 422
    body = response.get_json()
    assert len(body["errors"]) == spreadsheets.MAX_REPORTED_PROBLEMS
    assert "6000 problem(s) on 2000 row(s)" in body["message"] and "first 100" in body["message"]
    assert nothing_stored(db)


def test_reading_stops_at_the_time_bound(monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_READ_SECONDS", 0.0)
    content = csv_file(rows(50))
    try:
        spreadsheets.read_rows(content)
    except Exception as error:  # noqa: BLE001 - the refusal is what is tested
        assert getattr(error, "status", None) == 422 and "too long" in str(error)
    else:
        raise AssertionError("not stopped")


def spreadsheets_column(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(n)
