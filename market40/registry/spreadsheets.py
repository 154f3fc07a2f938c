"""Reading a board's vendor file (CSV or XLSX) into numbered rows, and writing the templates.

The type is sniffed from the content, not the file name: an XLSX is a ZIP holding the
OOXML workbook parts; anything else must be UTF-8 text (with or without a BOM). Row
numbers are the ones the user sees in the spreadsheet: the header is row 1.
"""

from __future__ import annotations

import csv
import io
import re
import time
import zipfile
from collections.abc import Iterator, Sequence
from typing import Any

from market40.errors import DomainError, InvalidInput
from market40.registry.validation import (
    REQUIRED_VENDOR_FIELDS,
    VENDOR_INPUT_FIELDS,
    RowProblem,
)

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_DATA_ROWS = 5_000
# Blank rows an XLSX may carry below its data (formatting applied to whole columns).
MAX_SCANNED_ROWS = 20_000
# The template has 9 columns; a few more (notes a board adds) are fine. Bounding the
# cells of a row bounds the whole file's work: rows x cells, each scanned once.
MAX_COLUMNS = 50
# A CSV line longer than this is refused before the csv module splits it into cells.
MAX_LINE_CHARS = 10_000
# Every bad file is answered well inside a worker's timeout.
MAX_READ_SECONDS = 1.5
# An error body lists at most this many row problems, and says how many there were.
MAX_REPORTED_PROBLEMS = 100
# Worksheet XML is counted before openpyxl parses it (openpyxl scans a sheet in full
# just to open it when the sheet declares no dimension): a genuine 5,000-row list is a
# few MB with ~50,000 cell elements.
MAX_SHEET_BYTES = 30 * 1024 * 1024
MAX_SHEET_CELLS = 250_000
MAX_ROW_CELLS = 200  # cell elements of one <row>, blank styled ones included
SHEET_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])")
# A 5 MB ZIP can inflate a lot; a genuine 5,000-row sheet is a few MB of XML. The sizes
# are the ones the archive declares: Python's zipfile never inflates a member past its
# declared size (and then fails its CRC), so a lying header cannot get round them.
MAX_XLSX_UNCOMPRESSED = 100 * 1024 * 1024
# Spreadsheet XML compresses 5-30x; a member inflating more than this (once past a
# size where the ratio matters) is a compression bomb, not a vendor list.
MAX_COMPRESSION_RATIO = 200
RATIO_CHECKED_FROM = 5 * 1024 * 1024
MAX_XLSX_MEMBERS = 1_000
XLSX_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (Excel 97-2003)


class FileTooLarge(DomainError):
    status = 413
    message = f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; split it."


def file_problem(message: str) -> InvalidInput:
    return InvalidInput({"file": [message]}, message=f"file: {message}")


def sniff(content: bytes) -> str:
    """``"xlsx"`` or ``"csv"``; anything else is a 422 naming ``file``."""
    if not content.strip():
        raise file_problem("is empty")
    if content.startswith(OLE2_MAGIC):
        raise file_problem("is an old .xls workbook; save it as .xlsx or as CSV UTF-8")
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                members = archive.infolist()
                check_archive(members)
                check_sheets(archive, members)
        except (zipfile.BadZipFile, ValueError, EOFError, OSError) as error:
            if isinstance(error, zipfile.BadZipFile) and "CRC" in str(error):
                raise _unreadable(error) from None
            raise file_problem("is a damaged ZIP/XLSX file") from None
        return "xlsx"
    if b"\x00" in content[:4096]:
        raise file_problem("is neither CSV nor XLSX")
    return "csv"


def check_archive(members: Sequence[zipfile.ZipInfo]) -> None:
    """Refuse a ZIP that is not a workbook, or would inflate like a bomb, before unpacking."""
    names = {info.filename for info in members}
    if not all(part in names for part in XLSX_PARTS):
        raise file_problem("is a ZIP archive but not an XLSX workbook")
    if len(members) > MAX_XLSX_MEMBERS:
        raise file_problem(f"holds more than {MAX_XLSX_MEMBERS} parts; it cannot be a vendor list")
    if sum(info.file_size for info in members) > MAX_XLSX_UNCOMPRESSED:
        raise file_problem("unpacks to more than 100 MB; it cannot be a vendor list")
    for info in members:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_CHECKED_FROM and ratio > MAX_COMPRESSION_RATIO:
            raise file_problem(f"part {info.filename} inflates {ratio:.0f} times; it looks like "
                               "a compression bomb, not a vendor list")


def check_sheets(archive: zipfile.ZipFile, members: Sequence[zipfile.ZipInfo]) -> None:
    """Count each worksheet's rows and cells in its raw XML, before any XML parser runs."""
    for info in members:
        if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
            continue
        if info.file_size > MAX_SHEET_BYTES:
            raise file_problem(f"sheet {info.filename} unpacks to more than "
                               f"{MAX_SHEET_BYTES // (1024 * 1024)} MB")
        xml = archive.read(info)  # never more than the declared size (zipfile checks it)
        rows = cells = in_row = 0
        for match in SHEET_TAG.finditer(xml):
            if match.group(1) == b"row":
                rows += 1
                in_row = 0
                if rows > MAX_SCANNED_ROWS + 1:
                    raise file_problem(f"has more than {MAX_SCANNED_ROWS:,} rows (blank ones "
                                       "included); delete the unused rows")
                continue
            cells += 1
            in_row += 1
            if in_row > MAX_ROW_CELLS:
                raise file_problem(f"row {rows} has more than {MAX_ROW_CELLS} cells (blank "
                                   f"ones included); a vendor row has "
                                   f"{len(VENDOR_INPUT_FIELDS)}")
            if cells > MAX_SHEET_CELLS:
                raise file_problem(f"has more than {MAX_SHEET_CELLS:,} cells (blank ones "
                                   "included); delete unused rows and columns, or split it")


def _csv_rows(content: bytes) -> Iterator[list[Any]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise file_problem(
            "is not UTF-8 text: in Excel choose Save As > 'CSV UTF-8 (Comma delimited)', "
            "or upload the .xlsx"
        ) from None
    lines = text.split("\n")
    longest = max(lines, key=len)
    if len(longest) > MAX_LINE_CHARS:
        number = lines.index(longest) + 1
        raise file_problem(f"line {number} is longer than {MAX_LINE_CHARS:,} characters; a "
                           f"vendor row has {len(VENDOR_INPUT_FIELDS)} cells, at most "
                           f"{MAX_COLUMNS} are read")
    del lines
    first_line = text.split("\n", 1)[0]
    try:
        dialect: Any = csv.Sniffer().sniff(first_line, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    yield from csv.reader(io.StringIO(text, newline=""), dialect)


def _xlsx_rows(content: bytes) -> Iterator[list[Any]]:
    import openpyxl

    # openpyxl (with defusedxml) and zipfile raise many types for damaged or hostile
    # files, while opening and while reading rows (a member whose CRC or size lies).
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:
        raise _unreadable(error) from None
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some writers declare a wrong size: read what is there
        # Read one column past the bound, so a value there is seen and refused, and no
        # row is padded to a far cell (a blank cell in column XFD made 16,384 per row).
        rows = sheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True)
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except Exception as error:
                raise _unreadable(error) from None
            yield list(row)
    finally:
        workbook.close()


def _unreadable(error: Exception) -> InvalidInput:
    return file_problem(f"could not be read as XLSX ({type(error).__name__})")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _header_name(value: Any) -> str:
    return "_".join(str(value or "").strip().lower().split())


def read_rows(
    content: bytes,
    columns: Sequence[str] = VENDOR_INPUT_FIELDS,
    required: Sequence[str] = REQUIRED_VENDOR_FIELDS,
) -> tuple[list[tuple[int, dict[str, Any]]], list[RowProblem]]:
    """The non-blank data rows as (row number, {column: value}), and the header's problems.

    File-level trouble (size, type, encoding, too many rows) raises at once.
    """
    if len(content) > MAX_FILE_BYTES:
        raise FileTooLarge()
    kind = sniff(content)
    source = _xlsx_rows(content) if kind == "xlsx" else _csv_rows(content)
    problems: list[RowProblem] = []
    header: list[str] = []
    rows: list[tuple[int, dict[str, Any]]] = []
    deadline = time.monotonic() + MAX_READ_SECONDS
    try:
        for number, cells in enumerate(source, start=1):
            if time.monotonic() > deadline:
                raise file_problem(f"took too long to read (over {MAX_READ_SECONDS} s); "
                                   "delete unused rows, columns and formatting, or split it")
            if len(cells) > MAX_COLUMNS and any(not _blank(c) for c in cells[MAX_COLUMNS:]):
                raise file_problem(f"row {number} has more than {MAX_COLUMNS} cells; a "
                                   f"vendor row has {len(columns)}")
            cells = cells[:MAX_COLUMNS]
            if number > MAX_SCANNED_ROWS + 1:
                raise file_problem(f"has more than {MAX_SCANNED_ROWS} rows (blank ones "
                                   "included); delete the unused rows")
            if not header:
                if all(_blank(c) for c in cells):
                    raise file_problem("row 1 must be the header row (the template's columns)")
                header = [_header_name(c) for c in cells]
                if not set(header) & set(columns):
                    # A list saved without its header row: one problem, not one per cell.
                    raise file_problem("row 1 must be the header row (the template's columns)")
                problems.extend(_header_problems(header, columns, required))
                continue
            if all(_blank(c) for c in cells):
                continue
            if len(rows) >= MAX_DATA_ROWS:
                raise file_problem(f"has more than {MAX_DATA_ROWS} vendor rows; split it into "
                                   "several files")
            values: dict[str, Any] = {}
            for index, value in enumerate(cells):
                name = header[index] if index < len(header) else ""
                if name in columns:
                    values[name] = value
                elif not _blank(value) and not name:
                    problems.append(RowProblem(number, f"column {index + 1}",
                                            "has a value but no header"))
            rows.append((number, values))
    except csv.Error as error:
        raise file_problem(f"is not valid CSV ({error})") from None
    if not header:
        raise file_problem("is empty")
    return rows, problems


def _header_problems(header: list[str], columns: Sequence[str],
                     required: Sequence[str]) -> Iterator[RowProblem]:
    seen: set[str] = set()
    for name in header:
        if not name:
            continue
        if name in seen:
            yield RowProblem(1, name, "column appears twice")
        elif name not in columns:
            yield RowProblem(1, name, "unknown column; the columns are " + ", ".join(columns))
        seen.add(name)
    for name in required:
        if name not in seen:
            yield RowProblem(1, name, "required column is missing from the header")
