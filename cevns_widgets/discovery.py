"""The 2017 discovery in the data's own binning: Standard Model prediction vs the excess.

Puts the CEvNS prediction of a scenario (by default the ``coherent-csi-2017`` preset) and
the released prompt-neutron background into the 2-PE x 0.5-us bins of the COHERENT CsI[Na]
2017 histograms, so that the beam-on residual (coincidence minus anticoincidence) can be
laid over it as in Fig. 3 of Science 357 (2017) 1123. Arrival times use the release's
own arrival-time PDFs (they include the detector's trigger offset), not our analytic
pulse model. numpy only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .api import evaluate
from .datasets import (
    CSI_2017_ANALYSIS_PE_RANGE,
    CSI_2017_ANALYSIS_TIME_RANGE_US,
    Residual,
    load_arrival_time_pdfs_csi_2017,
    load_csi_2017,
    load_prompt_neutron_pe_pdf_csi_2017,
)
from .physics.sources.sns import FLAVORS
from .presets import get_preset
from .scenario import Scenario

_TIME_PDF_FOR_FLAVOR = {
    "prompt_numu": "prompt_neutrinos",
    "delayed_nue": "delayed_neutrinos",
    "delayed_numubar": "delayed_neutrinos",
}


@dataclass(frozen=True, eq=False)
class DiscoveryComparison:
    """Residual data and predictions in one (PE range, time range) region.

    ``*_pe`` arrays are per 2-PE bin summed over the time range; ``*_time`` per 0.5-us
    bin summed over the PE range. ``cevns_*`` are dicts per flavour.
    """

    residual: Residual
    cevns_pe: dict
    cevns_time: dict
    neutrons_pe: np.ndarray
    neutrons_time: np.ndarray

    @property
    def cevns_total(self) -> float:
        return float(sum(v.sum() for v in self.cevns_pe.values()))

    @property
    def neutrons_total(self) -> float:
        return float(self.neutrons_pe.sum())

    @property
    def predicted_total(self) -> float:
        return self.cevns_total + self.neutrons_total


def scenario_without_cuts(scenario: Scenario) -> Scenario:
    # PE and time cuts are applied here in the data's binning instead.
    return scenario.replace(
        threshold=0.0,
        threshold_unit="PE",
        roi_max=None,
        time_window_start_us=None,
        time_window_stop_us=None,
    )


def compare_with_data(
    scenario: Scenario | None = None,
    pe_range=CSI_2017_ANALYSIS_PE_RANGE,
    time_range_us=CSI_2017_ANALYSIS_TIME_RANGE_US,
) -> DiscoveryComparison:
    """Beam-on residual and the prediction of ``scenario`` (a PE-counting CsI scenario).

    >>> c = compare_with_data()
    >>> c.residual.excess, round(c.cevns_total)
    (152, 177)
    """
    scenario = scenario or get_preset("coherent-csi-2017").scenario
    data = load_csi_2017()
    res = data.residual("on", pe_range=pe_range, time_range_us=time_range_us)
    result = evaluate(scenario_without_cuts(scenario))
    if result.observable != "PE":
        raise ValueError("the 2017 comparison needs a scenario that counts photoelectrons")
    nodes, density = result.observed_spectrum()  # counts per integer PE
    pe_lo, pe_hi = pe_range
    edges = res.pe_edges
    times = load_arrival_time_pdfs_csi_2017()
    t_sel = (times.time_centers_us > time_range_us[0]) & (times.time_centers_us < time_range_us[1])
    cevns_pe, cevns_time = {}, {}
    in_window = (nodes >= pe_lo) & (nodes < pe_hi)
    for f in FLAVORS:
        counts = np.where(nodes < edges[-1], density[f], 0.0)
        per_bin = np.histogram(nodes, bins=edges, weights=counts)[0]
        pdf = getattr(times, _TIME_PDF_FOR_FLAVOR[f])[t_sel]
        cevns_pe[f] = per_bin * pdf.sum()
        cevns_time[f] = density[f][in_window].sum() * pdf
    neutrons = load_prompt_neutron_pe_pdf_csi_2017()
    n_counts = neutrons.expected_counts(data.beam_energy_GWh)
    n_pe = np.histogram(neutrons.pe_centers, bins=edges, weights=n_counts)[0]
    n_pdf = times.prompt_neutrons[t_sel]
    in_n = (neutrons.pe_centers >= pe_lo) & (neutrons.pe_centers < pe_hi)
    return DiscoveryComparison(
        residual=res,
        cevns_pe=cevns_pe,
        cevns_time=cevns_time,
        neutrons_pe=n_pe * n_pdf.sum(),
        neutrons_time=n_counts[in_n].sum() * n_pdf,
    )
