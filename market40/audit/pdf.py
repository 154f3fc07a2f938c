"""A snapshot as a PDF for the file: metadata, hashes, the summary and every market.

reportlab with the DejaVu Sans font vendored by ``market40.render.fonts`` (every
Vietnamese letter, on any machine). The figures are the frozen ones from the
snapshot's body, never recomputed; they are written the way the reader's language
writes them (Vietnamese: "bản chốt số liệu", 57,1 %, 03/12/2026 08:15 Vietnam time),
with the criteria, districts and grades in words and the glossary's metric names.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from sqlalchemy.orm import object_session

from market40.audit.snapshots import chain_head
from market40.models import Snapshot
from market40.render.fonts import register_pdf_fonts
from market40.reports.glossary import name, ruleset_name
from market40.reports.labels import label
from market40.reports.metrics import RATIO_METRICS
from market40.web.formatting import format_date, format_datetime, format_number, format_percent

TEXT = {
    "en": {
        "title": "Chợ 4.0 certification snapshot no. {id}",
        "ruleset": "Ruleset",
        "official": "official",
        "example": "example, not an official ruleset",
        "criteria": "Criteria",
        "as_of": "As of",
        "created": "Created",
        "by": "by",
        "certified": "Certified",
        "of_target": "{certified} of {target} targeted ({progress}), out of {markets} markets",
        "by_district": "By former district (until 30/6/2025)",
        "by_commune": "By commune",
        "by_grade": "By grade (hạng)",
        "district": "District",
        "grade": "Grade",
        "grade_n": "grade {n}",
        "markets": "Markets",
        "window": "activity over {window} days",
        "no_data": "no data",
        "yes": "yes",
        "no": "no",
        "passed": "passed",
        "failed": "not passed",
        "time_note": "Times are Vietnam time (UTC+7).",
        "signature": "signature",
        "head": "Chain head when printed: snapshot #{id}, sha256 {sha256}",
    },
    "vi": {
        "title": "Bản chốt số liệu công nhận Chợ 4.0 số {id}",
        "ruleset": "Bộ tiêu chí",
        "official": "chính thức",
        "example": "ví dụ, không phải bộ tiêu chí chính thức",
        "criteria": "Tiêu chí",
        "as_of": "Tính đến ngày",
        "created": "Lập lúc",
        "by": "người lập",
        "certified": "Đạt chuẩn",
        "of_target": "{certified}/{target} chợ theo chỉ tiêu ({progress}), trên tổng số "
        "{markets} chợ",
        "by_district": "Theo huyện cũ (đến 30/6/2025)",
        "by_commune": "Theo xã/phường",
        "by_grade": "Theo hạng chợ",
        "district": "Huyện/thành phố",
        "grade": "Hạng chợ",
        "grade_n": "hạng {n}",
        "markets": "Các chợ",
        "window": "hoạt động trong {window} ngày",
        "no_data": "chưa có số liệu",
        "yes": "Đạt",
        "no": "Chưa đạt",
        "passed": "đạt",
        "failed": "chưa đạt",
        "time_note": "Giờ Việt Nam (UTC+7).",
        "signature": "chữ ký",
        "head": "Đầu chuỗi khi in: bản số {id}, sha256 {sha256}",
    },
}


def _lang(lang: str) -> str:
    return "vi" if lang == "vi" else "en"


def _percent(text: Any, lang: str = "en", digits: int = 1) -> str:
    """A frozen ratio ("0.571429") as the language writes it: "57,1 %" / "57.1%"."""
    if text is None:
        return "–"
    return format_percent(float(text), _lang(lang), digits)


def _value(metric: str, value: Any, lang: str) -> str:
    if metric in RATIO_METRICS:
        return _percent(value, lang)
    return format_number(value, _lang(lang))


def _criterion(criterion: dict[str, Any], lang: str) -> str:
    """"Tỷ lệ có mã QR ≥ 100 %": the glossary's name, the operator, the threshold."""
    op = {">=": "≥", "<=": "≤"}.get(criterion["op"], criterion["op"])
    threshold = (_percent(criterion["threshold"], lang, 0)
                 if criterion["metric"] in RATIO_METRICS
                 else format_number(criterion["threshold"], _lang(lang)))
    return f"{name(criterion['metric'], _lang(lang))} {op} {threshold}"


def _moment(text: str) -> str:
    """The frozen UTC time ("2026-12-03T01:02:03Z") as dd/mm/yyyy HH:MM, Vietnam time."""
    return format_datetime(datetime.fromisoformat(text.replace("Z", "+00:00")))


@dataclass(frozen=True)
class _Styles:
    regular: str  # font names
    bold: str
    normal: ParagraphStyle
    small: ParagraphStyle
    heading: ParagraphStyle
    subheading: ParagraphStyle


def _styles() -> _Styles:
    regular, bold = register_pdf_fonts()
    normal = ParagraphStyle("normal", fontName=regular, fontSize=8.5, leading=11)
    return _Styles(
        regular, bold, normal,
        small=ParagraphStyle("small", parent=normal, fontSize=7, leading=9),
        heading=ParagraphStyle("heading", parent=normal, fontName=bold, fontSize=14,
                               leading=18),
        subheading=ParagraphStyle("subheading", parent=normal, fontName=bold, fontSize=10,
                                  leading=14, spaceBefore=6),
    )


def _front_matter(snapshot: Snapshot, body: dict[str, Any], words: dict[str, str],
                  styles: _Styles, head: tuple[int, str] | None) -> list[Any]:
    """Title, ruleset and its rules, dates, hashes, and the summary of the results."""
    ruleset, summary = body["ruleset"], body["summary"]
    normal, small = styles.normal, styles.small
    lang = "vi" if words is TEXT["vi"] else "en"
    kind = words["example"] if ruleset.get("label") else words["official"]
    rule_text = "; ".join(_criterion(c, lang) for c in ruleset["criteria"])
    as_of = format_date(date.fromisoformat(body["as_of"]))
    return [
        Paragraph(words["title"].format(id=snapshot.id), styles.heading),
        Paragraph(escape(f"{words['ruleset']}: "
                         f"{ruleset_name(ruleset['name'], ruleset['title'], lang)} ({kind})"),
                  normal),
        Paragraph(escape(f"{words['criteria']}: {rule_text}; "
                         + words["window"].format(window=body["window"])), normal),
        Paragraph(escape(f"{words['as_of']}: {as_of} · {words['created']}: "
                         f"{_moment(body['created_at'])} · {words['by']}: "
                         f"{body.get('created_by') or '–'} · {words['time_note']}"), normal),
        Paragraph(f"sha256 {snapshot.sha256}<br/>prev {snapshot.prev_sha256 or '–'}<br/>"
                  f"ruleset {escape(ruleset['name'])} sha256 {ruleset['sha256']}<br/>"
                  f"{words['signature']} Ed25519 {snapshot.key_id or '–'}: "
                  f"{snapshot.signature or '–'}", small),
        Paragraph(words["head"].format(id=head[0], sha256=head[1]) if head else "", small),
        Paragraph(words["certified"] + ": " + words["of_target"].format(
            certified=format_number(summary["certified"], lang),
            target=format_number(summary["target"], lang),
            progress=_percent(summary["progress"], lang),
            markets=format_number(len(body["markets"]), lang)),
            styles.subheading),
        *([Paragraph(escape(words["by_commune"] + ": " + "; ".join(
            f"{d['name']} {d['certified']}/{d['markets']}" for d in summary["by_commune"])),
            normal)] if "by_commune" in summary else []),
        Paragraph(escape(words["by_district"] + ": " + "; ".join(
            f"{d['name']} {d['certified']}/{d['markets']}" for d in summary["by_district"])),
            normal),
        Paragraph(escape(words["by_grade"] + ": " + "; ".join(
            f"{words['grade_n'].format(n=g['grade'])}: {g['certified']}/{g['markets']}"
            for g in summary["by_grade"])), normal),
        Spacer(1, 4 * mm),
        Paragraph(words["markets"], styles.subheading),
    ]


def _market_table(body: dict[str, Any], lang: str, styles: _Styles) -> Table:
    """One row per market: its criteria values, passed or not, and the verdict."""
    small = styles.small
    words = TEXT[_lang(lang)]
    districts = {str(d["code"]): d["name"] for d in body["summary"]["by_district"]}
    header = [label("code", lang), label("name", lang), words["district"], words["grade"]]
    header += [name(c["metric"], _lang(lang)) for c in body["ruleset"]["criteria"]]
    header += [label("certified", lang)]
    rows: list[list[Any]] = [[Paragraph(escape(h), small) for h in header]]
    for market in body["markets"]:
        no_data = not market.get("inputs", {}).get("registered")
        rows.append(
            [market["code"], Paragraph(escape(market["name"]), small),
             Paragraph(escape(districts.get(str(market["district_code"]),
                                            str(market["district_code"] or "–"))), small),
             market["grade"]]
            + (["–" for _ in market["criteria"]] if no_data else [
                f"{_value(r['metric'], r['value'], lang)} " + (
                    f"✓ {words['passed']}" if r["passed"] else f"✗ {words['failed']}")
                for r in market["criteria"]])
            + [words["no_data"] if no_data else words["yes" if market["certified"] else "no"]]
        )
    table = Table(rows, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), styles.regular, 7.5),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef4")),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f7f7f7")]),
    ]))
    return table


def snapshot_pdf(snapshot: Snapshot, lang: str = "en",
                 head: tuple[int, str] | None = None) -> bytes:
    """The snapshot on landscape A4 pages: front matter, then the table of markets.

    ``head`` is the chain head printed on it (default: read now), so a printed copy can
    later reveal a rewrite of the chain.
    """
    if head is None:
        session = object_session(snapshot)
        head = chain_head(session) if session is not None else None
    words = TEXT[_lang(lang)]
    body = json.loads(snapshot.body)
    styles = _styles()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm,
        topMargin=12 * mm, bottomMargin=12 * mm,
        title=words["title"].format(id=snapshot.id), author="market40",
    )
    document.build(_front_matter(snapshot, body, words, styles, head)
                   + [_market_table(body, lang, styles)])
    return buffer.getvalue()
