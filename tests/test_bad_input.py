"""Bad input: one error type (ScenarioError), one clear line, never a wrong number.

The same corpus of bad inputs goes through the command line (exit status 2, exactly one
line on stderr naming the option as written), the Python API (ScenarioError naming the
keyword) and scenario JSON (``Scenario.from_json``). It includes inputs that used to give
tracebacks, ``inf`` or a silently wrong count.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cevns_widgets as cw
from cevns_widgets import cli
from cevns_widgets import scenario as scenario_module
from cevns_widgets.scenario import RANGES, Range, Scenario, ScenarioError

#: Longest error line we accept: one readable line (a list of choices at most), never a
#: dump of the input.
MAX_LINE = 600


def run(argv, capsys):
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def one_clean_line(code, out, err) -> str:
    assert code == 2, (code, out, err)
    assert out == ""
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    line = lines[0]
    assert line.startswith("cevns") and ": error: " in line
    assert len(line) <= MAX_LINE, line
    return line


# --- the command line ----------------------------------------------------------------------------

LONG = "Q" * 5000

#: (argv, the option as written that the line must name, a piece of the expected message)
CLI_CORPUS = [
    # tracebacks and wrong numbers before ranges were enforced
    (["rate", "--target", "Cs0"], "--target", "count 0"),
    (["rate", "--distance-m", "1e160"], "--distance-m", "in [0.1, 1e5] m, got 1e160"),
    (["rate", "--distance-m", "1e-200"], "--distance-m", "in [0.1, 1e5] m, got 1e-200"),
    (["rate", "--mass-kg", "1e300"], "--mass-kg", "in (0, 1e9] kg, got 1e300"),
    (["rate", "--mass-kg", "1e300", "--json"], "--mass-kg", "in (0, 1e9] kg"),
    (["rate", "--threshold-keVnr", "1e200"], "--threshold-keVnr", "in [0, 1e6], got 1e200"),
    (
        ["rate", "--preset", "coherent-csi-2021", "--threshold-keVnr", "1e200"],
        "--threshold-keVnr",
        "in [0, 1e6]",
    ),
    # every numeric option has a finite range
    (["rate", "--pot", "1e27"], "--pot", "in (0, 1e26]"),
    (["rate", "--pot", "0"], "--pot", "in (0, 1e26]"),
    (["rate", "--nu-per-pot", "3"], "--nu-per-pot", "in (0, 1]"),
    (["rate", "--exposure-GWh", "1e9"], "--exposure-GWh", "in (0, 1e4] GWh"),
    (["rate", "--beam-days", "1e7"], "--beam-days", "in (0, 36525] days"),
    (["rate", "--beam-days", "3", "--beam-power-MW", "1e4"], "--beam-power-MW", "(0, 100] MW"),
    (
        ["rate", "--exposure-GWh", "3", "--proton-energy-GeV", "1e-300"],
        "--proton-energy-GeV",
        "in [0.1, 100] GeV",
    ),
    (
        ["rate", "--exposure-GWh", "1e4", "--proton-energy-GeV", "0.1"],
        "--exposure-GWh",
        "gives 2.25e+27 protons on target; the protons on target must be in (0, 1e26]",
    ),
    (
        ["rate", "--threshold-keVee", "1e7", "--preset", "coherent-lar-2020"],
        "--threshold-keVee",
        "",
    ),
    (["rate", "--threshold-PE", "-2", "--preset", "coherent-csi-2017"], "--threshold-PE", ""),
    (["rate", "--roi-max", "1e300"], "--roi-max", "in (0, 1e6]"),
    (["rate", "--time-window-us", "-10", "3"], "--time-window-us", "start must be in [-5, 1e6]"),
    (["rate", "--time-window-us", "0", "1e9"], "--time-window-us", "stop must be in (0, 1e6]"),
    (["rate", "--sin2w", "1e300"], "--sin2w", "in (0, 1]"),
    (["rate", "--eps-u-ee", "-1e300"], "--eps-u-ee", "in [-5, 5]"),
    (["rate", "--magnetic-moment-muB", "1"], "--magnetic-moment-muB", "in [0, 1e-6]"),
    (["rate", "--sterile-dm2-eV2", "1e10"], "--sterile-dm2-eV2", "in [0, 1e4] eV^2"),
    (["rate", "--light-yield-PE-per-keVee", "1e300"], "--light-yield-PE-per-keVee", "(0, 1e4]"),
    (["rate", "--resolution-a", "1e300"], "--resolution-a", "in (0, 100]"),
    (["rate", "--neutron-skin-fm", "1e300"], "--neutron-skin-fm", "got 1e300"),
    # at most a short piece of the input is quoted
    (["rate", "--target", LONG], "--target", "at most 40 characters"),
    (["rate", "--mass-kg", LONG], "--mass-kg", "expected a number"),
    (["rate", "--preset", LONG], "--preset", "invalid choice"),
    (["rate", "--form-factor", LONG], "--form-factor", "invalid choice"),
    (["rate", LONG], "unrecognized arguments", "QQQ..."),
    # the same checks for the other commands
    (["spectrum", "--mass-kg", "1e300", "--csv"], "--mass-kg", "in (0, 1e9] kg"),
    (["spectrum", "--target", "Cs0"], "--target", "count 0"),
    (["scan", "distance-m", "--from", "1e-200", "--to", "20"], "--distance-m", "got 1e-200"),
    (["scan", "mass-kg", "--from", "1", "--to", "1e300"], "--mass-kg", "got 1e300"),
    (["scan", "threshold-keVnr", "--from", "0", "--to", "1e200"], "--threshold-keVnr", "1e6"),
    (["scan", "mass-kg", "--from", "1", "--to", "2", "--steps", "20000"], "--steps", "1 to 10000"),
    (["scan", "mass-kg", "--from", "1", "--to", "2", "--steps", "x"], "--steps", "1 to 10000"),
    (["scan", "mass-kg", "--from", "0", "--to", "2", "--log"], "--log", "> 0"),
    (["scan", "mass-kg", "--from", "1", "--to", "2", "--mass-kg", "3"], "--mass-kg", "scanned"),
    (["scan", "mass", "--from", "1", "--to", "2"], "PARAM", "'mass-kg', 'distance-m'"),
    (["scan", "mass-kg", "--to", "2"], "--from", "required"),
    (["spectrum", "--csv", "--json"], "--csv", "choose one"),
]


@pytest.mark.parametrize(("argv", "option", "piece"), CLI_CORPUS)
def test_cli_bad_input_is_one_line_naming_the_option(argv, option, piece, capsys):
    line = one_clean_line(*run(argv, capsys))
    assert option in line
    assert piece in line
    # Internal names never leak out: the user wrote the option, not the field.
    assert not re.search(r"(?<![\w-])(pot|threshold)(?= must)", line), line
    assert LONG[:41] not in line


def test_cli_threshold_names_the_option_not_the_field(capsys):
    line = one_clean_line(*run(["rate", "--threshold-keVnr", "1e200"], capsys))
    assert line == "cevns rate: error: --threshold-keVnr must be in [0, 1e6], got 1e200"
    line = one_clean_line(*run(["rate", "--exposure-GWh", "-1"], capsys))
    assert line == "cevns rate: error: --exposure-GWh must be in (0, 1e4] GWh, got -1"


def test_threshold_in_the_wrong_unit_names_the_option(capsys):
    line = one_clean_line(*run(["rate", "--target", "Ge", "--threshold-PE", "3"], capsys))
    assert line.startswith("cevns rate: error: --threshold-PE: a threshold in PE needs")
    with pytest.raises(ScenarioError, match=r"^threshold_PE: a threshold in PE needs"):
        cw.expected_events(target="Ge", threshold_PE=3.0)
    # keVee on a bare detector is not an error: Lindhard quenching is assumed, with a note.
    r = cw.expected_events(target="Ge", threshold_keVee=3.0)
    assert r["inputs"]["quenching"] == "lindhard" and r["notes"]


def test_cli_bad_scenario_files_are_one_line(tmp_path, capsys):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    huge = tmp_path / "huge.json"
    huge.write_text(" " * (cli.MAX_SCENARIO_BYTES + 10))
    bad_value = tmp_path / "bad.json"
    bad_value.write_text(json.dumps({"format": "cevns-scenario/1", "mass_kg": 1e300}))
    not_json = tmp_path / "not.json"
    not_json.write_bytes(b"\xff\xfe garbage")
    cases = [
        (deep, "nested too deeply"),
        (huge, "larger than"),
        (bad_value, "mass_kg must be in (0, 1e9] kg, got 1e300"),
        (not_json, "not valid JSON"),
        (tmp_path / "missing.json", "cannot read"),
    ]
    for path, piece in cases:
        line = one_clean_line(*run(["rate", "--scenario", str(path)], capsys))
        assert "--scenario" in line and piece in line, line


def test_cli_old_crashers_in_a_real_process():
    """The inputs that used to print tracebacks, as the installed command runs them."""
    for args in (
        ["--target", "Cs0"],
        ["--distance-m", "1e160"],
        ["--distance-m", "1e-200"],
        ["--mass-kg", "1e300", "--json"],
    ):
        proc = subprocess.run(
            [sys.executable, "-m", "cevns_widgets", "rate", *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert proc.returncode == 2, (args, proc.stderr)
        assert proc.stdout == "" and "Traceback" not in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_cli_heavy_water_is_a_number_or_one_line(capsys):
    """D2O used to raise TypeError; it is either a valid target or one clean line."""
    code, out, err = run(["rate", "--target", "D2O", "--json"], capsys)
    if code == 0:
        data = json.loads(out)
        assert math.isfinite(data["events_total"]) and data["events_total"] >= 0
    else:
        assert "--target" in one_clean_line(code, out, err)


# --- any failure of the target parser becomes one ScenarioError -----------------------------------


@pytest.mark.parametrize("error", [TypeError, ZeroDivisionError, KeyError, AttributeError])
def test_any_target_parser_failure_is_a_scenario_error(error, monkeypatch, capsys):
    real = scenario_module.make_target

    def broken(name):
        if name == "Xq2":
            raise error("inside the parser")
        return real(name)

    monkeypatch.setattr(scenario_module, "make_target", broken)
    with pytest.raises(ScenarioError) as info:
        Scenario(target="Xq2")
    assert str(info.value) == (
        f"target 'Xq2' cannot be read ({error.__name__}); give an element, formula or "
        "isotope such as CsI, Ar or 133Cs"
    )
    assert info.value.field == "target"
    line = one_clean_line(*run(["rate", "--target", "Xq2"], capsys))
    assert line.startswith(f"cevns rate: error: --target 'Xq2' cannot be read ({error.__name__})")


def test_a_target_without_nuclei_is_refused(monkeypatch):
    class Empty:
        def nuclei_per_kg(self):
            return np.array([math.inf])

    real = scenario_module.make_target
    monkeypatch.setattr(
        scenario_module, "make_target", lambda name: Empty() if name == "Xq2" else real(name)
    )
    with pytest.raises(ScenarioError, match=r"^target 'Xq2' has no nuclei to count$"):
        Scenario(target="Xq2")


# --- the Python API ------------------------------------------------------------------------------

#: (keyword arguments, the keyword the message must start with, a piece of the message)
API_CORPUS = [
    ({"distance_m": 1e160}, "distance_m", "must be in [0.1, 1e5] m, got 1e160"),
    ({"distance_m": 1e-200}, "distance_m", "got 1e-200"),
    ({"mass_kg": 1e300}, "mass_kg", "must be in (0, 1e9] kg"),
    ({"mass_kg": 10**400}, "mass_kg", "must be in (0, 1e9] kg, got 1000000000000000000000"),
    ({"mass_kg": "14.6"}, "mass_kg", "must be a number in (0, 1e9] kg, got '14.6' (a string)"),
    ({"mass_kg": True}, "mass_kg", "must be a number"),
    ({"mass_kg": np.bool_(True)}, "mass_kg", "must be a number"),
    ({"mass_kg": None, "distance_m": [1, 2]}, "distance_m", "must be a number"),
    ({"threshold_keVnr": 1e200}, "threshold_keVnr", "must be in [0, 1e6], got 1e200"),
    ({"threshold_keVnr": "6.5"}, "threshold_keVnr", "(a string)"),
    ({"exposure_GWh": 1e9}, "exposure_GWh", "must be in (0, 1e4] GWh"),
    ({"exposure_GWh": "3"}, "exposure_GWh", "must be a number"),
    ({"exposure_GWh": float("nan")}, "exposure_GWh", "must be a finite number"),
    ({"beam_days": 10.0, "beam_power_MW": True}, "beam_power_MW", "must be a number"),
    ({"beam_days": 10.0, "proton_energy_GeV": 0.0}, "proton_energy_GeV", "[0.1, 100] GeV"),
    (
        {"beam_days": 1e4, "beam_power_MW": 100.0},
        "beam_days",
        "protons on target; the protons on target must be",
    ),
    ({"time_window_us": (0.0, 1e9)}, "time_window_us stop", "must be in (0, 1e6] us"),
    ({"time_window_us": (-1e9, 3.0)}, "time_window_us start", "must be in [-5, 1e6] us"),
    ({"time_window_us": "0 6"}, "time_window_us", "takes two numbers"),
    ({"time_window_us": 6.0}, "time_window_us", "takes two numbers"),
    ({"pot": 1e27}, "pot", "must be in (0, 1e26]"),
    ({"nu_per_pot": -1e-300}, "nu_per_pot", "must be in (0, 1]"),
    ({"sin2w": 1e300}, "sin2w", "must be in (0, 1]"),
    ({"target": "Cs0"}, "target", "count 0"),
    ({"target": LONG}, "target", "at most 40 characters"),
    ({"target": 42}, "target", "got 42"),
    ({"form_factor": LONG}, "form_factor", "must be one of helm"),
]


@pytest.mark.parametrize(("options", "name", "piece"), API_CORPUS)
def test_api_bad_input_raises_scenario_error_naming_the_keyword(options, name, piece):
    options = {k: v for k, v in options.items() if v is not None}
    with pytest.raises(ScenarioError) as info:
        cw.expected_events(**options)
    message = str(info.value)
    assert message.startswith(name + " ") or message.startswith(name + ":"), message
    assert info.value.field == name
    assert piece in message
    assert "\n" not in message and len(message) <= MAX_LINE
    assert LONG[:41] not in message


def test_api_evaluate_and_scenario_raise_the_same_error():
    with pytest.raises(ScenarioError, match=r"^distance_m must be in \[0.1, 1e5\] m"):
        cw.evaluate(Scenario(distance_m=1e160))
    with pytest.raises(ScenarioError, match=r"^mass_kg must be in"):
        Scenario().replace(mass_kg=1e300)


def test_numpy_scalars_are_numbers():
    s = Scenario(mass_kg=np.float32(10.0), distance_m=np.int64(20), pot=np.float64(1e23))
    assert (s.mass_kg, s.distance_m, s.pot) == (10.0, 20.0, 1e23)
    assert all(type(v) is float for v in (s.mass_kg, s.distance_m, s.pot))
    plain = Scenario(mass_kg=10.0, distance_m=20.0, pot=1e23)
    assert s == plain and hash(s) == hash(plain)
    assert Scenario.from_json(s.to_json()) == plain
    r = cw.expected_events(mass_kg=np.float32(10.0), threshold_keVnr=np.int64(5))
    assert (
        r["events_total"] == cw.expected_events(mass_kg=10.0, threshold_keVnr=5.0)["events_total"]
    )
    json.dumps(r, allow_nan=False)


def test_results_are_checked_to_be_finite(monkeypatch):
    """Even if a range let an overflow through, the result is an error, never inf."""
    monkeypatch.setitem(RANGES, "mass_kg", Range(0.0, 1e308, True, "kg"))
    result = cw.evaluate(Scenario(mass_kg=1e300, pot=1e26))
    with pytest.raises(ScenarioError, match="no finite number of events"):
        result.events_total  # noqa: B018
    with pytest.raises(ScenarioError, match="no finite number of events"):
        cw.expected_events(mass_kg=1e300, pot=1e26)


# --- scenario JSON -------------------------------------------------------------------------------

JSON_CORPUS = [
    ("[" * 100_000 + "]" * 100_000, "not valid JSON for a scenario: nested too deeply"),
    ('{"target": ' + "[" * 500 + "]" * 500 + "}", "target must be"),
    ('{"mass_kg": 1e999}', "mass_kg must be a finite number in (0, 1e9] kg, got inf"),
    ('{"mass_kg": NaN}', "mass_kg must be a finite number"),
    ('{"mass_kg": 1e300}', "mass_kg must be in (0, 1e9] kg, got 1e300"),
    ('{"mass_kg": 1' + "0" * 5000 + "}", "not valid JSON"),
    ('{"mass_kg": "14.6"}', "mass_kg must be a number"),
    ('{"mass_kg": true}', "mass_kg must be a number"),
    ('{"distance_m": 1e-200}', "distance_m must be in [0.1, 1e5] m"),
    ('{"threshold": 1e200}', "threshold must be in [0, 1e6], got 1e200"),
    ('{"target": "Cs0"}', "count 0"),
    ('{"target": "' + LONG + '"}', "at most 40 characters"),
    ('{"' + LONG + '": 1}', "unknown scenario field"),
    ('{"format": "' + LONG + '"}', "unsupported scenario format"),
    ("[1, 2]", "must be a JSON object"),
    ("{", "not valid JSON"),
    (b"\xff\xfe", "not valid JSON"),
    (5, "not valid JSON"),
]


@pytest.mark.parametrize(("text", "piece"), JSON_CORPUS)
def test_json_bad_input_raises_one_short_scenario_error(text, piece):
    with pytest.raises(ScenarioError) as info:
        Scenario.from_json(text)
    message = str(info.value)
    assert piece in message
    assert "\n" not in message and len(message) <= 800
    assert LONG[:41] not in message


# --- notes instead of a silent zero --------------------------------------------------------------


def test_threshold_above_the_analysis_window_says_so(capsys):
    r = cw.expected_events(preset="coherent-csi-2017", threshold_PE=40.0)
    assert r["events_total"] == 0.0
    assert r["notes"] == [
        "threshold 40 PE is at or above the upper end of the analysis window (30 PE): no events"
    ]
    code, out, _ = run(["rate", "--preset", "coherent-csi-2017", "--threshold-PE", "40"], capsys)
    assert code == 0 and "at or above the upper end of the analysis window" in out
    code, out, _ = run(
        ["rate", "--preset", "coherent-csi-2017", "--threshold-PE", "40", "--json"], capsys
    )
    assert json.loads(out)["notes"] == r["notes"]


def test_huge_threshold_is_never_the_zero_threshold_count():
    """csi-2021 used to turn 1e200 keVnr into nan PE and count every event."""
    r = cw.expected_events(preset="coherent-csi-2021", threshold_keVnr=1e6)
    assert r["events_total"] == 0.0
    assert "no events" in r["notes"][0]
    with pytest.raises(ScenarioError, match="threshold_keVnr must be in"):
        cw.expected_events(preset="coherent-csi-2021", threshold_keVnr=1e200)


def test_cuts_that_leave_nothing_say_so():
    r = cw.evaluate(Scenario(time_window_start_us=5000.0, time_window_stop_us=6000.0))
    if r.events_total == 0.0:
        assert r.notes() == [
            "no events pass the cuts (threshold 6.5 keVnr, time window 5000 to 6000 us)"
        ]


def test_notes_show_in_the_explorer_readout():
    from cevns_widgets.widgets.readout import Readout

    readout = Readout()
    readout.update(cw.evaluate(cw.get_preset("coherent-csi-2017").scenario.replace(threshold=40)))
    assert "upper end of the analysis window" in readout.widget.value


# --- any finite number: an error or a finite count -----------------------------------------------

_FIELDS = [n for n, f in Scenario.__dataclass_fields__.items() if n in RANGES]
_KEYWORDS = sorted(
    {*_FIELDS, "exposure_GWh", "beam_days", "beam_power_MW", "proton_energy_GeV"}
    | {"threshold_keVnr", "threshold_keVee", "threshold_PE"}
)
_NEEDS = {"beam_power_MW": {"beam_days": 30.0}, "proton_energy_GeV": {"exposure_GWh": 3.0}}


def test_every_numeric_field_has_a_range():
    numeric = [
        name
        for name, f in Scenario.__dataclass_fields__.items()
        if {"float", "int"} & {p.strip() for p in str(f.type).split("|")}
    ]
    assert set(numeric) <= set(RANGES), set(numeric) - set(RANGES)
    for rng in RANGES.values():
        assert math.isfinite(rng.low) and math.isfinite(rng.high) and rng.low < rng.high


def test_readme_ranges_are_the_code_ranges():
    """The README's table of ranges says what RANGES enforces."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for name in ("mass_kg", "distance_m", "pot", "exposure_GWh", "proton_energy_GeV"):
        allowed = RANGES[name].describe().removeprefix("in ")
        assert f"| `{name}` | {allowed} |" in readme, (name, allowed)
    assert f"| `nu_per_pot` | {RANGES['nu_per_pot'].describe()[3:]} |" in readme


def _range_for(keyword):
    return RANGES["threshold" if keyword.startswith("threshold_") else keyword]


@settings(max_examples=400, deadline=None)
@given(
    preset=st.sampled_from([None, *cw.PRESETS]),
    keyword=st.sampled_from(_KEYWORDS),
    value=st.one_of(
        st.floats(allow_nan=False, allow_infinity=False),
        st.floats(-1e7, 1e7),
        st.integers(-(10**30), 10**30),
    ),
)
def test_any_finite_number_is_an_error_or_a_finite_count(preset, keyword, value):
    options = {keyword: value, **_NEEDS.get(keyword, {})}
    try:
        r = cw.expected_events(preset, **options)
    except ScenarioError as exc:
        message = str(exc)
        assert "\n" not in message and 0 < len(message) <= MAX_LINE
        if value not in _range_for(keyword):
            assert message.startswith(keyword), message
        return
    assert value in _range_for(keyword)
    assert math.isfinite(r["events_total"]) and r["events_total"] >= 0
    for v in r["events_by_flavor"].values():
        assert math.isfinite(v) and v >= 0
    json.dumps(r, allow_nan=False)


# --- inputs that would be ignored, dopants, odd types (independent review, issue 7) ----------


@pytest.mark.parametrize(
    ("argv", "start"),
    [
        (["--preset", "coherent-csi-2017", "--resolution-a", "12"], "--resolution-a applies"),
        (["--preset", "coherent-csi-2017", "--lindhard-k", "0.5"], "--lindhard-k applies"),
        (["--preset", "coherent-ge-2024", "--quenching-factor", "0.5"], "--quenching-factor"),
    ],
)
def test_an_option_that_would_be_ignored_is_refused(argv, start, capsys):
    line = one_clean_line(*run(["rate", *argv], capsys))
    assert line.startswith(f"cevns rate: error: {start}") and "ignored" in line


@pytest.mark.parametrize("name", ["NaI(Tl)", "CsI(Na)", "CsI[Na]", "CaF2(Eu)"])
def test_dopant_notation_asks_for_the_host_crystal(name):
    with pytest.raises(ScenarioError, match="doped crystal.*give the host crystal"):
        cw.expected_events(target=name)


@pytest.mark.parametrize("bad", [None, {"target": "CsI"}, "CsI"])
def test_evaluate_needs_a_scenario(bad):
    with pytest.raises(ScenarioError, match="evaluate needs a Scenario"):
        cw.evaluate(bad)


@pytest.mark.parametrize("bad", [["x"], {}, "x" * 5000, 3])
def test_unknown_presets_are_one_short_line(bad):
    with pytest.raises(ScenarioError) as info:
        cw.expected_events(preset=bad)
    assert "unknown preset" in str(info.value) and len(str(info.value)) < MAX_LINE


def test_a_new_target_on_a_csi_2021_preset_switches_its_response_with_notes():
    r = cw.expected_events(preset="coherent-csi-2021", target="Xe")
    assert (r["inputs"]["quenching"], r["inputs"]["pe_smearing"]) == ("lindhard", "poisson")
    assert any("quenching set to Lindhard" in n for n in r["notes"])
    assert any("PE statistics set to Poisson" in n for n in r["notes"])
    # Asked for explicitly, a model that does not describe the target is still refused.
    with pytest.raises(ScenarioError, match="describes Cs/I only"):
        cw.expected_events(preset="coherent-csi-2021", target="Xe", quenching="csi-2021")


def test_long_scenario_paths_are_quoted_short(capsys):
    line = one_clean_line(*run(["rate", "--scenario", "/nonexistent/" + "x" * 5000], capsys))
    assert len(line) < MAX_LINE
