r"""A significance planner for a CEvNS detector at the SNS: how long until 3 and 5 sigma?

The expected (median) discovery significance of a design is the Asimov significance
(G. Cowan, K. Cranmer, E. Gross and O. Vitells, EPJC 71 (2011) 1554, eqs. 24 and 97):
the profile-likelihood test of "no CEvNS" on the data set that equals its expectation,
:math:`Z = \sqrt{q_{0,A}}`, with

.. math::

    q_{0,A} = 2 \min_{\theta} \Big[ -\ln L(\mu = 0, \theta) \Big]
              - 2 \Big[ -\ln L(\mu = 1, \theta_\mathrm{true}) \Big].

The likelihood is binned in the observable (1-PE or keVee bins over the analysis region)
and in arrival time (0.25 us bins over the time window):

* CEvNS: our own physics for the scenario (its response, efficiency and analysis region),
  per flavour, spread in time with the scenario's beam timing (``sources/sns.py``). Its
  normalisation is the parameter of interest.
* Steady-state background (cosmogenic and radioactive, unrelated to the beam): flat in time
  and in the observable, ``steady_state_per_keVee_kg_day`` before the beam's duty factor. A
  beam-on detector sees it only while the time window is open:
  :math:`60\,\mathrm{Hz} \times \Delta t`, 7.2e-4 for a 12 us window. Its level is a
  nuisance measured in an anticoincidence sideband ``sideband_ratio`` times as long
  (COHERENT: the 12 us before each trigger, ratio 1).
* Beam-related neutrons (BRN: prompt, with the proton pulse; the prompt-neutrino time
  profile) and neutrino-induced neutrons (NIN: from neutrino interactions in the lead
  shielding, so with the neutrino time profile), each flat in the observable, per GWh of
  beam, with Gaussian normalisation priors.

The SS level is profiled with its sideband; BRN and NIN with their priors. The signal
normalisation has no prior (it is what is measured), so signal systematics do not enter.
With the 2017 inputs (:func:`coherent_2017_design`: backgrounds measured from the data
release) the median significance is 9.5 sigma for the 176-event SM prediction, and 7.5
sigma for the 134 events the paper measured, against its observed 6.7 sigma (Science 357
(2017) 1123). The planner is optimistic by the structure it leaves out: the released
steady-state background is not flat in time (about 5 % per us, with an excess in the first
microsecond), and the quenching uncertainty moves the signal's PE spectrum. Without the
time and energy bins (one counting bin) the same inputs give 4.4 sigma: the arrival time
is what makes the discovery.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize

from ..api import evaluate
from ..physics.sources import sns
from ..scenario import Scenario, ScenarioError

#: SNS pulse repetition rate (Hz).
SNS_REPETITION_RATE_Hz = 60.0
#: Width of the arrival-time bins (us).
TIME_BIN_us = 0.25


@dataclass(frozen=True)
class Backgrounds:
    """The background of a design, per unit exposure (see the module docstring)."""

    steady_state_per_keVee_kg_day: float
    brn_per_GWh: float = 0.0
    nin_per_GWh: float = 0.0
    brn_uncertainty: float = 0.25
    nin_uncertainty: float = 0.35
    sideband_ratio: float = 1.0
    repetition_rate_Hz: float = SNS_REPETITION_RATE_Hz

    def __post_init__(self):
        for name in ("steady_state_per_keVee_kg_day", "brn_per_GWh", "nin_per_GWh"):
            value = getattr(self, name)
            if not (math.isfinite(value) and 0.0 <= value <= 1e9):
                raise ScenarioError(f"{name} must be in [0, 1e9], got {value:g}", name)
        for name in ("brn_uncertainty", "nin_uncertainty"):
            value = getattr(self, name)
            if not (math.isfinite(value) and 0.0 < value <= 10.0):
                raise ScenarioError(f"{name} must be in (0, 10], got {value:g}", name)
        if not (math.isfinite(self.sideband_ratio) and 0.01 <= self.sideband_ratio <= 1e4):
            raise ScenarioError(
                f"sideband_ratio must be in [0.01, 1e4], got {self.sideband_ratio:g}",
                "sideband_ratio",
            )


@dataclass(frozen=True, eq=False)
class Design:
    """Expected counts per (observable bin, time bin) of one exposure of a scenario."""

    scenario: Scenario
    backgrounds: Backgrounds
    exposure_GWh: float
    live_days: float
    signal: np.ndarray  # CEvNS
    components: dict = field(default_factory=dict)  # steady_state, brn, nin

    @property
    def signal_events(self) -> float:
        return float(self.signal.sum())

    def background_events(self) -> dict:
        return {k: float(v.sum()) for k, v in self.components.items()}


@dataclass(frozen=True, eq=False)
class Plan:
    """Expected significance versus exposure, and the exposure to 3 and 5 sigma."""

    design: Design
    exposure_GWh: np.ndarray
    live_days: np.ndarray
    significance: np.ndarray
    days_to: dict  # {3: days, 5: days} (inf if beyond 1e6 days)


def _observable_edges(result, scenario: Scenario) -> tuple[np.ndarray, float]:
    """Bin edges of the analysis region in the observable, and its width in keVee."""
    obs = result.observable
    if obs == "keVnr":
        raise ScenarioError(
            "the planner needs a detector read in keVee or PE (a quenching model), so that "
            "the steady-state background per keVee applies; this scenario counts keVnr",
            "quenching",
        )
    if scenario.roi_max is None:
        raise ScenarioError("the planner needs an analysis region: set roi_max", "roi_max")
    low, high = result.threshold_observable, scenario.roi_max
    if not high > low:
        raise ScenarioError(
            f"roi_max {high:g} must be above the threshold {low:g} {obs}", "roi_max"
        )
    n = max(1, min(200, int(round(high - low)) if obs == "PE" else 20))
    edges = np.linspace(low, high, n + 1)
    per_keVee = scenario.light_yield_PE_per_keVee if obs == "PE" else 1.0
    return edges, (high - low) / per_keVee


def build_design(
    scenario: Scenario,
    backgrounds: Backgrounds,
    beam_power_MW: float,
    proton_energy_GeV: float = 1.0,
) -> Design:
    """Expected counts per (observable, time) bin for the scenario's exposure (its POT)."""
    if scenario.source != "sns":
        raise ScenarioError("the planner is for the pulsed SNS beam (source 'sns')", "source")
    if beam_power_MW is None:
        raise ScenarioError(
            "beam_power_MW is needed (the mean beam power: days of beam from the POT)",
            "beam_power_MW",
        )
    if not (math.isfinite(beam_power_MW) and 0.0 < beam_power_MW <= 100.0):
        raise ScenarioError(
            f"beam_power_MW must be in (0, 100], got {beam_power_MW:g}", "beam_power_MW"
        )
    start = scenario.time_window_start_us
    stop = scenario.time_window_stop_us
    start = 0.0 if start is None else start
    stop = 12.0 if stop is None else min(stop, 50.0)
    untimed = scenario.replace(time_window_start_us=None, time_window_stop_us=None)
    untimed = untimed.replace(timing_efficiency="none")
    result = evaluate(untimed)
    edges, roi_keVee = _observable_edges(result, scenario)
    per_flavor = {}
    for f in result.components:
        above = np.asarray(result.events_vs_threshold(edges)[f], dtype=float)
        per_flavor[f] = np.maximum(-np.diff(above), 0.0)
    t_edges = np.arange(start, stop + 1e-9, TIME_BIN_us)
    if t_edges[-1] < stop - 1e-9:
        t_edges = np.append(t_edges, stop)
    pulse = sns.BEAM_TIMINGS[scenario.beam_timing].pulse
    eff = scenario.timing_efficiency

    def time_shape(flavor):
        return np.array(
            [
                sns.time_window_fraction(flavor, a, b, eff, **pulse)
                for a, b in zip(t_edges[:-1], t_edges[1:], strict=True)
            ]
        )

    shapes = {f: time_shape(f) for f in result.components}
    signal = sum(np.outer(per_flavor[f], shapes[f]) for f in result.components)
    gwh = scenario.pot * proton_energy_GeV * 1.602176634e-10 / 3.6e12
    days = gwh * 1e3 / (beam_power_MW * 24.0)
    n_obs = edges.size - 1
    open_s = np.diff(t_edges) * 1e-6 * backgrounds.repetition_rate_Hz  # open fraction/bin
    ss_total = backgrounds.steady_state_per_keVee_kg_day * roi_keVee * scenario.mass_kg * days
    steady = np.outer(np.full(n_obs, 1.0 / n_obs), open_s) * ss_total
    prompt = shapes.get("prompt_numu", np.zeros(t_edges.size - 1))
    prompt = prompt / prompt.sum() if prompt.sum() > 0 else prompt
    every = sum(shapes.values())
    every = every / every.sum() if every.sum() > 0 else every
    flat = np.full(n_obs, 1.0 / n_obs)
    components = {
        "steady_state": steady,
        "brn": np.outer(flat, prompt) * backgrounds.brn_per_GWh * gwh,
        "nin": np.outer(flat, every) * backgrounds.nin_per_GWh * gwh,
    }
    return Design(scenario, backgrounds, gwh, days, signal, components)


def asimov_significance(
    design: Design, scale: float = 1.0, signal_scale: float = 1.0, binned: bool = True
) -> float:
    """Median discovery significance Z = sqrt(q0_A) of ``design`` with its exposure
    multiplied by ``scale`` and its signal by ``signal_scale`` (e.g. a measured count over
    the prediction); ``binned=False`` counts the whole region as one bin (module
    docstring)."""
    b = design.backgrounds
    s = design.signal.ravel() * scale * signal_scale
    ss = design.components["steady_state"].ravel() * scale
    brn = design.components["brn"].ravel() * scale
    nin = design.components["nin"].ravel() * scale
    if not binned:
        s, ss, brn, nin = (np.array([x.sum()]) for x in (s, ss, brn, nin))
    n = s + ss + brn + nin  # Asimov data
    tau = b.sideband_ratio
    m = tau * ss.sum()  # Asimov sideband count
    keep = n > 0
    s, ss, brn, nin, n = s[keep], ss[keep], brn[keep], nin[keep], n[keep]
    if s.sum() <= 0:
        return 0.0

    def nll(params, mu):
        a_ss, a_brn, a_nin = params
        nu = mu * s + a_ss * ss + a_brn * brn + a_nin * nin
        nu = np.maximum(nu, 1e-300)
        out = np.sum(nu - n * np.log(nu))
        side = a_ss * tau * ss.sum()
        if m > 0:
            out += side - m * math.log(max(side, 1e-300))
        out += 0.5 * ((a_brn - 1.0) / b.brn_uncertainty) ** 2
        out += 0.5 * ((a_nin - 1.0) / b.nin_uncertainty) ** 2
        return out

    truth = nll((1.0, 1.0, 1.0), 1.0)
    fit = optimize.minimize(
        nll,
        x0=np.array([1.0, 1.0, 1.0]),
        args=(0.0,),
        method="L-BFGS-B",
        bounds=[(1e-9, None)] * 3,
        options={"ftol": 1e-13, "gtol": 1e-10, "maxiter": 500},
    )
    q0 = max(2.0 * (fit.fun - truth), 0.0)
    return math.sqrt(q0)


def plan(
    scenario: Scenario,
    backgrounds: Backgrounds,
    beam_power_MW: float,
    proton_energy_GeV: float = 1.0,
    days=None,
) -> Plan:
    """Significance versus live days of beam (default 10 to 3000 days, 40 points), and the
    days to 3 and 5 sigma, for the scenario's detector and ``backgrounds``."""
    design = build_design(scenario, backgrounds, beam_power_MW, proton_energy_GeV)
    days = np.geomspace(10.0, 3000.0, 40) if days is None else np.asarray(days, dtype=float)
    if np.any(~(days > 0)) or not np.all(np.isfinite(days)):
        raise ScenarioError("days must be finite and > 0", "days")
    scales = days / design.live_days
    z = np.array([asimov_significance(design, k) for k in scales])

    def days_to(target: float) -> float:
        def gap(log_scale):
            return asimov_significance(design, math.exp(log_scale)) - target

        lo, hi = math.log(1e-6), math.log(1e6 / design.live_days)
        if gap(hi) < 0:
            return math.inf
        if gap(lo) > 0:
            return math.exp(lo) * design.live_days
        return math.exp(optimize.brentq(gap, lo, hi, xtol=1e-6)) * design.live_days

    return Plan(
        design=design,
        exposure_GWh=design.exposure_GWh * scales,
        live_days=days,
        significance=z,
        days_to={3: days_to(3.0), 5: days_to(5.0)},
    )


def coherent_2017_design() -> tuple[Scenario, Backgrounds, float, float]:
    """The 2017 CsI[Na] configuration (preset ``coherent-csi-2017``) and its backgrounds,
    measured from the data release (:mod:`cevns_widgets.datasets`): the steady-state rate
    from the beam-on anticoincidence window in the analysis region (6-30 PE, 0-12 us:
    703 events in 308.1 days), the prompt neutrons from the released PE PDF per GWh in that
    region (25 % prior, as the release says); no NIN (the release has no NIN template).
    Returns (scenario, backgrounds, beam power MW, proton energy GeV)."""
    from ..datasets import load_csi_2017, load_prompt_neutron_pe_pdf_csi_2017
    from ..presets import get_preset

    preset = get_preset("coherent-csi-2017")
    s = preset.scenario
    data = load_csi_2017()
    pe = data.pe_centers
    in_pe = (pe >= s.threshold) & (pe < s.roi_max)
    in_t = data.time_centers_us < s.time_window_stop_us
    ac = float(data.anticoincidence_beam_on[np.ix_(in_pe, in_t)].sum())
    roi_keVee = (s.roi_max - s.threshold) / s.light_yield_PE_per_keVee
    window_s = (s.time_window_stop_us - s.time_window_start_us) * 1e-6
    open_fraction = window_s * SNS_REPETITION_RATE_Hz
    rate = ac / (roi_keVee * s.mass_kg * data.beam_on_live_days * open_fraction)
    brn = load_prompt_neutron_pe_pdf_csi_2017()
    in_brn = (brn.pe_centers >= s.threshold) & (brn.pe_centers < s.roi_max)
    backgrounds = Backgrounds(
        steady_state_per_keVee_kg_day=rate,
        brn_per_GWh=float(brn.per_GWh[in_brn].sum()),
        brn_uncertainty=0.25,
    )
    return s, backgrounds, preset.beam_power_MW, preset.proton_energy_GeV
