"""Tests for cevns_widgets.physics.dm_efficiencies and its shipped table.

Data: XENONnT 2024 solar 8B CEvNS (Phys. Rev. Lett. 133 (2024) 191002, arXiv:2408.02877),
data release XENONnT/cevns_data_release, doi:10.5281/zenodo.20576156 (CC-BY-4.0).
"""

from __future__ import annotations

import doctest
import re
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from cevns_widgets.physics import dm_efficiencies as dm
from cevns_widgets.physics.response import (
    EFFICIENCY_MODELS,
    EFFICIENCY_VARIABLE,
    Response,
    efficiency_curve,
)

TEMPLATES = Path("/work/shared/data/xenonnt-8b-2024/templates")
NAME = "xenonnt-8b-2024"
#: The shipped numbers at a few energies: (T keVnr, SR0, SR1, combined).
SHIPPED = [
    (0.5, 1.277987e-04, 1.103963e-04, 1.162073e-04),
    (1.0, 7.316882e-03, 6.765420e-03, 6.949565e-03),
    (1.5, 3.170962e-02, 2.940688e-02, 3.017581e-02),
    (2.0, 6.897879e-02, 6.372597e-02, 6.548000e-02),
    (3.0, 1.363904e-01, 1.259996e-01, 1.294693e-01),
    (5.0, 1.208570e-01, 1.113994e-01, 1.145575e-01),
]


@pytest.fixture(scope="module")
def table():
    return dm.load_xenonnt_2024_efficiency()


def _sum_templates(run: str) -> dict[float, float]:
    """Detection efficiency per recoil energy: each nominal mono-energetic template of the
    release summed over all its analysis bins."""
    h5py = pytest.importorskip("h5py")
    pattern = re.compile(rf"template_XENONnT_{run}_mono_([0-9.]+)_cevns_tly_0\.0_tqy_0\.0\.h5$")
    sums = {}
    for path in sorted((TEMPLATES / run).iterdir()):
        match = pattern.match(path.name)
        if match:
            with h5py.File(path, "r") as f:
                sums[float(match.group(1))] = float(np.sum(f["templates/template"][()]))
    return sums


def test_table_rederived_from_release_templates(table):
    pytest.importorskip("h5py")
    if not TEMPLATES.is_dir():
        pytest.skip("XENONnT release templates not available")
    w0, w1 = dm.XENONNT_2024_EXPOSURE_T_YR["sr0"], dm.XENONNT_2024_EXPOSURE_T_YR["sr1"]
    sr0, sr1 = _sum_templates("sr0"), _sum_templates("sr1")
    assert sorted(sr0) == sorted(sr1) == pytest.approx(list(table.recoil_keVnr), abs=1e-9)
    energies = sorted(sr0)
    derived0 = np.array([sr0[e] for e in energies])
    derived1 = np.array([sr1[e] for e in energies])
    np.testing.assert_allclose(table.sr0, derived0, rtol=1e-6)
    np.testing.assert_allclose(table.sr1, derived1, rtol=1e-6)
    np.testing.assert_allclose(
        table.combined, (w0 * derived0 + w1 * derived1) / (w0 + w1), rtol=1e-6
    )


@pytest.mark.parametrize(("energy", "sr0", "sr1", "combined"), SHIPPED)
def test_matches_shipped_numbers(energy, sr0, sr1, combined):
    assert float(dm.xenonnt_2024_efficiency(energy, run="sr0")) == pytest.approx(sr0, rel=1e-9)
    assert float(dm.xenonnt_2024_efficiency(energy, run="sr1")) == pytest.approx(sr1, rel=1e-9)
    assert float(dm.xenonnt_2024_efficiency(energy)) == pytest.approx(combined, rel=1e-9)
    assert float(efficiency_curve(NAME, energy)) == pytest.approx(combined, rel=1e-9)


def test_linear_between_nodes(table):
    mid = 0.5 * (table.combined[5] + table.combined[6])  # 1.0 and 1.1 keVnr
    assert float(dm.xenonnt_2024_efficiency(1.05)) == pytest.approx(mid, rel=1e-12)


@pytest.mark.parametrize("run", dm.XENONNT_2024_RUNS)
@pytest.mark.parametrize("above", dm.ABOVE_RANGE_CHOICES)
def test_curve_is_a_probability(run, above):
    T = np.linspace(0.0, 20.0, 4001)
    eff = dm.xenonnt_2024_efficiency(T, run=run, above=above)
    assert eff.shape == T.shape
    assert np.all(eff >= 0) and np.all(eff <= 1)


@pytest.mark.parametrize("run", dm.XENONNT_2024_RUNS)
def test_rises_from_threshold(run, table):
    below = np.linspace(0.0, 0.499, 50)
    assert np.all(dm.xenonnt_2024_efficiency(below, run=run) == 0)
    eff = table.run(run)
    assert eff[0] > 0
    rising = table.recoil_keVnr <= 3.7
    assert np.all(np.diff(eff[rising]) > 0)
    # threshold-like turn-on: two orders of magnitude between 0.5 and 2 keVnr
    assert eff[table.recoil_keVnr == 2.0][0] > 100 * eff[0]


def test_peak_and_fall_are_as_documented(table):
    """The templates do not flatten at 5 keVnr: the curve peaks near 3.8 keVnr and falls."""
    for run in ("sr0", "sr1"):
        eff = table.run(run)
        assert float(table.recoil_keVnr[np.argmax(eff)]) == pytest.approx(3.8)
        assert eff[-1] < 0.85 * eff.max()


def test_above_the_table():
    last = float(dm.xenonnt_2024_efficiency(5.0))
    assert float(dm.xenonnt_2024_efficiency(8.0)) == last
    assert float(dm.xenonnt_2024_efficiency(8.0, above="zero")) == 0.0
    assert float(dm.xenonnt_2024_efficiency(5.0, above="zero")) == last


def test_combined_is_exposure_weighted(table):
    w = dm.XENONNT_2024_EXPOSURE_T_YR
    expected = (w["sr0"] * table.sr0 + w["sr1"] * table.sr1) / (w["sr0"] + w["sr1"])
    np.testing.assert_allclose(table.combined, expected, rtol=1e-6)
    assert table.exposure_t_yr == pytest.approx(3.51, abs=0.01)
    assert np.all(table.combined >= np.minimum(table.sr0, table.sr1))
    assert np.all(table.combined <= np.maximum(table.sr0, table.sr1))


def test_table_is_read_only(table):
    with pytest.raises(ValueError):
        table.combined[0] = 0.5


def test_bad_arguments():
    with pytest.raises(ValueError, match="run must be one of"):
        dm.xenonnt_2024_efficiency(1.0, run="sr2")
    with pytest.raises(ValueError, match="above must be one of"):
        dm.xenonnt_2024_efficiency(1.0, above="extrapolate")
    with pytest.raises(ValueError, match="unknown keVnr efficiency"):
        dm.keVnr_efficiency("pandax4t-8b-2024-paired", 1.0)


def test_registered_as_keVnr_efficiency():
    assert NAME in EFFICIENCY_MODELS
    assert EFFICIENCY_VARIABLE[NAME] == "keVnr"
    assert set(dm.KEVNR_EFFICIENCIES) <= set(EFFICIENCY_MODELS)
    T = np.linspace(0, 6, 61)
    np.testing.assert_array_equal(efficiency_curve(NAME, T), dm.xenonnt_2024_efficiency(T))
    np.testing.assert_array_equal(efficiency_curve(NAME, T), dm.keVnr_efficiency(NAME, T))
    assert Response(efficiency=NAME).observable == "keVnr"
    with pytest.raises(ValueError, match="function of keVnr"):
        Response(efficiency=NAME, quenching="lindhard")


def test_shipped_file_has_provenance_and_readme_entry():
    data = resources.files("cevns_widgets").joinpath("data")
    text = data.joinpath(dm.XENONNT_2024_FILE).read_text(encoding="utf-8")
    header = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    assert text.startswith("# ")
    for needed in ("# Source:", "# Changes:", "CC-BY-4.0", "10.5281/zenodo.20576156"):
        assert needed in header
    assert "recoil_keVnr,efficiency_sr0,efficiency_sr1,efficiency_combined" in text
    readme = data.joinpath("README.md").read_text(encoding="utf-8")
    assert f"`{dm.XENONNT_2024_FILE}`" in readme


def test_doctests():
    result = doctest.testmod(dm)
    assert result.attempted > 0 and result.failed == 0


def test_expected_8b_events_through_the_rate_machinery():
    """Solar 8B CEvNS on natural xenon through this efficiency, over the SR0 + SR1 exposure:
    about 9.6 events at the B16-GS98 flux (an independent numpy integration of the same
    table gave 9.60). A regression check of the registration, not of the paper's number."""
    from cevns_widgets.api import evaluate, scenario_from_options
    from cevns_widgets.physics.sources import SOURCES

    if "solar" not in SOURCES:
        pytest.skip("no solar neutrino source in this build")
    exposure = sum(dm.XENONNT_2024_EXPOSURE_T_YR.values())
    scenario, _ = scenario_from_options(
        source="solar",
        target="Xe",
        mass_kg=1000.0,
        live_days=exposure * 365.25,
        threshold_keVnr=0.0,
        efficiency=NAME,
        solar_model="b16-gs98",
    )
    events = evaluate(scenario).events_by_flavor
    assert events["8B"] == pytest.approx(9.6, rel=0.03)
    assert events["hep"] < 0.03 * events["8B"]
