"""Feldman-Cousins confidence intervals for the 1-D profiles, from vectorised toys.

Feldman & Cousins, Phys. Rev. D 57 (1998) 3873, with the profile-likelihood ordering of
nuisance parameters (the "profile construction"; PDG, Statistics review, sec. 40.4.2.3):
at every grid value ``x_i`` of :func:`cevns_widgets.stats.profiles.profile`,

1. the nuisances are fitted to the released data with the parameter held at ``x_i``
   (the conditional maximum, the same fit as the profile);
2. ``n_toys`` pseudo-datasets are drawn from that model: the main counts (Poisson), and
   the auxiliary measurements of the constraint terms: for CsI 2017 the anticoincidence
   and beam-off counts of every cell (Poisson, from the fitted steady-state background and
   beam-off ratio) and the centres of the Gaussian constraints (quenching pull, prompt
   neutrons, CEvNS normalisation) drawn around their fitted values; for LAr 2020 the
   centres of the CEvNS normalisation, the three background counts and the five shape
   pulls;
3. every toy is profiled at every grid value (one vectorised batch per grid value of the
   toys' origin), and its test statistic is ``t = -2 ln L(x_i) + 2 ln L(best)``, the best
   over the grid (refined by a parabola through the best grid point and its neighbours,
   the grid's ends being the parameter's range, so that a physical boundary such as
   mu_nu >= 0 is respected by the toys exactly as by the data);
4. the critical value ``t_c(x_i)`` is the ``cl`` quantile of the toys' ``t``; ``x_i`` is
   in the interval when the observed ``t`` (computed the same way) is at most ``t_c``.
   Interval ends are interpolated linearly in ``t_obs - t_c`` between grid points.

Wilks' theorem would put ``t_c`` at 1 and 2.71 everywhere; near a boundary it is smaller
(``mu_nu = 0``: half the toys fit at the boundary, ``t_c(90 %) ~ 1.64``), and with few
events it differs (Denton & Gehrlein, arXiv:2008.06062).

Execution: the grid values are independent tasks, run on local cores with
:mod:`concurrent.futures` (``executor="processes"`` or ``"threads"``; see
``benchmarks/bench_stats.py`` for which is faster), or on a Dask cluster with
``client_address="tcp://host:8786"`` (needs the optional extra ``cevns_widgets[dask]``).
Every grid value has its own random stream (``numpy.random.SeedSequence(seed).spawn``),
so a result depends only on ``seed``, not on the executor or the number of workers.
Supported datasets: ``coherent-csi-2017`` and ``coherent-lar-2020`` (the combination's
shared flux pull is not yet generated in the toys).
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from ..physics.form_factors import NEUTRON_SKIN_RANGE_fm
from ..scenario import ScenarioError, quote
from ._profile import R as CSI_R
from .profiles import (
    CSI,
    LAR,
    ProfileResult,
    check_dataset,
    csi_evaluate,
    csi_likelihood,
    csi_sigma,
    csi_weights,
    families,
    lar_evaluate,
    lar_likelihood,
    lar_ratio,
    lar_sigma,
    profile,
    resolve_parameter,
)

FC_DATASETS = (CSI, LAR)
EXECUTORS = ("processes", "threads")
#: Largest number of toys per grid value accepted.
MAX_TOYS = 100_000


@dataclass(frozen=True)
class FCResult:
    """Feldman-Cousins intervals on the grid of a profile.

    ``critical[cl]`` (per grid value) the toys' ``cl`` quantile of the test statistic,
    ``t_observed`` the data's statistic, ``accepted[cl]`` where ``t_observed <=
    critical``, ``intervals[cl]`` the (interpolated) ends of the accepted region (None: it
    reaches past the grid's end), ``wilks`` the profile's own intervals for comparison.
    """

    dataset: str
    parameter: str
    values: np.ndarray
    t_observed: np.ndarray
    critical: dict
    accepted: dict
    intervals: dict
    wilks: dict
    n_toys: int
    seed: int
    seconds: float
    executor: str
    notes: list = field(default_factory=list)

    def to_dict(self) -> dict:
        def arr(x):
            return np.asarray(x).tolist()

        return {
            "dataset": self.dataset,
            "parameter": self.parameter,
            "values": arr(self.values),
            "t_observed": arr(self.t_observed),
            "critical": {f"{k:.2f}": arr(v) for k, v in self.critical.items()},
            "accepted": {f"{k:.2f}": arr(v) for k, v in self.accepted.items()},
            "intervals": {f"{k:.2f}": list(v) for k, v in self.intervals.items()},
            "wilks": {f"{k:.2f}": list(v) for k, v in self.wilks.items()},
            "n_toys": self.n_toys,
            "seed": self.seed,
            "seconds": self.seconds,
            "executor": self.executor,
            "notes": list(self.notes),
        }


def grid_minimum(chi2: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Minimum over the last axis of ``chi2`` on the grid ``values``, refined by the
    parabola through the best point and its neighbours (not past them; ends as they are)."""
    chi2 = np.asarray(chi2, dtype=float)
    n = values.size
    j = np.argmin(chi2, axis=-1)
    best = np.take_along_axis(chi2, j[..., None], axis=-1)[..., 0]
    if n < 3:
        return best
    jj = np.clip(j, 1, n - 2)
    y0 = np.take_along_axis(chi2, (jj - 1)[..., None], axis=-1)[..., 0]
    y1 = np.take_along_axis(chi2, jj[..., None], axis=-1)[..., 0]
    y2 = np.take_along_axis(chi2, (jj + 1)[..., None], axis=-1)[..., 0]
    x0, x1, x2 = values[jj - 1], values[jj], values[jj + 1]
    # parabola through three points (divided differences)
    d1 = (y1 - y0) / (x1 - x0)
    d2 = (y2 - y1) / (x2 - x1)
    a = (d2 - d1) / (x2 - x0)
    b = d1 - a * (x0 + x1)
    interior = (j >= 1) & (j <= n - 2) & (a > 0)
    xv = np.where(interior, -b / np.where(interior, 2 * a, 1.0), x1)
    xv = np.clip(xv, x0, x2)
    c = y1 - a * x1 * x1 - b * x1
    vertex = a * xv * xv + b * xv + c
    return np.where(interior, np.minimum(vertex, best), best)


def _internal(parameter: str, values: np.ndarray, dataset: str):
    if parameter == "neutron_radius_fm":
        par = resolve_parameter(dataset, parameter)
        return "neutron_skin_fm", np.clip(values - par.sm, *NEUTRON_SKIN_RANGE_fm)
    return parameter, values


def toy_statistics(
    dataset: str, parameter: str, values, index: int, n_toys: int, entropy
) -> np.ndarray:
    """The test statistic of ``n_toys`` toys generated at ``values[index]`` (internal
    parameter values: the skin for the radius). A module-level function, so that process
    pools and Dask workers can run it; ``entropy`` seeds its random stream."""
    internal, vals = parameter, np.asarray(values, dtype=float)
    rng = np.random.default_rng(entropy)
    x = vals[[index]]
    nv = vals.size
    rep = np.repeat(vals, n_toys)  # point j * n_toys + t: value j, toy t
    fams = families(internal, rep)
    if dataset == CSI:
        sigma = csi_sigma(internal)
        fit = csi_evaluate(families(internal, x), sigma=sigma)
        (keys, _idx, kw) = families(internal, x)[0]
        like = csi_likelihood(keys)
        theta = fit.params[0][1][0]
        packed = like.pack(csi_weights(kw))
        mu, b = like.cells(theta[None], packed)
        mu, b = mu[0], b[0]
        r = theta[CSI_R]
        n = rng.poisson(mu, size=(n_toys, mu.size)).astype(float)
        a = rng.poisson(b, size=(n_toys, b.size))
        o = rng.poisson(2.0 * r * b, size=(n_toys, b.size))
        centres = np.column_stack(
            [
                rng.normal(theta[1], 1.0, n_toys),
                rng.normal(theta[2], like.data.neutron_sigma, n_toys),
                rng.normal(theta[0], sigma, n_toys),
            ]
        )
        toys = {
            "n": np.tile(n, (nv, 1)),
            "m": np.tile((a + o).astype(float), (nv, 1)),
            "O": np.tile(o.sum(axis=1).astype(float), nv),
            "centres": np.tile(centres, (nv, 1)),
        }
        ll = csi_evaluate(fams, sigma=sigma, toys=toys).loglike
    elif dataset == LAR:
        sigma = lar_sigma()
        like = lar_likelihood(sigma)
        fit = lar_evaluate(families(internal, x), sigma=sigma)
        p = fit.params[0][1][0]
        (keys, _idx, kw) = families(internal, x)[0]
        rho = kw @ np.array([lar_ratio(k) for k in keys])
        lam = np.maximum(like.expected(p[None], rho)[0], 0.0)
        n = rng.poisson(lam, size=(n_toys, lam.size)).astype(float)
        widths = like.scale
        centres = p + rng.normal(size=(n_toys, p.size)) * widths
        toys = {
            "n": np.tile(n, (nv, 1)),
            "centres": np.tile(centres, (nv, 1)),
            "start": np.broadcast_to(p, (nv * n_toys, p.size)),
        }
        ll = lar_evaluate(fams, sigma=sigma, toys=toys).loglike
    else:  # pragma: no cover - checked by fc_profile
        raise ScenarioError(f"Feldman-Cousins toys are not available for {quote(dataset)}")
    chi2 = (-2.0 * ll).reshape(nv, n_toys).T  # (toys, values)
    return chi2[:, index] - grid_minimum(chi2, vals)


def _interpolated_interval(values, excess, accepted):
    """Ends of the accepted region, interpolated where ``excess = t_obs - t_c`` changes
    sign between neighbours; None where the region reaches the grid's end and beyond."""
    idx = np.nonzero(accepted)[0]
    if idx.size == 0:
        return (None, None)
    i, j = int(idx[0]), int(idx[-1])

    def cross(a, b):
        ea, eb = excess[a], excess[b]
        if eb == ea:
            return float(values[a])
        return float(values[a] + (values[b] - values[a]) * (0.0 - ea) / (eb - ea))

    lo = cross(i - 1, i) if i > 0 else float(values[0])
    hi = cross(j, j + 1) if j < values.size - 1 else None
    return (lo, hi)


def _run(tasks, executor: str, workers: int | None, client_address: str | None):
    if client_address is not None:
        try:
            from dask.distributed import Client
        except ImportError:
            raise ScenarioError(
                "client_address needs dask.distributed, which is not installed: "
                "pip install 'cevns_widgets[dask]'",
                "client_address",
            ) from None
        client = Client(client_address)
        try:
            futures = [client.submit(toy_statistics, *t, pure=False) for t in tasks]
            return client.gather(futures)
        finally:
            client.close()
    n_workers = max(1, min(workers or os.cpu_count() or 1, len(tasks)))
    if n_workers == 1:
        return [toy_statistics(*t) for t in tasks]
    pool_class = ProcessPoolExecutor if executor == "processes" else ThreadPoolExecutor
    with pool_class(n_workers) as pool:
        return list(pool.map(toy_statistics, *zip(*tasks, strict=True)))


def fc_profile(
    dataset: str = CSI,
    parameter: str = "sin2w",
    values=None,
    *,
    n_toys: int = 200,
    seed: int = 0,
    cls=(0.68, 0.90),
    executor: str = "processes",
    workers: int | None = None,
    client_address: str | None = None,
    result: ProfileResult | None = None,
) -> FCResult:
    """Feldman-Cousins intervals of ``parameter`` on the grid ``values`` (default: the
    profile's), from ``n_toys`` toys per grid value. See the module docstring.

    >>> r = fc_profile("coherent-csi-2017", "magnetic_moment_muB", [0.0, 2e-9, 4e-9],
    ...                n_toys=20, workers=1)
    >>> r.critical[0.90].shape
    (3,)
    """
    check_dataset(dataset)
    if dataset not in FC_DATASETS:
        raise ScenarioError(
            f"dataset: Feldman-Cousins intervals are available for {', '.join(FC_DATASETS)}, "
            f"not {quote(dataset)}",
            "dataset",
        )
    if isinstance(n_toys, bool) or not isinstance(n_toys, int | np.integer):
        raise ScenarioError(f"n_toys must be a whole number, got {quote(n_toys)}", "n_toys")
    if not 1 <= n_toys <= MAX_TOYS:
        raise ScenarioError(f"n_toys must be from 1 to {MAX_TOYS}, got {n_toys}", "n_toys")
    if executor not in EXECUTORS:
        raise ScenarioError(
            f"executor must be one of {', '.join(EXECUTORS)}; got {quote(executor)}", "executor"
        )
    if client_address is not None and not isinstance(client_address, str):
        raise ScenarioError("client_address must be a string such as 'tcp://host:8786'")
    for cl in cls:
        if not 0 < cl < 1:
            raise ScenarioError(f"cls must lie in (0, 1), got {quote(cl)}", "cls")
    if result is None:
        result = profile(dataset, parameter, values)
    vals = np.asarray(result.values, dtype=float)
    internal, ivals = _internal(parameter, vals, dataset)
    start = time.perf_counter()
    seeds = np.random.SeedSequence(seed).spawn(vals.size)
    tasks = [(dataset, internal, ivals, i, int(n_toys), seeds[i]) for i in range(vals.size)]
    stats = np.array(_run(tasks, executor, workers, client_address))  # (values, toys)
    seconds = time.perf_counter() - start
    chi2_obs = result.delta_chi2 + result.chi2_min
    t_obs = chi2_obs - grid_minimum(chi2_obs, vals)
    critical, accepted, intervals = {}, {}, {}
    for cl in cls:
        crit = np.quantile(stats, cl, axis=1)
        ok = t_obs <= crit
        critical[cl], accepted[cl] = crit, ok
        intervals[cl] = _interpolated_interval(vals, t_obs - crit, ok)
    notes = [
        f"{n_toys} toys per grid value, seed {seed}; test statistic against the best fit "
        "over the grid (parabola-refined), bounded by the grid's ends",
    ]
    lost = int(np.sum(~np.isfinite(stats)))
    if lost:
        notes.append(f"{lost} toys gave a non-finite statistic")
    return FCResult(
        dataset=dataset,
        parameter=parameter,
        values=vals,
        t_observed=t_obs,
        critical=critical,
        accepted=accepted,
        intervals=intervals,
        wilks=dict(result.intervals),
        n_toys=int(n_toys),
        seed=int(seed),
        seconds=seconds,
        executor="dask" if client_address is not None else executor,
        notes=notes,
    )


__all__ = ["FCResult", "fc_profile", "grid_minimum", "toy_statistics"]
