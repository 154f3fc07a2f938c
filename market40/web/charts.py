"""Charts as inline SVG, drawn on the server: no JavaScript, no CDN, nothing to load.

Colours and fonts come from the stylesheet through class names (``chart``, ``series-1``,
``bar``, ``axis``, ...), never from ``style`` attributes, so a strict Content-Security-Policy
(no ``'unsafe-inline'``) renders them unchanged. Geometry uses SVG presentation
attributes, which CSP does not restrict. Every value is in a ``<title>`` (a tooltip on
desktop, read out by screen readers), and the caller shows the same figures in a table.

A value of ``None`` is "undefined" (a ratio with a zero denominator): a gap in a line,
no bar, never a zero.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 640
HEIGHT = 240
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 56, 12, 12, 40
MAX_X_LABELS = 8


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


def ticks(maximum: float, count: int = 4) -> list[float]:
    """``count + 1`` evenly spaced ticks from 0 to ``maximum``."""
    return [maximum * i / count for i in range(count + 1)]


def _label_step(n: int) -> int:
    return max(1, math.ceil(n / MAX_X_LABELS))


def _attrs(**values: object) -> str:
    return " ".join(f'{k.rstrip("_").replace("_", "-")}="{escape(v)}"' for k, v in values.items())


class _Frame:
    """Maps data coordinates to the plot area inside the padding."""

    def __init__(self, n: int, y_max: float, width: int, height: int) -> None:
        self.n, self.y_max = n, y_max
        self.left, self.right = PAD_LEFT, width - PAD_RIGHT
        self.top, self.bottom = PAD_TOP, height - PAD_BOTTOM

    @property
    def slot(self) -> float:
        return (self.right - self.left) / max(self.n, 1)

    def x(self, i: int) -> float:
        return self.left + self.slot * (i + 0.5)

    def y(self, value: float) -> float:
        share = min(max(value / self.y_max, 0.0), 1.0)
        return self.bottom - share * (self.bottom - self.top)


def _open(chart_id: str, title: str, width: int, height: int, css: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" {_attrs(viewBox=f"0 0 {width} {height}")} '
        f'{_attrs(class_=f"chart {css}", role="img", aria_labelledby=f"{chart_id}-title")}>',
        f'<title {_attrs(id=f"{chart_id}-title")}>{escape(title)}</title>',
    ]


def _axes(frame: _Frame, labels: Sequence[str], y_format: Callable[[float], str]) -> list[str]:
    parts = ['<g class="axis">']
    for tick in ticks(frame.y_max):
        y = round(frame.y(tick), 1)
        parts.append(f'<line {_attrs(class_="grid", x1=frame.left, x2=frame.right, y1=y, y2=y)}/>')
        parts.append(
            f'<text {_attrs(class_="y-label", x=frame.left - 6, y=y + 4, text_anchor="end")}>'
            f"{escape(y_format(tick))}</text>"
        )
    step = _label_step(len(labels))
    for i, label in enumerate(labels):
        if i % step == 0:
            x = round(frame.x(i), 1)
            parts.append(
                f'<text {_attrs(class_="x-label", x=x, y=frame.bottom + 18, text_anchor="middle")}>'
                f"{escape(label)}</text>"
            )
    parts.append(
        f'<line {_attrs(class_="baseline", x1=frame.left, x2=frame.right, y1=frame.bottom, y2=frame.bottom)}/>'  # noqa: E501
    )
    parts.append("</g>")
    return parts


def _empty(chart_id: str, title: str, message: str, width: int, height: int) -> Markup:
    parts = _open(chart_id, title, width, height, "chart-empty")
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
    empty_text: str = "No data",
    width: int = WIDTH,
    height: int = HEIGHT,
) -> Markup:
    """Vertical bars, one per label; ``y_max`` fixes the scale (1.0 for shares)."""
    if len(labels) != len(values):
        raise ValueError(f"{len(labels)} labels but {len(values)} values")
    known = [v for v in values if v is not None]
    if not known:
        return _empty(chart_id, title, empty_text, width, height)
    top = y_max if y_max is not None else nice_ceiling(max(known))
    frame = _Frame(len(values), top, width, height)
    show = value_format or y_format
    parts = _open(chart_id, title, width, height, "chart-bars")
    parts += _axes(frame, labels, y_format)
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
    empty_text: str = "No data",
    width: int = WIDTH,
    height: int = HEIGHT,
) -> Markup:
    """One polyline per series, with a dot per known value; None breaks the line."""
    for s in series:
        if len(s.values) != len(labels):
            raise ValueError(
                f"series {s.name!r} has {len(s.values)} values for {len(labels)} labels"
            )
    known = [v for s in series for v in s.values if v is not None]
    if not known:
        return _empty(chart_id, title, empty_text, width, height)
    top = y_max if y_max is not None else nice_ceiling(max(known))
    frame = _Frame(len(labels), top, width, height)
    show = value_format or y_format
    parts = _open(chart_id, title, width, height, "chart-lines")
    parts += _axes(frame, labels, y_format)
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


def legend_pairs(series: Sequence[Series]) -> list[tuple[int, str]]:
    """(series number, name) for an HTML legend whose swatches share the series' classes."""
    return [(n, s.name) for n, s in enumerate(series, start=1)]


__all__ = ["Series", "bar_chart", "legend_pairs", "line_chart", "meter", "nice_ceiling", "ticks"]
