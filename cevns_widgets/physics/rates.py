r"""Event rates: the fold of source, target, cross section and detector response.

Stages, each cached on exactly the inputs it depends on, so a slider recomputes only
what it changes (see ``notes/architecture.md``):

1. :func:`recoil_spectra` -- dN/dT per element and flavour, per kg of target and per
   unit fluence (neutrinos/cm^2) of each flavour. Depends on target, physics knobs and,
   only when a sterile neutrino is on, on the distance.
2. :func:`observed_spectra` -- the same after the detector response, as a density in
   the observable and its tail integral (events at or above each observable value).
3. Exposure, mass and distance are a multiplication; a threshold or analysis window is
   an interpolation in the tail; a time window is a per-flavour factor.

The recoil spectrum uses the tail moments of the source (``sources/spectrum.py``):

.. math::

    \frac{dN}{dT} = n_T\,\Phi\,\frac{G_F^2 M}{4\pi}Q^2(q)
        \left[I_0 - T\,I_1 + \left(\frac{T^2}{2} - \frac{MT}{2}\right) I_2\right]_{E_{min}(T)}

plus the magnetic-moment term :math:`\pi r_e^2\mu_\nu^2 Z^2F_p^2[I_0/T - I_1 + T I_2/4]`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from . import constants as C
from .cross_sections import (
    coherent_charge,
    max_recoil_keV,
    min_neutrino_energy_MeV,
    sm_prefactor_cm2_per_keV,
)
from .nuclei import make_target
from .response import Response, efficiency_curve, gaussian_bin_matrix, poisson_matrix
from .sources import sns

RECOIL_GRID_POINTS = 500


@dataclass(frozen=True)
class PhysicsParams:
    """Physics knobs of the cross section and the source (all hashable).

    NSI are flavour-diagonal vector couplings to u and d quarks for nu_e (``_ee``) and
    nu_mu (``_mumu``); the magnetic moment is an effective one in Bohr magnetons for
    all flavours; the sterile neutrino is a 3+1 disappearance (Delta m^2, sin^2 2theta).
    """

    sin2w: float = C.SIN2W_LOW_ENERGY
    couplings: str = "tree"
    form_factor: str = "helm"
    neutron_rms_radius_fm: float | None = None
    eps_u_ee: float = 0.0
    eps_d_ee: float = 0.0
    eps_u_mumu: float = 0.0
    eps_d_mumu: float = 0.0
    magnetic_moment_muB: float = 0.0
    sterile_dm2_eV2: float = 0.0
    sterile_sin2_2theta: float = 0.0

    @property
    def oscillates(self) -> bool:
        return self.sterile_dm2_eV2 > 0 and self.sterile_sin2_2theta > 0


@dataclass(frozen=True, eq=False)
class RecoilSpectra:
    """dN/dT (events / keV / kg / (nu/cm^2)) on ``T_keV``, per element group and flavour."""

    T_keV: np.ndarray
    element_Z: np.ndarray
    element_A: np.ndarray
    element_labels: tuple[str, ...]
    by_flavor: dict  # flavour -> array (n_elements, n_T)

    def total(self, flavor=None) -> np.ndarray:
        """Sum over elements (and over flavours when ``flavor`` is None)."""
        flavors = sns.FLAVORS if flavor is None else (flavor,)
        return sum(self.by_flavor[f].sum(axis=0) for f in flavors)


def recoil_grid_keV(t_max_keV: float, kinks_keV=(), n: int = RECOIL_GRID_POINTS) -> np.ndarray:
    """Recoil grid from 0 to ``t_max_keV``, denser at low T (quadratic spacing), with the
    kinks of the spectrum (T_max of each line) inserted as nodes."""
    u = np.linspace(0.0, 1.0, n)
    grid = np.concatenate([t_max_keV * u**2, np.asarray(kinks_keV, dtype=float)])
    return np.unique(grid[(grid >= 0) & (grid <= t_max_keV)])


@lru_cache(maxsize=64)
def recoil_spectra(target_name: str, physics: PhysicsParams = PhysicsParams(),
                   distance_m: float | None = None) -> RecoilSpectra:
    """Recoil spectra per kg and unit fluence; ``distance_m`` matters only with a sterile
    neutrino (pass None otherwise, so the cache is shared across distances)."""
    target = make_target(target_name)
    spectra = sns.source_spectra(distance_m or 0.0, physics.sterile_dm2_eV2,
                                 physics.sterile_sin2_2theta) if physics.oscillates else (
        sns.flavor_spectra())
    M = target.mass_MeV[:, None]
    e_max = max(s.max_energy_MeV for s in spectra.values())
    kinks = [max_recoil_keV(e, target.mass_MeV) for s in spectra.values()
             for e in s.line_energies_MeV]
    T = recoil_grid_keV(float(max_recoil_keV(e_max, target.mass_MeV.min())),
                        np.concatenate(kinks) if kinks else ())
    Tm = T[None, :] * 1e-3  # MeV
    Z, N, A = target.Z[:, None], target.N[:, None], target.A[:, None]
    weight = target.nuclei_per_kg()[:, None]
    e_min = min_neutrino_energy_MeV(T[None, :], M)
    prefactor = sm_prefactor_cm2_per_keV(M)
    charges = {}
    for lepton in ("e", "mu"):
        eps_u = getattr(physics, f"eps_u_{lepton}{lepton}")
        eps_d = getattr(physics, f"eps_d_{lepton}{lepton}")
        key = (eps_u, eps_d)
        if key not in charges:
            charges[key] = coherent_charge(
                T[None, :], Z, N, A, M, sin2w=physics.sin2w, scheme=physics.couplings,
                form_factor_model=physics.form_factor,
                neutron_rms_radius_fm=physics.neutron_rms_radius_fm, eps_u=eps_u, eps_d=eps_d)
        charges[lepton] = charges[key]
    mm = physics.magnetic_moment_muB
    by_isotope = {}
    for flavor, spectrum in spectra.items():
        q_charge, f_p = charges[sns.FLAVOR_LEPTON[flavor]]
        i0, i1, i2 = spectrum.tail_moments(e_min)
        kin = i0 - Tm * i1 + (0.5 * Tm**2 - 0.5 * M * Tm) * i2
        rate = prefactor * q_charge**2 * np.maximum(kin, 0.0)
        if mm:
            with np.errstate(divide="ignore", invalid="ignore"):
                em = np.where(T > 0, i0 / np.where(T > 0, T, 1.0), 0.0) - 1e-3 * i1 + (
                    0.25e-6 * T * i2)
            rate = rate + np.pi * C.ELECTRON_RADIUS_cm**2 * mm**2 * (Z * f_p) ** 2 * np.maximum(
                em, 0.0)
        by_isotope[flavor] = weight * rate
    # Group isotopes by element: the response (quenching) depends on the element only.
    z_values, group = np.unique(target.Z, return_inverse=True)
    n_el = len(z_values)
    per = np.asarray(target.per_formula_unit)
    mean_A = np.array([np.sum(per[group == g] * target.A[group == g]) / np.sum(per[group == g])
                       for g in range(n_el)])
    labels = tuple(target.isotopes[int(np.argmax(group == g))].symbol for g in range(n_el))
    by_element = {}
    for flavor, arr in by_isotope.items():
        out = np.zeros((n_el, T.size))
        np.add.at(out, group, arr)
        by_element[flavor] = out
    return RecoilSpectra(T, z_values, mean_A, labels, by_element)


def _trapezoid_weights(x: np.ndarray) -> np.ndarray:
    dx = np.diff(x)
    w = np.zeros_like(x)
    w[:-1] += 0.5 * dx
    w[1:] += 0.5 * dx
    return w


def _tail_from_density(x: np.ndarray, density: np.ndarray) -> np.ndarray:
    """Integral of ``density`` from each node of ``x`` to the end (trapezoid)."""
    seg = 0.5 * (density[..., 1:] + density[..., :-1]) * np.diff(x)
    tail = np.zeros(density.shape)
    tail[..., :-1] = np.cumsum(seg[..., ::-1], axis=-1)[..., ::-1]
    return tail


@dataclass(frozen=True, eq=False)
class ObservedSpectra:
    """Spectra in the detector's observable, per kg and unit fluence, summed over elements.

    ``density[f]`` is dN/dx at ``nodes`` (per PE for integer PE nodes); ``tail[f]`` is the
    number of events with observable >= each node, after efficiency. PE are discrete:
    a threshold t counts n >= ceil(t).
    """

    observable: str
    nodes: np.ndarray
    density: dict
    tail: dict
    discrete: bool

    def above(self, flavor: str, threshold, upper=None):
        """Events (per kg per unit fluence) with threshold <= x (< upper)."""
        result = self._tail_at(flavor, threshold)
        if upper is not None:
            result = result - self._tail_at(flavor, upper)
        return np.maximum(result, 0.0)

    def _tail_at(self, flavor, x):
        x = np.asarray(x, dtype=float)
        tail = self.tail[flavor]
        if self.discrete:
            idx = np.ceil(np.maximum(x, 0.0) - 1e-9).astype(int)
            padded = np.append(tail, 0.0)
            return padded[np.clip(idx, 0, tail.size)]
        return np.interp(x, self.nodes, tail, left=tail[0], right=0.0)


@lru_cache(maxsize=64)
def observed_spectra(target_name: str, physics: PhysicsParams, distance_m: float | None,
                     response: Response) -> ObservedSpectra:
    """Apply ``response`` to :func:`recoil_spectra` (cached on both)."""
    rs = recoil_spectra(target_name, physics, distance_m)
    T = rs.T_keV
    obs = response.observable
    if obs == "keVnr" and response.resolution_a is None:
        eff = efficiency_curve(response.efficiency, T)
        density = {f: a.sum(axis=0) * eff for f, a in rs.by_flavor.items()}
        tail = {f: _tail_from_density(T, d) for f, d in density.items()}
        return ObservedSpectra("keVnr", T, density, tail, discrete=False)

    means = np.array([response.mean_observable(T, z, a)
                      for z, a in zip(rs.element_Z, rs.element_A, strict=True)])
    means = np.maximum.accumulate(np.maximum(means, 0.0), axis=1)  # keep the map monotone
    weights = _trapezoid_weights(T)
    if obs == "PE":
        n_max = int(min(np.ceil(means.max() + 6 * np.sqrt(means.max()) + 10), 2000))
        nodes = np.arange(n_max + 1, dtype=float)
        matrices = [poisson_matrix(n_max, m) for m in means]
        width = 1.0
    elif response.resolution_a is not None:
        top = means.max() + 5 * response.resolution_a * np.sqrt(means.max()) + 1
        width = max(top / 400.0, 0.05)
        edges = np.arange(0.0, top + width, width)
        nodes = 0.5 * (edges[1:] + edges[:-1])
        matrices = [gaussian_bin_matrix(edges, m, response.resolution_a * np.sqrt(m))
                    for m in means]
    else:
        return _deterministic_observed(rs, means, response)
    eff = efficiency_curve(response.efficiency, nodes)
    density, tail = {}, {}
    for f, arr in rs.by_flavor.items():
        counts = sum(mat @ (row * weights) for mat, row in zip(matrices, arr, strict=True))
        counts = counts * eff
        density[f] = counts / width
        tail[f] = np.cumsum(counts[::-1])[::-1]
    if obs == "PE":
        return ObservedSpectra(obs, nodes, density, tail, discrete=True)
    # Tail at the lower bin edge: shift nodes to the edges so interpolation is exact there.
    return ObservedSpectra(obs, nodes - 0.5 * width, density, tail, discrete=False)


def _deterministic_observed(rs: RecoilSpectra, means: np.ndarray, response: Response):
    """keVee without smearing: each element maps T to E_ee monotonically."""
    top = float(means.max())
    nodes = np.linspace(0.0, top, 600)
    eff = efficiency_curve(response.efficiency, nodes)
    density, tail = {}, {}
    for f, arr in rs.by_flavor.items():
        total = np.zeros_like(nodes)
        for m, row in zip(means, arr, strict=True):
            # dN/dE_ee = dN/dT / (dE_ee/dT), evaluated at T(E_ee) for this element.
            slope = np.gradient(m, rs.T_keV)
            with np.errstate(divide="ignore", invalid="ignore"):
                per_ee = np.where(slope > 0, row / slope, 0.0)
            total += np.interp(nodes, m, per_ee, left=0.0, right=0.0)
        density[f] = total * eff
        tail[f] = _tail_from_density(nodes, density[f])
    return ObservedSpectra("keVee", nodes, density, tail, discrete=False)


def convert_threshold(value: float, unit: str, response: Response, target_name: str,
                      physics: PhysicsParams = PhysicsParams()) -> float:
    """Express a threshold given in keVnr, keVee or PE in the detector's observable.

    keVnr converts through the mean response of the heaviest element (for CsI, Cs), as
    thresholds are quoted in the literature; keVee converts to PE with the light yield.
    """
    obs = response.observable
    if unit == obs:
        return float(value)
    if unit == "keVnr":
        rs = recoil_spectra(target_name, physics, None)
        z, a = rs.element_Z[-1], rs.element_A[-1]
        return float(response.mean_observable(np.array([float(value)]), z, a)[0])
    if unit == "keVee" and obs == "PE":
        return float(value) * response.light_yield_PE_per_keVee
    raise ValueError(
        f"a threshold in {unit} needs a detector that records {unit}, but this one "
        f"records {obs}: give the threshold in {obs}"
        + (" or keVnr" if obs != "keVnr" else "")
    )
