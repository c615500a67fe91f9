"""1-D profile likelihoods of physics parameters, and a sterile-neutrino exclusion map.

``profile(dataset, parameter, values)`` scans one physics knob of the CEvNS template and,
at every value, maximises the likelihood of the released data over all nuisances (the
same likelihoods as :func:`cevns_widgets.stats.fit`):

* ``coherent-csi-2017``: the binned (PE x time) likelihood of
  :mod:`cevns_widgets.stats.csi2017` (quenching pull as a PE-scale shift, prompt neutrons
  25 %, steady state per cell from the anticoincidence and beam-off data), with the CEvNS
  count tied to our prediction by a Gaussian normalisation prior: flux 10 %, form factor
  5 %, efficiency 5 % in quadrature (12.2 %); for the neutron radius the form factor is the
  parameter, so its 5 % is left out (11.2 %).
* ``coherent-lar-2020``: the analysis-A likelihood of :mod:`cevns_widgets.stats.lar2020`
  (the release's 3-D PDFs, its prediction priors and five shape systematics), with the
  release's CEvNS PDF reweighted cell by cell by our physics: in each energy bin the ratio
  of our spectrum at the parameter value to our Standard-Model spectrum, per flavour,
  mixed by our prompt/delayed arrival-time split of that (energy, time) cell. The CEvNS
  count is the release's prediction (128 +- 17, a 13.3 % Gaussian prior) times that
  reweighting.
* ``coherent-csi-2017+coherent-lar-2020``: the sum of the two ``-2 ln L``. The nuisances
  are independent, except the SNS neutrino flux (10 % in both, from the same simulation of
  the same target): one shared flux pull ``f`` (standard normal) scales both CEvNS
  templates by ``1 + 0.1 f``, each experiment keeps the rest of its normalisation prior
  (CsI 7.1 %, or 5 % for the radius; LAr 8.7 %), and ``f`` is profiled on the grid
  :data:`FLUX_PULLS` (a parabola through the best node and its neighbours). Far outside
  the intervals the best pull can reach the grid's end (+-3 sigma): there the profile is
  slightly overestimated, which moves no interval.

Parameters (:data:`PARAMETERS`): ``sin2w`` (the weak mixing angle in the tree-level
couplings), ``neutron_skin_fm`` (added to every nucleus' model rms radius: the physics
core's convention), ``neutron_radius_fm`` (the same knob, said as the average Cs/I neutron
rms radius for CsI and the 40Ar one for argon: R_n = mean of the Helm model radii of 133Cs
and 127I, 4.771 fm, plus the skin, the quantity Cadeddu et al., PRL 120 (2018) 072501,
fitted as one common radius of both nuclei), and ``magnetic_moment_muB`` (one effective
value for all flavours, bounded at 0).

Speed: sin^2 theta_W enters only the weak charge, linear in it, so every rate and, after
the linear detector response, every binned spectrum is a quadratic in sin^2 theta_W per
flavour: templates at three values (:data:`SIN2W_BASIS`) give every other value exactly.
The magnetic-moment term adds incoherently, so spectra are linear in mu_nu^2 (two
templates). The neutron radius changes the form factor non-linearly: its templates are
computed per value and cached (about 40 ms each for CsI). The sterile oscillation is
linear in sin^2 2theta at a fixed Delta m^2: one template per Delta m^2.

Intervals: where the profile ``-2 delta lnL`` crosses 1 (68 %) and 2.71 (90 %) by Wilks'
theorem, with :func:`~cevns_widgets.stats.interval.profile_interval` on the continuous
profile (an end at the parameter's bound is reported as that bound); the best fit by a
bounded scalar minimisation around the best grid point. Wilks fails near a boundary
(Denton & Gehrlein, arXiv:2008.06062): :mod:`cevns_widgets.stats.fc` gives the
Feldman-Cousins intervals.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from functools import cache, lru_cache

import numpy as np
from scipy.optimize import brentq, minimize_scalar

from ..api import evaluate
from ..physics import constants as PC
from ..physics.form_factors import NEUTRON_SKIN_RANGE_fm, rms_radius_fm
from ..physics.sources import sns
from ..presets import get_preset
from ..scenario import ScenarioError, check_number, quote
from . import csi2017, lar2020
from ._batch import CsIBatch, LArBatch
from .interval import profile_interval

CSI = csi2017.NAME
LAR = lar2020.NAME
COMBINED = f"{CSI}+{LAR}"
#: The datasets a profile knows.
PROFILE_DATASETS = (CSI, LAR, COMBINED)

#: -2 delta lnL for one parameter at 68 % and 90 % (Wilks; chi^2 with 1 dof).
DELTA_CHI2_1DOF = {0.68: 1.0, 0.90: 2.71}
#: The same for two parameters (the sterile map).
DELTA_CHI2_2DOF = {0.68: 2.279, 0.90: 4.605, 0.95: 5.991, 0.99: 9.210}

#: Fractional SNS flux uncertainty (CsI 2017: Science 2017, Table 1; LAr 2020: r = 0.09
#: +- 0.009, LArParametersAnlA.yaml), shared between the two datasets when combined.
FLUX_SIGMA = 0.10
#: Grid of the shared flux pull (sigma) profiled in the combination.
FLUX_PULLS = np.linspace(-3.0, 3.0, 13)
#: CsI normalisation prior without the form factor (for the neutron radius).
CSI_SIGMA_NO_FF = math.hypot(csi2017.FLUX_SIGMA, csi2017.EFFICIENCY_SIGMA)

#: Weak-mixing-angle values of the quadratic basis, and the magnetic-moment template value.
SIN2W_BASIS = (0.1, 0.25, 0.4)
MU_REF = 1e-8

#: Papers the results are compared with (tests/test_profiles.py).
PUBLISHED = {
    "neutron_radius_fm": {
        "value": 5.5,
        "interval_68": (4.4, 6.4),
        "citation": "Cadeddu, Giunti, Li, Zhang, Phys. Rev. Lett. 120 (2018) 072501, "
        "arXiv:1710.02730: R_n(133Cs, 127I) = 5.5 +0.9 -1.1 fm (one common average neutron "
        "rms radius of both nuclei, Helm and symmetrized Fermi, COHERENT 2017 spectrum)",
    },
    "neutron_skin_fm": {
        "value": 0.68,
        "interval_68": (-0.45, 1.59),
        "citation": "Huang & Chen, arXiv:1902.07625: Delta R_np(CsI) = 0.68 +0.91 -1.13 fm "
        "at sin^2 theta_W = 0.23857 (one-parameter fit of the COHERENT 2017 data)",
    },
    "sin2w": {
        "value": 0.21,
        "interval_68": (0.11, 0.34),
        "citation": "Huang & Chen, arXiv:1902.07625: sin^2 theta_W* = 0.21 +0.13 -0.10 from "
        "the COHERENT 2017 data, neutron skin fitted at the same time (2-D fit)",
    },
}


@dataclass(frozen=True)
class Parameter:
    """A profiled physics parameter: its allowed range, SM value and default grid."""

    name: str
    label: str
    unit: str
    sm: float
    low: float
    high: float
    default: tuple  # (start, stop, points)
    step: float  # bracketing step of the interval search
    xtol: float


PARAMETERS = {
    "sin2w": Parameter(
        "sin2w", "sin^2 theta_W", "", PC.SIN2W_LOW_ENERGY, 0.0, 1.0, (0.05, 0.5, 46), 0.02, 1e-5
    ),
    "neutron_skin_fm": Parameter(
        "neutron_skin_fm",
        "neutron skin",
        "fm",
        0.0,
        *NEUTRON_SKIN_RANGE_fm,
        (-0.1, 2.0, 43),
        0.2,
        1e-4,
    ),
    "neutron_radius_fm": Parameter(
        "neutron_radius_fm", "neutron rms radius", "fm", 0.0, 0.0, 0.0, (), 0.2, 1e-4
    ),
    "magnetic_moment_muB": Parameter(
        "magnetic_moment_muB",
        "neutrino magnetic moment",
        "mu_B",
        0.0,
        0.0,
        1e-6,
        (0.0, 3e-8, 61),
        2e-9,
        1e-12,
    ),
}


def check_dataset(dataset) -> str:
    if not isinstance(dataset, str) or dataset not in PROFILE_DATASETS:
        raise ScenarioError(
            f"dataset must be one of {', '.join(PROFILE_DATASETS)}; got {quote(dataset)}",
            "dataset",
        )
    return dataset


def radius_offset_fm(dataset: str) -> float:
    """The neutron rms radius at zero skin: the mean Helm radius of 133Cs and 127I (CsI),
    or of 40Ar (LAr). The skin is added to it (``neutron_radius_fm = offset + skin``)."""
    if dataset == CSI:
        return float(np.mean(rms_radius_fm("helm", np.array([133.0, 127.0]))))
    if dataset == LAR:
        return float(rms_radius_fm("helm", 40.0))
    raise ScenarioError(
        "parameter neutron_radius_fm is one nucleus' radius: for the combination of CsI and "
        "argon profile neutron_skin_fm (one skin added to every nucleus)",
        "parameter",
    )


def resolve_parameter(dataset: str, parameter) -> Parameter:
    """The :class:`Parameter` (for ``neutron_radius_fm`` with the dataset's offset)."""
    if not isinstance(parameter, str) or parameter not in PARAMETERS:
        raise ScenarioError(
            f"parameter must be one of {', '.join(PARAMETERS)}; got {quote(parameter)}",
            "parameter",
        )
    par = PARAMETERS[parameter]
    if parameter != "neutron_radius_fm":
        return par
    r0 = radius_offset_fm(dataset)
    skin = PARAMETERS["neutron_skin_fm"]
    start, stop, points = skin.default
    return Parameter(
        par.name,
        par.label,
        par.unit,
        r0,
        r0 + skin.low,
        r0 + skin.high,
        (r0 + start, r0 + stop, points),
        par.step,
        par.xtol,
    )


def check_values(par: Parameter, values, name: str = "values") -> np.ndarray:
    """The grid as a 1-D float array inside the parameter's range (ScenarioError if not)."""
    if values is None:
        start, stop, points = par.default
        return np.linspace(start, stop, points)
    if isinstance(values, str):
        raise ScenarioError(f"{name} must be a 1-D sequence of numbers, got a string", name)
    try:
        arr = np.atleast_1d(np.asarray(values, dtype=float))
    except (TypeError, ValueError):
        raise ScenarioError(f"{name} must be a 1-D sequence of numbers", name) from None
    if arr.ndim != 1 or arr.size == 0:
        raise ScenarioError(f"{name} must be a non-empty 1-D sequence of numbers", name)
    if not np.all(np.isfinite(arr)):
        raise ScenarioError(f"{name} must be finite numbers", name)
    lo, hi = par.low, par.high
    bad = arr[(arr < lo - 1e-12) | (arr > hi + 1e-12)]
    if bad.size:
        raise ScenarioError(
            f"{name}: {par.name} must lie in [{lo:g}, {hi:g}] {par.unit}".rstrip()
            + f", got {bad[0]:g}",
            name,
        )
    return np.clip(arr, lo, hi)


# --- templates: which physics keys, with which weights -------------------------------------


def _key(**fields) -> tuple:
    return tuple(sorted(fields.items()))


def _lagrange(x: np.ndarray, nodes) -> np.ndarray:
    """Quadratic Lagrange weights (n, 3): f(x) = sum_j w_j f(node_j) for any quadratic f."""
    x = np.asarray(x, dtype=float)[:, None]
    nodes = np.asarray(nodes, dtype=float)
    w = np.ones((x.shape[0], nodes.size))
    for j in range(nodes.size):
        for k in range(nodes.size):
            if k != j:
                w[:, j] *= (x[:, 0] - nodes[k]) / (nodes[j] - nodes[k])
    return w


def families(parameter: str, values: np.ndarray):
    """[(keys, indices, weights)]: the template keys (physics fields replaced in the preset),
    which of ``values`` use them, and the per-key weights of those values."""
    values = np.asarray(values, dtype=float)
    idx_all = np.arange(values.size)
    if parameter == "sin2w":
        keys = tuple(_key(sin2w=s) for s in SIN2W_BASIS)
        return [(keys, idx_all, _lagrange(values, SIN2W_BASIS))]
    if parameter == "magnetic_moment_muB":
        u = (values / MU_REF) ** 2
        keys = ((), _key(magnetic_moment_muB=MU_REF))
        return [(keys, idx_all, np.stack([1.0 - u, u], axis=1))]
    if parameter == "neutron_skin_fm":
        out = []
        for v in np.unique(values):
            key = () if v == 0 else _key(neutron_skin_fm=float(v))
            idx = idx_all[values == v]
            out.append(((key,), idx, np.ones((idx.size, 1))))
        return out
    raise ScenarioError(f"unknown parameter {quote(parameter)}", "parameter")


def sterile_families(dm2: float, s2: np.ndarray):
    keys = ((), _key(sterile_dm2_eV2=float(dm2), sterile_sin2_2theta=1.0))
    s2 = np.asarray(s2, dtype=float)
    return [(keys, np.arange(s2.size), np.stack([1.0 - s2, s2], axis=1))]


# --- CsI 2017 ----------------------------------------------------------------------------------


@lru_cache(maxsize=512)
def csi_grids(key: tuple) -> np.ndarray:
    """(2, n_nodes, n_pe): prompt and delayed CEvNS PE spectra in the 0-12 us window on the
    quenching grid, for the CsI 2017 preset with the fields of ``key`` replaced."""
    base = csi2017.base_scenario()
    csi2017.check_scenario(base)
    scenario = base.replace(**dict(key))
    reg = csi2017.region()
    tp, td = reg.data.prompt_time.sum(), reg.data.delayed_time.sum()
    prompt = csi2017.quenching_grid(scenario, csi2017.PROMPT_FLAVORS) * tp
    delayed = csi2017.quenching_grid(scenario, csi2017.DELAYED_FLAVORS) * td
    return np.stack([prompt, delayed])


@lru_cache(maxsize=256)
def csi_likelihood(keys: tuple) -> CsIBatch:
    """The CsI likelihood with components (prompt, delayed) per key."""
    grids, prompt = [], []
    for key in keys:
        g = csi_grids(key)
        grids += [g[0], g[1]]
        prompt += [True, False]
    reg = csi2017.region()
    return CsIBatch(csi2017._with_unit_time(reg.data), csi2017.splines(grids, prompt))


def csi_weights(key_weights: np.ndarray) -> np.ndarray:
    """Per-key weights (n, n_keys) -> per-component weights (prompt, delayed per key)."""
    return np.repeat(key_weights, 2, axis=1)


def csi_sigma(parameter: str) -> float:
    return CSI_SIGMA_NO_FF if parameter in ("neutron_skin_fm",) else csi2017.NORM_SIGMA


@dataclass(frozen=True, eq=False)
class Evaluated:
    """Profiled log-likelihoods at a batch of points (one dataset)."""

    loglike: np.ndarray
    signal: np.ndarray
    converged: np.ndarray
    params: list  # per family: (indices, params array)


def csi_evaluate(fams, *, sigma: float, flux=None, toys=None) -> Evaluated:
    """Profile the CsI likelihood at every point of the families.

    ``flux`` (P,): a factor on the CEvNS templates (the shared flux of the combination).
    ``toys``: per-point data (dict of n, m, O, centres arrays over all P points).
    """
    P = sum(idx.size for _k, idx, _w in fams)
    ll, sig, conv = np.empty(P), np.empty(P), np.empty(P, dtype=bool)
    params = []
    for keys, idx, kw in fams:
        like = csi_likelihood(keys)
        w = csi_weights(kw)
        if flux is not None:
            w = w * np.asarray(flux)[idx, None]
        if toys is None:
            packed = like.pack(w)
        else:
            packed = like.pack(
                w, toys["n"][idx], toys["m"][idx], toys["O"][idx], toys["centres"][idx]
            )
        prof = like.profile(packed, prior_c=(1.0, sigma))
        ll[idx], sig[idx], conv[idx] = prof.loglike, prof.signal, prof.converged
        params.append((idx, prof.params))
    return Evaluated(ll, sig, conv, params)


# --- LAr 2020 ----------------------------------------------------------------------------------

LAR_ENERGY_EDGES = np.arange(0.0, 121.0, 10.0)
LAR_TIME_EDGES_US = np.arange(-0.1, 4.91, 0.5)


@cache
def _lar_time_split() -> np.ndarray:
    """(3, 10): fraction of each flavour's neutrinos per release time bin (lar-2020 pulse)."""
    pulse = sns.BEAM_TIMINGS["lar-2020"].pulse
    return np.array(
        [np.diff(sns.arrival_time_cdf(LAR_TIME_EDGES_US, f, **pulse)) for f in sns.FLAVORS]
    )


@lru_cache(maxsize=512)
def lar_spectra(key: tuple) -> np.ndarray:
    """(3, 12): our CEvNS events per flavour and 10-keVee bin (LAr 2020 preset, no cuts)."""
    scenario = get_preset(LAR).scenario.replace(**dict(key))
    observed = evaluate(scenario).observed
    lo, hi = LAR_ENERGY_EDGES[:-1], LAR_ENERGY_EDGES[1:]
    return np.array([observed.above(f, lo, hi) for f in sns.FLAVORS])


@cache
def _lar_cells():
    """Energy- and time-bin index of every release cell, and our SM flavour mix there."""
    grid = lar2020.model().grid
    ie = np.clip(np.searchsorted(LAR_ENERGY_EDGES, grid[:, 0]) - 1, 0, 11)
    it = np.clip(np.searchsorted(LAR_TIME_EDGES_US, grid[:, 2]) - 1, 0, 9)
    sm = lar_spectra(())
    mix = sm[:, ie] * _lar_time_split()[:, it]  # (3, K)
    total = mix.sum(axis=0)
    frac = np.where(total > 0, mix / np.where(total > 0, total, 1.0), 1.0 / 3.0)
    return ie, frac


@lru_cache(maxsize=512)
def lar_ratio(key: tuple) -> np.ndarray:
    """(K,): the per-cell reweighting of the release's CEvNS PDF for ``key`` (1 at the SM)."""
    if key == ():
        return np.ones(lar2020.model().counts.size)
    ie, frac = _lar_cells()
    sm, new = lar_spectra(()), lar_spectra(key)
    tiny = 1e-12 * sm.max()
    r = np.where(sm > tiny, new / np.where(sm > tiny, sm, 1.0), 1.0)  # (3, 12)
    return (frac * r[:, ie]).sum(axis=0)


@cache
def lar_likelihood(sigma: float) -> LArBatch:
    m = lar2020.model()
    return LArBatch(m, m.sm_events, sigma)


def lar_sigma() -> float:
    m = lar2020.model()
    return m.sm_sigma / m.sm_events


def lar_evaluate(fams, *, sigma: float, flux=None, toys=None) -> Evaluated:
    """Profile the LAr likelihood at every point of the families (see csi_evaluate)."""
    like = lar_likelihood(sigma)
    P = sum(idx.size for _k, idx, _w in fams)
    rho = np.empty((P, like.K))
    for keys, idx, kw in fams:
        rows = np.array([lar_ratio(k) for k in keys])
        rho[idx] = kw @ rows
    if flux is not None:
        rho *= np.asarray(flux)[:, None]
    if toys is None:
        prof = like.profile(rho)
    else:
        prof = like.profile(rho, counts=toys["n"], centres=toys["centres"], start=toys.get("start"))
    return Evaluated(prof.loglike, prof.signal, prof.converged, [(np.arange(P), prof.params)])


# --- datasets --------------------------------------------------------------------------------


def combined_sigmas(parameter: str) -> tuple[float, float]:
    csi = math.sqrt(max(csi_sigma(parameter) ** 2 - FLUX_SIGMA**2, 0.0))
    lar = math.sqrt(max(lar_sigma() ** 2 - FLUX_SIGMA**2, 0.0))
    return csi, lar


def minimise_over_flux(total: np.ndarray, nodes=FLUX_PULLS) -> tuple[np.ndarray, np.ndarray]:
    """total (P, n_f): -2 ln L on the flux-pull ``nodes`` (uniform, prior included) ->
    minimum and where, from a parabola through the best node and its neighbours (an edge
    node is taken as it is)."""
    nodes = np.asarray(nodes, dtype=float)
    P, nf = total.shape
    j = np.clip(np.argmin(total, axis=1), 1, nf - 2)
    rows = np.arange(P)
    y0, y1, y2 = total[rows, j - 1], total[rows, j], total[rows, j + 1]
    h = nodes[1] - nodes[0]
    curv = y0 - 2 * y1 + y2
    ok = curv > 0
    shift = np.where(ok, 0.5 * (y0 - y2) / np.where(ok, curv, 1.0), 0.0)
    shift = np.clip(shift, -1.0, 1.0)
    vmin = np.where(ok, y1 - 0.125 * (y0 - y2) * shift, y1)
    best = np.min(total, axis=1)
    use = vmin <= best
    return np.where(use, vmin, best), np.where(
        use, nodes[j] + shift * h, nodes[np.argmin(total, axis=1)]
    )


def evaluate_dataset(dataset: str, parameter: str, fams_of, P: int):
    """-2 ln L (P,) profiled over all nuisances, the CEvNS events (CsI or LAr; for the
    combination a dict of both) and the convergence flags. ``fams_of(P_total_repeat)``
    gives the families of the P points (called with the repetition for the flux grid)."""
    if dataset == CSI:
        e = csi_evaluate(fams_of(1), sigma=csi_sigma(parameter))
        return -2.0 * e.loglike, e.signal, e.converged
    if dataset == LAR:
        e = lar_evaluate(fams_of(1), sigma=lar_sigma())
        return -2.0 * e.loglike, e.signal, e.converged
    # combination: every point at every flux pull
    nf = FLUX_PULLS.size
    fams = fams_of(nf)
    flux = np.tile(1.0 + FLUX_SIGMA * FLUX_PULLS, P)
    s_csi, s_lar = combined_sigmas(parameter)
    ec = csi_evaluate(fams, sigma=s_csi, flux=flux)
    el = lar_evaluate(fams, sigma=s_lar, flux=flux)
    total = (-2.0 * (ec.loglike + el.loglike)).reshape(P, nf) + FLUX_PULLS**2
    chi2, fbest = minimise_over_flux(total)
    j = np.argmin(np.abs(FLUX_PULLS[None, :] - fbest[:, None]), axis=1)
    pick = np.arange(P) * nf + j
    signal = {CSI: ec.signal[pick], LAR: el.signal[pick], "flux_pull": fbest}
    conv = (ec.converged & el.converged).reshape(P, nf).all(axis=1)
    return chi2, signal, conv


def repeat_families(fams, times: int):
    """Families for every point repeated ``times`` (point-major: point i -> rows i*times..)."""
    if times == 1:
        return fams
    out = []
    for keys, idx, kw in fams:
        new_idx = (idx[:, None] * times + np.arange(times)[None, :]).ravel()
        out.append((keys, new_idx, np.repeat(kw, times, axis=0)))
    return out


def chi2_at(dataset: str, parameter: str, values) -> tuple:
    """-2 ln L at each internal parameter value (skin for the radius), profiled."""
    values = np.atleast_1d(np.asarray(values, dtype=float))
    internal = "neutron_skin_fm" if parameter == "neutron_radius_fm" else parameter
    fams = families(internal, values)
    return evaluate_dataset(dataset, internal, lambda t: repeat_families(fams, t), values.size)


# --- the result --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileResult:
    """A 1-D profile: ``delta_chi2[i]`` at ``values[i]`` against the best fit (all nuisances
    profiled), the best fit, and the 68 % / 90 % intervals (Wilks: -2 delta lnL = 1, 2.71).

    An interval end equal to the parameter's bound (``bounds``) means the interval reaches
    the bound; ``None`` means it runs past the end of the parameter's allowed range.
    """

    dataset: str
    parameter: str
    unit: str
    values: np.ndarray
    delta_chi2: np.ndarray
    best_fit: float
    chi2_min: float
    intervals: dict
    sm_value: float
    sm_delta_chi2: float
    cevns_events: object
    converged: np.ndarray
    bounds: tuple
    notes: list = field(default_factory=list)

    def interval(self, cl: float = 0.68):
        return self.intervals[cl]

    def to_dict(self) -> dict:
        out = asdict(self)
        for k in ("values", "delta_chi2", "converged"):
            out[k] = np.asarray(out[k]).tolist()
        ev = self.cevns_events
        if isinstance(ev, dict):
            out["cevns_events"] = {k: np.asarray(v).tolist() for k, v in ev.items()}
        else:
            out["cevns_events"] = np.asarray(ev).tolist()
        out["intervals"] = {f"{cl:.2f}": list(v) for cl, v in self.intervals.items()}
        out["bounds"] = list(self.bounds)
        return out


def _best_fit(f, values: np.ndarray, chi2: np.ndarray, lo: float, hi: float, xtol: float):
    """Minimise ``f`` between the grid neighbours of the best grid point."""
    i = int(np.argmin(chi2))
    a = values[max(i - 1, 0)]
    b = values[min(i + 1, values.size - 1)]
    best_x, best_v = float(values[i]), float(chi2[i])
    if b > a:
        res = minimize_scalar(f, bounds=(a, b), method="bounded", options={"xatol": xtol})
        if res.fun < best_v:
            best_x, best_v = float(res.x), float(res.fun)
    for edge in (lo, hi):  # a bound just outside the grid
        if a <= edge <= b:
            v = float(f(edge))
            if v < best_v:
                best_x, best_v = edge, v
    return best_x, best_v


def _intervals(f, best: float, chi2_min: float, par: Parameter, levels=DELTA_CHI2_1DOF):
    """Interval ends from the existing finder on the shifted variable u = x - low >= 0."""
    out = {}
    for cl, level in levels.items():

        def excess(u, level=level):
            return float(f(par.low + u) - chi2_min - level)

        try:
            lo, hi = profile_interval(
                excess, best - par.low, par.step, par.high - par.low, xtol=par.xtol
            )
            hi_end = par.low + hi
        except RuntimeError:  # no upper crossing inside the range
            lo = 0.0
            if excess(0.0) > 0:
                lo = brentq(excess, 0.0, best - par.low, xtol=par.xtol)
            hi_end = None
        out[cl] = (float(par.low + lo), None if hi_end is None else float(hi_end))
    return out


R_ALL = (-np.inf, np.inf)
INTERNAL_RANGE = {"neutron_radius_fm": NEUTRON_SKIN_RANGE_fm}


def profile(dataset: str = CSI, parameter: str = "sin2w", values=None) -> ProfileResult:
    """The profile likelihood of ``parameter`` over ``values`` (default: the parameter's
    grid), every nuisance profiled at every value. See the module docstring.

    >>> r = profile("coherent-csi-2017", "sin2w", [0.2, 0.24])
    >>> r.delta_chi2.shape, bool(0.15 < r.best_fit < 0.3)
    ((2,), True)
    """
    check_dataset(dataset)
    par = resolve_parameter(dataset, parameter)
    values = check_values(par, values)
    offset = par.sm if parameter == "neutron_radius_fm" else 0.0

    def internal(x):  # the skin for the radius (clipped: rounding at the range's ends)
        return np.clip(np.asarray(x, dtype=float) - offset, *INTERNAL_RANGE.get(parameter, R_ALL))

    chi2, signal, conv = chi2_at(dataset, parameter, internal(values))

    def f(x):
        return float(chi2_at(dataset, parameter, internal([x]))[0][0])

    best, chi2_min = _best_fit(f, values, chi2, par.low, par.high, par.xtol)
    chi2_min = min(chi2_min, float(chi2.min()))
    intervals = _intervals(f, best, chi2_min, par)
    sm = par.sm
    notes = [
        f"{par.label}: every nuisance profiled at every value; intervals by Wilks' theorem "
        "(-2 delta lnL = 1 and 2.71)",
    ]
    if dataset == COMBINED:
        notes.append(
            "CsI 2017 + LAr 2020: independent nuisances except one shared SNS flux pull "
            f"({FLUX_SIGMA:.0%}), profiled"
        )
    if parameter == "neutron_radius_fm":
        notes.append(
            f"radius = {offset:.3f} fm (the Helm model radius at zero skin) + neutron skin"
        )
    return ProfileResult(
        dataset=dataset,
        parameter=parameter,
        unit=par.unit,
        values=values,
        delta_chi2=np.maximum(chi2 - chi2_min, 0.0),
        best_fit=float(best),
        chi2_min=float(chi2_min),
        intervals=intervals,
        sm_value=float(sm),
        sm_delta_chi2=max(f(sm) - chi2_min, 0.0),
        cevns_events=signal,
        converged=conv,
        bounds=(par.low, par.high),
        notes=notes,
    )


# --- sterile neutrino ------------------------------------------------------------------------


@dataclass(frozen=True)
class SterileScan:
    """``delta_chi2[i, j]`` at ``(dm2_eV2[i], sin2_2theta[j])`` against the best grid point
    (or no oscillation, if better), every nuisance profiled; ``excluded(cl)`` the points
    outside the ``cl`` region for two parameters (Wilks)."""

    dataset: str
    dm2_eV2: np.ndarray
    sin2_2theta: np.ndarray
    delta_chi2: np.ndarray
    best: tuple
    no_oscillation_delta_chi2: float
    converged: np.ndarray

    def excluded(self, cl: float = 0.90) -> np.ndarray:
        return self.delta_chi2 > DELTA_CHI2_2DOF[cl]


def sterile_scan(dataset: str = CSI, dm2_values=None, s2_values=None) -> SterileScan:
    """Profile-likelihood map over (Delta m^2 [eV^2], sin^2 2theta) of a 3+1 sterile
    neutrino (disappearance of every flavour over the baseline; default 31 x 21 points,
    Delta m^2 from 0.1 to 100 eV^2 logarithmically, sin^2 2theta from 0 to 1).

    >>> s = sterile_scan("coherent-csi-2017", [1.0], [0.0, 0.5])
    >>> s.delta_chi2.shape
    (1, 2)
    """
    check_dataset(dataset)
    dm2 = _grid("dm2_values", np.geomspace(0.1, 100.0, 31) if dm2_values is None else dm2_values)
    s2 = _grid("s2_values", np.linspace(0.0, 1.0, 21) if s2_values is None else s2_values)
    for v in (dm2.min(), dm2.max()):
        check_number("sterile_dm2_eV2", float(v))
    for v in (s2.min(), s2.max()):
        check_number("sterile_sin2_2theta", float(v))
    chi2 = np.empty((dm2.size, s2.size))
    conv = np.empty((dm2.size, s2.size), dtype=bool)
    for i, d in enumerate(dm2):
        if d > 0:
            fams = sterile_families(float(d), s2)
        else:  # no oscillation at all
            fams = [(((),), np.arange(s2.size), np.ones((s2.size, 1)))]
        c, _sig, cv = evaluate_dataset(
            dataset, "sterile", lambda t, fams=fams: repeat_families(fams, t), s2.size
        )
        chi2[i], conv[i] = c, cv
    no_osc = [(((),), np.arange(1), np.ones((1, 1)))]
    null = float(
        evaluate_dataset(dataset, "sterile", lambda t: repeat_families(no_osc, t), 1)[0][0]
    )
    best = np.unravel_index(int(np.argmin(chi2)), chi2.shape)
    ref = min(float(chi2.min()), null)
    return SterileScan(
        dataset=dataset,
        dm2_eV2=dm2,
        sin2_2theta=s2,
        delta_chi2=chi2 - ref,
        best=(float(dm2[best[0]]), float(s2[best[1]])),
        no_oscillation_delta_chi2=null - ref,
        converged=conv,
    )


def _grid(name: str, values) -> np.ndarray:
    if isinstance(values, str):
        raise ScenarioError(f"{name} must be a non-empty 1-D sequence of numbers", name)
    try:
        arr = np.atleast_1d(np.asarray(values, dtype=float))
    except (TypeError, ValueError):
        raise ScenarioError(f"{name} must be a non-empty 1-D sequence of numbers", name) from None
    if arr.ndim != 1 or arr.size == 0 or not np.all(np.isfinite(arr)):
        raise ScenarioError(f"{name} must be a non-empty 1-D sequence of finite numbers", name)
    return arr


def format_profile(r: ProfileResult, fc=None) -> str:
    """The plain-text report of ``cevns profile``."""
    unit = f" {r.unit}" if r.unit else ""

    def end(x):
        return "beyond range" if x is None else f"{x:.4g}"

    lines = [
        f"{r.dataset}: profile likelihood of {r.parameter}",
        "",
        f"best fit            {r.best_fit:.4g}{unit}",
    ]
    for cl, (lo, hi) in r.intervals.items():
        lines.append(f"{cl:.0%} interval        {end(lo)} to {end(hi)}{unit}   (Wilks)")
    if fc is not None:
        for cl, (lo, hi) in fc.intervals.items():
            lines.append(
                f"{cl:.0%} interval        {end(lo)} to {end(hi)}{unit}   "
                f"(Feldman-Cousins, {fc.n_toys} toys per point)"
            )
    lines += [
        f"SM value            {r.sm_value:.5g}{unit}: -2 delta lnL = {r.sm_delta_chi2:.2f}",
        "",
        f"{'value':>12s} {'-2 delta lnL':>13s}" + ("" if fc is None else f" {'FC 90% cut':>11s}"),
    ]
    for i, (v, d) in enumerate(zip(r.values, r.delta_chi2, strict=True)):
        row = f"{v:12.5g} {d:13.3f}"
        if fc is not None:
            row += f" {fc.critical[0.90][i]:11.3f}"
        lines.append(row)
    lines += ["", *[f"note: {n}" for n in r.notes]]
    return "\n".join(lines)
