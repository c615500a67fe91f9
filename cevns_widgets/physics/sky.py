"""The neutrino background of a dark-matter detector: CEvNS of solar, atmospheric and
diffuse-supernova neutrinos per tonne-year, component by component.

The recoil spectra come from the same rate fold as every other source
(:func:`~.rates.recoil_spectra`, SM cross section with the Helm form factor by default),
times each component's fluence over one year, times 1000 kg. These are the backgrounds
whose flux uncertainties make the neutrino fog (O'Hare, PRL 127 (2021) 251802).
"""

from __future__ import annotations

import numpy as np

from .rates import PhysicsParams, recoil_spectra
from .sources import diffuse, solar

#: One year (Julian), in days, and one tonne in kg: the unit exposure.
DAYS_PER_YEAR = 365.25
KG_PER_TONNE = 1000.0


def neutrino_background_spectra(
    target: str,
    recoil_keV,
    solar_model: str = "b16-gs98",
    physics: PhysicsParams | None = None,
) -> dict[str, np.ndarray]:
    """Events per tonne-year per keVnr at ``recoil_keV``, per component: the solar ones
    (pp, 7Be lines, CNO, pep, 8B, hep) and the diffuse ones (DSNB, atmospheric).

    >>> rates = neutrino_background_spectra("Xe", [1.0, 2.0])
    >>> bool(rates["8B"][0] > rates["8B"][1] > rates["hep"][1] > 0)
    True
    """
    physics = PhysicsParams() if physics is None else physics
    T = np.asarray(recoil_keV, dtype=float)
    out: dict[str, np.ndarray] = {}
    exposures = (
        (("solar", (solar_model,)), solar.fluence_per_cm2(DAYS_PER_YEAR, solar_model)),
        (("diffuse", ()), diffuse.fluence_per_cm2(DAYS_PER_YEAR)),
    )
    for source, fluence in exposures:
        rs = recoil_spectra(target, physics, None, source)
        for name, per_kg in rs.by_flavor.items():
            density = per_kg.sum(axis=0) * fluence[name] * KG_PER_TONNE
            out[name] = np.interp(T, rs.T_keV, density, left=density[0], right=0.0)
    return out


def neutrino_background_uncertainties(solar_model: str = "b16-gs98") -> dict[str, float]:
    """Fractional 1-sigma flux uncertainty of each component of
    :func:`neutrino_background_spectra`."""
    return {**solar.component_uncertainties(solar_model), **diffuse.component_uncertainties()}
