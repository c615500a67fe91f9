"""``cevns plan``: the significance planner on the command line."""

from __future__ import annotations

import json

import pytest

from cevns_widgets.cli import main
from cevns_widgets.stats import planner


def _run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_plan_of_the_2017_configuration(capsys):
    code, out, err = _run(capsys, "plan", "--json")
    assert code == 0 and not err
    data = json.loads(out)
    scenario, backgrounds, power, energy = planner.coherent_2017_design()
    design = planner.build_design(scenario, backgrounds, power, energy)
    assert data["significance"] == pytest.approx(planner.asimov_significance(design), rel=1e-9)
    assert data["signal_events"] == pytest.approx(175.76, rel=1e-3)
    assert data["days_to"]["3_sigma"] < data["days_to"]["5_sigma"] < 308.1
    assert [row["days"] for row in data["table"]] == [10, 30, 100, 300, 1000, 3000]
    code, out, _ = _run(capsys, "plan")
    assert code == 0 and "5 sigma" in out and "Asimov" in out


def test_plan_of_a_new_design_needs_its_background(capsys):
    code, _, err = _run(capsys, "plan", "--preset", "coherent-csi-2021")
    assert code == 2 and "--steady-state-per-keVee-kg-day is needed" in err
    assert len(err.strip().splitlines()) == 1
    code, out, err = _run(
        capsys,
        "plan",
        "--preset",
        "coherent-csi-2021",
        "--steady-state-per-keVee-kg-day",
        "50",
        "--brn-per-GWh",
        "1",
        "--mean-power-MW",
        "1.0",
        "--json",
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["backgrounds"]["steady_state_per_keVee_kg_day"] == 50.0
    assert data["significance"] > 5  # the 2021 exposure is twice 2017's
    code, _, err = _run(
        capsys, "plan", "--preset", "coherent-csi-2021", "--steady-state-per-keVee-kg-day", "50"
    )
    assert code == 2 and "--mean-power-MW is needed" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--preset", "conus-plus-2025", "--steady-state-per-keVee-kg-day", "1"], "pulsed SNS"),
        (["--steady-state-per-keVee-kg-day", "-3"], "--steady-state-per-keVee-kg-day must be"),
        (["--preset", "no-such"], "unknown preset"),
        (["--mean-power-MW", "0"], "--mean-power-MW must be in (0, 100]"),
    ],
)
def test_bad_plans_are_one_line_and_exit_2(capsys, argv, message):
    code, _, err = _run(capsys, "plan", *argv)
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1
