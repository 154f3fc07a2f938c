"""A snapshot as a PDF for the file: metadata, hashes, the summary and every market.

reportlab with the DejaVu Sans font vendored by ``market40.render.fonts`` (every
Vietnamese letter, on any machine). The figures are the frozen ones from the
snapshot's body, never recomputed.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from market40.models import Snapshot
from market40.render.fonts import register_pdf_fonts
from market40.reports.labels import label

TEXT = {
    "en": {
        "title": "Chợ 4.0 certification snapshot #{id}",
        "ruleset": "Ruleset",
        "as_of": "As of",
        "created": "Created",
        "certified": "Certified",
        "of_target": "{certified} of {target} targeted ({progress}), out of {markets} markets",
        "by_district": "By district",
        "by_grade": "By hạng",
        "markets": "Markets",
        "window": "window {window} days",
    },
    "vi": {
        "title": "Ảnh chụp kết quả công nhận Chợ 4.0 số {id}",
        "ruleset": "Bộ tiêu chí",
        "as_of": "Tính đến ngày",
        "created": "Lập lúc",
        "certified": "Đạt chuẩn",
        "of_target": "{certified}/{target} chợ theo chỉ tiêu ({progress}), trên tổng số "
        "{markets} chợ",
        "by_district": "Theo huyện/thành phố",
        "by_grade": "Theo hạng chợ",
        "markets": "Các chợ",
        "window": "{window} ngày",
    },
}


def _percent(text: Any) -> str:
    if text is None:
        return "–"
    if isinstance(text, str):
        return f"{float(text):.1%}"
    return str(text)


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
                  styles: _Styles) -> list[Any]:
    """Title, ruleset and its rules, dates, hashes, and the summary of the results."""
    ruleset, summary = body["ruleset"], body["summary"]
    normal, small = styles.normal, styles.small
    rule_text = ", ".join(f"{c['metric']} {c['op']} {c['threshold']}"
                          for c in ruleset["criteria"])
    return [
        Paragraph(words["title"].format(id=snapshot.id), styles.heading),
        Paragraph(escape(f"{words['ruleset']}: {ruleset['title']} ({ruleset['name']}"
                         + (f", {ruleset['label']}" if ruleset.get("label") else "") + ")"),
                  normal),
        Paragraph(escape(rule_text + "; " + words["window"].format(window=body["window"])),
                  normal),
        Paragraph(escape(f"{words['as_of']}: {body['as_of']} · {words['created']}: "
                         f"{body['created_at']} · {body.get('created_by') or '–'}"), normal),
        Paragraph(f"sha256 {snapshot.sha256}<br/>prev {snapshot.prev_sha256 or '–'}<br/>"
                  f"ruleset sha256 {ruleset['sha256']}", small),
        Paragraph(words["certified"] + ": " + words["of_target"].format(
            certified=summary["certified"], target=summary["target"],
            progress=_percent(summary["progress"]), markets=len(body["markets"])),
            styles.subheading),
        Paragraph(escape(words["by_district"] + ": " + "; ".join(
            f"{d['name']} {d['certified']}/{d['markets']}" for d in summary["by_district"])),
            normal),
        Paragraph(words["by_grade"] + ": " + "; ".join(
            f"{g['grade']}: {g['certified']}/{g['markets']}" for g in summary["by_grade"]),
            normal),
        Spacer(1, 4 * mm),
        Paragraph(words["markets"], styles.subheading),
    ]


def _market_table(body: dict[str, Any], lang: str, styles: _Styles) -> Table:
    """One row per market: its criteria values, passed or not, and the verdict."""
    small = styles.small
    header = [label(k, lang) for k in ("code", "name", "district_code", "grade")]
    header += [label(c["metric"], lang) for c in body["ruleset"]["criteria"]]
    header += [label("certified", lang)]
    rows: list[list[Any]] = [[Paragraph(escape(h), small) for h in header]]
    for market in body["markets"]:
        rows.append(
            [market["code"], Paragraph(escape(market["name"]), small), market["district_code"],
             market["grade"]]
            + [f"{_percent(r['value'])} {'✓' if r['passed'] else '✗'}"
               for r in market["criteria"]]
            + [label("yes" if market["certified"] else "no", lang)]
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


def snapshot_pdf(snapshot: Snapshot, lang: str = "en") -> bytes:
    """The snapshot on landscape A4 pages: front matter, then the table of markets."""
    words = TEXT["vi" if lang == "vi" else "en"]
    body = json.loads(snapshot.body)
    styles = _styles()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm,
        topMargin=12 * mm, bottomMargin=12 * mm,
        title=words["title"].format(id=snapshot.id), author="market40",
    )
    document.build(_front_matter(snapshot, body, words, styles)
                   + [_market_table(body, lang, styles)])
    return buffer.getvalue()
