"""The lessons of notebook 10 (what the data say), without a browser.

Each control is moved from Python, as the browser would, and the named Bokeh sources and
readouts are compared with :mod:`cevns_widgets.stats` computed here: the fits and their
projections, the NSI maps (a toggle draws another map; a click on the map or a slider
picks a point whose spectrum is the scan's template there), the planner's curve and days
to 3σ and 5σ, and the sin²θ_W profiles. Sources a control does not affect must not be
reassigned; bad input gives one line in the lesson's message and leaves state and figures
alone. The numbers quoted in the notebook's prose are checked against the library.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np
import pytest

from cevns_widgets.stats import csi2017, lar2020, nsi_scan, profile
from cevns_widgets.stats import fit as stats_fit
from cevns_widgets.stats import planner as planning
from cevns_widgets.widgets.lessons import (
    FitLesson,
    NSIMapLesson,
    PlannerLesson,
    ProfilesLesson,
)
from cevns_widgets.widgets.lessons import data_say as ds
from cevns_widgets.widgets.readout import format_events

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "10_what_the_data_say.ipynb"
#: Small grids, so that switching maps in a test stays quick.
SMALL = {ds.CSI: 21, ds.LAR: 11, ds.COMBINED: 7}


@pytest.fixture
def make():
    """Build lessons and close them after the test (their widgets leave the registry now,
    not whenever the garbage collector runs)."""
    made = []

    def build(cls, *args, **kwargs):
        made.append(cls(*args, **kwargs))
        return made[-1]

    yield build
    for lesson in made:
        lesson.close()


def _kept(lesson, names):
    """The data objects of ``names``: an unchanged object was not reassigned."""
    return {n: lesson.sources[n].data for n in names}


def _density_stairs(edges, per_bin):
    edges = np.asarray(edges, dtype=float)
    return np.repeat(np.asarray(per_bin) / np.diff(edges), 2)


# --------------------------------------------------------------------------- 1. the fits


@pytest.mark.parametrize("dataset", list(ds.FIT_DATASETS))
def test_projection_is_the_fit(dataset):
    p = ds.fit_projection(dataset)
    r = stats_fit(dataset)
    assert p.result.cevns_events == pytest.approx(r.cevns_events, rel=1e-9)
    # the fitted CEvNS of the projections is the fit's count, in both views
    for hist in (p.energy, p.time):
        assert hist.fitted.sum() == pytest.approx(r.cevns_events, rel=1e-9)
        assert hist.predicted.sum() == pytest.approx(r.sm_prediction, rel=1e-9)
        assert np.all(hist.error > 0)
    assert p.energy.residual.sum() == pytest.approx(p.time.residual.sum(), rel=1e-12)
    # the subtracted background is the fit's background (its nuisances, reported by stats)
    nz = r.nuisances
    if dataset == ds.CSI:
        background = nz["steady_state_events"] + nz["prompt_neutron_events"]
        data = float(csi2017.region().data.n.sum())
    elif dataset == ds.LAR:
        background = sum(nz[f"{k}_events"] for k in ("prompt_brn", "delayed_brn", "steady_state"))
        data = float(lar2020.model().counts.sum())
    else:
        background = nz["brn_events"] + nz["nin_events"] + nz["steady_state_events"]
        data = nz["coincidence_events"]
    assert p.energy.residual.sum() == pytest.approx(data - background, rel=1e-6)


def test_csi2017_residual_is_data_minus_fitted_background():
    """In the 2017 analysis region the residual is the beam-on coincidence counts minus the
    fitted steady state and prompt neutrons, which sum to the fit's CEvNS count within the
    Poisson fluctuations: the fit is good (138 events against a residual of about 139)."""
    p = ds.fit_projection(ds.CSI)
    assert p.energy.edges[0] == 6 and p.energy.edges[-1] == 30
    assert p.time.edges[-1] == 12
    assert p.energy.residual.sum() == pytest.approx(p.result.cevns_events, abs=5.0)
    # the published number is what the readout compares with
    assert p.result.published["cevns_events"] == 134


def test_fit_lesson_follows_the_dataset(make):
    lesson = make(FitLesson)
    assert lesson.dataset == ds.CSI and not lesson.error
    p = ds.fit_projection(ds.CSI)
    shown = lesson.data("fit_energy")
    np.testing.assert_allclose(shown["y"], p.energy.residual / p.energy.widths, rtol=1e-12)
    np.testing.assert_allclose(
        np.asarray(shown["hi"]) - shown["y"], p.energy.error / p.energy.widths, rtol=1e-12
    )
    model = lesson.data("fit_time_model")
    np.testing.assert_allclose(
        model["fitted"], _density_stairs(p.time.edges, p.time.fitted), rtol=1e-12
    )
    readout = lesson.readout.value
    assert "138 ± 24 events, 5.8σ" in readout and "134 ± 22" in readout and "6.7σ" in readout

    lesson.dataset_buttons.value = ds.LAR
    lar = ds.fit_projection(ds.LAR)
    assert lesson.dataset == ds.LAR
    np.testing.assert_allclose(lesson.data("fit_energy")["x"], lar.energy.centres)
    fig = lesson.figures["fit_energy"]
    assert fig.xaxis[0].axis_label == "Energy [keVee]"
    assert (fig.x_range.start, fig.x_range.end) == (0.0, 120.0)
    assert "159 ± 43" in lesson.readout.value and "3.5σ" in lesson.readout.value

    lesson.dataset_buttons.value = ds.CSI21
    assert lesson.figures["fit_time"].x_range.end == pytest.approx(6.0)
    assert "306 ± 20" in lesson.readout.value
    assert not lesson.error


def test_fit_lesson_bad_dataset_keeps_the_figures(make):
    lesson = make(FitLesson)
    kept = _kept(lesson, ["fit_energy", "fit_time", "fit_energy_model"])
    assert lesson.set(dataset="coherent-nai-2099") is False
    assert "dataset must be one of" in lesson.error
    assert "\n" not in lesson.error
    for name, data in kept.items():
        assert lesson.sources[name].data is data
    assert lesson.dataset == ds.CSI
    assert lesson.set(dataset=ds.LAR) and not lesson.error


def test_fits_table_lists_three_fits():
    text = ds.fits_table().value
    for name in ds.FIT_DATASETS:
        r = ds.fit_projection(name).result
        assert f"{r.cevns_events:.0f} ± {r.cevns_events_error:.0f}" in text
        assert f"{r.significance_sigma:.1f}σ" in text


# --------------------------------------------------------------------------- 2. the NSI map


def test_combined_map_in_strips_equals_one_scan():
    grid = np.linspace(-1.0, 1.0, SMALL[ds.COMBINED])
    calls = []
    strips = ds.nsi_map(ds.COMBINED, SMALL[ds.COMBINED], lambda k, n: calls.append((k, n)))
    one = nsi_scan(ds.COMBINED, grid, grid)
    np.testing.assert_allclose(strips.delta_chi2, one.delta_chi2, atol=1e-6)
    np.testing.assert_allclose(strips.cevns_events, one.cevns_events, rtol=1e-9)
    assert strips.best == one.best
    assert strips.sm_delta_chi2 == pytest.approx(one.sm_delta_chi2, abs=1e-6)
    assert calls == [(k, ds.COMBINED_PARTS) for k in range(ds.COMBINED_PARTS)]
    # computed once: the second call is the cached map
    assert ds.nsi_map(ds.COMBINED, SMALL[ds.COMBINED]) is strips


def test_map_is_the_scan_and_the_toggle_switches_it(make):
    lesson = make(NSIMapLesson, points=SMALL)
    grid = np.linspace(-1.0, 1.0, SMALL[ds.CSI])
    scan = nsi_scan(ds.CSI, grid, grid)
    np.testing.assert_allclose(lesson.data("nsi_map")["image"][0], scan.delta_chi2.T, atol=1e-9)
    assert list(lesson.data("nsi_best")["x"]) == [scan.best[0]]
    assert lesson.data("nsi_c90")["xs"], "the 90 % contour is drawn"

    kept = _kept(lesson, ["nsi_residual", "nsi_spectrum_sm"])
    messages = []
    lesson.message.observe(lambda c: messages.append(c["new"]), names="value")
    lesson.dataset_buttons.value = ds.LAR
    lar = ds.nsi_map(ds.LAR, SMALL[ds.LAR])
    np.testing.assert_array_equal(lesson.data("nsi_map")["image"][0], lar.delta_chi2.T)
    assert list(lesson.data("nsi_best")["y"]) == [lar.best[1]]
    assert "argon" in lesson.figures["nsi_map"].title.text
    assert "argon 2020 map" in lesson.readout.value

    lesson.dataset_buttons.value = ds.COMBINED
    both = ds.nsi_map(ds.COMBINED, SMALL[ds.COMBINED])
    np.testing.assert_array_equal(lesson.data("nsi_map")["image"][0], both.delta_chi2.T)
    h = 2.0 / (SMALL[ds.COMBINED] - 1)
    assert lesson.data("nsi_map")["dw"][0] == pytest.approx(2.0 + h)
    for name, data in kept.items():
        assert lesson.sources[name].data is data, f"{name} was recomputed for a map switch"
    assert not lesson.error and lesson.message.value == ""
    # a map computed for the first time says so (the combined one in the notebook: ~10 s);
    # here it may already be cached by another test, then no line is needed
    assert all("computing" in m for m in messages if m)


def test_progress_line_while_a_map_is_computed(make, monkeypatch):
    lesson = make(NSIMapLesson, points={**SMALL, ds.COMBINED: 9})
    monkeypatch.setattr(ds, "_MAPS", {k: v for k, v in ds._MAPS.items() if k[0] != ds.COMBINED})
    messages = []
    lesson.message.observe(lambda c: messages.append(c["new"]), names="value")
    lesson.dataset_buttons.value = ds.COMBINED
    assert any("computing the CsI + argon map" in m for m in messages)
    assert any(f"part {ds.COMBINED_PARTS} of {ds.COMBINED_PARTS}" in m for m in messages)
    assert lesson.message.value == ""


def _expected_spectrum(u, d):
    """The CsI 2017 CEvNS PE spectrum at (u, d) from the physics, not from the scan's basis."""
    base = csi2017.base_scenario().replace(eps_u_ee=u, eps_d_ee=d)
    return csi2017.pe_binned(base, csi2017.PROMPT_FLAVORS + csi2017.DELAYED_FLAVORS)


def test_a_click_on_the_map_picks_a_point(make):
    from bokeh.events import Tap

    lesson = make(NSIMapLesson)
    kept = _kept(lesson, ["nsi_map", "nsi_c68", "nsi_best", "nsi_residual"])
    fig = lesson.figures["nsi_map"]
    fig._trigger_event(Tap(fig, x=0.3, y=-0.2))  # what jupyter_bokeh does with a browser tap
    assert (lesson.eps_u, lesson.eps_d) == (0.3, -0.2)
    assert lesson.eps_u_slider.value == pytest.approx(0.3)
    assert lesson.eps_d_slider.value == pytest.approx(-0.2)
    assert list(lesson.data("nsi_pick")["x"]) == [0.3]
    edges = csi2017.region().pe_edges
    # the drawn spectrum is the scan's own template at that point ...
    np.testing.assert_allclose(
        lesson.data("nsi_spectrum")["y"],
        _density_stairs(edges, ds.nsi_spectrum(0.3, -0.2)),
        rtol=1e-12,
    )
    # ... which is the physics with those couplings (the quadratic basis is exact)
    np.testing.assert_allclose(ds.nsi_spectrum(0.3, -0.2), _expected_spectrum(0.3, -0.2), rtol=1e-9)
    scan = ds.nsi_map(ds.CSI)
    i = int(np.argmin(np.abs(scan.eps_u - 0.3)))
    j = int(np.argmin(np.abs(scan.eps_d + 0.2)))
    assert lesson.numbers()["delta_chi2"] == pytest.approx(scan.delta_chi2[i, j], abs=1e-9)
    assert f"Δχ² = {scan.delta_chi2[i, j]:.1f}" in lesson.readout.value
    total = format_events(_expected_spectrum(0.3, -0.2).sum())
    assert total in lesson.readout.value
    for name, data in kept.items():
        assert lesson.sources[name].data is data, f"{name} was recomputed for a pick"


def test_sliders_pick_a_point_and_echoes_are_ignored(make):
    lesson = make(NSIMapLesson)
    lesson.eps_u_slider.value = 0.4
    lesson.eps_d_slider.value = 0.1
    assert (lesson.eps_u, lesson.eps_d) == (0.4, 0.1)
    edges = csi2017.region().pe_edges
    np.testing.assert_allclose(
        lesson.data("nsi_spectrum")["y"],
        _density_stairs(edges, _expected_spectrum(0.4, 0.1)),
        rtol=1e-9,
    )
    # a click off the slider grid; the browser snaps the slider and sends that back
    lesson.pick(0.123, -0.456)
    lesson.eps_u_slider.value = 0.12
    lesson.eps_d_slider.value = -0.46
    assert (lesson.eps_u, lesson.eps_d) == (0.123, -0.456)
    # typed
    lesson.pair_text.value = "−0.25, 0.5"
    assert (lesson.eps_u, lesson.eps_d) == (-0.25, 0.5) and not lesson.error
    lesson.sm_button.click()
    assert (lesson.eps_u, lesson.eps_d) == (0.0, 0.0)


@pytest.mark.parametrize(
    "action, words",
    [
        (lambda L: setattr(L.pair_text, "value", "left, right"), "type two numbers"),
        (lambda L: setattr(L.pair_text, "value", "2, 0"), "between −1 and 1"),
        (lambda L: L.set(dataset="coherent-ge-2030"), "dataset must be one of"),
        (lambda L: L.set(eps_u=float("nan")), "between −1 and 1"),
        (lambda L: L.set(colour="red"), "unknown setting"),
    ],
)
def test_nsi_bad_input_is_one_line_and_changes_nothing(make, action, words):
    from bokeh.events import Tap

    lesson = make(NSIMapLesson, points=SMALL)
    lesson.pick(0.2, 0.1)
    kept = _kept(lesson, list(lesson.sources))
    state = dict(lesson.state)
    action(lesson)
    assert words in lesson.error and "\n" not in lesson.error
    assert lesson.state == state
    for name, data in kept.items():
        assert lesson.sources[name].data is data
    # a click outside the map: one line too
    fig = lesson.figures["nsi_map"]
    fig._trigger_event(Tap(fig, x=1.4, y=0.0))
    assert "outside the map" in lesson.error and lesson.state == state
    # the next good input clears the line
    lesson.pick(0.0, 0.0)
    assert not lesson.error


def test_second_band_predicts_the_standard_model_count():
    """At (0.4, 0) the νe weak charge of CsI has flipped sign: the same count as the SM."""
    assert ds.nsi_spectrum(0.4, 0.0).sum() == pytest.approx(ds.nsi_spectrum(0, 0).sum(), rel=0.01)


# --------------------------------------------------------------------------- 3. the planner


def _stats_plan(**changes):
    scenario, bkg, power, energy = planning.coherent_2017_design()
    scenario = scenario.replace(
        **{k: changes[k] for k in ("mass_kg", "distance_m") if k in changes}
    )
    if "steady_state" in changes:
        bkg = dataclasses.replace(bkg, steady_state_per_keVee_kg_day=changes["steady_state"])
    if "brn" in changes:
        bkg = dataclasses.replace(bkg, brn_per_GWh=changes["brn"])
    power = changes.get("beam_power_MW", power)
    return planning.plan(scenario, bkg, power, energy, days=ds.PLAN_DAYS)


@pytest.fixture(scope="module")
def planner_lesson():
    lesson = PlannerLesson()
    yield lesson
    lesson.close()


def test_planner_readout_is_the_planners(planner_lesson):
    lesson = planner_lesson
    lesson.set(**lesson.defaults)
    p = _stats_plan()
    n = lesson.numbers()
    assert n["days_3sigma"] == p.days_to[3] and n["days_5sigma"] == p.days_to[5]
    assert 25 < p.days_to[3] < 35 and 70 < p.days_to[5] < 95  # README: 29 and 82 days
    assert ds._days_text(p.days_to[5]) in lesson.readout.value
    np.testing.assert_allclose(lesson.data("plan_curve")["z"], p.significance, rtol=1e-12)
    np.testing.assert_allclose(lesson.data("plan_marks")["days"], [p.days_to[3], p.days_to[5]])
    # the 2017 points: the planner's expectation and the paper's observation
    star = lesson.data("plan_2017")
    assert star["z"][0] == pytest.approx(planning.asimov_significance(p.design), rel=1e-12)
    assert star["z"][0] == pytest.approx(9.5, abs=0.1)
    assert list(lesson.data("plan_paper")["z"]) == [6.7]


def test_planner_slider_recomputes_only_the_curve(planner_lesson):
    lesson = planner_lesson
    lesson.set(**lesson.defaults)
    kept = _kept(lesson, ["plan_reference", "plan_2017", "plan_paper"])
    before = lesson.readout.value
    lesson.sliders["mass_kg"].value = 100.0
    assert lesson.state["mass_kg"] == 100.0
    p = _stats_plan(mass_kg=100.0)
    np.testing.assert_allclose(lesson.data("plan_curve")["z"], p.significance, rtol=1e-12)
    assert lesson.numbers()["days_5sigma"] == p.days_to[5]
    assert lesson.readout.value != before
    for name, data in kept.items():
        assert lesson.sources[name].data is data, f"{name} was recomputed for a slider move"
    lesson.sliders["distance_m"].value = 38.6
    p = _stats_plan(mass_kg=100.0, distance_m=38.6)
    assert lesson.numbers()["days_3sigma"] == p.days_to[3]
    lesson.reset.click()
    assert lesson.state == lesson.defaults and not lesson.error


def test_planner_echo_and_typed_days(planner_lesson):
    lesson = planner_lesson
    lesson.set(**lesson.defaults)
    # 14.6 kg is not on the log slider's grid: the browser's snapped value is an echo
    s = lesson.sliders["mass_kg"]
    snapped = 10 ** (round(np.log10(14.6) / s.step) * s.step)
    assert snapped != 14.6
    s.value = snapped
    assert lesson.state["mass_kg"] == 14.6
    lesson.days_text.value = "500"
    d = lesson.plan.design
    z = planning.asimov_significance(d, 500 / d.live_days)
    assert f"{z:.1f}σ" in lesson.readout.value and not lesson.error


@pytest.mark.parametrize(
    "action, words",
    [
        (lambda L: L.set(mass_kg=-3), "detector mass must lie between"),
        (lambda L: L.set(beam_power_MW="lots"), "must be a number"),
        (lambda L: L.set(distance_m=float("inf")), "distance must lie between"),
        (lambda L: L.set(flux=2), "unknown setting"),
        (lambda L: setattr(L.days_text, "value", "a year"), "type a number of days"),
        (lambda L: setattr(L.days_text, "value", "0"), "between 1 and 10⁶"),
    ],
)
def test_planner_bad_input_is_one_line(planner_lesson, action, words):
    lesson = planner_lesson
    lesson.set(**lesson.defaults)
    lesson.days_text.value = ""
    kept = _kept(lesson, list(lesson.sources))
    state, readout = dict(lesson.state), lesson.readout.value
    action(lesson)
    assert words in lesson.error and "\n" not in lesson.error
    assert lesson.state == state and lesson.readout.value == readout
    for name, data in kept.items():
        assert lesson.sources[name].data is data
    assert lesson.set(**lesson.defaults)  # a good value clears the line
    assert not lesson.error


# --------------------------------------------------------------------------- 4. profiles


def test_profiles_are_the_stats_profiles(make):
    lesson = make(ProfilesLesson)
    for key, name in (("csi", ds.CSI), ("lar", ds.LAR), ("combined", ds.COMBINED)):
        p = profile(name, "sin2w")
        np.testing.assert_allclose(lesson.data(f"prof_{key}")["y"], p.delta_chi2, atol=1e-9)
        assert f"{p.best_fit:.3f}" in lesson.table.value
    assert lesson.data("prof_sm")["x"][0] == pytest.approx(0.23857)


# --------------------------------------------------------------------------- the notebook


def test_notebook_quotes_the_librarys_numbers():
    """The numbers in notebook 10's prose are this library's (stale prose fails here)."""
    import nbformat

    text = "\n".join(c.source for c in nbformat.read(str(NOTEBOOK), as_version=4).cells)
    r = ds.fit_projection(ds.CSI).result
    assert f"{r.cevns_events:.0f} ± {r.cevns_events_error:.0f} events" in text
    assert f"({r.significance_sigma:.1f}σ against 6.7σ)" in text
    ref = PlannerLesson.plan_reference()
    d = ref.design
    assert f"{planning.asimov_significance(d):.1f}σ" in text  # 9.5
    four = planning.asimov_significance(d, 4.0)
    assert f"gives {four:.0f}σ" in text
    assert f"predicts {ds.nsi_spectrum(0.4, 0.0).sum():.0f} events" in text
    s = ds.default_plan_settings()
    far = ds.planned(**{**s, "distance_m": 2 * s["distance_m"]}).days_to[5]
    assert f"takes {far / ref.days_to[5]:.0f} times longer" in text
    assert f"about {ref.days_to[5]:.0f} days" in text
    ten = ds.planned(**{**s, "steady_state": 10 * s["steady_state"]}).days_to[5]
    assert f"about {round(ten, -1):.0f} days" in text
    prof = ds.sin2w_profiles()
    for name in (ds.CSI, ds.LAR, ds.COMBINED):
        lo, hi = prof[name].intervals[0.68]
        assert f"{lo:.3f} to {hi:.3f}" in text
    assert f"Δχ² = {prof[ds.CSI].sm_delta_chi2:.1f}" in text
    flip = ds._bilinear(ds.nsi_map(ds.CSI), 0.4, 0.0)
    assert f"Δχ² is about {flip:.1f}" in text
    assert re.search(r"prefers 0\.17\b", text) and f"{prof[ds.CSI].best_fit:.2f}" == "0.17"


def test_exercise_numbers():
    text = ds.exercise_numbers().value
    assert "<details>" in text
    assert f"{ds.nsi_spectrum(0.4, 0.0).sum():.0f} CEvNS events" in text
