"""Target nuclei: elements, compounds and single isotopes, from ``periodictable``.

A target is a list of isotopes with the number of nuclei of each per formula unit
(natural abundances, CIAAW via periodictable) and its molar mass. Nuclear masses are
atomic masses (AME via periodictable) less the electrons: M = m_atom u - Z m_e
(electron binding energies, < 0.1 MeV, are neglected).

Names :func:`make_target` accepts (one reading each, so no name gives a wrong answer):

* an element symbol or name: ``Ge``, ``argon`` (natural isotopic composition);
* an isotope, mass number first or after a hyphen: ``133Cs``, ``Cs-133``, ``2H``,
  ``H-2``, or the hydrogen-isotope symbols ``D`` (deuterium) and ``T`` (tritium);
* a chemical formula, which always means a molecule or crystal of natural elements:
  ``CsI``, ``H2`` (hydrogen gas, *not* deuterium), ``C3F8``, ``Ca(OH)2``; ``D`` and ``T``
  may appear in formulas (``D2O``, ``HDO``, ``CD4``, ``T2O``). Counts are positive
  integers or decimals (``Si0.7Ge0.3`` for an alloy or non-stoichiometric crystal).

Refused, with a one-line message: a zero or negative count (``Cs0``, ``CsI0``), an element
written twice (``H2O2O``: write ``H2O3``), unknown or lower-case symbols, the neutron
``n`` (Z = 0), and a lone element whose count is one of its own mass numbers, from 3 up
(``Cs133``, ``Ar40``, ``H3``): the old "symbol + mass number" isotope spelling, which
now has to be written ``133Cs`` / ``Cs-133`` (or ``Cs`` for natural cesium).
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
)

#: Symbols of single hydrogen isotopes, usable alone or in formulas: symbol -> A.
HYDROGEN_ISOTOPE_SYMBOLS = {"D": 2, "T": 3}

#: Natural isotopic compositions (amount fractions), used only for an element for which
#: periodictable has no abundances (periodictable 2.1 has none for U). Values: CIAAW,
#: "Isotopic compositions of the elements 2013", J. Meija et al., Pure Appl. Chem. 88
#: (2016) 293, Table 1, as listed on https://www.ciaaw.org (uranium: 234U 0.000054(5),
#: 235U 0.007204(6), 238U 0.992742(10); thorium: 230Th 0.0002(2), 232Th 0.9998(2);
#: protactinium: 231Pa 1). These are the elements with a standard atomic weight whose
#: nuclides are all radioactive (Bi-209 periodictable has); Tc, Pm, Po, At, Rn, Fr, Ra,
#: Ac and the transuranics have no natural composition and must be given as isotopes.
NATURAL_ABUNDANCE_SUPPLEMENT = {
    "U": {234: 0.000054, 235: 0.007204, 238: 0.992742},
    "Th": {230: 0.0002, 232: 0.9998},
    "Pa": {231: 1.0},
}

#: Longest input quoted back in an error message.
_QUOTE_CHARS = 40

_TOKEN = re.compile(r"[A-Z][a-z]?|\d+(?:\.\d+)?|[()]|.", re.DOTALL)
_COUNT = re.compile(r"\d+(?:\.\d+)?")


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
    """The periodictable element (Z > 0) with this symbol, or None (also for D and T,
    which periodictable returns as isotopes)."""
    try:
        element = periodictable.elements.symbol(symbol)
    except ValueError:
        return None
    if not isinstance(element, periodictable.core.Element) or element.number == 0:
        return None
    return element


def _quote(name) -> str:
    """``repr`` of the input, cut to about 40 characters for error messages."""
    text = str(name)
    if len(text) > _QUOTE_CHARS:
        text = text[: _QUOTE_CHARS - 3] + "..."
    return repr(text)


def _refuse(name, reason: str, *, choices: bool = False) -> UnknownTargetError:
    """The one-line error for ``name``; ``choices`` adds what names are accepted."""
    if choices:
        return UnknownTargetError(_help_text(name, reason))
    return UnknownTargetError(f"target {_quote(name)}: {reason}")


def _parse_isotope(name: str):
    """(element, A) for an isotope name ``133Cs``, ``Cs-133``, ``D`` or ``T``, else None."""
    if name in HYDROGEN_ISOTOPE_SYMBOLS:
        return periodictable.H, HYDROGEN_ISOTOPE_SYMBOLS[name]
    for pattern in _ISOTOPE_PATTERNS:
        m = pattern.match(name)
        if not m:
            continue
        element = _element_by_symbol(m["sym"])
        if m["sym"] in HYDROGEN_ISOTOPE_SYMBOLS:
            raise _refuse(name, f"{m['sym']} already names one isotope: write {m['sym']} or 2H/3H")
        if element is None:
            raise _refuse(name, f"{m['sym']!r} is not an element symbol", choices=True)
        mass_number = int(m["A"])
        if mass_number in element.isotopes and mass_number >= element.number:
            return element, mass_number
        lo, hi = min(element.isotopes), max(element.isotopes)
        raise _refuse(
            name, f"{element.symbol} has no isotope with A = {mass_number}; known A: {lo} to {hi}"
        )
    return None


def _natural_isotopes(element) -> list[tuple[Isotope, float]]:
    """Isotopes of the natural element and their amount fractions (periodictable, else
    :data:`NATURAL_ABUNDANCE_SUPPLEMENT`)."""
    present = [(a, element[a].abundance / 100.0) for a in element.isotopes]
    present = [(a, f) for a, f in present if f > 0]
    if not present:
        present = list(NATURAL_ABUNDANCE_SUPPLEMENT.get(element.symbol, {}).items())
    if not present:
        raise UnknownTargetError(
            f"{element.symbol} has no natural isotopic composition; give one isotope, e.g. "
            f"'{element.isotopes[len(element.isotopes) // 2]}{element.symbol}'"
        )
    total = sum(f for _, f in present)
    return [(_isotope(element, a), f / total) for a, f in present]


def _help_text(name, reason: str = "") -> str:
    examples = ", ".join(COMMON_TARGETS)
    return (
        f"unknown target {_quote(name)}: {reason + '; ' if reason else ''}"
        "give an element symbol or name (Ge, argon), a formula "
        f"(CsI, H2O, D2O) or an isotope (133Cs, Cs-133, D); common choices: {examples}"
    )


def _format_count(count: float) -> str:
    return "" if count == 1 else f"{count:g}"


def _parse_formula(name: str, text: str) -> dict[str, float]:
    """Species symbol (element, D or T) -> count per formula unit, in order of appearance.

    Grammar: ``formula := item+``, ``item := (Symbol | "(" formula ")") count?``, with a
    count a positive integer or decimal. Each species may be written only once.
    """
    tokens = _TOKEN.findall(text)
    position = 0
    seen: list[str] = []

    def group(depth: int) -> dict[str, float]:
        nonlocal position
        counts: dict[str, float] = {}
        while position < len(tokens):
            token = tokens[position]
            if token == ")":
                if depth == 0:
                    raise _refuse(name, "a ')' without its '('")
                break
            position += 1
            if token == "(":
                inner = group(depth + 1)
                if position >= len(tokens):
                    raise _refuse(name, "a '(' without its ')'")
                position += 1  # the ")"
                if not inner:
                    raise _refuse(name, "empty parentheses")
            elif token[0].isupper():
                if token not in HYDROGEN_ISOTOPE_SYMBOLS and _element_by_symbol(token) is None:
                    raise _refuse(name, f"{token!r} is not an element symbol", choices=True)
                seen.append(token)
                inner = {token: 1.0}
            elif _COUNT.fullmatch(token):
                raise _refuse(name, f"the count {token} follows no element")
            elif token == "-" and position < len(tokens) and _COUNT.fullmatch(tokens[position]):
                raise _refuse(
                    name, "counts must be positive; a '-' belongs only in an isotope (Cs-133)"
                )
            else:
                raise _refuse(name, f"unexpected {token!r} in a formula", choices=True)
            multiplier = 1.0
            if position < len(tokens) and _COUNT.fullmatch(tokens[position]):
                count_text = tokens[position]
                position += 1
                if re.match(r"0\d", count_text):
                    raise _refuse(name, f"count {count_text} has a leading zero")
                multiplier = float(count_text)
                if multiplier <= 0:
                    raise _refuse(name, f"count {count_text}: counts must be positive")
            for species, count in inner.items():
                counts[species] = counts.get(species, 0.0) + count * multiplier
        return counts

    counts = group(0)
    repeated = sorted({s for s in seen if seen.count(s) > 1}, key=seen.index)
    if repeated:
        summed = "".join(f"{s}{_format_count(c)}" for s, c in counts.items())
        raise _refuse(
            name, f"{', '.join(repeated)} written twice; write each element once, e.g. {summed!r}"
        )
    return counts


def make_target(name: str) -> Target:
    """Build a :class:`Target` from an element, formula, element name or isotope (see the
    module docstring for the accepted names); raises :class:`UnknownTargetError`.

    >>> t = make_target("CsI")
    >>> [i.label for i in t.isotopes], round(t.molar_mass_g_per_mol, 2)
    (['133Cs', '127I'], 259.81)
    >>> make_target("40Ar").isotopes[0].N
    22
    >>> round(make_target("D2O").molar_mass_g_per_mol, 2)
    20.03
    """
    if not isinstance(name, str):
        raise UnknownTargetError(f"a target name must be a string, got {type(name).__name__}")
    return _make_target(name)


#: A trailing parenthesised element without a count: the usual dopant notation.
_DOPANT = re.compile(r"(?P<host>.+?)(?:\((?P<dopant>[A-Z][a-z]?)\)|\[(?P<dopant2>[A-Z][a-z]?)\])")

_ELEMENT_NAMES = {el.name: el.symbol for el in periodictable.elements if el.number > 0}
_ELEMENT_NAMES.update(deuterium="D", tritium="T")


@lru_cache(maxsize=256)
def _make_target(name: str) -> Target:
    text = name.strip()
    if not text:
        raise UnknownTargetError(_help_text(name))
    text = _ELEMENT_NAMES.get(text.lower(), text)
    single = _parse_isotope(text)
    if single is not None:
        element, mass_number = single
        iso = _isotope(element, mass_number)
        return Target(iso.label, (iso,), (1.0,), element[mass_number].mass)
    if not text[0].isupper() and text[0] != "(":
        raise UnknownTargetError(_help_text(name))
    doped = _DOPANT.fullmatch(text)
    if doped:
        # "NaI(Tl)" is a crystal with a trace of thallium, not the molecule NaITl.
        raise _refuse(
            name,
            f"reads as a doped crystal: the {doped['dopant'] or doped['dopant2']} dopant is a "
            "trace that does "
            f"not change the rate; give the host crystal, {doped['host']!r}",
        )
    counts = _parse_formula(name, text)
    if len(counts) == 1:
        ((symbol, count),) = counts.items()
        element = _element_by_symbol(symbol)
        if (
            element is not None
            and re.fullmatch(r"[A-Z][a-z]?\d+", text)
            and count >= 3
            and int(count) in element.isotopes
        ):
            raise _refuse(
                name,
                f"ambiguous: write the isotope as {int(count)}{symbol} or {symbol}-{int(count)}, "
                f"or natural {element.name} as {symbol}",
            )
    # Accumulate nuclei per formula unit by isotope (HDO: the 2H of H and of D together).
    per_unit: dict[tuple[int, int], list] = {}
    for symbol, count in counts.items():
        if symbol in HYDROGEN_ISOTOPE_SYMBOLS:
            pairs = [(_isotope(periodictable.H, HYDROGEN_ISOTOPE_SYMBOLS[symbol]), 1.0)]
        else:
            pairs = _natural_isotopes(_element_by_symbol(symbol))
        for iso, fraction in pairs:
            entry = per_unit.setdefault((iso.Z, iso.A), [iso, 0.0])
            entry[1] += count * fraction
    isotopes = tuple(iso for iso, _ in per_unit.values())
    numbers = tuple(n for _, n in per_unit.values())
    molar_mass = sum(n * periodictable.elements[i.Z][i.A].mass for i, n in per_unit.values())
    return Target(text, isotopes, numbers, molar_mass)
