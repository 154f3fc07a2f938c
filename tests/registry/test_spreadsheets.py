"""Reading CSV and XLSX files into numbered rows (no app needed)."""

from __future__ import annotations

import io

import pytest

from market40.errors import InvalidInput
from market40.registry.spreadsheets import MAX_FILE_BYTES, FileTooLarge, read_rows, sniff
from tests.registry.helpers import HEADER, csv_file, xlsx_file


def test_csv_with_bom_semicolons_and_crlf():
    content = csv_file([HEADER[:4], ["A-1", "Cá tươi; sông", "Trần Bình", "0912345678"]],
                       bom=True, delimiter=",")
    rows, problems = read_rows(content, required=("stall_code",))
    assert problems == [] and rows == [(2, {"stall_code": "A-1", "display_name": "Cá tươi; sông",
                                            "owner_name": "Trần Bình", "phone": "0912345678"})]
    content = "stall_code;display_name\nA-1;Rau cô Hà\n".encode()
    rows, problems = read_rows(content, required=("stall_code",))
    assert rows == [(2, {"stall_code": "A-1", "display_name": "Rau cô Hà"})]


def test_xlsx_row_numbers_count_blank_rows():
    content = xlsx_file([HEADER[:2], ["A-1", "x"], [], [None, "  "], ["A-2", "y"]])
    assert sniff(content) == "xlsx"
    rows, _ = read_rows(content, required=())
    assert [number for number, _ in rows] == [2, 5]


def test_value_without_header_is_reported():
    rows, problems = read_rows(csv_file([["stall_code"], ["A-1", "stray"]]),
                               required=("stall_code",))
    assert [(p.row, p.field) for p in problems] == [(2, "column 2")]


def test_duplicate_header():
    _, problems = read_rows(csv_file([["stall_code", "Stall_Code"], ["A", "B"]]),
                            required=("stall_code",))
    assert [(p.row, p.field) for p in problems] == [(1, "stall_code")]


def test_too_large():
    with pytest.raises(FileTooLarge):
        read_rows(b"x" * (MAX_FILE_BYTES + 1))


def test_damaged_xlsx():
    content = xlsx_file([HEADER])
    with pytest.raises(InvalidInput) as error:
        read_rows(content[: len(content) // 2])
    assert "file" in error.value.errors


def test_blank_first_row_is_not_a_header():
    with pytest.raises(InvalidInput) as error:
        read_rows(io.BytesIO(b",,\nA,B,C\n").getvalue())
    assert "header" in error.value.errors["file"][0]


def test_a_list_without_its_header_row_is_one_problem():
    """Data in row 1 is not eleven "unknown column" problems but one: the header is missing."""
    with pytest.raises(InvalidInput) as caught:
        read_rows(csv_file([["A-1", "Rau cô Lan", "Lan", "", "", "rau củ quả", "970436",
                             "1234567", "LAN"]]))
    assert caught.value.errors == {"file": ["row 1 must be the header row (the template's "
                                            "columns)"]}
