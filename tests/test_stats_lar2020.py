"""The CENNS-10 LAr 2020 analysis-A fit (cevns_widgets.stats.lar2020) against the release.

Release (LArParametersAnlA.yaml, best fit of the 3-D likelihood): 159 +- 43 CEvNS events,
prompt BRN 553 +- 34, delayed BRN 10 +- 11, steady state 3131 +- 23. Paper
(arXiv:2003.10630): analysis A rejects no-CEvNS at 3.5 sigma (> 3 sigma).
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from scipy.optimize import minimize

from cevns_widgets import stats
from cevns_widgets.cli import main
from cevns_widgets.scenario import ScenarioError
from cevns_widgets.stats import lar2020

DATASET = "coherent-lar-2020"


@pytest.fixture(scope="module")
def result():
    return stats.fit(DATASET)


@pytest.fixture(scope="module")
def stat_only():
    return lar2020.fit(shape_systematics=False)


def test_stat_only_fit_reproduces_the_release_best_fit(stat_only):
    """Without the shape nuisances our fit is the release's model (the four normalised PDFs,
    the prediction priors), so it must land on the release's best fit within its rounding
    and a small fraction of each error: CEvNS within 2 events (error 43), prompt BRN within
    4 (error 34), delayed BRN within 2 (error 11), steady state within 4 (error 23)."""
    r, nz = stat_only, stat_only.nuisances
    assert r.cevns_events == pytest.approx(159, abs=2)
    assert nz["prompt_brn_events"] == pytest.approx(553, abs=4)
    assert nz["delayed_brn_events"] == pytest.approx(10, abs=2)
    assert nz["steady_state_events"] == pytest.approx(3131, abs=4)
    # the statistical profile interval alone: a little under the release's 43
    assert 36 < r.cevns_events_error < 43
    assert r.significance_sigma > 3.5


def test_fit_with_shape_systematics_against_the_release_and_paper(result, stat_only):
    """With the release's five shape variations profiled, the count stays within 5 events
    of 159 and the 68 % half-width within 10 % of the release's 43 (the YAML calls it
    'uncertainty_stat' but says it includes the systematics).

    Significance: we get about 3.8 sigma (3.9 without shape nuisances); the paper quotes
    3.5 sigma for analysis A. The difference is expected: the release gives only the five
    shape variations, not the paper's full systematic model or its test-statistic
    calibration, and we use Wilks' theorem. Pinned: > 3 sigma (the paper's claim), within
    0.5 sigma of 3.5, and the shape nuisances must lower it.

    Nuisances: prompt BRN comes out near 512, about 1.2 release sigma below 553, because
    the BRN arrival-time-width pull (about +1 sigma) absorbs part of the prompt-BRN count;
    without shape nuisances it is 552 (test above). Pinned within 2 x 34 of 553."""
    assert result.dataset == DATASET
    assert result.cevns_events == pytest.approx(159, abs=5)
    assert result.cevns_events_error == pytest.approx(43, rel=0.10)
    assert 3.0 < result.significance_sigma < 4.0
    assert result.significance_sigma == pytest.approx(3.5, abs=0.5)
    assert result.significance_sigma < stat_only.significance_sigma
    assert result.cevns_events_error > stat_only.cevns_events_error
    lo, hi = result.cevns_events_interval
    assert lo < result.cevns_events < hi
    nz = result.nuisances
    assert nz["prompt_brn_events"] == pytest.approx(553, abs=2 * 34)
    assert nz["delayed_brn_events"] == pytest.approx(10, abs=11)
    assert nz["steady_state_events"] == pytest.approx(3131, abs=23)
    for name in lar2020.model().syst_names:
        assert abs(nz[f"{name}_pull"]) < 2, name
    assert result.sm_prediction == 128
    assert result.published["cevns_events"] == 159
    assert result.published["cevns_events_error"] == 43
    # the fit tied to the prediction (128 +- 17) lies between the prediction and the free fit
    assert 128 < nz["sm_fit_cevns_events"] < result.cevns_events
    assert 0 < result.sm_delta_chi2 < result.null_delta_chi2


@pytest.mark.parametrize("systematics", [True, False])
def test_interval_and_significance_are_the_profile_likelihood(systematics):
    m = lar2020.model(systematics)
    r = lar2020.fit(shape_systematics=systematics)
    best = m.minimise()[0]
    ends = [m.minimise(mu=x)[0] for x in r.cevns_events_interval]
    assert 2 * (np.array(ends) - best) == pytest.approx([1, 1], abs=2e-3)
    null = m.minimise(mu=0.0)[0]
    assert np.sqrt(2 * (null - best)) == pytest.approx(r.significance_sigma, rel=1e-6)
    assert r.null_delta_chi2 == pytest.approx(r.significance_sigma**2, rel=1e-9)


def test_best_fit_is_a_minimum_for_an_independent_optimiser():
    """Nelder-Mead (no gradient) started away from the L-BFGS-B answer finds the same
    minimum, not a lower one."""
    m = lar2020.model()
    v, p = m.minimise()
    rng = np.random.default_rng(1)
    scale = np.r_[20.0, 50.0, 10.0, 20.0, np.full(m.n_syst, 0.5)]
    for _ in range(2):
        start = p + scale * rng.standard_normal(p.size)
        start[:4] = np.maximum(start[:4], 1.0)
        res = minimize(
            lambda x: m.nll(np.r_[np.abs(x[:4]), x[4:]])[0],
            start,
            method="Nelder-Mead",
            options={"maxiter": 40000, "maxfev": 40000, "xatol": 1e-6, "fatol": 1e-9},
        )
        assert res.fun >= v - 1e-4
        # and it finds the same point (the likelihood has one minimum here)
        assert res.fun == pytest.approx(v, abs=1e-4)
        np.testing.assert_allclose(res.x[:4], p[:4], atol=0.5)
    # no parameter sits at a bound, so the gradient vanishes (in units of the prior widths)
    assert np.all(np.abs(m.nll(p)[1] * scale) < 1e-3)


def test_gradient_matches_finite_differences():
    m = lar2020.model()
    p = np.r_[140.0, 520.0, 20.0, 3140.0, 0.4, -1.6, 1.3, -0.2, 2.1]  # both |theta| regimes
    _v, g = m.nll(p, prior_mu=(128.0, 17.0))
    h = np.r_[1e-3, 1e-3, 1e-3, 1e-3, np.full(m.n_syst, 1e-6)]
    for i in range(p.size):
        e = np.zeros(p.size)
        e[i] = h[i]
        fd = (m.nll(p + e, (128.0, 17.0))[0] - m.nll(p - e, (128.0, 17.0))[0]) / (2 * h[i])
        assert g[i] == pytest.approx(fd, rel=1e-4, abs=1e-4), i


def test_shape_interpolation_hits_the_release_variations():
    """At theta = +-1 a two-sided nuisance gives the normalised +-1 sigma file; a one-sided
    one gives its file at +1; every interpolated PDF sums to 1."""
    m = lar2020.model()
    grid = m.grid
    for i, (name, comp, up_f, dn_f) in enumerate(lar2020.SYSTEMATICS):
        shape = m.cevns if comp == "cevns" else m.prompt_brn
        up = lar2020._column(up_f, grid)
        th = np.zeros(m.n_syst)
        th[i] = 1.0
        np.testing.assert_allclose(shape.evaluate(th)[0], up / up.sum(), atol=1e-12)
        if dn_f:
            dn = lar2020._column(dn_f, grid)
            th[i] = -1.0
            np.testing.assert_allclose(shape.evaluate(th)[0], dn / dn.sum(), atol=1e-12)
        for t in (-2.5, 0.3, 3.0):
            th[i] = t
            assert shape.evaluate(th)[0].sum() == pytest.approx(1, abs=1e-12), name


def test_asimov_data_return_the_inputs():
    """Fitting the expected counts of a known point (mu = 128, backgrounds at their priors,
    no shape pulls) returns that point: the machinery, not the data, sets the answer."""
    m = lar2020.model()
    truth = np.r_[128.0, m.prior_mean, np.zeros(m.n_syst)]
    lam = (
        truth[0] * m.cevns.nominal
        + truth[1] * m.prompt_brn.nominal
        + truth[2] * m.delayed_brn
        + truth[3] * m.steady_state
    )
    asimov = dataclasses.replace(m, counts=lam)
    _v, p = asimov.minimise()
    assert p[0] == pytest.approx(128, abs=0.5)
    np.testing.assert_allclose(p[1:4], m.prior_mean, atol=1.0)
    np.testing.assert_allclose(p[4:], 0, atol=0.02)


def test_release_files_share_one_grid():
    m = lar2020.model()
    assert m.grid.shape == (960, 3)
    assert m.counts.sum() == 3752
    for name in (lar2020.CEVNS_FILE, *(f for _n, _k, f in lar2020.BACKGROUNDS)):
        assert lar2020._column(name, m.grid).shape == (960,)
    assert lar2020._column(lar2020.CEVNS_FILE, m.grid).sum() == pytest.approx(128, abs=1e-4)


def test_cli_fit_lar(capsys, result):
    assert main(["fit", "--preset", DATASET, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["dataset"] == DATASET
    assert out["cevns_events"] == pytest.approx(result.cevns_events, rel=1e-9)
    assert out["published"]["significance_sigma"] == 3.5
    assert main(["fit", "--preset", DATASET]) == 0
    text = capsys.readouterr().out
    assert "CENNS-10" in text and "prompt brn" in text and "sigma" in text


def test_scenario_is_refused():
    with pytest.raises(ScenarioError, match="scenario"):
        lar2020.fit(scenario=object())


def test_nsi_scan_runs_on_lar_and_refuses_unknown_datasets():
    """The NSI scan uses the LAr likelihood for the LAr name (and the SM is allowed there);
    a dataset it does not know is refused in one line."""
    scan = stats.nsi_scan(DATASET, [0.0], [0.0])
    assert scan.converged.all()
    assert scan.delta_chi2[0, 0] < 2.3
    with pytest.raises(ScenarioError, match="dataset"):
        stats.nsi_scan("coherent-ge-2024", [0.0], [0.0])
