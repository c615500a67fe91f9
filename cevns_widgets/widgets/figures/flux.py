"""The neutrino fluence spectrum at the detector: the SNS by flavour, a reactor by isotope."""

from __future__ import annotations

import numpy as np

from ...api import Result
from ...physics.sources import reactor, sns
from ..style import (
    BLUE,
    FLAVOR_COLORS,
    FLAVORS,
    GREEN,
    ORANGE,
    PURPLE,
    TOTAL_COLOR,
    flavor_line_style,
    flavor_tooltips,
    new_figure,
    style_legend,
)
from .base import BaseFigure

__all__ = ["FluxFigure", "ReactorFluxFigure", "reactor_isotope_fluence"]

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
        if s.source != "sns":
            return  # the reactor's spectrum is ReactorFluxFigure's; keep the last SNS one
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


#: Energy grid of the reactor spectrum figure (MeV): the model's range, 0 to 10 MeV.
REACTOR_E_MeV = np.linspace(0.05, reactor.MAX_ENERGY_MeV, 400)
ISOTOPE_COLORS = dict(zip(reactor.ISOTOPES, (BLUE, ORANGE, GREEN, PURPLE), strict=True))
ISOTOPE_DASHES = dict(zip(reactor.ISOTOPES, ("solid", "dashed", "dashdot", "dotted"), strict=True))
#: Column names of the isotopes (BokehJS field names cannot start with a digit in hover text).
ISOTOPE_COLUMNS = {
    iso: "U235 U238 Pu239 Pu241".split()[i] for i, iso in enumerate(reactor.ISOTOPES)
}


def reactor_isotope_fluence(scenario) -> tuple[np.ndarray, dict]:
    """Energies (MeV) and the antineutrino fluence per MeV at the detector over the live time
    (ν̄/(cm² MeV)) from the fissions of each isotope: fission rate x live time x fraction x
    spectrum per fission / (4 pi L^2)."""
    s = scenario
    fissions = reactor.fissions_per_second(
        s.reactor_power_GW, s.fission_fractions, s.energy_per_fission
    )
    per_cm2 = fissions * s.live_days * 86400.0 / (4.0 * np.pi * (100.0 * s.distance_m) ** 2)
    E = REACTOR_E_MeV
    return E, {
        iso: per_cm2 * f * reactor.isotope_spectrum_per_fission(iso, E, s.reactor_spectrum)
        for iso, f in zip(reactor.ISOTOPES, s.fission_fractions, strict=True)
    }


class ReactorFluxFigure(BaseFigure):
    """A reactor's antineutrino fluence dΦ/dE at the detector over the live time, from each
    fissioning isotope and in total, on a log axis (the spectrum falls by 4 decades from 2
    to 10 MeV).

    Source ``reactor_flux``: ``E`` (MeV), ``U235``, ``U238``, ``Pu239``, ``Pu241`` and
    ``total`` (ν̄/(cm² MeV)).
    """

    name = "reactor_flux"
    default_width = 430
    default_height = 260

    def _build(self):
        from bokeh.models import HoverTool

        fig = new_figure(
            "Reactor ν̄e fluence at the detector",
            "Antineutrino energy E [MeV]",
            "dΦ/dE [ν̄/(cm² MeV)]",
            width=self.width,
            height=self.height,
            y_axis_type="log",
        )
        zeros = np.zeros_like(REACTOR_E_MeV)
        src = self._source(
            "reactor_flux",
            {"E": REACTOR_E_MeV, "total": zeros, **{c: zeros for c in ISOTOPE_COLUMNS.values()}},
        )
        fig.line("E", "total", source=src, line_width=2.5, color=TOTAL_COLOR, legend_label="total")
        for iso, col in ISOTOPE_COLUMNS.items():
            fig.line(
                "E",
                col,
                source=src,
                line_width=2,
                color=ISOTOPE_COLORS[iso],
                line_dash=ISOTOPE_DASHES[iso],
                legend_label=_LABELS[iso],
            )
        fig.add_tools(
            HoverTool(
                tooltips=[
                    ("E", "@E{0.00} MeV"),
                    ("total", "@total{0.00e0} /cm²/MeV"),
                    *[(_LABELS[i], f"@{c}{{0.00e0}}") for i, c in ISOTOPE_COLUMNS.items()],
                ],
                mode="vline",
                renderers=fig.renderers[:1],
            )
        )
        style_legend(fig, "bottom_left")
        return fig

    def _update(self, result: Result) -> None:
        s = result.scenario
        if s.source != "reactor":
            return  # keep the last reactor spectrum; FluxFigure draws the SNS
        key = (
            s.reactor_power_GW,
            s.live_days,
            s.distance_m,
            s.fission_fractions,
            s.reactor_spectrum,
            s.energy_per_fission,
        )
        if self._changed("data", key):
            E, by = reactor_isotope_fluence(s)
            total = sum(by.values())
            # a log axis shows no zeros: clip at 1e-6 of the peak
            floor = 1e-6 * float(np.max(total)) if np.max(total) > 0 else 1e-30
            cols = {ISOTOPE_COLUMNS[i]: np.maximum(v, floor) for i, v in by.items()}
            self._send("reactor_flux", {"E": E, "total": np.maximum(total, floor), **cols})
            self._set(
                self.figure.title,
                text=f"ν̄e fluence at {s.distance_m:.3g} m, {s.live_days:.3g} live days",
            )


_LABELS = {"235U": "²³⁵U", "238U": "²³⁸U", "239Pu": "²³⁹Pu", "241Pu": "²⁴¹Pu"}
