"""``cevns profile``: profile likelihoods and Feldman-Cousins intervals on the command line."""

from __future__ import annotations

import json

import numpy as np
import pytest

from cevns_widgets import stats
from cevns_widgets.cli import main


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_profile_json_matches_the_library(capsys):
    argv = ["profile", "--preset", "coherent-csi-2017", "--parameter", "sin2w"]
    code, out, err = run([*argv, "--from", "0.1", "--to", "0.3", "--steps", "11", "--json"], capsys)
    assert code == 0 and err == ""
    data = json.loads(out)
    r = stats.profile("coherent-csi-2017", "sin2w", np.linspace(0.1, 0.3, 11))
    assert data["best_fit"] == pytest.approx(r.best_fit)
    assert data["delta_chi2"] == pytest.approx(r.delta_chi2.tolist())
    assert data["intervals"]["0.68"] == pytest.approx(list(r.interval(0.68)))
    assert data["values"] == pytest.approx(np.linspace(0.1, 0.3, 11).tolist())


def test_profile_text_with_feldman_cousins(capsys):
    argv = ["profile", "--parameter", "magnetic_moment_muB", "--from", "0", "--to", "4e-9"]
    code, out, err = run([*argv, "--steps", "5", "--fc", "--toys", "20", "--seed", "4"], capsys)
    assert code == 0 and err == ""
    assert "profile likelihood of magnetic_moment_muB" in out
    assert "Feldman-Cousins, 20 toys per point" in out and "(Wilks)" in out
    code, out, _ = run(
        [*argv, "--steps", "5", "--fc", "--toys", "20", "--seed", "4", "--json"], capsys
    )
    fc = json.loads(out)["feldman_cousins"]
    assert fc["n_toys"] == 20 and fc["seed"] == 4 and len(fc["critical"]["0.90"]) == 5


def test_profile_default_grid_and_radius(capsys):
    code, out, _ = run(
        ["profile", "--preset", "coherent-lar-2020", "--parameter", "neutron_radius_fm"], capsys
    )
    assert code == 0
    assert "neutron_radius_fm" in out and "radius = 3.397 fm" in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--preset", "coherent-xe-2099"], "--preset must be one of"),
        (["--parameter", "mass_kg"], "--parameter: invalid choice"),
        (["--from", "0.1"], "--from and --to go together"),
        (["--steps", "5"], "--steps needs --from and --to"),
        (["--from", "0.3", "--to", "0.1"], "--to must not be below --from"),
        (["--from", "0.1", "--to", "2"], "--from/--to: sin2w must lie in [0, 1]"),
        (["--from", "0.1", "--to", "0.2", "--steps", "0"], "--steps: expected a whole number"),
        (["--fc", "--toys", "0"], "--toys: expected a whole number from 1"),
        (["--from", "nan", "--to", "0.2"], "--from: expected a finite number"),
        (
            ["--preset", "coherent-csi-2017+coherent-lar-2020", "--fc"],
            "--fc is available for coherent-csi-2017, coherent-lar-2020",
        ),
        (
            ["--preset", "coherent-csi-2017+coherent-lar-2020", "--parameter", "neutron_radius_fm"],
            "--parameter neutron_radius_fm is one nucleus' radius",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(argv, message, capsys):
    code, out, err = run(["profile", *argv], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("cevns profile: error:")
    assert message in err
