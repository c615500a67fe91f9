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
    check_dataset(dataset)
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
    """Profile-likelihood map over ``eps_u_ee`` x ``eps_d_ee`` (default 101 x 101 over
    [-1, 1] x [-1, 1]).

    >>> s = nsi_scan("coherent-csi-2017", [0.0, 0.4], [0.0])
    >>> s.delta_chi2.shape
    (2, 1)
    """
    check_dataset(dataset)
    eu = _grid("eps_u_ee", np.linspace(-1, 1, 101) if eps_u_ee is None else eps_u_ee)
    ed = _grid("eps_d_ee", np.linspace(-1, 1, 101) if eps_d_ee is None else eps_d_ee)
    model = nsi_model(dataset)
    like = model.likelihood
    U, D = np.meshgrid(eu, ed, indexing="ij")
    weights = _component_weights(U.ravel(), D.ravel())
    prior = (1.0, csi2017.NORM_SIGMA)
    ll = np.empty(U.size)
    sig = np.empty(U.size)
    conv = np.empty(U.size, dtype=bool)
    slices = [slice(a, a + chunk) for a in range(0, U.size, chunk)]

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
    sm = like.profile(_component_weights(np.zeros(1), np.zeros(1)), prior_c=prior)
    best = int(np.argmax(ll))
    ll_max = max(float(ll[best]), float(sm.loglike[0]))
    return NSIScan(
        dataset=dataset,
        eps_u=eu,
        eps_d=ed,
        delta_chi2=(2.0 * (ll_max - ll)).reshape(U.shape),
        cevns_events=sig.reshape(U.shape),
        best=(float(U.ravel()[best]), float(D.ravel()[best])),
        sm_delta_chi2=float(2.0 * (ll_max - sm.loglike[0])),
        converged=conv.reshape(U.shape),
    )
