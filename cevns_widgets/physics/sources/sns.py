"""The Spallation Neutron Source as a pion decay-at-rest neutrino source.

1 GeV protons on mercury make pi+ that stop and decay: pi+ -> mu+ nu_mu gives a prompt
nu_mu line; mu+ -> e+ nu_e anti-nu_mu follows with the muon lifetime, giving the delayed
Michel spectra (Burman & Louis; COHERENT, Science 357 (2017) 1123; see REFERENCE.md sec. 5).

Everything here is per proton on target (POT) and per flavour; the fluence at a detector
is ``nu_per_pot * pot / (4 pi L^2)`` (isotropic emission).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import special

from .. import constants as C
from .base import NeutrinoSource
from .oscillation import sterile_survival_probability as _averaged_survival
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


@dataclass(frozen=True)
class BeamTiming:
    """Where the proton pulse sits on one dataset's time axis.

    Each data release counts time from its own trigger, so the pulse position belongs to
    the dataset, not to the SNS: a time window is only meaningful on the axis it was cut on.
    The pulse is Gaussian (mean, sigma); the neutrino arrival times follow from it and the
    pion and muon lifetimes (:func:`arrival_time_cdf`).
    """

    name: str
    pulse_mean_us: float
    pulse_sigma_us: float
    label: str
    source: str

    @property
    def pulse(self) -> dict:
        return {"pulse_mean_us": self.pulse_mean_us, "pulse_sigma_us": self.pulse_sigma_us}


#: Beam timings per dataset. ``lar-2020`` is the SNS proton trace as the LAr release
#: states it; the two CsI axes are fitted to their releases' own arrival-time PDFs
#: (``tests/test_beam_timing.py`` refits them from the shipped files).
BEAM_TIMINGS = {
    t.name: t
    for t in (
        BeamTiming(
            "lar-2020",
            PULSE_MEAN_us,
            PULSE_SIGMA_us,
            "LAr 2020 axis: pulse 0.44 us, sigma 0.15 us",
            "COHERENT LAr 2020 release, LArParametersAnlA.yaml snsPOTTraceTiming "
            "(arXiv:2006.12659, doi:10.5281/zenodo.3903810)",
        ),
        BeamTiming(
            "csi-2017",
            0.692,
            0.142,
            "CsI 2017 axis: pulse 0.69 us, sigma 0.14 us",
            "least-squares fit to the CsI 2017 release arrival-time PDFs of prompt and delayed "
            "neutrinos (arXiv:1804.09459, doi:10.5281/zenodo.1228631); largest bin residual "
            "0.002",
        ),
        BeamTiming(
            "csi-2021",
            0.473,
            0.146,
            "CsI 2021 axis: pulse 0.47 us, sigma 0.15 us",
            "least-squares fit to the CsI 2021 release's neutrino-induced-neutron time PDF "
            "(ninTrec.txt; NINs follow the delayed nu_e timing; arXiv:2110.07730 ancillary "
            "files); largest bin residual 5e-5",
        ),
    )
}
DEFAULT_BEAM_TIMING = "lar-2020"

#: Timing efficiencies: the fraction of events kept as a function of arrival time.
TIMING_EFFICIENCIES = ("none", "csi-2021")


def timing_efficiency(name: str, t_us):
    r"""Fraction of events kept at arrival time ``t_us``.

    ``csi-2021`` (COHERENT CsI 2021 release, arXiv:2110.07730 ancillary files):
    :math:`\epsilon_t = 1` for :math:`t < 0.52\,\mu s`, else
    :math:`e^{-0.0494\,(t - 0.52)}` (t in us).

    >>> round(float(timing_efficiency("csi-2021", 6.0)), 4)
    0.7628
    """
    t = np.asarray(t_us, dtype=float)
    if name == "none":
        return np.ones_like(t)
    if name == "csi-2021":
        return np.where(t < 0.52, 1.0, np.exp(-0.0494 * (t - 0.52)))
    raise ValueError(
        f"unknown timing efficiency {name!r}; choose one of {', '.join(TIMING_EFFICIENCIES)}"
    )


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


#: Spread (Gaussian sigma, m) of the neutrino path length L from production to detection,
#: over which the sterile oscillation is averaged. An estimate, not a measured figure:
#: pions stop and decay within a few tens of cm of where the 1 GeV protons interact in the
#: mercury target (nuclear interaction length of Hg about 15 cm: ~200 g/cm^2 at
#: 13.5 g/cm^3, PDG atomic and nuclear properties), and the detectors are tens of cm to
#: about a metre deep along the line of sight (CsI[Na] crystal 34 cm long, COHERENT
#: Science 357 (2017) 1123). Both together: sigma_L ~ 0.3 m. It only matters once the
#: oscillation length 2.48 E/dm^2 [m] (E in MeV, dm^2 in eV^2) is comparable to it.
DISTANCE_SPREAD_SIGMA_m = 0.3


def sterile_survival_probability(
    energy_MeV,
    distance_m: float,
    dm2_eV2: float,
    sin2_2theta: float,
    spread_m: float | None = None,
):
    r"""Active-flavour survival in a 3+1 model, two-flavour approximation, averaged over
    the spread of source-detector distances.

    At one distance, :math:`P = 1 - \sin^2 2\theta\,\sin^2(kL)` with
    :math:`k = 1.267\,\Delta m^2[\mathrm{eV^2}]/E[\mathrm{MeV}]` per metre. Neutrinos are
    made and detected over a region, so L is distributed; for a Gaussian of mean L and
    width :math:`\sigma_L` (``spread_m``, default :data:`DISTANCE_SPREAD_SIGMA_m`),
    :math:`\langle\cos 2kL\rangle = \cos(2kL)\,e^{-2k^2\sigma_L^2}`, so

    .. math:: \langle P\rangle = 1 - \frac{\sin^2 2\theta}{2}
              \left[1 - \cos(2kL)\,e^{-2k^2\sigma_L^2}\right]

    (the Gaussian average of :math:`\cos 2kL`; a uniform spread :math:`[L-d, L+d]` would
    give the factor :math:`\sin(2kd)/(2kd)` instead). With :math:`\sigma_L = 0` this is
    the one-distance formula; for :math:`k\sigma_L \gg 1` it tends to
    :math:`1 - \sin^2 2\theta/2`. This matters for the monochromatic prompt line, whose
    survival would otherwise swing from 0 to 1 as the detector moves by a centimetre at
    large :math:`\Delta m^2`. The 1/L^2 variation of the flux across the spread (a 0.01 %
    effect at 20 m) is neglected. CEvNS is flavour-blind, so this is the neutral-current
    disappearance into a sterile state; one effective amplitude is applied to every flavour.
    """
    sigma = DISTANCE_SPREAD_SIGMA_m if spread_m is None else spread_m
    return _averaged_survival(energy_MeV, distance_m, dm2_eV2, sin2_2theta, sigma)


def source_spectra(
    distance_m: float = 20.0,
    dm2_eV2: float = 0.0,
    sin2_2theta: float = 0.0,
    spread_m: float | None = None,
):
    """Flavour spectra at the detector, including sterile disappearance when switched on
    (averaged over a distance spread ``spread_m``, see :func:`sterile_survival_probability`)."""
    base = flavor_spectra()
    if dm2_eV2 == 0.0 or sin2_2theta == 0.0:
        return base

    def survival(e):
        return sterile_survival_probability(e, distance_m, dm2_eV2, sin2_2theta, spread_m)

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
def time_window_fraction(
    flavor: str, t_start_us: float, t_stop_us: float, efficiency: str = "none", **pulse
) -> float:
    r"""Fraction of a flavour's neutrinos arriving in ``[t_start_us, t_stop_us]``, weighted
    by the timing ``efficiency``: :math:`\int_{t_1}^{t_2} p_f(t)\,\epsilon_t(t)\,dt`.

    >>> round(time_window_fraction("prompt_numu", 0.0, 12.0), 3)
    0.999
    """
    if t_stop_us <= t_start_us:
        return 0.0
    if efficiency == "none":
        cdf = arrival_time_cdf(np.array([t_start_us, t_stop_us]), flavor, **pulse)
        return float(cdf[1] - cdf[0])
    # Weighted: Simpson-like trapezoid on the CDF increments of a fine grid (the
    # efficiency varies on microsecond scales, the grid step is 2 ns).
    stop = min(t_stop_us, t_start_us + 200.0)
    n = int(min(max((stop - t_start_us) / 0.002, 16), 100_000))
    edges = np.linspace(t_start_us, stop, n + 1)
    mass = np.diff(arrival_time_cdf(edges, flavor, **pulse))
    centres = 0.5 * (edges[1:] + edges[:-1])
    return float(np.sum(mass * timing_efficiency(efficiency, centres)))


def _fluence_by_flavor(scenario) -> dict:
    """Each SNS flavour carries the same number of neutrinos per proton."""
    per_flavor = fluence_per_cm2(scenario.pot, scenario.distance_m, scenario.nu_per_pot)
    return dict.fromkeys(FLAVORS, per_flavor)


#: The SNS as a :class:`~.base.NeutrinoSource`.
SOURCE = NeutrinoSource(
    name="sns",
    label="Spallation Neutron Source (pion decay at rest)",
    components=FLAVORS,
    component_labels=FLAVOR_LABELS,
    component_lepton=FLAVOR_LEPTON,
    spectrum_fields=(),
    exposure_fields=("pot", "nu_per_pot"),
    spectra=flavor_spectra,
    fluence=_fluence_by_flavor,
    distance_spread_m=DISTANCE_SPREAD_SIGMA_m,
    flux_uncertainty=0.10,
    flux_uncertainty_basis=(
        "SNS neutrino yield, 10 % (COHERENT flux simulation, arXiv:2109.11049; LAr 2020 "
        "release: 0.09 +- 0.009 per flavour per proton)"
    ),
    own_fields=(
        "pot",
        "nu_per_pot",
        "time_window_start_us",
        "time_window_stop_us",
        "timing_efficiency",
        "beam_timing",
    ),
    time_profile=True,
)
