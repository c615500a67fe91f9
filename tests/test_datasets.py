"""Tests for cevns_widgets.datasets and the packaged public data files.

Data: COHERENT CsI[Na] 2017 (Science 357 (2017) 1123, arXiv:1708.01294; release
arXiv:1804.09459, doi:10.5281/zenodo.1228631), COHERENT CENNS-10 LAr 2020
(arXiv:2003.10630; release doi:10.5281/zenodo.3903810) and the solar 8B spectrum shape.
"""

from __future__ import annotations

import doctest
import fnmatch
import math
import tomllib
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from cevns_widgets import datasets as ds

REPO = Path(__file__).resolve().parents[1]
SHARED = Path("/work/shared/data")
RAW_NAMES = {
    **{f"csi2017_{p.name}": p for p in sorted((SHARED / "coherent-csi-2017").glob("*.txt"))},
    "lar2020_CENNS10AnlAEfficiency.txt": SHARED / "coherent-lar-2020/CENNS10AnlAEfficiency.txt",
    "solar_b8_spectrum.csv": SHARED / "solar/b8_spectrum.csv",
}


def _trapz(y, x):
    return float(np.sum(np.diff(x) * (y[1:] + y[:-1])) / 2)


@pytest.fixture(scope="module")
def csi():
    return ds.load_csi_2017()


# --- packaging and provenance ----------------------------------------------------------


def _data_dir():
    return resources.files("cevns_widgets").joinpath("data")


def test_every_listed_file_is_shipped_and_loadable_as_resource():
    for name in ds.DATA_FILES:
        f = ds.data_file(name)
        assert f.is_file(), name
        assert f.read_text(encoding="utf-8").strip()


def test_missing_file_gives_clear_error():
    with pytest.raises(FileNotFoundError, match="not shipped"):
        ds.data_file("no_such_file.txt")


def test_every_data_file_has_provenance_header_and_readme_entry():
    readme = _data_dir().joinpath("README.md").read_text(encoding="utf-8")
    shipped = [
        p.name for p in _data_dir().iterdir() if p.name.endswith((".txt", ".csv")) and p.is_file()
    ]
    assert set(ds.DATA_FILES) <= set(shipped)
    for name in shipped:
        text = _data_dir().joinpath(name).read_text(encoding="utf-8")
        assert text.startswith("# "), name
        header = "\n".join(line for line in text.splitlines() if line.startswith("#"))
        assert "# Source:" in header, name
        assert "# Changes:" in header, name
        assert f"`{name}`" in readme, f"{name} not documented in data/README.md"


def test_data_file_names_match_package_data_globs():
    config = tomllib.loads((REPO / "pyproject.toml").read_text())
    globs = config["tool"]["setuptools"]["package-data"]["cevns_widgets"]
    for name in (*ds.DATA_FILES, "README.md"):
        assert any(fnmatch.fnmatch(f"data/{name}", g) for g in globs), name


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared raw data not available")
@pytest.mark.parametrize("name", sorted(RAW_NAMES))
def test_data_rows_identical_to_raw_release(name):
    """The packaged copy only adds '#' lines; every other line is byte-for-byte the raw one."""
    raw = RAW_NAMES[name].read_text()
    packaged = ds.data_file(name).read_text(encoding="utf-8")
    body = packaged.split("# ---- original file content follows ----\n", 1)[1]
    raw_lines = raw.splitlines()
    body_lines = body.splitlines()
    assert len(raw_lines) == len(body_lines)
    for r, b in zip(raw_lines, body_lines, strict=True):
        assert b == r or (b == "# " + r and not r[:1].isdigit()), (r, b)


# --- parsing and validation --------------------------------------------------------------


def test_parser_accepts_files_with_and_without_column_header():
    body = "1.0, 0.25, 3\n1.0, 0.75, 0\n"
    plain = ds._parse_table(body, ncols=3, source="t")
    headed = ds._parse_table("Photoelectrons (PEs),Arrival time (us),Counts\n" + body, 3, "t")
    commented = ds._parse_table("# a comment\n\n" + body, ncols=3, source="t")
    np.testing.assert_array_equal(plain, headed)
    np.testing.assert_array_equal(plain, commented)
    assert ds._parse_table("0.25 1.01 0\n", ncols=3, source="ws").shape == (1, 3)


def test_parser_rejects_bad_rows():
    with pytest.raises(ds.DataFormatError, match="expected 3 columns"):
        ds._parse_table("1, 2\n", ncols=3, source="t")
    with pytest.raises(ds.DataFormatError, match="not numeric"):
        ds._parse_table("1, 2, 3\nx, y, z\n", ncols=3, source="t")
    with pytest.raises(ds.DataFormatError, match="no data rows"):
        ds._parse_table("# only a comment\n", ncols=3, source="t")


def _raw_hist_text():
    return ds.data_file("csi2017_data_coincidence_beamOn.txt").read_text(encoding="utf-8")


def test_histogram_validation_accepts_shuffled_rows():
    lines = [ln for ln in _raw_hist_text().splitlines() if ln and not ln.startswith("#")]
    rng = np.random.default_rng(1)
    shuffled = "\n".join(rng.permutation(lines))
    _, _, grid = ds._csi_histogram_from_text(shuffled, "shuffled")
    _, _, ref = ds._csi_histogram_from_text(_raw_hist_text(), "ref")
    np.testing.assert_array_equal(grid, ref)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda rows: rows[:-1], "complete"),  # a missing cell
        (lambda rows: rows[:-1] + rows[:1], "complete"),  # a duplicated cell
        (lambda rows: [rows[0].replace(", 2", ", 2.5")] + rows[1:], "integers"),
        (lambda rows: [rows[0].replace(", 2", ", -2")] + rows[1:], "integers"),
        (lambda rows: [r for r in rows if not r.startswith("49.0,")], "expected 0..50"),
        (lambda rows: [r.replace("49.0,", "52.0,") for r in rows], "equally spaced"),
    ],
)
def test_histogram_validation_rejects_bad_grids(mutate, message):
    rows = [ln for ln in _raw_hist_text().splitlines() if ln and not ln.startswith("#")]
    assert rows[0] == "1.0, 0.25, 2"
    with pytest.raises(ds.DataFormatError, match=message):
        ds._csi_histogram_from_text("\n".join(mutate(rows)), "bad")


# --- CsI 2017 histograms -------------------------------------------------------------------


def test_csi_grid(csi):
    np.testing.assert_allclose(csi.pe_edges, np.arange(0, 51, 2))
    np.testing.assert_allclose(csi.pe_centers, np.arange(1, 50, 2))
    np.testing.assert_allclose(csi.time_edges_us, np.arange(0, 12.25, 0.5))
    np.testing.assert_allclose(csi.time_centers_us, np.arange(0.25, 12, 0.5))
    assert np.allclose(np.diff(csi.pe_edges), 2.0)
    assert np.allclose(np.diff(csi.time_edges_us), 0.5)


@pytest.mark.parametrize(
    "attr",
    [
        "coincidence_beam_on",
        "anticoincidence_beam_on",
        "coincidence_beam_off",
        "anticoincidence_beam_off",
    ],
)
def test_csi_counts(csi, attr):
    counts = getattr(csi, attr)
    assert counts.shape == (25, 24) == (csi.pe_centers.size, csi.time_centers_us.size)
    assert np.issubdtype(counts.dtype, np.integer)
    assert counts.min() >= 0
    assert not counts.flags.writeable


def test_csi_totals_and_metadata(csi):
    assert csi.coincidence_beam_on.sum() == 1207
    assert csi.anticoincidence_beam_on.sum() == 1032
    assert csi.coincidence_beam_off.sum() == 507
    assert csi.anticoincidence_beam_off.sum() == 507
    assert csi.coincidence_beam_on[0, 0] == 2  # first row of the file: 1.0, 0.25, 2
    assert csi.beam_on_live_days == 308.1
    assert csi.beam_off_live_days == 153.5
    assert csi.beam_energy_GWh == 7.47594
    assert "arXiv:1708.01294" in csi.citation and "10.5281/zenodo.1228631" in csi.citation
    assert ds.load_csi_2017() is csi  # cached


def test_steady_state_background_scales_with_live_time(csi):
    """The anticoincidence (background-only) rate is the same beam on and beam off."""
    on = ds.residual(csi, "on").anticoincidence
    off = ds.residual(csi, "off").anticoincidence
    ratio = off / on
    sigma = ratio * math.sqrt(1 / on + 1 / off)
    assert abs(ratio - csi.beam_off_live_days / csi.beam_on_live_days) < 3 * sigma


# --- residuals -------------------------------------------------------------------------------


def test_beam_on_excess_in_analysis_region(csi):
    r = csi.residual()  # 6 <= PE < 30, 0-12 us
    assert r.beam == "on"
    assert r.pe_range == (6.0, 30.0) and r.time_range_us == (0.0, 12.0)
    assert (r.coincidence, r.anticoincidence) == (855, 703)
    assert r.excess == 152
    assert r.excess_err == pytest.approx(math.sqrt(855 + 703))  # 39.47
    assert 100 < r.excess < 200
    assert r.excess / r.excess_err > 3
    # the published likelihood fit, 134 +- 22, lies within 2 sigma of the simple excess
    assert abs(r.excess - ds.CSI_2017_PUBLISHED_EXCESS) < 2 * r.excess_err
    assert r.significance == pytest.approx(152 / math.sqrt(2 * 703))  # 4.05
    assert r.significance_known_background == pytest.approx(152 / math.sqrt(703))  # 5.73
    assert r.significance < ds.CSI_2017_PUBLISHED_SIGNIFICANCE


def test_projections_are_consistent(csi):
    r = ds.residual(csi)
    assert r.pe_centers.tolist() == list(range(7, 30, 2))
    assert r.pe_edges[0] == 6 and r.pe_edges[-1] == 30 and r.pe_edges.size == 13
    assert r.time_centers_us.size == 24
    assert r.pe_excess.sum() == r.time_excess.sum() == r.excess
    assert r.pe_coincidence.sum() == r.time_coincidence.sum() == r.coincidence
    np.testing.assert_allclose(r.pe_excess_err**2, r.pe_coincidence + r.pe_anticoincidence)
    np.testing.assert_allclose(r.time_excess_err**2, r.time_coincidence + r.time_anticoincidence)
    # the excess is beam-timed: most of it arrives in the first 6 us
    early = ds.residual(csi, time_range_us=(0, 6))
    assert early.excess == 142
    assert early.excess > 0.8 * r.excess


def test_beam_off_residual_consistent_with_zero(csi):
    r = ds.residual(csi, "off")
    assert (r.coincidence, r.anticoincidence, r.excess) == (358, 355, 3)
    assert r.excess_err == pytest.approx(math.sqrt(358 + 355))  # 26.7
    assert abs(r.pull) < 3
    full = ds.residual(csi, "off", pe_range=(0, 50))
    assert abs(full.pull) < 3


def test_residual_range_validation(csi):
    with pytest.raises(ValueError, match="bin edges"):
        ds.residual(csi, pe_range=(5, 30))  # 5 PE is inside a 2-PE bin
    with pytest.raises(ValueError, match="bin edges"):
        ds.residual(csi, pe_range=(6, 60))
    with pytest.raises(ValueError, match="bin edges"):
        ds.residual(csi, time_range_us=(0, 12.25))
    with pytest.raises(ValueError, match="lo < hi"):
        ds.residual(csi, pe_range=(30, 6))
    with pytest.raises(ValueError, match="beam"):
        ds.residual(csi, "sideways")


def test_empty_background_gives_nan_significance(csi):
    r = ds.residual(csi, pe_range=(0, 2), time_range_us=(0, 0.5))
    assert (r.coincidence, r.anticoincidence) == (2, 0)
    assert math.isnan(r.significance) and math.isnan(r.significance_known_background)


# --- auxiliary CsI files ---------------------------------------------------------------------


def test_arrival_time_pdfs():
    pdfs = ds.load_arrival_time_pdfs_csi_2017()
    np.testing.assert_allclose(pdfs.time_centers_us, np.arange(0.25, 12, 0.5))
    for p in (pdfs.prompt_neutrinos, pdfs.delayed_neutrinos, pdfs.prompt_neutrons):
        assert p.shape == (24,)
        assert p.min() >= 0
        assert p.sum() == pytest.approx(1.0, abs=1e-9)
    # prompt components peak in the 0.5-1 us bin; the delayed ones fall with the muon lifetime
    assert np.argmax(pdfs.prompt_neutrinos) == 1 and np.argmax(pdfs.prompt_neutrons) == 1
    assert pdfs.prompt_neutrinos[:3].sum() > 0.99
    assert pdfs.delayed_neutrinos[6:].sum() > 0.3


def test_prompt_neutron_pe_pdf():
    pn = ds.load_prompt_neutron_pe_pdf_csi_2017()
    np.testing.assert_allclose(pn.pe_centers, np.arange(0.5, 50, 1))
    np.testing.assert_allclose(pn.pe_edges, np.arange(0, 51, 1))
    assert pn.per_GWh.min() > 0
    assert pn.per_GWh[0] == pytest.approx(0.5526297688)
    assert pn.exposure_GWh == 7.47594
    assert pn.normalisation_uncertainty == 0.25
    two = pn.rebin(2)
    np.testing.assert_allclose(two.pe_edges, ds.load_csi_2017().pe_edges)
    assert two.per_GWh.sum() == pytest.approx(pn.per_GWh.sum())
    in_region = two.expected_counts()[3:15].sum()  # 6 <= PE < 30
    assert in_region == pytest.approx(12.78, abs=0.01)
    with pytest.raises(ValueError):
        pn.rebin(3)


def test_quenching_measurements():
    qf = ds.load_csi_quenching_measurements()
    assert qf.tunl.recoil_keVnr.size == 12 and qf.chicago.recoil_keVnr.size == 7
    for pts in (qf.tunl, qf.chicago):
        assert np.all(np.diff(pts.recoil_keVnr) > 0)  # sorted
        assert np.all((pts.qf > 0.03) & (pts.qf < 0.15))
        for err in (pts.qf_err_low, pts.qf_err_high, pts.recoil_err_low_keVnr):
            assert np.all(err > 0)
    # TUNL columns are: E, +dE, -dE, QF, +dQF, -dQF
    i = int(np.argmin(abs(qf.tunl.recoil_keVnr - 41.605)))
    assert qf.tunl.recoil_err_high_keVnr[i] == pytest.approx(2.5009997189044952)
    assert qf.tunl.recoil_err_low_keVnr[i] == pytest.approx(2.933797687292099)
    assert qf.tunl.qf_err_high[i] == pytest.approx(0.0010538994613019804)
    assert qf.tunl.qf_err_low[i] == pytest.approx(0.0010449562706348994)
    # Chicago errors are symmetric
    np.testing.assert_array_equal(qf.chicago.qf_err_low, qf.chicago.qf_err_high)
    assert qf.chicago.recoil_keVnr[0] == 2.87 and qf.chicago.qf[0] == 0.0521


# --- LAr and solar -----------------------------------------------------------------------------


def test_lar_efficiency():
    eff = ds.load_lar_2020_efficiency()
    assert eff.keVee_centers.shape == eff.keVnr_centers.shape == eff.efficiency.shape == (80,)
    np.testing.assert_allclose(eff.keVee_edges, np.arange(0, 40.5, 0.5))
    assert np.all((eff.efficiency >= 0) & (eff.efficiency <= 1))
    assert np.all(np.diff(eff.keVnr_centers) > 0)
    assert np.all(eff.keVnr_centers > eff.keVee_centers)  # quenching factor < 1
    assert eff.efficiency[0] == 0 and eff.efficiency.max() > 0.95
    assert "10.5281/zenodo.3903810" in eff.citation


def test_solar_b8_spectrum():
    b8 = ds.load_solar_b8_spectrum()
    assert b8.energy_MeV.size == 801
    assert b8.energy_MeV[0] == pytest.approx(0.02) and b8.energy_MeV[-1] == pytest.approx(16.02)
    assert b8.shape_per_MeV.min() >= 0
    assert _trapz(b8.shape_per_MeV, b8.energy_MeV) == pytest.approx(1.0, rel=1e-12)
    assert b8.file_flux_cm2_s == pytest.approx(5.58e6, rel=1e-3)
    assert _trapz(b8.flux(), b8.energy_MeV) == pytest.approx(ds.B8_FLUX_B16_GS98)
    assert 6.0 < b8.energy_MeV[np.argmax(b8.shape_per_MeV)] < 7.0
    mean = _trapz(b8.energy_MeV * b8.shape_per_MeV, b8.energy_MeV)
    assert 6.5 < mean < 7.0  # the 8B spectrum's mean energy is about 6.7 MeV


def test_module_doctests():
    result = doctest.testmod(ds, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 10
    assert result.failed == 0
