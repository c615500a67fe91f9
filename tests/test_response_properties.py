"""The detector response conserves events and never lets counts rise with a threshold.

Quenching is a change of variable T -> E_ee(T): with no efficiency, every recoil lands
somewhere, so the count above a zero threshold (keVee, or PE including 0) is the bare recoil
count, for every quenching model on every target it applies to, with or without a light
yield or a Gaussian resolution. Also: a quenching model measured for one material is refused
on another; a mixture's grid resolves each element's own recoil range; a bright detector
keeps every photoelectron; the sterile oscillation is averaged over the spread of distances
(issue #7).
"""

from __future__ import annotations

import math
import os

import numpy as np
import periodictable
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cevns_widgets as cw
from cevns_widgets.physics import rates
from cevns_widgets.physics.cross_sections import max_recoil_keV
from cevns_widgets.physics.nuclei import make_target
from cevns_widgets.physics.response import (
    QUENCHING_MODELS,
    Response,
    check_quenching_applies,
    csi_measured_electron_equivalent_keV,
    poisson_bin_matrix,
    poisson_matrix,
    quenching_targets,
)
from cevns_widgets.physics.sources import sns
from cevns_widgets.scenario import ScenarioError

FAST = settings(
    max_examples=int(os.environ.get("CEVNS_HYPOTHESIS_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

TARGETS = ["CsI", "NaI", "Ge", "Ar", "Xe", "C3F8", "HI", "133Cs", "127I", "40Ar", "CaWO4"]
MODELS = [m for m in QUENCHING_MODELS if m != "none"]


def _applies(model: str, target: str) -> bool:
    try:
        check_quenching_applies(model, {i.symbol for i in make_target(target).isotopes})
    except ValueError:
        return False
    return True


PAIRS = [(t, m) for t in TARGETS for m in MODELS if _applies(m, t)]


def _bare_total(target: str) -> float:
    return cw.evaluate(cw.Scenario(target=target, threshold=0.0)).events_total


def _scenario(target, model, variant, *, qf=0.1, k=None, a=0.58, ly=13.35):
    fields = {"target": target, "quenching": model, "quenching_factor": qf, "lindhard_k": k}
    if variant == "PE":
        fields.update(light_yield_PE_per_keVee=ly, threshold_unit="PE")
    else:
        fields.update(threshold_unit="keVee")
        if variant == "gauss":
            fields.update(resolution_a=a)
    return cw.Scenario(threshold=0.0, **fields)


# --- 1. conservation and monotonicity, on every applicable pair -----------------------


@pytest.mark.parametrize(("target", "model"), PAIRS)
@pytest.mark.parametrize("variant", ["keVee", "gauss", "PE"])
def test_quenching_is_a_change_of_variable(target, model, variant):
    """NaI with Lindhard gave +22 %, HI 7x, a Gaussian resolution -10 to -20 %."""
    total = cw.evaluate(_scenario(target, model, variant)).events_total
    assert total == pytest.approx(_bare_total(target), rel=1e-6)


def test_csi_measured_map_is_monotone_and_counts_fall_with_a_keVnr_threshold():
    """The interpolated TUNL + Chicago points gave less light at 4.0 than at 3.5 keVnr."""
    T = np.linspace(0.0, 100.0, 20001)
    e_ee = csi_measured_electron_equivalent_keV(T)
    assert np.all(np.diff(e_ee) > 0)
    base = cw.Scenario(quenching="csi-measured", threshold_unit="keVnr")
    for extra in ({}, {"light_yield_PE_per_keVee": 13.35}, {"resolution_a": 0.3}):
        s = base.replace(**extra)
        counts = [
            cw.evaluate(s.replace(threshold=float(t))).events_total
            for t in np.linspace(3.0, 4.5, 31)
        ]
        assert np.all(np.diff(counts) <= 1e-12 * counts[0]), extra


def test_keVee_nodes_resolve_the_heavy_element_of_a_light_compound():
    """Each element's tail is exact at its own E_ee(T_i): in NaI, iodine's keVee tail equals
    its keVnr tail at the matching recoil, not an interpolation over sodium's range."""
    resp = Response(quenching="lindhard")
    ob = rates.observed_spectra("NaI", rates.PhysicsParams(), None, resp)
    rs = rates.recoil_spectra("NaI", rates.PhysicsParams(), None)
    T = rs.T_keV
    i_row = list(rs.element_labels).index("I")
    for f in sns.FLAVORS:
        tails = [rates._tail_from_density(T, row) for row in rs.by_flavor[f]]
        for t in (5.0, 20.0, 40.0):
            e = [
                float(resp.electron_equivalent_keV(np.array([t]), z, a)[0])
                for z, a in zip(rs.element_Z, rs.element_A, strict=True)
            ]
            # iodine above t plus sodium above the recoil giving the same E_ee
            t_na = float(
                np.interp(
                    e[i_row],
                    resp.electron_equivalent_keV(T, rs.element_Z[0], rs.element_A[0]),
                    T,
                )
            )
            expected = np.interp(t, T, tails[i_row]) + np.interp(t_na, T, tails[0])
            assert float(ob.above(f, e[i_row])) == pytest.approx(expected, rel=2e-3, abs=0)


# --- 2. a quenching model only where it was measured ----------------------------------


@pytest.mark.parametrize(
    ("target", "model"),
    [("NaI", "csi-2021"), ("C3F8", "csi-2021"), ("Ar", "csi-measured"), ("Xe", "lar-2020")],
)
def test_target_specific_quenching_is_refused_elsewhere(target, model):
    allowed = "/".join(quenching_targets(model))
    with pytest.raises(ScenarioError, match=f"describes {allowed} only"):
        cw.Scenario(target=target, quenching=model)
    with pytest.raises(ValueError, match="choose lindhard or constant"):
        check_quenching_applies(model, {i.symbol for i in make_target(target).isotopes})


def test_quenching_applicability():
    assert quenching_targets("lindhard") is None and quenching_targets("constant") is None
    for target in ("CsI", "133Cs", "127I"):
        cw.Scenario(target=target, quenching="csi-2021")
        cw.Scenario(target=target, quenching="csi-measured")
    for target in ("Ar", "40Ar"):
        cw.Scenario(target=target, quenching="lar-2020")


# --- 3. a bright detector keeps every photoelectron ----------------------------------


@pytest.mark.parametrize("light_yield", [500.0, 1000.0, 5000.0])
def test_bright_detector_conserves_and_matches_poisson(light_yield):
    """The PE grid stopped at 2000 PE: half the events vanished at 500 PE/keVee."""
    s = _scenario("CsI", "lindhard", "PE", ly=light_yield)
    r = cw.evaluate(s)
    assert r.events_total == pytest.approx(_bare_total("CsI"), rel=1e-9)
    # Wider bins above PE_UNIT_BINS: thresholds there agree with an exact Poisson fold.
    rs = r.recoil
    T = rs.T_keV
    means = [
        s.response.mean_observable(T, z, a) for z, a in zip(rs.element_Z, rs.element_A, strict=True)
    ]
    top = max(m.max() for m in means)
    n_max = int(top + 8 * math.sqrt(top) + 20)
    w = rates._trapezoid_weights(T)
    f = "delayed_numubar"
    exact = sum(
        poisson_matrix(n_max, m) @ (row * w) for m, row in zip(means, rs.by_flavor[f], strict=True)
    )
    exact_tail = np.cumsum(exact[::-1])[::-1]
    for t in np.linspace(0, 0.8 * top, 23).round():
        got = float(r.observed.above(f, float(t)))
        assert got == pytest.approx(exact_tail[int(t)], rel=3e-3, abs=0), t
        assert float(r.observed.above(f, np.array([t]))[0]) == pytest.approx(got, rel=1e-12, abs=0)


def test_poisson_bins_sum_to_one():
    edges = np.concatenate([np.arange(50.0), [50, 60, 75, 100, 150]])
    edges = np.unique(edges)
    mu = np.array([0.0, 1.0, 40.0, 70.0, 120.0, 400.0])
    p = poisson_bin_matrix(edges, mu)
    assert np.all(p >= 0)
    np.testing.assert_allclose(p.sum(axis=0), 1.0, rtol=1e-12)
    np.testing.assert_allclose(p[:50], poisson_matrix(49, mu), rtol=1e-12)


# --- 4. a mixture's recoil grid resolves each element --------------------------------


def _integral_above(T, y, t0):
    """Trapezoid integral of y(T) from t0 to the end, linear in each grid interval."""
    tail = rates._tail_from_density(T, y)
    return float(np.interp(t0, T, tail))


@pytest.mark.parametrize(
    ("compound", "element", "pure", "threshold_keVnr"),
    [
        ("HI", "I", "127I", 40.0),
        ("NaI", "I", "127I", 40.0),
        ("NaI", "Na", "Na", None),
        ("H2O", "O", "O", None),
        ("C3F8", "F", "F", None),
        ("C3F8", "C", "C", None),
        ("CaWO4", "W", "W", None),
        ("CaWO4", "Ca", "Ca", None),
    ],
)
def test_element_of_a_mixture_matches_the_pure_element(compound, element, pure, threshold_keVnr):
    """HI's iodine was +9 % above 40 keVnr on a grid sized for hydrogen."""
    if threshold_keVnr is None:  # near the element's endpoint, where the grid matters most
        masses = make_target(pure).mass_MeV
        threshold_keVnr = 0.85 * float(max_recoil_keV(sns.C.MICHEL_ENDPOINT_MeV, masses.max()))
    fraction = float(
        periodictable.formula(compound).mass_fraction[periodictable.elements.symbol(element)]
    )
    mix = rates.recoil_spectra(compound)
    alone = rates.recoil_spectra(pure)
    row = list(mix.element_labels).index(element)
    checked = 0
    for f in sns.FLAVORS:
        got = _integral_above(mix.T_keV, mix.by_flavor[f][row], threshold_keVnr)
        want = fraction * _integral_above(
            alone.T_keV, alone.by_flavor[f].sum(axis=0), threshold_keVnr
        )
        if want == 0:  # the prompt line cannot reach the threshold
            assert got == 0
            continue
        checked += 1
        assert got == pytest.approx(want, rel=2e-3, abs=0), f
    assert checked >= 2


def test_scale_groups():
    assert rates.scale_groups([46.0, 48.0]) == [48.0]
    assert rates.scale_groups([5300.0, 2800.0, 370.0, 47.0]) == [5300.0, 370.0, 47.0]


# --- 5. sterile oscillation averaged over the distance spread -------------------------


@pytest.fixture
def fresh_caches():
    def clear():
        rates._kinematics.cache_clear()
        rates.recoil_spectra.cache_clear()
        rates.observed_spectra.cache_clear()

    clear()
    yield
    clear()


def test_sterile_prompt_count_is_stable_under_a_1_cm_move():
    """At dm^2 = 100 eV^2 the prompt line's survival swung with sin^2 at one L."""
    base = cw.Scenario(sterile_dm2_eV2=100.0, sterile_sin2_2theta=0.5)
    for d in (19.3, 20.0, 27.5):
        near = cw.evaluate(base.replace(distance_m=d)).events_by_flavor["prompt_numu"]
        far = cw.evaluate(base.replace(distance_m=d + 0.01)).events_by_flavor["prompt_numu"]
        flux = (d / (d + 0.01)) ** 2  # the 1/L^2 part is not oscillation
        assert far / flux == pytest.approx(near, rel=0.01)


def test_sterile_averaging_leaves_slow_oscillations_alone(fresh_caches, monkeypatch):
    s = cw.Scenario(sterile_dm2_eV2=1.0, sterile_sin2_2theta=0.5)
    averaged = cw.evaluate(s).events_by_flavor
    monkeypatch.setattr(sns, "DISTANCE_SPREAD_SIGMA_m", 0.0)
    rates._kinematics.cache_clear()
    rates.recoil_spectra.cache_clear()
    rates.observed_spectra.cache_clear()
    single = cw.evaluate(s).events_by_flavor
    for f in sns.FLAVORS:
        assert averaged[f] == pytest.approx(single[f], rel=1e-3)


def test_sterile_average_matches_a_numerical_average_over_L():
    E = np.array([10.0, 29.79, 50.0])
    L0, sigma = 19.3, sns.DISTANCE_SPREAD_SIGMA_m
    L = np.linspace(L0 - 8 * sigma, L0 + 8 * sigma, 20001)
    weight = np.exp(-0.5 * ((L - L0) / sigma) ** 2)
    for dm2 in (0.5, 5.0, 50.0):
        p_at_L = sns.sterile_survival_probability(E[:, None], L[None, :], dm2, 0.7, spread_m=0.0)
        numeric = (p_at_L * weight).sum(axis=1) / weight.sum()
        analytic = sns.sterile_survival_probability(E, L0, dm2, 0.7)
        np.testing.assert_allclose(analytic, numeric, atol=1e-6)


# --- 6. properties over models, targets, light yield and resolution ------------------


@st.composite
def responses(draw):
    target, model = draw(st.sampled_from(PAIRS))
    variant = draw(st.sampled_from(["keVee", "gauss", "PE"]))
    return _scenario(
        target,
        model,
        variant,
        qf=draw(st.floats(0.02, 1.0)),
        k=draw(st.one_of(st.none(), st.floats(0.05, 0.3))),
        a=draw(st.floats(0.01, 2.0)),
        ly=draw(st.floats(0.5, 200.0)),
    )


@FAST
@given(responses())
def test_response_conserves_is_monotone_and_finite(s):
    r = cw.evaluate(s)
    ob = r.observed
    assert np.all(np.isfinite(ob.nodes))
    for f in sns.FLAVORS:
        assert np.all(np.isfinite(ob.density[f])) and np.all(ob.density[f] >= -1e-30)
        assert np.all(np.isfinite(ob.tail[f]))
    assert r.events_total == pytest.approx(_bare_total(s.target), rel=1e-6)
    # Never more events at a higher threshold: in the observable ...
    top = r.max_observable() * 1.05
    counts = r.events_vs_threshold(np.linspace(0.0, top, 400))["total"]
    assert np.all(np.diff(counts) <= 1e-12 * counts[0])
    assert counts[-1] == 0.0 or counts[-1] < 1e-9 * counts[0]
    # ... and in keVnr (converted through the heaviest element's map).
    t_max = float(r.recoil.T_keV[-1])
    kevnr = [
        cw.evaluate(s.replace(threshold=float(t), threshold_unit="keVnr")).events_total
        for t in np.linspace(0.0, min(t_max, 120.0), 25)
    ]
    assert np.all(np.diff(kevnr) <= 1e-12 * kevnr[0])
