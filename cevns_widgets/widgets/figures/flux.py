"""The neutrino spectrum at the detector: the SNS by flavour, a reactor by isotope, the Sun and
the sky by component (flux per second, log-log, lines as markers), a supernova by flavour."""

from __future__ import annotations

import numpy as np

from ...api import Result
from ...physics.sources import diffuse, reactor, sns, solar, supernova
from ...physics.sources.spectrum import LineSpectrum
from ..style import (
    BLUE,
    COMPONENT_GROUPS,
    FLAVOR_COLORS,
    FLAVORS,
    GREEN,
    ORANGE,
    PURPLE,
    TOTAL_COLOR,
    component_color,
    component_group,
    component_label,
    field,
    flavor_line_style,
    flavor_tooltips,
    new_figure,
    style_legend,
)
from .base import BaseFigure

__all__ = [
    "FluxFigure",
    "ReactorFluxFigure",
    "SkyFluxFigure",
    "SupernovaFluxFigure",
    "reactor_isotope_fluence",
    "sky_flux",
    "supernova_fluence",
]

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


# --------------------------------------------------------------------------- the Sun, the sky

#: The steady sources of :class:`SkyFluxFigure`, with their energy axis (MeV) and title.
SKY_SOURCES = {
    "solar": ((0.1, 20.0), "Solar ν flux"),
    "diffuse": ((1.0, 1.0e4), "Atmospheric and DSNB ν flux"),
}
#: Solar model names short enough for the figure's title.
_SOLAR_TITLE_NAMES = {
    "b16-gs98": "B16-GS98",
    "b16-agss09met": "B16-AGSS09met",
    "ohare-2021": "GS98, ⁸B measured",
}
SKY_GRIDS = {name: np.geomspace(*lim, 600) for name, (lim, _) in SKY_SOURCES.items()}


def _sky_spectra(scenario_or_source, solar_model: str = "b16-gs98") -> dict:
    source = getattr(scenario_or_source, "source", scenario_or_source)
    if source == "solar":
        model = getattr(scenario_or_source, "solar_model", solar_model)
        return solar.component_spectra(model)
    return diffuse.component_spectra()


def _sky_fluxes(scenario) -> dict[str, float]:
    """Flux of each component at the Earth, per cm^2 per second."""
    if scenario.source == "solar":
        return solar.component_fluxes(scenario.solar_model)
    return {c: diffuse.FLUXES[c][0] for c in diffuse.COMPONENTS}


#: Continuum and line components of the two sources (columns and rows of the figure).
SKY_CONTINUA = tuple(
    c
    for name in SKY_SOURCES
    for c, sp in _sky_spectra(name).items()
    if not isinstance(sp, LineSpectrum)
)
SKY_LINES = tuple(
    c
    for name in SKY_SOURCES
    for c, sp in _sky_spectra(name).items()
    if isinstance(sp, LineSpectrum)
)


def sky_flux(scenario) -> tuple[np.ndarray, dict, dict]:
    """Energies (MeV), the flux per MeV at the Earth of each continuum component
    (ν/(cm² s MeV); NaN outside its spectrum, so a log axis draws nothing there) and the
    flux of each line, {component: (energy MeV, ν/(cm² s))}, for the Sun or the sky."""
    E = SKY_GRIDS[scenario.source]
    spectra, fluxes = _sky_spectra(scenario), _sky_fluxes(scenario)
    continua, lines = {}, {}
    for c, sp in spectra.items():
        if isinstance(sp, LineSpectrum):
            lines[c] = (sp.energy_MeV, fluxes[c] * sp.weight)
        else:
            values = fluxes[c] * sp.density(E)
            continua[c] = np.where(values > 0, values, np.nan)
    return E, continua, lines


class SkyFluxFigure(BaseFigure):
    """The flux of a steady source at the Earth by component, per second (it does not
    depend on the exposure), log-log: the Sun from 0.1 to 20 MeV (pp, CNO, 8B, hep
    continua; the 7Be and pep lines as markers at their flux in ν/(cm² s)), or atmospheric
    and DSNB neutrinos from 1 MeV to 10 GeV. The two 7Be lines and the CNO cycle share
    a legend row each.

    Sources: ``sky_flux`` (``E`` in MeV and one column per continuum component in
    ν/(cm² s MeV), NaN where a component has no flux) and ``sky_flux_lines`` (one row per
    line: ``E``, ``flux`` in ν/(cm² s), ``floor`` the bottom of the axis, ``label``).
    """

    name = "sky_flux"
    default_width = 430
    default_height = 260

    def _build(self):
        from bokeh.models import (
            CDSView,
            HoverTool,
            IndexFilter,
            Label,
            Legend,
            LegendItem,
            Range1d,
        )

        fig = new_figure(
            "Solar ν flux at the Earth",
            "Neutrino energy E [MeV]",
            "dΦ/dE [ν/(cm² s MeV)]",
            width=self.width,
            height=self.height,
            x_axis_type="log",
            y_axis_type="log",
            x_range=Range1d(*SKY_SOURCES["solar"][0]),
            y_range=Range1d(1.0, 1e12),
        )
        nan = np.full(SKY_GRIDS["solar"].size, np.nan)
        src = self._source("sky_flux", {"E": SKY_GRIDS["solar"], **{c: nan for c in SKY_CONTINUA}})
        n = len(SKY_LINES)
        lines_src = self._source(
            "sky_flux_lines",
            {
                "E": np.ones(n),
                "flux": np.full(n, np.nan),
                "floor": np.ones(n),
                "label": np.array([component_label(c) for c in SKY_LINES]),
            },
        )
        self.curves = {}
        for c in SKY_CONTINUA:
            style = flavor_line_style(c)
            style.pop("legend_label")
            self.curves[c] = fig.line("E", c, source=src, name=component_label(c), **style)
        self.markers = {}
        for i, c in enumerate(SKY_LINES):
            view = CDSView(filter=IndexFilter([i]))
            color = component_color(c)
            stem = fig.segment(
                x0="E",
                y0="floor",
                x1="E",
                y1="flux",
                source=lines_src,
                view=view,
                color=color,
                line_width=2,
                line_dash=flavor_line_style(c)["line_dash"],
            )
            dot = fig.scatter(
                "E",
                "flux",
                source=lines_src,
                view=view,
                size=9,
                color=color,
                line_color="black",
                line_width=0.8,
            )
            self.markers[c] = (stem, dot)
        # one legend row per component, the 7Be lines and the CNO cycle grouped
        rows: dict[str, list] = {}
        for c in (*SKY_CONTINUA, *SKY_LINES):
            renderers = [self.curves[c]] if c in self.curves else list(self.markers[c])
            rows.setdefault(component_group(c) or component_label(c), []).extend(renderers)
        self._legend_rows = {
            label: LegendItem(label=label, renderers=renderers) for label, renderers in rows.items()
        }
        # below the plot in one row: inside, six rows would cover the 8B and hep curves
        legend = Legend(items=list(self._legend_rows.values()))
        fig.add_layout(legend, "below")
        style_legend(fig)
        self._set(legend, orientation="horizontal", location="center", margin=0, spacing=6)
        self._set(legend, label_standoff=3, glyph_width=16, padding=2)
        self.note = Label(
            x=SKY_SOURCES["solar"][0][1],
            y=1e11,
            text="● lines: Φ [ν/(cm² s)]",
            text_font_size="9pt",
            text_color="#444444",
            text_align="right",
            text_baseline="top",
            x_offset=-4,
        )
        fig.add_layout(self.note)
        fig.add_tools(
            HoverTool(
                renderers=list(self.curves.values()),
                tooltips=[("", "$name"), ("E", "$x{0.00} MeV"), ("dΦ/dE", "$y{0.00e0} /cm²/s/MeV")],
            ),
            HoverTool(
                renderers=[dot for _, dot in self.markers.values()],
                tooltips=[
                    ("line", "@label"),
                    ("E", "@E{0.000} MeV"),
                    ("Φ", "@flux{0.00e0} /cm²/s"),
                ],
            ),
        )
        return fig

    def _update(self, result: Result) -> None:
        s = result.scenario
        if s.source not in SKY_SOURCES:
            return  # another source's spectrum is another figure's; keep the last one
        key = (s.source, s.solar_model if s.source == "solar" else None)
        if not self._changed("data", key):
            return
        E, continua, lines = sky_flux(s)
        nan = np.full(E.size, np.nan)
        self._send("sky_flux", {"E": E, **{c: continua.get(c, nan) for c in SKY_CONTINUA}})
        peaks = [float(np.nanmax(v)) for v in continua.values()]
        peaks += [flux for _, flux in lines.values()]
        top, bottom = 5.0 * max(peaks), 1e-2 * min(peaks)
        self._send(
            "sky_flux_lines",
            {
                "E": np.array([lines[c][0] if c in lines else 1.0 for c in SKY_LINES]),
                "flux": np.array([lines[c][1] if c in lines else np.nan for c in SKY_LINES]),
                "floor": np.full(len(SKY_LINES), bottom),
                "label": np.array([component_label(c) for c in SKY_LINES]),
            },
        )
        present = set(continua) | set(lines)
        for label, item in self._legend_rows.items():
            members = COMPONENT_GROUPS.get(label) or [
                c for c in (*SKY_CONTINUA, *SKY_LINES) if component_label(c) == label
            ]
            self._set(item, visible=bool(set(members) & present))
        lim, title = SKY_SOURCES[s.source]
        self._set(
            self.figure.x_range, start=lim[0], end=lim[1], reset_start=lim[0], reset_end=lim[1]
        )
        self._set(self.figure.y_range, start=bottom, end=top, reset_start=bottom, reset_end=top)
        self._set(self.note, visible=bool(lines), x=lim[1], y=top / 3.0)
        if s.source == "solar":
            title = f"{title} ({_SOLAR_TITLE_NAMES.get(s.solar_model, s.solar_model)})"
        self._set(self.figure.title, text=title)


# --------------------------------------------------------------------------- a supernova

#: Energy grid of the supernova figure (MeV).
SUPERNOVA_E_MeV = np.linspace(0.0, 100.0, 401)


def supernova_fluence(scenario) -> tuple[np.ndarray, dict]:
    """Energies (MeV) and the fluence per MeV at the Earth over the whole burst of each
    component (ν/(cm² MeV)): its neutrinos per cm² times its pinched spectrum."""
    s = scenario
    fluence = supernova.fluence_per_cm2(
        s.supernova_distance_kpc, s.supernova_flavour_energies_erg, s.supernova_mean_energies_MeV
    )
    E = SUPERNOVA_E_MeV
    return E, {
        c: fluence[c] * supernova.pinched_spectrum(E, m, a)
        for c, m, a in zip(
            supernova.COMPONENTS, s.supernova_mean_energies_MeV, s.supernova_pinching, strict=True
        )
    }


class SupernovaFluxFigure(BaseFigure):
    """A supernova's neutrino fluence at the Earth over the whole burst, per flavour and in
    total, 0 to 100 MeV (pinched Fermi-Dirac spectra; ν_x is the four heavy flavours).

    Source ``supernova_flux``: ``E`` (MeV), ``nue``, ``nuebar``, ``nux`` and ``total``
    (ν/(cm² MeV)).
    """

    name = "supernova_flux"
    default_width = 430
    default_height = 260

    def _build(self):
        from bokeh.models import BasicTickFormatter, HoverTool, Range1d

        fig = new_figure(
            "Supernova ν fluence at the Earth",
            "Neutrino energy E [MeV]",
            "dΦ/dE [ν/(cm² MeV)]",
            width=self.width,
            height=self.height,
            x_range=Range1d(0.0, 100.0),
            y_range=Range1d(0.0, 1.0),
        )
        fig.yaxis.formatter = BasicTickFormatter(precision=1, power_limit_high=3)
        zeros = np.zeros_like(SUPERNOVA_E_MeV)
        src = self._source(
            "supernova_flux",
            {"E": SUPERNOVA_E_MeV, "total": zeros, **{c: zeros for c in supernova.COMPONENTS}},
        )
        fig.line("E", "total", source=src, line_width=2, color=TOTAL_COLOR, legend_label="total")
        for c in supernova.COMPONENTS:
            fig.line("E", c, source=src, **flavor_line_style(c))
        fig.add_tools(
            HoverTool(
                tooltips=[
                    ("E", "@E{0.0} MeV"),
                    ("total", "@total{0.00e0} /cm²/MeV"),
                    *[
                        (component_label(c), f"{field(c)}{{0.00e0}} /cm²/MeV")
                        for c in supernova.COMPONENTS
                    ],
                ],
                mode="vline",
                renderers=fig.renderers[:1],
            )
        )
        style_legend(fig, "top_right")
        return fig

    def _update(self, result: Result) -> None:
        s = result.scenario
        if s.source != "supernova":
            return  # keep the last supernova; other sources are other figures'
        key = (
            s.supernova_distance_kpc,
            s.supernova_mean_energies_MeV,
            s.supernova_pinching,
            s.supernova_flavour_energies_erg,
        )
        if self._changed("data", key):
            E, by = supernova_fluence(s)
            total = sum(by.values())
            self._send("supernova_flux", {"E": E, "total": total, **by})
            top = 1.1 * float(np.max(total)) if np.max(total) > 0 else 1.0
            self._set(self.figure.y_range, start=0.0, end=top, reset_start=0.0, reset_end=top)
            self._set(
                self.figure.title,
                text=f"Whole-burst fluence at {s.supernova_distance_kpc:.3g} kpc",
            )
