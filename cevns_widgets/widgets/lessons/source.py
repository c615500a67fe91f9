"""Notebook 2, the SNS as a neutrino source: decay at rest, pulses, timing and 1/L².

``SourceLesson`` reuses the explorer's pieces on one :class:`ScenarioModel` (the COHERENT
CsI[Na] detector, run for a year at a chosen beam power): the distance, exposure/power and
time-window controls, the readout, the ``FluxFigure`` and the ``ArrivalTimeFigure``. It adds
an events-against-distance figure (the 1/L² law) and a line on the 60 Hz pulse structure:
how much of the time the detector's window is open, and so how much steady background it
lets in (REFERENCE.md sec. 5).
"""

from __future__ import annotations

import ipywidgets as W
import numpy as np

from ...physics.sources import sns
from ...presets import get_preset
from ..controls import DistanceControl, ExposureControl, TimeWindowControl
from ..figures import ArrivalTimeFigure, FluxFigure
from ..figures.timing import signal_fraction_in_window
from ..layout import fluid_row
from ..model import ScenarioModel
from ..readout import Readout, format_events
from ..style import BLUE, add_current_star, style_legend
from ._base import Lesson, safe, sci

__all__ = ["SourceLesson"]

#: Time between SNS pulses (us).
PULSE_PERIOD_us = 1e6 / sns.REPETITION_RATE_Hz
DISTANCES_m = np.geomspace(5.0, 100.0, 60)


class SourceLesson(Lesson):
    """The SNS source seen from a detector: energy spectra, arrival times, distance, power.

    Args:
        days: days of running at the beam power (the power slider changes the exposure).
        preset: the detector (mass, target, response) to count events with.

    Sources: the explorer's ``flux_spectrum`` and ``arrival_time``, plus ``source_distance``
    (``L`` m, ``events``) and ``source_distance_now`` (``L``, ``events``).
    """

    name = "source"

    def __init__(self, days: float = 365.0, preset: str = "coherent-csi-2017"):
        super().__init__()
        detector = get_preset(preset).scenario
        scenario = detector.replace(pot=sns.pot_from_days(days, 1.4, 1.0))
        self.model = ScenarioModel(preset=None, scenario=scenario)
        m = self.model
        self.distance = DistanceControl(m)
        self.exposure = ExposureControl(m)
        self.time_window = TimeWindowControl(m)
        self.readout = Readout(m)
        self.flux = FluxFigure(m, width=360, height=270)
        self.timing = ArrivalTimeFigure(m, width=720, height=250)
        self.beam = W.HTML(layout=W.Layout(width="auto"))
        self.beam.add_class("cevns-lesson-readout")
        self._build_distance_figure()
        self._update()
        m.observe(self._on_result, names="result")
        self.exposure.power.observe(self._on_power, names="value")
        controls = W.VBox(
            [self.distance.widget, self.exposure.widget, self.message],
            layout=W.Layout(width="360px"),
        )
        figures = W.VBox(
            [
                self.time_window.widget,
                self._adopt(self.timing),
                self.beam,
                fluid_row(self._adopt(self.flux), self._view("source_distance")),
            ],
            layout=W.Layout(width="725px"),
        )
        self.widget = self._frame(self.readout.widget, fluid_row(controls, figures))

    def _build_distance_figure(self):
        from bokeh.models import HoverTool

        fig = self._figure(
            "source_distance",
            "Events against distance",
            "Distance L [m]",
            "Expected events [events]",
            width=360,
            height=270,
            x_axis_type="log",
            y_axis_type="log",
        )
        curve = self._source(
            "source_distance", {"L": DISTANCES_m, "events": np.ones_like(DISTANCES_m)}
        )
        fig.line("L", "events", source=curve, color=BLUE, line_width=2.5, legend_label="∝ 1/L²")
        now = self._source("source_distance_now", {"L": np.ones(1), "events": np.ones(1)})
        add_current_star(fig, "L", "events", now, size=20, legend_label="this detector")
        fig.add_tools(HoverTool(tooltips=[("L", "@L{0.0} m"), ("events", "@events{0.0}")]))
        fig.xaxis.ticker = [5, 10, 20, 50, 100]
        style_legend(fig, "top_right")

    @safe
    def _on_result(self, _change):
        self._update()

    @safe
    def _on_power(self, _change):
        self._update_beam()

    def _update(self):
        result = self.model.result
        s = result.scenario
        events = result.events_total
        self.sources["source_distance"].data = {
            "L": DISTANCES_m,
            "events": events * (s.distance_m / DISTANCES_m) ** 2,
        }
        self.sources["source_distance_now"].data = {
            "L": np.array([s.distance_m]),
            "events": np.array([events]),
        }
        self._set(
            self.figures["source_distance"].title,
            text=f"{format_events(events)} events at {s.distance_m:.3g} m",
        )
        self._update_beam()
        self.show_error("")

    def _update_beam(self):
        s = self.model.scenario
        power_MW = float(self.exposure.power.value)
        proton_GeV = float(self.exposure.proton_energy.value)
        pot_per_s = sns.pot_from_days(1.0, power_MW, proton_GeV) / 86400.0
        flux = 3 * sns.fluence_per_cm2(pot_per_s, s.distance_m, s.nu_per_pot)
        window = s.time_window_us
        if window is None:
            open_text = "No timing cut: the detector counts all the time"
            duty = 1.0
        else:
            width = window[1] - window[0]
            duty = width / PULSE_PERIOD_us
            open_text = (
                f"Window {window[0]:g}–{window[1]:g} µs after each pulse: open "
                f"{width:g} µs of every {PULSE_PERIOD_us / 1e3:.1f} ms"
            )
        self.beam.value = (
            '<div style="font-size:15px;line-height:1.35;padding:2px 4px">'
            f"<b>60 pulses per second.</b> {open_text}, a fraction {sci(duty, 2)} of the time: "
            f"steady backgrounds (cosmic rays, radioactivity) shrink by that factor, while "
            f"{100 * signal_fraction_in_window(self.model.result):.1f}% of the signal stays.<br>"
            f"At {power_MW:g} MW ({sci(pot_per_s, 3)} protons/s) and {s.distance_m:.3g} m: "
            f"{sci(flux, 2)} neutrinos per cm² per second (three flavours).</div>"
        )
