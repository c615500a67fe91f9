r"""The neutrino fog: WIMP discovery limits against neutrino backgrounds, and their index.

Definitions follow O'Hare, "Fog on the horizon: a new definition of the neutrino floor for
direct dark matter searches", PRL 127 (2021) 251802, arXiv:2109.03116, and his code
(github.com/cajohare/NeutrinoFog, ``src/like/like.f95``):

* **Data.** A binned Poisson counting experiment in nuclear-recoil energy (log-spaced bins
  from a threshold to a maximum) with exposure :math:`\varepsilon` (tonne-years). Each
  neutrino component k contributes :math:`\varepsilon\,\theta_k b_{ki}` counts to bin i, with
  its flux normalisation :math:`\theta_k` Gaussian-constrained around 1 with the fractional
  uncertainty :math:`u_k`; a WIMP of cross section :math:`\sigma` adds
  :math:`\varepsilon\,\sigma s_i`.
* **Test statistic.** The discovery test statistic of Cowan, Cranmer, Gross & Vitells,
  EPJC 71 (2011) 1554, with the nuisances profiled,

  .. math:: q_0 = -2\ln\frac{L(\sigma = 0, \hat{\hat\theta})}{L(\hat\sigma, \hat\theta)},
     \qquad L = \prod_i \mathrm{Pois}(n_i \mid \mu_i)
     \prod_k \mathcal N(\theta_k \mid 1, u_k),

  evaluated on the Asimov data set :math:`n_i = \varepsilon(\sum_k b_{ki} + \sigma s_i)`,
  where the unconditional fit returns the truth (:math:`\hat\sigma = \sigma`,
  :math:`\hat\theta = 1`), so

  .. math:: q_0 = 2\sum_i\Big[n_i\ln\frac{n_i}{\hat\mu_i} - n_i + \hat\mu_i\Big]
     + \sum_k\Big(\frac{\hat{\hat\theta}_k - 1}{u_k}\Big)^2 .

* **Discovery limit.** :math:`\sigma_\mathrm{DL}(\varepsilon)` is the cross section at which
  the *median* discovery significance :math:`Z = \sqrt{q_{0,A}}` (Cowan et al. 2011, the
  Asimov approximation) reaches 3 sigma: :math:`q_{0,A} = 9` (O'Hare's "median 3 sigma
  detection, D = 9"). As in O'Hare's code, a discovery also needs a minimum number of
  signal events (his 2-D scan requires more than 0.5):
  :math:`\sigma_\mathrm{DL} = \max(\sigma_{q_0 = Z^2},\;
  N_\mathrm{min} / (\varepsilon \sum_i s_i))`.
* **Fog index.** :math:`n = -\left(d\ln\sigma_\mathrm{DL}/d\ln\varepsilon\right)^{-1}`:
  n = 1 background-free (:math:`\sigma \propto 1/\varepsilon`), n = 2 Poisson
  background subtraction (:math:`\sigma \propto 1/\sqrt\varepsilon`), n > 2 the fog, where
  the systematic uncertainty of a background that looks like the signal slows the limit.

Numerics (all in numpy, vectorised over every (mass, exposure) point at once):

* the background-only fit :math:`\hat{\hat\theta}` is a damped Newton iteration in the
  standardised pulls :math:`t_k = (\theta_k - 1)/u_k` (gradient and Hessian in closed form;
  the Hessian of all points is one matrix product; Jacobi-scaled batched solves; a step never
  makes an expectation non-positive, and far from the optimum an Armijo test guarantees the
  negative log-likelihood decreases; it is convex, so the optimum is unique);
* the limit is the root of :math:`\ln q_0 - \ln Z^2` in the log of the signal count, found
  by a safeguarded Newton iteration (bracketing, bisection fall-back) started from the limit
  without nuisances, which is a lower bound; :math:`dq_0/d\sigma` comes from the envelope
  theorem, :math:`dq_0/d\sigma = 2\varepsilon\sum_i s_i\ln(n_i/\hat\mu_i)`;
* residuals :math:`n_i - \mu_i` are formed directly from the signal and the pulls (never as
  the difference of two large counts): q0 = 9 holds to 1e-10 at the limits up to 1e16 t yr.

Bins where every background is zero carry no information for the fit; a signal in such a
bin would be discovered with any count, so there the limit is the minimum-event one.

Validation (``tests/test_fog.py``): q0 = 9 at the limits against an independent scipy
profile; n = 1 background-free, n = 2 for known backgrounds, the closed-form saturation
:math:`\sigma \to 3u\,B/S` for a signal shaped like a background of uncertainty u; and, with
O'Hare's inputs (his halo, 2 % on 8B), the n = 2 edge of the germanium fog is 0.84-0.98 times
his published floor from 0.1 GeV to 10 TeV.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "FogMap",
    "asimov_q0",
    "discovery_limit",
    "fog_index",
    "fog_map",
    "log_bin_edges",
]

#: Significance of a discovery (O'Hare 2021: median 3 sigma).
DEFAULT_N_SIGMA = 3.0
#: Minimum expected signal events for a discovery (O'Hare's code: more than 0.5).
DEFAULT_MIN_SIGNAL_EVENTS = 0.5

_NEWTON_TOL = 1e-11  # Newton decrement of the profile (units of -ln L)
_ROOT_TOL = 1e-10  # |ln q0 - ln Z^2| at the limit
_MAX_PROFILE_ITER = 200
_MAX_ROOT_ITER = 100
_ARMIJO_DECREMENT = 1e-3  # check the decrease only while the decrement is above this


def _h(x):
    """(1 + x) ln(1 + x) - x, accurate for small |x| (series below 1e-3)."""
    x = np.asarray(x, dtype=float)
    small = np.abs(x) < 1e-3
    xs = np.where(small, 0.5, x)
    exact = (1.0 + xs) * np.log1p(xs) - xs
    series = x * x * (0.5 - x * (1.0 / 6.0 - x * (1.0 / 12.0 - x / 20.0)))
    return np.where(small, series, exact)


class _Problem:
    """The arrays of one discovery-limit problem restricted to informative bins."""

    def __init__(self, signal, backgrounds, uncertainties):
        S = np.atleast_2d(np.asarray(signal, dtype=float))
        B = np.atleast_2d(np.asarray(backgrounds, dtype=float))
        u = np.atleast_1d(np.asarray(uncertainties, dtype=float))
        if S.shape[1] != B.shape[1]:
            raise ValueError(f"signal has {S.shape[1]} bins but backgrounds have {B.shape[1]}")
        if u.shape != (B.shape[0],):
            raise ValueError(f"need one uncertainty per background component, got {u.shape}")
        if np.any(S < 0) or np.any(B < 0) or np.any(u < 0):
            raise ValueError("signal, backgrounds and uncertainties must be >= 0")
        if not (np.all(np.isfinite(S)) and np.all(np.isfinite(B)) and np.all(np.isfinite(u))):
            raise ValueError("signal, backgrounds and uncertainties must be finite")
        btot = B.sum(axis=0)
        active = btot > 0
        self.signal_total = S.sum(axis=1)  # counts per t yr per cm^2
        self.background_free = S[:, ~active].sum(axis=1) > 0
        total = np.where(self.signal_total > 0, self.signal_total, 1.0)
        self.shape = S[:, active] / total[:, None]  # (M, K) signal shape
        self.btot = btot[active]  # (K,)
        nuisance = (u > 0) & (B[:, active].sum(axis=1) > 0)
        self.Bu = (B[nuisance][:, active] * u[nuisance, None]).T  # (K, C)
        self.BuT = np.ascontiguousarray(self.Bu.T)
        C = self.Bu.shape[1]
        self.n_nuisance = C
        self.BB = (self.Bu[:, :, None] * self.Bu[:, None, :]).reshape(self.btot.size, C * C)


def _profile(prob: _Problem, mu_s, mass_index, exposure, t):
    """Background-only fit to the Asimov data of signal count ``mu_s`` for each point.

    Returns (q0, dq0/d ln mu_s, pulls t). ``t`` (n, C) is the starting point (feasible).
    """
    n = mu_s.size
    C = prob.n_nuisance
    nsig = mu_s[:, None] * prob.shape[mass_index]  # (n, K)
    b0 = exposure[:, None] * prob.btot
    nobs = b0 + nsig
    t = np.array(t, dtype=float, copy=True)
    if C:
        eye = np.eye(C)
        todo = np.arange(n)
        for _ in range(_MAX_PROFILE_ITER):
            if todo.size == 0:
                break
            tt, E = t[todo], exposure[todo]
            Dt = E[:, None] * (tt @ prob.BuT)
            mu = b0[todo] + Dt
            x = (nsig[todo] - Dt) / mu
            grad = tt - E[:, None] * (x @ prob.Bu)
            W = (E * E)[:, None] * nobs[todo] / (mu * mu)
            H = (W @ prob.BB).reshape(-1, C, C) + eye
            d = 1.0 / np.sqrt(np.einsum("pii->pi", H))
            Hs = H * d[:, :, None] * d[:, None, :]
            Hs += 1e-13 * eye  # keeps exactly degenerate shapes solvable
            delta = -d * np.linalg.solve(Hs, (d * grad)[:, :, None])[:, :, 0]
            slope = np.einsum("pc,pc->p", grad, delta)  # = -(Newton decrement)
            dmu = E[:, None] * (delta @ prob.BuT)
            with np.errstate(divide="ignore", invalid="ignore"):
                limit = np.where(dmu < 0, -mu / dmu, np.inf).min(axis=1)
            alpha = np.minimum(1.0, 0.95 * limit)
            far = -slope > _ARMIJO_DECREMENT
            if np.any(far):
                alpha = _armijo(alpha, far, mu, dmu, nobs[todo], tt, delta, slope)
            t[todo] = tt + alpha[:, None] * delta
            todo = todo[-slope >= _NEWTON_TOL]
    Dt = exposure[:, None] * (t @ prob.BuT) if C else np.zeros_like(nsig)
    mu = b0 + Dt
    x = (nsig - Dt) / mu
    q0 = 2.0 * np.sum(mu * _h(x), axis=1) + np.sum(t * t, axis=1)
    dq0 = 2.0 * mu_s * np.sum(prob.shape[mass_index] * np.log1p(x), axis=1)
    return q0, dq0, t


def _armijo(alpha, far, mu, dmu, nobs, t, delta, slope):
    """Halve the step of the points far from the optimum until -ln L decreases enough."""
    alpha = alpha.copy()
    check = np.flatnonzero(far)
    for _ in range(60):
        if check.size == 0:
            break
        a = alpha[check][:, None]
        step_mu = a * dmu[check]
        change = np.sum(step_mu - nobs[check] * np.log1p(step_mu / mu[check]), axis=1)
        change += np.sum(a * t[check] * delta[check] + 0.5 * (a * delta[check]) ** 2, axis=1)
        ok = change <= 1e-4 * alpha[check] * slope[check]
        alpha[check[~ok]] *= 0.5
        check = check[~ok]
    return alpha


def _q0_no_nuisance(prob: _Problem, mu_s, mass_index, exposure):
    b = exposure[:, None] * prob.btot
    ratio = mu_s[:, None] * prob.shape[mass_index] / b
    q0 = 2.0 * np.sum(b * _h(ratio), axis=1)
    dq0 = 2.0 * mu_s * np.sum(prob.shape[mass_index] * np.log1p(ratio), axis=1)
    return q0, dq0


def _solve_log(evaluate, y0, target):
    """Vectorised safeguarded Newton for ln q0(y) = target, q0 increasing in y = ln mu_s.

    ``evaluate(index, y)`` returns (q0, dq0/dy) for the points ``index``.
    """
    y = np.array(y0, dtype=float, copy=True)
    lo = np.full(y.size, -np.inf)
    hi = np.full(y.size, np.inf)
    todo = np.arange(y.size)
    for _ in range(_MAX_ROOT_ITER):
        if todo.size == 0:
            break
        yt = y[todo]
        q0, dq0 = evaluate(todo, yt)
        with np.errstate(divide="ignore", invalid="ignore"):
            g = np.log(q0) - target
            dg = dq0 / q0
        below = g < 0
        lo[todo] = np.where(below, yt, lo[todo])
        hi[todo] = np.where(below, hi[todo], yt)
        low, high = lo[todo], hi[todo]
        done = (np.abs(g) < _ROOT_TOL) | (high - low < 1e-14 * np.maximum(1.0, np.abs(yt)))
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where((dg > 0) & np.isfinite(g), -g / dg, np.where(below, 1.0, -1.0))
        y_new = yt + np.clip(step, -8.0, 8.0)
        outside = (y_new <= low) | (y_new >= high)
        bracketed = np.isfinite(low) & np.isfinite(high)
        y_new = np.where(outside & bracketed, 0.5 * (low + high), y_new)
        y_new = np.where(outside & ~np.isfinite(high), low + 2.0, y_new)
        y_new = np.where(outside & ~np.isfinite(low), high - 2.0, y_new)
        y[todo] = np.where(done, yt, y_new)
        todo = todo[~done]
    return y


def discovery_limit(
    signal_per_xsec,
    backgrounds,
    uncertainties,
    exposures,
    *,
    n_sigma: float = DEFAULT_N_SIGMA,
    min_signal_events: float = DEFAULT_MIN_SIGNAL_EVENTS,
):
    r"""Median discovery limit :math:`\sigma_\mathrm{DL}` (cm^2) for every mass and exposure.

    ``signal_per_xsec`` (n_mass, n_bins): expected WIMP counts per tonne-year per cm^2 of
    WIMP-nucleon cross section in each bin; ``backgrounds`` (n_comp, n_bins): counts per
    tonne-year of each background component; ``uncertainties`` (n_comp,): fractional
    (1 sigma) uncertainty of each component's normalisation (0 = known exactly);
    ``exposures`` (n_exp,): tonne-years. Returns (n_mass, n_exp); a 1-D signal gives
    (n_exp,). The limit is where the Asimov discovery significance reaches ``n_sigma``
    (:math:`q_{0,A} = n_\sigma^2`) and at least ``min_signal_events`` signal events are
    expected (module docstring). A mass with no signal in the bins gets ``inf``.
    """
    one_mass = np.ndim(signal_per_xsec) == 1
    prob = _Problem(signal_per_xsec, backgrounds, uncertainties)
    exp = np.atleast_1d(np.asarray(exposures, dtype=float))
    if np.any(~(exp > 0)) or not np.all(np.isfinite(exp)):
        raise ValueError("exposures must be finite and > 0")
    if not n_sigma > 0 or not min_signal_events >= 0:
        raise ValueError("need n_sigma > 0 and min_signal_events >= 0")
    M, X = prob.shape.shape[0], exp.size
    mass_index = np.repeat(np.arange(M), X)
    exposure = np.tile(exp, M)
    has_signal = prob.signal_total[mass_index] > 0
    solve = np.flatnonzero(has_signal & ~prob.background_free[mass_index])
    target = 2.0 * np.log(n_sigma)
    mu_s = np.zeros(M * X)
    if solve.size:
        mi, E = mass_index[solve], exposure[solve]
        # Gaussian, nuisance-free guess (a lower bound), then the nuisance-free limit.
        fisher = np.sum(prob.shape[mi] ** 2 / (E[:, None] * prob.btot), axis=1)
        y0 = np.log(n_sigma / np.sqrt(fisher))
        y_free = _solve_log(
            lambda idx, y: _q0_no_nuisance(prob, np.exp(y), mi[idx], E[idx]), y0, target
        )
        state = {"t": np.zeros((solve.size, prob.n_nuisance)), "y": y_free.copy()}

        def evaluate(idx, y):
            t0 = state["t"][idx] * np.exp(y - state["y"][idx])[:, None]
            mu0 = E[idx, None] * (prob.btot + t0 @ prob.BuT) if prob.n_nuisance else None
            if mu0 is not None:
                t0[~np.all(mu0 > 0, axis=1)] = 0.0
            q0, dq0, t = _profile(prob, np.exp(y), mi[idx], E[idx], t0)
            state["t"][idx], state["y"][idx] = t, y
            return q0, dq0

        if prob.n_nuisance:
            mu_s[solve] = np.exp(_solve_log(evaluate, y_free, target))
        else:
            mu_s[solve] = np.exp(y_free)
    with np.errstate(divide="ignore", invalid="ignore"):
        total = exposure * prob.signal_total[mass_index]
        sigma = np.maximum(mu_s, min_signal_events) / total
    sigma = np.where(has_signal, sigma, np.inf).reshape(M, X)
    return sigma[0] if one_mass else sigma


def asimov_q0(signal_per_xsec, backgrounds, uncertainties, exposure, sigma_cm2):
    """Asimov discovery test statistic q0 for one signal (n_bins,) at one exposure and
    cross section (the quantity :func:`discovery_limit` sets to ``n_sigma**2``)."""
    prob = _Problem(np.atleast_2d(signal_per_xsec), backgrounds, uncertainties)
    if prob.background_free[0] and sigma_cm2 > 0:
        return np.inf
    mu_s = np.array([sigma_cm2 * exposure * prob.signal_total[0]])
    q0, _, _ = _profile(
        prob, mu_s, np.array([0]), np.array([float(exposure)]), np.zeros((1, prob.n_nuisance))
    )
    return float(q0[0])


def fog_index(exposures, sigma_dl):
    r"""Fog index :math:`n = -(d\ln\sigma_\mathrm{DL}/d\ln\varepsilon)^{-1}` along the last
    axis of ``sigma_dl`` (second-order finite differences in ln exposure; ``inf`` where the
    limit has stopped falling, ``nan`` where it is not finite)."""
    exp = np.asarray(exposures, dtype=float)
    sig = np.asarray(sigma_dl, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.gradient(np.log(sig), np.log(exp), axis=-1)
        n = np.where(slope < 0, -1.0 / slope, np.inf)
    return np.where(np.isfinite(slope), n, np.nan)


def log_bin_edges(threshold_keVnr: float, max_keVnr: float, n_bins: int) -> np.ndarray:
    """``n_bins`` log-spaced recoil bins from the threshold to the maximum (keVnr)."""
    if not 0 < threshold_keVnr < max_keVnr:
        raise ValueError("need 0 < threshold_keVnr < max_keVnr")
    return np.geomspace(threshold_keVnr, max_keVnr, int(n_bins) + 1)


def _bin_integrals(func, edges, n_sub):
    """Integrals of func(E) (last axis = energies) over each bin: Gauss-Legendre with
    ``n_sub`` nodes per bin in ln E."""
    x, w = np.polynomial.legendre.leggauss(n_sub)
    lo, hi = np.log(edges[:-1]), np.log(edges[1:])
    mid, half = 0.5 * (lo + hi), 0.5 * (hi - lo)
    E = np.exp(mid[:, None] + half[:, None] * x)  # (n_bins, n_sub)
    values = func(E.ravel())
    values = values.reshape(values.shape[:-1] + E.shape)
    return np.sum(values * (E * w * half[:, None]), axis=-1)


@dataclass(frozen=True, eq=False)
class FogMap:
    """Discovery limits and the fog index of one target on a (mass, exposure) grid."""

    target: str
    masses_GeV: np.ndarray
    exposures_tonne_year: np.ndarray
    sigma_dl_cm2: np.ndarray  # (n_mass, n_exp)
    index: np.ndarray  # (n_mass, n_exp): the fog index n
    threshold_keVnr: float
    max_keVnr: float
    bin_edges_keVnr: np.ndarray
    components: tuple[str, ...] = ()
    uncertainties: np.ndarray = field(default_factory=lambda: np.zeros(0))
    n_sigma: float = DEFAULT_N_SIGMA
    solar_model: str = ""

    def index_on_grid(self, sigma_cm2) -> np.ndarray:
        """Fog index n on a (mass, cross section) grid, shape (n_mass, n_sigma), as in
        O'Hare's Fig. 1: for each mass the exposure at which the discovery limit equals
        sigma, and n there (interpolated in ln sigma). ``nan`` above the limit at the
        smallest exposure and below the limit at the largest (the grid does not reach)."""
        s = np.log(np.asarray(sigma_cm2, dtype=float))
        out = np.full((self.masses_GeV.size, s.size), np.nan)
        for i, (row, n) in enumerate(zip(self.sigma_dl_cm2, self.index, strict=True)):
            ok = np.isfinite(row) & np.isfinite(n)
            if ok.sum() < 2:
                continue
            ls = np.log(row[ok])[::-1]  # increasing with decreasing exposure
            out[i] = np.interp(s, ls, n[ok][::-1], left=np.nan, right=np.nan)
        return out

    def boundary_cm2(self, n_crit: float = 2.0) -> np.ndarray:
        """The edge of the fog for each mass: the discovery limit at the smallest exposure
        of the grid where n exceeds ``n_crit``; ``nan`` if it never does. With
        ``n_crit = 2`` this is O'Hare's neutrino floor (his ``Floor_2D`` scans the cross
        section downwards for the first n >= 2, after smoothing; we do not smooth, so
        spectral structure can push n a few per cent over 2 in the Poisson regime: use a
        fine exposure grid)."""
        out = np.full(self.masses_GeV.size, np.nan)
        for i, (row, n) in enumerate(zip(self.sigma_dl_cm2, self.index, strict=True)):
            inside = np.flatnonzero(np.isfinite(row) & (n > n_crit))
            if inside.size:
                out[i] = row[inside[0]]
        return out


def fog_map(
    target="Xe",
    masses_GeV=None,
    exposures_tonne_year=None,
    threshold_keVnr: float = 1e-4,
    max_keVnr: float = 200.0,
    solar_model: str = "ohare-2021",
    *,
    n_bins: int = 50,
    n_sub: int = 16,
    halo=None,
    uncertainties=None,
    efficiency=None,
    n_sigma: float = DEFAULT_N_SIGMA,
    min_signal_events: float = DEFAULT_MIN_SIGNAL_EVENTS,
) -> FogMap:
    """The neutrino fog of ``target``: discovery limits of spin-independent WIMPs
    (:func:`~cevns_widgets.physics.wimp.wimp_recoil_spectrum`) against the CEvNS backgrounds
    of :func:`~cevns_widgets.physics.sky.neutrino_background_spectra`, each component's
    normalisation constrained by its flux uncertainty
    (:func:`~cevns_widgets.physics.sky.neutrino_background_uncertainties`), and the fog index.

    Defaults follow O'Hare (2021): ``n_bins`` = 50 log bins from 1e-4 to 200 keVnr, 50
    masses from 0.1 GeV to 10 TeV; exposures 50 values from 1e-5 to 1e15 tonne-years.
    Counts per bin are Gauss-Legendre integrals with ``n_sub`` nodes per bin in ln E.
    ``uncertainties`` overrides the fractional flux uncertainty of named components
    (e.g. ``{"8B": 0.02}``, the global-fit value O'Hare used); ``efficiency(recoil_keVnr)``
    multiplies signal and backgrounds; ``halo`` is a
    :class:`~cevns_widgets.physics.wimp.HaloModel`.
    """
    from ..physics import sky, wimp
    from ..physics.nuclei import make_target

    tgt = make_target(target) if isinstance(target, str) else target
    masses = np.geomspace(0.1, 1e4, 50) if masses_GeV is None else np.asarray(masses_GeV, float)
    exposures = (
        np.geomspace(1e-5, 1e15, 50)
        if exposures_tonne_year is None
        else np.asarray(exposures_tonne_year, float)
    )
    halo = wimp.DEFAULT_HALO if halo is None else halo
    edges = log_bin_edges(threshold_keVnr, max_keVnr, n_bins)

    def weighted(values, E):
        return values if efficiency is None else values * np.asarray(efficiency(E), float)

    signal = _bin_integrals(
        lambda E: weighted(wimp.wimp_recoil_spectrum(tgt, E, masses, 1.0, halo), E),
        edges,
        n_sub,
    )
    names: list[str] = []

    def background(E):
        spectra = sky.neutrino_background_spectra(tgt.name, E, solar_model=solar_model)
        names.extend(spectra)
        return np.stack([weighted(np.asarray(v, float), E) for v in spectra.values()])

    backgrounds = _bin_integrals(background, edges, n_sub)
    known = sky.neutrino_background_uncertainties(solar_model)
    unknown = set(uncertainties or {}) - set(names)
    if unknown:
        raise ValueError(
            f"no background component {', '.join(sorted(unknown))}; components: {', '.join(names)}"
        )
    known = {**known, **(uncertainties or {})}
    u = np.array([known[name] for name in names], dtype=float)
    sigma = discovery_limit(
        signal, backgrounds, u, exposures, n_sigma=n_sigma, min_signal_events=min_signal_events
    )
    return FogMap(
        target=tgt.name,
        masses_GeV=masses,
        exposures_tonne_year=exposures,
        sigma_dl_cm2=sigma,
        index=fog_index(exposures, sigma),
        threshold_keVnr=float(threshold_keVnr),
        max_keVnr=float(max_keVnr),
        bin_edges_keVnr=edges,
        components=tuple(names),
        uncertainties=u,
        n_sigma=n_sigma,
        solar_model=solar_model,
    )
