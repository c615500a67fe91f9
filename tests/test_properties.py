"""Property tests (hypothesis) of the rate calculation over targets, slider ranges, physics
options and the presets' full response chains.

Properties: every number and array is finite; events scale exactly as mass x POT / L^2; they
never increase with the threshold and vanish above the largest recoil; without a form factor
the total cross section follows the N^2 (Q_W^2) law; 0 <= F^2 <= 1.
"""

from __future__ import annotations

import json
import math
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import cevns_widgets as cw
from cevns_widgets.physics.cross_sections import max_recoil_keV, total_cross_section, weak_charge
from cevns_widgets.physics.form_factors import (
    FORM_FACTOR_MODELS,
    NEUTRON_SKIN_RANGE_fm,
    form_factor,
    neutron_rms_radius_fm,
)
from cevns_widgets.physics.nuclei import make_target
from cevns_widgets.physics.response import quenching_targets
from cevns_widgets.physics.sources import sns

#: 50 examples keep the suite fast; set CEVNS_HYPOTHESIS_EXAMPLES=1000 for a deeper search.
FAST = settings(
    max_examples=int(os.environ.get("CEVNS_HYPOTHESIS_EXAMPLES", "50")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

TARGETS = ["CsI", "NaI", "Ge", "Ar", "Xe", "133Cs", "40Ar", "Si", "C3F8"]
ISOTOPES = ["133Cs", "127I", "40Ar", "23Na", "74Ge", "132Xe", "28Si", "12C", "19F"]

targets = st.sampled_from(TARGETS)
masses = st.floats(1e-3, 1e4)
distances = st.floats(1.0, 100.0)
thresholds_keVnr = st.floats(0.0, 100.0)
pots = st.floats(1e20, 1e24)
sin2ws = st.floats(0.2, 0.26)
neutron_radii = st.one_of(st.none(), st.floats(4.0, 7.0))
neutron_skins = st.floats(*NEUTRON_SKIN_RANGE_fm)
form_factors = st.sampled_from(FORM_FACTOR_MODELS)
preset_names = st.sampled_from(sorted(cw.PRESETS))


@st.composite
def bare_scenarios(draw):
    """A recoil counter (keVnr, perfect efficiency) with any target and physics sliders."""
    return cw.Scenario(
        target=draw(targets),
        mass_kg=draw(masses),
        distance_m=draw(distances),
        pot=draw(pots),
        threshold=draw(thresholds_keVnr),
        threshold_unit="keVnr",
        sin2w=draw(sin2ws),
        form_factor=draw(form_factors),
        neutron_skin_fm=draw(neutron_skins),
    )


@st.composite
def preset_scenarios(draw):
    """A preset with its response chain, a threshold in its own unit (PE, keVee, keVnr)
    and the sliders moved."""
    base = cw.get_preset(draw(preset_names)).scenario
    unit = base.threshold_unit
    top = {"PE": 60.0, "keVee": 100.0, "keVnr": 100.0}[unit]
    return base.replace(
        threshold=draw(st.floats(0.0, top)),
        mass_kg=draw(masses),
        distance_m=draw(distances),
        pot=draw(pots),
        sin2w=draw(sin2ws),
        form_factor=draw(form_factors),
        neutron_skin_fm=draw(neutron_skins),
    )


@st.composite
def sky_scenarios(draw):
    """The Sun, the sky or a supernova on any target, with their own knobs over their full
    ranges (solar model, live days, the supernova's distance, energies and pinching)."""
    source = draw(st.sampled_from(["solar", "diffuse", "supernova"]))
    knobs = {}
    if source == "supernova":
        triple = st.tuples
        knobs = {
            "supernova_distance_kpc": draw(st.floats(1e-3, 1e4)),
            "supernova_mean_energies_MeV": draw(triple(*[st.floats(3.0, 40.0)] * 3)),
            "supernova_pinching": draw(triple(*[st.floats(0.5, 6.0)] * 3)),
            "supernova_flavour_energies_erg": draw(triple(*[st.floats(1e50, 1e54)] * 3)),
        }
    else:
        knobs = {"live_days": draw(st.floats(1e-3, 36525.0))}
        if source == "solar":
            knobs["solar_model"] = draw(st.sampled_from(["b16-gs98", "b16-agss09met"]))
    return cw.Scenario(
        source=source,
        target=draw(targets),
        mass_kg=draw(masses),
        threshold=draw(st.floats(0.0, 100.0)),
        threshold_unit="keVnr",
        sin2w=draw(sin2ws),
        form_factor=draw(form_factors),
        **knobs,
    )


scenarios = st.one_of(bare_scenarios(), preset_scenarios(), sky_scenarios())


def _all_finite(obj) -> bool:
    if isinstance(obj, dict):
        return all(_all_finite(v) for v in obj.values())
    if isinstance(obj, (list, tuple)):
        return all(_all_finite(v) for v in obj)
    if isinstance(obj, np.ndarray):
        return bool(np.all(np.isfinite(obj)))
    if isinstance(obj, float):
        return math.isfinite(obj)
    return True


@FAST
@given(scenarios)
def test_results_are_finite_everywhere(s):
    r = cw.evaluate(s)
    total = r.events_total
    assert math.isfinite(total) and total >= 0
    assert all(math.isfinite(v) and v >= 0 for v in r.events_by_flavor.values())
    assert total == pytest.approx(sum(r.events_by_flavor.values()), rel=1e-12)
    T, dndt = r.recoil_spectrum()
    assert np.all(np.isfinite(T)) and _all_finite(dndt)
    assert all(np.all(v >= 0) for v in dndt.values())
    x, dndx = r.observed_spectrum()
    assert np.all(np.isfinite(x)) and _all_finite(dndx)
    grid = np.linspace(0.0, r.max_observable() * 1.2, 25)
    assert _all_finite(r.events_vs_threshold(grid))
    assert _all_finite(r.uncertainty())
    assert math.isfinite(r.threshold_observable)


@FAST
@given(preset_names, st.floats(0.0, 60.0), sin2ws)
def test_expected_events_is_strict_json(name, threshold, sin2w):
    unit = cw.get_preset(name).scenario.threshold_unit
    key = {"PE": "threshold_PE", "keVee": "threshold_keVee", "keVnr": "threshold_keVnr"}[unit]
    out = cw.expected_events(preset=name, **{key: threshold, "sin2w": sin2w})
    text = json.dumps(out, allow_nan=False)  # raises on NaN or inf
    assert json.loads(text)["events_total"] == out["events_total"]
    assert _all_finite(out)


@FAST
@given(scenarios, masses, pots, distances)
def test_events_scale_as_mass_times_pot_over_distance_squared(s, mass, pot, distance):
    """N = mass x fluence x (per-kg, per-fluence spectrum): exact scaling, no recompute.
    The SNS fluence goes as POT / L^2; a reactor's as power x live days / L^2; the Sun's
    and the sky's as live days; a supernova's as 1 / d^2."""
    before = cw.evaluate(s).events_total
    if s.source == "sns":
        changed = s.replace(mass_kg=mass, pot=pot, distance_m=distance)
        factor = pot / s.pot * (s.distance_m / distance) ** 2
    elif s.source == "reactor":
        power, days = pot / 1e23, pot / 1e21  # reuse the drawn POT as power and days
        changed = s.replace(
            mass_kg=mass, reactor_power_GW=power, live_days=days, distance_m=distance
        )
        factor = (power / s.reactor_power_GW) * (days / s.live_days)
        factor *= (s.distance_m / distance) ** 2
    elif s.source == "supernova":
        kpc = distance / 100.0  # reuse the drawn distance, in kpc
        changed = s.replace(mass_kg=mass, supernova_distance_kpc=kpc)
        factor = (s.supernova_distance_kpc / kpc) ** 2
    else:
        days = pot / 1e21
        changed = s.replace(mass_kg=mass, live_days=days)
        factor = days / s.live_days
    after = cw.evaluate(changed).events_total
    factor *= mass / s.mass_kg
    if before == 0.0:
        assert after == 0.0
    else:
        assert after == pytest.approx(before * factor, rel=1e-9)


@FAST
@given(scenarios, st.lists(st.floats(0.0, 150.0), min_size=2, max_size=6))
def test_events_never_increase_with_threshold(s, values):
    values = sorted(values)
    if s.threshold_unit == "PE":
        values = [v * 0.5 for v in values]
    events = [cw.evaluate(s.replace(threshold=v)).events_total for v in values]
    assert all(b <= a for a, b in zip(events, events[1:], strict=False))


@FAST
@given(scenarios)
def test_events_vs_threshold_is_monotone(s):
    r = cw.evaluate(s)
    grid = np.linspace(0.0, r.max_observable() * 1.1, 200)
    curves = r.events_vs_threshold(grid)
    for name, curve in curves.items():
        assert np.all(np.diff(curve) <= 0), name
        assert np.all(curve >= 0), name
    # The curve at the scenario's own threshold is the scenario's count.
    at = r.events_vs_threshold(np.array([r.threshold_observable]))
    assert float(at["total"][0]) == pytest.approx(r.events_total, rel=1e-12, abs=1e-300)


def _largest_recoil_keVnr(target: str) -> float:
    lightest = make_target(target).mass_MeV.min()
    return float(max_recoil_keV(sns.flavor_spectra()["delayed_nue"].max_energy_MeV, lightest))


@FAST
@given(bare_scenarios(), st.floats(0.0, 2.0))
def test_no_events_above_the_largest_recoil(s, excess):
    """Bare recoil counter: a threshold at or above T_max(52.8 MeV, lightest nucleus) counts
    nothing, and the result says why."""
    t_max = _largest_recoil_keVnr(s.target)
    r = cw.evaluate(s.replace(threshold=t_max * (1.0 + excess)))
    assert r.events_total == 0.0
    assert all(v == 0.0 for v in r.events_by_flavor.values())
    assert any("above every possible signal" in note for note in r.notes())


@FAST
@given(targets, st.floats(0.05, 1.0), st.floats(0.0, 1.0))
def test_no_events_above_the_largest_quenched_recoil(target, qf, excess):
    """Deterministic quenching (keVee, no smearing): nothing above QF x T_max."""
    s = cw.Scenario(
        target=target,
        quenching="constant",
        quenching_factor=qf,
        threshold_unit="keVee",
        threshold=qf * _largest_recoil_keVnr(target) * (1.0 + excess) * (1 + 1e-12),
    )
    assert cw.evaluate(s).events_total == 0.0


@FAST
@given(st.sampled_from(ISOTOPES), st.sampled_from(ISOTOPES), st.floats(5.0, 55.0), sin2ws)
def test_n_squared_law_without_form_factor(first, second, energy, sin2w):
    """Per nucleus, at fixed E, sigma ratio = Q_W^2 ratio up to the recoil correction
    (sigma ~ G_F^2 Q_W^2 E^2 (1 - 2E/M) / 4 pi), and exactly once the kinematic integral
    int_0^Tmax [1 - MT/2E^2 - T/E + T^2/2E^2] dT, times M, is divided out."""
    a, b = make_target(first).isotopes[0], make_target(second).isotopes[0]
    sig = [
        total_cross_section(
            energy, i.Z, i.N, i.A, i.mass_MeV, sin2w=sin2w, form_factor_model="none"
        )
        for i in (a, b)
    ]
    qw2 = [float(weak_charge(i.Z, i.N, sin2w)) ** 2 for i in (a, b)]
    ratio, law = sig[0] / sig[1], qw2[0] / qw2[1]
    recoil = 2.5 * energy / min(a.mass_MeV, b.mass_MeV)
    assert ratio == pytest.approx(law, rel=recoil)

    def kinematic(i):
        M, E = i.mass_MeV, energy
        t = 2 * E**2 / (M + 2 * E)
        return M * (t - (M / (4 * E**2) + 1 / (2 * E)) * t**2 + t**3 / (6 * E**2))

    assert ratio / (kinematic(a) / kinematic(b)) == pytest.approx(law, rel=1e-9)


@FAST
@given(form_factors, st.floats(0.0, 5.0), st.integers(1, 240), neutron_radii)
def test_form_factor_squared_is_a_probability(model, q, A, radius):
    F2 = float(np.asarray(form_factor(model, q, A, radius))) ** 2
    assert 0.0 <= F2 <= 1.0


@FAST
@given(form_factors, st.integers(2, 300), neutron_skins)
def test_neutron_skin_form_factor_valid_and_bounded(model, A, skin):
    """Any skin in the allowed range gives a valid neutron form factor for any A >= 2."""
    q = np.linspace(0.0, 4.0, 200)
    F = np.asarray(form_factor(model, q, A, neutron_rms_radius_fm(model, A, 1, skin)))
    assert F[0] == pytest.approx(1.0, abs=1e-12)
    assert np.all(F**2 <= 1.0) and np.all(np.isfinite(F))


@FAST
@given(form_factors, st.integers(1, 240), neutron_radii)
def test_form_factor_arrays_bounded(model, A, radius):
    q = np.linspace(0.0, 4.0, 400)
    F = np.asarray(form_factor(model, q, A, radius))
    assert F[0] == 1.0
    assert np.all(F**2 <= 1.0) and np.all(np.isfinite(F))


@FAST
@given(scenarios)
def test_scenario_json_round_trip(s):
    again = cw.Scenario.from_json(s.to_json())
    assert again == s
    assert cw.evaluate(again).events_total == cw.evaluate(s).events_total


@FAST
@given(bare_scenarios(), st.floats(1e-3, 1e4), st.floats(1e20, 1e24))
def test_mass_and_pot_scaling_with_a_sterile_neutrino(s, mass, pot):
    """With oscillations the distance changes the spectrum, but mass and POT still scale."""
    s = s.replace(sterile_dm2_eV2=1.0, sterile_sin2_2theta=0.2)
    before = cw.evaluate(s).events_total
    after = cw.evaluate(s.replace(mass_kg=mass, pot=pot)).events_total
    if before == 0.0:
        assert after == 0.0
    else:
        assert after == pytest.approx(before * mass / s.mass_kg * pot / s.pot, rel=1e-9)


@FAST
@given(st.sampled_from(["CsI", "Ar", "Ge"]), st.floats(0.5, 50.0), st.floats(0.05, 0.5))
def test_sterile_disappearance_only_removes_events(target, distance, sin2):
    s = cw.Scenario(target=target, distance_m=distance, threshold=1.0)
    osc = s.replace(sterile_dm2_eV2=1.0, sterile_sin2_2theta=sin2)
    n0, n1 = cw.evaluate(s).events_total, cw.evaluate(osc).events_total
    assert (1 - sin2) * n0 * (1 - 1e-9) <= n1 <= n0 * (1 + 1e-9)


@FAST
@given(targets, st.floats(1e-12, 1e-9))
def test_magnetic_moment_only_adds_events(target, mu):
    s = cw.Scenario(target=target, threshold=1.0)
    assume(cw.evaluate(s).events_total > 0)
    assert (
        cw.evaluate(s.replace(magnetic_moment_muB=mu)).events_total >= cw.evaluate(s).events_total
    )


@st.composite
def any_scenarios(draw):
    """Every knob at once: NSI, magnetic moment, sterile neutrino, couplings, and any
    consistent response chain (quenching, light yield or resolution, efficiency)."""
    target = draw(targets)
    # Target-specific quenching models (CsI, argon) only where they apply.
    elements = {i.symbol for i in make_target(target).isotopes}
    quenching = draw(
        st.sampled_from(
            [
                q
                for q in ("none", "constant", "lindhard", "csi-2021", "lar-2020", "csi-measured")
                if set(quenching_targets(q) or elements) >= elements
            ]
        )
    )
    light_yield = resolution = None
    efficiency = "none"
    if quenching != "none":
        chain = draw(st.sampled_from(["PE", "smeared", "plain"]))
        if chain == "PE":
            light_yield = draw(st.floats(1.0, 40.0))
            efficiency = draw(st.sampled_from(["none", "csi-2017", "csi-2021"]))
        elif chain == "smeared":
            resolution = draw(st.floats(0.05, 2.0))
            efficiency = draw(st.sampled_from(["none", "lar-2020"]))
        else:
            efficiency = draw(st.sampled_from(["none", "lar-2020"]))
    elif draw(st.booleans()):
        resolution = draw(st.floats(0.05, 2.0))
    unit = "PE" if light_yield else ("keVnr" if quenching == "none" else "keVee")
    eps = st.floats(-1.0, 1.0)
    return cw.Scenario(
        target=target,
        mass_kg=draw(masses),
        distance_m=draw(distances),
        pot=draw(pots),
        threshold=draw(st.floats(0.0, 30.0)),
        threshold_unit=unit,
        sin2w=draw(sin2ws),
        couplings=draw(st.sampled_from(["tree", "radiative"])),
        form_factor=draw(form_factors),
        neutron_skin_fm=draw(neutron_skins),
        eps_u_ee=draw(eps),
        eps_d_ee=draw(eps),
        eps_u_mumu=draw(eps),
        eps_d_mumu=draw(eps),
        magnetic_moment_muB=draw(st.sampled_from([0.0, 1e-11, 1e-9])),
        sterile_dm2_eV2=draw(st.sampled_from([0.0, 0.3, 1.0, 30.0])),
        sterile_sin2_2theta=draw(st.floats(0.0, 1.0)),
        quenching=quenching,
        quenching_factor=draw(st.floats(0.01, 1.0)),
        lindhard_k=draw(st.one_of(st.none(), st.floats(0.05, 0.3))),
        light_yield_PE_per_keVee=light_yield,
        resolution_a=resolution,
        efficiency=efficiency,
        time_window_start_us=draw(st.one_of(st.none(), st.floats(0.0, 5.0))),
        time_window_stop_us=draw(st.one_of(st.none(), st.floats(6.0, 20.0))),
    )


@FAST
@given(any_scenarios())
def test_every_knob_gives_finite_monotone_results(s):
    r = cw.evaluate(s)
    assert math.isfinite(r.events_total) and r.events_total >= 0
    assert _all_finite(r.recoil_spectrum()[1]) and _all_finite(r.observed_spectrum()[1])
    grid = np.linspace(0.0, r.max_observable() * 1.1, 60)
    curve = r.events_vs_threshold(grid)["total"]
    assert np.all(np.isfinite(curve)) and np.all(np.diff(curve) <= 0)
    assert json.loads(json.dumps(cw.api.result_to_dict(r), allow_nan=False))
