"""Tick labels for people: the Python twin of the axis formatter, and every figure uses it."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from cevns_widgets.widgets.ticks import format_ticks, humanize_axes

_SUPERSCRIPTS = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")


def parse(label: str) -> float:
    """A label back to a number: '1.5×10⁻³⁹' -> 1.5e-39, '12,500' -> 12500."""
    label = label.replace(",", "")
    if "10" in label and label.translate(_SUPERSCRIPTS) != label:
        if "×" in label:
            mantissa, power = label.split("×")
        else:
            mantissa, power = ("-1" if label.startswith("-") else "1"), label.lstrip("-")
        return float(mantissa) * 10.0 ** int(power[2:].translate(_SUPERSCRIPTS))
    return float(label)


def nice_ticks(exponent: int, step_digit: int, count: int, offset: int) -> list[float]:
    step = step_digit * 10.0**exponent
    return [float(f"{(offset + i) * step:.12g}") for i in range(count)]


@settings(max_examples=300, deadline=None)
@given(
    exponent=st.integers(-45, 25),
    step_digit=st.sampled_from([1, 2, 5, 25]),
    count=st.integers(2, 9),
    offset=st.integers(-4, 6),
)
def test_linear_labels_are_plain_distinct_and_faithful(exponent, step_digit, count, offset):
    ticks = nice_ticks(exponent, step_digit, count, offset)
    labels = format_ticks(ticks)
    assert not any("e" in label.lower() for label in labels), labels
    assert len(set(labels)) == len(labels), labels  # no two ticks read the same
    step = abs(ticks[1] - ticks[0])
    for tick, label in zip(ticks, labels, strict=True):
        assert math.isclose(parse(label), tick, rel_tol=1e-9, abs_tol=1e-3 * step), (tick, label)


@settings(max_examples=200, deadline=None)
@given(low=st.integers(-45, 20), decades=st.integers(1, 12))
def test_log_labels_are_powers_of_ten(low, decades):
    ticks = [10.0**p for p in range(low, low + decades + 1)]
    labels = format_ticks(ticks, log=True)
    assert not any("e" in label.lower() for label in labels), labels
    for tick, label in zip(ticks, labels, strict=True):
        assert math.isclose(parse(label), tick, rel_tol=1e-9), (tick, label)
        if not -3 <= round(math.log10(tick)) < 6:
            assert label.startswith("10"), label  # 10⁻³⁹, not 1×10⁻³⁹


def test_examples_from_the_issue():
    assert format_ticks([0, 2e5, 4e5, 6e5, 8e5]) == [
        "0",
        "200,000",
        "400,000",
        "600,000",
        "800,000",
    ]
    assert format_ticks([0, 1e-39, 2e-39, 3e-39]) == ["0", "1×10⁻³⁹", "2×10⁻³⁹", "3×10⁻³⁹"]
    assert format_ticks([0.8, 0.9, 1.0, 1.1]) == ["0.8", "0.9", "1.0", "1.1"]
    assert format_ticks([1e6, 2e6, 3e6]) == ["1×10⁶", "2×10⁶", "3×10⁶"]


def test_every_figure_axis_gets_the_formatter():
    """Every continuous axis of every explorer and lesson figure reads as people write."""
    from bokeh.models import ContinuousAxis, CustomJSTickFormatter

    from cevns_widgets.widgets import Explorer
    from cevns_widgets.widgets.lessons import DiscoveryLesson, NewPhysicsLesson

    owners = [Explorer(), DiscoveryLesson(), NewPhysicsLesson()]
    figures = [f.figure for f in owners[0].figures.values()]
    figures += [fig for lesson in owners[1:] for fig in lesson.figures.values()]
    for fig in figures:
        for axis in fig.select(type=ContinuousAxis):
            assert isinstance(axis.formatter, CustomJSTickFormatter), fig.title.text
    humanize_axes(figures[0])  # idempotent
    for owner in owners:
        owner.close()


def test_stacked_bars_have_patterns():
    """Stacked bars are told apart by pattern as well as colour (greyscale, projectors)."""
    from cevns_widgets.widgets.lessons import DiscoveryLesson

    lesson = DiscoveryLesson()
    for name in ("discovery_pe", "discovery_time"):
        glyphs = [
            r.glyph for r in lesson.figures[name].renderers if type(r.glyph).__name__ == "VBar"
        ]
        patterns = [g.hatch_pattern for g in glyphs]
        assert len(glyphs) >= 3 and len(set(patterns)) == len(patterns), patterns
    lesson.close()


def test_no_e_notation_in_any_widget_text_at_the_slider_ends():
    """Readouts, notes and tables read as people write numbers (1.0×10⁻⁴⁶, 10,000) with
    every slider of the explorer and of every lesson at either end."""
    import re

    import ipywidgets as W

    from cevns_widgets.widgets import Explorer, lessons

    e_notation = re.compile(r"(?<![\w#])\d(?:\.\d+)?[eE][+-]?\d")
    names = [n for n in lessons.__all__ if n.endswith("Lesson") and n != "Lesson"]

    def walk(widget):
        yield widget
        for child in getattr(widget, "children", ()):
            yield from walk(child)

    def offenders(root):
        for w in walk(root):
            if isinstance(w, W.HTML | W.Label):
                text = re.sub(r"<[^>]+>", " ", w.value)
                yield from (
                    text[max(0, m.start() - 30) : m.end() + 10] for m in e_notation.finditer(text)
                )

    for name in ["Explorer", *names]:
        owner = Explorer() if name == "Explorer" else getattr(lessons, name)()
        if name == "Explorer":
            owner.activate_all()
        kinds = W.FloatSlider | W.FloatLogSlider | W.IntSlider
        for s in [w for w in walk(owner.widget) if isinstance(w, kinds)]:
            assert "e" not in s.readout_format or not s.readout, (name, s.description)
            for end in (s.min, s.max):
                s.value = s.base**end if isinstance(s, W.FloatLogSlider) else end
                found = list(offenders(owner.widget))
                assert not found, (name, s.description, end, found)
        owner.close()
