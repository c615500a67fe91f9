"""The Sun as a steady source of neutrinos at the Earth, 1 AU away.

Every component has a unit-normalised energy spectrum :math:`f_i(E)` and a flux
:math:`\\Phi_i` at the Earth from a standard solar model; a detector running for a live time t
sees the fluence :math:`\\Phi_i\\,t` of each (the 3.3 % annual modulation of the Earth-Sun
distance averages out over whole years and is neglected). CEvNS is flavour-blind at tree
level, so the oscillation of solar electron neutrinos into muon and tau neutrinos on the way
changes nothing: the fluxes here are the total fluxes the Sun emits.

Fluxes (cm^-2 s^-1) and their 1-sigma fractional uncertainties, from the Barcelona 2016
standard solar models (N. Vinyoles et al., ApJ 835 (2017) 202, arXiv:1611.09867, Table 6):

============  ===================  ====================
component     B16-GS98             B16-AGSS09met
============  ===================  ====================
pp            5.98e10 (0.6 %)      6.03e10 (0.5 %)
pep (line)    1.44e8  (1 %)        1.46e8  (0.9 %)
hep           7.98e3  (30 %)       8.25e3  (30 %)
7Be (total)   4.93e9  (6 %)        4.50e9  (6 %)
8B            5.46e6  (12 %)       4.50e6  (12 %)
13N           2.78e8  (15 %)       2.04e8  (14 %)
15O           2.05e8  (17 %)       1.44e8  (16 %)
17F           5.29e6  (20 %)       3.26e6  (18 %)
============  ===================  ====================

Model ``ohare-2021`` is B16-GS98 with the measured 8B flux of a global fit, 5.16e6 +- 2 %
(Bergstrom et al., JHEP 03 (2016) 132), the choice of O'Hare's neutrino-fog paper.

GS98 (Grevesse and Sauval 1998) and AGSS09met (Asplund et al. 2009) are the high- and
low-metallicity solar compositions; 8B differs by 20 % between them, more than its 12 %
model uncertainty ("the solar abundance problem"). The 7Be flux splits into lines at
0.8613 MeV (89.56 %) and 0.3843 MeV (10.44 %), the branching of 7Be electron capture to the
ground and first excited states of 7Li; pep is a line at 1.442 MeV.

Spectrum shapes: the normalised tables of C. A. J. O'Hare, PRL 127 (2021) 251802 (shipped
in ``cevns_widgets/data``, see its README). Only 8B and hep give xenon recoils above
~0.01 keVnr; the rest matter for light targets and eV thresholds.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from .base import NeutrinoSource
from .spectrum import LineSpectrum, TabulatedSpectrum

#: Solar models; the first is the default.
SOLAR_MODELS = ("b16-gs98", "b16-agss09met", "ohare-2021")
SOLAR_MODEL_LABELS = {
    "b16-gs98": "B16-GS98 (high metallicity; Vinyoles et al. 2017)",
    "b16-agss09met": "B16-AGSS09met (low metallicity; Vinyoles et al. 2017)",
    "ohare-2021": "B16-GS98 with the measured 8B flux, 5.16e6 ± 2 % (as in O'Hare 2021)",
}

#: Components in order of neutrino energy reach (the display order).
COMPONENTS = ("pp", "7Be_384", "7Be_861", "13N", "15O", "17F", "pep", "8B", "hep")
COMPONENT_LABELS = {
    "pp": "pp",
    "7Be_384": "⁷Be (384 keV)",
    "7Be_861": "⁷Be (861 keV)",
    "13N": "¹³N",
    "15O": "¹⁵O",
    "17F": "¹⁷F",
    "pep": "pep",
    "8B": "⁸B",
    "hep": "hep",
}

#: (flux in cm^-2 s^-1, fractional 1-sigma uncertainty) per model; 7Be is the total of both
#: lines (Vinyoles et al. 2017, Table 6).
FLUXES = {
    "b16-gs98": {
        "pp": (5.98e10, 0.006),
        "pep": (1.44e8, 0.01),
        "hep": (7.98e3, 0.30),
        "7Be": (4.93e9, 0.06),
        "8B": (5.46e6, 0.12),
        "13N": (2.78e8, 0.15),
        "15O": (2.05e8, 0.17),
        "17F": (5.29e6, 0.20),
    },
    "b16-agss09met": {
        "pp": (6.03e10, 0.005),
        "pep": (1.46e8, 0.009),
        "hep": (8.25e3, 0.30),
        "7Be": (4.50e9, 0.06),
        "8B": (4.50e6, 0.12),
        "13N": (2.04e8, 0.14),
        "15O": (1.44e8, 0.16),
        "17F": (3.26e6, 0.18),
    },
}
#: The inputs of O'Hare's neutrino fog (PRL 127 (2021) 251802): B16-GS98, but 8B from the
#: global fit of solar-neutrino data (J. Bergstrom et al., JHEP 03 (2016) 132: 5.16e6
#: cm^-2 s^-1 +- 2 %), which SNO and Super-Kamiokande measure directly.
FLUXES["ohare-2021"] = {**FLUXES["b16-gs98"], "8B": (5.16e6, 0.02)}

#: 7Be electron capture: line energies (MeV) and branching fractions (ground state of 7Li,
#: first excited state at 478 keV).
BE7_LINES = {"7Be_861": (0.8613, 0.8956), "7Be_384": (0.3843, 0.1044)}
#: pep line energy, MeV.
PEP_ENERGY_MeV = 1.442

_TABLE_FILES = {
    "pp": "solar_pp_spectrum.txt",
    "13N": "solar_13N_spectrum.txt",
    "15O": "solar_15O_spectrum.txt",
    "17F": "solar_17F_spectrum.txt",
    "8B": "solar_8B_spectrum.txt",
    "hep": "solar_hep_spectrum.txt",
}

SECONDS_PER_DAY = 86400.0


def _check_model(model: str) -> str:
    if model not in SOLAR_MODELS:
        raise ValueError(f"solar_model must be one of {', '.join(SOLAR_MODELS)}; got {model!r}")
    return model


@cache
def tabulated_spectrum(file_name: str) -> TabulatedSpectrum:
    """A shipped two-column table (E in MeV, per MeV), renormalised to one neutrino (the
    tables integrate to 1 within 0.3 %)."""
    from ...datasets import data_file

    with data_file(file_name).open() as handle:
        table = np.loadtxt(handle, delimiter=",", comments="#")
    return TabulatedSpectrum.normalised(table[:, 0], table[:, 1])


def component_fluxes(model: str = "b16-gs98") -> dict[str, float]:
    """Flux of each component at the Earth, cm^-2 s^-1 (7Be split into its two lines)."""
    table = FLUXES[_check_model(model)]
    out = {}
    for name in COMPONENTS:
        if name in BE7_LINES:
            out[name] = table["7Be"][0] * BE7_LINES[name][1]
        else:
            out[name] = table[name][0]
    return out


def component_uncertainties(model: str = "b16-gs98") -> dict[str, float]:
    """Fractional 1-sigma flux uncertainty of each component (both 7Be lines share 7Be's)."""
    table = FLUXES[_check_model(model)]
    return {n: table["7Be" if n in BE7_LINES else n][1] for n in COMPONENTS}


@cache
def component_spectra(model: str = "b16-gs98") -> dict:
    """Unit-normalised spectra per component (the shapes do not depend on the model)."""
    _check_model(model)
    out = {}
    for name in COMPONENTS:
        if name in BE7_LINES:
            out[name] = LineSpectrum(BE7_LINES[name][0])
        elif name == "pep":
            out[name] = LineSpectrum(PEP_ENERGY_MeV)
        else:
            out[name] = tabulated_spectrum(_TABLE_FILES[name])
    return out


def fluence_per_cm2(live_days: float, model: str = "b16-gs98") -> dict[str, float]:
    """Neutrinos per cm^2 of each component over ``live_days`` of running."""
    seconds = float(live_days) * SECONDS_PER_DAY
    return {name: flux * seconds for name, flux in component_fluxes(model).items()}


def _fluence_of(scenario) -> dict:
    return fluence_per_cm2(scenario.live_days, scenario.solar_model)


def _uncertainties_of(scenario) -> dict:
    return component_uncertainties(scenario.solar_model)


#: The Sun as a :class:`~.base.NeutrinoSource`.
SOURCE = NeutrinoSource(
    name="solar",
    label="the Sun (solar neutrinos)",
    components=COMPONENTS,
    component_labels=COMPONENT_LABELS,
    component_lepton=dict.fromkeys(COMPONENTS, "x"),
    spectrum_fields=("solar_model",),
    exposure_fields=("live_days", "solar_model"),
    spectra=component_spectra,
    fluence=_fluence_of,
    distance_spread_m=0.0,
    flux_uncertainty=0.12,
    flux_uncertainty_basis=(
        "solar-model flux uncertainties per component (Vinyoles et al. 2017: 8B 12 %, "
        "hep 30 %, pp 0.6 %, ...), combined in quadrature weighted by each component's events"
    ),
    own_fields=("live_days", "solar_model"),
    component_uncertainties=_uncertainties_of,
    uses_distance_m=False,
    grid_energies_MeV=(0.42, 1.44, 16.4),
)
