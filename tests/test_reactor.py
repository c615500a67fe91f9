"""The reactor as a source of the rate engine: an independent calculation, scaling laws,
the CONUS+ preset, and what a reactor scenario shows (no SNS flavours, POT or windows)."""

from __future__ import annotations

import json
import math

import pytest
from test_reactor_source import _ge_events_per_kg_day

import cevns_widgets as cw
from cevns_widgets import cli
from cevns_widgets.api import evaluate
from cevns_widgets.physics.sources import SOURCES, get_source
from cevns_widgets.presets import get_preset
from cevns_widgets.scenario import Scenario, ScenarioError

BARE_GE = dict(
    source="reactor",
    target="Ge",
    mass_kg=1.0,
    live_days=1.0,
    reactor_power_GW=3.6,
    distance_m=20.7,
    form_factor="none",
)


@pytest.mark.parametrize("threshold_keVnr", [0.3, 0.5, 1.0])
def test_bare_germanium_matches_an_independent_double_integral(threshold_keVnr):
    """3.6 GW at 20.7 m, Huber-Mueller with the default fractions, no quenching, no form
    factor: events per kg per day from the engine's tail moments against scipy's dblquad of
    the textbook cross section (tests/test_reactor_source.py). 23.1 above 0.3 keVnr."""
    ours = cw.expected_events(threshold_keVnr=threshold_keVnr, **BARE_GE)["events_total"]
    independent = _ge_events_per_kg_day(threshold_keVnr)
    assert ours == pytest.approx(independent, rel=0.02)
    if threshold_keVnr == 0.3:
        assert ours == pytest.approx(23.1, abs=0.2)


def test_flux_normalisation_is_pinned():
    """Huber-Mueller + Vogel-Engel below 2 MeV, Kopeikin 2004 energies: 5.29 antineutrinos
    and 205.3 MeV per fission, 1.61e20 per second per GW. The often-quoted '6 and 2e20'
    includes the ~1.2 per fission from neutron capture on 238U (239U, 239Np decays, all
    below 1.3 MeV), which this model does not."""
    s = Scenario(**BARE_GE, threshold=0.0)
    fluence = get_source("reactor").fluence(s)["reactor_nuebar"]
    per_second_per_GW = fluence * 4 * math.pi * (2070.0**2) / 86400.0 / 3.6
    assert per_second_per_GW == pytest.approx(1.61e20, rel=0.01)


def test_linear_in_power_and_days_and_inverse_square_in_distance():
    base = cw.expected_events(threshold_keVnr=0.3, **BARE_GE)["events_total"]
    for change, factor in (
        ({"reactor_power_GW": 1.8}, 0.5),
        ({"live_days": 10.0}, 10.0),
        ({"distance_m": 41.4}, 0.25),
        ({"mass_kg": 3.0}, 3.0),
    ):
        changed = cw.expected_events(threshold_keVnr=0.3, **(BARE_GE | change))["events_total"]
        assert changed == pytest.approx(base * factor, rel=1e-9)


def test_fission_fractions_change_the_spectrum():
    pu = cw.expected_events(threshold_keVnr=0.3, fission_fractions=(0.0, 0.0, 1.0, 0.0), **BARE_GE)[
        "events_total"
    ]
    u = cw.expected_events(threshold_keVnr=0.3, fission_fractions=(1.0, 0.0, 0.0, 0.0), **BARE_GE)[
        "events_total"
    ]
    assert pu < u  # 239Pu has the softer spectrum


def test_conus_plus_lands_within_its_published_prediction():
    """arXiv:2501.05206 v2: 347 +- 59 predicted, 395 +- 106 measured, 3.7 sigma."""
    r = cw.expected_events(preset="conus-plus-2025")
    assert abs(r["events_total"] - 347.0) <= 59.0
    assert r["events_total"] == pytest.approx(339.0, abs=1.0)
    assert r["uncertainty"]["fraction"] == pytest.approx(59 / 347)
    assert r["preset"]["published"]["observed"] == 395.0


def test_quenching_k_decides_the_sub_keV_count():
    """The germanium question in one line: the same core and detector, k from 0.12 to 0.25."""
    s = get_preset("conus-plus-2025").scenario
    counts = [evaluate(s.replace(lindhard_k=k)).events_total for k in (0.12, 0.157, 0.2, 0.25)]
    assert counts == sorted(counts)
    assert counts[-1] > 3 * counts[0]


def test_a_reactor_scenario_has_one_component_and_no_sns_inputs():
    r = cw.expected_events(preset="conus-plus-2025")
    assert list(r["events_by_flavor"]) == ["reactor_nuebar"]
    for sns_only in SOURCES["sns"].own_fields:
        assert sns_only not in r["inputs"]
    assert r["inputs"]["reactor_power_GW"] == 3.6
    sns = cw.expected_events(preset="coherent-csi-2017")
    for reactor_only in SOURCES["reactor"].own_fields:
        assert reactor_only not in sns["inputs"]


def test_time_windows_are_refused_for_a_reactor():
    with pytest.raises(ScenarioError, match="pulsed source"):
        Scenario(source="reactor", target="Ge", time_window_start_us=0.0, time_window_stop_us=6)
    with pytest.raises(ScenarioError, match="fission_fractions must be 4 numbers"):
        Scenario(source="reactor", fission_fractions=(0.5, 0.5, 0.5, 0.5))
    with pytest.raises(ScenarioError, match="unknown source|source must be one of"):
        Scenario(source="pulsar")


def test_the_issues_cli_example_runs_and_shows_no_beam(capsys):
    code = cli.main(
        "rate --source reactor --reactor-power-GW 3.9 --distance-m 17.1 --live-days 100 "
        "--target Ge --threshold-keVee 0.2".split()
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "reactor anti-nu_e" in out and "3.9 GW thermal" in out
    assert "POT" not in out and "prompt" not in out and "time window" not in out
    assert "Lindhard" in out  # the keVee threshold's assumed quenching is said


def test_reactor_json_round_trip(tmp_path, capsys):
    path = tmp_path / "reactor.json"
    assert cli.main(["rate", "--preset", "conus-plus-2025", "--save-scenario", str(path)]) == 0
    capsys.readouterr()
    assert cli.main(["rate", "--scenario", str(path), "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["events_total"] == pytest.approx(
        cw.expected_events(preset="conus-plus-2025")["events_total"]
    )
    assert again["scenario_status"]["status"] == "preset conus-plus-2025"


def test_a_reactor_full_recompute_is_a_rescale_for_power_and_distance():
    """Power, days and distance only rescale: the cached recoil spectra are reused."""
    s = get_preset("conus-plus-2025").scenario
    first = evaluate(s)
    moved = evaluate(s.replace(distance_m=30.0, reactor_power_GW=2.0))
    assert moved.recoil is first.recoil and moved.observed is first.observed


# --- inputs of the other source (independent review) --------------------------------------


@pytest.mark.parametrize(
    "option",
    [
        {"pot": 1e23},
        {"nu_per_pot": 0.09},
        {"beam_days": 10.0},
        {"exposure_GWh": 1.0},
        {"beam_timing": "csi-2021"},
        {"eps_u_mumu": 0.2},
    ],
)
def test_sns_inputs_are_refused_for_a_reactor(option):
    (name,) = option
    with pytest.raises(ScenarioError, match=f"^{name} applies only with"):
        cw.expected_events(preset="conus-plus-2025", **option)


@pytest.mark.parametrize(
    "option",
    [
        {"reactor_power_GW": 3.0},
        {"live_days": 10.0},
        {"fission_fractions": (1.0, 0.0, 0.0, 0.0)},
        {"energy_per_fission": "ma-2013"},
    ],
)
def test_reactor_inputs_are_refused_for_the_sns(option):
    (name,) = option
    with pytest.raises(ScenarioError, match=f"^{name} applies only with source 'reactor'"):
        cw.expected_events(preset="coherent-csi-2021", **option)


def test_ignored_fields_do_not_make_a_preset_custom():
    s = get_preset("conus-plus-2025").scenario.replace(pot=1e20, beam_timing="csi-2017")
    r = evaluate(s)
    assert not r.provenance.custom
    assert r.events_total == evaluate(get_preset("conus-plus-2025").scenario).events_total


def test_a_saved_reactor_scenario_carries_no_beam_fields():
    data = json.loads(get_preset("conus-plus-2025").scenario.to_json())
    for field in SOURCES["sns"].own_fields:
        assert field not in data
    assert Scenario.from_json(json.dumps(data)) == get_preset("conus-plus-2025").scenario


def test_a_new_target_resets_a_material_specific_lindhard_k():
    r = cw.expected_events(preset="conus-plus-2025", target="Si")
    assert r["inputs"]["lindhard_k"] is None
    assert any("Lindhard k reset to the standard value for Si" in n for n in r["notes"])


def test_switching_an_sns_preset_to_a_reactor_drops_its_beam_inputs():
    r = cw.expected_events(preset="coherent-csi-2021", source="reactor", target="Ge")
    assert r["inputs"]["source"] == "reactor" and "time_window_start_us" not in r["inputs"]
    assert r["scenario_status"]["custom"]
