"""The COHERENT CENNS-10 liquid-argon 2020 "Analysis A" likelihood fit, on the data release.

Data: COHERENT Collaboration, Phys. Rev. Lett. 126 (2021) 012002, arXiv:2003.10630
(analysis A); data release arXiv:2006.12659, doi:10.5281/zenodo.3903810. The files are
packaged as ``data/lar2020_*.txt`` (provenance in ``data/README.md``).

Binning: the release's own 3-D grid, 12 energy bins (10 keVee, 0-120 keVee) x 8 F90 bins
(0.05, 0.5-0.9) x 10 arrival-time bins (0.5 us, -0.1 to 4.9 us): 960 cells, 3752 events.

Model: a binned Poisson likelihood with expected counts per cell ``k``::

    lambda_k = mu * C_k(theta) + n_prompt * B_k(theta) + n_delayed * D_k + n_ss * S_k

where ``C, B, D, S`` are the release's CEvNS, prompt beam-related-neutron, delayed BRN and
steady-state PDFs, each normalised to unit sum (so the coefficients are event counts in
the region). ``mu`` (the CEvNS count) is free, ``mu >= 0``. The three background counts
have Gaussian priors from the release's prediction normalisations (``LArParametersAnlA.yaml``:
497 +- 160, 33 +- 33, 3154 +- 25). With ``shape_systematics`` (the default) the release's
five shape variations are nuisances ``theta_i`` with standard-normal priors:

* CEvNS F90 response (+-1 sigma files), CEvNS beam-timing mean (one file);
* prompt-BRN energy spectrum (+-1 sigma), arrival-time mean (+-1 sigma), arrival-time
  width (one file).

Each variation is normalised to unit sum (a shape, not a rate) and interpolated per cell:
quadratic through (-1, 0, +1) for ``|theta| <= 1``, continued linearly (C1) beyond. A
one-sided variation is mirrored (``down = 2 nominal - up``), i.e. linear. The sum of the
interpolated PDF stays exactly 1.

Minimisation: :func:`scipy.optimize.minimize` (L-BFGS-B, analytic gradient, parameters
scaled to their prior widths), started from both the prediction and the release's best
fit; the 68 % interval from the profile likelihood (``-2 delta lnL = 1``, Wilks) with
:func:`scipy.optimize.brentq`, the significance ``sqrt(-2 delta lnL)`` against ``mu = 0``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np
from scipy.optimize import minimize

from ..datasets import LAR_2020_CITATION, DataFormatError, _parse_table, _read_text
from ..releases import lar_2020_parameters, lar_2020_value
from ..scenario import ScenarioError
from .fit import headline_lines
from .interval import profile_interval

NAME = "coherent-lar-2020"
TITLE = "COHERENT CENNS-10 LAr 2020, analysis A (Phys. Rev. Lett. 126 (2021) 012002)"
#: Significance quoted for analysis A in arXiv:2003.10630 (not in the release YAML).
PUBLISHED_SIGNIFICANCE = 3.5

#: Background components: name, prediction key of the release YAML, packaged PDF file.
BACKGROUNDS = (
    ("prompt_brn", "promptBeamRelatedNeutronPredictionNormalization", "lar2020_brnpdf.txt"),
    ("delayed_brn", "delayedBeamRelatedNeutronPredictionNormalization", "lar2020_delbrnpdf.txt"),
    ("steady_state", "ssBackgroundPredictionNormalization", "lar2020_bkgpdf.txt"),
)
#: Release best-fit keys for the same components (and CEvNS).
BESTFIT_KEYS = {
    "cevns": "cevnsBestfitNormalization",
    "prompt_brn": "promptBeamRelatedNeutronBestfitNormalization",
    "delayed_brn": "delayedBeamRelatedNeutronBestfitNormalization",
    "steady_state": "ssBackgroundBestfitNormalization",
}
#: Shape systematics: name, component ("cevns" or "prompt_brn"), +1 sigma file, -1 sigma
#: file (None: one-sided, mirrored).
SYSTEMATICS = (
    ("cevns_f90", "cevns", "lar2020_cevnspdf+1sigF90.txt", "lar2020_cevnspdf-1sigF90.txt"),
    ("cevns_timing_mean", "cevns", "lar2020_cevnspdfCEvNSTimingMeanSyst.txt", None),
    (
        "brn_energy",
        "prompt_brn",
        "lar2020_brnpdf+1sigEnergy.txt",
        "lar2020_brnpdf-1sigEnergy.txt",
    ),
    (
        "brn_timing_mean",
        "prompt_brn",
        "lar2020_brnpdf+1sigBRNTimingMean.txt",
        "lar2020_brnpdf-1sigBRNTimingMean.txt",
    ),
    ("brn_timing_width", "prompt_brn", "lar2020_brnpdfBRNTimingWidthSyst.txt", None),
)
DATA_FILE = "lar2020_datanobkgsub.txt"
CEVNS_FILE = "lar2020_cevnspdf.txt"
#: Bound of the shape pulls (sigma) in the minimisation.
PULL_BOUND = 5.0


@cache
def _table(name: str) -> np.ndarray:
    return _parse_table(_read_text(name), ncols=4, source=name)


def _column(name: str, grid: np.ndarray) -> np.ndarray:
    """Column 4 of a release 3-D file, after checking its grid equals ``grid``."""
    t = _table(name)
    if t.shape[0] != grid.shape[0] or not np.allclose(t[:, :3], grid):
        raise DataFormatError(f"{name}: (energy, F90, time) grid differs from the data's")
    return t[:, 3].copy()


def _unit(x: np.ndarray, name: str) -> np.ndarray:
    s = float(x.sum())
    if not s > 0 or (x < 0).any():
        raise DataFormatError(f"{name}: not a non-negative PDF with positive sum")
    return x / s


@dataclass(frozen=True, eq=False)
class Shape:
    """A unit-sum PDF with per-cell quadratic/linear interpolation in its pulls."""

    nominal: np.ndarray  # (K,)
    a: np.ndarray  # (n_syst, K): half the up-down difference
    b: np.ndarray  # (n_syst, K): half the up+down-2 nominal curvature
    index: tuple  # which global pulls (indices into theta) these rows belong to

    def evaluate(self, theta: np.ndarray):
        """The PDF and its derivatives in its own pulls, shape ``(K,)`` and ``(n, K)``."""
        val = self.nominal.copy()
        der = np.empty_like(self.a)
        for r, i in enumerate(self.index):
            t = float(theta[i])
            if abs(t) <= 1:
                val += self.a[r] * t + self.b[r] * t * t
                der[r] = self.a[r] + 2 * self.b[r] * t
            else:
                s = math.copysign(1.0, t)
                val += self.a[r] * t + self.b[r] * (2 * abs(t) - 1)
                der[r] = self.a[r] + 2 * self.b[r] * s
        return val, der


@dataclass(frozen=True, eq=False)
class LAr2020Model:
    """Data, unit PDFs and priors of the analysis-A likelihood."""

    grid: np.ndarray  # (K, 3) bin centres: keVee, F90, us
    counts: np.ndarray  # (K,)
    cevns: Shape
    prompt_brn: Shape
    delayed_brn: np.ndarray
    steady_state: np.ndarray
    prior_mean: np.ndarray  # (3,) prompt, delayed, steady state
    prior_sigma: np.ndarray
    syst_names: tuple
    sm_events: float
    sm_sigma: float

    @property
    def n_syst(self) -> int:
        return len(self.syst_names)

    # parameter vector: mu, n_prompt, n_delayed, n_ss, theta_1..theta_n
    def nll(self, p: np.ndarray, prior_mu=None):
        """-ln L (up to a constant) and its gradient."""
        mu, nb, nd, ns = p[:4]
        th = p[4:]
        c, dc = self.cevns.evaluate(th)
        b, db = self.prompt_brn.evaluate(th)
        lam = mu * c + nb * b + nd * self.delayed_brn + ns * self.steady_state
        lam = np.maximum(lam, 1e-12)
        n = self.counts
        val = float(np.sum(lam - n * np.log(lam)))
        w = 1.0 - n / lam
        g = np.empty_like(p)
        g[0] = w @ c
        g[1] = w @ b
        g[2] = w @ self.delayed_brn
        g[3] = w @ self.steady_state
        pull = (p[1:4] - self.prior_mean) / self.prior_sigma
        val += 0.5 * float(pull @ pull)
        g[1:4] += pull / self.prior_sigma
        g[4:] = th
        val += 0.5 * float(th @ th)
        for r, i in enumerate(self.cevns.index):
            g[4 + i] += mu * (w @ dc[r])
        for r, i in enumerate(self.prompt_brn.index):
            g[4 + i] += nb * (w @ db[r])
        if prior_mu is not None:
            m, s = prior_mu
            val += 0.5 * ((mu - m) / s) ** 2
            g[0] += (mu - m) / s**2
        return val, g

    def start_points(self) -> list[np.ndarray]:
        z = np.zeros(self.n_syst)
        pred = np.r_[self.sm_events, self.prior_mean, z]
        best = np.r_[[float(lar_2020_value(BESTFIT_KEYS[k])) for k in BESTFIT_KEYS], z]
        return [pred, best]

    def minimise(self, mu=None, prior_mu=None):
        """The (profiled) minimum: ``(nll, params)``; ``mu`` fixed if given."""
        scale = np.r_[self.sm_sigma, self.prior_sigma, np.ones(self.n_syst)]
        bounds = [(0.0, None)] * 4 + [(-PULL_BOUND, PULL_BOUND)] * self.n_syst
        free = np.ones(4 + self.n_syst, dtype=bool)
        if mu is not None:
            free[0] = False
        best = None
        for p0 in self.start_points():
            p0 = p0.copy()
            if mu is not None:
                p0[0] = mu

            def f(x, p0=p0):
                p = p0.copy()
                p[free] = x * scale[free]
                v, g = self.nll(p, prior_mu)
                return v, g[free] * scale[free]

            b = [
                (lo / s if lo is not None else None, hi / s if hi is not None else None)
                for (lo, hi), s, keep in zip(bounds, scale, free, strict=True)
                if keep
            ]
            res = minimize(
                f,
                p0[free] / scale[free],
                jac=True,
                method="L-BFGS-B",
                bounds=b,
                options={"ftol": 1e-15, "gtol": 1e-9, "maxiter": 5000, "maxcor": 30},
            )
            p = p0.copy()
            p[free] = res.x * scale[free]
            v = self.nll(p, prior_mu)[0]
            if best is None or v < best[0]:
                best = (v, p)
        return best


@cache
def model(shape_systematics: bool = True) -> LAr2020Model:
    """The analysis-A likelihood on the packaged release files."""
    data = _table(DATA_FILE)
    grid = data[:, :3].copy()
    counts = data[:, 3].copy()
    if (counts < 0).any() or not np.allclose(counts, np.round(counts)):
        raise DataFormatError(f"{DATA_FILE}: counts are not non-negative integers")
    nominal = {
        "cevns": _unit(_column(CEVNS_FILE, grid), CEVNS_FILE),
        **{name: _unit(_column(f, grid), f) for name, _key, f in BACKGROUNDS},
    }
    systs = SYSTEMATICS if shape_systematics else ()
    shapes = {}
    for comp in ("cevns", "prompt_brn"):
        rows_a, rows_b, index = [], [], []
        for i, (_name, c, up_f, dn_f) in enumerate(systs):
            if c != comp:
                continue
            nom = nominal[comp]
            up = _unit(_column(up_f, grid), up_f)
            dn = _unit(_column(dn_f, grid), dn_f) if dn_f else 2 * nom - up
            rows_a.append(0.5 * (up - dn))
            rows_b.append(0.5 * (up + dn) - nom)
            index.append(i)
        k = grid.shape[0]
        shapes[comp] = Shape(
            nominal[comp],
            np.array(rows_a).reshape(-1, k),
            np.array(rows_b).reshape(-1, k),
            tuple(index),
        )
    par = lar_2020_parameters()
    return LAr2020Model(
        grid=grid,
        counts=counts,
        cevns=shapes["cevns"],
        prompt_brn=shapes["prompt_brn"],
        delayed_brn=nominal["delayed_brn"],
        steady_state=nominal["steady_state"],
        prior_mean=np.array([float(par[key]["value"]) for _n, key, _f in BACKGROUNDS]),
        prior_sigma=np.array([float(par[key]["uncertainty"]) for _n, key, _f in BACKGROUNDS]),
        syst_names=tuple(s[0] for s in systs),
        sm_events=float(par["cevnsPredictionNormalization"]["value"]),
        sm_sigma=float(par["cevnsPredictionNormalization"]["uncertainty"]),
    )


def published() -> dict:
    """The release's best fit (YAML) and the paper's analysis-A significance."""
    par = lar_2020_parameters()
    cev = par[BESTFIT_KEYS["cevns"]]
    out = {
        "cevns_events": float(cev["value"]),
        "cevns_events_error": float(cev["uncertainty_stat"]),
        "significance_sigma": PUBLISHED_SIGNIFICANCE,
        "cevns_prediction": float(par["cevnsPredictionNormalization"]["value"]),
        "cevns_prediction_error": float(par["cevnsPredictionNormalization"]["uncertainty"]),
    }
    for k in ("prompt_brn", "delayed_brn", "steady_state"):
        e = par[BESTFIT_KEYS[k]]
        out[f"{k}_events"] = float(e["value"])
        out[f"{k}_events_error"] = float(e["uncertainty"])
    return out


@dataclass(frozen=True)
class Profiled:
    """The free fit, the null fit and the 68 % interval of one model."""

    nll_best: float
    params: np.ndarray
    nll_null: float
    null_params: np.ndarray
    interval: tuple[float, float]

    @property
    def q0(self) -> float:
        return max(0.0, 2.0 * (self.nll_null - self.nll_best))


def _interval(m: LAr2020Model, mu_best: float, nll_best: float) -> tuple[float, float]:
    def excess(mu: float) -> float:
        return 2.0 * (m.minimise(mu=mu)[0] - nll_best) - 1.0

    limit = 20 * (mu_best + m.sm_events)
    return profile_interval(excess, mu_best, max(10.0, 0.25 * mu_best), limit, xtol=1e-4)


@cache
def profiled(shape_systematics: bool = True) -> Profiled:
    """Free fit, null (``mu = 0``) fit and profile interval, cached per model."""
    m = model(shape_systematics)
    v, p = m.minimise()
    v0, p0 = m.minimise(mu=0.0)
    return Profiled(v, p, v0, p0, _interval(m, float(p[0]), v))


def _nuisances(m: LAr2020Model, p: np.ndarray, prefix: str = "") -> dict:
    out = {
        f"{prefix}prompt_brn_events": p[1],
        f"{prefix}delayed_brn_events": p[2],
        f"{prefix}steady_state_events": p[3],
    }
    for k, (name, mean, sig) in enumerate(
        zip(("prompt_brn", "delayed_brn", "steady_state"), m.prior_mean, m.prior_sigma, strict=True)
    ):
        out[f"{prefix}{name}_pull"] = (p[1 + k] - mean) / sig
    for i, name in enumerate(m.syst_names):
        out[f"{prefix}{name}_pull"] = p[4 + i]
    return {k: float(v) for k, v in out.items()}


def fit(scenario=None, shape_systematics: bool = True):
    """The analysis-A fit of the release, as a :class:`~cevns_widgets.stats.fit.FitResult`.

    ``scenario`` must be None: the CEvNS shape is the release's PDF, not our physics.
    """
    from .fit import FitResult  # here, not at import: fit.py dispatches to this module

    if scenario is not None:
        raise ScenarioError(
            "scenario is not taken by the coherent-lar-2020 fit (it uses the release's CEvNS PDF)",
            "scenario",
        )
    m = model(shape_systematics)
    r = profiled(shape_systematics)
    mu = float(r.params[0])
    lo, hi = r.interval
    tied_v, tied_p = m.minimise(prior_mu=(m.sm_events, m.sm_sigma))
    nuisances = _nuisances(m, r.params)
    nuisances.update(_nuisances(m, r.null_params, prefix="null_fit_"))
    nuisances["sm_fit_cevns_events"] = float(tied_p[0])
    notes = [
        "binned Poisson likelihood on the release's 12 x 8 x 10 (energy, F90, time) grid, "
        "CEvNS count free (>= 0)",
        "prompt BRN, delayed BRN and steady-state counts with Gaussian priors from the "
        "release's prediction normalisations "
        + ", ".join(f"{a:g} +- {s:g}" for a, s in zip(m.prior_mean, m.prior_sigma, strict=True)),
    ]
    if shape_systematics:
        stat = profiled(False)
        notes.append(
            "shape systematics profiled (standard-normal pulls, quadratic/linear per-cell "
            "interpolation of the release's variations): " + ", ".join(m.syst_names)
        )
        notes.append(
            f"without the shape systematics: {stat.params[0]:.1f} events, 68 % interval "
            f"{stat.interval[0]:.1f} to {stat.interval[1]:.1f}, "
            f"{math.sqrt(stat.q0):.2f} sigma"
        )
    notes.append(
        f"the CEvNS prediction uncertainty ({m.sm_events:g} +- {m.sm_sigma:g}) enters only "
        "the fit tied to the prediction (sm_delta_chi2, sm_fit_cevns_events)"
    )
    notes.append("68 % interval and significance from the profile likelihood with Wilks' theorem")
    e = np.unique(m.grid[:, 0])
    f90 = np.unique(m.grid[:, 1])
    t = np.unique(m.grid[:, 2])

    def rng(c):
        h = 0.5 * float(np.min(np.diff(c)))
        return [round(float(c[0]) - h, 6), round(float(c[-1]) + h, 6)]

    return FitResult(
        dataset=NAME,
        cevns_events=mu,
        cevns_events_error=0.5 * (hi - lo),
        cevns_events_interval=(lo, hi),
        significance_sigma=math.sqrt(r.q0),
        null_delta_chi2=r.q0,
        sm_prediction=m.sm_events,
        ratio_to_sm=mu / m.sm_events,
        nuisances=nuisances,
        sm_delta_chi2=max(0.0, 2.0 * (tied_v - r.nll_best)),
        region={
            "energy_keVee": rng(e),
            "f90": rng(f90),
            "time_us": rng(t),
            "energy_bins": int(e.size),
            "f90_bins": int(f90.size),
            "time_bins": int(t.size),
        },
        published=published(),
        citation=LAR_2020_CITATION,
        notes=notes,
    )


def format_fit(r) -> str:
    """The plain-text report of ``cevns fit --preset coherent-lar-2020``."""
    lo, hi = r.cevns_events_interval
    pub = r.published
    nz = r.nuisances
    g = r.region
    lines = [
        f"{TITLE}: binned likelihood fit",
        f"region: {g['energy_keVee'][0]:g}-{g['energy_keVee'][1]:g} keVee, F90 "
        f"{g['f90'][0]:g}-{g['f90'][1]:g}, {g['time_us'][0]:g}-{g['time_us'][1]:g} us "
        f"({g['energy_bins']} x {g['f90_bins']} x {g['time_bins']} bins)",
        "",
        *headline_lines(r),
        f"published           {pub['cevns_events']:7.0f} +- {pub['cevns_events_error']:.0f}, "
        f"{pub['significance_sigma']:g} sigma",
        "",
        "best-fit nuisances (release best fit in brackets):",
    ]
    for k in ("prompt_brn", "delayed_brn", "steady_state"):
        lines.append(
            f"  {k.replace('_', ' '):<18} {nz[f'{k}_events']:7.1f} events "
            f"({nz[f'{k}_pull']:+.2f} sigma)   [{pub[f'{k}_events']:g} +- "
            f"{pub[f'{k}_events_error']:g}]"
        )
    pulls = [k for k in nz if k.endswith("_pull") and not k.startswith("null_fit_")]
    shape = [k for k in pulls if k.split("_pull")[0] not in BESTFIT_KEYS]
    if shape:
        lines.append(
            "  shape pulls (sigma): "
            + ", ".join(f"{k.removesuffix('_pull')} {nz[k]:+.2f}" for k in shape)
        )
    lines += [
        f"  tied to the prediction ({r.sm_prediction:g} +- {pub['cevns_prediction_error']:g}): "
        f"{nz['sm_fit_cevns_events']:.1f} CEvNS events; -2 delta lnL = {r.sm_delta_chi2:.2f}",
        "",
        *[f"note: {n}" for n in r.notes],
        f"data: {r.citation}",
    ]
    return "\n".join(lines)
