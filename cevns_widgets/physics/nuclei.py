"""Target nuclei: elements, compounds and single isotopes, from ``periodictable``.

A target is a list of isotopes with the number of nuclei of each per formula unit
(natural abundances, CIAAW via periodictable) and its molar mass. Nuclear masses are
atomic masses (AME via periodictable) less the electrons: M = m_atom u - Z m_e
(electron binding energies, < 0.1 MeV, are neglected).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import periodictable
from scipy.constants import Avogadro

from .constants import AMU_MeV, ELECTRON_MASS_MeV

#: Targets offered in menus: name -> short description.
COMMON_TARGETS = {
    "CsI": "cesium iodide (COHERENT 2017)",
    "NaI": "sodium iodide",
    "Ge": "natural germanium",
    "Ar": "natural argon (COHERENT 2020)",
    "Xe": "natural xenon",
    "133Cs": "cesium-133",
    "127I": "iodine-127",
    "40Ar": "argon-40",
    "Si": "natural silicon",
    "C3F8": "octafluoropropane (bubble chambers)",
}

_ISOTOPE_PATTERNS = (
    re.compile(r"^(?P<A>\d+)(?P<sym>[A-Z][a-z]?)$"),  # 133Cs
    re.compile(r"^(?P<sym>[A-Z][a-z]?)-(?P<A>\d+)$"),  # Cs-133
    re.compile(r"^(?P<sym>[A-Z][a-z]?)(?P<A>\d+)$"),  # Cs133 (only if A is a real isotope)
)


class UnknownTargetError(ValueError):
    """Raised for a target name that is not an element, compound or isotope."""


@dataclass(frozen=True)
class Isotope:
    """One nuclide: charge Z, neutron number N, mass number A and nuclear mass in MeV."""

    symbol: str
    Z: int
    A: int
    mass_MeV: float

    @property
    def N(self) -> int:
        return self.A - self.Z

    @property
    def label(self) -> str:
        return f"{self.A}{self.symbol}"


@dataclass(frozen=True)
class Target:
    """A detector material: isotopes and how many of each nucleus per formula unit."""

    name: str
    isotopes: tuple[Isotope, ...]
    per_formula_unit: tuple[float, ...]
    molar_mass_g_per_mol: float

    @property
    def Z(self) -> np.ndarray:
        return np.array([i.Z for i in self.isotopes], dtype=float)

    @property
    def N(self) -> np.ndarray:
        return np.array([i.N for i in self.isotopes], dtype=float)

    @property
    def A(self) -> np.ndarray:
        return np.array([i.A for i in self.isotopes], dtype=float)

    @property
    def mass_MeV(self) -> np.ndarray:
        return np.array([i.mass_MeV for i in self.isotopes])

    def nuclei_per_kg(self) -> np.ndarray:
        """Number of nuclei of each isotope in one kilogram of target."""
        formula_units_per_kg = Avogadro * 1000.0 / self.molar_mass_g_per_mol
        return formula_units_per_kg * np.asarray(self.per_formula_unit)

    def mean_neutron_number(self) -> float:
        """Nucleus-weighted mean N (the abscissa of N^2 plots)."""
        w = np.asarray(self.per_formula_unit)
        return float(np.sum(w * self.N) / np.sum(w))

    def nuclei_per_formula_unit(self) -> float:
        return float(np.sum(self.per_formula_unit))


def _isotope(element, mass_number: int) -> Isotope:
    iso = element[mass_number]
    mass_MeV = iso.mass * AMU_MeV - element.number * ELECTRON_MASS_MeV
    return Isotope(element.symbol, element.number, mass_number, mass_MeV)


def _element_by_symbol(symbol: str):
    try:
        return periodictable.elements.symbol(symbol)
    except ValueError:
        return None


def _parse_isotope(name: str):
    for pattern in _ISOTOPE_PATTERNS:
        m = pattern.match(name)
        if not m:
            continue
        element = _element_by_symbol(m["sym"])
        mass_number = int(m["A"])
        if element is None or element.number == 0:
            return None
        if mass_number in element.isotopes and mass_number >= element.number:
            return element, mass_number
        if pattern is not _ISOTOPE_PATTERNS[2]:
            lo, hi = min(element.isotopes), max(element.isotopes)
            raise UnknownTargetError(
                f"{element.symbol} has no isotope with A = {mass_number}; known A: {lo} to {hi}"
            )
    return None


def _natural_isotopes(element) -> list[tuple[Isotope, float]]:
    present = [(a, element[a].abundance / 100.0) for a in element.isotopes]
    present = [(a, f) for a, f in present if f > 0]
    if not present:
        raise UnknownTargetError(
            f"{element.symbol} has no natural isotopes; give one isotope, e.g. "
            f"'{element.isotopes[len(element.isotopes) // 2]}{element.symbol}'"
        )
    total = sum(f for _, f in present)
    return [(_isotope(element, a), f / total) for a, f in present]


def _help_text(name: str) -> str:
    examples = ", ".join(COMMON_TARGETS)
    return (
        f"unknown target {name!r}: give an element symbol or name (Ge, argon), a formula "
        f"(CsI, NaI, C3F8) or an isotope (133Cs, Cs-133); common choices: {examples}"
    )


@lru_cache(maxsize=256)
def make_target(name: str) -> Target:
    """Build a :class:`Target` from an element, formula, element name or isotope.

    >>> t = make_target("CsI")
    >>> [i.label for i in t.isotopes], round(t.molar_mass_g_per_mol, 2)
    (['133Cs', '127I'], 259.81)
    >>> make_target("40Ar").isotopes[0].N
    22
    """
    if not isinstance(name, str) or not name.strip():
        raise UnknownTargetError(_help_text(str(name)))
    text = name.strip()
    by_name = {el.name: el for el in periodictable.elements if el.number > 0}
    if text.lower() in by_name:
        text = by_name[text.lower()].symbol
    single = _parse_isotope(text)
    if single is not None:
        element, mass_number = single
        iso = _isotope(element, mass_number)
        return Target(iso.label, (iso,), (1.0,), element[mass_number].mass)
    try:
        formula = periodictable.formula(text)
    except Exception as exc:  # periodictable raises ValueError or a pyparsing error
        raise UnknownTargetError(_help_text(name)) from exc
    atoms = formula.atoms
    if not atoms or any(getattr(el, "number", 0) == 0 for el in atoms):
        raise UnknownTargetError(_help_text(name))
    isotopes, counts, molar_mass = [], [], 0.0
    for element, count in atoms.items():
        for iso, fraction in _natural_isotopes(element):
            isotopes.append(iso)
            counts.append(count * fraction)
            molar_mass += count * fraction * element[iso.A].mass
    return Target(text, tuple(isotopes), tuple(counts), molar_mass)
