"""Small conversions the controls and figures need: threshold units, slider ranges, rounding.

A threshold in keVnr, keVee or PE is mapped through the mean response of the target's heaviest
element, the same convention as :func:`cevns_widgets.physics.rates.convert_threshold` (for CsI:
through Cs). The maps are monotone by construction, so they invert by interpolation.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from ..physics.rates import PhysicsParams, recoil_spectra
from ..physics.response import Response
from ..physics.sources import get_source
from ..scenario import Scenario

UNIT_LABELS = {"keVnr": "keVnr", "keVee": "keVee", "PE": "PE"}
#: Slider step in each threshold unit.
UNIT_STEPS = {"keVnr": 0.1, "keVee": 0.01, "PE": 0.5}
#: Finer steps where every signal is sub-keV (a reactor): 5 eVee, 10 eVnr.
FINE_UNIT_STEPS = {"keVnr": 0.01, "keVee": 0.005, "PE": 0.5}
#: A detector whose largest signal in the unit is below this uses the fine steps.
FINE_BELOW = {"keVnr": 10.0, "keVee": 2.0, "PE": 0.0}


def unit_step(scenario: Scenario, unit: str) -> float:
    """The threshold slider's step in ``unit``: eVee-friendly (0.005 keVee) when the largest
    possible signal is a few keV or less, as for germanium at a reactor."""
    if unit_max(scenario, unit) < FINE_BELOW[unit]:
        return FINE_UNIT_STEPS[unit]
    return UNIT_STEPS[unit]


def round_sig(value: float, digits: int = 3) -> float:
    """``value`` rounded to ``digits`` significant figures (0 stays 0)."""
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, digits - 1 - int(math.floor(math.log10(abs(value)))))


def available_units(scenario: Scenario) -> list[str]:
    """Threshold units this detector can be asked about: keVnr always, keVee with quenching,
    PE with a light yield."""
    units = ["keVnr"]
    if scenario.quenching != "none":
        units.append("keVee")
    if scenario.light_yield_PE_per_keVee is not None:
        units.append("PE")
    return units


@lru_cache(maxsize=128)
def _unit_map(
    target: str, physics: PhysicsParams, response: Response, unit: str, source: tuple | None
):
    """(T grid in keVnr, monotone mean value in ``unit`` on it) for the heaviest element, and
    the largest value over all elements (the top of a slider). ``source`` is (name, spectrum
    key): the recoil grid ends at the largest recoil that source can give."""
    rs = (
        recoil_spectra(target, physics, None)
        if source is None
        else recoil_spectra(target, physics, None, source)
    )
    T = rs.T_keV
    if unit == "keVnr":
        return T, T, float(T[-1])
    per_element = []
    for z, a in zip(rs.element_Z, rs.element_A, strict=True):
        e_ee = response.electron_equivalent_keV(T, z, a) if response.quenching != "none" else T
        if unit == "PE":
            e_ee = e_ee * (response.light_yield_PE_per_keVee or 1.0)
        per_element.append(np.maximum.accumulate(np.maximum(e_ee, 0.0)))
    top = float(max(v[-1] for v in per_element))
    return T, per_element[-1], top


def source_key(scenario: Scenario) -> tuple | None:
    """(name, spectrum key) of the scenario's source for the rate fold; None for the SNS."""
    if scenario.source == "sns":
        return None  # the fold's default: shares the cache with the SNS stages
    src = get_source(scenario.source)
    return (src.name, src.spectrum_key(scenario))


def _map_for(scenario: Scenario, unit: str):
    physics = scenario.physics
    return _unit_map(scenario.target, physics, scenario.response, unit, source_key(scenario))


def convert(value: float, from_unit: str, to_unit: str, scenario: Scenario) -> float:
    """Express ``value`` (in ``from_unit``) in ``to_unit`` for this scenario's detector."""
    if from_unit == to_unit:
        return float(value)
    T, a, _ = _map_for(scenario, from_unit)
    t = float(np.interp(value, a, T))
    T, b, _ = _map_for(scenario, to_unit)
    return float(np.interp(t, T, b))


def threshold_keVnr(scenario: Scenario) -> float:
    """The scenario's threshold as a nuclear recoil energy (keVnr)."""
    return convert(scenario.threshold, scenario.threshold_unit, "keVnr", scenario)


def unit_max(scenario: Scenario, unit: str) -> float:
    """The largest mean signal any recoil of this target can give, in ``unit``."""
    return _map_for(scenario, unit)[2]


def nice_ceiling(value: float) -> float:
    """Round up to a tidy slider end: 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of
    ten (never more than 25% above ``value``)."""
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for m in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        candidate = m * 10**exponent
        if candidate >= value * (1 - 1e-12):
            return float(candidate)
    return float(10 ** (exponent + 1))  # pragma: no cover


def heaviest_element(target: str) -> tuple[float, float]:
    """(Z, mean A) of the target's heaviest element, the convention thresholds convert
    through (:func:`cevns_widgets.physics.rates.convert_threshold`)."""
    rs = recoil_spectra(target, PhysicsParams(), None)
    return float(rs.element_Z[-1]), float(rs.element_A[-1])


def standard_lindhard_k(target: str) -> float:
    """Lindhard's standard k = 0.133 Z^(2/3) A^(-1/2) of the heaviest element (Ge: 0.157)."""
    from ..physics.response import lindhard_k

    return float(lindhard_k(*heaviest_element(target)))
