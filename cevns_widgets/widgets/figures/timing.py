"""Arrival time after the beam pulse: prompt and delayed components and the time window."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ...api import Result
from ...physics.sources import sns
from ..style import FLAVORS, GREEN, flavor_line_style, flavor_tooltips, new_figure, style_legend
from .base import BaseFigure

__all__ = ["ArrivalTimeFigure", "signal_fraction_in_window"]

T_MAX_us = 20.0


@lru_cache(maxsize=8)
def _time_grid(beam_timing: str = sns.DEFAULT_BEAM_TIMING):
    """Arrival-time densities on the time axis of ``beam_timing``'s dataset."""
    t = np.linspace(0.0, T_MAX_us, 801)
    pulse = sns.BEAM_TIMINGS[beam_timing].pulse
    return t, {f: sns.arrival_time_pdf(t, f, **pulse) for f in FLAVORS}


def _events_without_window(result: Result) -> dict[str, float]:
    s = result.scenario
    return {
        f: float(result.observed.above(f, result.threshold_observable, s.roi_max))
        * result.events_per_unit
        for f in FLAVORS
    }


def signal_fraction_in_window(result: Result) -> float:
    """Fraction of the signal (above threshold) that arrives inside the scenario's window."""
    events = _events_without_window(result)
    total = sum(events.values())
    if total <= 0:
        return float("nan")
    fractions = result.time_fractions
    return sum(events[f] * fractions[f] for f in FLAVORS) / total


class ArrivalTimeFigure(BaseFigure):
    """When the signal arrives: the fraction of the (above-threshold) signal per microsecond
    after the pulse, by flavour, with the scenario's time window shaded and the fraction of the
    signal inside it in the title. Normalised to the signal, so distance, mass and exposure do
    not change it; the threshold and the detector response (the flavour mix) do.

    Source ``arrival_time``: ``t`` (us) and one column per flavour (fraction of the signal per
    us; the three integrate to 1 over all times).
    """

    name = "arrival_time"
    default_width = 560
    default_height = 260

    def _build(self):
        from bokeh.models import BoxAnnotation, HoverTool

        fig = new_figure(
            "Arrival time",
            "Time after the beam pulse t [µs]",
            "Signal per µs [1/µs]",
            width=self.width,
            height=self.height,
        )
        t, _ = _time_grid()
        empty = {"t": t, **{f: np.zeros_like(t) for f in FLAVORS}}
        src = self._source("arrival_time", empty)
        self.window_box = BoxAnnotation(
            left=0,
            right=T_MAX_us,
            fill_color=GREEN,
            fill_alpha=0.12,
            line_color=GREEN,
            line_alpha=0.6,
            line_dash="dashed",
            level="underlay",
        )
        fig.add_layout(self.window_box)
        for f in FLAVORS:
            fig.line("t", f, source=src, **flavor_line_style(f))
        fig.add_tools(
            HoverTool(
                tooltips=[
                    ("t", "@t{0.00} µs"),
                    *flavor_tooltips("0.000", "/µs"),
                ],
                mode="vline",
                renderers=fig.renderers[-1:],
            )
        )
        style_legend(fig)
        fig.y_range.start = 0
        fig.x_range.start = 0
        return fig

    def _update(self, result: Result) -> None:
        s = result.scenario
        if not result.source.time_profile:
            return  # a continuous source (a reactor): no arrival times; keep the last figure
        events = _events_without_window(result)
        total = sum(events.values())
        mix = tuple(round(events[f] / total, 12) if total > 0 else 0.0 for f in FLAVORS)
        if self._changed("data", (mix, s.beam_timing)):
            t, pdf = _time_grid(s.beam_timing)
            by = {f: w * pdf[f] for f, w in zip(FLAVORS, mix, strict=True)}
            self._send("arrival_time", {"t": t, **by})
        window = s.time_window_us
        fraction = signal_fraction_in_window(result)
        self.fraction = fraction
        if self._changed("window", (window, fraction)):
            if window is None:
                self._set(self.window_box, left=0.0, right=T_MAX_us)
                text = "Arrival time: no timing cut (all of the signal counted)"
            else:
                lo, hi = window
                self._set(self.window_box, left=float(lo), right=float(min(hi, T_MAX_us)))
                pct = "n/a" if np.isnan(fraction) else f"{100 * fraction:.1f}%"
                text = f"Arrival time: {pct} of the signal in {lo:g}–{hi:g} µs"
            self._set(self.figure.title, text=text)
