"""One name and one definition per measure, in Vietnamese and English.

Every place that names a metric of DESIGN.md §5 (the pages, the CSV exports, the
snapshot PDF, both languages) takes the name from here, so "Tỷ lệ tiểu thương dùng QR"
on the overview is the same words as in the CSV header and the PDF, and its English
name is the same on every page. ``base`` says what a ratio is counted over, so a
figure box can show "801 / 1.496 tiểu thương có mã QR" rather than a bare percentage.

>>> name("active_rate", "vi"), name("active_rate", "en")
('Tỷ lệ tiểu thương dùng QR', 'QR use rate')
>>> TERMS["coverage"].ratio
('with_qr', 'registered')
"""

from __future__ import annotations

from dataclasses import dataclass

from market40.reports.metrics import METRICS, RATIO_METRICS

LANGUAGES = ("vi", "en")


@dataclass(frozen=True, slots=True)
class Term:
    """A metric's name and definition; for a ratio, what its base is counted in."""

    metric: str
    name_vi: str
    name_en: str
    definition_vi: str
    definition_en: str
    unit_vi: str = ""  # what a count counts ("tiểu thương", "giao dịch"); "" for money
    unit_en: str = ""
    windowed: bool = False  # counted over the window of days (else: on the as-of date)

    @property
    def ratio(self) -> tuple[str, str] | None:
        return RATIO_METRICS.get(self.metric)

    def name(self, lang: str) -> str:
        return self.name_vi if lang == "vi" else self.name_en

    def definition(self, lang: str) -> str:
        return self.definition_vi if lang == "vi" else self.definition_en

    def unit(self, lang: str) -> str:
        return self.unit_vi if lang == "vi" else self.unit_en


_TERMS = (
    Term("registered", "Tiểu thương đăng ký", "Registered vendors",
         "Tiểu thương của chợ đã đăng ký, trừ hồ sơ bị từ chối hoặc đã nghỉ bán.",
         "The market's vendors on record, except rejected and closed ones.",
         "tiểu thương", "vendors"),
    Term("with_qr", "Tiểu thương có mã QR", "Vendors with a QR code",
         "Tiểu thương đã duyệt, có tài khoản ngân hàng và đã được cấp mã QR.",
         "Approved vendors with a bank account whose QR code has been issued.",
         "tiểu thương", "vendors"),
    Term("coverage", "Tỷ lệ có mã QR", "QR coverage",
         "Tiểu thương có mã QR chia cho tiểu thương đăng ký, tại ngày tính.",
         "Vendors with a QR code divided by registered vendors, on the as-of date.",
         "tiểu thương có mã QR", "vendors have a QR code"),
    Term("active", "Tiểu thương dùng QR", "Vendors using QR",
         "Tiểu thương có mã QR và có ít nhất một lần bán hàng qua QR trong kỳ.",
         "Vendors with a QR code who made at least one QR sale in the period.",
         "tiểu thương", "vendors", windowed=True),
    Term("active_rate", "Tỷ lệ tiểu thương dùng QR", "QR use rate",
         "Tiểu thương dùng QR chia cho tiểu thương có mã QR.",
         "Vendors using QR divided by vendors with a QR code.",
         "tiểu thương có mã QR đã bán qua QR", "vendors with a QR code sold by QR",
         windowed=True),
    Term("sales_count", "Số giao dịch bán hàng", "Sales",
         "Mọi lần bán hàng trong kỳ, qua QR hoặc tiền mặt.",
         "Every sale in the period, by QR or cash.",
         "giao dịch", "sales", windowed=True),
    Term("sales_value", "Giá trị bán hàng", "Sales value",
         "Tổng số tiền các lần bán hàng trong kỳ (đồng).",
         "The sum of all sales in the period (đồng).", windowed=True),
    Term("qr_sales_count", "Số giao dịch bán qua QR", "QR sales",
         "Lần bán hàng khách trả bằng chuyển khoản quét mã QR.",
         "Sales the buyer paid by scanning the QR code.",
         "giao dịch", "sales", windowed=True),
    Term("qr_sales_value", "Giá trị bán qua QR", "QR sales value",
         "Tổng số tiền khách trả qua QR trong kỳ (đồng).",
         "The sum of the sales paid by QR in the period (đồng).", windowed=True),
    Term("cashless_share_count", "Tỷ lệ giao dịch không tiền mặt", "Cashless share of sales",
         "Số giao dịch bán qua QR chia cho số giao dịch bán hàng.",
         "QR sales divided by all sales.",
         "giao dịch bán hàng qua QR", "sales paid by QR", windowed=True),
    Term("cashless_share_value", "Tỷ lệ giá trị không tiền mặt",
         "Cashless share of sales value",
         "Giá trị bán qua QR chia cho giá trị bán hàng.",
         "QR sales value divided by sales value.",
         "qua QR", "by QR", windowed=True),
    Term("fees_count", "Số khoản phí", "Fees",
         "Khoản phí tiểu thương nộp cho chợ (thuê quầy, điện, vệ sinh) trong kỳ.",
         "Fees vendors paid the market (stall rent, electricity, sanitation) in the period.",
         "khoản phí", "fees", windowed=True),
    Term("qr_fees_count", "Số khoản phí nộp qua QR", "Fees paid by QR",
         "Khoản phí được nộp bằng chuyển khoản qua QR.",
         "Fees paid by QR transfer.",
         "khoản phí", "fees", windowed=True),
    Term("fees_cashless_share", "Tỷ lệ thu phí không tiền mặt", "Fees paid cashless",
         "Số khoản phí nộp qua QR chia cho số khoản phí; chưa thu phí thì không có tỷ lệ.",
         "Fees paid by QR divided by all fees; undefined when no fee was recorded.",
         "khoản phí nộp qua QR", "fees paid by QR", windowed=True),
    Term("fees_value", "Tổng phí thu", "Fees value",
         "Tổng số tiền phí đã thu trong kỳ (đồng).",
         "The sum of the fees collected in the period (đồng).", windowed=True),
    Term("qr_fees_value", "Phí thu qua QR", "Fees value by QR",
         "Tổng số tiền phí nộp qua QR trong kỳ (đồng).",
         "The sum of the fees paid by QR in the period (đồng).", windowed=True),
    Term("online_products", "Sản phẩm trên sàn TMĐT", "Products online",
         "Sản phẩm của chợ đang bán trên sàn thương mại điện tử tại ngày tính.",
         "The market's products on sale on an e-commerce platform on the as-of date.",
         "sản phẩm", "products"),
)
TERMS: dict[str, Term] = {term.metric: term for term in _TERMS}
assert tuple(TERMS) == METRICS, "the glossary names every metric, in report order"


# The rulesets' names for people (the TOML titles are English): the official one says so,
# the example says it is one, so no one reports a figure from the wrong entry.
RULESET_NAMES: dict[str, tuple[str, str]] = {
    "tn-2022": (
        "Tiêu chí Chợ 4.0 tỉnh Thái Nguyên, mục tiêu cuối năm 2022",
        "Thái Nguyên Chợ 4.0 criteria, 2022 year-end targets",
    ),
    "tn-pilot-example": (
        "Ví dụ: mức thí điểm Thái Nguyên (70 % có mã QR, một nửa số đó dùng QR)",
        "Example: Thái Nguyên pilot level (70% with QR, half of them using it)",
    ),
}


def ruleset_name(name: str, title: str, lang: str = "vi") -> str:
    """A ruleset's name in ``lang``; its own title for a ruleset the glossary does not know."""
    pair = RULESET_NAMES.get(name)
    return (pair[0] if lang == "vi" else pair[1]) if pair else title


def name(metric: str, lang: str = "vi") -> str:
    """The metric's one name in ``lang`` (the metric code itself if it is not a metric)."""
    term = TERMS.get(metric)
    return term.name(lang) if term else metric


def definition(metric: str, lang: str = "vi") -> str:
    return TERMS[metric].definition(lang)
