"""Recoil spectrum dN/dT and observed spectrum dN/dx, by flavour, threshold shaded."""

from __future__ import annotations

import ipywidgets as W
import numpy as np

from ...api import Result
from ..band import K_TEXT, quenching_band
from ..style import (
    COMPONENTS,
    SHADE_COLOR,
    TOTAL_COLOR,
    VERMILION,
    flavor_line_style,
    flavor_tooltips,
    new_figure,
    style_legend,
)
from ..units import threshold_keVnr
from .base import BaseFigure

__all__ = ["ObservedSpectrumFigure", "RecoilSpectrumFigure", "observable_axis_label"]

OBSERVABLE_AXIS = {
    "keVnr": ("Recoil energy T [keVnr]", "events/keVnr"),
    "keVee": ("Electron-equivalent energy [keVee]", "events/keVee"),
    "PE": ("Detected light [PE]", "events/PE"),
}


def observable_axis_label(observable: str) -> str:
    return OBSERVABLE_AXIS[observable][0]


def _scales(result: Result) -> tuple:
    fractions = result.time_fractions
    return tuple((f, result.unwindowed_scale(f) * fractions[f]) for f in result.components)


def spectrum_key(result: Result, *detector) -> tuple:
    """What a spectrum's data depend on (a figure's ``_changed`` key): target, physics, the
    distance only where oscillations make the shape depend on it, the ``detector`` settings
    the figure uses, the source and its spectrum inputs, and the per-component scale factors."""
    s = result.scenario
    return (
        result.source.name,
        result.source.spectrum_key(s),
        s.target,
        s.physics,
        s.distance_m if s.physics.oscillates else None,
        *detector,
        _scales(result),
    )


def _flavor_lines(fig, source, x: str):
    """One curve per component of every source (those of other sources are hidden and read
    an empty spare source) and the total."""
    renderers = {f: fig.line(x, f, source=source, **flavor_line_style(f)) for f in COMPONENTS}
    total = fig.line(
        x,
        "total",
        source=source,
        line_width=2,
        color=TOTAL_COLOR,
        alpha=0.8,
        legend_label="all flavours",
    )
    return renderers, total


def total_label(components) -> str:
    """What the total curve is called: "all flavours" for several, "total" for one."""
    return "all flavours" if len(components) > 1 else "total"


def _tooltips(x: str, x_unit: str, unit: str, components=None) -> list[tuple[str, str]]:
    """Hover rows: the ``x`` column in ``x_unit``, then the total and each component in
    ``unit`` (default: the SNS flavours)."""
    components = components or COMPONENTS[:3]
    rows = [(x, f"@{x}{{0.00}} {x_unit}")]
    if len(components) > 1:
        rows.append(("all flavours", f"@total{{0.000}} {unit}"))
    return [*rows, *flavor_tooltips("0.000", unit, components)]


def _hover(fig, renderer, x: str, x_unit: str, unit: str):
    from bokeh.models import HoverTool

    hover = HoverTool(renderers=[renderer], tooltips=_tooltips(x, x_unit, unit), mode="vline")
    fig.add_tools(hover)
    return hover


def _below_threshold_box():
    from bokeh.models import BoxAnnotation

    return BoxAnnotation(
        left=0, right=0, fill_color=SHADE_COLOR, fill_alpha=0.25, line_alpha=0, level="underlay"
    )


class _SpectrumBase(BaseFigure):
    """Shared: a log-scale toggle and threshold shading.

    The log view is built once next to the linear one (a second y range with a log scale, its
    own axis and grid); toggling only flips renderers' ``y_range_name`` and visibilities. No
    model is created or swapped, so Bokeh need not re-index the document (that costs ~15 ms
    per reference change).
    """

    log_y = False

    def _new_spectrum_figure(self, title: str, x_label: str, y_label: str, x: str):
        """The figure, its source (named like the figure: ``x``, one column per component of
        the scenario's source and ``total``) and the curves; returns the figure, the
        component curves and the total."""
        fig = new_figure(title, x_label, y_label, width=self.width, height=self.height)
        first = COMPONENTS[:3]  # the SNS flavours until the first result says otherwise
        empty = {x: np.zeros(0), "total": np.zeros(0), **{f: np.zeros(0) for f in first}}
        source = self._source(self.name, empty)
        # Curves of components the current source lacks read this empty spare source, so no
        # glyph ever asks BokehJS for a column that is not there.
        spare = {x: np.zeros(0), **{f: np.zeros(0) for f in COMPONENTS}}
        self._spare = self._source(f"{self.name}_unused", spare)
        lines, total = _flavor_lines(fig, source, x)
        self._lines, self._total_line = lines, total
        self._components: tuple[str, ...] = ()
        self._x_column = x
        self.figure = fig  # _route reads the legend; BaseFigure sets the same figure again
        return fig, list(lines.values()), total

    def _route(self, components, *, incoming: bool = True) -> None:
        """Hide the curves of components not in ``components`` (they read the spare source)
        and, with ``incoming``, show those in it (reading the main source)."""
        components = tuple(components)
        main = self.sources[self.name]
        for f, line in self._lines.items():
            on = f in components
            if on and not incoming:
                continue
            target = main if on else self._spare
            if line.data_source is not target:
                line.data_source = target
            self._set(line, visible=on)
        if not incoming:
            return
        several = len(components) > 1
        legend = self.figure.legend[0] if self.figure.legend else None
        for item in legend.items if legend is not None else ():
            first = (item.renderers or [None])[0]
            if first is self._total_line:
                # one component: the total is the same curve, so it is not drawn twice
                self._set(item, visible=several)
            else:
                f = next((k for k, v in self._lines.items() if v is first), None)
                if f is not None:
                    self._set(item, visible=f in components)
        self._set(self._total_line, visible=several)
        self._components = components
        hover = getattr(self, "hover", None)
        if hover is not None:
            hover.tooltips = _tooltips(self._x_column, *self._hover_units, components)
            shown = [self._total_line] if several else [self._lines[components[0]]]
            if list(hover.renderers) != shown:
                hover.renderers = shown

    _hover_units = ("keVnr", "events/keVnr")

    def _send_spectrum(self, x_column: str, x, by: dict) -> None:
        """Send new spectra (``by`` component) with their total; the log view follows the
        peak. The source's columns are the components of ``by``; on a change of source the
        old curves move to the spare source before, the new ones to the main source after
        the data, so BokehJS never draws a column that is not there."""
        components = tuple(by)
        total = sum(by[f] for f in components)
        self._y_max = float(np.max(total)) if total.size else 0.0
        switch = components != self._components
        if switch:
            self._route(components, incoming=False)
        self._send(self.name, {x_column: x, "total": total, **by})
        if switch:
            self._route(components)
        self._set_y_start()

    def _add_log_view(self, fig, renderers) -> None:
        from bokeh.models import DataRange1d, Grid, LogAxis, LogScale

        self._renderers = list(renderers)
        fig.extra_y_ranges = {"log": DataRange1d(start=1e-6)}
        fig.extra_y_scales = {"log": LogScale()}
        linear_axis = fig.yaxis[0]
        self._log_axis = LogAxis(
            y_range_name="log",
            visible=False,
            axis_label=linear_axis.axis_label,
            axis_label_text_font_size=linear_axis.axis_label_text_font_size,
            axis_label_text_font_style=linear_axis.axis_label_text_font_style,
            major_label_text_font_size=linear_axis.major_label_text_font_size,
        )
        fig.add_layout(self._log_axis, "left")
        self._log_grid = Grid(
            dimension=1,
            ticker=self._log_axis.ticker,
            y_range_name="log",
            visible=False,
            grid_line_alpha=fig.ygrid[0].grid_line_alpha,
        )
        fig.add_layout(self._log_grid)
        self.log_toggle = W.ToggleButton(
            value=False,
            description="log scale",
            icon="signal",
            tooltip="Logarithmic y axis (shows the tails)",
            layout=W.Layout(width="110px"),
        )
        self.log_toggle.observe(self._on_log, names="value")

    def _on_log(self, change):
        try:
            self.set_log(bool(change["new"]))
        except Exception as exc:  # noqa: BLE001
            self.error = str(exc)

    def set_log(self, log: bool) -> None:
        """Switch the y axis between linear and logarithmic (no re-render, no new models)."""
        if log == self.log_y:
            return
        self.log_y = log
        fig = self.figure
        name = "log" if log else "default"
        for r in self._renderers:
            r.y_range_name = name
        self._log_axis.visible = log
        self._log_grid.visible = log
        fig.yaxis[0].visible = not log
        fig.ygrid[0].visible = not log
        self._set_y_start()
        if self.log_toggle.value != log:
            self.log_toggle.value = log

    def _set_y_label(self, label: str) -> None:
        for axis in (self.figure.yaxis[0], self._log_axis):
            self._set(axis, axis_label=label)

    def _set_y_start(self) -> None:
        top = getattr(self, "_y_max", 0.0)
        if self.log_y:
            self._set(self.figure.extra_y_ranges["log"], start=top * 1e-4 if top > 0 else 1e-6)

    @property
    def panel(self):
        return W.VBox([self.log_toggle, self.widget])


class RecoilSpectrumFigure(_SpectrumBase):
    """dN/dT (events per keVnr over the exposure) by component, before the detector response.

    Source ``recoil_spectrum``: columns ``T`` (keVnr), one per component of the scenario's
    source (the SNS flavours, or ``reactor_nuebar``) and ``total``. The grey box covers
    recoils below the threshold (converted to keVnr for PE/keVee thresholds). With Lindhard
    quenching at a reactor, the hatched box is where a keVee threshold lies in keVnr for k
    from 0.12 to 0.25 (:mod:`..band`).
    """

    name = "recoil_spectrum"
    default_width = 470
    default_height = 310

    def _build(self):
        fig, lines, total = self._new_spectrum_figure(
            "Recoil spectrum (grey: below threshold)",
            "Recoil energy T [keVnr]",
            "dN/dT [events/keVnr]",
            "T",
        )
        self.hover = _hover(fig, total, "T", "keVnr", "events/keVnr")
        self.threshold_box = _below_threshold_box()
        fig.add_layout(self.threshold_box)
        self.band_box = _band_box()
        fig.add_layout(self.band_box)
        style_legend(fig)
        fig.y_range.start = 0
        self._add_log_view(fig, [*lines, total])
        self._route(self._components or COMPONENTS[:3])
        return fig

    def _update(self, result: Result) -> None:
        s = result.scenario
        if self._changed("data", spectrum_key(result)):
            self._send_spectrum("T", *result.recoil_spectrum())
        t_thr = threshold_keVnr(s)
        if self._changed("threshold", t_thr):
            self._set(self.threshold_box, right=t_thr)
        band = quenching_band(s)
        edges = band.threshold_keVnr if band is not None else None
        if self._changed("band", edges):
            if edges is None:
                self._set(self.band_box, visible=False)
                self._set(self.figure.title, text="Recoil spectrum (grey: below threshold)")
            else:
                lo, hi = edges
                self._set(self.band_box, left=lo, right=hi, visible=True)
                self._set(
                    self.figure.title,
                    text=f"Recoil spectrum (hatched: threshold, k {band.k_text})",
                )


class ObservedSpectrumFigure(_SpectrumBase):
    """What the detector records (PE, keVee, or keVnr for a bare recoil counter), after
    quenching, light yield, resolution and efficiency.

    Source ``observed_spectrum``: columns ``x`` (observable), one per component and
    ``total``. Grey boxes: below threshold and above the analysis window (``roi_max``).
    Source ``observed_spectrum_band``: ``x``, ``lower`` and ``upper``, the total spectrum
    for Lindhard k from 0.12 to 0.25 at a reactor (empty otherwise), drawn as a band.
    """

    name = "observed_spectrum"
    default_width = 470
    default_height = 300

    def _build(self):
        from bokeh.models import BoxAnnotation

        fig, lines, total = self._new_spectrum_figure(
            "Observed spectrum", "Detected light [PE]", "dN/dx [events/PE]", "x"
        )
        self.hover = _hover(fig, total, "x", "PE", "events/PE")
        self._hover_units = ("PE", "events/PE")
        self.threshold_box = _below_threshold_box()
        self.roi_box = BoxAnnotation(
            left=0,
            fill_color=SHADE_COLOR,
            fill_alpha=0.25,
            line_alpha=0,
            level="underlay",
            visible=False,
        )
        fig.add_layout(self.threshold_box)
        fig.add_layout(self.roi_box)
        band_src = self._source(
            "observed_spectrum_band",
            {"x": np.zeros(0), "lower": np.zeros(0), "upper": np.zeros(0)},
        )
        self.band = fig.varea(
            "x",
            "lower",
            "upper",
            source=band_src,
            fill_color=VERMILION,
            fill_alpha=0.18,
            legend_label=f"k {K_TEXT}",
            level="underlay",
            visible=False,
        )
        style_legend(fig)
        fig.y_range.start = 0
        self._add_log_view(fig, [*lines, total, self.band])
        self._route(self._components or COMPONENTS[:3])
        return fig

    def _update(self, result: Result) -> None:
        s = result.scenario
        if self._changed("data", spectrum_key(result, s.response)):
            self._send_spectrum("x", *result.observed_spectrum())
        obs = result.observable
        if self._changed("observable", (obs, self._components)):
            label, unit = OBSERVABLE_AXIS[obs]
            self.figure.xaxis[0].axis_label = label
            self._set_y_label(f"dN/dx [{unit}]")
            self.figure.title.text = (
                "Observed spectrum (bare recoil counter: no detector response)"
                if obs == "keVnr"
                else f"Observed spectrum in {obs} (grey: outside the cuts)"
            )
            self._hover_units = (obs, unit)
            self.hover.tooltips = _tooltips("x", obs, unit, self._components)
        cuts = (result.threshold_observable, s.roi_max)
        if self._changed("cuts", cuts):
            self._set(self.threshold_box, right=float(result.threshold_observable))
            if s.roi_max is None:
                self._set(self.roi_box, visible=False)
            else:
                self._set(self.roi_box, left=float(s.roi_max), visible=True)
        band = quenching_band(s)
        key = (band.key, obs) if band is not None else None
        if self._changed("band", key):
            if band is None:
                self._send("observed_spectrum_band", _EMPTY_BAND)
                self._set(self.band, visible=False)
            else:
                x, lower, upper = band.observed_envelope()
                self._send("observed_spectrum_band", {"x": x, "lower": lower, "upper": upper})
                self._set(self.band, visible=True)


_EMPTY_BAND = {"x": np.zeros(0), "lower": np.zeros(0), "upper": np.zeros(0)}


def _band_box():
    from bokeh.models import BoxAnnotation

    return BoxAnnotation(
        left=0,
        right=0,
        fill_color=VERMILION,
        fill_alpha=0.12,
        hatch_pattern="/",
        hatch_color=VERMILION,
        hatch_alpha=0.5,
        line_color=VERMILION,
        line_alpha=0.6,
        level="underlay",
        visible=False,
    )
