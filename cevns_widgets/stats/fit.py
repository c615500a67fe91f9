"""The CEvNS likelihood fit of a released dataset: events, 68 % interval, significance.

``fit("coherent-csi-2017")`` maximises the binned Poisson likelihood of
:mod:`cevns_widgets.stats.csi2017` with the CEvNS count free (shape from our physics, the
quenching factor a profiled shape nuisance), then

* ``cevns_events_interval``: where the profile likelihood of the CEvNS count has risen by
  ``-2 delta lnL = 1`` on either side (68 % by Wilks' theorem);
* ``significance_sigma``: ``sqrt(-2 delta lnL)`` between the best fit and no CEvNS, all
  nuisances profiled (Wilks, one parameter at its boundary: the one-sided Z);
* the nuisances at the best fit, and a second fit with the CEvNS count tied to our
  Standard-Model prediction through the flux (10 %), form-factor (5 %) and efficiency (5 %)
  normalisation priors (in the free fit they are degenerate with the count and stay at
  zero): its pulls and its ``-2 delta lnL`` against the free fit (``sm_delta_chi2``).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np

from ..scenario import Scenario, ScenarioError, quote
from . import csi2017
from ._profile import DELTA, NU, C, R
from .interval import profile_interval

#: The datasets a fit knows, with what each one is.
DATASETS = {
    csi2017.NAME: "COHERENT CsI[Na] 2017 (Science 357 (2017) 1123)",
    "coherent-lar-2020": "COHERENT CENNS-10 LAr 2020, analysis A (PRL 126 (2021) 012002)",
    "coherent-csi-2021": "COHERENT CsI[Na] 2021, full dataset (PRL 129 (2022) 081801)",
}


#: The datasets with the CsI (PE x time) profile likelihood: the default of check_dataset,
#: so the NSI scan (which calls it without ``known``) keeps refusing coherent-lar-2020.
PROFILE_DATASETS = (csi2017.NAME,)


def check_dataset(dataset, known=PROFILE_DATASETS) -> str:
    """The dataset name, or a ScenarioError naming the choices (those in ``known``)."""
    if not isinstance(dataset, str) or dataset not in known:
        raise ScenarioError(
            f"dataset must be one of {', '.join(known)}; got {quote(dataset)}", "dataset"
        )
    return dataset


@dataclass(frozen=True)
class FitResult:
    """The CEvNS fit of one dataset. Events are inside the analysis region."""

    dataset: str
    cevns_events: float
    #: half the width of the 68 % profile-likelihood interval
    cevns_events_error: float
    cevns_events_interval: tuple[float, float]
    significance_sigma: float
    #: -2 ln(L_null / L_best), no CEvNS against the best fit
    null_delta_chi2: float
    sm_prediction: float
    ratio_to_sm: float
    #: best-fit nuisances of the free fit: quenching_factor, quenching_pull (sigma),
    #: prompt_neutron_norm, prompt_neutron_events, steady_state_events, beam_off_ratio;
    #: and from the fit tied to the SM prediction: flux, form_factor, efficiency
    #: (fractional shifts), sm_fit_quenching_factor
    nuisances: dict
    #: -2 delta lnL of the fit tied to the SM prediction (with its priors) against the free fit
    sm_delta_chi2: float
    region: dict
    published: dict
    citation: str
    notes: list = field(default_factory=list)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["cevns_events_interval"] = list(self.cevns_events_interval)
        return out


def _interval(like, weights, c_best: float, ll_best: float, sm0: float):
    """Where the profile of the normalisation c crosses -2 delta lnL = 1, in events."""

    def excess(c: float) -> float:
        p = like.profile(weights, c=np.array([c]))
        return float(2.0 * (ll_best - p.loglike[0]) - 1.0)

    lo, hi = profile_interval(excess, c_best, 0.05 + 0.1 * c_best, 50.0, xtol=1e-6)
    return lo * sm0, hi * sm0


def headline_lines(r) -> list[str]:
    """The CEvNS count, significance and SM lines every dataset's report starts with."""
    lo, hi = r.cevns_events_interval
    return [
        f"CEvNS events        {r.cevns_events:7.1f} +- {r.cevns_events_error:.1f}"
        f"   (68 % interval {lo:.1f} to {hi:.1f})",
        f"significance        {r.significance_sigma:7.2f} sigma   (-2 delta lnL vs no CEvNS "
        f"= {r.null_delta_chi2:.1f})",
        f"SM prediction       {r.sm_prediction:7.1f}   (fit / SM = {r.ratio_to_sm:.2f})",
    ]


def fit(dataset: str = csi2017.NAME, scenario: Scenario | None = None) -> FitResult:
    """Fit the CEvNS count of ``dataset`` (with the CEvNS shape of ``scenario``, by default
    the dataset's preset). See the module docstring for what is profiled and reported.

    >>> r = fit("coherent-csi-2017")
    >>> round(r.cevns_events), round(r.significance_sigma, 1)
    (138, 5.8)
    """
    check_dataset(dataset, DATASETS)
    if dataset == "coherent-lar-2020":  # the release's 3-D PDFs: stats/lar2020.py
        from . import lar2020

        return lar2020.fit(scenario)
    if dataset == "coherent-csi-2021":  # event lists and BRN/NIN PDFs: stats/csi2021.py
        from . import csi2021

        return csi2021.fit(scenario)
    model = csi2017.sm_model(scenario)
    weights = np.ones((1, 2))
    free = model.normalised.profile(weights)
    if not free.converged[0]:
        raise RuntimeError("the CEvNS fit did not converge")
    ll_best = float(free.loglike[0])
    theta = free.params[0]
    sm0 = model.sm_events
    null = model.normalised.profile(weights, c=np.zeros(1))
    q0 = max(0.0, 2.0 * (ll_best - float(null.loglike[0])))
    lo, hi = _interval(model.normalised, weights, float(theta[C]), ll_best, sm0)
    events = float(free.signal[0])

    # The same data with the count tied to the SM through its normalisation priors.
    sigma = csi2017.NORM_SIGMA
    tied = model.likelihood.profile(weights, prior_c=(1.0, sigma))
    alpha = float(tied.params[0, C]) - 1.0
    share = {
        "flux": csi2017.FLUX_SIGMA,
        "form_factor": csi2017.FORM_FACTOR_SIGMA,
        "efficiency": csi2017.EFFICIENCY_SIGMA,
    }
    reg = csi2017.region()
    nuisances = {
        "quenching_factor": csi2017.QUENCHING_FACTOR + csi2017.QUENCHING_SIGMA * theta[DELTA],
        "quenching_pull": float(theta[DELTA]),
        "prompt_neutron_norm": float(theta[NU]),
        "prompt_neutron_events": float(theta[NU]) * reg.neutron_events,
        "steady_state_events": float(free.background[0]),
        "beam_off_ratio": float(theta[R]),
        **{k: alpha * s**2 / sigma**2 for k, s in share.items()},
        "sm_fit_quenching_factor": csi2017.QUENCHING_FACTOR
        + csi2017.QUENCHING_SIGMA * float(tied.params[0, DELTA]),
        "sm_fit_cevns_events": float(tied.signal[0]),
    }
    nuisances = {k: float(v) for k, v in nuisances.items()}
    notes = [
        "binned Poisson likelihood, 6 <= PE < 30 x 0-12 us (12 x 24 bins of the release)",
        "steady-state background per cell from the beam-on anticoincidence and beam-off "
        "data, profiled (no shape assumed)",
        "flux, form factor and efficiency are pure normalisations: degenerate with the free "
        "CEvNS count, so they are reported from the fit tied to the SM prediction",
        "68 % interval and significance from the profile likelihood with Wilks' theorem",
    ]
    return FitResult(
        dataset=dataset,
        cevns_events=events,
        cevns_events_error=0.5 * (hi - lo),
        cevns_events_interval=(float(lo), float(hi)),
        significance_sigma=math.sqrt(q0),
        null_delta_chi2=q0,
        sm_prediction=sm0,
        ratio_to_sm=events / sm0,
        nuisances=nuisances,
        sm_delta_chi2=max(0.0, 2.0 * (ll_best - float(tied.loglike[0]))),
        region={
            "pe": [float(reg.pe_edges[0]), float(reg.pe_edges[-1])],
            "time_us": [float(reg.time_edges_us[0]), float(reg.time_edges_us[-1])],
            "pe_bins": int(reg.pe_edges.size - 1),
            "time_bins": int(reg.time_edges_us.size - 1),
        },
        published=dict(csi2017.PUBLISHED),
        citation=csi2017.CITATION,
        notes=notes,
    )


def format_fit(r: FitResult) -> str:
    """The plain-text report of ``cevns fit``."""
    if r.dataset == "coherent-lar-2020":
        from . import lar2020

        return lar2020.format_fit(r)
    if r.dataset == "coherent-csi-2021":
        from . import csi2021

        return csi2021.format_fit(r)
    lo, hi = r.cevns_events_interval
    pub = r.published
    nz = r.nuisances
    lines = [
        f"{DATASETS[r.dataset]}: binned likelihood fit",
        f"region: {r.region['pe'][0]:g} <= PE < {r.region['pe'][1]:g}, "
        f"{r.region['time_us'][0]:g}-{r.region['time_us'][1]:g} us "
        f"({r.region['pe_bins']} x {r.region['time_bins']} bins)",
        "",
        *headline_lines(r),
        f"published           {pub['cevns_events']:7.0f} +- {pub['cevns_events_error']:.0f}, "
        f"{pub['significance_sigma']:g} sigma",
        "",
        "best-fit nuisances:",
        f"  quenching factor     {nz['quenching_factor']:.4f} ({nz['quenching_pull']:+.2f} sigma)",
        f"  prompt neutrons      {nz['prompt_neutron_events']:.1f} events "
        f"(x {nz['prompt_neutron_norm']:.2f})",
        f"  steady state         {nz['steady_state_events']:.1f} events "
        f"(beam-off ratio {nz['beam_off_ratio']:.3f})",
        f"  tied to the SM: flux {nz['flux']:+.3f}, form factor {nz['form_factor']:+.3f}, "
        f"efficiency {nz['efficiency']:+.3f}, quenching {nz['sm_fit_quenching_factor']:.4f}; "
        f"-2 delta lnL = {r.sm_delta_chi2:.2f}",
        "",
        *[f"note: {n}" for n in r.notes],
        f"data: {r.citation}",
    ]
    return "\n".join(lines)
