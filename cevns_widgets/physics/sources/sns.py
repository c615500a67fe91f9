"""The Spallation Neutron Source as a pion decay-at-rest neutrino source.

1 GeV protons on mercury make pi+ that stop and decay: pi+ -> mu+ nu_mu gives a prompt
nu_mu line; mu+ -> e+ nu_e anti-nu_mu follows with the muon lifetime, giving the delayed
Michel spectra (Burman & Louis; COHERENT, Science 357 (2017) 1123; see REFERENCE.md sec. 5).

Everything here is per proton on target (POT) and per flavour; the fluence at a detector
is ``nu_per_pot * pot / (4 pi L^2)`` (isotropic emission).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from scipy import special

from .. import constants as C
from .spectrum import LineSpectrum, TabulatedSpectrum

#: The three SNS flavour components, in display order.
FLAVORS = ("prompt_numu", "delayed_nue", "delayed_numubar")
#: Human-readable labels for the flavours.
FLAVOR_LABELS = {
    "prompt_numu": "prompt νμ",
    "delayed_nue": "delayed νe",
    "delayed_numubar": "delayed ν̄μ",
}
#: Which NSI flavour index (e or mu) each component couples to.
FLAVOR_LEPTON = {"prompt_numu": "mu", "delayed_nue": "e", "delayed_numubar": "mu"}

#: Proton pulse on target: Gaussian, mean and width in microseconds (COHERENT LAr release,
#: arXiv:2003.10630 / doi:10.5281/zenodo.3903810).
PULSE_MEAN_us = 0.44
PULSE_SIGMA_us = 0.15
#: SNS repetition rate in Hz.
REPETITION_RATE_Hz = 60.0

_MICHEL_POINTS = 4001


def michel_nue_pdf(energy_MeV):
    r"""Normalised nu_e spectrum from mu+ decay at rest, per MeV.

    .. math:: f_{\nu_e}(E) = \frac{192}{m_\mu}\left(\frac{E}{m_\mu}\right)^2
              \left(\frac12 - \frac{E}{m_\mu}\right), \quad 0 \le E \le m_\mu/2 .
    """
    x = np.asarray(energy_MeV, dtype=float) / C.MUON_MASS_MeV
    return np.where((x >= 0) & (x <= 0.5), 192.0 / C.MUON_MASS_MeV * x**2 * (0.5 - x), 0.0)


def michel_numubar_pdf(energy_MeV):
    r"""Normalised anti-nu_mu spectrum from mu+ decay at rest, per MeV.

    .. math:: f_{\bar\nu_\mu}(E) = \frac{64}{m_\mu}\left(\frac{E}{m_\mu}\right)^2
              \left(\frac34 - \frac{E}{m_\mu}\right), \quad 0 \le E \le m_\mu/2 .
    """
    x = np.asarray(energy_MeV, dtype=float) / C.MUON_MASS_MeV
    return np.where((x >= 0) & (x <= 0.5), 64.0 / C.MUON_MASS_MeV * x**2 * (0.75 - x), 0.0)


@lru_cache(maxsize=1)
def flavor_spectra() -> dict:
    """Unit-normalised spectra of the three flavours (per neutrino of that flavour).

    >>> s = flavor_spectra()
    >>> round(s["prompt_numu"].energy_MeV, 2), round(s["delayed_nue"].total(), 6)
    (29.79, 1.0)
    """
    energies = np.linspace(0.0, C.MICHEL_ENDPOINT_MeV, _MICHEL_POINTS)
    return {
        "prompt_numu": LineSpectrum(C.PROMPT_NU_ENERGY_MeV),
        "delayed_nue": TabulatedSpectrum(energies, michel_nue_pdf(energies)),
        "delayed_numubar": TabulatedSpectrum(energies, michel_numubar_pdf(energies)),
    }


def sterile_survival_probability(energy_MeV, distance_m: float, dm2_eV2: float, sin2_2theta: float):
    r"""Active-flavour survival in a 3+1 model, two-flavour approximation.

    .. math:: P = 1 - \sin^2 2\theta\, \sin^2\!\left(1.267\,
              \frac{\Delta m^2[\mathrm{eV^2}]\, L[\mathrm{m}]}{E[\mathrm{MeV}]}\right)

    CEvNS is flavour-blind, so this is the neutral-current disappearance into a sterile
    state; one effective amplitude is applied to every flavour.
    """
    e = np.asarray(energy_MeV, dtype=float)
    phase = 1.267 * dm2_eV2 * distance_m / np.where(e > 0, e, np.inf)
    return 1.0 - sin2_2theta * np.sin(phase) ** 2


def source_spectra(distance_m: float = 20.0, dm2_eV2: float = 0.0, sin2_2theta: float = 0.0):
    """Flavour spectra at the detector, including sterile disappearance when switched on."""
    base = flavor_spectra()
    if dm2_eV2 == 0.0 or sin2_2theta == 0.0:
        return base
    survival = lambda e: sterile_survival_probability(e, distance_m, dm2_eV2, sin2_2theta)  # noqa: E731
    return {name: spec.scaled(survival) for name, spec in base.items()}


def fluence_per_cm2(pot: float, distance_m: float, nu_per_pot: float):
    r"""Time-integrated neutrinos per flavour per cm^2: :math:`r\,N_{POT}/(4\pi L^2)`."""
    return nu_per_pot * pot / (4.0 * math.pi * (distance_m * 100.0) ** 2)


def pot_from_energy(beam_energy_GWh: float, proton_energy_GeV: float = 1.0) -> float:
    """Protons on target delivered by ``beam_energy_GWh`` of beam at ``proton_energy_GeV``.

    POT = E_beam / E_p (REFERENCE.md sec. 5): 7.48 GWh at 0.957 GeV is 1.76e23.

    >>> f"{pot_from_energy(7.48, 0.957):.3g}"
    '1.76e+23'
    """
    return beam_energy_GWh * C.J_PER_GWh / (proton_energy_GeV * C.J_PER_GeV)


def pot_from_days(days: float, beam_power_MW: float, proton_energy_GeV: float = 1.0) -> float:
    """Protons on target from ``days`` at a mean ``beam_power_MW``.

    >>> f"{pot_from_days(1.0, 1.4, 1.0):.3g}"   # 1.4 MW at 1 GeV: 7.55e20 POT per day
    '7.55e+20'
    """
    return pot_from_energy(days * 24.0 * beam_power_MW * 1e-3, proton_energy_GeV)


def _exgauss_cdf(t_us, tau_us: float, mean_us: float, sigma_us: float):
    """CDF of a Gaussian pulse convolved with an exponential decay of lifetime tau."""
    t = np.asarray(t_us, dtype=float)
    z = (t - mean_us) / sigma_us
    # Two forms of exp(s^2/2tau^2 - (t-mu)/tau) * Phi(z - s/tau), each used where it is
    # finite: erfcx for early times, the direct product once the exponent is negative.
    arg = (sigma_us / tau_us - z) / math.sqrt(2.0)
    with np.errstate(over="ignore", invalid="ignore"):
        early = 0.5 * np.exp(-0.5 * z**2) * special.erfcx(np.maximum(arg, 0.0))
        late = np.exp(0.5 * (sigma_us / tau_us) ** 2 - (t - mean_us) / tau_us) * special.ndtr(
            z - sigma_us / tau_us
        )
    decay_term = np.where(arg >= 0, early, late)
    return special.ndtr(z) - decay_term


def arrival_time_cdf(
    t_us, flavor: str, pulse_mean_us: float = PULSE_MEAN_us, pulse_sigma_us: float = PULSE_SIGMA_us
):
    r"""Fraction of a flavour's neutrinos arriving before ``t_us`` after the nominal trigger.

    Prompt: Gaussian pulse (x) pion decay. Delayed: pulse (x) pion (x) muon decay; the
    two-exponential chain is a difference of single exponentials,

    .. math:: \frac{e^{-t/\tau_\mu} - e^{-t/\tau_\pi}}{\tau_\mu - \tau_\pi},

    so its CDF is the matching combination of exponentially-modified Gaussian CDFs.
    """
    tp, tm = C.PION_LIFETIME_us, C.MUON_LIFETIME_us
    if flavor == "prompt_numu":
        return _exgauss_cdf(t_us, tp, pulse_mean_us, pulse_sigma_us)
    if flavor in ("delayed_nue", "delayed_numubar"):
        cm = _exgauss_cdf(t_us, tm, pulse_mean_us, pulse_sigma_us)
        cp = _exgauss_cdf(t_us, tp, pulse_mean_us, pulse_sigma_us)
        return (tm * cm - tp * cp) / (tm - tp)
    raise ValueError(f"unknown flavour {flavor!r}; choose one of {', '.join(FLAVORS)}")


def arrival_time_pdf(t_us, flavor: str, **pulse):
    """Arrival-time density per microsecond (numerical derivative of the analytic CDF)."""
    t = np.asarray(t_us, dtype=float)
    h = 1e-4
    return (arrival_time_cdf(t + h, flavor, **pulse) - arrival_time_cdf(t - h, flavor, **pulse)) / (
        2 * h
    )


@lru_cache(maxsize=1024)
def time_window_fraction(flavor: str, t_start_us: float, t_stop_us: float, **pulse) -> float:
    """Fraction of a flavour's neutrinos arriving in ``[t_start_us, t_stop_us]``.

    >>> round(time_window_fraction("prompt_numu", 0.0, 12.0), 3)
    0.999
    """
    if t_stop_us <= t_start_us:
        return 0.0
    cdf = arrival_time_cdf(np.array([t_start_us, t_stop_us]), flavor, **pulse)
    return float(cdf[1] - cdf[0])
