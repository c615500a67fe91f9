r"""Event rates: the fold of source, target, cross section and detector response.

Stages, each cached on exactly the inputs it depends on, so a slider recomputes only
what it changes (see ``notes/architecture.md``):

1. :func:`recoil_spectra` -- dN/dT per element and flavour, per kg of target and per
   unit fluence (neutrinos/cm^2) of each flavour. Depends on target, physics knobs and,
   only when a sterile neutrino is on, on the distance. Its physics-independent part (the
   recoil grid, the source's tail moments at E_min(T) and the kinematic factor) is cached
   per target and source in ``_kinematics``, so a physics knob recomputes only the form
   factor and the couplings.
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

import math
from dataclasses import dataclass, field
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
from .response import (
    CSI_2021_GAMMA_B,
    PE_UNIT_BINS,
    Response,
    efficiency_curve,
    gamma_pe_bin_matrix,
    gaussian_bin_matrix,
    pe_bin_lower_edges,
    poisson_bin_matrix,
    poisson_matrix,
)
from .sources import get_source

RECOIL_GRID_POINTS = 500
#: The default ``source`` argument: the SNS, whose spectra take no inputs.
SNS_SOURCE = ("sns", ())


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
    neutron_skin_fm: float = 0.0  # fm, added to each isotope's default neutron rms radius
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
    """dN/dT (events / keV / kg / (nu/cm^2)) on ``T_keV`` per flavour: ``by_flavor`` per
    element (what the response folds), ``by_isotope`` per isotope (``isotope_labels``)."""

    T_keV: np.ndarray
    element_Z: np.ndarray
    element_A: np.ndarray
    element_labels: tuple[str, ...]
    by_flavor: dict  # flavour -> array (n_elements, n_T)
    isotope_labels: tuple[str, ...] = ()
    by_isotope: dict | None = None  # flavour -> array (n_isotopes, n_T)

    def total(self, flavor=None) -> np.ndarray:
        """Sum over elements (and over flavours when ``flavor`` is None)."""
        flavors = tuple(self.by_flavor) if flavor is None else (flavor,)
        return sum(self.by_flavor[f].sum(axis=0) for f in flavors)


def recoil_grid_keV(t_max_keV, kinks_keV=(), n: int = RECOIL_GRID_POINTS) -> np.ndarray:
    """Recoil grid from 0 to ``t_max_keV``, denser at low T (quadratic spacing), with the
    kinks of the spectrum (T_max of each line) inserted as nodes.

    ``t_max_keV`` may be a sequence of ranges (one per group of isotopes, see
    :func:`scale_groups`): the grid is then the union of one quadratic grid per range, so
    every isotope has ``n`` points over its own recoil range, however light the others.
    """
    u2 = _GRID_U2 if n == RECOIL_GRID_POINTS else np.linspace(0.0, 1.0, n) ** 2
    tops = np.atleast_1d(np.asarray(t_max_keV, dtype=float))
    t_max_keV = float(tops.max())
    grid = np.concatenate([*(t * u2 for t in tops), np.asarray(kinks_keV, dtype=float)])
    grid = np.sort(grid[(grid >= 0) & (grid <= t_max_keV)])
    # Sorted unique values (what np.unique returns, without its overhead).
    keep = np.empty(grid.size, dtype=bool)
    keep[:1] = True
    np.not_equal(grid[1:], grid[:-1], out=keep[1:])
    return grid[keep]


_GRID_U2 = np.linspace(0.0, 1.0, RECOIL_GRID_POINTS) ** 2
#: Bins per group of elements of the Gaussian-resolution (keVee) response.
GAUSSIAN_BINS = 400


def _quadratic_grid(tops, n: int) -> np.ndarray:
    """Sorted union of ``top * (i / (n - 1))**2``, i = 0..n-1, over ``tops``."""
    u2 = np.linspace(0.0, 1.0, n) ** 2
    return np.unique(np.concatenate([t * u2 for t in tops]))


#: Ranges within this factor of a larger one share its grid (a quadratic grid puts
#: n sqrt(1/2) = 71 % of its points below half its range).
SCALE_GROUP_FACTOR = 2.0


def scale_groups(ranges, factor: float = SCALE_GROUP_FACTOR) -> list[float]:
    """The largest of each group of ``ranges`` lying within ``factor`` of one another.

    Used to size grids: CsI (Cs and I end within 5 %) needs one grid, HI (H ends at
    5 MeV, I at 47 keV) two.

    >>> scale_groups([46.0, 48.0]), scale_groups([5300.0, 47.0])
    ([48.0], [5300.0, 47.0])
    """
    out: list[float] = []
    for r in sorted((float(r) for r in np.ravel(ranges) if r > 0), reverse=True):
        if not out or r * factor < out[-1]:
            out.append(r)
    return out


@dataclass(frozen=True, eq=False)
class _Kinematics:
    """Everything in the recoil spectrum that does not depend on the physics knobs: the
    recoil grid, the source's tail moments at E_min(T) and the kinematic factor, per
    isotope (rows), plus how isotopes group into elements."""

    T: np.ndarray  # (n_T,) keV
    Z: np.ndarray  # (n_iso, 1)
    N: np.ndarray
    A: np.ndarray
    M: np.ndarray  # (n_iso, 1) MeV
    weight: np.ndarray  # (n_iso, 1) nuclei per kg
    prefactor: np.ndarray  # (n_iso, 1) G_F^2 M / (4 pi), cm^2/keV
    kin: dict  # flavour -> (n_iso, n_T): max(I0 - T I1 + (T^2/2 - M T/2) I2, 0)
    moments: dict  # flavour -> (I0, I1, I2), for the magnetic-moment term
    element_Z: np.ndarray
    element_A: np.ndarray
    element_labels: tuple[str, ...]
    element_members: tuple[tuple[int, ...], ...]  # isotope rows of each element
    isotope_labels: tuple[str, ...]


@lru_cache(maxsize=64)
def _kinematics(target_name: str, source: tuple, oscillation: tuple | None) -> _Kinematics:
    """The physics-independent part of :func:`recoil_spectra` for a target and source
    (``oscillation`` = (distance_m, dm2_eV2, sin2_2theta) or None)."""
    target = make_target(target_name)
    name, key = source
    src = get_source(name)
    spectra = src.spectra_at_detector(key, oscillation)
    masses = target.mass_MeV
    M = masses[:, None]
    e_max = max(s.max_energy_MeV for s in spectra.values())
    kinks = [max_recoil_keV(e, masses) for s in spectra.values() for e in s.line_energies_MeV]
    # One quadratic grid per group of isotopes with similar recoil ranges (their union):
    # sized for the lightest alone, the grid would leave a heavy partner few points. A
    # source spanning decades in energy adds the ranges of its grid energies.
    energies = [e_max, *(e for e in src.grid_energies_MeV if e < e_max)]
    T = recoil_grid_keV(
        scale_groups(np.concatenate([max_recoil_keV(e, masses) for e in energies])),
        np.concatenate(kinks) if kinks else (),
    )
    Tm = T[None, :] * 1e-3  # MeV
    e_min = min_neutrino_energy_MeV(T[None, :], M)
    kin, moments = {}, {}
    for flavor, spectrum in spectra.items():
        i0, i1, i2 = spectrum.tail_moments(e_min)
        kin[flavor] = np.maximum(i0 - Tm * i1 + (0.5 * Tm**2 - 0.5 * M * Tm) * i2, 0.0)
        moments[flavor] = (i0, i1, i2)
    # Group isotopes by element: the response (quenching) depends on the element only.
    z_list = [iso.Z for iso in target.isotopes]
    z_values = sorted(set(z_list))
    members = tuple(tuple(i for i, z in enumerate(z_list) if z == zv) for zv in z_values)
    per, mass_numbers = np.asarray(target.per_formula_unit), target.A
    mean_A = [np.sum(per[list(m)] * mass_numbers[list(m)]) / np.sum(per[list(m)]) for m in members]
    labels = tuple(target.isotopes[m[0]].symbol for m in members)
    # Shared by every cached result built on them: make them read-only.
    for array in (T, *kin.values(), *(a for trio in moments.values() for a in trio)):
        array.flags.writeable = False
    return _Kinematics(
        T=T,
        Z=target.Z[:, None],
        N=target.N[:, None],
        A=target.A[:, None],
        M=M,
        weight=target.nuclei_per_kg()[:, None],
        prefactor=sm_prefactor_cm2_per_keV(M),
        kin=kin,
        moments=moments,
        element_Z=np.array(z_values, dtype=float),
        element_A=np.array(mean_A),
        element_labels=labels,
        element_members=members,
        isotope_labels=tuple(iso.label for iso in target.isotopes),
    )


def _sum_by_element(arr: np.ndarray, members) -> np.ndarray:
    """Rows of ``arr`` (isotopes) summed into elements, in isotope order."""
    if all(len(m) == 1 for m in members):
        if len(members) == 1:
            return arr
        return np.take(arr, [m[0] for m in members], axis=0)
    out = np.empty((len(members), arr.shape[1]))
    for g, m in enumerate(members):
        out[g] = arr[m[0]]
        for i in m[1:]:
            out[g] += arr[i]
    return out


@lru_cache(maxsize=64)
def recoil_spectra(
    target_name: str,
    physics: PhysicsParams = PhysicsParams(),
    distance_m: float | None = None,
    source: tuple = SNS_SOURCE,
) -> RecoilSpectra:
    """Recoil spectra per kg and unit fluence of each component of ``source`` = (name,
    spectrum key) (see ``sources/base.py``); ``distance_m`` matters only with a sterile
    neutrino (pass None otherwise, so the cache is shared across distances)."""
    oscillation = (
        (distance_m or 0.0, physics.sterile_dm2_eV2, physics.sterile_sin2_2theta)
        if physics.oscillates
        else None
    )
    k = _kinematics(target_name, source, oscillation)
    lepton_of = get_source(source[0]).component_lepton
    T = k.T
    charges = {}
    # "x": flavours mixed or unknown at the detector (the Sun, a supernova): SM charge only.
    for lepton in sorted(set(lepton_of.values())):
        if lepton == "x":
            eps_u = eps_d = 0.0
        else:
            eps_u = getattr(physics, f"eps_u_{lepton}{lepton}")
            eps_d = getattr(physics, f"eps_d_{lepton}{lepton}")
        key = (eps_u, eps_d)
        if key not in charges:
            q_charge, f_p = coherent_charge(
                T[None, :],
                k.Z,
                k.N,
                k.A,
                k.M,
                sin2w=physics.sin2w,
                scheme=physics.couplings,
                form_factor_model=physics.form_factor,
                neutron_skin_fm=physics.neutron_skin_fm,
                eps_u=eps_u,
                eps_d=eps_d,
            )
            charges[key] = (k.prefactor * q_charge**2, f_p)
        charges[lepton] = charges[key]
    mm = physics.magnetic_moment_muB
    by_element, by_isotope = {}, {}
    for flavor, kin in k.kin.items():
        coherent, f_p = charges[lepton_of[flavor]]
        rate = coherent * kin
        if mm:
            i0, i1, i2 = k.moments[flavor]
            with np.errstate(divide="ignore", invalid="ignore"):
                em = (
                    np.where(T > 0, i0 / np.where(T > 0, T, 1.0), 0.0)
                    - 1e-3 * i1
                    + (0.25e-6 * T * i2)
                )
            rate = rate + np.pi * C.ELECTRON_RADIUS_cm**2 * mm**2 * (k.Z * f_p) ** 2 * np.maximum(
                em, 0.0
            )
        by_isotope[flavor] = k.weight * rate
        by_element[flavor] = _sum_by_element(by_isotope[flavor], k.element_members)
    return RecoilSpectra(
        T, k.element_Z, k.element_A, k.element_labels, by_element, k.isotope_labels, by_isotope
    )


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
    a threshold t counts n >= ceil(t). PE nodes are the integer lower edges of PE bins: one
    PE wide up to ``PE_UNIT_BINS`` (all of them unless the detector is bright), wider above,
    where the tail is interpolated linearly between nodes.
    """

    observable: str
    nodes: np.ndarray
    density: dict
    tail: dict
    discrete: bool
    #: Number of leading nodes 0, 1, 2, ... (unit PE bins), where the tail is read directly.
    _unit_nodes: int = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        n, unit = self.nodes, 0
        if self.discrete:
            unit = n.size if n[-1] == n.size - 1 else int(np.argmax(np.diff(n) > 1)) + 1
        object.__setattr__(self, "_unit_nodes", unit)

    def above(self, flavor: str, threshold, upper=None):
        """Events (per kg per unit fluence) with threshold <= x (< upper)."""
        scalar = (int, float)
        if isinstance(threshold, scalar) and (upper is None or isinstance(upper, scalar)):
            # Scalar fast path (a threshold slider): plain Python, same arithmetic.
            result = self._tail_at_scalar(flavor, float(threshold))
            if upper is not None:
                result = result - self._tail_at_scalar(flavor, float(upper))
            return np.float64(max(result, 0.0))
        result = self._tail_at(flavor, threshold)
        if upper is not None:
            result = result - self._tail_at(flavor, upper)
        return np.maximum(result, 0.0)

    def _tail_at_scalar(self, flavor, x: float) -> float:
        tail = self.tail[flavor]
        if self.discrete:
            if not math.isfinite(x):
                return float(self._tail_at(flavor, x))
            idx = math.ceil(max(x, 0.0) - 1e-9)
            if idx < self._unit_nodes:  # unit PE bins: exact
                return float(tail[idx])
            if self._unit_nodes == tail.size:
                return 0.0
            # Past the unit bins (wider PE bins of a bright detector) or past the end.
            return float(np.interp(idx, self.nodes, tail, right=0.0))
        return float(np.interp(x, self.nodes, tail, left=tail[0], right=0.0))

    def _tail_at(self, flavor, x):
        x = np.asarray(x, dtype=float)
        tail = self.tail[flavor]
        if self.discrete:
            # Clip before the cast: an infinite threshold counts nothing.
            idx = np.ceil(np.clip(x, 0.0, self.nodes[-1] + 1.0) - 1e-9).astype(int)
            if self._unit_nodes != tail.size:  # wider PE bins above PE_UNIT_BINS
                return np.interp(idx, self.nodes, tail, right=0.0)
            padded = np.append(tail, 0.0)
            return padded[np.clip(idx, 0, tail.size)]
        return np.interp(x, self.nodes, tail, left=tail[0], right=0.0)


@lru_cache(maxsize=64)
def observed_spectra(
    target_name: str,
    physics: PhysicsParams,
    distance_m: float | None,
    response: Response,
    source: tuple = SNS_SOURCE,
) -> ObservedSpectra:
    """Apply ``response`` to :func:`recoil_spectra` (cached on both)."""
    rs = recoil_spectra(target_name, physics, distance_m, source)
    T = rs.T_keV
    obs = response.observable
    if obs == "keVnr" and not response.smeared:
        eff = efficiency_curve(response.efficiency, T)
        density = {f: a.sum(axis=0) * eff for f, a in rs.by_flavor.items()}
        tail = {f: _tail_from_density(T, d) for f, d in density.items()}
        return ObservedSpectra("keVnr", T, density, tail, discrete=False)

    means = np.array(
        [response.mean_observable(T, z, a) for z, a in zip(rs.element_Z, rs.element_A, strict=True)]
    )
    means = np.maximum.accumulate(np.maximum(means, 0.0), axis=1)  # keep the map monotone
    underflow_row = False
    gamma_pe = obs == "PE" and response.pe_smearing == "gamma-csi-2021"
    if gamma_pe:
        # Continuous PE (the release's gamma response): half-PE bins up to 6 sigma above
        # the largest mean (sigma/mean = (1 + b)^-1/2 shrinks with energy).
        top = float(means.max())
        shape_top = 1.0 + CSI_2021_GAMMA_B * top / response.light_yield_PE_per_keVee
        width = 0.5
        edges = np.arange(0.0, top * (1 + 6 / np.sqrt(shape_top)) + 10 + width, width)
        nodes = 0.5 * (edges[1:] + edges[:-1])

        def kernel(m):
            return gamma_pe_bin_matrix(edges, m, response.light_yield_PE_per_keVee)
    elif obs == "PE":
        n_max = int(np.ceil(means.max() + 6 * np.sqrt(means.max()) + 10))
        if n_max <= PE_UNIT_BINS:
            nodes = np.arange(n_max + 1, dtype=float)
            width = 1.0

            def kernel(m):
                return poisson_matrix(n_max, m)
        else:
            # A bright detector: unit bins up to PE_UNIT_BINS, then integer bins 1 % wide
            # up to n_max (the last one open-ended), so no event is lost at any light yield.
            nodes = pe_bin_lower_edges(n_max)
            width = np.append(np.diff(nodes), 1.0)

            def kernel(m):
                return poisson_bin_matrix(nodes, m)
    elif response.smeared:
        # Bins: the union of one quadratic grid per group of elements with similar ranges
        # (a bin width ~ sqrt(E), like sigma). A Gaussian can fall below 0 keVee: that
        # fraction is counted at 0 keVee (row 0 of the kernel, added to the tail at 0), so a
        # zero threshold counts every event; the last bin is open-ended.
        tops = [float(m[-1] + 5 * response.sigma_keVee(m[-1]) + 1) for m in means]
        edges = _quadratic_grid(scale_groups(tops), GAUSSIAN_BINS + 1)
        nodes = 0.5 * (edges[1:] + edges[:-1])
        width = np.diff(edges)
        kernel_edges = np.concatenate([[-np.inf], edges[:-1], [np.inf]])
        underflow_row = True

        def kernel(m):
            return gaussian_bin_matrix(kernel_edges, m, response.sigma_keVee(m))
    else:
        return _deterministic_observed(rs, means, response)
    flavors = tuple(rs.by_flavor)
    # (element, T, flavour), weighted for the trapezoid integral over T.
    weighted = np.stack([rs.by_flavor[f] for f in flavors], axis=-1)
    weighted *= _trapezoid_weights(T)[None, :, None]
    # Elements with the same mean response (e.g. Cs and I with one quenching factor)
    # share one smearing matrix; each matrix multiplies all flavours at once.
    folded = None
    for m, rows in _group_equal_rows(means):
        part = kernel(m) @ (weighted[rows[0]] if len(rows) == 1 else weighted[rows].sum(axis=0))
        folded = part if folded is None else folded + part
    eff = efficiency_curve(response.efficiency, nodes)
    if underflow_row:  # events below the first node, counted there
        underflow = folded[0] * efficiency_curve(response.efficiency, nodes[:1] - 0.5 * width[0])
        folded = folded[1:]
    density, tail = {}, {}
    for j, f in enumerate(flavors):
        counts = folded[:, j] * eff
        density[f] = counts / width
        tail[f] = np.cumsum(counts[::-1])[::-1]
        if underflow_row:
            tail[f][0] += underflow[j]
    if obs == "PE" and not gamma_pe:
        return ObservedSpectra(obs, nodes, density, tail, discrete=True)
    # Tail at the lower bin edge: shift nodes to the edges so interpolation is exact there.
    return ObservedSpectra(obs, nodes - 0.5 * width, density, tail, discrete=False)


def _group_equal_rows(means: np.ndarray):
    """(row, indices) for each distinct row of ``means``, in first-appearance order."""
    groups: list[tuple[np.ndarray, list[int]]] = []
    for i, m in enumerate(means):
        for row, members in groups:
            if np.array_equal(row, m):
                members.append(i)
                break
        else:
            groups.append((m, [i]))
    return groups


def _deterministic_observed(rs: RecoilSpectra, means: np.ndarray, response: Response):
    r"""keVee without smearing: quenching as an exact change of variable, per element.

    Each element maps T to :math:`E_{ee} = m(T)`, non-decreasing (``means``, one row per
    element on the recoil grid). The events at or above :math:`e` are those with
    :math:`T \ge T_e`, the smallest recoil with :math:`m(T) \ge e`:

    .. math:: N(E_{ee} \ge e) = \int_{T_e}^{\infty} \epsilon(m(T))\,\frac{dN}{dT}\,dT ,

    the recoil tail (trapezoid on the recoil grid, as in keVnr) read at :math:`T_e`. The
    nodes are the union of every element's :math:`m(T_i)`, where each element's tail is its
    recoil tail exactly; between nodes the tail is linear, as between recoil nodes. So a
    zero threshold counts every recoil, a flat stretch of :math:`m` (a map made monotone)
    piles its events at one :math:`E_{ee}`, and no element is squeezed into a few nodes of
    another's range. The density is :math:`(dN/dT)/(dm/dT)` on each segment.
    """
    T = rs.T_keV
    nodes = np.unique(means)
    density, tail = {}, {}
    for f, arr in rs.by_flavor.items():
        total_tail = np.zeros_like(nodes)
        total_density = np.zeros_like(nodes)
        for m, row in zip(means, arr, strict=True):
            kept = row * efficiency_curve(response.efficiency, m)
            tail_T = _tail_from_density(T, kept)
            # Segment [k-1, k] holds e: m[k-1] < e <= m[k] (its slope is > 0 by construction).
            k = np.searchsorted(m, nodes, side="left")
            inside = (k > 0) & (k < m.size)
            kk = np.where(inside, k, 1)
            dm = m[kk] - m[kk - 1]
            frac = np.where(inside, (nodes - m[kk - 1]) / np.where(inside, dm, 1.0), 0.0)
            t_e = T[kk - 1] + frac * (T[kk] - T[kk - 1])
            part = tail_T[kk - 1] + frac * (tail_T[kk] - tail_T[kk - 1])
            total_tail += np.where(inside, part, np.where(k == 0, tail_T[0], 0.0))
            per_ee = np.interp(t_e, T, kept) * (T[kk] - T[kk - 1]) / np.where(inside, dm, 1.0)
            total_density += np.where(inside, per_ee, 0.0)
        density[f] = total_density
        tail[f] = total_tail
    return ObservedSpectra("keVee", nodes, density, tail, discrete=False)


def convert_threshold(
    value: float,
    unit: str,
    response: Response,
    target_name: str,
    physics: PhysicsParams = PhysicsParams(),
) -> float:
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
        f"records {obs}: give the threshold in {obs}" + (" or keVnr" if obs != "keVnr" else "")
    )
