"""Tests for cevns_widgets.stats.csi2021: the COHERENT CsI[Na] 2021 binned likelihood fit.

Data: COHERENT Collaboration, Phys. Rev. Lett. 129 (2022) 081801, arXiv:2110.07730, and its
data release (ancillary files), packaged as ``data/csi2021_*.txt``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from cevns_widgets.api import evaluate
from cevns_widgets.physics.sources import sns
from cevns_widgets.presets import get_preset
from cevns_widgets.scenario import ScenarioError
from cevns_widgets.stats import csi2021
from cevns_widgets.stats.fit import check_dataset, fit, format_fit

SHARED = Path("/work/shared/data/coherent-csi-2021")


@pytest.fixture(scope="module")
def result():
    return fit(csi2021.NAME)


@pytest.fixture(scope="module")
def per_cell():
    return csi2021.fit(steady_state="per-cell")


# --- data and templates ------------------------------------------------------------------


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared raw release not available")
@pytest.mark.parametrize(
    "name", ["dataBeamOnC", "dataBeamOnAC", "brnPE", "brnTrec", "ninPE", "ninTrec"]
)
def test_packaged_copies_equal_the_raw_release(name):
    packaged = csi2021._table(f"csi2021_{name}.txt")
    raw = np.loadtxt(SHARED / f"{name}.txt", comments="#")
    assert np.array_equal(packaged, raw)


def test_binned_counts_match_a_direct_count_of_the_event_lists():
    """Counts in 0 <= PE < 60, 0 <= t < 6 us counted directly, and the grid shape."""
    d = csi2021.data()
    assert d.n.shape == d.a.shape == (11, 24)
    for hist, name in ((d.n, "csi2021_dataBeamOnC.txt"), (d.a, "csi2021_dataBeamOnAC.txt")):
        t = csi2021._table(name)
        direct = np.sum((t[:, 0] < 60) & (t[:, 1] >= 0) & (t[:, 1] < 6))
        assert hist.sum() == direct
    assert (d.n.sum(), d.a.sum()) == (1578, 1295)


def test_brn_nin_templates_are_release_sums_with_timing_efficiency():
    """PE PDFs have unit sum over 0-60 PE (a release property); the nominal counts are the
    time PDFs times exp(-0.0494 (t - 0.52)) after 0.52 us, summed over 0-6 us, recomputed
    here independently. Tolerance 1e-6: the PE PDFs sum to 1 only to the release's 1e-7
    rounding (0.99999997 for BRN)."""
    d = csi2021.data()
    for tmpl, stem in ((d.brn, "brn"), (d.nin, "nin")):
        pe = csi2021._table(f"csi2021_{stem}PE.txt")
        assert pe[pe[:, 0] < 60, 1].sum() == pytest.approx(1.0, abs=1e-6)
        tt = csi2021._table(f"csi2021_{stem}Trec.txt")
        inside = (tt[:, 0] > 0) & (tt[:, 0] < 6)
        eff = np.where(tt[:, 0] < 0.52, 1.0, np.exp(-0.0494 * (tt[:, 0] - 0.52)))
        expected = float(np.sum(tt[inside, 1] * eff[inside]))
        assert tmpl.sum() == pytest.approx(expected, rel=1e-6)
    assert d.brn.sum() == pytest.approx(27.42, abs=0.01)
    assert d.nin.sum() == pytest.approx(6.91, abs=0.01)


def test_cevns_template_total_equals_the_preset_prediction():
    """The template (no cuts in the evaluation, PE bins and time fractions applied here)
    against ``evaluate`` of the preset with its own 0-60 PE and 0-6 us window and timing
    efficiency: two different integration paths. Tolerance 0.5 %: the trapezoid on the
    0.5-PE nodes against the package's own integration of the spectrum."""
    tmpl = csi2021.cevns_template()
    preset = evaluate(get_preset(csi2021.NAME).scenario)
    total = sum(preset.events_by_flavor.values())
    assert tmpl.sum() == pytest.approx(total, rel=5e-3)
    assert (tmpl >= 0).all()
    # the prompt peak (0.25-0.75 us) holds far more per bin than the last bins
    assert tmpl[:, 1:3].sum() > 5 * tmpl[:, -2:].sum()


def test_time_fractions_add_up_to_the_window_fraction():
    pulse = sns.BEAM_TIMINGS["csi-2021"].pulse
    for f in sns.FLAVORS:
        whole = sns.time_window_fraction(f, 0.0, 6.0, "csi-2021", **pulse)
        assert csi2021.time_fractions(f).sum() == pytest.approx(whole, rel=1e-4)


# --- the likelihood -----------------------------------------------------------------------


@pytest.mark.parametrize("mode", csi2021.STEADY_STATE_MODES)
def test_gradient_matches_finite_differences(mode):
    m = csi2021.model(None, mode)
    p = np.array([310.0, 1.1, 0.8, 1.01])
    _, g = m.nll(p)
    for i, h in enumerate((1e-3, 1e-6, 1e-6, 1e-6)):
        if mode == "per-cell" and i == 3:
            continue
        up, dn = p.copy(), p.copy()
        up[i] += h
        dn[i] -= h
        num = (m.nll(up)[0] - m.nll(dn)[0]) / (2 * h)
        assert g[i] == pytest.approx(num, rel=1e-4, abs=1e-6), (mode, i)


@pytest.mark.parametrize("mode", csi2021.STEADY_STATE_MODES)
def test_asimov_closure(mode):
    """On the expected counts for mu = 250 and nominal backgrounds the fit returns them.
    Tolerance 0.5 events: the minimiser's precision on a smooth optimum."""
    m = csi2021.model(None, mode)
    truth = np.array([250.0, 1.0, 1.0, 1.0])
    lam = m.expected_beam(truth)
    if mode == "ac-shape":
        lam = lam + m.ss_template
        a = m.data.a
    else:  # AC equal to the steady state it constrains
        a = m.data.a.sum() / m.data.a.size * np.ones_like(m.data.a)
        lam = lam + a.ravel()
    data = csi2021.Data(n=lam.reshape(m.data.n.shape), a=a, brn=m.data.brn, nin=m.data.nin)
    asimov = csi2021.Model(data, m.shape, m.sm_events, m.sm_sigma, mode)
    _, p = asimov.minimise()
    assert p[0] == pytest.approx(250.0, abs=0.5)
    assert p[1] == pytest.approx(1.0, abs=0.02)


def test_unknown_steady_state_mode_is_refused():
    with pytest.raises(ScenarioError, match="steady_state"):
        csi2021.fit(steady_state="flat")


# --- the fit ------------------------------------------------------------------------------


def test_fit_numbers(result):
    """Pinned best fit of the packaged release with the preset's physics (ac-shape steady
    state). Tolerances: 0.5 events on the count and interval ends (the minimiser and brentq
    converge to < 0.01; 0.5 events flags any change of the physics template above ~0.15 %),
    0.05 on the significance."""
    assert result.dataset == "coherent-csi-2021"
    assert result.cevns_events == pytest.approx(330.5, abs=0.5)
    lo, hi = result.cevns_events_interval
    assert lo == pytest.approx(299.1, abs=0.5)
    assert hi == pytest.approx(362.6, abs=0.5)
    assert result.significance_sigma == pytest.approx(12.27, abs=0.05)
    assert result.sm_prediction == pytest.approx(347.5, abs=0.5)
    nz = result.nuisances
    assert nz["brn_events"] == pytest.approx(24.8, abs=0.3)
    assert nz["nin_events"] == pytest.approx(6.75, abs=0.1)
    assert nz["steady_state_norm"] == pytest.approx(0.979, abs=0.003)


def test_per_cell_steady_state_numbers(per_cell, result):
    """The per-cell (Barlow-Beeston) treatment: wider, since the AC sample's statistical noise
    enters every cell. Same tolerances as test_fit_numbers."""
    assert per_cell.cevns_events == pytest.approx(289.2, abs=0.5)
    lo, hi = per_cell.cevns_events_interval
    assert lo == pytest.approx(251.6, abs=0.5)
    assert hi == pytest.approx(327.0, abs=0.5)
    assert per_cell.significance_sigma == pytest.approx(7.74, abs=0.05)
    assert hi - lo > result.cevns_events_interval[1] - result.cevns_events_interval[0]


def test_interval_ends_are_one_unit_of_minus_two_delta_lnl(result):
    m = csi2021.model()
    v, _ = m.minimise()
    for end in result.cevns_events_interval:
        assert 2 * (m.minimise(mu=end)[0] - v) == pytest.approx(1.0, abs=2e-3)
    assert result.null_delta_chi2 == pytest.approx(result.significance_sigma**2, rel=1e-9)


def test_fit_agrees_with_the_published_count(result):
    """306 +- 20 (the shared data README, via the preset): within 1.5 combined sigma."""
    pub = result.published
    assert pub["cevns_events"] == 306 and pub["cevns_events_error"] == 20
    sigma = math.hypot(result.cevns_events_error, pub["cevns_events_error"])
    assert abs(result.cevns_events - pub["cevns_events"]) < 1.5 * sigma


def test_dispatch_report_and_json(result):
    text = format_fit(result)
    assert "CsI[Na] 2021" in text and "per-cell steady state instead" in text
    json.dumps(result.to_dict(), allow_nan=False)
    # the NSI scan's default still refuses the 2021 dataset
    with pytest.raises(ScenarioError):
        check_dataset("coherent-csi-2021")
