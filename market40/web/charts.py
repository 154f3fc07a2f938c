"""Charts as inline SVG, drawn on the server: no JavaScript, no CDN, nothing to load.

Colours and fonts come from the stylesheet through class names (``chart``, ``series-1``,
``bar``, ``axis``, ...), never from ``style`` attributes, so a strict Content-Security-Policy
(no ``'unsafe-inline'``) renders them unchanged. Geometry uses SVG presentation
attributes, which CSP does not restrict. Every value is in a ``<title>`` (a tooltip on
desktop, read out by screen readers), and the caller shows the same figures in a table.

A value of ``None`` is "undefined" (a ratio with a zero denominator): a gap in a line,
no bar, never a zero.

An SVG scales with its box, text included: a 640-unit-wide chart squeezed onto a
phone would print its labels at 6 px. ``responsive`` therefore draws each chart
twice, a wide one for screens from 40rem and a narrow one (fewer labels, larger
font) for phones, and the stylesheet shows one of them; both carry the same
title and values. Axes fit the data: the scale runs to a round number just above
the largest value (``y_limit`` caps it, e.g. at 100 % for shares), so a 27 % series
does not lie flat on a 0–100 % axis.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

WIDTH = 640
HEIGHT = 240
FONT = 12  # text size in SVG units: ~12 px where the wide chart is drawn ~640 px wide
PAD_RIGHT, PAD_TOP = 12, 12
MAX_X_LABELS = 8
TICKS = 4  # steps of the y axis: TICKS + 1 labels from 0
# The phone variant: 330 units in a ~324 px box at 390 px (13.7 px text; 12.5 px at 360 px).
NARROW = {"width": 330, "height": 240, "font": 14, "max_labels": 4}


@dataclass(frozen=True)
class Series:
    """One line: a name for the legend and one value (or None) per x label."""

    name: str
    values: tuple[float | None, ...]


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 x 10^k that is >= ``value`` (axis maxima people read)."""
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        candidate = step * 10**exponent
        if candidate >= value * (1 - 1e-12):
            return float(candidate)
    return float(10 ** (exponent + 1))  # pragma: no cover - the loop always returns


def ticks(maximum: float, count: int = TICKS) -> list[float]:
    """``count + 1`` evenly spaced ticks from 0 to ``maximum``."""
    return [maximum * i / count for i in range(count + 1)]


def _label_step(n: int, max_labels: int = MAX_X_LABELS) -> int:
    return max(1, math.ceil(n / max_labels))


def _scale(known: Sequence[float], y_max: float | None, y_limit: float | None,
           whole: bool = False) -> float:
    """The axis maximum: fixed, or a round number above the data (capped at ``y_limit``).

    ``whole``: the values are whole numbers (đồng) shown without decimals, so every tick
    must be one too: no top of 1 (ticks 0.25 apart, read "0, 0, 0, 1, 1" when nothing
    came in) or 10 (2.5 apart).
    """
    if y_max is not None:
        return y_max
    top = nice_ceiling(max(known))
    if whole:
        top = max(top, float(TICKS))
        while top % TICKS:
            top = nice_ceiling(top * 1.01)  # the next round number
    return min(top, y_limit) if y_limit is not None else top


def _attrs(**values: object) -> str:
    return " ".join(f'{k.rstrip("_").replace("_", "-")}="{escape(v)}"' for k, v in values.items())


class _Frame:
    """Maps data coordinates to the plot area inside the padding."""

    def __init__(self, n: int, y_max: float, width: int, height: int, font: float,
                 y_format: Callable[[float], str]) -> None:
        self.n, self.y_max, self.font = n, y_max, font
        # Room for the longest y label (about 0.6 em a character) and the x labels below.
        longest = max(len(y_format(tick)) for tick in ticks(y_max))
        self.left = math.ceil(longest * 0.6 * font + 10)
        self.right = width - PAD_RIGHT
        self.top, self.bottom = PAD_TOP, height - math.ceil(font * 2 + 6)

    @property
    def slot(self) -> float:
        return (self.right - self.left) / max(self.n, 1)

    def x(self, i: int) -> float:
        return self.left + self.slot * (i + 0.5)

    def y(self, value: float) -> float:
        share = min(max(value / self.y_max, 0.0), 1.0)
        return self.bottom - share * (self.bottom - self.top)


def _open(chart_id: str, title: str, width: int, height: int, css: str,
          font: float = FONT) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" {_attrs(viewBox=f"0 0 {width} {height}")} '
        f'{_attrs(class_=f"chart {css}", role="img", aria_labelledby=f"{chart_id}-title")} '
        f'{_attrs(font_size=font)}>',
        f'<title {_attrs(id=f"{chart_id}-title")}>{escape(title)}</title>',
    ]


def _axes(frame: _Frame, labels: Sequence[str], y_format: Callable[[float], str],
          max_labels: int = MAX_X_LABELS) -> list[str]:
    parts = ['<g class="axis">']
    for tick in ticks(frame.y_max):
        y = round(frame.y(tick), 1)
        parts.append(f'<line {_attrs(class_="grid", x1=frame.left, x2=frame.right, y1=y, y2=y)}/>')
        parts.append(
            f'<text {_attrs(class_="y-label", x=frame.left - 6, y=round(y + frame.font / 3, 1), text_anchor="end")}>'  # noqa: E501
            f"{escape(y_format(tick))}</text>"
        )
    step = _label_step(len(labels), max_labels)
    for i, label in enumerate(labels):
        if i % step == 0:
            x = round(frame.x(i), 1)
            parts.append(
                f'<text {_attrs(class_="x-label", x=x, y=round(frame.bottom + frame.font * 1.5, 1), text_anchor="middle")}>'  # noqa: E501
                f"{escape(label)}</text>"
            )
    parts.append(
        f'<line {_attrs(class_="baseline", x1=frame.left, x2=frame.right, y1=frame.bottom, y2=frame.bottom)}/>'  # noqa: E501
    )
    parts.append("</g>")
    return parts


def _empty(chart_id: str, title: str, message: str, width: int, height: int,
           font: float = FONT) -> Markup:
    parts = _open(chart_id, title, width, height, "chart-empty", font)
    parts.append(
        f'<text {_attrs(class_="empty", x=width / 2, y=height / 2, text_anchor="middle")}>'
        f"{escape(message)}</text></svg>"
    )
    return Markup("".join(parts))


def bar_chart(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    y_format: Callable[[float], str],
    value_format: Callable[[float | None], str] | None = None,
    y_max: float | None = None,
    y_limit: float | None = None,
    whole: bool = False,
    empty_text: str = "No data",
    width: int = WIDTH,
    height: int = HEIGHT,
    font: float = FONT,
    max_labels: int = MAX_X_LABELS,
) -> Markup:
    """Vertical bars, one per label; ``y_max`` fixes the scale (1.0 for shares); ``whole``
    keeps the ticks whole numbers (money)."""
    if len(labels) != len(values):
        raise ValueError(f"{len(labels)} labels but {len(values)} values")
    known = [v for v in values if v is not None]
    if not known:
        return _empty(chart_id, title, empty_text, width, height, font)
    frame = _Frame(len(values), _scale(known, y_max, y_limit, whole), width, height, font,
                   y_format)
    show = value_format or y_format
    parts = _open(chart_id, title, width, height, "chart-bars", font)
    parts += _axes(frame, labels, y_format, max_labels)
    bar_width = round(max(frame.slot * 0.7, 1.0), 1)
    parts.append('<g class="bars">')
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        if value is None:
            continue
        y = round(frame.y(value), 1)
        x = round(frame.x(i) - bar_width / 2, 1)
        height_px = round(frame.bottom - y, 1)
        parts.append(
            f'<rect {_attrs(class_="bar", x=x, y=y, width=bar_width, height=height_px)}>'
            f"<title>{escape(label)}: {escape(show(value))}</title></rect>"
        )
    parts.append("</g></svg>")
    return Markup("".join(parts))


def line_chart(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    y_format: Callable[[float], str],
    value_format: Callable[[float | None], str] | None = None,
    y_max: float | None = None,
    y_limit: float | None = None,
    empty_text: str = "No data",
    width: int = WIDTH,
    height: int = HEIGHT,
    font: float = FONT,
    max_labels: int = MAX_X_LABELS,
) -> Markup:
    """One polyline per series, with a dot per known value; None breaks the line."""
    for s in series:
        if len(s.values) != len(labels):
            raise ValueError(
                f"series {s.name!r} has {len(s.values)} values for {len(labels)} labels"
            )
    known = [v for s in series for v in s.values if v is not None]
    if not known:
        return _empty(chart_id, title, empty_text, width, height, font)
    frame = _Frame(len(labels), _scale(known, y_max, y_limit), width, height, font, y_format)
    show = value_format or y_format
    parts = _open(chart_id, title, width, height, "chart-lines", font)
    parts += _axes(frame, labels, y_format, max_labels)
    for number, s in enumerate(series, start=1):
        parts.append(f'<g {_attrs(class_=f"series series-{number}")}>')
        points = [
            (round(frame.x(i), 1), round(frame.y(v), 1)) if v is not None else None
            for i, v in enumerate(s.values)
        ]
        path = _path(points)
        if path:
            parts.append(f'<path {_attrs(class_="line", d=path, fill="none")}/>')
        for (x_y, value, label) in zip(points, s.values, labels, strict=True):
            if x_y is None or value is None:
                continue
            parts.append(
                f'<circle {_attrs(class_="dot", cx=x_y[0], cy=x_y[1], r=3)}>'
                f"<title>{escape(s.name)}, {escape(label)}: {escape(show(value))}</title>"
                "</circle>"
            )
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))


def _path(points: Sequence[tuple[float, float] | None]) -> str:
    """``M``/``L`` commands; a None starts a new segment (an undefined value is a gap)."""
    commands: list[str] = []
    previous = None
    for point in points:
        if point is not None:
            commands.append(f"{'L' if previous is not None else 'M'}{point[0]} {point[1]}")
        previous = point
    return "".join(commands)


def meter(value: float | None, maximum: float, *, title: str, width: int = 120,
          css: str = "meter") -> Markup:
    """A small horizontal bar for table cells (a share, or a count against a target)."""
    share = 0.0 if value is None or maximum <= 0 else min(max(value / maximum, 0.0), 1.0)
    filled = round(share * width, 1)
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" {_attrs(viewBox=f"0 0 {width} 10")} '
        f'{_attrs(class_=css, role="img", aria_label=title, preserveAspectRatio="none")}>'
        f'<title>{escape(title)}</title>'
        f'<rect {_attrs(class_="meter-track", width=width, height=10, rx=2)}/>'
        f'<rect {_attrs(class_="meter-fill", width=filled, height=10, rx=2)}/></svg>'
    )


def responsive(draw: Callable[..., Markup], chart_id: str, *args: Any, **kwargs: Any) -> Markup:
    """``draw`` (bar_chart or line_chart) twice: wide for desktops, narrow for phones."""
    wide = draw(chart_id, *args, **kwargs)
    narrow = draw(f"{chart_id}-narrow", *args, **(kwargs | NARROW))
    return Markup(
        f'<div class="chart-box"><div class="chart-wide">{wide}</div>'
        f'<div class="chart-narrow">{narrow}</div></div>'
    )


def legend_pairs(series: Sequence[Series]) -> list[tuple[int, str]]:
    """(series number, name) for an HTML legend whose swatches share the series' classes."""
    return [(n, s.name) for n, s in enumerate(series, start=1)]


__all__ = [
    "Series", "bar_chart", "legend_pairs", "line_chart", "meter", "nice_ceiling", "responsive",
    "ticks",
]
