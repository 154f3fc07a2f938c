"""CSV files that open safely in a spreadsheet: one formula guard, one byte-order mark.

Spreadsheets run a cell that starts with ``= + - @`` or a tab/CR as a formula
(CSV injection, OWASP), so text cells starting with one get a leading apostrophe;
numbers the service writes itself are left alone. Excel reads UTF-8 CSV as such
only with a byte-order mark, which Vietnamese names need.

>>> formula_safe("=HYPERLINK(1)"), formula_safe("Rau"), formula_safe(25_000)
("'=HYPERLINK(1)", 'Rau', 25000)
"""

from __future__ import annotations

import csv
from typing import Any, TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def formula_safe(value: Any) -> Any:
    """Text that a spreadsheet would evaluate gets a leading apostrophe; the rest as is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_writer(buffer: TextIO) -> Any:
    """A writer with the CRLF line ends RFC 4180 and Excel expect, after the BOM."""
    buffer.write(BOM)
    return csv.writer(buffer, lineterminator="\r\n")
