"""The server-side SVG charts: valid XML, bars and points where the data says, gaps for None."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from market40.web.charts import Series, bar_chart, line_chart, meter, nice_ceiling, ticks

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))


def pct(value: float) -> str:
    return f"{value * 100:.0f}%"


def bars(root: ET.Element) -> list[ET.Element]:
    return root.findall(f".//{SVG}rect[@class='bar']")


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, 1.0), (0.8, 1.0), (1, 1.0), (1.2, 2.0), (2.2, 2.5), (3, 5.0), (7, 10.0),
     (1_234_567, 2_000_000.0), (45_000, 50_000.0)],
)
def test_nice_ceiling(value, expected):
    assert nice_ceiling(value) == expected


def test_ticks_are_even_from_zero():
    assert ticks(1.0) == [0.0, 0.25, 0.5, 0.75, 1.0]


@pytest.mark.parametrize("largest", [0, 1, 3, 7, 10, 25, 180, 45_000])
def test_whole_values_get_whole_distinct_ticks(largest):
    root = parse(bar_chart("c", "đ", ["a", "b"], [0, largest], y_format=lambda v: f"{v:g}",
                           whole=True))
    labels = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "y-label"]
    assert len(set(labels)) == 5 and all(label.isdigit() for label in labels), labels
    assert int(labels[-1]) >= largest


def test_bar_heights_are_proportional_to_values():
    root = parse(bar_chart("c", "Share", ["a", "b", "c"], [0.25, 1.0, 0.5], y_format=pct,
                           y_max=1.0))
    heights = [float(b.get("height")) for b in bars(root)]
    assert len(heights) == 3
    assert heights[1] == pytest.approx(4 * heights[0], rel=0.01)
    assert heights[2] == pytest.approx(2 * heights[0], rel=0.01)
    # Every bar says its value in a tooltip.
    assert [b.find(f"{SVG}title").text for b in bars(root)] == ["a: 25%", "b: 100%", "c: 50%"]


def test_undefined_values_draw_no_bar_and_zero_draws_an_empty_one():
    root = parse(bar_chart("c", "Share", ["a", "b", "c"], [None, 0.0, 0.5], y_format=pct,
                           y_max=1.0))
    drawn = bars(root)
    assert len(drawn) == 2
    assert float(drawn[0].get("height")) == 0


def test_values_above_the_scale_are_clipped_to_the_plot():
    root = parse(bar_chart("c", "t", ["a"], [3.0], y_format=pct, y_max=1.0))
    bar = bars(root)[0]
    assert float(bar.get("y")) >= 0


def test_the_scale_follows_the_largest_value_when_not_fixed():
    root = parse(bar_chart("c", "Sales", ["a", "b"], [45_000, 1_234_567], y_format=str))
    labels = [t.text for t in root.findall(f".//{SVG}text[@class='y-label']")]
    assert labels[0] == "0.0" and labels[-1] == "2000000.0"


def test_no_data_renders_a_message_not_an_empty_axis():
    root = parse(bar_chart("c", "t", ["a", "b"], [None, None], y_format=pct,
                           empty_text="Chưa có số liệu"))
    assert bars(root) == []
    assert root.find(f".//{SVG}text[@class='empty']").text == "Chưa có số liệu"


def test_labels_are_escaped():
    root = parse(bar_chart("c", "<script>", ["<b>&"], [1.0], y_format=pct, y_max=1.0))
    assert root.find(f"{SVG}title").text == "<script>"
    assert "<b>&" in bars(root)[0].find(f"{SVG}title").text


def test_mismatched_lengths_are_an_error():
    with pytest.raises(ValueError, match="2 labels but 1 values"):
        bar_chart("c", "t", ["a", "b"], [1.0], y_format=pct)
    with pytest.raises(ValueError, match="has 1 values for 2 labels"):
        line_chart("c", "t", ["a", "b"], [Series("s", (1.0,))], y_format=pct)


def test_x_labels_are_thinned_on_long_series():
    labels = [f"{d:02d}/05" for d in range(1, 31)]
    root = parse(bar_chart("c", "t", labels, [0.5] * 30, y_format=pct, y_max=1.0))
    shown = root.findall(f".//{SVG}text[@class='x-label']")
    assert 4 <= len(shown) <= 8
    assert shown[0].text == "01/05"


def test_line_chart_breaks_at_undefined_values():
    series = [Series("coverage", (0.1, 0.2, None, 0.4, 0.5)), Series("cashless", (0.3,) * 5)]
    root = parse(line_chart("t", "Trend", list("abcde"), series, y_format=pct, y_max=1.0))
    groups = root.findall(f".//{SVG}g")
    first = next(g for g in groups if "series-1" in (g.get("class") or ""))
    path = first.find(f"{SVG}path").get("d")
    assert path.count("M") == 2 and path.count("L") == 2  # a-b, then d-e
    assert len(first.findall(f"{SVG}circle")) == 4
    second = next(g for g in groups if "series-2" in (g.get("class") or ""))
    assert second.find(f"{SVG}path").get("d").count("M") == 1


def test_line_points_rise_with_their_values():
    root = parse(line_chart("t", "T", ["a", "b"], [Series("s", (0.0, 1.0))], y_format=pct,
                            y_max=1.0))
    low, high = (float(c.get("cy")) for c in root.findall(f".//{SVG}circle"))
    assert high < low  # SVG y grows downwards


def test_charts_carry_no_style_attributes_or_scripts():
    """A Content-Security-Policy without 'unsafe-inline' must render them unchanged."""
    markup = str(line_chart("t", "T", ["a"], [Series("s", (0.5,))], y_format=pct))
    markup += str(bar_chart("b", "B", ["a"], [0.5], y_format=pct))
    markup += str(meter(3, 10, title="3/10"))
    assert "style=" not in markup and "<script" not in markup and "on" + "load" not in markup
    for chart in (markup,):
        assert chart.count("<svg") == 3


def test_meter_fills_its_share_and_caps_at_full():
    def filled(svg) -> float:
        return float(parse(svg).findall(f"{SVG}rect")[1].get("width"))

    assert filled(meter(3, 12, title="t", width=120)) == 30
    assert filled(meter(20, 12, title="t", width=120)) == 120
    assert filled(meter(None, 12, title="t", width=120)) == 0
    assert filled(meter(1, 0, title="t", width=120)) == 0


def test_the_axis_fits_the_data_up_to_its_limit():
    low = parse(bar_chart("c", "t", ["a", "b"], [0.27, 0.1], y_format=pct, y_limit=1.0))
    labels = [t.text for t in low.iter(f"{SVG}text") if t.get("class") == "y-label"]
    assert labels[-1] == pct(0.5)  # 27 % on a 0-50 % axis, not a flat line on 0-100 %
    high = parse(bar_chart("c", "t", ["a"], [0.97], y_format=pct, y_limit=1.0))
    labels = [t.text for t in high.iter(f"{SVG}text") if t.get("class") == "y-label"]
    assert labels[-1] == pct(1.0)  # never past the limit


def test_responsive_draws_a_wide_and_a_narrow_chart_with_larger_text():
    from market40.web.charts import NARROW, responsive

    html = str(responsive(bar_chart, "c", "t", [str(i) for i in range(30)], [0.5] * 30,
                          y_format=pct, y_limit=1.0))
    wide, narrow = re.findall(r"<svg .*?</svg>", html, re.S)
    assert 'id="c-title"' in wide and 'id="c-narrow-title"' in narrow
    assert 'font-size="14"' in narrow and f'viewBox="0 0 {NARROW["width"]} ' in narrow
    narrow_labels = [t for t in parse(narrow).iter(f"{SVG}text") if t.get("class") == "x-label"]
    assert len(narrow_labels) <= NARROW["max_labels"]
