"""The CsI 2017 likelihood fit and NSI scan (cevns_widgets.stats) against the paper.

COHERENT, Science 357 (2017) 1123: 134 +- 22 CEvNS events, 6.7 sigma; Fig. 4 the NSI bands.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.optimize import minimize

from cevns_widgets import stats
from cevns_widgets.cli import main
from cevns_widgets.presets import get_preset
from cevns_widgets.scenario import ScenarioError
from cevns_widgets.stats import csi2017, nsi

DATASET = "coherent-csi-2017"


@pytest.fixture(scope="module")
def result():
    return stats.fit(DATASET)


def test_fit_against_the_paper(result):
    # Paper: 134 +- 22. Our CEvNS shape is our own physics (176.6 SM events in the region vs
    # the paper's 173) and our steady-state background is a per-cell template with its own
    # Poisson uncertainty (the paper's smoother background model gives a smaller error and
    # a larger significance). Tolerances: the count within 10 events (under half the
    # paper's error), the error within 20 %, the significance within 1.2 sigma.
    assert result.cevns_events == pytest.approx(134, abs=10)
    assert result.cevns_events_error == pytest.approx(22, rel=0.2)
    assert result.significance_sigma == pytest.approx(6.7, abs=1.2)
    lo, hi = result.cevns_events_interval
    assert lo < result.cevns_events < hi
    # nuisances sit inside their priors
    nz = result.nuisances
    assert abs(nz["quenching_pull"]) < 2
    assert abs(nz["prompt_neutron_norm"] - 1) < 2 * 0.25
    # the steady state in the region agrees with the anticoincidence count (703)
    assert nz["steady_state_events"] == pytest.approx(703, rel=0.1)
    # beam-off: 153.5 of 308.1 live days
    assert nz["beam_off_ratio"] == pytest.approx(153.5 / 308.1, rel=0.1)


def test_interval_ends_are_where_the_profile_rises_by_one(result):
    model = csi2017.sm_model()
    w = np.ones((3, 2))
    best = model.normalised.profile(w[:1])
    ends = np.array([result.cevns_events, *result.cevns_events_interval]) / model.sm_events
    prof = model.normalised.profile(w, c=ends)
    d = 2 * (best.loglike[0] - prof.loglike)
    assert d[0] == pytest.approx(0, abs=1e-6)
    assert d[1:] == pytest.approx([1, 1], abs=1e-3)
    null = model.normalised.profile(w[:1], c=np.zeros(1))
    assert np.sqrt(2 * (best.loglike[0] - null.loglike[0])) == pytest.approx(
        result.significance_sigma, rel=1e-6
    )


def test_newton_profile_agrees_with_scipy():
    """The vectorised Newton maximum equals a Nelder-Mead search over the same globals."""
    like = csi2017.sm_model().likelihood
    w = np.ones((1, 2))
    prior = (1.0, csi2017.NORM_SIGMA)
    p = like.profile(w, prior_c=prior)

    def nll(x):
        theta = np.array([x])
        return -like._loglike(theta, like._state(theta, w), prior)[0]

    x0 = np.array([1.0, 0.0, 1.0, like.data.r0])
    opt = minimize(nll, x0, method="Nelder-Mead", options=dict(xatol=1e-7, fatol=1e-9))
    assert -opt.fun == pytest.approx(p.loglike[0], abs=1e-4)
    assert p.loglike[0] >= -opt.fun - 1e-6
    assert p.params[0] == pytest.approx(opt.x, abs=2e-3)


def test_cell_background_is_the_exact_profile():
    """d lnL / d b = 0 in every cell with a positive background, at any globals; a cell
    at b = 0 (no control counts) has d lnL / d b <= 0 there (the boundary maximum)."""
    like = csi2017.sm_model().likelihood
    theta = np.array([[0.8, 0.5, 1.2, 0.5]])
    st = like._state(theta, np.ones((1, 2)))
    b, mu, kk = st["b"][0], st["mu"][0], st["kk"][0, 0]
    inner = b > 0
    assert inner.sum() > 0.9 * b.size
    grad = like._n / mu - 1 - (kk - 1)
    grad[inner] += like._m[inner] / b[inner]
    assert np.abs(grad[inner]).max() < 1e-9
    assert np.all(like._m[~inner] == 0) and np.all(grad[~inner] <= 1e-12)


def test_quenching_moves_the_pe_scale():
    base = csi2017.base_scenario()
    lo = csi2017.pe_binned(base.replace(quenching_factor=0.07), csi2017.DELAYED_FLAVORS)
    hi = csi2017.pe_binned(base.replace(quenching_factor=0.11), csi2017.DELAYED_FLAVORS)
    centres = 0.5 * (csi2017.region().pe_edges[1:] + csi2017.region().pe_edges[:-1])
    mean = [float((h * centres).sum() / h.sum()) for h in (lo, hi)]
    assert mean[1] > mean[0] + 1  # a shape change, not only a normalisation
    assert hi.sum() > lo.sum()


def test_a_physics_knob_changes_the_cevns_template():
    preset = get_preset(DATASET).scenario
    sm = stats.fit(DATASET).sm_prediction
    other = stats.fit(DATASET, scenario=preset.replace(eps_u_ee=0.1))
    assert other.sm_prediction < 0.9 * sm


def test_quadratic_basis_is_exact():
    base = csi2017.base_scenario()
    grids = [
        csi2017.pe_binned(base.replace(eps_u_ee=u, eps_d_ee=d), ("delayed_nue",))
        for u, d in nsi.BASIS_POINTS
    ]
    for u, d in [(0.3, -0.2), (-0.7, 0.45), (0.41, 0.0)]:
        direct = csi2017.pe_binned(base.replace(eps_u_ee=u, eps_d_ee=d), ("delayed_nue",))
        combo = nsi.basis_weights(u, d) @ np.array(grids)
        assert combo == pytest.approx(direct, rel=1e-8, abs=1e-10)
    # the muon flavours do not see eps_ee
    mu0 = csi2017.pe_binned(base, ("prompt_numu", "delayed_numubar"))
    mu1 = csi2017.pe_binned(base.replace(eps_u_ee=0.3), ("prompt_numu", "delayed_numubar"))
    assert mu1 == pytest.approx(mu0, rel=1e-12)


@pytest.fixture(scope="module")
def axis_scan():
    return stats.nsi_scan(DATASET, np.round(np.arange(-0.3, 0.7001, 0.02), 10), [0.0])


def test_nsi_sm_inside_90_percent(axis_scan):
    assert axis_scan.delta_chi2.shape == (axis_scan.eps_u.size, 1)
    assert axis_scan.converged.all()
    assert axis_scan.sm_delta_chi2 < stats.DELTA_CHI2_2DOF[0.90]
    i0 = int(np.argmin(np.abs(axis_scan.eps_u)))
    assert axis_scan.allowed(0.90)[i0, 0]


def test_nsi_two_valleys_along_eps_d_zero(axis_scan):
    """Two minima on eps_d = 0, one each side of the point where the nu_e weak charge is zero
    (eps_u ~ 0.20 for CsI): the SM-sign band and the flipped-sign band (REFERENCE sec. 11).
    Both are inside 90 %; the region is closed on both sides."""
    u, d = axis_scan.eps_u, axis_scan.delta_chi2[:, 0]
    interior = np.arange(1, u.size - 1)
    minima = interior[(d[interior] < d[interior - 1]) & (d[interior] < d[interior + 1])]
    assert len(minima) == 2
    left, right = u[minima]
    assert left < 0.2 < right
    ridge = d[minima[0] : minima[1] + 1].max()
    assert 0.2 - 0.05 < u[minima[0] + np.argmax(d[minima[0] : minima[1] + 1])] < 0.2 + 0.05
    assert ridge > d[minima].max()
    cut = stats.DELTA_CHI2_2DOF[0.90]
    assert d[minima].max() < cut
    assert d[0] > cut and d[-1] > cut
    # the flipped band: Q_nue = -Q_SM near eps_u = 0.41 is as allowed as the SM
    i_flip = int(np.argmin(np.abs(u - 0.41)))
    i_sm = int(np.argmin(np.abs(u)))
    assert d[i_flip] == pytest.approx(d[i_sm], abs=0.3)


def test_nsi_bands_follow_the_nu_e_weak_charge():
    """The map depends on (eps_u, eps_d) almost only through (N + 2Z) eps_u + (2N + Z) eps_d:
    points on one line of constant nu_e weak charge have the same profile likelihood
    (diagonal bands, as in the paper's Fig. 4); a point off the line does not."""
    # CsI: Cs (Z 55, N 78) and I (Z 53, N 74), averaged
    a_u, a_d = 0.5 * ((78 + 110) + (74 + 106)), 0.5 * ((156 + 55) + (148 + 53))
    like = nsi.nsi_model(DATASET).likelihood
    prior = (1.0, csi2017.NORM_SIGMA)
    for u0 in (0.0, 0.41, 0.2):
        eu = np.array([u0, u0 + 0.5, u0 - 0.5, u0 + 1.0])
        ed = -(a_u / a_d) * (eu - u0)
        p = like.profile(nsi._component_weights(eu, ed), prior_c=prior)
        assert np.ptp(p.loglike) < 0.05
    off = like.profile(nsi._component_weights(np.array([0.0, 0.6]), np.zeros(2)), prior_c=prior)
    assert 2 * (off.loglike[0] - off.loglike[1]) > 4


def test_bad_dataset_names_raise_scenario_error():
    for bad in ("coherent-xe-2099", "", None, 3):
        with pytest.raises(ScenarioError, match="dataset"):
            stats.fit(bad)
        with pytest.raises(ScenarioError, match="dataset"):
            stats.nsi_scan(bad, [0.0], [0.0])
    with pytest.raises(ScenarioError, match="eps_u_ee"):
        stats.nsi_scan(DATASET, [0.0, 9.0], [0.0])
    with pytest.raises(ScenarioError, match="eps_d_ee"):
        stats.nsi_scan(DATASET, [0.0], [])


def test_cli_fit_json(capsys):
    assert main(["fit", "--preset", DATASET, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    for key in ("cevns_events", "cevns_events_error", "significance_sigma", "nuisances"):
        assert key in data
    assert data["cevns_events"] == pytest.approx(stats.fit(DATASET).cevns_events)
    assert main(["fit"]) == 0
    assert "CEvNS events" in capsys.readouterr().out
    assert main(["fit", "--preset", "nope"]) == 2
    assert "--preset must be one of" in capsys.readouterr().err
