r"""Spin-independent WIMP-nucleus elastic scattering in the standard halo model (SHM).

Conventions: the recommended ones of Baxter et al., "Recommended conventions for reporting
results from direct dark matter searches", Eur. Phys. J. C 81 (2021) 907, arXiv:2105.00599
(sec. 2, the SHM): local density :math:`\rho_\chi = 0.3` GeV/cm^3, a Maxwellian of most
probable speed :math:`v_0 = 238` km/s (= the local standard of rest speed) truncated sharply
at the escape speed :math:`v_\mathrm{esc} = 544` km/s in the Galactic frame, the Sun's
peculiar velocity (11.1, 12.2, 7.3) km/s (Schoenrich, Binney & Dehnen 2010) on top of the LSR
(0, v_0, 0), and the Earth's orbital velocity of 29.8 km/s around the Sun. The Earth's
velocity in the Galactic frame is the leading-order (circular orbit) expression of McCabe,
JCAP 02 (2014) 027, arXiv:1312.1355:

.. math:: \mathbf v_E(t) = \mathbf v_\mathrm{LSR} + \mathbf v_{\odot,\mathrm{pec}}
          + v_\oplus\,[\cos\omega(t - t_1)\,\hat\epsilon_1
          + \sin\omega(t - t_1)\,\hat\epsilon_2],

with :math:`\hat\epsilon_1 = (0.9940, 0.1095, 0.003116)`,
:math:`\hat\epsilon_2 = (-0.05173, 0.4945, -0.8677)` (Galactic coordinates, McCabe 2014).
Time-averaged rates here use the *annual mean speed*
:math:`\langle|\mathbf v_E|\rangle = 252.11` km/s (:func:`annual_mean_earth_speed_kms`),
which is also what ``wimprates`` 0.5 (which follows arXiv:2105.00599) uses by default: it
evaluates :math:`|\mathbf v_E|` on a date chosen to give the annual average (252.13 km/s
with the direction vectors of Freese et al. 2013 instead of McCabe's). :class:`HaloModel`
takes any other speed (e.g. the Sun's 250.5 km/s) through ``v_earth_kms``.

Rate (Lewin & Smith, Astropart. Phys. 6 (1996) 87; Savage, Freese & Gondolo, PRD 74 (2006)
043531), for each isotope i of the target, summed with its number of
nuclei per kg :math:`n_i` and isospin-conserving couplings (f_p = f_n, so the coherent
enhancement is :math:`A_i^2`):

.. math::

    \frac{dR}{dE_R} = \sum_i n_i\,\frac{\rho_\chi}{m_\chi}\,
        \frac{m_{N_i}\,\sigma_p A_i^2}{2\mu_p^2}\,F_i^2(q)\,\eta(v_{\min,i}),
    \qquad v_{\min,i} = \sqrt{\frac{m_{N_i} E_R}{2\mu_{N_i}^2}},

with :math:`\mu_p` the WIMP-proton reduced mass (proton mass from CODATA),
:math:`\mu_{N_i}` the WIMP-nucleus one, :math:`m_{N_i}` the nuclear mass
(:mod:`~cevns_widgets.physics.nuclei`), and :math:`F_i` the Helm form factor of
:mod:`~cevns_widgets.physics.form_factors` (Lewin-Smith radius for A_i, the house default)
at :math:`q = \sqrt{2 m_N E_R + E_R^2}/\hbar c`. Units: events per tonne of target per
year (365.25 d) per keV of nuclear recoil.

The mean inverse speed of the truncated, boosted Maxwellian (:func:`mean_inverse_speed`)
is the closed form given by Savage, Freese & Gondolo 2006 (appendix) and McCabe, PRD 82
(2010) 023530 (appendix), with :math:`x = v_\min/v_0`, :math:`y = v_E/v_0`,
:math:`z = v_\mathrm{esc}/v_0`, :math:`N_\mathrm{esc} = \mathrm{erf}\,z -
\tfrac{2}{\sqrt\pi} z e^{-z^2}`:

.. math::

    \eta = \frac{1}{2 N_\mathrm{esc} v_0 y} \begin{cases}
        \mathrm{erf}(x+y) - \mathrm{erf}(x-y) - \tfrac{4}{\sqrt\pi}\,y\,e^{-z^2}
            & x < z - y \\
        \mathrm{erf}\,z - \mathrm{erf}(x-y) - \tfrac{2}{\sqrt\pi}(z+y-x)\,e^{-z^2}
            & z - y \le x < z + y \\
        0 & x \ge z + y
    \end{cases}

(for z > y; the opposite case, z < y, adds :math:`\eta = 1/v_E` for x < y - z). The
kinematic endpoint is :math:`v_\min = v_\mathrm{esc} + v_E`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import constants as _sc
from scipy.special import erf, erfc

from .cross_sections import momentum_transfer_fm
from .form_factors import form_factor
from .nuclei import Target, make_target

__all__ = [
    "DEFAULT_HALO",
    "HaloModel",
    "PROTON_MASS_GeV",
    "SECONDS_PER_YEAR",
    "annual_mean_earth_speed_kms",
    "earth_velocity_kms",
    "max_recoil_keV",
    "mean_inverse_speed",
    "minimum_speed_kms",
    "wimp_events",
    "wimp_recoil_spectrum",
]

#: Proton mass in GeV (CODATA 2022 via scipy): the nucleon mass in the WIMP-nucleon reduced
#: mass mu_p of sigma_p.
PROTON_MASS_GeV = _sc.physical_constants["proton mass energy equivalent in MeV"][0] * 1e-3
#: Speed of light in km/s (exact).
C_KM_S = _sc.c * 1e-3
#: Seconds in a (Julian) year of 365.25 days.
SECONDS_PER_YEAR = 365.25 * 86400.0
#: kg in a tonne.
KG_PER_TONNE = 1000.0

#: Directions of the Earth's orbital velocity at the March equinox and a quarter year later,
#: in Galactic coordinates (x to the Galactic centre, y along the rotation, z to the north
#: Galactic pole): McCabe, JCAP 02 (2014) 027, arXiv:1312.1355, leading order.
EARTH_ORBIT_E1 = (0.9940, 0.1095, 0.003116)
EARTH_ORBIT_E2 = (-0.05173, 0.4945, -0.8677)

_SQRT_PI = np.sqrt(np.pi)


def earth_velocity_kms(phase_rad, v0_kms=238.0, v_pec_kms=(11.1, 12.2, 7.3), v_orbit_kms=29.8):
    r"""Earth's velocity in the Galactic frame (km/s), shape ``phase.shape + (3,)``.

    ``phase_rad`` is :math:`\omega(t - t_1)`, the orbital phase from the March equinox
    (:math:`\omega = 2\pi/\mathrm{yr}`); see the module docstring for the expression.
    """
    phase = np.asarray(phase_rad, dtype=float)[..., None]
    sun = np.array([0.0, v0_kms, 0.0]) + np.asarray(v_pec_kms, dtype=float)
    orbit = np.cos(phase) * np.array(EARTH_ORBIT_E1) + np.sin(phase) * np.array(EARTH_ORBIT_E2)
    return sun + v_orbit_kms * orbit


@lru_cache(maxsize=64)
def annual_mean_earth_speed_kms(
    v0_kms: float = 238.0,
    v_pec_kms: tuple[float, float, float] = (11.1, 12.2, 7.3),
    v_orbit_kms: float = 29.8,
) -> float:
    """Year average of |v_E(t)| (km/s): the Earth speed of time-averaged rates.

    The integrand is smooth and periodic, so the uniform (trapezoid) rule on 720 phases is
    exact to machine precision.

    >>> round(annual_mean_earth_speed_kms(), 2)
    252.11
    """
    phases = np.linspace(0.0, 2.0 * np.pi, 720, endpoint=False)
    speeds = np.linalg.norm(earth_velocity_kms(phases, v0_kms, v_pec_kms, v_orbit_kms), axis=-1)
    return float(speeds.mean())


@dataclass(frozen=True)
class HaloModel:
    """Standard halo model parameters (defaults: Baxter et al. 2021, arXiv:2105.00599).

    ``v_earth_kms`` is the Earth speed in the Galactic frame used for time-averaged rates;
    ``None`` (the default) means the annual mean of the Earth's velocity built from
    ``v0_kms``, ``v_pec_kms`` and ``v_orbit_kms`` (:func:`annual_mean_earth_speed_kms`).
    ``v_esc_kms`` may be ``inf`` (no truncation) and ``v_earth_kms`` may be 0 (the Galactic
    frame), which give the textbook limits of Lewin & Smith (1996).
    """

    rho_GeV_cm3: float = 0.3
    v0_kms: float = 238.0
    v_esc_kms: float = 544.0
    v_pec_kms: tuple[float, float, float] = (11.1, 12.2, 7.3)
    v_orbit_kms: float = 29.8
    v_earth_kms: float | None = None

    def __post_init__(self):
        if not self.rho_GeV_cm3 >= 0:
            raise ValueError(f"rho_GeV_cm3 must be >= 0, got {self.rho_GeV_cm3}")
        if not self.v0_kms > 0:
            raise ValueError(f"v0_kms must be > 0, got {self.v0_kms}")
        if not self.v_esc_kms > 0:
            raise ValueError(f"v_esc_kms must be > 0, got {self.v_esc_kms}")
        if self.v_earth_kms is not None and not self.v_earth_kms >= 0:
            raise ValueError(f"v_earth_kms must be >= 0, got {self.v_earth_kms}")
        object.__setattr__(self, "v_pec_kms", tuple(float(v) for v in self.v_pec_kms))

    @property
    def earth_speed_kms(self) -> float:
        """|v_E| used for time-averaged rates (km/s)."""
        if self.v_earth_kms is not None:
            return float(self.v_earth_kms)
        return annual_mean_earth_speed_kms(self.v0_kms, self.v_pec_kms, self.v_orbit_kms)

    @property
    def max_speed_kms(self) -> float:
        """Largest WIMP speed in the Earth frame, v_esc + v_E (km/s)."""
        return self.v_esc_kms + self.earth_speed_kms


DEFAULT_HALO = HaloModel()


def _as_target(target) -> Target:
    return make_target(target) if isinstance(target, str) else target


def mean_inverse_speed(v_min_kms, halo: HaloModel = DEFAULT_HALO):
    r"""Mean inverse speed :math:`\eta(v_\min) = \int_{v > v_\min} f(\mathbf v)/v\,d^3v`
    in s/km, for the SHM of ``halo`` (closed form in the module docstring).

    >>> round(float(mean_inverse_speed(0.0)) * 1e3, 4)  # in units of 1e-3 s/km
    3.4613
    >>> float(mean_inverse_speed(DEFAULT_HALO.max_speed_kms + 1.0))
    0.0
    """
    v0 = halo.v0_kms
    x = np.maximum(np.asarray(v_min_kms, dtype=float), 0.0) / v0
    y = halo.earth_speed_kms / v0
    z = halo.v_esc_kms / v0
    if np.isinf(z):
        n_esc, exp_z, z_exp_z = 1.0, 0.0, 0.0
    else:
        exp_z = np.exp(-(z**2))
        z_exp_z = z * exp_z
        n_esc = erf(z) - 2.0 / _SQRT_PI * z_exp_z
    if y < 1e-6:
        # Galactic frame: eta = 2 / (sqrt(pi) v0 N_esc) (exp(-x^2) - exp(-z^2)) for x < z.
        eta = 2.0 / (_SQRT_PI * v0 * n_esc) * (np.exp(-(x**2)) - exp_z)
        return np.where(x < z, eta, 0.0)
    norm = 1.0 / (2.0 * n_esc * v0 * y)
    # erf differences as erfc differences: no cancellation of two numbers near 1.
    low = norm * (erfc(x - y) - erfc(x + y) - 4.0 / _SQRT_PI * y * exp_z)
    if np.isinf(z):
        return low
    high = norm * (erfc(x - y) - erfc(z) - 2.0 / _SQRT_PI * (z + y - x) * exp_z)
    if z >= y:
        eta = np.where(x < z - y, low, np.where(x < z + y, high, 0.0))
    else:  # v_E > v_esc: the slowest WIMPs in the Earth frame move at v_E - v_esc
        eta = np.where(x < y - z, 1.0 / (v0 * y), np.where(x < z + y, high, 0.0))
    return np.maximum(eta, 0.0)


def minimum_speed_kms(recoil_keV, mass_GeV, nucleus_mass_GeV):
    """Smallest WIMP speed (km/s) giving an elastic recoil E_R: sqrt(m_N E_R / (2 mu^2)) c."""
    E = np.asarray(recoil_keV, dtype=float) * 1e-6
    m = np.asarray(mass_GeV, dtype=float)
    M = np.asarray(nucleus_mass_GeV, dtype=float)
    mu = m * M / (m + M)
    return np.sqrt(np.maximum(M * E, 0.0) / 2.0) / mu * C_KM_S


def max_recoil_keV(mass_GeV, nucleus_mass_GeV, halo: HaloModel = DEFAULT_HALO):
    """Kinematic endpoint E_max = 2 mu^2 (v_esc + v_E)^2 / m_N (keV)."""
    m = np.asarray(mass_GeV, dtype=float)
    M = np.asarray(nucleus_mass_GeV, dtype=float)
    mu = m * M / (m + M)
    return 2.0 * mu**2 * (halo.max_speed_kms / C_KM_S) ** 2 / M * 1e6


def _spectrum(target: Target, recoil_keV, mass_GeV, halo, form_factor_model):
    """dR/dE per unit sigma_p (events / t / yr / keV / cm^2); ``recoil_keV`` and
    ``mass_GeV`` broadcast together (the isotope axis is appended and summed)."""
    T = np.asarray(recoil_keV, dtype=float)[..., None]
    m = np.asarray(mass_GeV, dtype=float)[..., None]
    M = target.mass_MeV * 1e-3  # (n_iso,)
    A = target.A
    mu_p = m * PROTON_MASS_GeV / (m + PROTON_MASS_GeV)
    eta = mean_inverse_speed(minimum_speed_kms(T, m, M), halo)  # s/km
    F = form_factor(form_factor_model, momentum_transfer_fm(T, M * 1e3), A)
    # rho/m [cm^-3] * M A^2 / (2 mu_p^2) [GeV^-1] * c^2 [km^2/s^2] * eta [s/km] -> the
    # km/s needs 1e5 cm/km to meet cm^-3 cm^2: events / s / GeV per nucleus per cm^2.
    per_nucleus = halo.rho_GeV_cm3 / m * M * A**2 / (2.0 * mu_p**2) * C_KM_S**2 * 1e5 * F**2 * eta
    scale = target.nuclei_per_kg() * KG_PER_TONNE * SECONDS_PER_YEAR * 1e-6  # per keV
    return np.sum(per_nucleus * scale, axis=-1)


def wimp_recoil_spectrum(
    target,
    recoil_keV,
    mass_GeV,
    sigma_nucleon_cm2,
    halo: HaloModel = DEFAULT_HALO,
    *,
    form_factor_model: str = "helm",
):
    """Spin-independent WIMP recoil spectrum dR/dE_R in events / tonne / year / keV.

    ``target`` is a name (``"Xe"``) or a :class:`~cevns_widgets.physics.nuclei.Target`;
    natural isotopes are summed (module docstring). ``recoil_keV`` is any array of nuclear
    recoil energies; a scalar ``mass_GeV`` gives ``recoil.shape``, an array of masses gives
    ``mass.shape + recoil.shape`` (e.g. (n_mass, n_recoil)). ``sigma_nucleon_cm2`` (the
    WIMP-nucleon cross section) is a scalar or broadcasts against ``mass_GeV``.

    >>> round(float(wimp_recoil_spectrum("Xe", 10.0, 100.0, 1e-45)), 2)
    8.67
    """
    tgt = _as_target(target)
    T = np.asarray(recoil_keV, dtype=float)
    m = np.asarray(mass_GeV, dtype=float)
    if np.any(~(m > 0)):
        raise ValueError("mass_GeV must be > 0")
    sigma = np.asarray(sigma_nucleon_cm2, dtype=float)
    grid_T = T.reshape((1,) * m.ndim + T.shape)
    grid_m = m.reshape(m.shape + (1,) * T.ndim)
    rate = _spectrum(tgt, grid_T, grid_m, halo, form_factor_model)
    rate = np.where(grid_T >= 0, rate, 0.0)
    return rate * sigma.reshape(sigma.shape + (1,) * T.ndim)


def wimp_events(
    target,
    threshold_keVnr,
    max_keVnr,
    mass_GeV,
    sigma_nucleon_cm2,
    exposure_tonne_year=1.0,
    efficiency=None,
    halo: HaloModel = DEFAULT_HALO,
    *,
    form_factor_model: str = "helm",
    n_points: int = 801,
):
    """Expected WIMP events between ``threshold_keVnr`` and ``max_keVnr`` (keV nuclear
    recoil) for ``exposure_tonne_year`` tonne-years, optionally weighted by
    ``efficiency(recoil_keV)`` (a callable returning values in [0, 1]).

    The integral is Simpson's rule in ln E_R on ``n_points`` nodes from the threshold to the
    smaller of ``max_keVnr`` and the largest kinematic endpoint of the isotopes (relative
    accuracy better than 1e-6 for the default). Returns a float for a scalar mass, else an array of
    ``mass_GeV.shape``.

    >>> round(float(wimp_events("Xe", 5.0, 50.0, 100.0, 1e-47, 1.0)), 3)
    1.665
    """
    tgt = _as_target(target)
    m = np.asarray(mass_GeV, dtype=float)
    if not 0 < threshold_keVnr < max_keVnr:
        raise ValueError("need 0 < threshold_keVnr < max_keVnr")
    if n_points % 2 == 0:
        n_points += 1
    flat_m = np.atleast_1d(m).ravel()
    endpoint = max_recoil_keV(flat_m[:, None], tgt.mass_MeV * 1e-3, halo).max(axis=1)
    top = np.minimum(max_keVnr, endpoint)
    lo = np.log(threshold_keVnr)
    span = np.log(np.maximum(top, threshold_keVnr)) - lo  # 0 where the endpoint is below
    u = np.linspace(0.0, 1.0, n_points)
    E = np.exp(lo + span[:, None] * u)  # (n_mass, n_points)
    rate = _spectrum(tgt, E, flat_m[:, None], halo, form_factor_model)
    integrand = rate * E
    if efficiency is not None:
        integrand = integrand * np.asarray(efficiency(E), dtype=float)
    weights = np.ones(n_points)
    weights[1:-1:2], weights[2:-1:2] = 4.0, 2.0
    total = span * (integrand @ weights) / (3.0 * (n_points - 1))
    sigma = np.broadcast_to(np.asarray(sigma_nucleon_cm2, dtype=float), m.shape)
    events = total.reshape(m.shape) * sigma * exposure_tonne_year
    return float(events) if events.ndim == 0 else events
