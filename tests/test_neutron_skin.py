"""The neutron-skin knob (issue #7): R_n = rms_radius_fm(model, A) + neutron_skin_fm for
each isotope, replacing one absolute neutron radius for every isotope (which gave the Na of
NaI a 5.5 fm neutron radius). REFERENCE.md sec. 4; Cadeddu et al., arXiv:1710.02730."""

from __future__ import annotations

import json

import numpy as np
import periodictable
import pytest

import cevns_widgets as cw
from cevns_widgets import cli
from cevns_widgets.physics.cross_sections import momentum_transfer_fm, nucleon_couplings
from cevns_widgets.physics.form_factors import (
    FORM_FACTOR_MODELS,
    NEUTRON_SKIN_RANGE_fm,
    form_factor,
    neutron_rms_radius_fm,
    rms_radius_fm,
)
from cevns_widgets.physics.nuclei import make_target
from cevns_widgets.physics.rates import recoil_spectra
from cevns_widgets.physics.sources.sns import FLAVORS


def _events(**fields) -> float:
    return cw.evaluate(cw.Scenario(**fields)).events_total


def test_zero_skin_is_the_default_for_every_model():
    for model in FORM_FACTOR_MODELS:
        assert cw.Scenario(target="NaI", form_factor=model).neutron_skin_fm == 0.0
        base = _events(target="NaI", form_factor=model)
        assert _events(target="NaI", form_factor=model, neutron_skin_fm=0.0) == base


def test_skin_lowers_csi_events():
    base = _events(target="CsI")
    with_skin = _events(target="CsI", neutron_skin_fm=0.7)
    # measured: -18 % above the 6.5 keVnr threshold (411.0 -> 335.2 events)
    assert 0.70 < with_skin / base < 0.95
    assert _events(target="CsI", neutron_skin_fm=-0.1) > base


def test_skin_does_nothing_without_a_form_factor():
    base = _events(target="CsI", form_factor="none")
    assert _events(target="CsI", form_factor="none", neutron_skin_fm=1.5) == base


@pytest.mark.parametrize("model", ["helm", "klein-nystrand", "fermi"])
def test_each_element_of_nai_uses_its_own_radius(model):
    """Per element and recoil energy, the spectrum ratio (skin / no skin) is the direct
    [Z g_p F_p + N g_n F_n(R_n)]^2 / [Z g_p F_p + N g_n F_p]^2 with R_n = R(A) + skin.
    The old absolute radius gave Na (R = 3.0 fm) the 5.5 fm of iodine."""
    skin = 0.7
    base = cw.Scenario(target="NaI", form_factor=model)
    rs0 = recoil_spectra("NaI", base.physics)
    rs1 = recoil_spectra("NaI", base.replace(neutron_skin_fm=skin).physics)
    assert rs0.element_labels == ("Na", "I")
    gp, gn = nucleon_couplings(base.sin2w, base.couplings)
    target = make_target("NaI")
    for row, iso in enumerate(target.isotopes):  # 23Na, 127I: one isotope per element
        T = rs0.T_keV[1:]
        q = momentum_transfer_fm(T, iso.mass_MeV)
        f_p = form_factor(model, q, iso.A)
        f_n = form_factor(model, q, iso.A, float(rms_radius_fm(model, iso.A)) + skin)
        expected = ((iso.Z * gp * f_p + iso.N * gn * f_n) / ((iso.Z * gp + iso.N * gn) * f_p)) ** 2
        for flavor in FLAVORS:
            before, after = rs0.by_flavor[flavor][row, 1:], rs1.by_flavor[flavor][row, 1:]
            ok = before > 1e-12 * before.max()
            np.testing.assert_allclose(after[ok] / before[ok], expected[ok], rtol=1e-10)
    # Na's own radius: 2.96 fm + 0.7 fm, not iodine's 5.44 fm
    assert (
        float(neutron_rms_radius_fm(model, 23, 12, skin))
        < 4.0
        < 5.0
        < float(neutron_rms_radius_fm(model, 127, 74, skin))
    )


def test_every_model_is_valid_across_the_skin_range_for_every_nucleus():
    """Both ends of the range, every isotope periodictable knows with a neutron (2H, 3He
    are the tightest), every model: a finite F with F(0) = 1 and |F| <= 1."""
    A, N = [], []
    for element in periodictable.elements:
        for a in element.isotopes if element.number > 0 else ():
            if a - element.number > 0:
                A.append(a)
                N.append(a - element.number)
    A, N = np.array(A, dtype=float), np.array(N, dtype=float)
    q = np.linspace(0.0, 3.0, 61)[:, None]
    for model in FORM_FACTOR_MODELS:
        for skin in NEUTRON_SKIN_RANGE_fm:
            F = np.asarray(form_factor(model, q, A, neutron_rms_radius_fm(model, A, N, skin)))
            assert np.all(np.isfinite(F)) and np.all(np.abs(F) <= 1.0 + 1e-12), (model, skin)
            np.testing.assert_allclose(F[0], 1.0, atol=1e-12)


@pytest.mark.parametrize("target", ["H", "D", "T", "3He", "He", "H2O", "D2O"])
@pytest.mark.parametrize("skin", NEUTRON_SKIN_RANGE_fm)
def test_light_targets_evaluate_at_both_ends_of_the_range(target, skin):
    for model in FORM_FACTOR_MODELS:
        assert np.isfinite(_events(target=target, form_factor=model, neutron_skin_fm=skin))


def test_skin_range_is_validated_with_one_line():
    for bad in (-0.5, 2.5, float("nan")):
        with pytest.raises(cw.ScenarioError, match=r"neutron_skin_fm must be .*\[-0.1, 2\]"):
            cw.Scenario(neutron_skin_fm=bad)


# --- old saved scenarios -------------------------------------------------------------------------


def _old(**fields) -> dict:
    data = cw.Scenario().to_dict()
    del data["neutron_skin_fm"]
    data.update(fields)
    return data


def test_old_json_with_null_radius_loads():
    s = cw.Scenario.from_dict(_old(neutron_rms_radius_fm=None))
    assert s.neutron_skin_fm == 0.0 and s == cw.Scenario()
    assert cw.Scenario.from_json(json.dumps(_old(neutron_rms_radius_fm=None))) == cw.Scenario()


def test_old_radius_on_one_element_becomes_its_skin():
    s = cw.Scenario.from_dict(_old(target="Xe", form_factor="helm", neutron_rms_radius_fm=5.2))
    assert s.neutron_skin_fm == round(5.2 - float(rms_radius_fm("helm", 136)), 2)
    s = cw.Scenario.from_dict(_old(target="133Cs", neutron_rms_radius_fm=5.5))
    assert s.neutron_skin_fm == 0.7  # Cadeddu's 5.5 fm on 133Cs (Helm radius 4.80 fm)
    # with F = 1 the old radius had no effect
    s = cw.Scenario.from_dict(_old(target="Ar", form_factor="none", neutron_rms_radius_fm=4.0))
    assert s.neutron_skin_fm == 0.0


def test_old_radius_on_a_compound_is_refused():
    with pytest.raises(cw.ScenarioError, match="compound 'NaI'; use neutron_skin_fm"):
        cw.Scenario.from_dict(_old(target="NaI", neutron_rms_radius_fm=5.5))


def test_old_radius_outside_the_skin_range_is_refused():
    with pytest.raises(cw.ScenarioError, match=r"neutron skin of \+5.20 fm.*\[-0.1, 2\]"):
        cw.Scenario.from_dict(_old(target="133Cs", neutron_rms_radius_fm=10.0))
    with pytest.raises(cw.ScenarioError, match="not the old neutron_rms_radius_fm too"):
        cw.Scenario.from_dict({**_old(neutron_rms_radius_fm=5.5), "neutron_skin_fm": 0.7})


# --- command line ----------------------------------------------------------------------------


def test_cli_neutron_skin_option_and_text(capsys):
    code = cli.main(["rate", "--target", "CsI", "--neutron-skin-fm", "0.7"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "neutron skin +0.7 fm (R_n(Cs) = 5.50 fm)" in out
