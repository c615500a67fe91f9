"""Property tests (hypothesis): the lesson figures of notebooks 01, 05 and 06 at the extremes of
every slider (issue 11, "Figures behave at the extremes").

Each test drives the lesson's own slider widgets over their whole ranges (the ends included)
and checks the Bokeh models, headless: every ColumnDataSource column is finite; each range
that the lesson sets holds the data the user is asked to look at (the ratio curve, the
spectrum above threshold, the bars and their labels, the sterile-neutrino star); the T_max and
qR < 1 labels stay inside the frame and off the curves.

Pixel sizes are estimated for a figure at its natural size (frame = figure less about 120 px
of axis, title and toolbar across and 80 px down; 0.52 em a character, measured in Chromium
at 0.49): the checks are
geometric, not a rendering.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cevns_widgets.widgets.lessons import CrossSectionLesson, DesignerLesson, NewPhysicsLesson
from cevns_widgets.widgets.lessons.design import MIN_BAR_FRACTION, NO_EVENTS_LABEL
from cevns_widgets.widgets.lessons.new_physics import DISTANCES_m, T_MIN_RATIO_keVnr
from cevns_widgets.widgets.units import threshold_keVnr

EXTREMES = settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))

#: A position along a slider, 0 (its low end) to 1 (its high end), the ends drawn often.
fractions = st.one_of(st.sampled_from([0.0, 1.0]), st.floats(0.0, 1.0))


# --------------------------------------------------------------------------- helpers


@functools.cache
def lesson(cls):
    """One lesson per class for the whole module (each example sets every slider)."""
    return cls()


def move(slider, fraction: float) -> None:
    """Put a (log) slider at ``fraction`` of its range."""
    value = slider.min + fraction * (slider.max - slider.min)
    slider.value = 10**value if hasattr(slider, "base") else value


def assert_sources_finite(obj) -> None:
    for name, src in obj.sources.items():
        for column, values in src.data.items():
            arr = np.asarray(values)
            if arr.dtype.kind in "fiu":
                assert np.all(np.isfinite(arr)), f"{name}.{column} is not finite"


def frame_px(fig) -> tuple[float, float]:
    return fig.width - 120.0, fig.height - 80.0


def font_px(size: str) -> float:
    return float(size.removesuffix("pt")) * 4 / 3


def text_px(text: str, size: str) -> float:
    return 0.52 * font_px(size) * len(text)


def legend_px(fig) -> tuple[float, float]:
    legend = fig.legend[0]
    items = [item.label.value for item in legend.items]
    width = text_px(max(items, key=len), legend.label_text_font_size) + 40
    return width, len(items) * legend.label_height + 2 * (legend.padding + legend.margin)


def in_range(rng, values, *, tol: float = 1e-9) -> bool:
    values = np.asarray(values, dtype=float)
    span = abs(rng.end - rng.start)
    return bool(np.all(values >= rng.start - tol * span) and np.all(values <= rng.end + tol * span))


# --------------------------------------------------------------------------- notebook 01


@EXTREMES
@given(nucleus=st.integers(0, 11), energy=fractions)
def test_cross_section_labels_stay_in_the_frame_and_off_the_curves(nucleus, energy):
    xs = lesson(CrossSectionLesson)
    options = xs.nucleus_slider.options
    xs.nucleus_slider.value = options[min(nucleus, len(options) - 1)][1]
    move(xs.energy_slider, energy)
    assert not xs.error
    assert_sources_finite(xs)
    assert_sources_finite(xs.form_factor)

    fig, d, c = xs.figures["xs_dsigma"], xs.data("xs_dsigma"), xs.coherence()
    T, helm, point = (np.asarray(d[k]) for k in ("T", "helm", "point"))
    top = max(helm.max(), point.max())
    assert fig.x_range.start == 0 and in_range(fig.x_range, T)
    assert fig.y_range.start == 0 and in_range(fig.y_range, [0.0, top])
    width, height = frame_px(fig)
    legend_w, legend_h = legend_px(fig)
    x_span, y_span = fig.x_range.end - fig.x_range.start, fig.y_range.end - fig.y_range.start

    # T_max: upright, right of its line, where both curves are zero, under the legend
    label = xs.tmax_label
    assert label.x == pytest.approx(c["t_max"]) and in_range(fig.x_range, [label.x])
    assert np.all(helm[T > c["t_max"] * (1 + 1e-9)] == 0)
    assert np.all(point[T > c["t_max"] * (1 + 1e-9)] == 0)
    room_right = (fig.x_range.end - label.x) / x_span * width
    assert label.x_offset + 1.2 * font_px(label.text_font_size) <= room_right
    assert label.y + text_px(label.text, label.text_font_size) <= height - legend_h

    # qR < 1: above the curves' peak, below the frame's top, clear of the legend
    label = xs.coh_label
    assert label.y >= top
    assert (fig.y_range.end - label.y) / y_span * height >= 1.2 * font_px(label.text_font_size)
    assert label.x == fig.x_range.start
    assert label.x_offset + text_px(label.text, label.text_font_size) + legend_w <= width
    assert "e+" not in label.text


# --------------------------------------------------------------------------- notebook 06


@EXTREMES
@given(
    sin2w=fractions,
    eps_u=fractions,
    eps_d=fractions,
    moment=fractions,
    dm2=fractions,
    mixing=fractions,
    distance=fractions,
)
def test_new_physics_ranges_follow_the_data(sin2w, eps_u, eps_d, moment, dm2, mixing, distance):
    np_ = lesson(NewPhysicsLesson)
    knobs = np_.knobs
    for key, f in (
        ("sin2w", sin2w),
        ("eps_u_ee", eps_u),
        ("eps_d_ee", eps_d),
        ("magnetic_moment_muB", moment),
        ("sterile_dm2_eV2", dm2),
        ("sterile_sin2_2theta", mixing),
    ):
        move(knobs[key].slider, f)
    move(np_.distance.slider, distance)
    assert not np_.error
    assert_sources_finite(np_)
    s = np_.model.scenario

    # the ratio: the whole curve, and the Standard Model's 1, in view
    ratio_fig, ratio = np_.figures["np_ratio"], np_.data("np_ratio")
    assert ratio["ratio"].size and in_range(ratio_fig.y_range, [*ratio["ratio"], 1.0])
    assert in_range(ratio_fig.x_range, ratio["T"])
    assert ratio_fig.y_range.start >= 0

    # the spectrum: the Standard Model and the modified spectrum above threshold in view,
    # and the part above threshold not flattened by the magnetic moment's 1/T spike
    fig, d = np_.figures["np_spectrum"], np_.data("np_spectrum")
    T, sm, new = (np.asarray(d[k]) for k in ("T", "sm", "new"))
    above = T >= max(threshold_keVnr(s), T_MIN_RATIO_keVnr)
    assert fig.y_range.start == 0
    assert in_range(fig.y_range, [*sm, *new[above]])
    assert max(sm[above].max(), new[above].max()) >= 0.35 * fig.y_range.end

    # the sterile neutrino: the star and both curves in view at any distance
    fig, now = np_.figures["np_distance"], np_.data("np_distance_now")
    dist = np_.data("np_distance")
    assert now["L"][0] == pytest.approx(s.distance_m)
    assert in_range(fig.x_range, now["L"]) and in_range(fig.y_range, now["events"])
    assert in_range(fig.y_range, [*dist["events"], *dist["prompt"]])
    assert DISTANCES_m[0] <= s.distance_m <= DISTANCES_m[-1]


def test_new_physics_numbers_of_the_issue():
    """sin²θ_W = 0.30 (the notebook's example) and μ_ν = 5e-10 μ_B, as measured."""
    np_ = NewPhysicsLesson()
    np_.knobs["sin2w"].slider.value = 0.30
    r = np_.figures["np_ratio"].y_range
    assert r.start == 0.8 and 1.397 < r.end < 1.45  # the curve at 1.393-1.397
    np_._on_reset(None)
    np_.knobs["magnetic_moment_muB"].slider.value = 5.0
    d = np_.data("np_spectrum")
    assert d["new"].max() > 5e4  # the 1/T spike at the first bin
    assert np_.figures["np_spectrum"].y_range.end < 200  # was a 60 000 axis


# --------------------------------------------------------------------------- notebook 05


@EXTREMES
@given(
    preset=st.integers(0, 50),
    target=st.integers(0, 50),
    mass=fractions,
    distance=fractions,
    exposure=fractions,
    threshold=fractions,
)
def test_designer_bars_and_n_squared_stay_in_view(
    preset, target, mass, distance, exposure, threshold
):
    de = lesson(DesignerLesson)
    presets = [v for _, v in de.preset.dropdown.options]
    de.preset.dropdown.value = presets[preset % len(presets)]
    targets = [v for _, v in de.target.dropdown.options if v != "other"]
    de.target.dropdown.value = targets[target % len(targets)]
    move(de.mass.slider, mass)
    move(de.distance.slider, distance)
    move(de.exposure.slider, exposure)
    move(de.threshold.slider, threshold)
    assert not de.error, de.error
    assert_sources_finite(de)

    fig, d = de.figures["design_targets"], de.data("design_targets")
    events = np.asarray(d["events"])
    assert np.all(events >= 0)
    assert fig.x_range.start == 0 and in_range(fig.x_range, events)
    width, _ = frame_px(fig)
    x_span = fig.x_range.end - fig.x_range.start
    for n, label, line in zip(events, d["label"], d["line"], strict=True):
        if n == 0:
            assert label == NO_EVENTS_LABEL  # said, not a vanished bar
        else:
            # a bar too short to see is outlined in a colour (a sliver), never white
            assert n / x_span >= MIN_BAR_FRACTION or line != "white"
        # every label ends inside the frame
        assert n / x_span * width + 4 + text_px(label, "10pt") <= width

    # N²: every nucleus and the star inside the figure's ranges (zero cross sections are
    # drawn at the axis, not dropped)
    ns = de.figures["nsquared"]
    for name in ("nsquared_reference", "nsquared_current"):
        data = de.nsquared.data(name)
        y = data.get("y", data["sigma"])
        x = data.get("x", data["N"])
        assert np.all(np.isfinite(y)) and np.all(np.asarray(y) > 0), name
        if ns.x_range.start is not None and ns.x_range.end is not None:
            assert in_range(ns.x_range, x) and in_range(ns.y_range, y), name
