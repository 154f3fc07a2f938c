"""Column headers of the CSV exports and PDF: English (the metric codes, for machines) and
Vietnamese (the glossary's names, for people)."""

from __future__ import annotations

from market40.reports.glossary import TERMS
from market40.reports.metrics import METRICS

LANGUAGES = ("en", "vi")

# Metric headers are the glossary's one name per measure; money columns say their unit.
VI = {
    metric: term.name_vi + (" (đồng)" if metric.endswith("_value") else "")
    for metric, term in TERMS.items()
} | {
    "level": "Cấp",
    "code": "Mã",
    "name": "Tên",
    "as_of": "Đến ngày",
    "window": "Số ngày tính",
    "period_start": "Từ ngày",
    "period_end": "Đến ngày",
    "days": "Số ngày",
    "district_code": "Mã huyện cũ",
    "district": "Huyện cũ",
    "commune_code": "Mã xã/phường",
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
