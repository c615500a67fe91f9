"""The ``cevns`` command line (cevns_widgets.cli), in process through main() and, for a few
cases, as ``python -m cevns_widgets`` in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import cevns_widgets as cw
from cevns_widgets import cli
from cevns_widgets.physics.cross_sections import COUPLING_SCHEMES
from cevns_widgets.physics.form_factors import FORM_FACTOR_MODELS
from cevns_widgets.physics.response import EFFICIENCY_MODELS, QUENCHING_MODELS
from cevns_widgets.scenario import Scenario

EXAMPLE_ARGS = [
    "rate",
    "--target",
    "CsI",
    "--mass-kg",
    "14.6",
    "--distance-m",
    "19.3",
    "--pot",
    "1.76e23",
    "--nu-per-pot",
    "0.08",
    "--threshold-keVnr",
    "6.5",
    "--form-factor",
    "helm",
    "--sin2w",
    "0.23857",
    "--json",
]
EXAMPLE_KWARGS = {
    "target": "CsI",
    "mass_kg": 14.6,
    "distance_m": 19.3,
    "pot": 1.76e23,
    "nu_per_pot": 0.08,
    "threshold_keVnr": 6.5,
    "form_factor": "helm",
    "sin2w": 0.23857,
}


def run(argv, capsys):
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def as_json(obj):
    """What expected_events() looks like after a trip through JSON."""
    return json.loads(json.dumps(obj))


def run_module(*args):
    return subprocess.run(
        [sys.executable, "-m", "cevns_widgets", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# --- as a subprocess -----------------------------------------------------------------------------


def test_module_entry_point_example():
    proc = run_module(*EXAMPLE_ARGS)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert json.loads(proc.stdout) == as_json(cw.expected_events(**EXAMPLE_KWARGS))


def test_module_entry_point_preset():
    proc = run_module("rate", "--preset", "coherent-csi-2017", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data == as_json(cw.expected_events(preset="coherent-csi-2017"))
    assert data["events_total"] == pytest.approx(175.76, abs=0.01)


def test_module_entry_point_bad_input():
    proc = run_module("rate", "--mass-kg", "-3")
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "--mass-kg must be in (0, 1e9] kg, got -3" in lines[0]
    assert "Traceback" not in proc.stderr


# --- rate, in process ----------------------------------------------------------------------------


def test_example_json_matches_expected_events(capsys):
    code, out, err = run(EXAMPLE_ARGS, capsys)
    assert (code, err) == (0, "")
    assert json.loads(out) == as_json(cw.expected_events(**EXAMPLE_KWARGS))


@pytest.mark.parametrize("name", sorted(cw.PRESETS))
def test_every_preset_json_matches_expected_events(name, capsys):
    code, out, err = run(["rate", "--preset", name, "--json"], capsys)
    assert (code, err) == (0, "")
    assert json.loads(out) == as_json(cw.expected_events(preset=name))


def test_json_output_is_exactly_one_object(capsys):
    code, out, _ = run(["rate", "--preset", "coherent-lar-2020", "--json"], capsys)
    assert code == 0
    obj, end = json.JSONDecoder().raw_decode(out)
    assert isinstance(obj, dict) and out[end:].strip() == ""


@pytest.mark.parametrize(
    ("argv", "kwargs"),
    [
        (
            ["--exposure-GWh", "7.48", "--proton-energy-GeV", "0.957"],
            {"exposure_GWh": 7.48, "proton_energy_GeV": 0.957},
        ),
        (
            ["--beam-days", "30", "--beam-power-MW", "1.4"],
            {"beam_days": 30.0, "beam_power_MW": 1.4},
        ),
        (
            [
                "--preset",
                "coherent-csi-2017",
                "--threshold-keVnr",
                "6.5",
                "--time-window-us",
                "0",
                "6",
            ],
            {"preset": "coherent-csi-2017", "threshold_keVnr": 6.5, "time_window_us": (0.0, 6.0)},
        ),
        (
            ["--preset", "coherent-csi-2017", "--threshold-keVee", "0.6", "--roi-max", "40"],
            {"preset": "coherent-csi-2017", "threshold_keVee": 0.6, "roi_max": 40.0},
        ),
        (
            [
                "--target",
                "Ar",
                "--quenching",
                "lar-2020",
                "--resolution-a",
                "0.58",
                "--efficiency",
                "lar-2020",
                "--threshold-keVee",
                "5",
            ],
            {
                "target": "Ar",
                "quenching": "lar-2020",
                "resolution_a": 0.58,
                "efficiency": "lar-2020",
                "threshold_keVee": 5.0,
            },
        ),
        (
            [
                "--target",
                "Ge",
                "--quenching",
                "lindhard",
                "--lindhard-k",
                "0.157",
                "--light-yield-PE-per-keVee",
                "20",
                "--threshold-PE",
                "3",
            ],
            {
                "target": "Ge",
                "quenching": "lindhard",
                "lindhard_k": 0.157,
                "light_yield_PE_per_keVee": 20.0,
                "threshold_PE": 3.0,
            },
        ),
        (
            [
                "--target",
                "Xe",
                "--form-factor",
                "klein-nystrand",
                "--neutron-skin-fm",
                "0.3",
                "--couplings",
                "radiative",
                "--eps-u-ee",
                "-1e-1",
                "--eps-d-ee",
                "0.05",
                "--eps-u-mumu",
                "0.02",
                "--eps-d-mumu",
                "-0.03",
                "--magnetic-moment-muB",
                "1e-10",
                "--sterile-dm2-eV2",
                "1.0",
                "--sterile-sin2-2theta",
                "0.2",
                "--quenching",
                "constant",
                "--quenching-factor",
                "0.2",
            ],
            {
                "target": "Xe",
                "form_factor": "klein-nystrand",
                "neutron_skin_fm": 0.3,
                "couplings": "radiative",
                "eps_u_ee": -0.1,
                "eps_d_ee": 0.05,
                "eps_u_mumu": 0.02,
                "eps_d_mumu": -0.03,
                "magnetic_moment_muB": 1e-10,
                "sterile_dm2_eV2": 1.0,
                "sterile_sin2_2theta": 0.2,
                "quenching": "constant",
                "quenching_factor": 0.2,
            },
        ),
    ],
)
def test_options_map_onto_expected_events(argv, kwargs, capsys):
    code, out, err = run(["rate", *argv, "--json"], capsys)
    assert (code, err) == (0, "")
    assert json.loads(out) == as_json(cw.expected_events(**kwargs))


def test_text_report(capsys):
    code, out, err = run(["rate", "--preset", "coherent-csi-2017"], capsys)
    assert (code, err) == (0, "")
    r = cw.expected_events(preset="coherent-csi-2017")
    total = f"{r['events_total']:.2f} +- {r['uncertainty']['events']:.2f}"
    for text in (
        "CsI",
        "14.6 kg",
        "19.3 m",
        "1.76e+23 POT",
        "6 PE",
        "6 to 30 PE",
        "0 us to 12 us",
        "13.348 PE/keVee",
        "prompt nu_mu",
        "delayed nu_e",
        "delayed anti-nu_mu",
        total,
        "Science 357 (2017) 1123",
        "predicted 173 +- 48",
        "observed 134 +- 22",
    ):
        assert text in out, text
    for f, value in r["events_by_flavor"].items():
        assert f"{value:.2f}" in out, f


def test_text_report_shows_conversions(capsys):
    code, out, _ = run(
        [
            "rate",
            "--preset",
            "coherent-csi-2017",
            "--threshold-keVnr",
            "6.5",
            "--exposure-GWh",
            "7.48",
            "--proton-energy-GeV",
            "0.957",
        ],
        capsys,
    )
    assert code == 0
    assert "6.5 keVnr (= 7.61" in out
    assert "7.48 GWh at 0.957 GeV" in out


def test_threshold_above_every_recoil_is_not_an_error(capsys):
    code, out, err = run(["rate", "--target", "CsI", "--threshold-keVnr", "1000", "--json"], capsys)
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data["events_total"] == 0.0
    assert "above every possible signal" in data["notes"][0]
    code, out, _ = run(["rate", "--target", "CsI", "--threshold-keVnr", "1000"], capsys)
    assert code == 0 and "above every possible signal" in out


# --- bad input -----------------------------------------------------------------------------------

BAD = [
    (["rate", "--mass-kg", "-1"], "--mass-kg"),
    (["rate", "--mass-kg", "0"], "--mass-kg must be in (0, 1e9] kg, got 0"),
    (["rate", "--distance-m", "0"], "--distance-m"),
    (["rate", "--distance-m", "-19.3"], "--distance-m must be in [0.1, 1e5] m"),
    (["rate", "--mass-kg", "abc"], "expected a number"),
    (["rate", "--pot", "1e23x"], "expected a number"),
    (["rate", "--target", "Kryptonite"], "common choices: CsI"),
    (["rate", "--target", "Cs-999"], "known A"),
    (["rate", "--preset", "nope"], "coherent-csi-2017"),
    (["rate", "--form-factor", "gauss"], "klein-nystrand"),
    (["rate", "--quenching", "magic"], "lindhard"),
    (["rate", "--efficiency", "perfect"], "csi-2017"),
    (["rate", "--couplings", "loop"], "radiative"),
    (["rate", "--pot", "1e23", "--exposure-GWh", "3"], "not allowed with"),
    (["rate", "--beam-days", "3", "--pot", "1e23"], "not allowed with"),
    (["rate", "--threshold-keVnr", "1", "--threshold-PE", "3"], "not allowed with"),
    (["rate", "--beam-power-MW", "1.4"], "--beam-days"),
    (["rate", "--pot", "1e22", "--proton-energy-GeV", "0.9"], "--exposure-GWh or --beam-days"),
    (["rate", "--threshold-PE", "3"], "give the threshold in keVnr"),
    (["rate", "--threshold-keVnr", "-1"], "--threshold-keVnr must be in [0, 1e6], got -1"),
    (["rate", "--time-window-us", "5", "1"], "must end after it starts"),
    (["rate", "--time-window-us", "5"], "expected 2 arguments"),
    (["rate", "--sin2w", "2"], "--sin2w must be in (0, 1]"),
    (["rate", "--neutron-skin-fm", "-1"], "[-0.1, 2]"),
    (["rate", "--neutron-skin-fm", "2.5"], "--neutron-skin-fm must be in [-0.1, 2]"),
    (["rate", "--neutron-rms-radius-fm", "5"], "unrecognized arguments"),
    (["rate", "--target", "Cs133"], "write the isotope as 133Cs or Cs-133"),
    (["rate", "--target", "Cs0"], "counts must be positive"),
    (["rate", "--target", "H2O2O"], "write each element once"),
    (["rate", "--quenching", "lindhard", "--efficiency", "csi-2017"], "set a light yield"),
    (["rate", "--mass", "3"], "unrecognized arguments"),
    (["rate", "extra"], "unrecognized arguments"),
    (["frobnicate"], "choose from"),
    ([], "choose a command"),
]
NON_FINITE = ["nan", "NaN", "inf", "-inf", "Infinity", "-nan"]
NUMERIC_OPTIONS = [
    "--mass-kg",
    "--distance-m",
    "--pot",
    "--exposure-GWh",
    "--nu-per-pot",
    "--threshold-keVnr",
    "--roi-max",
    "--sin2w",
    "--neutron-skin-fm",
    "--eps-u-ee",
    "--magnetic-moment-muB",
    "--sterile-dm2-eV2",
    "--quenching-factor",
    "--lindhard-k",
    "--light-yield-PE-per-keVee",
    "--resolution-a",
]


def _assert_one_clean_line(code, out, err):
    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("cevns")
    return lines[0]


@pytest.mark.parametrize(("argv", "expected"), BAD)
def test_bad_input_exits_2_with_one_line(argv, expected, capsys):
    line = _assert_one_clean_line(*run(argv, capsys))
    assert expected in line


@pytest.mark.parametrize("value", NON_FINITE)
@pytest.mark.parametrize("option", NUMERIC_OPTIONS)
def test_non_finite_numbers_are_rejected(option, value, capsys):
    line = _assert_one_clean_line(*run(["rate", option, value], capsys))
    assert option in line and "finite" in line


@pytest.mark.parametrize("value", NON_FINITE)
def test_non_finite_time_window_is_rejected(value, capsys):
    line = _assert_one_clean_line(*run(["rate", "--time-window-us", "0", value], capsys))
    assert "finite" in line
    line = _assert_one_clean_line(*run(["rate", f"--sin2w={value}"], capsys))
    assert "finite" in line


def test_negative_numbers_with_exponents_are_numbers(capsys):
    code, out, err = run(["rate", "--eps-u-ee", "-1e-2", "--json"], capsys)
    assert (code, err) == (0, "")
    assert json.loads(out)["inputs"]["eps_u_ee"] == -0.01


def test_help_exits_0(capsys):
    assert cli.main(["rate", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--threshold-keVnr" in out and "--exposure-GWh" in out


# --- presets -------------------------------------------------------------------------------------


def test_presets_lists_every_preset(capsys):
    code, out, err = run(["presets"], capsys)
    assert (code, err) == (0, "")
    for p in cw.PRESETS.values():
        assert p.name in out and p.title in out and p.citation in out
        assert f"v{p.version}" in out


def test_presets_json(capsys):
    code, out, _ = run(["presets", "--json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert [d["name"] for d in data] == list(cw.PRESETS)
    for d in data:
        p = cw.get_preset(d["name"])
        assert (d["version"], d["title"], d["citation"]) == (p.version, p.title, p.citation)
        assert Scenario(**d["parameters"], preset=p.name) == p.scenario


# --- the parser is built from the code's constants -----------------------------------------------


def _rate_actions():
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return {a.dest: a for a in sub.choices["rate"]._actions if a.option_strings}


def test_choices_come_from_the_code():
    actions = _rate_actions()
    assert tuple(actions["form_factor"].choices) == FORM_FACTOR_MODELS
    assert tuple(actions["quenching"].choices) == QUENCHING_MODELS
    assert tuple(actions["efficiency"].choices) == EFFICIENCY_MODELS
    assert tuple(actions["couplings"].choices) == COUPLING_SCHEMES
    assert list(actions["preset"].choices) == list(cw.PRESETS)


def test_option_names_are_the_keyword_names():
    """--mass-kg is mass_kg, and so on; every option is an expected_events keyword and every
    scenario field (bar the threshold and time window, given per unit / as a pair) has one."""
    actions = _rate_actions()
    for dest, action in actions.items():
        if dest in ("help", "json", "preset", "scenario", "save_scenario"):
            continue
        assert action.option_strings == ["--" + dest.replace("_", "-")]
    extra = {
        "exposure_GWh",
        "proton_energy_GeV",
        "beam_days",
        "beam_power_MW",
        "threshold_keVnr",
        "threshold_keVee",
        "threshold_PE",
        "time_window_us",
        "exposure_tonne_years",
    }
    fields = set(Scenario.__dataclass_fields__)
    dests = set(actions) - {"help", "json", "preset", "scenario", "save_scenario"}
    assert dests - fields == extra
    assert fields - dests == {
        "threshold",
        "threshold_unit",
        "time_window_start_us",
        "time_window_stop_us",
        "preset",  # said by --preset or --scenario
    }
