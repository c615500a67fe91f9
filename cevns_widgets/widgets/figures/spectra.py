"""Recoil spectrum dN/dT and observed spectrum dN/dx, by flavour, threshold shaded."""

from __future__ import annotations

import ipywidgets as W
import numpy as np

from ...api import Result, evaluate
from ..band import K_TEXT, quenching_band
from ..controls import tail_reach
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
from ..units import nice_ceiling, threshold_keVnr
from .base import BaseFigure

__all__ = [
    "ObservedSpectrumFigure",
    "RecoilSpectrumFigure",
    "observable_axis_label",
    "shown_components",
]

#: A component is drawn (and in the legend) if it gives at least this share of the counted
#: events: of the Sun's nine, a xenon detector above 0.5 keVnr sees 8B and hep only.
SHOWN_SHARE = 1e-3
#: Where a sky source's spectrum axis ends: its shown components' events above it are this
#: fraction of their total (a supernova in xenon: ~40 keVnr, not the 235 keVnr reachable).
VIEW_TAIL = 1e-4

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


def shown_components(result: Result) -> tuple[str, ...]:
    """The components worth drawing: those giving at least :data:`SHOWN_SHARE` of the
    counted events (all of them if nothing is counted)."""
    components = result.components
    counts = result.events_by_flavor
    total = sum(counts.values())
    if len(components) <= 1 or not total > 0:
        return tuple(components)
    return tuple(c for c in components if counts[c] >= SHOWN_SHARE * total) or tuple(components)


def total_label(result_or_components) -> str:
    """What the total curve is called: "all flavours" for the flavours of the SNS or a
    supernova, "total" for the components of the Sun or the sky (or a single one)."""
    components = getattr(result_or_components, "components", result_or_components)
    if len(components) <= 1:
        return "total"
    return "all flavours" if set(components) & {"prompt_numu", "nue"} else "total"


def _flavor_lines(fig, source, x: str):
    """One curve per component of every source (those of other sources are hidden; their
    columns hold zeros) and the total."""
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


def _tooltips(
    x: str, x_unit: str, unit: str, components=None, total: str = "all flavours"
) -> list[tuple[str, str]]:
    """Hover rows: the ``x`` column in ``x_unit``, then the total (called ``total``) and each
    component in ``unit`` (default: the SNS flavours)."""
    components = components or COMPONENTS[:3]
    rows = [(x, f"@{x}{{0.00}} {x_unit}")]
    if len(components) > 1:
        rows.append((total, f"@total{{0.000}} {unit}"))
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
        component curves and the total.

        The axis ranges are fixed ranges set from Python (:meth:`_set_view`), not data
        ranges: the Sun's pp neutrinos pile up 10^4 times 8B's rate below 0.003 keVnr in
        xenon, and a data range would fit that spike instead of the counted spectrum.
        """
        from bokeh.models import Range1d

        fig = new_figure(
            title,
            x_label,
            y_label,
            width=self.width,
            height=self.height,
            x_range=Range1d(0.0, 1.0),
            y_range=Range1d(0.0, 1.0),
        )
        # Every curve reads this one source for good, so it holds a column for every
        # component of every source (zeros for the other sources' components). A curve must
        # never be moved to another source: BokehJS keeps listening to the source a glyph
        # view was built with, and the moved curve would stop following updates.
        empty = {x: np.zeros(0), "total": np.zeros(0), **{f: np.zeros(0) for f in COMPONENTS}}
        source = self._source(self.name, empty)
        lines, total = _flavor_lines(fig, source, x)
        self._lines, self._total_line = lines, total
        self._components: tuple[str, ...] = ()
        self._shown: tuple[str, ...] = COMPONENTS[:3]
        self._total_name = "all flavours"
        self._view = (0.0, 1.0, 0.0, 0.0)  # x end, y top, threshold, counted peak
        self._counted_peak = 0.0
        self._x_column = x
        self.figure = fig  # _show reads the legend; BaseFigure sets the same figure again
        return fig, list(lines.values()), total

    def _show(self, shown, components=None) -> None:
        """Draw (and list in the legend) only the ``shown`` components of the current source
        (``components``, default: the last ones); every other curve is hidden."""
        from bokeh.core.property.vectorization import value

        if components is not None:
            self._components = tuple(components)
        self._shown = shown = tuple(shown)
        components = self._components
        several = len(components) > 1
        for f, line in self._lines.items():
            self._set(line, visible=f in components and f in shown)
        legend = self.figure.legend[0] if self.figure.legend else None
        for item in legend.items if legend is not None else ():
            first = (item.renderers or [None])[0]
            if first is self._total_line:
                # one component: the total is the same curve, so it is not drawn twice
                self._set(item, visible=several)
                if item.label != value(self._total_name):
                    item.label = value(self._total_name)
            else:
                f = next((k for k, v in self._lines.items() if v is first), None)
                if f is not None:
                    self._set(item, visible=f in components and f in shown)
        self._set(self._total_line, visible=several)
        hover = getattr(self, "hover", None)
        if hover is not None:
            listed = [f for f in components if f in shown] or list(components)
            tooltips = _tooltips(self._x_column, *self._hover_units, listed, self._total_name)
            if hover.tooltips != tooltips:
                hover.tooltips = tooltips
            renderers = [self._total_line] if several else [self._lines[components[0]]]
            if list(hover.renderers) != renderers:
                hover.renderers = renderers

    def _follow(self, result: Result, threshold: float) -> None:
        """After new data or cuts: which components to show and the axis ranges, each sent
        only if it changed (a threshold drag at the SNS changes neither). ``self._shown``
        was set from ``result`` before the data went out, so that curves switched on by a
        change of source are only the shown ones."""
        self._show(self._shown)
        self._set_view(result, threshold)

    def _set_view(self, result: Result, threshold: float) -> None:
        """Fixed axis ranges: x from 0 to the end of the data (for a sky source, where its
        shown components' tail ends, but past the threshold); y up to the peak of the shown
        components' sum (the total may rise past it where hidden components pile up at the
        lowest energies); the log view 4 decades below that peak."""
        data = self.sources[self.name].data
        x = np.asarray(data.get(self._x_column, ()), dtype=float)
        if x.size < 2:
            return
        shown = [f for f in self._shown if f in data] or list(self._components)
        visible = sum(np.asarray(data[f], dtype=float) for f in shown)
        top = float(np.nanmax(visible)) if np.size(visible) else 0.0
        if result.scenario.magnetic_moment_muB > 0 and top > 0:
            top = self._top_without_spike(result, x, visible, shown, threshold)
        counted = visible[x >= threshold] if np.size(visible) else visible
        self._counted_peak = float(np.nanmax(counted)) if np.size(counted) else 0.0
        x_end = float(x[-1])
        if not result.source.uses_distance_m:
            x_end = min(x_end, tail_reach(x, visible, VIEW_TAIL))
            x_end = max(x_end, 1.2 * threshold) if threshold > 0 else x_end
            x_end = nice_ceiling(x_end)
        elif threshold >= x_end:
            # a slider top rounded up past the signal: the threshold stays on the axis
            x_end = nice_ceiling(1.1 * threshold)
        view = (x_end, top, threshold, self._counted_peak)
        if view == self._view:
            return
        self._view = view
        self._y_max = top
        self._set(self.figure.x_range, start=0.0, end=x_end, reset_start=0.0, reset_end=x_end)
        end = 1.08 * top if top > 0 else 1.0
        self._set(self.figure.y_range, start=0.0, end=end, reset_start=0.0, reset_end=end)
        self._set_y_start()

    def _spectrum(self, result: Result) -> tuple:
        """(x, {component: spectrum}) of this figure for ``result``."""
        raise NotImplementedError

    def _top_without_spike(self, result, x, visible, shown, threshold: float) -> float:
        """The y top with a magnetic moment: its 1/T term spikes at T -> 0 (5e-10 μ_B in
        CsI: ~700x the counted spectrum's peak), which would flatten what is counted. The top
        holds the Standard Model spectrum, the spectrum above the threshold, and below it
        only as much as exceeds the Standard Model by the factor at the threshold."""
        x_sm, by = self._spectrum(evaluate(result.scenario.replace(magnetic_moment_muB=0.0)))
        sm = np.interp(x, x_sm, sum(np.asarray(by[f], dtype=float) for f in shown))
        top = float(np.nanmax(sm))
        above = x >= threshold
        if not above.any():
            return max(top, float(np.nanmax(visible)))
        top = max(top, float(np.nanmax(visible[above])))
        sm_t = float(np.interp(threshold, x, sm))
        if sm_t > 0:
            factor = float(np.interp(threshold, x, visible)) / sm_t
            top = max(top, float(np.nanmax(np.minimum(visible, factor * sm))))
        return top

    _hover_units = ("keVnr", "events/keVnr")

    def _send_spectrum(self, x_column: str, x, by: dict) -> None:
        """Send new spectra (``by`` component) with their total, zeros for every other
        source's components (unchanged zero columns are not sent again). On a change of
        source the old curves are hidden before the data and the new ones shown after."""
        components = tuple(by)
        total = sum(by[f] for f in components)
        switch = components != self._components
        shown = self._shown  # set by _update for the new result
        if switch:  # hide the old source's curves before their data become zeros
            self._show((), self._components)
        zeros = np.zeros_like(np.asarray(x, dtype=float))
        self._send(
            self.name, {x_column: x, "total": total, **{f: by.get(f, zeros) for f in COMPONENTS}}
        )
        if switch:
            self._show(shown, components)

    def _add_log_view(self, fig, renderers) -> None:
        from bokeh.models import Grid, LogAxis, LogScale, Range1d

        self._renderers = list(renderers)
        fig.extra_y_ranges = {"log": Range1d(start=1e-6, end=1.0)}
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
        """The log view: from 4 decades below the peak to a third of a decade above it."""
        top = getattr(self, "_y_max", 0.0)
        if self.log_y:
            start, end = (top * 1e-4, top * 2.0) if top > 0 else (1e-6, 1.0)
            # a high threshold: the counted spectrum's peak stays above the floor
            peak = getattr(self, "_counted_peak", 0.0)
            if 0 < peak < 2 * start:
                start = peak / 2
            self._set(
                self.figure.extra_y_ranges["log"],
                start=start,
                end=end,
                reset_start=start,
                reset_end=end,
            )

    @property
    def panel(self):
        return W.VBox([self.log_toggle, self.widget])


class RecoilSpectrumFigure(_SpectrumBase):
    """dN/dT (events per keVnr over the exposure) by component, before the detector response.

    Source ``recoil_spectrum``: columns ``T`` (keVnr), ``total`` and one per component of
    every source (the scenario's own: the SNS flavours, ``reactor_nuebar``, the Sun's nine...;
    zeros for the others). Only components giving at least 0.1 % of the counted events are
    drawn and listed in the legend (:func:`shown_components`). The grey box covers
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
        self._show(self._shown, self._components or COMPONENTS[:3])
        return fig

    def _spectrum(self, result: Result) -> tuple:
        return result.recoil_spectrum()

    def _update(self, result: Result) -> None:
        s = result.scenario
        t_thr = threshold_keVnr(s)
        self._shown = shown_components(result)
        self._total_name = total_label(result)
        if self._changed("data", spectrum_key(result)):
            self._send_spectrum("T", *result.recoil_spectrum())
        self._follow(result, t_thr)
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
                    text=f"Recoil spectrum (hatched: k {band.k_text})",
                )


class ObservedSpectrumFigure(_SpectrumBase):
    """What the detector records (PE, keVee, or keVnr for a bare recoil counter), after
    quenching, light yield, resolution and efficiency.

    Source ``observed_spectrum``: columns ``x`` (observable), ``total`` and one per component
    (as in :class:`RecoilSpectrumFigure`). Grey boxes: below threshold and above the
    analysis window (``roi_max``).
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
        self._show(self._shown, self._components or COMPONENTS[:3])
        return fig

    def _spectrum(self, result: Result) -> tuple:
        return result.observed_spectrum()

    def _update(self, result: Result) -> None:
        s = result.scenario
        self._shown = shown_components(result)
        self._total_name = total_label(result)
        if self._changed("data", spectrum_key(result, s.response)):
            self._send_spectrum("x", *result.observed_spectrum())
        obs = result.observable
        self._hover_units = (obs, OBSERVABLE_AXIS[obs][1])
        self._follow(result, float(result.threshold_observable))
        if self._changed("observable", (obs, self._components, s.efficiency)):
            label, unit = OBSERVABLE_AXIS[obs]
            self.figure.xaxis[0].axis_label = label
            self._set_y_label(f"dN/dx [{unit}]")
            if obs != "keVnr":
                title = f"Observed spectrum in {obs} (grey: outside the cuts)"
            elif s.efficiency == "none":
                title = "Observed spectrum (bare recoil counter: no detector response)"
            else:
                title = "Observed spectrum: recoils × detection efficiency"
            self._set(self.figure.title, text=title)
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
            else:
                x, lower, upper = band.observed_envelope()
                self._send("observed_spectrum_band", {"x": x, "lower": lower, "upper": upper})
            self._set(self.band, visible=band is not None)
            for item in self.figure.legend[0].items:
                if self.band in item.renderers:  # no greyed-out legend row without a band
                    self._set(item, visible=band is not None)


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
