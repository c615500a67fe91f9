"""Allowed regions of vector non-standard interactions (eps_ee^uV, eps_ee^dV) from the data.

For every pair of couplings the CEvNS template is our own physics with those couplings,
and the profile likelihood of :mod:`cevns_widgets.stats.csi2017` is maximised over all
nuisances at that point: the CEvNS normalisation (flux 10 %, form factor 5 %, efficiency
5 %, combined in quadrature into one Gaussian prior of 12.2 %), the quenching factor
(a shift of the PE scale), the prompt-neutron normalisation (25 %), the beam-off ratio and
the steady-state background of every cell.

Speed: with only eps_ee the muon flavours do not change, and the nu_e weak charge of each
isotope is linear in the couplings, ``Q = Q_SM + (N + 2Z) eps_u + (2N + Z) eps_d`` (times
the form factor), so its rate, and after the linear detector response its PE spectrum, is
a quadratic form in ``(eps_u, eps_d)``. The nu_e template is computed at six coupling
points (on the quenching grid) and every other point is the exact combination of those
six; the profile is one vectorised Newton iteration over all points at once
(``benchmarks/bench_stats.py``).

Two bands: the rate depends on the couplings mainly through ``Q^2``, so the data allow a
band around the Standard Model (``Q`` near ``Q_SM``) and a second band where the nu_e
weak charge has flipped sign (``Q`` near ``-Q_SM``), for CsI near eps_u = 0.4 on the
eps_d = 0 axis (REFERENCE section 11; COHERENT, Science 2017, Fig. 4).

Datasets: ``coherent-csi-2017`` (above); ``coherent-lar-2020``, the analysis-A likelihood
of :mod:`cevns_widgets.stats.profiles` (the release's CEvNS PDF reweighted cell by cell by
our nu_e spectrum at the couplings, the same six-point basis, every nuisance profiled by
the vectorised Newton iteration of :class:`~cevns_widgets.stats._batch.LArBatch`; about
1 ms per point, so its default grid is 51 x 51); and ``coherent-csi-2017+coherent-lar-2020``
(the sum of both -2 ln L, independent nuisances except the SNS flux, one shared pull
profiled on the nodes :data:`COMBINED_FLUX_PULLS` with a parabola; default 41 x 41).
Timings in ``benchmarks/bench_stats.py``.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache

import numpy as np

from ..scenario import ScenarioError, check_number
from . import csi2017
from .fit import check_dataset

#: -2 delta lnL for two parameters at 68 %, 90 %, 95 % and 99 % (chi^2 with 2 dof).
DELTA_CHI2_2DOF = {0.68: 2.279, 0.90: 4.605, 0.95: 5.991, 0.99: 9.210}
#: Datasets of the scan, and the default number of grid points per axis for each.
NSI_DATASETS = (csi2017.NAME, "coherent-lar-2020", "coherent-csi-2017+coherent-lar-2020")
DEFAULT_POINTS = {NSI_DATASETS[0]: 101, NSI_DATASETS[1]: 51, NSI_DATASETS[2]: 41}
#: Shared flux pulls (sigma) profiled in the combined scan (a parabola through the best).
COMBINED_FLUX_PULLS = np.linspace(-2.0, 2.0, 5)
#: The six coupling points the quadratic basis is evaluated at.
BASIS_POINTS = ((0.0, 0.0), (0.5, 0.0), (-0.5, 0.0), (0.0, 0.5), (0.0, -0.5), (0.5, 0.5))


def _monomials(eu, ed):
    eu, ed = np.asarray(eu, dtype=float), np.asarray(ed, dtype=float)
    return np.stack([np.ones_like(eu), eu, ed, eu * eu, eu * ed, ed * ed], axis=-1)


#: Maps the templates at the six basis points to the six quadratic coefficients.
_INVERSE = np.linalg.inv(_monomials(*np.array(BASIS_POINTS).T))


def basis_weights(eps_u, eps_d) -> np.ndarray:
    """Weights ``w`` with ``template(eps_u, eps_d) = sum_k w_k template(basis point k)``."""
    return _monomials(eps_u, eps_d) @ _INVERSE


@dataclass(frozen=True, eq=False)
class NSIModel:
    likelihood: object
    sm_events: float


@cache
def nsi_model(dataset: str) -> NSIModel:
    """The likelihood with components: prompt nu_mu, delayed anti-nu_mu, and the delayed nu_e
    template at each of the six basis points (all in events, SM normalisation)."""
    check_dataset(dataset)  # the CsI 2017 (PE x time) model only
    base = csi2017.base_scenario()
    csi2017.check_scenario(base)
    reg = csi2017.region()
    prompt = csi2017.quenching_grid(base, ("prompt_numu",))
    numubar = csi2017.quenching_grid(base, ("delayed_numubar",))
    nue = [
        csi2017.quenching_grid(base.replace(eps_u_ee=u, eps_d_ee=d), ("delayed_nue",))
        for u, d in BASIS_POINTS
    ]
    grids = [prompt, numubar, *nue]
    like = csi2017.ProfileLikelihood(
        csi2017._with_unit_time(reg.data),
        csi2017.splines(grids, [True] + [False] * (len(grids) - 1)),
    )
    i0 = int(np.argmin(np.abs(csi2017.DELTA_NODES)))
    sm = float(prompt[i0].sum() + numubar[i0].sum() + nue[0][i0].sum())
    return NSIModel(likelihood=like, sm_events=sm)


def _component_weights(eu: np.ndarray, ed: np.ndarray) -> np.ndarray:
    w = basis_weights(eu, ed)
    ones = np.ones(eu.shape + (2,))
    return np.concatenate([ones, w], axis=-1)


@dataclass(frozen=True, eq=False)
class NSIScan:
    """``delta_chi2[i, j]`` at ``(eps_u[i], eps_d[j])``: -2 delta lnL against the best grid
    point, every nuisance profiled. ``cevns_events`` is the profiled CEvNS count there."""

    dataset: str
    eps_u: np.ndarray
    eps_d: np.ndarray
    delta_chi2: np.ndarray
    cevns_events: np.ndarray
    best: tuple[float, float]
    sm_delta_chi2: float
    converged: np.ndarray

    def allowed(self, cl: float = 0.90) -> np.ndarray:
        """Boolean map of the points inside the ``cl`` region (Wilks, 2 parameters)."""
        return self.delta_chi2 <= DELTA_CHI2_2DOF[cl]


def _grid(name: str, values) -> np.ndarray:
    arr = np.atleast_1d(np.asarray(values, dtype=float) if not isinstance(values, str) else [])
    if arr.ndim != 1 or arr.size == 0:
        raise ScenarioError(f"{name} must be a non-empty 1-D sequence of numbers", name)
    for v in (arr.min(), arr.max()):
        check_number(name, float(v))
    return arr


def nsi_scan(
    dataset: str = csi2017.NAME,
    eps_u_ee=None,
    eps_d_ee=None,
    *,
    chunk: int = 1276,
    workers: int | None = None,
) -> NSIScan:
    """Profile-likelihood map over ``eps_u_ee`` x ``eps_d_ee`` (default over [-1, 1] x
    [-1, 1], :data:`DEFAULT_POINTS` per axis: 101 for CsI, 51 for LAr, 41 combined).

    >>> s = nsi_scan("coherent-csi-2017", [0.0, 0.4], [0.0])
    >>> s.delta_chi2.shape
    (2, 1)
    """
    check_dataset(dataset, NSI_DATASETS)
    points = DEFAULT_POINTS[dataset]
    eu = _grid("eps_u_ee", np.linspace(-1, 1, points) if eps_u_ee is None else eps_u_ee)
    ed = _grid("eps_d_ee", np.linspace(-1, 1, points) if eps_d_ee is None else eps_d_ee)
    U, D = np.meshgrid(eu, ed, indexing="ij")
    u, d = np.append(U.ravel(), 0.0), np.append(D.ravel(), 0.0)  # the last point: the SM
    if dataset == csi2017.NAME:
        ll, sig, conv = _csi_scan(dataset, u, d, chunk, workers)
        chi2 = -2.0 * ll
    elif dataset == NSI_DATASETS[1]:
        from . import profiles

        e = profiles.lar_evaluate(_lar_families(u, d), sigma=profiles.lar_sigma())
        chi2, sig, conv = -2.0 * e.loglike, e.signal, e.converged
    else:
        chi2, sig, conv = _combined_scan(u, d, chunk, workers)
    chi2_grid, chi2_sm = chi2[:-1], float(chi2[-1])
    best = int(np.argmin(chi2_grid))
    chi2_min = min(float(chi2_grid[best]), chi2_sm)
    return NSIScan(
        dataset=dataset,
        eps_u=eu,
        eps_d=ed,
        delta_chi2=(chi2_grid - chi2_min).reshape(U.shape),
        cevns_events=np.asarray(sig[:-1]).reshape(U.shape),
        best=(float(U.ravel()[best]), float(D.ravel()[best])),
        sm_delta_chi2=chi2_sm - chi2_min,
        converged=np.asarray(conv[:-1]).reshape(U.shape),
    )


def _csi_scan(dataset, u, d, chunk, workers, flux=None, sigma=csi2017.NORM_SIGMA):
    """Profiled ln L, CEvNS events and convergence of the CsI 2017 scan at (u, d)."""
    like = nsi_model(dataset).likelihood
    weights = _component_weights(u, d)
    if flux is not None:
        weights = weights * flux[:, None]
    prior = (1.0, sigma)
    ll = np.empty(u.size)
    sig = np.empty(u.size)
    conv = np.empty(u.size, dtype=bool)
    slices = [slice(a, a + chunk) for a in range(0, u.size, chunk)]

    def run(sl):
        p = like.profile(weights[sl], prior_c=prior)
        ll[sl], sig[sl], conv[sl] = p.loglike, p.signal, p.converged

    # numpy releases the GIL in its array loops: threads share the cores
    n_workers = max(1, min(workers or os.cpu_count() or 1, len(slices)))
    if n_workers == 1:
        for sl in slices:
            run(sl)
    else:
        with ThreadPoolExecutor(n_workers) as pool:
            list(pool.map(run, slices))
    return ll, sig, conv


def _lar_families(u, d):
    """The LAr templates: the release PDF reweighted at the six basis points."""
    from .profiles import _key

    keys = tuple(
        () if (a, b) == (0.0, 0.0) else _key(eps_u_ee=a, eps_d_ee=b) for a, b in BASIS_POINTS
    )
    return [(keys, np.arange(u.size), basis_weights(u, d))]


def _combined_scan(u, d, chunk, workers):
    """CsI 2017 + LAr 2020 with one shared SNS flux pull on COMBINED_FLUX_PULLS."""
    from . import profiles

    nodes = COMBINED_FLUX_PULLS
    nf = nodes.size
    P = u.size
    uu, dd = np.repeat(u, nf), np.repeat(d, nf)
    flux = np.tile(1.0 + profiles.FLUX_SIGMA * nodes, P)
    s_csi, s_lar = profiles.combined_sigmas("nsi")
    llc, sigc, convc = _csi_scan(csi2017.NAME, uu, dd, chunk, workers, flux=flux, sigma=s_csi)
    el = profiles.lar_evaluate(_lar_families(uu, dd), sigma=s_lar, flux=flux)
    total = (-2.0 * (llc + el.loglike)).reshape(P, nf) + nodes**2
    chi2, fbest = profiles.minimise_over_flux(total, nodes)
    j = np.argmin(np.abs(nodes[None, :] - fbest[:, None]), axis=1)
    pick = np.arange(P) * nf + j
    conv = (convc & el.converged).reshape(P, nf).all(axis=1)
    return chi2, sigc[pick] + el.signal[pick], conv
