"""Quenching factor against recoil energy, one curve per element of the target."""

from __future__ import annotations

import numpy as np

from ...api import Result
from ...physics.response import QUENCHING_LABELS
from ..style import BLUE, GREY, ORANGE, PURPLE, SKY, VERMILION, new_figure, style_legend
from .base import BaseFigure

__all__ = ["QuenchingFigure"]

ELEMENT_COLORS = (VERMILION, BLUE, ORANGE, PURPLE, SKY)


class QuenchingFigure(BaseFigure):
    """QF(T) = E_ee / T for the scenario's quenching model, per element of the target.

    Source ``quenching`` (a multi-line source): ``xs`` (T in keVnr), ``ys`` (QF), ``color``,
    ``label`` (the element), one row per element. For targets with Cs or I the measured
    CsI[Na] quenching factors of the COHERENT 2017 release (TUNL, Chicago) are drawn too.
    """

    name = "quenching"
    default_width = 430
    default_height = 260

    def _build(self):
        from bokeh.models import HoverTool, Range1d

        fig = new_figure(
            "Quenching factor",
            "Recoil energy T [keVnr]",
            "QF [keVee/keVnr]",
            width=self.width,
            height=self.height,
        )
        src = self._source(
            "quenching", {"xs": [np.zeros(2)], "ys": [np.zeros(2)], "color": [BLUE], "label": [""]}
        )
        lines = fig.multi_line(
            "xs", "ys", source=src, line_color="color", line_width=3, legend_field="label"
        )
        # Measured CsI[Na] points (COHERENT 2017 release), shown for targets with Cs or I.
        from ...datasets import load_csi_quenching_measurements

        meas = load_csi_quenching_measurements()
        self._measured = []
        for points, marker in ((meas.tunl, "circle"), (meas.chicago, "square")):
            data = self._source(
                f"quenching_{points.label.lower()}",
                {
                    "T": np.asarray(points.recoil_keVnr),
                    "qf": np.asarray(points.qf),
                    "lo": np.asarray(points.qf - points.qf_err_low),
                    "hi": np.asarray(points.qf + points.qf_err_high),
                },
            )
            bars = fig.segment(
                x0="T", y0="lo", x1="T", y1="hi", source=data, color=GREY, visible=False
            )
            dots = fig.scatter(
                "T",
                "qf",
                source=data,
                marker=marker,
                size=8,
                color=GREY,
                visible=False,
                legend_label=f"CsI[Na] data ({points.label})",
            )
            self._measured += [bars, dots]
        fig.add_tools(
            HoverTool(
                renderers=[lines],
                tooltips=[("element", "@label"), ("T", "$x{0.0} keVnr"), ("QF", "$y{0.000}")],
            )
        )
        style_legend(fig, "top_left")
        measured = set(self._measured)
        self._measured_items = [
            item for item in fig.legend[0].items if set(item.renderers) & measured
        ]
        fig.y_range = Range1d(0, 1)
        fig.x_range.start = 0
        return fig

    def _update(self, result: Result) -> None:
        s = result.scenario
        response = s.response
        key = (
            s.target,
            s.source,
            response.quenching,
            response.quenching_factor,
            response.lindhard_k,
        )
        if not self._changed("data", key):
            return
        rs = result.recoil  # the source's own recoil range: a few keVnr at a reactor
        t_max = float(rs.T_keV[-1])
        T = np.linspace(min(0.2, 0.02 * t_max), t_max, 200)
        xs, ys, colors, labels = [], [], [], []
        for i, (z, a, label) in enumerate(
            zip(rs.element_Z, rs.element_A, rs.element_labels, strict=True)
        ):
            xs.append(T)
            ys.append(np.asarray(response.quenching_factor_curve(T, z, a), dtype=float))
            colors.append(ELEMENT_COLORS[i % len(ELEMENT_COLORS)])
            labels.append(label)
        self.sources["quenching"].data = {"xs": xs, "ys": ys, "color": colors, "label": labels}
        show_data = bool(set(rs.element_labels) & {"Cs", "I"})
        for r in (*self._measured, *self._measured_items):
            self._set(r, visible=show_data)
        top = max(float(np.nanmax(y)) for y in ys)
        if show_data:
            top = max(top, 0.13)
        self._set(self.figure.y_range, start=0.0, end=min(1.05, 1.45 * top) if top > 0 else 1.0)
        self._set(self.figure.title, text=f"Quenching: {QUENCHING_LABELS[response.quenching]}")
