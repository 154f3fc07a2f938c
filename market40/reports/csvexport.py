"""CSV exports of every report, safe to open in a spreadsheet.

UTF-8 with a byte-order mark (so Excel reads Vietnamese), one header row in
English (metric names) or Vietnamese (``lang="vi"``). Text cells that a
spreadsheet would run as a formula (starting with = + - @ or a tab/CR) are
prefixed with an apostrophe; numbers are written by us and left alone.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import Any

from market40.csvfile import csv_writer, formula_safe
from market40.reports.adoption import AdoptionReport
from market40.reports.certification import Certification
from market40.reports.labels import change_label, label, passed_label
from market40.reports.metrics import METRICS, ratio_text
from market40.reports.series import AdoptionSeries

CSV_PLACES = 4


def _cell(value: Any, lang: str = "en") -> Any:
    """A value as the CSV shows it: labels for booleans, fixed places, text formula-safe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return label("yes" if value else "no", lang)
    if isinstance(value, Fraction):
        return ratio_text(value, CSV_PLACES)
    if isinstance(value, float):
        return f"{value:.{CSV_PLACES}f}"
    if isinstance(value, int):
        return value
    return formula_safe(str(value))


def write_csv(header: Sequence[str], rows: Iterable[Sequence[Any]], lang: str = "en") -> str:
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow([_cell(h, lang) for h in header])
    for row in rows:
        writer.writerow([_cell(cell, lang) for cell in row])
    return buffer.getvalue()


def adoption_csv(report: AdoptionReport, lang: str = "en") -> str:
    keys = ("level", "code", "name", "as_of", "window")
    header = [label(k, lang) for k in (*keys, *METRICS)]
    metrics = report.metrics()
    row = [report.level, report.code, report.name, report.as_of.isoformat(), report.window]
    return write_csv(header, [row + [metrics[m] for m in METRICS]], lang)


def series_csv(series: AdoptionSeries, lang: str = "en") -> str:
    header = [label(k, lang) for k in ("period_start", "period_end", "days", *METRICS)]
    header += [change_label(m, lang) for m in METRICS]
    rows = []
    for point in series.points:
        metrics = point.metrics()
        rows.append(
            [point.period.start.isoformat(), point.period.end.isoformat(), point.period.days]
            + [metrics[m] for m in METRICS]
            + [point.change[m] for m in METRICS]
        )
    return write_csv(header, rows, lang)


def certification_csv(certification: Certification, lang: str = "en") -> str:
    criteria = [c.metric for c in certification.ruleset.criteria]
    header = [label(k, lang) for k in ("code", "name", "commune_code", "district_code", "grade",
                                       "certified")]
    header += [label(m, lang) for m in METRICS] + [passed_label(m, lang) for m in criteria]
    rows = []
    for market in certification.markets:
        metrics = market.figures.metrics()
        rows.append(
            [market.code, market.name, market.commune_code, market.district_code, market.grade,
             market.certified]
            + [metrics[m] for m in METRICS]
            + [result.passed for result in market.criteria]
        )
    return write_csv(header, rows, lang)


def snapshot_csv(body: dict[str, Any], lang: str = "en") -> str:
    """A frozen snapshot's markets, with the figures exactly as frozen."""
    criteria = [c["metric"] for c in body["ruleset"]["criteria"]]
    header = [label(k, lang) for k in ("code", "name", "commune_code", "district_code", "grade",
                                       "certified")]
    header += [label(m, lang) for m in METRICS] + [passed_label(m, lang) for m in criteria]
    rows = []
    for market in body["markets"]:
        rows.append(
            # Snapshots taken before the dated units have no commune: the cell stays empty.
            [market["code"], market["name"], market.get("commune_code"),
             market["district_code"], market["grade"], market["certified"]]
            + [market["inputs"].get(m) for m in METRICS]
            + [result["passed"] for result in market["criteria"]]
        )
    return write_csv(header, rows, lang)
