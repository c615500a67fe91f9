r"""Nuclear weak form factors F(q), normalised to F(0) = 1.

Momentum transfer q in fm^-1 (q = sqrt(2 M T + T^2) / (hbar c)). Each model has a
standard size parametrisation in A; passing ``rms_radius_fm`` rescales the size while
keeping the surface thickness, which is how the neutron radius is varied: the neutron
distribution of every isotope gets the model's own radius plus one neutron skin,
R_n = rms_radius_fm(model, A) + neutron_skin_fm (:func:`neutron_rms_radius_fm`).

Neutron skin range :data:`NEUTRON_SKIN_RANGE_fm` = [-0.1, 2.0] fm. Measured skins run from
about -0.05 fm (N = Z nuclei, where Coulomb repulsion pushes the protons out) to +0.28 fm
(208Pb, PREX-II, PRL 126 (2021) 172502); the upper end covers R_n(Cs, I) = 5.5 (+0.9/-1.1)
fm fitted to COHERENT 2017 data (Cadeddu et al., PRL 120 (2018) 072501, arXiv:1710.02730),
a skin of about +0.7 (up to +1.6) fm on the Helm radius 4.8 fm of 133Cs. The lower end
keeps every model valid for every nucleus with neutrons: the symmetrized Fermi radius of
2H (2.07 fm) is the tightest, at 0.13 fm above that model's smallest rms radius
(sqrt(7/5) pi a = 1.93 fm). A nucleus without neutrons (1H) keeps the default radius.

Models (REFERENCE.md sec. 4):

* ``helm``: Helm with the Lewin & Smith parameters, Astropart. Phys. 6 (1996) 87, eq. 4.7,
  :math:`F = 3\,j_1(qR_1)/(qR_1)\,e^{-q^2 s^2/2}`, s = 0.9 fm, a = 0.52 fm,
  c = 1.23 A^{1/3} - 0.60 fm, :math:`R_1^2 = c^2 + \tfrac73\pi^2a^2 - 5s^2`;
  :math:`\langle r^2\rangle = \tfrac35 R_1^2 + 3s^2`.
* ``klein-nystrand``: Klein & Nystrand, PRC 60 (1999) 014903,
  :math:`F = 3\,j_1(qR_A)/(qR_A)\,/(1 + a_k^2q^2)`, a_k = 0.7 fm, R_A = 1.2 A^{1/3} fm;
  :math:`\langle r^2\rangle = \tfrac35R_A^2 + 6a_k^2`.
* ``fermi``: symmetrized Fermi, Sprung & Martorell, J. Phys. A 30 (1997) 6525, eq. (3.9),
  with c and a as for Helm; :math:`\langle r^2\rangle = \tfrac35c^2 + \tfrac75\pi^2a^2`.
* ``none``: F = 1 (the point-nucleus, fully coherent limit).
"""

from __future__ import annotations

import numpy as np

FORM_FACTOR_MODELS = ("helm", "klein-nystrand", "fermi", "none")
FORM_FACTOR_LABELS = {
    "helm": "Helm (Lewin-Smith)",
    "klein-nystrand": "Klein-Nystrand",
    "fermi": "symmetrized Fermi",
    "none": "none (F = 1)",
}

HELM_SKIN_fm = 0.9
SURFACE_A_fm = 0.52
KN_RANGE_fm = 0.7

#: Allowed neutron skin (fm), added to each isotope's default rms radius (see above).
NEUTRON_SKIN_RANGE_fm = (-0.1, 2.0)


def _three_j1_over_x(x):
    """3 j1(x) / x, with its Taylor series near 0 where the closed form cancels."""
    x = np.asarray(x, dtype=float)
    small = np.abs(x) < 1e-3
    xs = np.where(small, 1.0, x)
    exact = 3.0 * (np.sin(xs) - xs * np.cos(xs)) / xs**3
    return np.where(small, 1.0 - x**2 / 10.0, exact)


def _lewin_smith_c(A):
    return 1.23 * np.asarray(A, dtype=float) ** (1.0 / 3.0) - 0.60


def _size_from_rms(rms_radius_fm, diffuse_part_fm2, name):
    r2 = np.asarray(rms_radius_fm, dtype=float) ** 2 - diffuse_part_fm2
    if np.any(r2 <= 0):
        raise ValueError(
            f"rms radius too small for the {name} form factor: it must exceed "
            f"{np.sqrt(np.max(diffuse_part_fm2)):.2f} fm"
        )
    return np.sqrt(5.0 / 3.0 * r2)


def helm_radius_fm(A, rms_radius_fm=None):
    """Helm diffraction radius R_1 (fm), from A or from an rms radius."""
    s, a = HELM_SKIN_fm, SURFACE_A_fm
    if rms_radius_fm is not None:
        return _size_from_rms(rms_radius_fm, 3 * s**2, "helm")
    c = _lewin_smith_c(A)
    return np.sqrt(c**2 + 7.0 / 3.0 * np.pi**2 * a**2 - 5 * s**2)


def helm(q_fm, A, rms_radius_fm=None):
    """Helm form factor (Lewin & Smith 1996, eq. 4.7).

    >>> float(helm(0.0, 133))
    1.0
    >>> round(float(helm(0.3, 133)), 4)
    0.6967
    """
    q = np.asarray(q_fm, dtype=float)
    r1 = helm_radius_fm(A, rms_radius_fm)
    return _three_j1_over_x(q * r1) * np.exp(-0.5 * (q * HELM_SKIN_fm) ** 2)


def klein_nystrand(q_fm, A, rms_radius_fm=None):
    """Klein-Nystrand form factor (PRC 60 (1999) 014903): hard sphere (x) Yukawa."""
    q = np.asarray(q_fm, dtype=float)
    if rms_radius_fm is None:
        r_a = 1.2 * np.asarray(A, dtype=float) ** (1.0 / 3.0)
    else:
        r_a = _size_from_rms(rms_radius_fm, 6 * KN_RANGE_fm**2, "klein-nystrand")
    return _three_j1_over_x(q * r_a) / (1.0 + (KN_RANGE_fm * q) ** 2)


def symmetrized_fermi(q_fm, A, rms_radius_fm=None):
    r"""Symmetrized Fermi form factor (Sprung & Martorell 1997).

    .. math:: F(q) = \frac{3}{qc\,[(qc)^2 + (\pi qa)^2]}\,
              \frac{\pi qa}{\sinh \pi qa}
              \left[\frac{\pi qa}{\tanh \pi qa}\sin qc - qc\cos qc\right]
    """
    q = np.asarray(q_fm, dtype=float)
    a = SURFACE_A_fm
    if rms_radius_fm is None:
        c = _lewin_smith_c(A)
    else:
        c = _size_from_rms(rms_radius_fm, 7.0 / 5.0 * np.pi**2 * a**2, "fermi")
    # Below q = 1e-3 fm^-1 the bracket cancels to O(q^3): use F = 1 - q^2 <r^2> / 6 there.
    small = q < 1e-3
    qs = np.where(small, 1e-3, q)
    qc, pqa = qs * c, np.pi * qs * a
    value = (
        3.0
        / (qc * (qc**2 + pqa**2))
        * (pqa / np.sinh(pqa))
        * (pqa / np.tanh(pqa) * np.sin(qc) - qc * np.cos(qc))
    )
    r2 = 0.6 * c**2 + 1.4 * np.pi**2 * a**2
    return np.where(small, 1.0 - q**2 * r2 / 6.0, value)


def form_factor(model: str, q_fm, A, rms_radius_fm=None):
    """Evaluate the named model; ``model`` is one of :data:`FORM_FACTOR_MODELS`."""
    if model == "helm":
        return helm(q_fm, A, rms_radius_fm)
    if model == "klein-nystrand":
        return klein_nystrand(q_fm, A, rms_radius_fm)
    if model == "fermi":
        return symmetrized_fermi(q_fm, A, rms_radius_fm)
    if model == "none":
        return np.ones(np.broadcast(np.asarray(q_fm), np.asarray(A)).shape)
    raise ValueError(
        f"unknown form factor {model!r}; choose one of {', '.join(FORM_FACTOR_MODELS)}"
    )


def rms_radius_fm(model: str, A) -> np.ndarray:
    """Default rms radius (fm) of each model's distribution for mass number A."""
    A = np.asarray(A, dtype=float)
    a, s = SURFACE_A_fm, HELM_SKIN_fm
    if model == "helm":
        return np.sqrt(0.6 * helm_radius_fm(A) ** 2 + 3 * s**2)
    if model == "klein-nystrand":
        return np.sqrt(0.6 * (1.2 * A ** (1 / 3)) ** 2 + 6 * KN_RANGE_fm**2)
    if model == "fermi":
        return np.sqrt(0.6 * _lewin_smith_c(A) ** 2 + 1.4 * np.pi**2 * a**2)
    if model == "none":
        return np.zeros_like(A)
    raise ValueError(
        f"unknown form factor {model!r}; choose one of {', '.join(FORM_FACTOR_MODELS)}"
    )


def neutron_rms_radius_fm(model: str, A, N, neutron_skin_fm: float = 0.0) -> np.ndarray:
    """Neutron rms radius (fm) of each isotope: R_n = rms_radius_fm(model, A) + skin.

    A nucleus with N = 0 (1H) has no neutron distribution and keeps the default radius,
    so that the skin's lower bound need not respect it. Model ``none`` has radius 0.

    >>> [round(float(r), 2) for r in neutron_rms_radius_fm("helm", [23, 133], [12, 78], 0.7)]
    [3.66, 5.5]
    """
    default = rms_radius_fm(model, A)
    if model == "none":
        return default
    has_neutrons = np.asarray(N) > 0
    return np.where(has_neutrons, default + neutron_skin_fm, default)


def heaviest_neutron_radius_fm(target, model: str, neutron_skin_fm: float = 0.0):
    """(element symbol, R_n in fm) of the heaviest isotope of a
    :class:`~cevns_widgets.physics.nuclei.Target`: what the skin does to the nucleus that
    dominates the rate (R_n(Cs) in CsI). For model ``none`` the helm radius is shown."""
    iso = max(target.isotopes, key=lambda i: (i.A, i.Z))
    shown = model if model != "none" else "helm"
    skin = neutron_skin_fm if model != "none" else 0.0
    return iso.symbol, float(neutron_rms_radius_fm(shown, iso.A, iso.N, skin))
