"""The CEvNS Explorer dashboard: controls, headline readout and figures, bound to one model."""

from __future__ import annotations

import ipywidgets as W

from ..presets import DEFAULT_PRESET
from ..scenario import Scenario
from .bokeh_setup import ensure_bokehjs
from .controls import ControlPanel
from .export import ExportPanel
from .figures import (
    ArrivalTimeFigure,
    FluxFigure,
    FormFactorFigure,
    NSquaredFigure,
    ObservedSpectrumFigure,
    QuenchingFigure,
    ReactorFluxFigure,
    RecoilSpectrumFigure,
    SkyFluxFigure,
    SupernovaFluxFigure,
    ThresholdScanFigure,
)
from .layout import fluid_box, fluid_row, mark_panels, set_row_children
from .lifecycle import Closable
from .model import ScenarioModel
from .projector import ProjectorSwitch, projector_css
from .readout import Readout

__all__ = ["Explorer"]

#: Scoped to the explorer: bigger widget text for projectors, no empty message rows.
STYLE = (
    """
<style>
.cevns-explorer { --jp-widgets-font-size: 14px; }
.cevns-explorer .cevns-message .widget-html-content,
.cevns-explorer .cevns-message .jupyter-widget-html-content { line-height: 1.25; }
.cevns-explorer .widget-tab > .p-TabBar .p-TabBar-tab,
.cevns-explorer .jupyter-widget-tab > .lm-TabBar .lm-TabBar-tab { font-size: 14px; }
.cevns-explorer .cevns-readout .widget-html-content { line-height: 1.2; }
.cevns-explorer .widget-html-content, .cevns-explorer .jupyter-widget-html-content {
  min-width: 0; }
.cevns-explorer .cevns-source .widget-toggle-button,
.cevns-explorer .cevns-source .jupyter-widget-toggle-button { padding: 0 9px; }
.cevns-explorer .cevns-place { padding: 0 6px; }
"""
    + projector_css("cevns-explorer")
    + "</style>"
)

TAB_TITLES = ("Arrival time", "N² law", "Observed", "Flux & F²(q)", "Quenching", "Share")
SHARE_TAB = TAB_TITLES.index("Share")
#: The tabs of a continuous source (a reactor, the Sun, the sky) or a supernova: no arrival
#: time after a beam pulse, no time window.
REACTOR_TAB_TITLES = TAB_TITLES[1:]
#: Sources whose spectra open on a log y axis: a reactor's sub-keV spectra fall by decades
#: above threshold, and so do the Sun's and the sky's.
LOG_SOURCES = ("reactor", "solar", "diffuse")


class Explorer(Closable):
    """The whole dashboard: controls on the left, figures sharing the rest of the width
    (fluid from about 800 to 1920 px; below about 900 px the figures wrap under the
    controls), a projector toggle for a classroom (see :mod:`.projector`).

    Args:
        preset: the preset to open (default: COHERENT CsI[Na] 2017).
        scenario: open this :class:`~cevns_widgets.Scenario` instead of a preset.
        model: share an existing :class:`ScenarioModel` (e.g. with figures shown elsewhere).

    Attributes: ``model``, ``controls`` (:class:`ControlPanel`), ``readout``, the figures
    ``recoil``, ``threshold_scan``, ``observed``, ``nsquared``, ``timing``, ``flux``,
    ``form_factor``, ``quenching`` (also in ``figures``), ``export``, ``projector`` (a
    :class:`~cevns_widgets.widgets.projector.ProjectorSwitch`) and ``widget`` (the top
    ``VBox``). Display the explorer itself (last expression of a cell) or call ``show()``.

    ``close()`` frees it: every widget (controls, figures, tabs, layouts), the Bokeh
    documents, and its observers of ``model`` (a model shared with other widgets keeps working
    for them). Re-creating an explorer in a cell without closing the old one keeps the old
    one's ~300 widgets alive in the kernel for the whole session.
    """

    def __init__(
        self,
        preset: str | None = DEFAULT_PRESET,
        *,
        scenario: Scenario | None = None,
        model: ScenarioModel | None = None,
    ):
        ensure_bokehjs()
        if scenario is not None and preset == DEFAULT_PRESET:
            # the default preset is not claimed for a scenario given without one
            preset = scenario.preset or ""
        self.model = model or ScenarioModel(preset=preset, scenario=scenario)
        m = self.model
        self.controls = ControlPanel(m)
        self.readout = Readout(m)
        self.recoil = RecoilSpectrumFigure(m, width=430, height=290)
        self.threshold_scan = ThresholdScanFigure(m, width=305, height=290)
        self.observed = ObservedSpectrumFigure(m, width=580, height=250)
        self.nsquared = NSquaredFigure(m, width=725, height=250)
        self.timing = ArrivalTimeFigure(m, width=725, height=225)
        self.flux = FluxFigure(m, width=362, height=250)
        self.reactor_flux = ReactorFluxFigure(m, width=362, height=250)
        self.sky_flux = SkyFluxFigure(m, width=362, height=250)
        self.supernova_flux = SupernovaFluxFigure(m, width=362, height=250)
        self.form_factor = FormFactorFigure(m, width=362, height=250)
        self.quenching = QuenchingFigure(m, width=580, height=250)
        self.figures = {
            f.name: f
            for f in (
                self.recoil,
                self.threshold_scan,
                self.observed,
                self.nsquared,
                self.timing,
                self.flux,
                self.reactor_flux,
                self.sky_flux,
                self.supernova_flux,
                self.form_factor,
                self.quenching,
            )
        }
        self.export = ExportPanel(m, active=False)
        self.widget = self._layout()

    def _layout(self) -> W.VBox:
        self.log_toggle = W.ToggleButton(
            value=False,
            description="log scale",
            icon="signal",
            tooltip="Logarithmic y axis for the spectra (shows the tails)",
            layout=W.Layout(width="120px", flex="0 0 auto"),
        )
        self.log_toggle.observe(self._on_log, names="value")
        self.log_toggle.add_class("cevns-log-toggle")
        self._timing_tab = W.VBox([self.controls.time_window.widget, self.timing.widget])
        self._flux_tab = fluid_row(self.flux.widget, self.form_factor.widget)
        tabs = W.Tab(layout=W.Layout(width="auto"))
        self.tabs = tabs
        self._source_tabs = None
        self._set_tabs(self.model.scenario.source)
        tabs.observe(self._on_tab, names="selected_index")
        self.model.observe(self._on_scenario, names="scenario")
        top_row = fluid_row(self.recoil.widget, self.threshold_scan.widget)
        figures = W.VBox([top_row, tabs])
        self.readout.widget.layout.flex = "1 1 auto"
        self.readout.widget.layout.min_width = "0px"
        self.readout.widget.layout.overflow = "hidden"  # long lines end under the buttons
        buttons = W.VBox([self.log_toggle], layout=W.Layout(flex="0 0 auto"))
        header = W.HBox(
            [self.readout.widget, buttons], layout=W.Layout(align_items="center", width="100%")
        )
        for panel in (header, self.controls.time_window.widget, self.export.widget):
            mark_panels(panel)
        body = fluid_row(self.controls.widget, figures)
        box = fluid_box([W.HTML(STYLE, layout=W.Layout(height="0px", margin="0")), header, body])
        box.add_class("cevns-explorer")
        self.projector = ProjectorSwitch(box, lambda: [fig.figure for fig in self.figures.values()])
        buttons.children = (self.log_toggle, self.projector.toggle)
        return box

    def _on_scenario(self, change) -> None:
        if not self.closed:
            self._set_tabs(change["new"].source)

    def _on_log(self, change) -> None:
        if self.closed:
            return
        for fig in (self.recoil, self.observed):
            try:
                fig.set_log(bool(change["new"]))
            except Exception as exc:  # noqa: BLE001 -- never a traceback in the widget
                fig.error = f"{type(exc).__name__}: {exc}"

    def flux_figure(self, source: str):
        """The figure of the flux tab for ``source``: the SNS flavours, a reactor's isotopes,
        the Sun's or the sky's components, or a supernova's flavours."""
        return {
            "reactor": self.reactor_flux,
            "solar": self.sky_flux,
            "diffuse": self.sky_flux,
            "supernova": self.supernova_flux,
        }.get(source, self.flux)

    def _set_tabs(self, source: str) -> None:
        """The tabs follow the source: only a pulsed source (the SNS) has an arrival-time
        tab, and the flux tab shows that source's spectrum (SNS flavours, reactor isotopes,
        solar components, supernova flavours)."""
        if source == self._source_tabs:
            return
        pulsed = source == "sns"
        flux = self.flux_figure(source)
        set_row_children(self._flux_tab, flux.widget, self.form_factor.widget)
        tabs = [
            ("Arrival time", self._timing_tab, [self.timing]),
            ("N² law", self.nsquared.widget, [self.nsquared]),
            ("Observed", self.observed.widget, [self.observed]),
            ("Flux & F²(q)", self._flux_tab, [flux, self.form_factor]),
            ("Quenching", self.quenching.widget, [self.quenching]),
            ("Share", self.export.widget, []),
        ]
        if not pulsed:
            tabs = tabs[1:]
        shown = self.tabs.titles[self.tabs.selected_index] if self._source_tabs else None
        for fig in (self.timing, self.flux, self.reactor_flux, self.sky_flux, self.supernova_flux):
            fig.active = False
        self._tab_figures = [figs for _, _, figs in tabs]
        self._tab_titles = tuple(title for title, _, _ in tabs)
        # children first, then titles, in separate messages: sent together, the browser
        # drew the new tabs without their titles
        self.tabs.children = [child for _, child, _ in tabs]
        self.tabs.titles = self._tab_titles
        index = self._tab_titles.index(shown) if shown in self._tab_titles else 0
        self.tabs.selected_index = index
        if self._source_tabs is not None or source in LOG_SOURCES:
            # spectra that fall by decades above threshold: log y by default
            self.log_toggle.value = source in LOG_SOURCES
        self._source_tabs = source
        self._on_tab({"new": index})

    def _on_tab(self, change) -> None:
        """Only the figures in the shown tab follow the model; the others catch up when
        their tab is shown (a slider then updates 3 figures, not 8)."""
        if self.closed:
            return
        selected = change["new"] or 0
        for i, figs in enumerate(self._tab_figures):
            for fig in figs:
                fig.active = i == selected
        self.export.active = self._tab_titles[selected] == "Share"

    def activate_all(self, active: bool = True) -> None:
        """Make every figure follow the model (tests, or when showing figures elsewhere)."""
        if self.closed:
            return
        for figs in self._tab_figures:
            for fig in figs:
                fig.active = active
        self.export.active = active

    # --- display ----------------------------------------------------------------------
    def show(self) -> None:
        """Display the dashboard in the current cell."""
        from IPython.display import display

        display(self)

    def _repr_mimebundle_(self, **kwargs):
        if self.closed:
            return self._closed_bundle()
        ensure_bokehjs()
        return self.widget._repr_mimebundle_(**kwargs)
