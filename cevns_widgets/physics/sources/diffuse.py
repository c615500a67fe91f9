"""Neutrinos from everywhere: the atmosphere and all past supernovae.

Two isotropic, steady components with unit-normalised spectra and a total flux at the Earth,
as used for the neutrino fog by C. A. J. O'Hare, PRL 127 (2021) 251802 (arXiv:2109.03116;
flux values from its published code, github.com/cajohare/NeutrinoFog, ``src/Params.py``):

* atmospheric neutrinos (all flavours, 13 MeV to 10 GeV; the FLUKA calculation of
  G. Battistoni et al., Astropart. Phys. 23 (2005) 526, at a mid-latitude site):
  10.7 cm^-2 s^-1, +-25 %. The low-energy atmospheric flux also depends on the site's
  geomagnetic latitude and the solar cycle, within that uncertainty.
* the diffuse supernova neutrino background (DSNB: all flavours, up to 91 MeV; the
  spectrum of the cosmic history of core collapses, S. Horiuchi, J. F. Beacom and
  E. Dwek, PRD 79 (2009) 083013): 85.7 cm^-2 s^-1, +-50 %.

Above ~20 keVnr in xenon these are the only CEvNS backgrounds left: they set the fog for
heavy WIMPs. The fluence is the flux times the live time.
"""

from __future__ import annotations

from functools import cache

from .base import NeutrinoSource
from .solar import SECONDS_PER_DAY, tabulated_spectrum

COMPONENTS = ("dsnb", "atmospheric")
COMPONENT_LABELS = {"dsnb": "DSNB", "atmospheric": "atmospheric"}
#: Flux at the Earth (cm^-2 s^-1) and fractional 1-sigma uncertainty (O'Hare 2021).
FLUXES = {"dsnb": (85.7, 0.50), "atmospheric": (10.7, 0.25)}
_TABLE_FILES = {"dsnb": "sky_dsnb_spectrum.txt", "atmospheric": "sky_atmospheric_spectrum.txt"}


@cache
def component_spectra() -> dict:
    """Unit-normalised spectra of the two components."""
    return {name: tabulated_spectrum(_TABLE_FILES[name]) for name in COMPONENTS}


def component_uncertainties() -> dict[str, float]:
    """Fractional 1-sigma flux uncertainty per component."""
    return {name: FLUXES[name][1] for name in COMPONENTS}


def fluence_per_cm2(live_days: float) -> dict[str, float]:
    """Neutrinos per cm^2 of each component over ``live_days``."""
    seconds = float(live_days) * SECONDS_PER_DAY
    return {name: FLUXES[name][0] * seconds for name in COMPONENTS}


#: Atmospheric and diffuse supernova neutrinos as a :class:`~.base.NeutrinoSource`.
SOURCE = NeutrinoSource(
    name="diffuse",
    label="atmospheric and diffuse supernova (DSNB) neutrinos",
    components=COMPONENTS,
    component_labels=COMPONENT_LABELS,
    component_lepton=dict.fromkeys(COMPONENTS, "x"),
    spectrum_fields=(),
    exposure_fields=("live_days",),
    spectra=component_spectra,
    fluence=lambda scenario: fluence_per_cm2(scenario.live_days),
    distance_spread_m=0.0,
    flux_uncertainty=0.25,
    flux_uncertainty_basis=(
        "flux normalisations as in O'Hare 2021: atmospheric 25 %, DSNB 50 %, combined in "
        "quadrature weighted by each component's events"
    ),
    own_fields=("live_days",),
    component_uncertainties=lambda scenario: component_uncertainties(),
    uses_distance_m=False,
    # Sub-grids for the DSNB and the coherent part of the atmospheric spectrum: the grid
    # of the 10 GeV endpoint alone would leave keV recoils a few points.
    grid_energies_MeV=(30.0, 100.0, 300.0),
)
