"""The command line for collaborators: scenario files shared with the explorer, spectra,
scans, --version, and --beam-days without a beam power."""

from __future__ import annotations

import csv
import importlib.metadata
import io
import json

import numpy as np
import pytest

import cevns_widgets as cw
from cevns_widgets import cli
from cevns_widgets.physics.sources.sns import FLAVORS, pot_from_days
from cevns_widgets.scenario import Scenario


def run(argv, capsys):
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def ok(argv, capsys) -> str:
    code, out, err = run(argv, capsys)
    assert (code, err) == (0, ""), err
    return out


# --- --version -----------------------------------------------------------------------------------


def test_version(capsys):
    out = ok(["--version"], capsys)
    assert out.strip() == f"cevns {importlib.metadata.version('cevns_widgets')}"


# --- scenario files: the CLI and the explorer's Share tab read and write the same JSON ----------

WHAT_IF = [
    "--preset",
    "coherent-lar-2020",
    "--distance-m",
    "40",
    "--mass-kg",
    "610",
    "--threshold-keVee",
    "10",
]


def test_save_scenario_round_trip(tmp_path, capsys):
    path = tmp_path / "what_if.json"
    out = ok(["rate", *WHAT_IF, "--save-scenario", str(path), "--json"], capsys)
    events = json.loads(out)["events_total"]
    text = path.read_text()
    # What the Share tab saves is Scenario.to_json(): the file is exactly that.
    scenario = Scenario.from_json(text)
    assert text == scenario.to_json() + "\n"
    assert (scenario.distance_m, scenario.mass_kg, scenario.threshold) == (40.0, 610.0, 10.0)
    assert cw.evaluate(scenario).events_total == events
    # ... and back through the command line.
    again = json.loads(ok(["rate", "--scenario", str(path), "--json"], capsys))
    assert again["events_total"] == events
    # The text report says where it went.
    out = ok(["rate", *WHAT_IF, "--save-scenario", str(path)], capsys)
    assert f"Scenario saved to {path}" in out


def test_saved_scenario_loads_in_the_explorer(tmp_path, capsys):
    from cevns_widgets.widgets.model import ScenarioModel

    path = tmp_path / "s.json"
    out = ok(["rate", *WHAT_IF, "--save-scenario", str(path), "--json"], capsys)
    model = ScenarioModel()
    assert model.load_json(path.read_text()), model.error
    assert model.result.events_total == json.loads(out)["events_total"]


def test_scenario_file_with_overrides(tmp_path, capsys):
    """A file saved from the explorer (Scenario.to_json), with options overriding fields."""
    base = cw.get_preset("coherent-csi-2017").scenario.replace(mass_kg=20.0)
    path = tmp_path / "shared.json"
    path.write_text(base.to_json())
    data = json.loads(ok(["rate", "--scenario", str(path), "--json"], capsys))
    assert data["events_total"] == cw.evaluate(base).events_total
    data = json.loads(ok(["rate", "--scenario", str(path), "--distance-m", "30", "--json"], capsys))
    assert data["events_total"] == cw.evaluate(base.replace(distance_m=30.0)).events_total
    assert data["inputs"]["distance_m"] == 30.0 and data["inputs"]["mass_kg"] == 20.0


def test_scenario_and_preset_are_exclusive(tmp_path, capsys):
    path = tmp_path / "s.json"
    path.write_text(Scenario().to_json())
    code, out, err = run(["rate", "--scenario", str(path), "--preset", "ge-10kg-22m"], capsys)
    assert code == 2 and "not allowed with" in err


def test_save_scenario_to_an_unwritable_place(tmp_path, capsys):
    code, out, err = run(["rate", "--save-scenario", str(tmp_path / "no" / "x.json")], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "--save-scenario cannot write" in err


# --- spectrum ------------------------------------------------------------------------------------


@pytest.mark.parametrize("preset", ["coherent-csi-2017", "coherent-lar-2020"])
def test_spectrum_csv_is_the_result_spectra(preset, capsys):
    out = ok(["spectrum", "--preset", preset, "--csv"], capsys)
    rows = list(csv.reader(io.StringIO(out)))
    header = ["spectrum", "x", "x_unit", *FLAVORS, "total", "unit"]
    assert rows[0] == header
    result = cw.evaluate(cw.get_preset(preset).scenario)
    T, recoil = result.recoil_spectrum()
    x, observed = result.observed_spectrum()
    obs = result.observable
    recoil_rows = [r for r in rows[1:] if r[0] == "recoil"]
    observed_rows = [r for r in rows[1:] if r[0] == "observed"]
    assert len(recoil_rows) == len(T) and len(observed_rows) == len(x)
    assert len(rows) == 1 + len(T) + len(x)
    assert {(r[2], r[-1]) for r in recoil_rows} == {("keVnr", "events/keVnr")}
    assert {(r[2], r[-1]) for r in observed_rows} == {(obs, f"events/{obs}")}
    for rows_, grid, spectra in ((recoil_rows, T, recoil), (observed_rows, x, observed)):
        values = np.array([[float(v) for v in r[1:-1] if v not in ("keVnr", obs)] for r in rows_])
        np.testing.assert_array_equal(values[:, 0], grid)
        for i, f in enumerate(FLAVORS, start=1):
            np.testing.assert_array_equal(values[:, i], spectra[f])
        np.testing.assert_allclose(values[:, 4], values[:, 1:4].sum(axis=1), rtol=1e-12)


def test_spectrum_text_and_json(capsys):
    out = ok(["spectrum", "--target", "Ge", "--threshold-keVnr", "3"], capsys)
    assert "Recoil spectrum before the detector response, dN/dT in events/keVnr" in out
    assert "Observed spectrum, dN/dx in events/keVnr" in out
    assert "T [keVnr]" in out and "delayed anti-nu_mu" in out
    data = json.loads(ok(["spectrum", "--target", "Ge", "--json"], capsys))
    result = cw.evaluate(Scenario(target="Ge"))
    T, recoil = result.recoil_spectrum()
    assert data["recoil"]["x"] == T.tolist()
    assert data["recoil"]["by_flavor"]["delayed_nue"] == recoil["delayed_nue"].tolist()
    assert data["observed"]["x_unit"] == "keVnr" and data["notes"] == []


# --- scan ----------------------------------------------------------------------------------------


def test_scan_matches_expected_events(capsys):
    argv = ["scan", "distance-m", "--from", "10", "--to", "100", "--steps", "4", "--log"]
    data = json.loads(ok([*argv, "--preset", "ge-10kg-22m", "--json"], capsys))
    values = np.geomspace(10, 100, 4)
    assert data["param"] == "distance_m"
    np.testing.assert_allclose(data["values"], values, rtol=1e-15)
    for i, d in enumerate(data["values"]):
        r = cw.expected_events("ge-10kg-22m", distance_m=d)
        assert data["events_total"][i] == r["events_total"]
        for f in FLAVORS:
            assert data["events_by_flavor"][f][i] == r["events_by_flavor"][f]
    # falls as 1/L^2
    assert data["events_total"][0] / data["events_total"][-1] == pytest.approx(100.0)


def test_scan_csv_and_text(capsys):
    argv = ["scan", "threshold-keVnr", "--from", "0", "--to", "20", "--steps", "5"]
    out = ok([*argv, "--target", "CsI", "--csv"], capsys)
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["threshold_keVnr", *FLAVORS, "events_total"]
    assert [float(r[0]) for r in rows[1:]] == [0.0, 5.0, 10.0, 15.0, 20.0]
    for r in rows[1:]:
        expected = cw.expected_events(target="CsI", threshold_keVnr=float(r[0]))
        assert float(r[-1]) == expected["events_total"]
    totals = [float(r[-1]) for r in rows[1:]]
    assert totals == sorted(totals, reverse=True)
    text = ok([*argv, "--target", "CsI"], capsys)
    assert "Expected events vs threshold_keVnr (5 points)" in text


@pytest.mark.parametrize(
    ("param", "extra"),
    [
        ("mass-kg", []),
        ("sin2w", []),
        ("exposure-GWh", []),
        ("beam-days", ["--beam-power-MW", "1.0"]),
        ("beam-power-MW", ["--beam-days", "100"]),
        ("proton-energy-GeV", ["--exposure-GWh", "5"]),
        ("threshold-keVee", ["--preset", "coherent-lar-2020"]),
        ("eps-u-ee", []),
    ],
)
def test_scan_any_numeric_option(param, extra, capsys):
    data = json.loads(
        ok(
            ["scan", param, "--from", "0.2", "--to", "0.8", "--steps", "3", *extra, "--json"],
            capsys,
        )
    )
    keyword = param.replace("-", "_")
    options = dict(zip(extra[::2], extra[1::2], strict=True))
    preset = options.pop("--preset", None)
    kwargs = {k[2:].replace("-", "_"): float(v) for k, v in options.items()}
    for value, total in zip(data["values"], data["events_total"], strict=True):
        r = cw.expected_events(preset, **kwargs, **{keyword: value})
        assert total == r["events_total"]


def test_scan_single_step(capsys):
    data = json.loads(
        ok(["scan", "mass-kg", "--from", "3", "--to", "9", "--steps", "1", "--json"], capsys)
    )
    assert data["values"] == [3.0]


# --- --beam-days without --beam-power-MW ---------------------------------------------------------


def test_beam_days_uses_the_preset_power(capsys):
    p = cw.get_preset("ge-10kg-22m")
    assert p.beam_power_MW == 1.4
    data = json.loads(ok(["rate", "--preset", p.name, "--beam-days", "365", "--json"], capsys))
    assert data["inputs"]["beam_power_MW"] == 1.4
    assert data["inputs"]["pot"] == pytest.approx(p.scenario.pot, rel=1e-12)
    assert data["events_total"] == pytest.approx(cw.expected_events(p.name)["events_total"])
    assert "beam power 1.4 MW from preset ge-10kg-22m" in data["notes"]


def test_beam_days_without_any_power_says_what_it_assumed(capsys):
    data = json.loads(ok(["rate", "--beam-days", "30", "--json"], capsys))
    assert data["inputs"]["beam_power_MW"] == 1.4
    assert data["inputs"]["pot"] == pot_from_days(30.0, 1.4, 1.0)
    assert "beam power 1.4 MW assumed; give the beam power to change it" in data["notes"]
    assert "proton energy 1 GeV assumed; give the proton energy to change it" in data["notes"]
    assert "beam power 1.4 MW assumed" in ok(["rate", "--beam-days", "30"], capsys)


@pytest.mark.parametrize("name", ["ge-10kg-22m", "nai-185kg-28m", "nai-2t-28m"])
def test_design_study_presets_know_their_beam(name):
    p = cw.get_preset(name)
    assert p.beam_power_MW == 1.4
    assert p.scenario.pot == pot_from_days(365.0, p.beam_power_MW, p.proton_energy_GeV or 1.0)
