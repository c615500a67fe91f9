"""The COHERENT CsI[Na] 2017 likelihood: data, background templates and CEvNS templates.

Data: COHERENT Collaboration, Science 357 (2017) 1123, arXiv:1708.01294; data release
arXiv:1804.09459, doi:10.5281/zenodo.1228631 (loaded by :mod:`cevns_widgets.datasets`).

Region: the paper's analysis region, 6 <= PE < 30 (12 bins of 2 PE) x 0-12 us (24 bins of
0.5 us) on the release's own time axis. Below 6 PE the released acceptance is 0 or 0.5
(a step), and above 30 PE the data hold steady-state background only, so the release's
full 0-50 PE binning adds nuisance parameters without adding signal.

Components, per (PE, time) cell:

* CEvNS, from our own physics: the ``coherent-csi-2017`` preset (or any PE-counting CsI
  scenario) evaluated with :func:`cevns_widgets.api.evaluate` without its PE and time
  cuts, its observed spectrum per flavour put into the 2-PE bins (as
  :mod:`cevns_widgets.discovery` does) and spread in time with the release's prompt
  (nu_mu) and delayed (nu_e, anti-nu_mu) arrival-time PDFs. The quenching factor is a
  nuisance, 0.0878 +- 0.0166: the scenario is re-evaluated on a grid of quenching factors
  (-3.5 to +3.5 sigma in steps of 0.25 sigma) and each bin is a cubic spline through the
  grid, so a pull moves the whole PE spectrum (shape and count), not a normalisation.
* Prompt beam neutrons: the release's PE PDF per GWh x 7.476 GWh x its prompt-neutron
  arrival-time PDF, normalisation prior 25 % (the release's number).
* Steady-state background: one expectation per cell, constrained by the beam-on
  anticoincidence window (the 12 us before each trigger: the same live time) and by both
  windows of the beam-off data (scaled by a free beam-off/beam-on rate ratio). The
  background is not flat in time in the release (the anticoincidence and beam-off windows
  fall by about 5 % per us and have an excess in the first microsecond: a flat fit has
  chi^2 = 71 for 23 degrees of freedom), so no shape is assumed: each cell is its own
  Poisson-constrained parameter, profiled in closed form.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np
from scipy.interpolate import CubicSpline

from ..api import evaluate
from ..datasets import (
    CSI_2017_ANALYSIS_PE_RANGE,
    CSI_2017_ANALYSIS_TIME_RANGE_US,
    CSI_2017_CITATION,
    CSI_2017_PUBLISHED_EXCESS,
    CSI_2017_PUBLISHED_EXCESS_ERR,
    CSI_2017_PUBLISHED_SIGNIFICANCE,
    load_arrival_time_pdfs_csi_2017,
    load_csi_2017,
    load_prompt_neutron_pe_pdf_csi_2017,
)
from ..discovery import scenario_without_cuts
from ..presets import get_preset
from ..scenario import Scenario, ScenarioError
from ._profile import CountingData, ProfileLikelihood, Splines

NAME = "coherent-csi-2017"
#: Quenching factor of the 2017 analysis and its 1-sigma uncertainty (data release).
QUENCHING_FACTOR = 0.0878
QUENCHING_SIGMA = 0.0166
#: Fractional priors of the CEvNS normalisation nuisances (Science 2017, Table 1).
FLUX_SIGMA = 0.10
FORM_FACTOR_SIGMA = 0.05
EFFICIENCY_SIGMA = 0.05
NORM_SIGMA = math.sqrt(FLUX_SIGMA**2 + FORM_FACTOR_SIGMA**2 + EFFICIENCY_SIGMA**2)
#: Grid of quenching pulls (units of sigma) the CEvNS templates are computed on.
DELTA_NODES = np.arange(-3.5, 3.5001, 0.25)

PUBLISHED = {
    "cevns_events": CSI_2017_PUBLISHED_EXCESS,
    "cevns_events_error": CSI_2017_PUBLISHED_EXCESS_ERR,
    "significance_sigma": CSI_2017_PUBLISHED_SIGNIFICANCE,
}
CITATION = CSI_2017_CITATION
PROMPT_FLAVORS = ("prompt_numu",)
DELAYED_FLAVORS = ("delayed_nue", "delayed_numubar")


def _bins(edges: np.ndarray, rng: tuple[float, float]) -> slice:
    i = int(np.argmin(np.abs(edges - rng[0])))
    j = int(np.argmin(np.abs(edges - rng[1])))
    return slice(i, j)


@dataclass(frozen=True, eq=False)
class Region:
    """The data of the analysis region and the fixed (non-CEvNS) templates."""

    pe_edges: np.ndarray
    time_edges_us: np.ndarray
    data: CountingData
    neutron_events: float  # expected prompt neutrons in the region at nominal normalisation


@cache
def region() -> Region:
    d = load_csi_2017()
    pe = _bins(d.pe_edges, CSI_2017_ANALYSIS_PE_RANGE)
    tt = _bins(d.time_edges_us, CSI_2017_ANALYSIS_TIME_RANGE_US)
    pdfs = load_arrival_time_pdfs_csi_2017()
    neutrons_pe = load_prompt_neutron_pe_pdf_csi_2017().rebin(2)
    if not np.allclose(neutrons_pe.pe_edges, d.pe_edges):
        raise ValueError("prompt-neutron PE bins do not match the data's")
    n_pe = neutrons_pe.expected_counts(d.beam_energy_GWh)[pe]
    n_t = pdfs.prompt_neutrons[tt]
    neutrons = np.outer(n_pe, n_t)
    data = CountingData(
        n=np.asarray(d.coincidence_beam_on[pe, tt]),
        a=np.asarray(d.anticoincidence_beam_on[pe, tt]),
        o=np.asarray(d.coincidence_beam_off[pe, tt] + d.anticoincidence_beam_off[pe, tt]),
        prompt_time=np.asarray(pdfs.prompt_neutrinos[tt]),
        delayed_time=np.asarray(pdfs.delayed_neutrinos[tt]),
        neutrons=neutrons,
        neutron_sigma=load_prompt_neutron_pe_pdf_csi_2017().normalisation_uncertainty,
    )
    return Region(
        pe_edges=d.pe_edges[pe.start : pe.stop + 1].copy(),
        time_edges_us=d.time_edges_us[tt.start : tt.stop + 1].copy(),
        data=data,
        neutron_events=float(neutrons.sum()),
    )


def base_scenario(scenario: Scenario | None = None) -> Scenario:
    """The scenario without its PE and time cuts (applied here in the data's binning)."""
    scenario = scenario if scenario is not None else get_preset(NAME).scenario
    if not isinstance(scenario, Scenario):
        raise ScenarioError(f"scenario must be a Scenario, got {type(scenario).__name__}")
    return scenario_without_cuts(scenario)


def pe_binned(scenario: Scenario, flavors) -> np.ndarray:
    """Expected CEvNS events per 2-PE bin of the region (all times), summed over ``flavors``."""
    result = evaluate(scenario)
    if result.observable != "PE":
        raise ScenarioError("the CsI 2017 fit needs a scenario that counts photoelectrons")
    nodes, density = result.observed_spectrum()  # events per integer PE
    edges = region().pe_edges
    total = sum(np.asarray(density[f], dtype=float) for f in flavors)
    total = np.where(nodes < edges[-1], total, 0.0)  # np.histogram's last bin is closed
    return np.histogram(nodes, bins=edges, weights=total)[0]


def quenching_grid(scenario: Scenario, flavors, nodes=DELTA_NODES) -> np.ndarray:
    """``pe_binned`` at every quenching pull of ``nodes``: shape ``(len(nodes), n_pe)``."""
    rows = []
    for delta in nodes:
        q = QUENCHING_FACTOR + QUENCHING_SIGMA * float(delta)
        rows.append(pe_binned(scenario.replace(quenching_factor=q), flavors))
    return np.asarray(rows)


def check_scenario(scenario: Scenario) -> None:
    if scenario.quenching != "constant":
        raise ScenarioError(
            "the CsI 2017 fit varies a constant quenching factor: the scenario needs "
            "quenching 'constant'",
            "quenching",
        )


def splines(grids: list[np.ndarray], prompt: list[bool], nodes=DELTA_NODES) -> Splines:
    """Cubic splines in the quenching pull through per-component grids ``(n_nodes, n_pe)``."""
    stacked = np.stack(grids, axis=1)  # (n_nodes, M, n_pe)
    spline = CubicSpline(nodes, stacked, axis=0)
    return Splines(
        nodes=np.asarray(nodes, dtype=float),
        coef=np.ascontiguousarray(spline.c),
        prompt=np.asarray(prompt, dtype=bool),
    )


@dataclass(frozen=True, eq=False)
class SMModel:
    """The likelihood with Standard-Model CEvNS templates of one scenario.

    ``likelihood`` has two components, prompt and delayed, in events (SM normalisation);
    ``sm_events`` is the SM count in the region at the nominal quenching factor.
    """

    scenario: Scenario
    likelihood: ProfileLikelihood
    normalised: ProfileLikelihood
    sm_events: float
    sm_by_delta: np.ndarray


@cache
def sm_model(scenario: Scenario | None = None) -> SMModel:
    base = base_scenario(scenario)
    check_scenario(base)
    reg = region()
    prompt = quenching_grid(base, PROMPT_FLAVORS)
    delayed = quenching_grid(base, DELAYED_FLAVORS)
    tp, td = reg.data.prompt_time.sum(), reg.data.delayed_time.sum()
    prompt, delayed = prompt * tp, delayed * td  # events inside the time window
    totals = prompt.sum(axis=1) + delayed.sum(axis=1)
    i0 = int(np.argmin(np.abs(DELTA_NODES)))
    sm0 = float(totals[i0])
    if not sm0 > 0:
        raise ScenarioError("this scenario predicts no CEvNS events in the 2017 region")
    # Time PDFs are used as given; the templates above already hold the in-window fraction,
    # so the time PDFs passed to the likelihood are renormalised to sum to one.
    abs_like = ProfileLikelihood(
        _with_unit_time(reg.data), splines([prompt, delayed], [True, False])
    )
    # Shape-only templates scaled to the nominal count: c = N / sm0 exactly.
    scale = (sm0 / totals)[:, None]
    norm_like = ProfileLikelihood(
        _with_unit_time(reg.data), splines([prompt * scale, delayed * scale], [True, False])
    )
    return SMModel(
        scenario=base,
        likelihood=abs_like,
        normalised=norm_like,
        sm_events=sm0,
        sm_by_delta=totals,
    )


def _with_unit_time(data: CountingData) -> CountingData:
    return CountingData(
        n=data.n,
        a=data.a,
        o=data.o,
        prompt_time=data.prompt_time / data.prompt_time.sum(),
        delayed_time=data.delayed_time / data.delayed_time.sum(),
        neutrons=data.neutrons,
        neutron_sigma=data.neutron_sigma,
    )
