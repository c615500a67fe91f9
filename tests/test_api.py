"""The public API: expected_events, scenario_from_options, evaluate/Result, Scenario
validation and JSON, presets."""

from __future__ import annotations

import doctest
import importlib
import json
import math

import numpy as np
import pytest

import cevns_widgets as cw
from cevns_widgets.api import result_to_dict, scenario_from_options
from cevns_widgets.physics.sources import sns
from cevns_widgets.scenario import SCENARIO_FORMAT, ScenarioError

FLAVORS = ("prompt_numu", "delayed_nue", "delayed_numubar")
EXAMPLE = {
    "target": "CsI",
    "mass_kg": 14.6,
    "distance_m": 19.3,
    "pot": 1.76e23,
    "nu_per_pot": 0.08,
    "threshold_keVnr": 6.5,
}


# --- expected_events -----------------------------------------------------------------------------


def test_expected_events_shape():
    r = cw.expected_events(**EXAMPLE)
    assert set(r) == {
        "events_total",
        "events_by_flavor",
        "uncertainty",
        "inputs",
        "units",
        "notes",
        "scenario_status",
    }
    assert tuple(r["events_by_flavor"]) == FLAVORS
    assert r["events_total"] == pytest.approx(sum(r["events_by_flavor"].values()), rel=1e-14)
    assert r["units"] == {
        "events": "events over the exposure",
        "threshold": "keVnr",
        "roi_max": "keVnr",
    }
    assert r["inputs"]["observable"] == "keVnr"
    assert r["inputs"]["threshold_in_observable"] == 6.5
    assert r["notes"] == []
    assert "preset" not in r
    json.dumps(r, allow_nan=False)


def test_expected_events_with_preset_carries_its_citation():
    r = cw.expected_events(preset="coherent-csi-2017")
    p = r["preset"]
    assert p["name"] == "coherent-csi-2017" and p["version"] == "1.1"
    assert "Science 357 (2017) 1123" in p["citation"]
    assert p["published"]["predicted"] == 173.0
    assert r["inputs"]["observable"] == "PE"


@pytest.mark.parametrize("name", sorted(cw.PRESETS))
def test_every_preset_evaluates(name):
    r = cw.expected_events(preset=name)
    assert r["events_total"] > 0 and math.isfinite(r["events_total"])
    assert r["preset"]["name"] == name
    preset = cw.get_preset(name)
    assert preset.citation and preset.title and preset.version
    assert cw.evaluate(preset.scenario).events_total == r["events_total"]


def test_options_override_the_preset():
    base = cw.expected_events(preset="coherent-csi-2017")
    heavier = cw.expected_events(preset="coherent-csi-2017", mass_kg=29.2)
    assert heavier["events_total"] == pytest.approx(2 * base["events_total"], rel=1e-12)
    assert heavier["inputs"]["light_yield_PE_per_keVee"] == 13.348


def test_exposure_conversions_are_echoed():
    r = cw.expected_events(exposure_GWh=7.48, proton_energy_GeV=0.957)
    assert r["inputs"]["pot"] == pytest.approx(sns.pot_from_energy(7.48, 0.957), rel=1e-15)
    assert r["inputs"]["exposure_GWh"] == 7.48
    d = cw.expected_events(beam_days=10.0, beam_power_MW=1.4)
    assert d["inputs"]["pot"] == pytest.approx(10 * sns.pot_from_days(1.0, 1.4), rel=1e-12)
    assert d["inputs"]["beam_power_MW"] == 1.4 and d["inputs"]["proton_energy_GeV"] == 1.0
    # The same POT given directly gives the same events.
    direct = cw.expected_events(pot=r["inputs"]["pot"])
    assert direct["events_total"] == r["events_total"]


def test_threshold_units_and_time_window():
    s, _ = scenario_from_options("coherent-csi-2017", threshold_keVnr=6.5, time_window_us=(0, 6))
    assert (s.threshold, s.threshold_unit) == (6.5, "keVnr")
    assert s.time_window_us == (0.0, 6.0)
    r = cw.evaluate(s)
    # 6.5 keVnr on Cs through QF 0.0878 and 13.348 PE/keVee.
    assert r.threshold_observable == pytest.approx(6.5 * 0.0878 * 13.348, rel=1e-12)
    s2, _ = scenario_from_options("coherent-csi-2017", threshold_keVee=0.5)
    assert cw.evaluate(s2).threshold_observable == pytest.approx(0.5 * 13.348, rel=1e-12)


def test_time_window_is_a_per_flavour_factor():
    full = cw.evaluate(cw.Scenario())
    early = cw.evaluate(cw.Scenario(time_window_start_us=0.0, time_window_stop_us=1.0))
    for f in FLAVORS:
        frac = sns.time_window_fraction(f, 0.0, 1.0)
        assert early.events_by_flavor[f] == pytest.approx(
            full.events_by_flavor[f] * frac, rel=1e-12
        )
    assert early.events_by_flavor["prompt_numu"] > 0.99 * full.events_by_flavor["prompt_numu"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"pot": 1e23, "exposure_GWh": 3.0}, "exposure one way only"),
        ({"beam_days": 3.0, "beam_power_MW": 101.0}, r"beam_power_MW must be in \(0, 100\] MW"),
        ({"threshold_keVnr": 1.0, "threshold_PE": 2.0}, "give one threshold"),
        ({"time_window_us": (1.0, 2.0, 3.0)}, "two numbers"),
        ({"mass_kg": float("inf")}, "finite"),
        ({"distance_m": float("nan")}, "finite"),
        ({"exposure_GWh": -1.0}, r"exposure_GWh must be in \(0, 1e4\] GWh, got -1"),
        ({"beam_days": 1.0, "beam_power_MW": 0.0}, r"beam_power_MW must be in \(0, 100\] MW"),
        ({"threshold_PE": 2.0}, "records keVnr"),
        ({"bogus": 1}, "unknown scenario field"),
        ({"target": "Kryptonite"}, "unknown target"),
    ],
)
def test_expected_events_rejects_bad_options(options, message):
    with pytest.raises(ScenarioError, match=message):
        cw.expected_events(**options)


def test_unknown_preset_lists_the_choices():
    with pytest.raises(ScenarioError) as info:
        cw.expected_events(preset="coherent-csi-1999")
    for name in cw.PRESETS:
        assert name in str(info.value)


def test_threshold_above_every_recoil_is_zero_with_a_note():
    r = cw.expected_events(target="Ar", threshold_keVnr=500.0)
    assert r["events_total"] == 0.0
    assert len(r["notes"]) == 1 and "above every possible signal" in r["notes"][0]
    p = cw.expected_events(preset="coherent-csi-2017", threshold_PE=500.0, roi_max=1000.0)
    assert p["events_total"] == 0.0 and p["notes"]


# --- Result --------------------------------------------------------------------------------------


def test_recoil_spectrum_integrates_to_the_bare_count():
    s = cw.Scenario(threshold=0.0)
    r = cw.evaluate(s)
    T, dndt = r.recoil_spectrum()
    for f in FLAVORS:
        integral = float(np.sum(np.diff(T) * (dndt[f][1:] + dndt[f][:-1])) / 2)
        assert integral == pytest.approx(r.events_by_flavor[f], rel=1e-9)


def test_observed_pe_spectrum_sums_to_the_window_count():
    r = cw.evaluate(cw.get_preset("coherent-csi-2017").scenario)
    x, dndx = r.observed_spectrum()
    window = (x >= 6) & (x < 30)
    for f in FLAVORS:
        assert float(dndx[f][window].sum()) == pytest.approx(r.events_by_flavor[f], rel=1e-12)


def test_events_vs_threshold_matches_single_evaluations():
    s = cw.get_preset("coherent-csi-2017").scenario
    r = cw.evaluate(s)
    thresholds = np.array([0.0, 3.0, 6.0, 9.5, 20.0])
    curve = r.events_vs_threshold(thresholds)
    for t, value in zip(thresholds, curve["total"], strict=True):
        assert value == pytest.approx(
            cw.evaluate(s.replace(threshold=float(t))).events_total, rel=1e-12
        )


def test_uncertainty_budget_follows_the_ingredients():
    bare = cw.evaluate(cw.Scenario(form_factor="none")).uncertainty()
    assert bare["components"] == {"flux": 0.10} and bare["fraction"] == pytest.approx(0.10)
    full = cw.evaluate(cw.get_preset("coherent-csi-2017").scenario).uncertainty()
    assert set(full["components"]) == {"flux", "quenching", "form_factor", "selection"}
    assert full["fraction"] == pytest.approx(math.sqrt(0.1**2 + 0.25**2 + 0.05**2 + 0.05**2))


def test_result_to_dict_is_expected_events():
    s, exposure = scenario_from_options("coherent-lar-2020")
    assert result_to_dict(cw.evaluate(s), "coherent-lar-2020", exposure) == cw.expected_events(
        preset="coherent-lar-2020"
    )


# --- Scenario: validation and JSON ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"mass_kg": -1.0}, r"mass_kg must be in \(0, 1e9\] kg, got -1"),
        ({"mass_kg": 0.0}, r"mass_kg must be in \(0, 1e9\] kg, got 0"),
        ({"distance_m": 0.0}, r"distance_m must be in \[0.1, 1e5\] m, got 0"),
        ({"mass_kg": float("nan")}, r"mass_kg must be a finite number in \(0, 1e9\] kg, got nan"),
        ({"pot": float("inf")}, r"pot must be a finite number in \(0, 1e26\]"),
        ({"mass_kg": True}, "mass_kg must be a number"),
        ({"mass_kg": "3"}, "mass_kg must be a number"),
        ({"target": "Foo"}, "unknown target 'Foo'.*common choices: CsI"),
        ({"target": "Cs-999"}, "Cs has no isotope with A = 999"),
        ({"form_factor": "gauss"}, "form_factor must be one of helm, klein-nystrand, fermi, none"),
        ({"couplings": "loop"}, "couplings must be one of tree, radiative"),
        ({"quenching": "magic"}, "quenching must be one of none, constant, lindhard"),
        ({"efficiency": "perfect"}, "efficiency must be one of none, csi-2017"),
        ({"threshold_unit": "MeV"}, "threshold_unit must be one of keVnr, keVee, PE"),
        ({"threshold": -1.0}, r"threshold must be in \[0, 1e6\], got -1"),
        ({"sin2w": 0.0}, r"sin2w must be in \(0, 1\]"),
        ({"neutron_skin_fm": -0.5}, r"neutron_skin_fm must be in \[-0.1, 2\].*got -0.5"),
        ({"neutron_skin_fm": None}, r"neutron_skin_fm must be a number"),
        ({"target": "Cs133"}, "ambiguous: write the isotope as 133Cs or Cs-133, or natural"),
        ({"target": "Cs0"}, "count 0: counts must be positive"),
        ({"eps_u_ee": 6.0}, r"eps_u_ee must be in \[-5, 5\]"),
        ({"time_window_start_us": 5.0, "time_window_stop_us": 1.0}, "must end after it starts"),
        ({"light_yield_PE_per_keVee": 10.0}, "a light yield needs a quenching model"),
        ({"efficiency": "csi-2017"}, "is a function of PE, but this detector records keVnr"),
        ({"quenching": "constant", "efficiency": "csi-2017"}, "records keVee: set a light yield"),
    ],
)
def test_scenario_validation_messages(fields, message):
    with pytest.raises(ScenarioError, match=message):
        cw.Scenario(**fields)


def test_scenario_error_is_a_value_error():
    assert issubclass(ScenarioError, ValueError)


def test_scenario_is_frozen_and_hashable():
    s = cw.Scenario()
    with pytest.raises(AttributeError):
        s.mass_kg = 3.0  # type: ignore[misc]
    assert hash(s) == hash(cw.Scenario())
    assert s.replace(mass_kg=3.0) != s
    with pytest.raises(ScenarioError, match="unknown scenario field"):
        s.replace(mass=3.0)


@pytest.mark.parametrize("name", sorted(cw.PRESETS))
def test_scenario_json_round_trip(name):
    s = cw.get_preset(name).scenario
    text = s.to_json()
    data = json.loads(text)
    assert data["format"] == SCENARIO_FORMAT
    assert cw.Scenario.from_json(text) == s
    assert cw.Scenario.from_dict(s.to_dict()) == s
    # Without the format key it is still read (the current format is assumed).
    del data["format"]
    assert cw.Scenario.from_dict(data) == s


def test_scenario_json_errors():
    with pytest.raises(ScenarioError, match="not valid JSON"):
        cw.Scenario.from_json("{")
    with pytest.raises(ScenarioError, match="must be a JSON object"):
        cw.Scenario.from_json("[1, 2]")
    with pytest.raises(ScenarioError, match="unsupported scenario format 'cevns-scenario/0'"):
        cw.Scenario.from_dict({"format": "cevns-scenario/0"})
    with pytest.raises(ScenarioError, match="unknown scenario field.*allowed: beam_timing, coupl"):
        cw.Scenario.from_dict({"mass": 3})
    with pytest.raises(ScenarioError, match=r"mass_kg must be in \(0, 1e9\] kg, got -2"):
        cw.Scenario.from_json('{"mass_kg": -2}')


def test_options_accept_every_scenario_field():
    """expected_events takes any Scenario field as a keyword, as its docstring says."""
    s = cw.get_preset("coherent-lar-2020").scenario
    fields = {k: v for k, v in s.to_dict().items() if k != "format"}
    assert cw.expected_events(**fields)["events_total"] == cw.evaluate(s).events_total


# --- the documented examples ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "module",
    [
        "cevns_widgets.api",
        "cevns_widgets.physics.cross_sections",
        "cevns_widgets.physics.form_factors",
        "cevns_widgets.physics.nuclei",
        "cevns_widgets.physics.response",
        "cevns_widgets.physics.sources.sns",
    ],
)
def test_module_doctests(module):
    result = doctest.testmod(importlib.import_module(module))
    assert result.failed == 0


def test_a_keVee_threshold_on_a_bare_detector_assumes_lindhard_and_says_so():
    r = cw.expected_events(target="Ge", threshold_keVee=0.5)
    assert r["inputs"]["quenching"] == "lindhard"
    assert any("Lindhard" in n and "assumed" in n for n in r["notes"])
    explicit = cw.expected_events(target="Ge", threshold_keVee=0.5, quenching="lindhard")
    assert explicit["events_total"] == r["events_total"]
