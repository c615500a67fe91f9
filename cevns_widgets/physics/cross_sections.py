r"""CEvNS cross sections: Standard Model, non-standard interactions, magnetic moment.

Standard Model, vector part (Freedman 1974; Barranco, Miranda & Rashba, JHEP 0512:021
(2005), eq. 1), with the full kinematic factor:

.. math::

    \frac{d\sigma}{dT} = \frac{G_F^2 M}{4\pi}\, Q^2(q)
        \left[1 - \frac{MT}{2E^2} - \frac{T}{E} + \frac{T^2}{2E^2}\right],
    \qquad Q(q) = -2\,[Z\,g_V^p F_p(q) + N\,g_V^n F_n(q)],

which at F = 1 and tree level is the weak charge :math:`Q_W = N - (1 - 4\sin^2\theta_W)Z`.
Flavour-diagonal vector NSI (Barranco et al. 2005, eq. 2; Scholberg, PRD 73 (2006) 033005)
shift the couplings: :math:`g_V^p \to g_V^p + 2\epsilon_u + \epsilon_d`,
:math:`g_V^n \to g_V^n + \epsilon_u + 2\epsilon_d`. A neutrino magnetic moment adds
incoherently (Vogel & Engel, PRD 39 (1989) 3378):

.. math::

    \frac{d\sigma_\mu}{dT} = \pi r_e^2 \left(\frac{\mu_\nu}{\mu_B}\right)^2 Z^2 F_p^2(q)
        \left[\frac1T - \frac1E + \frac{T}{4E^2}\right].

Units: E in MeV, T in keV (nuclear recoil), M in MeV, q in fm^-1, cross sections in
cm^2 and cm^2/keV.
"""

from __future__ import annotations

import numpy as np

from . import constants as C
from .form_factors import form_factor, neutron_rms_radius_fm

COUPLING_SCHEMES = ("tree", "radiative")
_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(128)


def nucleon_couplings(sin2w: float = C.SIN2W_LOW_ENERGY, scheme: str = "tree"):
    """Vector couplings (g_V^p, g_V^n) of the Z to protons and neutrons.

    ``tree``: (1/2 - 2 sin^2 theta_W, -1/2). ``radiative``: the PDG values with radiative
    corrections (0.0298, -0.5117), which do not depend on ``sin2w``.

    >>> [round(g, 5) for g in nucleon_couplings(0.23857)]
    [0.02286, -0.5]
    """
    if scheme == "tree":
        return 0.5 - 2.0 * sin2w, -0.5
    if scheme == "radiative":
        return C.GV_PROTON_RADIATIVE, C.GV_NEUTRON_RADIATIVE
    raise ValueError(f"unknown coupling scheme {scheme!r}; choose one of {COUPLING_SCHEMES}")


def weak_charge(
    Z,
    N,
    sin2w: float = C.SIN2W_LOW_ENERGY,
    scheme: str = "tree",
    eps_u: float = 0.0,
    eps_d: float = 0.0,
):
    """Weak charge Q = -2 [Z (g_p + 2 eps_u + eps_d) + N (g_n + eps_u + 2 eps_d)].

    >>> round(float(weak_charge(55, 78, 0.25)), 6)   # Q_W = N at sin^2 theta_W = 1/4
    78.0
    """
    gp, gn = nucleon_couplings(sin2w, scheme)
    gp, gn = gp + 2 * eps_u + eps_d, gn + eps_u + 2 * eps_d
    return -2.0 * (np.asarray(Z) * gp + np.asarray(N) * gn)


def max_recoil_keV(E_MeV, M_MeV):
    """Largest recoil energy, T_max = 2 E^2 / (M + 2 E), in keV.

    >>> round(float(max_recoil_keV(29.79, 123800.9)), 2)
    14.33
    """
    E = np.asarray(E_MeV, dtype=float)
    return 2.0 * E**2 / (np.asarray(M_MeV) + 2.0 * E) * 1e3


def min_neutrino_energy_MeV(T_keV, M_MeV):
    """Smallest neutrino energy giving recoil T: E_min = (T + sqrt(T^2 + 2 M T)) / 2."""
    T = np.maximum(np.asarray(T_keV, dtype=float), 0.0) * 1e-3
    return 0.5 * (T + np.sqrt(T**2 + 2.0 * np.asarray(M_MeV) * T))


def momentum_transfer_fm(T_keV, M_MeV):
    """Momentum transfer q = sqrt(2 M T + T^2) / (hbar c), in fm^-1 (0 for T <= 0)."""
    T = np.maximum(np.asarray(T_keV, dtype=float), 0.0) * 1e-3
    return np.sqrt(2.0 * np.asarray(M_MeV) * T + T**2) / C.HBARC_MeV_fm


def sm_prefactor_cm2_per_keV(M_MeV):
    """G_F^2 M / (4 pi) in cm^2 / keV."""
    M_GeV = np.asarray(M_MeV) * 1e-3
    return C.G_FERMI_GeV2**2 * M_GeV / (4.0 * np.pi) * C.HBARC2_GeV2_cm2 * 1e-6


def coherent_charge(
    T_keV,
    Z,
    N,
    A,
    M_MeV,
    *,
    sin2w=C.SIN2W_LOW_ENERGY,
    scheme="tree",
    form_factor_model="helm",
    neutron_skin_fm=0.0,
    eps_u=0.0,
    eps_d=0.0,
):
    """Q(q) = -2 [Z g_p F_p(q) + N g_n F_n(q)]: the weak charge seen at recoil T.

    Protons use the model's default radius for each A; neutrons that radius plus
    ``neutron_skin_fm`` (R_n = rms_radius_fm(model, A) + skin, see
    :func:`~cevns_widgets.physics.form_factors.neutron_rms_radius_fm`), so each isotope of
    a compound keeps its own size. The skin does nothing for model ``none``.
    """
    q = momentum_transfer_fm(T_keV, M_MeV)
    gp, gn = nucleon_couplings(sin2w, scheme)
    gp, gn = gp + 2 * eps_u + eps_d, gn + eps_u + 2 * eps_d
    f_p = form_factor(form_factor_model, q, A)
    if not neutron_skin_fm or form_factor_model == "none":
        f_n = f_p
    else:
        r_n = neutron_rms_radius_fm(form_factor_model, A, N, neutron_skin_fm)
        f_n = form_factor(form_factor_model, q, A, r_n)
    return -2.0 * (Z * gp * f_p + N * gn * f_n), f_p


def differential_cross_section(
    T_keV, E_MeV, Z, N, A, M_MeV, *, magnetic_moment_muB=0.0, **charge_options
):
    """dsigma/dT in cm^2/keV for one nucleus (Z, N, A, mass M) at recoil T and energy E.

    Zero above T_max. Broadcasts over T and E. ``charge_options`` go to
    :func:`coherent_charge` (sin2w, scheme, form_factor_model, neutron_skin_fm,
    eps_u, eps_d).
    """
    T = np.asarray(T_keV, dtype=float)
    E = np.asarray(E_MeV, dtype=float)
    T_MeV = T * 1e-3
    q_charge, f_p = coherent_charge(T, Z, N, A, M_MeV, **charge_options)
    kin = 1.0 - M_MeV * T_MeV / (2 * E**2) - T_MeV / E + T_MeV**2 / (2 * E**2)
    allowed = (T >= 0) & (T <= max_recoil_keV(E, M_MeV))
    sigma = sm_prefactor_cm2_per_keV(M_MeV) * q_charge**2 * kin
    if magnetic_moment_muB:
        with np.errstate(divide="ignore"):
            em = 1.0 / T - 1e-3 / E + T * 1e-6 / (4 * E**2)  # per keV
        sigma = (
            sigma + np.pi * C.ELECTRON_RADIUS_cm**2 * magnetic_moment_muB**2 * (Z * f_p) ** 2 * em
        )
    return np.where(allowed, np.maximum(sigma, 0.0), 0.0)


def total_cross_section(E_MeV, Z, N, A, M_MeV, *, threshold_keV=0.0, **options):
    """sigma(E) in cm^2: dsigma/dT integrated from ``threshold_keV`` to T_max.

    128-point Gauss-Legendre in T. With a magnetic moment the integral diverges as
    log(T) at T -> 0, so a positive threshold is then required.

    >>> from cevns_widgets.physics.nuclei import make_target
    >>> ar = make_target("40Ar").isotopes[0]   # SNOwGLoBES table at 29.78 MeV: 1.4179e-39
    >>> f"{total_cross_section(29.78, ar.Z, ar.N, ar.A, ar.mass_MeV, sin2w=0.231):.4e}"
    '1.4175e-39'
    """
    if options.get("magnetic_moment_muB") and threshold_keV <= 0:
        raise ValueError("with a magnetic moment the total cross section needs threshold_keV > 0")
    E = np.atleast_1d(np.asarray(E_MeV, dtype=float))
    t_max = max_recoil_keV(E, M_MeV)
    lo = np.minimum(threshold_keV, t_max)
    half = 0.5 * (t_max - lo)
    T = lo[:, None] + half[:, None] * (_GL_NODES[None, :] + 1.0)
    ds = differential_cross_section(T, E[:, None], Z, N, A, M_MeV, **options)
    sigma = half * (ds @ _GL_WEIGHTS)
    return sigma if np.ndim(E_MeV) else float(sigma[0])
