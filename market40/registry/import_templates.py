"""Downloadable vendor-import templates: the columns a board fills in, in order.

The CSV starts with a UTF-8 BOM so that Excel opens the Vietnamese text correctly.
The XLSX keeps codes and numbers as text (no lost leading zeros), offers the goods
categories as a drop-down, and explains every column on a second sheet.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from market40.models import Bank
from market40.models.vendor import GOODS_CATEGORIES
from market40.registry.validation import REQUIRED_VENDOR_FIELDS, VENDOR_INPUT_FIELDS

# (Vietnamese, English) help for each column.
COLUMN_HELP = {
    "stall_code": ("Mã ki-ốt/sạp, duy nhất trong chợ, ví dụ A-012",
                   "Stall code, unique in the market, e.g. A-012"),
    "display_name": ("Tên gian hàng", "Stall name shown to buyers"),
    "owner_name": ("Họ tên chủ hộ kinh doanh", "Owner's full name"),
    "phone": ("Số di động 10 số (0912345678 hoặc +84912345678)",
              "Mobile number, 10 digits (or +84...)"),
    "national_id": ("Số CCCD 12 số", "Citizen ID (CCCD), 12 digits"),
    "goods_category": ("Ngành hàng: " + ", ".join(GOODS_CATEGORIES),
                       "Goods category, one of the list"),
    "bank_bin": ("Mã BIN 6 số hoặc tên viết tắt của ngân hàng (trang 'ngan-hang')",
                 "Bank BIN (6 digits) or short name (sheet 'ngan-hang')"),
    "account_number": ("Số tài khoản, 6-19 chữ số", "Account number, 6-19 digits"),
    "account_holder": ("Tên chủ tài khoản như ngân hàng hiển thị",
                       "Account holder name as the bank shows it"),
}
TEXT_COLUMNS = ("stall_code", "phone", "national_id", "bank_bin", "account_number")
DATA_ROWS_FORMATTED = 5_001  # the drop-down covers the largest file accepted


def template_csv() -> bytes:
    return ("\ufeff" + ",".join(VENDOR_INPUT_FIELDS) + "\r\n").encode("utf-8")


def template_xlsx(banks: Sequence[Bank]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "vendors"
    sheet.append(list(VENDOR_INPUT_FIELDS))
    sheet.freeze_panes = "A2"
    for index, name in enumerate(VENDOR_INPUT_FIELDS, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        sheet.column_dimensions[letter].width = max(14, len(name) + 4)
        if name in TEXT_COLUMNS:
            # A text column keeps what the board types: "0912..." keeps its leading zero.
            sheet.column_dimensions[letter].number_format = "@"
        if name == "goods_category":
            choices = DataValidation(type="list", formula1='"' + ",".join(GOODS_CATEGORIES) + '"',
                                     allow_blank=True, showErrorMessage=True,
                                     errorTitle="goods_category",
                                     error="Chọn một ngành hàng trong danh sách")
            choices.add(f"{letter}2:{letter}{DATA_ROWS_FORMATTED}")
            sheet.add_data_validation(choices)

    guide = workbook.create_sheet("huong-dan")
    guide.append(["cột / column", "bắt buộc / required", "hướng dẫn", "help"])
    for name in VENDOR_INPUT_FIELDS:
        required = "có / yes" if name in REQUIRED_VENDOR_FIELDS else ""
        guide.append([name, required, *COLUMN_HELP[name]])
    guide.append([])
    guide.append(["bank_bin, account_number, account_holder: điền cả ba hoặc bỏ trống cả ba "
                  "/ all three or none"])
    guide.append(["Mỗi dòng lỗi làm cả tệp bị từ chối; không dòng nào được lưu "
                  "/ one bad row rejects the whole file"])
    guide.column_dimensions["A"].width = 18
    guide.column_dimensions["C"].width = 70
    guide.column_dimensions["D"].width = 50

    bank_sheet = workbook.create_sheet("ngan-hang")
    bank_sheet.append(["bank_bin", "short_name", "name"])
    for bank in banks:
        bank_sheet.append([bank.bin, bank.short_name, bank.name])
    bank_sheet.column_dimensions["C"].width = 70

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
