"""The significance planner (stats/planner.py) against the 2017 discovery and its own
scaling laws."""

from __future__ import annotations

import math

import numpy as np
import pytest

import cevns_widgets as cw
from cevns_widgets.scenario import ScenarioError
from cevns_widgets.stats import planner as P


@pytest.fixture(scope="module")
def design_2017():
    scenario, backgrounds, power, energy = P.coherent_2017_design()
    return P.build_design(scenario, backgrounds, power, energy)


def test_2017_backgrounds_come_from_the_release(design_2017):
    b = design_2017.backgrounds
    # 703 anticoincidence events in 6-30 PE x 0-12 us over 308.1 days, 1.80 keVee, 14.6 kg,
    # open 7.2e-4 of the time.
    assert b.steady_state_per_keVee_kg_day == pytest.approx(120.7, rel=1e-3)
    assert design_2017.background_events()["steady_state"] == pytest.approx(703, rel=0.01)
    assert design_2017.background_events()["brn"] == pytest.approx(12.8, rel=0.01)
    assert design_2017.exposure_GWh == pytest.approx(7.48, rel=0.01)
    assert design_2017.signal_events == pytest.approx(175.8, rel=1e-3)


def test_2017_significance_is_near_the_papers(design_2017):
    """Science 357 (2017) 1123: 134 +- 22 events measured at 6.7 sigma. The planner's
    median for 134 events is 7.5 sigma (flat backgrounds: a little optimistic); for the
    176-event prediction, 9.5 sigma. Counting without time and energy: 4.4 sigma."""
    z_measured = P.asimov_significance(design_2017, signal_scale=134.0 / 175.756)
    assert 6.2 < z_measured < 8.0
    assert P.asimov_significance(design_2017) == pytest.approx(9.51, rel=0.02)
    assert P.asimov_significance(design_2017, binned=False) == pytest.approx(4.39, rel=0.02)


def test_significance_grows_as_the_square_root_of_exposure(design_2017):
    z = [P.asimov_significance(design_2017, k) for k in (0.25, 1.0, 4.0, 16.0)]
    assert np.all(np.diff(z) > 0)
    # Statistics dominate: Z doubles for 4x the exposure, a little less because the BRN
    # prior (25 %) does not shrink with exposure.
    assert z[2] / z[1] == pytest.approx(2.0, rel=0.06)


def test_more_background_means_less_significance(design_2017):
    scenario, backgrounds, power, energy = P.coherent_2017_design()
    noisier = P.Backgrounds(
        steady_state_per_keVee_kg_day=4 * backgrounds.steady_state_per_keVee_kg_day
    )
    quieter = P.Backgrounds(
        steady_state_per_keVee_kg_day=backgrounds.steady_state_per_keVee_kg_day / 4
    )
    z = [
        P.asimov_significance(P.build_design(scenario, b, power, energy))
        for b in (quieter, backgrounds, noisier)
    ]
    assert z[0] > z[1] > z[2]


def test_days_to_3_and_5_sigma():
    scenario, backgrounds, power, energy = P.coherent_2017_design()
    plan = P.plan(scenario, backgrounds, power, energy, days=[30.0, 300.0])
    assert plan.days_to[3] < plan.days_to[5] < 308.1  # the 2017 run got there
    z5 = P.asimov_significance(plan.design, plan.days_to[5] / plan.design.live_days)
    assert z5 == pytest.approx(5.0, abs=1e-3)
    assert math.isclose(plan.significance[1] / plan.significance[0], math.sqrt(10), rel_tol=0.1)


def test_bad_designs_are_refused_in_one_line():
    bare = cw.Scenario()  # keVnr: no keVee for the background rate
    with pytest.raises(ScenarioError, match="keVee or PE"):
        P.build_design(bare, P.Backgrounds(10.0), 1.0)
    reactor = cw.get_preset("conus-plus-2025").scenario
    with pytest.raises(ScenarioError, match="pulsed SNS beam"):
        P.build_design(reactor, P.Backgrounds(10.0), 1.0)
    with pytest.raises(ScenarioError, match=r"steady_state_per_keVee_kg_day must be in \[0, 1e9\]"):
        P.Backgrounds(-1.0)
    scenario, backgrounds, _, _ = P.coherent_2017_design()
    with pytest.raises(ScenarioError, match=r"beam_power_MW must be in \(0, 100\]"):
        P.build_design(scenario, backgrounds, 0.0)
