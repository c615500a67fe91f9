"""A core-collapse supernova as a burst of neutrinos of every flavour.

When the iron core of a massive star collapses to a neutron star, almost all of the binding
energy, about 3e53 erg, leaves as neutrinos and antineutrinos of all six flavours in about
ten seconds (REFERENCE.md sec. 11). A detector integrates over the whole burst, so this
source gives the *time-integrated* spectrum of each flavour (a pinched Fermi-Dirac, the
"alpha fit") and the number of neutrinos that cross each cm^2 at the Earth.

Spectrum of one flavour, normalised to one neutrino (M. Th. Keil, G. G. Raffelt and
H.-Th. Janka, ApJ 590 (2003) 971, arXiv:astro-ph/0208035; I. Tamborra et al., PRD 86 (2012)
125031, arXiv:1211.3920, eq. 1):

.. math::

    f(E) = \\frac{(\\alpha+1)^{\\alpha+1}}{\\Gamma(\\alpha+1)}
           \\frac{E^{\\alpha}}{\\langle E\\rangle^{\\alpha+1}}
           \\exp\\!\\left[-(\\alpha+1)\\frac{E}{\\langle E\\rangle}\\right],

a gamma distribution of shape :math:`\\alpha+1` with mean :math:`\\langle E\\rangle` and
:math:`\\langle E^2\\rangle/\\langle E\\rangle^2 = (\\alpha+2)/(\\alpha+1)`. The pinching
parameter :math:`\\alpha` sets the width: :math:`\\alpha = 2` is a Maxwell-Boltzmann
spectrum, :math:`\\alpha = 2.30` a Fermi-Dirac spectrum with zero chemical potential (Tamborra
et al. 2012), and larger :math:`\\alpha` a narrower ("pinched") one.

A flavour that carries the energy :math:`\\mathcal{E}` emits :math:`N = \\mathcal{E} /
\\langle E\\rangle` neutrinos, and at a distance d the fluence is exactly

.. math::

    \\Phi = \\frac{N}{4\\pi d^2}

(isotropic emission, no absorption). Components: ``nue``, ``nuebar`` and ``nux``, the four
heavy flavours (nu_mu, anti-nu_mu, nu_tau, anti-nu_tau) together, which share one spectrum
at emission, so ``nux`` carries 4 times one heavy flavour's neutrinos. Flavours convert
into each other in the star and on the way (MSW and collective effects), but CEvNS is
flavour-blind at tree level, so the total that reaches a detector is what the star emits
and every component is marked lepton ``"x"``: standard couplings, no NSI.

Defaults (this module's benchmark; each can be changed):

* Mean energies 12, 14, 16 MeV for nu_e, anti-nu_e, nu_x: the hierarchy
  :math:`\\langle E_{\\nu_e}\\rangle < \\langle E_{\\bar\\nu_e}\\rangle < \\langle
  E_{\\nu_x}\\rangle` of simulations, inside the ranges 10-12, 13-15 and 14-18 MeV of
  REFERENCE.md sec. 11 (after Keil, Raffelt and Janka 2003). Their Monte Carlo finds the
  heavy-flavour mean energy only ~10 % above the anti-nu_e one, and 16/14 = 1.14.
* Pinching :math:`\\alpha = 3` for all three: a pinched spectrum, as Keil, Raffelt and Janka
  always find (:math:`\\alpha > 2.30`). The preprint's abstract (astro-ph/0208035v1) describes
  the nu_mu spectra as Fermi-Dirac with an effective degeneracy parameter 1-2, which has the
  width of :math:`\\alpha` = 2.64-3.19 (matching :math:`\\langle E^2\\rangle/\\langle
  E\\rangle^2`, computed here).
* 5e52 erg per flavour: 3e53 erg shared equally by the six (equipartition), REFERENCE.md
  sec. 11. Keil, Raffelt and Janka find flavour luminosities that differ by up to a factor
  of two either way, so :data:`DEFAULT_FLAVOUR_ENERGIES_erg` is a knob of its own.
* 10 kpc, the conventional distance of a galactic supernova (the Galactic Centre is at
  8.2 kpc, :data:`NAMED_DISTANCES_kpc`).

With them, 1.26e58 neutrinos leave the star, and at 10 kpc 1.06e12 cross each cm^2
(2.2e11 nu_e, 1.9e11 anti-nu_e, 6.5e11 nu_x).

Not modelled: the time structure of the burst (neutronisation peak, accretion, cooling),
any dependence on the progenitor or the equation of state beyond these six numbers, and
flavour conversion, which does not change CEvNS rates.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from scipy import constants as _sc
from scipy import special, stats

from .base import NeutrinoSource
from .spectrum import TabulatedSpectrum

#: Component keys, in display order and in the order of every 3-tuple below.
COMPONENTS = ("nue", "nuebar", "nux")
#: Human labels of the components.
COMPONENT_LABELS = {
    "nue": "νe",
    "nuebar": "ν̄e",
    "nux": "νx (νμ, ν̄μ, ντ, ν̄τ)",
}
#: Flavours in each component: ``nux`` is the four heavy flavours with one spectrum.
FLAVOURS_PER_COMPONENT = {"nue": 1, "nuebar": 1, "nux": 4}

#: Distance of the default supernova (kpc): the conventional "galactic supernova at 10 kpc".
DEFAULT_DISTANCE_kpc = 10.0
#: Mean energies <E> of nu_e, anti-nu_e, nu_x (MeV); see the module docstring.
DEFAULT_MEAN_ENERGIES_MeV = (12.0, 14.0, 16.0)
#: Pinching parameters alpha of nu_e, anti-nu_e, nu_x; see the module docstring.
DEFAULT_PINCHING = (3.0, 3.0, 3.0)
#: Total energy emitted in neutrinos (erg): about the neutron star's binding energy
#: (REFERENCE.md sec. 11).
TOTAL_ENERGY_erg = 3e53
#: Energy of nu_e, of anti-nu_e and of EACH heavy flavour (erg): equipartition of
#: TOTAL_ENERGY_erg over the six flavours.
DEFAULT_FLAVOUR_ENERGIES_erg = (TOTAL_ENERGY_erg / 6,) * 3

#: Allowed ranges (inclusive) of the inputs.
DISTANCE_RANGE_kpc = (1e-3, 1e4)
MEAN_ENERGY_RANGE_MeV = (3.0, 40.0)
PINCHING_RANGE = (0.5, 6.0)
FLAVOUR_ENERGY_RANGE_erg = (1e50, 1e54)

#: Duration of the burst (s), for display only (the rate is time-integrated): the SN 1987A
#: events of Kamiokande-II spread over about 12 s (K. Hirata et al., PRL 58 (1987) 1490),
#: and models emit most of the energy within ~10 s.
BURST_DURATION_s = 10.0

#: Distances (kpc) of places where a supernova could be watched, for teaching:
#:
#: * Betelgeuse, a red supergiant: 168 (+27 -15) pc, M. Joyce et al., ApJ 902 (2020) 63.
#: * the Galactic Centre: R0 = 8178 +- 13 (stat) +- 22 (sys) pc, GRAVITY Collaboration,
#:   A&A 625 (2019) L10.
#: * the Large Magellanic Cloud, home of SN 1987A: 49.59 +- 0.09 (stat) +- 0.54 (sys) kpc,
#:   G. Pietrzynski et al., Nature 567 (2019) 200.
#: * the Andromeda galaxy (M31): 785 +- 25 kpc, A. W. McConnachie et al., MNRAS 356 (2005)
#:   979.
NAMED_DISTANCES_kpc = {
    "Betelgeuse": 0.168,
    "Galactic Centre": 8.178,
    "Large Magellanic Cloud (SN 1987A)": 49.59,
    "Andromeda (M31)": 785.0,
}

_MeV_PER_erg = 1e-7 / (_sc.electron_volt * 1e6)
_CM_PER_kpc = 1e3 * _sc.parsec * 100.0
#: The spectrum grid ends where the slowest-falling component has 1e-9 of its neutrinos left.
_TAIL_FRACTION = 1e-9
#: Points of the spectrum grid E = E_max u^2, u uniform in [0, 1]: dense at low E, where
#: E^alpha has its steepest relative change (a cusp for alpha < 1).
_GRID_POINTS = 2001


def _message(field: str, what: str, value) -> str:
    return f"{field} must be {what}; got {value!r}"


def _check_number(field: str, value, low: float, high: float, unit: str) -> float:
    what = f"a number in [{low:g}, {high:g}] {unit}".rstrip()
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(_message(field, what, value)) from None
    if not (math.isfinite(v) and low <= v <= high):
        raise ValueError(_message(field, what, value))
    return v


def _check_triple(field: str, values, low: float, high: float, unit: str) -> tuple:
    what = f"3 numbers (nue, nuebar, nux) each in [{low:g}, {high:g}] {unit}".rstrip()
    if isinstance(values, str | bytes):
        raise ValueError(_message(field, what, values))
    try:
        out = tuple(float(x) for x in values)
    except (TypeError, ValueError):
        raise ValueError(_message(field, what, values)) from None
    if len(out) != 3 or not all(math.isfinite(x) and low <= x <= high for x in out):
        raise ValueError(_message(field, what, values))
    return out


def check_distance_kpc(value) -> float:
    """``value`` as a float in :data:`DISTANCE_RANGE_kpc`, else a one-line ValueError.

    >>> check_distance_kpc(0)
    Traceback (most recent call last):
    ...
    ValueError: supernova_distance_kpc must be a number in [0.001, 10000] kpc; got 0
    """
    return _check_number("supernova_distance_kpc", value, *DISTANCE_RANGE_kpc, "kpc")


def check_mean_energies(values) -> tuple[float, float, float]:
    """Mean energies (nue, nuebar, nux) as 3 floats in :data:`MEAN_ENERGY_RANGE_MeV`.

    >>> check_mean_energies((12, 14))
    Traceback (most recent call last):
    ...
    ValueError: supernova_mean_energies_MeV must be 3 numbers (nue, nuebar, nux) each in [3, 40] MeV; got (12, 14)
    """  # noqa: E501
    return _check_triple("supernova_mean_energies_MeV", values, *MEAN_ENERGY_RANGE_MeV, "MeV")


def check_pinching(values) -> tuple[float, float, float]:
    """Pinching parameters alpha (nue, nuebar, nux) as 3 floats in :data:`PINCHING_RANGE`."""
    return _check_triple("supernova_pinching", values, *PINCHING_RANGE, "")


def check_flavour_energies(values) -> tuple[float, float, float]:
    """Energies of nue, of nuebar and of each heavy flavour (erg) as 3 floats in
    :data:`FLAVOUR_ENERGY_RANGE_erg`."""
    return _check_triple("supernova_flavour_energies_erg", values, *FLAVOUR_ENERGY_RANGE_erg, "erg")


def pinched_spectrum(energy_MeV, mean_energy_MeV: float, alpha: float) -> np.ndarray:
    r"""The alpha-fit spectrum per MeV, normalised to one neutrino:
    :math:`f(E) = \frac{(\alpha+1)^{\alpha+1}}{\Gamma(\alpha+1)}
    \frac{E^\alpha}{\langle E\rangle^{\alpha+1}} e^{-(\alpha+1)E/\langle E\rangle}`,
    zero for E <= 0.

    ``alpha`` = 2 is the Maxwell-Boltzmann spectrum :math:`\frac{27E^2}{2\langle
    E\rangle^3}e^{-3E/\langle E\rangle}`:

    >>> round(float(pinched_spectrum(10.0, 10.0, 2.0)), 6), round(13.5 * math.exp(-3) / 10, 6)
    (0.067213, 0.067213)
    """
    m = _check_number("mean_energy_MeV", mean_energy_MeV, 0.0, math.inf, "MeV")
    a = _check_number("alpha", alpha, 0.0, math.inf, "")
    if m <= 0.0:
        raise ValueError(_message("mean_energy_MeV", "a positive number", mean_energy_MeV))
    e = np.asarray(energy_MeV, dtype=float)
    k = a + 1.0
    positive = e > 0
    safe = np.where(positive, e, 1.0)
    log_f = k * math.log(k / m) - special.gammaln(k) + a * np.log(safe) - k * safe / m
    return np.where(positive, np.exp(log_f), 0.0)


def spectrum_end_MeV(mean_energies_MeV, pinching) -> float:
    """Upper end of the spectrum grid (MeV): where the slowest-falling component has 1e-9
    of its neutrinos left (the gamma distribution's tail), so the tabulated spectra miss
    nothing a detector could see. About 117 MeV with the defaults:

    >>> round(spectrum_end_MeV(DEFAULT_MEAN_ENERGIES_MeV, DEFAULT_PINCHING), 1)
    116.6
    """
    means = check_mean_energies(mean_energies_MeV)
    alphas = check_pinching(pinching)
    return float(
        max(
            stats.gamma.isf(_TAIL_FRACTION, a + 1.0, scale=m / (a + 1.0))
            for m, a in zip(means, alphas, strict=True)
        )
    )


@lru_cache(maxsize=64)
def _component_spectra(means: tuple, alphas: tuple) -> dict:
    e_max = spectrum_end_MeV(means, alphas)
    energies = e_max * np.linspace(0.0, 1.0, _GRID_POINTS) ** 2
    return {
        name: TabulatedSpectrum.normalised(energies, pinched_spectrum(energies, m, a))
        for name, m, a in zip(COMPONENTS, means, alphas, strict=True)
    }


def component_spectra(mean_energies_MeV, pinching) -> dict:
    """``{component: TabulatedSpectrum}``, each normalised to one neutrino, on one grid from
    0 to :func:`spectrum_end_MeV` (2001 points, quadratically spaced). The tabulated
    spectra integrate to 1 and have the requested mean energies to better than 1e-6.

    Cached (``functools.lru_cache``) on the validated inputs; ``cache_info`` and
    ``cache_clear`` are those of the cache.

    >>> s = component_spectra(DEFAULT_MEAN_ENERGIES_MeV, DEFAULT_PINCHING)
    >>> [round(s[c].total(), 9) for c in COMPONENTS]
    [1.0, 1.0, 1.0]
    """
    return _component_spectra(check_mean_energies(mean_energies_MeV), check_pinching(pinching))


component_spectra.cache_info = _component_spectra.cache_info
component_spectra.cache_clear = _component_spectra.cache_clear


def neutrinos_emitted(
    flavour_energies_erg=DEFAULT_FLAVOUR_ENERGIES_erg,
    mean_energies_MeV=DEFAULT_MEAN_ENERGIES_MeV,
) -> dict:
    r"""Neutrinos emitted per component, :math:`N = g\,\mathcal{E}/\langle E\rangle`, with
    :math:`\mathcal{E}` the energy per flavour and g = 1, 1, 4 flavours in nue, nuebar, nux.

    >>> {k: f"{v:.4g}" for k, v in neutrinos_emitted().items()}
    {'nue': '2.601e+57', 'nuebar': '2.229e+57', 'nux': '7.802e+57'}
    """
    energies = check_flavour_energies(flavour_energies_erg)
    means = check_mean_energies(mean_energies_MeV)
    return {
        name: FLAVOURS_PER_COMPONENT[name] * e * _MeV_PER_erg / m
        for name, e, m in zip(COMPONENTS, energies, means, strict=True)
    }


def fluence_per_cm2(
    distance_kpc: float = DEFAULT_DISTANCE_kpc,
    flavour_energies_erg=DEFAULT_FLAVOUR_ENERGIES_erg,
    mean_energies_MeV=DEFAULT_MEAN_ENERGIES_MeV,
) -> dict:
    r"""Neutrinos per cm^2 at the Earth over the whole burst, per component:
    :math:`\Phi = N / (4\pi d^2)`, d in cm (1 kpc = 3.0857e21 cm, from
    ``scipy.constants.parsec``).

    >>> f"{sum(fluence_per_cm2(10.0).values()):.4g}"
    '1.056e+12'
    """
    d_cm = check_distance_kpc(distance_kpc) * _CM_PER_kpc
    area = 4.0 * math.pi * d_cm**2
    return {
        name: n / area
        for name, n in neutrinos_emitted(flavour_energies_erg, mean_energies_MeV).items()
    }


def _fluence_of(scenario) -> dict:
    """Neutrinos per cm^2 at the detector from the burst described by ``scenario``."""
    return fluence_per_cm2(
        scenario.supernova_distance_kpc,
        scenario.supernova_flavour_energies_erg,
        scenario.supernova_mean_energies_MeV,
    )


#: Fractional uncertainty of the fluence normalisation: that of the total energy emitted,
#: about the neutron star's binding energy. With BE/M ~ 0.6 beta / (1 - beta/2), beta =
#: GM/(Rc^2) (J. M. Lattimer and M. Prakash, ApJ 550 (2001) 426), a 12 km neutron star of
#: 1.2-1.6 solar masses has 2.1e53-3.7e53 erg (computed here): -30 % / +25 % around 3e53.
FLUX_UNCERTAINTY = 0.3

#: A core-collapse supernova as a :class:`~.base.NeutrinoSource`: three components, every
#: flavour, flavour-blind (lepton "x"), at its own distance in kpc.
SOURCE = NeutrinoSource(
    name="supernova",
    label="core-collapse supernova (burst, all flavours)",
    components=COMPONENTS,
    component_labels=COMPONENT_LABELS,
    component_lepton=dict.fromkeys(COMPONENTS, "x"),
    spectrum_fields=("supernova_mean_energies_MeV", "supernova_pinching"),
    exposure_fields=(
        "supernova_distance_kpc",
        "supernova_flavour_energies_erg",
        "supernova_mean_energies_MeV",
    ),
    spectra=component_spectra,
    fluence=_fluence_of,
    distance_spread_m=0.0,
    flux_uncertainty=FLUX_UNCERTAINTY,
    flux_uncertainty_basis=(
        "supernova neutrino fluence, 30 %: the total energy emitted is the neutron star's "
        "binding energy, 2.1e53-3.7e53 erg for 1.2-1.6 solar masses and 12 km (Lattimer and "
        "Prakash, ApJ 550 (2001) 426), around the 3e53 erg assumed; the share of each flavour "
        "and the mean energies are separate inputs"
    ),
    own_fields=(
        "supernova_distance_kpc",
        "supernova_mean_energies_MeV",
        "supernova_pinching",
        "supernova_flavour_energies_erg",
    ),
    time_profile=False,
    uses_distance_m=False,
)
