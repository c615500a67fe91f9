"""The SNS neutrino fluence spectrum at the detector, by flavour."""

from __future__ import annotations

import numpy as np

from ...api import Result
from ...physics.sources import sns
from ..style import (
    FLAVOR_COLORS,
    FLAVORS,
    flavor_line_style,
    flavor_tooltips,
    new_figure,
    style_legend,
)
from .base import BaseFigure

__all__ = ["FluxFigure"]

BIN_MeV = 1.0
EDGES = np.arange(0.0, 56.0 + BIN_MeV, BIN_MeV)


def fluence_spectrum(result: Result) -> tuple[np.ndarray, dict]:
    """Bin centres (MeV) and fluence per MeV (nu/cm^2/MeV over the exposure) per flavour;
    the prompt line lands in its 1 MeV bin."""
    s = result.scenario
    spectra = sns.source_spectra(s.distance_m, s.sterile_dm2_eV2, s.sterile_sin2_2theta)
    fluence = sns.fluence_per_cm2(s.pot, s.distance_m, s.nu_per_pot)
    out = {}
    for f in FLAVORS:
        i0 = spectra[f].tail_moments(EDGES)[0]
        out[f] = fluence * (i0[:-1] - i0[1:]) / BIN_MeV
    return 0.5 * (EDGES[1:] + EDGES[:-1]), out


class FluxFigure(BaseFigure):
    """Neutrino fluence dPhi/dE over the exposure at the detector's distance (1 MeV bins).

    Source ``flux_spectrum``: ``E`` (MeV, bin centres) and one column per flavour.
    """

    name = "flux_spectrum"
    default_width = 430
    default_height = 260

    def _build(self):
        from bokeh.models import BasicTickFormatter, HoverTool, Label, Range1d

        fig = new_figure(
            "Neutrino fluence at the detector",
            "Neutrino energy E [MeV]",
            "dΦ/dE [ν/(cm² MeV)]",
            width=self.width,
            height=self.height,
        )
        fig.yaxis.formatter = BasicTickFormatter(precision=1, power_limit_high=3)
        self.line_label = Label(
            x=31.0,
            y=0,
            x_units="data",
            y_units="data",
            text="",
            text_font_size="10pt",
            text_color=FLAVOR_COLORS["prompt_numu"],
            text_baseline="top",
            background_fill_color="white",
            background_fill_alpha=0.8,
        )
        fig.add_layout(self.line_label)
        zeros = np.zeros(EDGES.size - 1)
        src = self._source(
            "flux_spectrum", {"E": 0.5 * (EDGES[1:] + EDGES[:-1]), **{f: zeros for f in FLAVORS}}
        )
        for f in FLAVORS:
            fig.step("E", f, source=src, mode="center", **flavor_line_style(f))
        fig.add_tools(
            HoverTool(
                tooltips=[
                    ("E", "@E{0.0} MeV"),
                    *flavor_tooltips("0.00e0", "/cm²/MeV"),
                ],
                mode="vline",
                renderers=fig.renderers[:1],
            )
        )
        style_legend(fig, "top_left")
        fig.y_range = Range1d(0, 1)
        return fig

    def _update(self, result: Result) -> None:
        s = result.scenario
        key = (s.pot, s.distance_m, s.nu_per_pot, s.sterile_dm2_eV2, s.sterile_sin2_2theta)
        if self._changed("data", key):
            E, by = fluence_spectrum(result)
            self.sources["flux_spectrum"].data = {"E": E, **by}
            # The prompt line (all in one bin) would dwarf the Michel spectra: scale the axis
            # to them and label the line with its total instead.
            top = 1.9 * max(float(np.max(by[f])) for f in FLAVORS if f != "prompt_numu")
            line_total = float(np.sum(by["prompt_numu"]) * BIN_MeV)
            self._set(self.figure.y_range, start=0.0, end=top if top > 0 else 1.0)
            self._set(self.line_label, y=0.97 * top, text=f"↑ prompt line\n{line_total:.2g} ν/cm²")
            self._set(self.figure.title, text=f"Fluence at {s.distance_m:.3g} m, all POT")
