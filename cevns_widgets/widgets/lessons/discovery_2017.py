"""Notebook 4, the 2017 discovery from the released data (Science 357 (2017) 1123, Fig. 3).

``DiscoveryLesson`` subtracts the anti-coincidence window (the 12 µs before each beam
trigger: background only) from the coincidence window (the 12 µs after it) of the released
CsI[Na] beam-on histograms, and lays the Standard Model prediction of
:func:`cevns_widgets.discovery.compare_with_data` over the residual, in photoelectrons and in
arrival time. Sliders set the PE window and the time window (snapped to the data's 2 PE and
0.5 µs bins) and the quenching factor of the prediction; a switch shows the beam-off control
sample. The readout counts the excess, gives a simple significance and the paper's fitted
134 ± 22 events (6.7σ) for comparison; a table gives the published uncertainty budget.

Data: COHERENT, Science 357 (2017) 1123, arXiv:1708.01294; data release arXiv:1804.09459,
doi:10.5281/zenodo.1228631.
"""

from __future__ import annotations

import math

import ipywidgets as W
import numpy as np

from ...datasets import (
    CSI_2017_ANALYSIS_PE_RANGE,
    CSI_2017_ANALYSIS_TIME_RANGE_US,
    CSI_2017_PUBLISHED_EXCESS,
    CSI_2017_PUBLISHED_EXCESS_ERR,
    CSI_2017_PUBLISHED_SIGNIFICANCE,
    CsI2017Data,
    Residual,
    load_csi_2017,
)
from ...discovery import compare_with_data
from ...physics.sources.sns import FLAVOR_LABELS, FLAVORS
from ...presets import get_preset
from ...scenario import Scenario
from ..layout import fluid_row
from ..readout import format_events
from ..style import BLACK, FLAVOR_COLORS, PURPLE, SHADE_COLOR, style_legend
from ._base import Lesson, html_table, safe, slider, table_widget

__all__ = ["DiscoveryLesson", "subtraction_table"]

PE_STEP = 2.0
TIME_STEP_us = 0.5
PE_FULL = (0.0, 50.0)
TIME_FULL_us = (0.0, 12.0)
#: Stacking order of the prediction, bottom to top, with colours and legend labels.
STACK = ("neutrons", *FLAVORS)
STACK_COLORS = {"neutrons": PURPLE, **FLAVOR_COLORS}
STACK_LABELS = {"neutrons": "prompt neutrons", **{f: f"CEvNS {FLAVOR_LABELS[f]}" for f in FLAVORS}}
#: Each layer of the stack has a pattern too: told apart in greyscale, on a washed-out
#: projector and by colour-blind readers.
STACK_HATCHES = {
    "neutrons": "x",
    "prompt_numu": " ",
    "delayed_nue": "/",
    "delayed_numubar": "\\",
}
_BUDGET_NAMES = {
    "flux": "neutrino flux",
    "quenching": "quenching factor",
    "form_factor": "nuclear form factor",
    "selection": "event selection",
}


def snap(value: float, step: float, low: float, high: float) -> float:
    """``value`` rounded to the nearest multiple of ``step`` inside [low, high]."""
    return float(min(max(round(value / step) * step, low), high))


def subtraction_table(
    data: CsI2017Data | None = None,
    pe_range=CSI_2017_ANALYSIS_PE_RANGE,
    time_range_us=CSI_2017_ANALYSIS_TIME_RANGE_US,
):
    """The counting behind the discovery as an HTML widget: coincidence C, anti-coincidence A
    and C - A ± sqrt(C + A), beam on and beam off, in one region of the released data."""
    data = data or load_csi_2017()
    rows = []
    for beam in ("on", "off"):
        r = data.residual(beam, pe_range=pe_range, time_range_us=time_range_us)
        live = data.beam_on_live_days if beam == "on" else data.beam_off_live_days
        rows.append(
            [
                f"beam {beam} ({live:g} live days)",
                f"{r.coincidence}",
                f"{r.anticoincidence}",
                f"<b>{r.excess:+d} ± {r.excess_err:.0f}</b>",
            ]
        )
    lo, hi = pe_range
    t0, t1 = time_range_us
    table = html_table(
        ["", "C: 12 µs after the trigger", "A: 12 µs before", "excess C − A ± √(C + A)"],
        rows,
        caption=f"CsI[Na] 2017 data, {lo:g} ≤ PE &lt; {hi:g}, {t0:g}–{t1:g} µs",
    )
    return table_widget(table, "cevns-subtraction-table")


class DiscoveryLesson(Lesson):
    """The beam-on excess of COHERENT CsI[Na] 2017 against the Standard Model prediction.

    Args:
        scenario: the prediction's scenario (default: the ``coherent-csi-2017`` preset).

    Sources (per bin; ``x`` is the bin centre): ``discovery_pe_data`` and
    ``discovery_time_data`` (``x``, ``y`` = C - A, ``lower``, ``upper`` = y ∓ sqrt(C + A)),
    ``discovery_pe_prediction`` and ``discovery_time_prediction`` (``x``, ``neutrons``, one
    column per flavour, ``total``).
    """

    name = "discovery"

    def __init__(self, scenario: Scenario | None = None):
        super().__init__()
        self.scenario = scenario or get_preset("coherent-csi-2017").scenario
        self.reference_qf = self.scenario.quenching_factor
        self.data_set = load_csi_2017()
        self.pe_window = slider(
            "PE window [PE]",
            CSI_2017_ANALYSIS_PE_RANGE,
            *PE_FULL,
            PE_STEP,
            fmt=".0f",
            kind=W.FloatRangeSlider,
            width="470px",
            css="cevns-pe-window",
            tooltip="Count events with this many photoelectrons (2 PE bins of the data)",
        )
        self.time_window = slider(
            "Time window [µs]",
            CSI_2017_ANALYSIS_TIME_RANGE_US,
            *TIME_FULL_us,
            TIME_STEP_us,
            fmt=".1f",
            kind=W.FloatRangeSlider,
            width="470px",
            css="cevns-time-window",
            tooltip="Count events arriving this long after the beam trigger (0.5 µs bins)",
        )
        self.qf = slider(
            "QF [keVee/keVnr]",
            self.reference_qf,
            0.05,
            0.13,
            0.0001,
            fmt=".4f",
            width="470px",
            css="cevns-quenching-factor",
            tooltip="Light of a nuclear recoil relative to an electron of the same energy; "
            "measured 0.0878 ± 0.0166. Changes the prediction, not the data",
        )
        self.beam = W.ToggleButtons(
            options=[("beam on", "on"), ("beam off (control)", "off")],
            value="on",
            style={"button_width": "150px"},
            tooltip="Beam-off data: the same subtraction with no neutrinos, which should give zero",
        )
        self.beam.add_class("cevns-beam")
        self.readout = W.HTML(layout=W.Layout(width="590px"))
        self.readout.add_class("cevns-lesson-readout")
        self.budget = W.HTML(layout=W.Layout(width="auto"))
        self.budget.add_class("cevns-budget")
        self._build_figures()
        self._update()
        for w in (self.pe_window, self.time_window, self.qf, self.beam):
            w.observe(self._on_change, names="value")
        controls = W.VBox(
            [
                self.pe_window,
                self.time_window,
                self.qf,
                W.HBox(
                    [
                        W.HTML(
                            '<div style="width:138px;text-align:right;padding-right:8px">Data</div>'
                        ),
                        self.beam,
                    ]
                ),
                self.message,
            ],
            layout=W.Layout(width="490px"),
        )
        self.widget = self._frame(
            fluid_row(controls, self.readout),
            fluid_row(self._view("discovery_pe"), self._view("discovery_time")),
            self.budget,
        )

    # --- figures ------------------------------------------------------------------------
    def _build_figures(self):
        from bokeh.models import BoxAnnotation, HoverTool, Span, TeeHead, Whisker

        specs = {
            "discovery_pe": ("Detected light [PE]", "Events per 2 PE [events]", PE_STEP),
            "discovery_time": (
                "Arrival time after the beam trigger t [µs]",
                "Events per 0.5 µs [events]",
                TIME_STEP_us,
            ),
        }
        self.shades = {}
        for name, (x_label, y_label, width) in specs.items():
            fig = self._figure(name, "", x_label, y_label, width=540, height=330)
            empty = {"x": np.zeros(0), "total": np.zeros(0), **{k: np.zeros(0) for k in STACK}}
            pred = self._source(f"{name}_prediction", empty)
            bars = fig.vbar_stack(
                list(STACK),
                x="x",
                width=0.96 * width,
                source=pred,
                color=[STACK_COLORS[k] for k in STACK],
                alpha=0.55,
                line_color="white",
                line_width=0.5,
                hatch_pattern=[STACK_HATCHES[k] for k in STACK],
                hatch_color=BLACK,
                hatch_alpha=0.45,
                hatch_scale=9,
                legend_label=[STACK_LABELS[k] for k in STACK],
            )
            data = self._source(
                f"{name}_data",
                {"x": np.zeros(0), "y": np.zeros(0), "lower": np.zeros(0), "upper": np.zeros(0)},
            )
            fig.add_layout(
                Whisker(
                    source=data,
                    base="x",
                    lower="lower",
                    upper="upper",
                    line_color=BLACK,
                    line_width=1.5,
                    upper_head=TeeHead(size=6, line_color=BLACK),
                    lower_head=TeeHead(size=6, line_color=BLACK),
                )
            )
            dots = fig.scatter(
                "x", "y", source=data, size=8, color=BLACK, legend_label="data: C − A"
            )
            fig.add_layout(Span(location=0, dimension="width", line_color="#888888", line_width=1))
            left = BoxAnnotation(
                right=0, fill_color=SHADE_COLOR, fill_alpha=0.22, line_alpha=0, level="underlay"
            )
            right = BoxAnnotation(
                left=1e9, fill_color=SHADE_COLOR, fill_alpha=0.22, line_alpha=0, level="underlay"
            )
            fig.add_layout(left)
            fig.add_layout(right)
            self.shades[name] = (left, right)
            unit = "PE" if name == "discovery_pe" else "µs"
            fig.add_tools(
                HoverTool(
                    renderers=[dots],
                    tooltips=[
                        ("bin centre", f"@x{{0.0}} {unit}"),
                        ("C − A", "@y"),
                        ("error", "@lower{0} to @upper{0}"),
                    ],
                )
            )
            fig.add_tools(
                HoverTool(
                    renderers=bars[-1:],
                    tooltips=[("bin centre", f"@x{{0.0}} {unit}"), ("prediction", "@total{0.0}")],
                )
            )
            style_legend(fig, "top_right")
            fig.x_range.start = PE_FULL[0] if name == "discovery_pe" else TIME_FULL_us[0]
            fig.x_range.end = PE_FULL[1] if name == "discovery_pe" else TIME_FULL_us[1]

    # --- state --------------------------------------------------------------------------
    @property
    def pe_range(self) -> tuple[float, float]:
        lo, hi = self.pe_window.value
        return snap(lo, PE_STEP, *PE_FULL), snap(hi, PE_STEP, *PE_FULL)

    @property
    def time_range_us(self) -> tuple[float, float]:
        lo, hi = self.time_window.value
        return snap(lo, TIME_STEP_us, *TIME_FULL_us), snap(hi, TIME_STEP_us, *TIME_FULL_us)

    def prediction_scenario(self) -> Scenario:
        return self.scenario.replace(quenching_factor=round(float(self.qf.value), 4))

    def summary(self) -> dict:
        """Counts in the current windows: the residual, the prediction, the paper's numbers."""
        pe, tw = self.pe_range, self.time_range_us
        scenario = self.prediction_scenario()
        window = compare_with_data(scenario, pe_range=pe, time_range_us=tw)
        reference = compare_with_data(
            self.scenario.replace(quenching_factor=self.reference_qf), pe_range=pe, time_range_us=tw
        )
        off = self.data_set.residual("off", pe_range=pe, time_range_us=tw)
        return {
            "pe_range": pe,
            "time_range_us": tw,
            "on": window.residual,
            "off": off,
            "cevns": window.cevns_total,
            "neutrons": window.neutrons_total,
            "predicted": window.predicted_total,
            "cevns_reference": reference.cevns_total,
        }

    # --- updates ------------------------------------------------------------------------
    @safe
    def _on_change(self, _change):
        self._update()

    def _fill(self, name: str, comparison, residual: Residual, beam_on: bool):
        if name == "discovery_pe":
            x, y, err = residual.pe_centers, residual.pe_excess, residual.pe_excess_err
            parts = {"neutrons": comparison.neutrons_pe, **comparison.cevns_pe}
        else:
            x, y = residual.time_centers_us, residual.time_excess
            err = residual.time_excess_err
            parts = {"neutrons": comparison.neutrons_time, **comparison.cevns_time}
        if not beam_on:
            parts = {k: np.zeros_like(v) for k, v in parts.items()}
        y = np.asarray(y, dtype=float)
        self.sources[f"{name}_data"].data = {
            "x": np.asarray(x, dtype=float),
            "y": y,
            "lower": y - err,
            "upper": y + err,
        }
        total = sum(parts.values())
        self.sources[f"{name}_prediction"].data = {
            "x": np.asarray(x, dtype=float),
            "total": total,
            **parts,
        }
        fig = self.figures[name]
        low = float(min(0.0, np.min(y - err)))
        high = float(max(np.max(y + err), np.max(total) if total.size else 0.0))
        pad = 0.08 * (high - low)
        self._set(fig.y_range, start=low - pad, end=high + 5 * pad)  # room for the legend

    def _update(self):
        pe, tw = self.pe_range, self.time_range_us
        if pe[1] <= pe[0] or tw[1] <= tw[0]:
            raise ValueError("each window must be at least one bin wide (2 PE, 0.5 µs)")
        scenario = self.prediction_scenario()
        beam_on = self.beam.value == "on"
        beam = self.beam.value
        by_pe = compare_with_data(scenario, pe_range=PE_FULL, time_range_us=tw)
        by_time = compare_with_data(scenario, pe_range=pe, time_range_us=TIME_FULL_us)
        res_pe = (
            by_pe.residual
            if beam_on
            else self.data_set.residual(beam, pe_range=PE_FULL, time_range_us=tw)
        )
        res_time = (
            by_time.residual
            if beam_on
            else self.data_set.residual(beam, pe_range=pe, time_range_us=TIME_FULL_us)
        )
        self._fill("discovery_pe", by_pe, res_pe, beam_on)
        self._fill("discovery_time", by_time, res_time, beam_on)
        for name, (lo, hi) in (("discovery_pe", pe), ("discovery_time", tw)):
            left, right = self.shades[name]
            self._set(left, right=lo)
            self._set(right, left=hi)
        label = "beam on" if beam_on else "beam off (no neutrinos: C − A should be ≈ 0)"
        self._set(
            self.figures["discovery_pe"].title,
            text=f"Residual against light, {tw[0]:g}–{tw[1]:g} µs, {label}",
        )
        self._set(
            self.figures["discovery_time"].title,
            text=f"Residual against time, {pe[0]:g}–{pe[1]:g} PE, {label}",
        )
        s = self.summary()
        self.readout.value = self._readout_html(s)
        self.budget.value = self._budget_html(s)
        self.show_error("")

    def _readout_html(self, s: dict) -> str:
        on, off = s["on"], s["off"]
        lo, hi = s["pe_range"]
        t0, t1 = s["time_range_us"]
        sig = on.significance
        sig_text = "n/a" if math.isnan(sig) else f"{sig:.1f}σ"
        pub = (
            f"{CSI_2017_PUBLISHED_EXCESS:g} ± {CSI_2017_PUBLISHED_EXCESS_ERR:g} CEvNS events, "
            f"{CSI_2017_PUBLISHED_SIGNIFICANCE:g}σ"
        )
        return (
            '<div style="line-height:1.3;padding:2px 6px">'
            f'<div style="font-size:15px">Beam on, {lo:g} ≤ PE &lt; {hi:g}, {t0:g}–{t1:g} µs: '
            f"C − A = {on.coincidence} − {on.anticoincidence}</div>"
            '<div><span class="cevns-excess" style="font-size:38px;font-weight:700">'
            f"{on.excess:+d}</span>"
            f'<span style="font-size:26px;font-weight:600"> ± {on.excess_err:.0f}</span>'
            '<span style="font-size:16px"> events above background</span></div>'
            f'<div style="font-size:15px">Simple significance (C − A)/√(2A): '
            f'<b class="cevns-significance">{sig_text}</b></div>'
            f'<div style="font-size:15px">Beam off (control): {off.excess:+d} ± '
            f"{off.excess_err:.0f}</div>"
            f'<div style="font-size:15px">Standard Model: <b class="cevns-predicted">'
            f"{format_events(s['predicted'])}</b> = {format_events(s['cevns'])} CEvNS + "
            f"{format_events(s['neutrons'])} prompt neutrons</div>"
            f'<div style="font-size:15px;color:#1f4e79">Paper (likelihood fit, 6–30 PE, '
            f"0–12 µs): {pub}</div></div>"
        )

    def _budget_html(self, s: dict) -> str:
        cevns = s["cevns"]
        budget = get_preset("coherent-csi-2017").uncertainty["components"]
        rows = [
            [_BUDGET_NAMES[k], f"{100 * v:.0f}%", f"± {v * cevns:.0f}"] for k, v in budget.items()
        ]
        total = math.sqrt(sum(v**2 for v in budget.values()))
        shift = s["cevns"] / s["cevns_reference"] - 1 if s["cevns_reference"] > 0 else 0.0
        qf_note = (
            f"Your quenching factor {self.qf.value:.4f} moves the prediction by "
            f"{100 * shift:+.0f}% from {self.reference_qf:g}."
            if abs(shift) > 5e-4
            else "Drag the quenching factor between 0.071 and 0.104 (± 1σ) to see "
            "its line of the budget move the prediction."
        )
        table = html_table(
            ["source of uncertainty", "fraction", f"events (of {format_events(cevns)})"],
            rows,
            total=["total (in quadrature)", f"{100 * total:.0f}%", f"± {total * cevns:.0f}"],
            caption="Uncertainty budget of the prediction (Science 2017)",
        )
        stat = s["on"].excess_err
        return (
            '<div style="display:flex;gap:28px;align-items:flex-start;font-size:14px">'
            f"<div>{table}</div>"
            '<div style="max-width:470px;line-height:1.35;padding-top:22px">'
            f"{qf_note}<br>The data's own statistical error here is ± {stat:.0f} events "
            "(√(C + A)): the measurement and the prediction are each uncertain by about a "
            "quarter.</div></div>"
        )
