"""Events above threshold as a function of the threshold, the current one marked."""

from __future__ import annotations

import numpy as np

from ...api import Result
from ..style import HIGHLIGHT_COLOR, TOTAL_COLOR, new_figure
from .base import BaseFigure
from .spectra import spectrum_key

__all__ = ["ThresholdScanFigure"]

N_POINTS = 301


def _x_max(result: Result) -> float:
    """Where the scan ends: the analysis window's end, else where 99.99% of events are below."""
    s = result.scenario
    if s.roi_max is not None:
        return float(s.roi_max)
    ob = result.observed
    tail = sum(ob.tail[f] for f in result.components)
    if tail.size == 0 or tail[0] <= 0:
        return float(ob.nodes[-1])
    idx = int(np.argmax(tail < 1e-4 * tail[0])) if np.any(tail < 1e-4 * tail[0]) else -1
    return float(ob.nodes[idx]) if idx > 0 else float(ob.nodes[-1])


class ThresholdScanFigure(BaseFigure):
    """Events above threshold (over the exposure) vs threshold, in the detector's observable.

    Sources: ``events_vs_threshold`` (``x``, ``total``) and ``threshold_marker`` (``x`` = the
    current threshold, ``y`` = events above it; plain lists).
    """

    name = "threshold_scan"
    default_width = 330
    default_height = 310

    def _build(self):
        from bokeh.models import BasicTickFormatter, HoverTool

        fig = new_figure(
            "Events vs threshold (● now)",
            "Threshold [PE]",
            "Events above threshold [events]",
            width=self.width,
            height=self.height,
        )
        src = self._source("events_vs_threshold", {"x": np.zeros(0), "total": np.zeros(0)})
        total = fig.line("x", "total", source=src, line_width=3, color=TOTAL_COLOR)
        marker = self._source("threshold_marker", {"x": [0.0], "y": [0.0], "y0": [0.0]})
        # the drop line comes from the same source as the dot: one change event moves both
        fig.segment(
            x0="x",
            y0="y0",
            x1="x",
            y1="y",
            source=marker,
            line_color=HIGHLIGHT_COLOR,
            line_width=2,
            line_dash="dotted",
        )
        dot = fig.scatter(
            "x",
            "y",
            source=marker,
            size=13,
            color=HIGHLIGHT_COLOR,
            line_color="white",
            line_width=1.5,
        )
        self.hover = HoverTool(
            renderers=[total, dot],
            tooltips=[
                ("threshold", "@x{0.00} (x-axis unit)"),
                ("events above", "@total{0.0}"),
                ("now", "@y{0.0}"),
            ],
            mode="mouse",
        )
        fig.add_tools(self.hover)
        fig.y_range.start = 0
        # plain numbers up to a million events (a supernova next door: ~1e5 per tonne)
        fig.yaxis.formatter = BasicTickFormatter(power_limit_high=6)
        return fig

    def _update(self, result: Result) -> None:
        s = result.scenario
        if self._changed("data", spectrum_key(result, s.response, s.roi_max)):
            x = np.linspace(0.0, _x_max(result), N_POINTS)
            scan = result.events_vs_threshold(x)
            self._send("events_vs_threshold", {"x": x, "total": scan["total"]})
        obs = result.observable
        if self._changed("observable", obs):
            self.figure.xaxis[0].axis_label = f"Threshold [{obs}]"
        thr, events = float(result.threshold_observable), float(result.events_total)
        if self._changed("marker", (thr, events)):
            # two numbers: plain lists travel inline, numpy arrays as extra binary messages
            self.sources["threshold_marker"].data = {"x": [thr], "y": [events], "y0": [0.0]}
