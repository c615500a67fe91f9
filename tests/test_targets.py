"""Target names (issue #7, "no input that yields a wrong answer"): a formula means a
molecule, isotopes are written 133Cs / Cs-133 / D / T, natural U has its CIAAW composition,
and malformed names are refused with one short line."""

from __future__ import annotations

import periodictable
import pytest

import cevns_widgets as cw
from cevns_widgets.physics.nuclei import (
    NATURAL_ABUNDANCE_SUPPLEMENT,
    UnknownTargetError,
    make_target,
)


def _counts(name: str) -> dict[str, float]:
    t = make_target(name)
    return {iso.label: n for iso, n in zip(t.isotopes, t.per_formula_unit, strict=True)}


# --- names that must work --------------------------------------------------------------------

#: name -> (nuclei per formula unit, molar mass g/mol, isotopes that must be present)
GOOD = {
    "H": (1, 1.008, {"1H", "2H"}),
    "H2": (2, 2.016, {"1H", "2H"}),  # hydrogen gas, not deuterium
    "D": (1, 2.0141, {"2H"}),
    "2H": (1, 2.0141, {"2H"}),
    "H-2": (1, 2.0141, {"2H"}),
    "deuterium": (1, 2.0141, {"2H"}),
    "T": (1, 3.0160, {"3H"}),
    "3H": (1, 3.0160, {"3H"}),
    "D2": (2, 4.0282, {"2H"}),
    "H2O": (3, 18.015, {"1H", "2H", "16O", "17O", "18O"}),
    "D2O": (3, 20.03, {"2H", "16O", "17O", "18O"}),
    "T2O": (3, 22.03, {"3H", "16O"}),
    "CD4": (5, 20.07, {"12C", "13C", "2H"}),
    "HDO": (3, 19.02, {"1H", "2H", "16O"}),
    "133Cs": (1, 132.905, {"133Cs"}),
    "Cs-133": (1, 132.905, {"133Cs"}),
    "Cs": (1, 132.905, {"133Cs"}),
    "CsI": (2, 259.81, {"133Cs", "127I"}),
    " CsI ": (2, 259.81, {"133Cs", "127I"}),
    "U": (1, 238.029, {"234U", "235U", "238U"}),
    "UO2": (3, 270.03, {"235U", "238U", "16O"}),
    "Th": (1, 232.038, {"232Th"}),
    "ThO2": (3, 264.04, {"232Th", "16O"}),
    "Pa": (1, 231.036, {"231Pa"}),
    "argon": (1, 39.948, {"40Ar"}),
    "C3F8": (11, 188.02, {"12C", "19F"}),
    "Ca(OH)2": (5, 74.09, {"40Ca", "16O", "1H"}),
    "(H2O)2": (6, 36.03, {"1H", "16O"}),
    "O3": (3, 48.00, {"16O"}),
    "C60": (60, 720.64, {"12C"}),
    "Si0.7Ge0.3": (1, 0.7 * 28.0855 + 0.3 * 72.630, {"28Si", "74Ge"}),
}


@pytest.mark.parametrize("name", list(GOOD))
def test_good_names_give_their_nuclei_and_molar_mass(name):
    nuclei, molar_mass, present = GOOD[name]
    t = make_target(name)
    assert t.nuclei_per_formula_unit() == pytest.approx(nuclei, rel=1e-9)
    assert t.molar_mass_g_per_mol == pytest.approx(molar_mass, abs=0.01)
    assert present <= set(_counts(name))


def test_a_formula_means_a_molecule_h2_is_hydrogen_gas():
    """Was: 'H2' read as the isotope 2H (pattern Cs133), 210x the rate per kg of H2 gas."""
    h2 = _counts("H2")
    assert h2["1H"] == pytest.approx(2 * periodictable.H[1].abundance / 100)
    assert h2["2H"] == pytest.approx(2 * periodictable.H[2].abundance / 100)
    assert make_target("H2").molar_mass_g_per_mol == pytest.approx(
        2 * make_target("H").molar_mass_g_per_mol
    )


def test_water_hydrogen_is_mostly_1h_with_natural_deuterium():
    h = _counts("H2O")
    fraction_2h = h["2H"] / (h["1H"] + h["2H"])
    # periodictable (CIAAW 2021 range midpoint) gives 0.0145 %; the CIAAW interval for
    # 2H is [0.00001, 0.00028] and VSMOW is 0.0156 %.
    assert fraction_2h == pytest.approx(periodictable.H[2].abundance / 100, rel=1e-9)
    assert 1e-5 <= fraction_2h <= 2.8e-4


def test_heavy_water_has_deuterium_nuclei():
    """Was: a TypeError traceback from periodictable's isotope object."""
    d2o = _counts("D2O")
    assert d2o["2H"] == 2.0 and "1H" not in d2o
    assert make_target("D2O").molar_mass_g_per_mol == pytest.approx(20.03, abs=0.005)
    hdo = _counts("HDO")  # the 2H of the natural H and of the D add up in one entry
    assert hdo["2H"] == pytest.approx(1 + periodictable.H[2].abundance / 100)
    assert hdo["1H"] == pytest.approx(periodictable.H[1].abundance / 100)
    assert _counts("T2O")["3H"] == 2.0
    assert _counts("CD4")["2H"] == 4.0


def test_isotope_spellings_agree():
    for names in (("2H", "H-2", "D", "deuterium"), ("3H", "H-3", "T", "tritium")):
        targets = {make_target(n) for n in names}
        assert len(targets) == 1, names
    assert make_target("133Cs") == make_target("Cs-133")


def test_natural_uranium_uses_the_ciaaw_composition():
    """Was refused: periodictable 2.1 has no abundances for U."""
    u = _counts("U")
    assert u == pytest.approx({"234U": 0.000054, "235U": 0.007204, "238U": 0.992742}, rel=1e-9)
    # CIAAW standard atomic weight of U: 238.02891(3)
    assert make_target("U").molar_mass_g_per_mol == pytest.approx(238.02891, abs=2e-4)
    uo2 = _counts("UO2")
    assert uo2["235U"] == pytest.approx(0.007204) and sum(uo2.values()) == pytest.approx(3.0)


def test_supplement_is_used_only_where_periodictable_has_no_abundances():
    for symbol, table in NATURAL_ABUNDANCE_SUPPLEMENT.items():
        element = periodictable.elements.symbol(symbol)
        from_pt = {a: element[a].abundance / 100 for a in element.isotopes if element[a].abundance}
        if from_pt:  # Th, Pa: periodictable's own values are used and agree with CIAAW
            assert from_pt == pytest.approx(table, abs=1e-6)
        got = {int(label[:3]): n for label, n in _counts(symbol).items()}
        assert got == pytest.approx(table, abs=1e-6)


#: Elements up to U without a natural isotopic composition (no standard atomic weight).
NO_NATURAL_COMPOSITION = {"Tc", "Pm", "Po", "At", "Rn", "Fr", "Ra", "Ac"}


def test_every_natural_element_matches_its_standard_atomic_weight():
    for element in periodictable.elements:
        if not 0 < element.number <= 92:
            continue
        if element.symbol in NO_NATURAL_COMPOSITION:
            with pytest.raises(UnknownTargetError, match="no natural isotopic composition"):
                make_target(element.symbol)
            continue
        t = make_target(element.symbol)
        # 0.5 %: periodictable's abridged weights vs its range-midpoint abundances (Li worst)
        assert t.molar_mass_g_per_mol == pytest.approx(element.mass, rel=5e-3), element.symbol


# --- names that must be refused ----------------------------------------------------------------

BAD = {
    "": "unknown target ''",
    "   ": "unknown target",
    "H2O2O": "O written twice; write each element once, e.g. 'H2O3'",
    "NaII": "I written twice; write each element once, e.g. 'NaI2'",
    "CsI0": "count 0: counts must be positive",
    "Cs0": "count 0: counts must be positive",  # was ZeroDivisionError
    "Cs0.0": "counts must be positive",
    "CsI-2": "counts must be positive",
    "Cs01": "leading zero",
    "Cs133": "ambiguous: write the isotope as 133Cs or Cs-133, or natural cesium as Cs",
    "Ar40": "write the isotope as 40Ar or Ar-40",
    "Ge76": "write the isotope as 76Ge or Ge-76",
    "H3": "write the isotope as 3H or H-3",
    "He4": "write the isotope as 4He or He-4",
    "cs": "unknown target 'cs'.*common choices",
    "csi": "unknown target 'csi'",
    "n": "unknown target 'n'",  # the neutron, Z = 0
    "Xx": "'Xx' is not an element symbol",
    "Kryptonite": "unknown target 'Kryptonite'",
    "2D": "D already names one isotope",
    "Cs-999": "Cs has no isotope with A = 999",
    "(CsI": "a '\\(' without its '\\)'",
    "CsI)": "a '\\)' without its '\\('",
    "()": "empty parentheses",
    "Cs I": "unexpected ' '",
    "H2O@1": "unexpected '@'",
    "5g H2O": "unknown target",
    "Na+Cl": "unexpected '\\+'",
    "Cs.5": "unexpected '.'",
    "Tc": "no natural isotopic composition",
}


@pytest.mark.parametrize("name", list(BAD))
def test_bad_names_are_refused_with_one_short_line(name):
    with pytest.raises(UnknownTargetError, match=BAD[name]) as info:
        make_target(name)
    message = str(info.value)
    assert "\n" not in message and len(message) < 400


def test_long_input_is_quoted_at_most_40_characters():
    for junk in ("x" * 500, "H2O" * 100 + "0", "Cs" + "I" * 300):
        with pytest.raises(UnknownTargetError) as info:
            make_target(junk)
        message = str(info.value)
        assert junk[:37] + "..." in message and junk[:60] not in message
        assert len(message) < 400


def test_non_string_is_refused_cleanly():
    """Was: TypeError (unhashable) from the cache before any check."""
    for value in (["Cs"], None, 133):
        with pytest.raises(UnknownTargetError, match="must be a string"):
            make_target(value)


def test_scenario_wraps_the_target_error():
    with pytest.raises(cw.ScenarioError, match="write each element once"):
        cw.Scenario(target="H2O2O")


# --- rates: the same nuclei give the same rate per kg -----------------------------------------


def _events_per_kg(target, threshold_keVnr):
    r = cw.expected_events(target=target, mass_kg=1.0, threshold_keVnr=threshold_keVnr)
    return r["events_total"]


@pytest.mark.parametrize("threshold_keVnr", [0.0, 1.0, 5.0])
def test_h2_rate_per_kg_equals_h_and_d2_the_deuterium_rate(threshold_keVnr):
    h = _events_per_kg("H", threshold_keVnr)
    assert _events_per_kg("H2", threshold_keVnr) == pytest.approx(h, rel=1e-12)
    d = _events_per_kg("2H", threshold_keVnr)
    assert _events_per_kg("D2", threshold_keVnr) == pytest.approx(d, rel=1e-12)
    assert _events_per_kg("D", threshold_keVnr) == pytest.approx(d, rel=1e-12)
    # the old misreading of H2 as deuterium was a factor ~210 per kg at 1 keVnr
    assert d > 100 * h


def test_heavy_water_rate_is_the_mass_weighted_sum_of_its_nuclei():
    """Per kg, D2O = (mass fraction of D) x rate(2H) + (mass fraction of O) x rate(O)."""
    m_d2o = make_target("D2O").molar_mass_g_per_mol
    m_d, m_o = make_target("2H").molar_mass_g_per_mol, make_target("O").molar_mass_g_per_mol
    expected = 2 * m_d / m_d2o * _events_per_kg("2H", 1.0) + m_o / m_d2o * _events_per_kg("O", 1.0)
    # (each target has its own recoil grid: agreement to the integration accuracy)
    assert _events_per_kg("D2O", 1.0) == pytest.approx(expected, rel=1e-5)
