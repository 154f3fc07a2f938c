"""Hostile vendor files: too big, too long, disguised, and XLSX bombs, all a 4xx in JSON.

The type is sniffed from the bytes: the file name and the part's Content-Type are
ignored. A compression bomb is refused from the ZIP's directory before openpyxl
inflates anything; a member whose header lies about its size fails while being read
(zipfile stops at the declared size and the CRC no longer matches); an XML entity bomb
is refused by defusedxml.
"""

from __future__ import annotations

import io
import struct
import time
import zipfile

import pytest

from market40.registry.spreadsheets import MAX_DATA_ROWS
from tests.factories import auth
from tests.registry.helpers import HEADER, csv_file, xlsx_file

URL = "/api/v1/markets/DAI-TU/vendors/import"
SHEET = "xl/worksheets/sheet1.xml"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def rows(count: int) -> list[list[object]]:
    return [HEADER] + [[f"B-{n:05d}", f"Quầy {n}", "Lê Thị Mai", "", "", "thịt", "970436",
                        f"55{n:08d}", "LE THI MAI"] for n in range(1, count + 1)]


def upload(client, token, content: bytes, name: str = "vendors.csv",
           mimetype: str = "text/csv"):
    return client.post(URL, headers=auth(token), content_type="multipart/form-data",
                       data={"file": (io.BytesIO(content), name, mimetype)})


def refused(response, status: int = 422) -> str:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert body["code"] == status
    return " ".join(body.get("errors", {}).get("file", [])) or body["message"]


def replace_member(workbook: bytes, name: str, data: bytes) -> bytes:
    """The workbook with member ``name`` replaced by ``data`` (deflated)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = data if info.filename == name else source.read(info)
            target.writestr(info.filename, body, compresslevel=9)
    return out.getvalue()


def lie_about_size(archive: bytes, name: str, size: int) -> bytes:
    """Rewrite the uncompressed size of ``name`` in its local and central headers."""
    data = bytearray(archive)
    with zipfile.ZipFile(io.BytesIO(archive)) as source:
        offset = source.getinfo(name).header_offset
    struct.pack_into("<I", data, offset + 22, size)  # local file header
    position = data.find(b"PK\x01\x02")
    while position != -1:
        length = struct.unpack_from("<H", data, position + 28)[0]
        if data[position + 46:position + 46 + length] == name.encode():
            struct.pack_into("<I", data, position + 24, size)  # central directory
        position = data.find(b"PK\x01\x02", position + 4)
    return bytes(data)


def sheet_xml(padding: bytes = b"") -> bytes:
    return (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
            b'openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" '
            b't="inlineStr"><is><t>stall_code</t></is></c></row>' + padding
            + b"</sheetData></worksheet>")


def test_body_over_max_content_length_is_413_json(app, client, board):
    assert app.config["MAX_CONTENT_LENGTH"] == 8 * 1024 * 1024
    response = upload(client, board, b"a" * (9 * 1024 * 1024))
    assert "larger" in refused(response, 413).lower() or response.status_code == 413


def test_more_rows_than_allowed_is_refused(client, board):
    message = refused(upload(client, board, csv_file(rows(MAX_DATA_ROWS + 1))))
    assert f"more than {MAX_DATA_ROWS} vendor rows" in message


@pytest.mark.parametrize("name, mimetype", [("vendors.xlsx", XLSX_TYPE),
                                            ("vendors.png", "image/png")])
def test_csv_is_read_as_csv_whatever_it_is_called(client, board, name, mimetype):
    response = upload(client, board, csv_file(rows(2)), name=name, mimetype=mimetype)
    assert response.status_code == 201 and response.get_json()["created"] == 2


@pytest.mark.parametrize("content, problem", [
    (b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64, "neither CSV nor XLSX"),
    (b"%PDF-1.7\n\xe2\xe3\xcf\xd3\n" + bytes(range(128, 256)), "not UTF-8"),
])
def test_binary_named_csv_is_refused(client, board, content, problem):
    assert problem in refused(upload(client, board, content, name="vendors.csv"))


def test_compression_bomb_is_refused_before_unpacking(client, board):
    bomb = replace_member(xlsx_file(rows(1)), SHEET, sheet_xml(b" " * (60 * 1024 * 1024)))
    assert len(bomb) < 200_000
    started = time.perf_counter()
    message = refused(upload(client, board, bomb, name="vendors.xlsx", mimetype=XLSX_TYPE))
    assert "compression bomb" in message
    assert time.perf_counter() - started < 2  # refused from the directory, not inflated


def test_member_lying_about_its_size_fails_while_read(client, board):
    bomb = replace_member(xlsx_file(rows(1)), SHEET, sheet_xml(b" " * (60 * 1024 * 1024)))
    liar = lie_about_size(bomb, SHEET, 4_000)
    message = refused(upload(client, board, liar, name="vendors.xlsx", mimetype=XLSX_TYPE))
    assert "could not be read as XLSX" in message


def test_xml_entity_bomb_is_refused(client, board):
    laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1
                                                        else b"&lol;") * 10)
                         for i in range(1, 10))
              + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
              b'main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is>'
              b"</c></row></sheetData></worksheet>")
    bomb = replace_member(xlsx_file(rows(1)), SHEET, laughs)
    message = refused(upload(client, board, bomb, name="vendors.xlsx", mimetype=XLSX_TYPE))
    assert "could not be read as XLSX" in message
