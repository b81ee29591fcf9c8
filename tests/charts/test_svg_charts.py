"""The SVG chart writer: tick choice, scales, escaping, and a well-formed document."""

from xml.etree import ElementTree

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kit.charts.svg import (
    Scale,
    Svg,
    fit,
    label_margin,
    legend_height,
    nice_ticks,
    text_width,
    tick_label,
    value_axis,
)


@pytest.mark.parametrize(
    "low, high, expect",
    [
        (-12, 5, [-10, -5, 0, 5]),
        (0, 100, [0, 20, 40, 60, 80, 100]),
        (-11.5, 11.5, [-10, -5, 0, 5, 10]),
        (0, 1, [0, 0.2, 0.4, 0.6, 0.8, 1]),
        (3, 3, [3]),
    ],
)
def test_nice_ticks_by_hand(low, high, expect):
    assert nice_ticks(low, high) == pytest.approx(expect)


@given(st.floats(-1e4, 1e4), st.floats(0.01, 1e4))
def test_nice_ticks_are_inside_the_range_evenly_spaced_and_few(low, span):
    ticks = nice_ticks(low, low + span)
    assert 2 <= len(ticks) <= 11
    assert all(low - 1e-6 * span <= t <= low + span + 1e-6 * span for t in ticks)
    steps = {round(b - a, 9) for a, b in zip(ticks, ticks[1:], strict=False)}
    assert max(steps) - min(steps) <= 1e-6 * span


def test_scale_maps_ends_and_flips_for_a_y_axis():
    y = Scale(-10, 5, 200, 50)  # data up is the page up: smaller y
    assert (y(-10), y(5), y(0)) == (200, 50, 100)


def test_tick_labels_use_a_minus_sign_and_no_trailing_zero():
    assert [tick_label(v) for v in (-5.0, 0.0, 2.5, 10.0)] == ["\u22125", "0", "2.5", "10"]


def test_text_is_escaped_and_the_document_is_well_formed():
    svg = Svg(7.0, 2.0)
    svg.title("Grade 3 <ELA> & more")
    svg.text(10, 10, '<script>alert("x")</script>')
    svg.legend([("A & B", "#000000"), ("C", "#ffffff")], bottom=8)
    value_axis(svg, Scale(0, 100, 40, 480), at=100, vertical=False, label="Percent")
    doc = svg.to_string('Alt "text" <b>')
    assert "<script>" not in doc
    root = ElementTree.fromstring(doc)
    ns = "{http://www.w3.org/2000/svg}"
    texts = [t.text for t in root.iter(f"{ns}text")]
    assert '<script>alert("x")</script>' in texts and "A & B" in texts
    assert root.find(f"{ns}title").text == 'Alt "text" <b>'
    assert root.get("width") == "7in" and root.get("viewBox") == "0 0 504 144"
    assert [t for t in texts if t in {"0", "20", "40", "60", "80", "100"}] == [
        "0",
        "20",
        "40",
        "60",
        "80",
        "100",
    ]


def test_legend_rows_and_text_width():
    assert legend_height(0) == 0 and legend_height(3) == legend_height(1) == 7 * 1.6
    assert legend_height(4) == 2 * 7 * 1.6
    assert text_width("E3-20", 10) == pytest.approx(29.0)


def test_odd_values_give_a_valid_document_not_an_error():
    assert nice_ticks(float("nan"), 5) == [] and tick_label(float("nan")) == ""
    assert len(nice_ticks(1e16, 1e16 + 1)) <= 14  # a step below float resolution ends
    svg = Svg(7.0, 1.0)
    svg.text(0, 0, "tab\there, bell\x07, nul\x00")
    svg.rect(10, 10, float("nan"), -5, "#000000")
    root = ElementTree.fromstring(svg.to_string("alt\x0b"))
    ns = "{http://www.w3.org/2000/svg}"
    assert root.find(f"{ns}text").text == "tab\there, bell, nul"
    rect = root.find(f"{ns}rect")
    assert rect.get("width") == "0" and rect.get("y") == "5" and rect.get("height") == "5"


def test_long_labels_are_shortened_and_the_margin_capped():
    labels = ["Short", "A very long group label " * 6]
    margin = label_margin(labels, 9, 504)
    assert margin == pytest.approx(0.4 * 504)
    short = fit(labels[1], 9, margin - 8)
    assert short.endswith("\u2026") and text_width(short, 9) <= margin - 8
    assert fit("Short", 9, margin - 8) == "Short"
    assert label_margin(["Short"], 9, 504) == pytest.approx(text_width("Short", 9) + 14.4)
