"""Column headers of the CSV exports and PDF, in English (the metric names) and Vietnamese."""

from __future__ import annotations

from market40.reports.metrics import METRICS

LANGUAGES = ("en", "vi")

VI = {
    "registered": "Số tiểu thương đăng ký",
    "with_qr": "Có mã QR",
    "coverage": "Tỷ lệ phủ QR",
    "active": "Tiểu thương có giao dịch QR",
    "active_rate": "Tỷ lệ tiểu thương hoạt động",
    "sales_count": "Số giao dịch bán hàng",
    "sales_value": "Giá trị bán hàng (đồng)",
    "qr_sales_count": "Số giao dịch QR",
    "qr_sales_value": "Giá trị giao dịch QR (đồng)",
    "cashless_share_count": "Tỷ lệ không tiền mặt (số giao dịch)",
    "cashless_share_value": "Tỷ lệ không tiền mặt (giá trị)",
    "fees_count": "Số khoản phí thu",
    "qr_fees_count": "Số khoản phí thu qua QR",
    "fees_cashless_share": "Tỷ lệ thu phí không tiền mặt",
    "fees_value": "Tổng phí thu (đồng)",
    "qr_fees_value": "Phí thu qua QR (đồng)",
    "online_products": "Sản phẩm trên sàn TMĐT",
    "level": "Cấp",
    "code": "Mã",
    "name": "Tên",
    "as_of": "Đến ngày",
    "window": "Số ngày tính",
    "period_start": "Từ ngày",
    "period_end": "Đến ngày",
    "days": "Số ngày",
    "district_code": "Mã huyện",
    "district": "Huyện/thành phố",
    "grade": "Hạng chợ",
    "certified": "Đạt Chợ 4.0",
    "market": "Chợ",
    "metric": "Chỉ tiêu",
    "threshold": "Ngưỡng",
    "passed": "Đạt",
    "change": "Thay đổi",
    "yes": "Có",
    "no": "Không",
    "province": "tỉnh",
}
EN = {name: name for name in METRICS} | {
    "yes": "yes",
    "no": "no",
    "change": "change",
}


def label(name: str, lang: str = "en") -> str:
    table = VI if lang == "vi" else EN
    return table.get(name, name)


def change_label(name: str, lang: str = "en") -> str:
    if lang == "vi":
        return f"{VI['change']}: {label(name, lang)}"
    return f"change_{name}"


def passed_label(name: str, lang: str = "en") -> str:
    if lang == "vi":
        return f"{VI['passed']}: {label(name, lang)}"
    return f"{name}_passed"
