"""Notebook 3, seeing a keV recoil: quenching, light yield, photoelectrons, efficiency.

``DetectionLesson`` follows a recoil through the CsI[Na] detector of COHERENT 2017 (data
release arXiv:1804.09459): a nuclear recoil of T keVnr gives QF x T keVee of scintillation
(quenching), that gives on average LY x QF x T photoelectrons (light yield), the actual
number is Poisson, and the analysis keeps an event with the measured acceptance above the
threshold. Controls: the explorer's quenching and threshold controls, a light-yield slider,
an efficiency switch (measured 2017 acceptance or perfect) and the size of one example
recoil. Figures: the photoelectron distribution of that one recoil, the explorer's recoil and
observed spectra, and events against threshold; the explorer's readout on top.
"""

from __future__ import annotations

import ipywidgets as W
import numpy as np
from scipy import stats

from ...physics.nuclei import make_target
from ...physics.response import efficiency_curve
from ..controls import Control, QuenchingControl, ThresholdControl, row_label
from ..figures import ObservedSpectrumFigure, RecoilSpectrumFigure, ThresholdScanFigure
from ..layout import fluid_row
from ..model import ScenarioModel
from ..readout import Readout
from ..style import BLUE, SHADE_COLOR, VERMILION, style_legend
from ._base import FieldSlider, Lesson, safe, slider

__all__ = ["DetectionLesson", "EfficiencyControl"]

N_PE_MAX = 60


class EfficiencyControl(Control):
    """Switch between the measured CsI[Na] 2017 acceptance and a perfect (100%) one."""

    name = "efficiency"
    fields = ("efficiency",)
    OPTIONS = (("measured 2017", "csi-2017"), ("perfect (100%)", "none"))

    def _build(self):
        self.toggle = W.ToggleButtons(
            options=self.OPTIONS,
            style={"button_width": "130px"},
            tooltip="Acceptance of the analysis: the measured curve "
            "of the 2017 data release, or every event kept",
        )
        self.toggle.observe(self._on_pick, names="value")
        return [W.HBox([row_label("Efficiency"), self.toggle])]

    def _on_pick(self, change):
        if not self._syncing:
            self._apply(efficiency=change["new"])

    def sync(self, scenario):
        if scenario.efficiency in dict((v, k) for k, v in self.OPTIONS):
            self.toggle.value = scenario.efficiency


class DetectionLesson(Lesson):
    """From a keVnr recoil to counted photoelectrons, on the COHERENT CsI[Na] 2017 detector.

    Sources: ``detect_one_recoil`` (``n`` PE, ``produced`` and ``counted`` probabilities) and
    the explorer figures' ``recoil_spectrum``, ``observed_spectrum``, ``events_vs_threshold``
    and ``threshold_marker``.
    """

    name = "detection"

    def __init__(self, preset: str = "coherent-csi-2017", recoil_keVnr: float = 10.0):
        super().__init__()
        self.model = m = ScenarioModel(preset)
        self.quenching = QuenchingControl(m)
        self.light_yield = FieldSlider(
            m,
            "light_yield_PE_per_keVee",
            "Yield [PE/keVee]",
            low=1.0,
            high=30.0,
            step=0.1,
            fmt=".1f",
            tooltip="Photoelectrons per keV of electron-equivalent energy (CsI[Na] 2017: 13.348)",
            when_none="no light yield: this detector records keVee or keVnr; move the slider "
            "to count photoelectrons",
        )
        self.efficiency = EfficiencyControl(m)
        self.threshold = ThresholdControl(m)
        self.reset = self._reset_button(
            "back to COHERENT 2017",
            "Put every control back to the 2017 detector",
            W.Layout(width="220px", margin="2px 0 2px 142px"),
        )
        self._preset = preset
        self.recoil = slider(
            "Recoil T [keVnr]",
            recoil_keVnr,
            1.0,
            40.0,
            0.5,
            fmt=".1f",
            tooltip="Follow one nuclear recoil of this energy through the detector",
            css="cevns-one-recoil",
        )
        self.readout = Readout(m)
        self.recoil_figure = RecoilSpectrumFigure(m, width=540, height=270)
        self.observed = ObservedSpectrumFigure(m, width=540, height=270)
        self.scan = ThresholdScanFigure(m, width=540, height=270)
        self._build_figure()
        self._update()
        m.observe(self._on_change, names="result")
        self.recoil.observe(self._on_change, names="value")
        left = W.VBox(
            [self.quenching.widget, self.light_yield.widget, self.reset],
            layout=W.Layout(width="540px"),
        )
        right = W.VBox(
            [self.efficiency.widget, self.threshold.widget, self.recoil, self.message],
            layout=W.Layout(width="540px"),
        )
        self.widget = self._frame(
            self.readout.widget,
            fluid_row(left, right),
            fluid_row(self._view("detect_one_recoil"), self._adopt(self.observed)),
            fluid_row(self._adopt(self.recoil_figure), self._adopt(self.scan)),
        )

    def _build_figure(self):
        from bokeh.models import HoverTool, Span

        fig = self._figure(
            "detect_one_recoil",
            "One recoil",
            "Detected light n [PE]",
            "Probability [per recoil]",
            width=540,
            height=270,
        )
        n = np.arange(N_PE_MAX + 1, dtype=float)
        src = self._source(
            "detect_one_recoil", {"n": n, "produced": np.zeros_like(n), "counted": np.zeros_like(n)}
        )
        fig.vbar(
            x="n",
            top="produced",
            source=src,
            width=0.9,
            color=SHADE_COLOR,
            alpha=0.45,
            legend_label="photoelectrons (Poisson)",
        )
        counted = fig.vbar(
            x="n",
            top="counted",
            source=src,
            width=0.9,
            color=BLUE,
            legend_label="counted (efficiency × cuts)",
        )
        self.mean_span = Span(
            location=0, dimension="height", line_color=VERMILION, line_width=2, line_dash="dashed"
        )
        fig.add_layout(self.mean_span)
        fig.add_tools(
            HoverTool(
                renderers=[counted],
                tooltips=[
                    ("n", "@n PE"),
                    ("produced", "@produced{0.000}"),
                    ("counted", "@counted{0.000}"),
                ],
            )
        )
        style_legend(fig, "top_right")
        fig.x_range.start = -0.5
        fig.x_range.end = N_PE_MAX + 0.5
        fig.y_range.start = 0

    @safe
    def _on_reset(self, _button):
        if not self.model.load_preset(self._preset):
            self.show_error(self.model.error)

    @safe
    def _on_change(self, _change):
        self._update()

    def one_recoil(self) -> dict:
        """Photoelectrons of one recoil of ``recoil.value`` keVnr in the heaviest element."""
        result = self.model.result
        s = result.scenario
        T = float(self.recoil.value)
        heavy = max(make_target(s.target).isotopes, key=lambda i: i.Z)
        response = s.response
        e_ee = float(response.electron_equivalent_keV(T, heavy.Z, heavy.A))
        out = {"T": T, "e_ee": e_ee, "element": heavy.symbol, "observable": result.observable}
        if result.observable != "PE":
            return out
        mean = float(response.mean_observable(T, heavy.Z, heavy.A))
        n = np.arange(max(N_PE_MAX, int(mean + 5 * np.sqrt(mean) + 5)) + 1, dtype=float)
        produced = stats.poisson.pmf(n, mean)
        keep = (n >= result.threshold_observable) & (
            n < (s.roi_max if s.roi_max is not None else np.inf)
        )
        counted = produced * efficiency_curve(s.efficiency, n) * keep
        out.update(
            mean=mean,
            n=n,
            produced=produced,
            counted=counted,
            fraction=float(counted.sum()) / max(float(produced.sum()), 1e-300),
        )
        return out

    def _update(self):
        one = self.one_recoil()
        fig = self.figures["detect_one_recoil"]
        if one["observable"] != "PE":
            n = self.data("detect_one_recoil")["n"]
            self.sources["detect_one_recoil"].data = {
                "n": n,
                "produced": np.zeros_like(n),
                "counted": np.zeros_like(n),
            }
            self._set(
                fig.title,
                text=f"One {one['T']:g} keVnr recoil: {one['e_ee']:.3g} "
                f"keVee, but no light yield: no PE",
            )
            self.show_info("Choose a quenching model and a light yield to count photoelectrons.")
            return
        self.sources["detect_one_recoil"].data = {
            "n": one["n"],
            "produced": one["produced"],
            "counted": one["counted"],
        }
        self._set(self.mean_span, location=one["mean"])
        self._set(fig.x_range, end=float(one["n"][-1]) + 0.5)
        self._set(
            fig.title,
            text=(
                f"One {one['T']:g} keVnr {one['element']} recoil: {one['e_ee']:.2g} keVee, "
                f"{one['mean']:.1f} PE, counted {100 * one['fraction']:.0f}%"
            ),
        )
        self.show_error("")
