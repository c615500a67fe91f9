"""Quenching factor against recoil energy, one curve per element of the target."""

from __future__ import annotations

import numpy as np

from ...api import Result
from ...physics.rates import recoil_spectra
from ...physics.response import QUENCHING_LABELS
from ..style import BLUE, ORANGE, PURPLE, SKY, VERMILION, new_figure, style_legend
from .base import BaseFigure

__all__ = ["QuenchingFigure"]

ELEMENT_COLORS = (VERMILION, BLUE, ORANGE, PURPLE, SKY)


class QuenchingFigure(BaseFigure):
    """QF(T) = E_ee / T for the scenario's quenching model, per element of the target.

    Source ``quenching`` (a multi-line source): ``xs`` (T in keVnr), ``ys`` (QF), ``color``,
    ``label`` (the element), one row per element.
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
        fig.add_tools(
            HoverTool(
                renderers=[lines],
                tooltips=[("element", "@label"), ("T", "$x{0.0} keVnr"), ("QF", "$y{0.000}")],
            )
        )
        style_legend(fig, "bottom_right")
        fig.y_range = Range1d(0, 1)
        fig.x_range.start = 0
        return fig

    def _update(self, result: Result) -> None:
        s = result.scenario
        response = s.response
        key = (s.target, response.quenching, response.quenching_factor, response.lindhard_k)
        if not self._changed("data", key):
            return
        rs = recoil_spectra(s.target, s.physics, None)
        T = np.linspace(0.2, float(rs.T_keV[-1]), 200)
        xs, ys, colors, labels = [], [], [], []
        for i, (z, a, label) in enumerate(
            zip(rs.element_Z, rs.element_A, rs.element_labels, strict=True)
        ):
            xs.append(T)
            ys.append(np.asarray(response.quenching_factor_curve(T, z, a), dtype=float))
            colors.append(ELEMENT_COLORS[i % len(ELEMENT_COLORS)])
            labels.append(label)
        self.sources["quenching"].data = {"xs": xs, "ys": ys, "color": colors, "label": labels}
        top = max(float(np.nanmax(y)) for y in ys)
        self._set(self.figure.y_range, start=0.0, end=min(1.05, 1.3 * top) if top > 0 else 1.0)
        self._set(self.figure.title, text=f"Quenching: {QUENCHING_LABELS[response.quenching]}")
