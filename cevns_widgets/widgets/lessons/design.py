"""Notebook 5, N² across targets and a what-if detector designer.

``DesignerLesson`` binds the explorer's preset, target, threshold, distance, mass and exposure
controls, its readout, ``NSquaredFigure`` and ``ThresholdScanFigure`` to one
:class:`ScenarioModel`, and adds a bar chart: the events each COHERENT target (CsI, Ge, Ar,
NaI, Xe) would give in the same design (mass, distance, exposure and recoil threshold in
keVnr, every recoil above it counted). ``published_table`` sets this library's predictions for
the two COHERENT presets next to the published numbers.
"""

from __future__ import annotations

import html
import math

import ipywidgets as W
import numpy as np

from ...api import evaluate, expected_events
from ...physics.nuclei import make_target
from ...physics.sources import sns
from ...presets import get_preset
from ...scenario import Scenario
from ..controls import (
    DistanceControl,
    ExposureControl,
    MassControl,
    PresetControl,
    TargetControl,
    ThresholdControl,
)
from ..figures import NSquaredFigure, ThresholdScanFigure
from ..layout import fluid_row
from ..model import ScenarioModel
from ..readout import Readout, format_events, published_text
from ..units import threshold_keVnr
from ._base import Lesson, html_table, safe, table_widget
from .cross_section import COMPARISON_TARGETS

__all__ = ["DesignerLesson", "PUBLISHED", "design_events", "published_table"]

#: The COHERENT presets ``published_table`` compares by default.
PUBLISHED = ("coherent-csi-2017", "coherent-csi-2021", "coherent-lar-2020", "coherent-ge-2024")
#: The bar label of a target with no recoil above the threshold (its T_max is lower).
NO_EVENTS_LABEL = "0 events above threshold"
#: Bars shorter than this fraction of the axis are drawn as a sliver of their colour.
MIN_BAR_FRACTION = 0.015


def design_events(scenario: Scenario, targets=tuple(COMPARISON_TARGETS)) -> dict[str, float]:
    """Events each target would give in ``scenario``'s design: same mass, distance, exposure
    and physics, a bare recoil counter above the scenario's threshold in keVnr."""
    t_nr = threshold_keVnr(scenario)
    bare = Scenario(
        mass_kg=scenario.mass_kg,
        distance_m=scenario.distance_m,
        pot=scenario.pot,
        nu_per_pot=scenario.nu_per_pot,
        threshold=round(t_nr, 4),
        threshold_unit="keVnr",
        form_factor=scenario.form_factor,
    )
    return {t: evaluate(bare.replace(target=t)).events_total for t in targets}


def published_table(presets=PUBLISHED) -> W.HTML:
    """This library's prediction for each COHERENT preset next to its published numbers
    (an HTML widget; ours from ``expected_events(preset=...)``, theirs from the preset)."""
    rows = []
    for name in presets:
        p = get_preset(name)
        ours = expected_events(preset=name)
        pub = p.published
        predicted = (
            f"{pub['predicted']:g} ± {pub['predicted_error']:g}" if "predicted" in pub else "–"
        )
        text = published_text(p)
        measured = text.split(", ", 1)[1] if "predicted" in pub else text or "–"
        rows.append(
            [
                html.escape(p.short_title),
                f"<b>{ours['events_total']:.0f}</b> ± {ours['uncertainty']['events']:.0f}",
                predicted,
                html.escape(measured),
                html.escape(p.citation.split(";")[0].split(", and")[0]),
            ]
        )
    table = html_table(
        ["experiment", "this library", "published prediction", "measured", "source"],
        rows,
        caption="Expected CEvNS events: this library and COHERENT",
        align="lrrll",
    )
    return table_widget(table, "cevns-published-table")


class DesignerLesson(Lesson):
    """Plan a detector at the SNS: target, mass, distance, threshold and exposure.

    Args:
        preset: the design to start from (default: a 10 kg germanium array at 22 m).

    Sources: ``design_targets`` (``target``, ``events``, ``color``, ``label``) and the
    explorer figures' ``nsquared_*``, ``events_vs_threshold`` and ``threshold_marker``.
    """

    name = "designer"

    def __init__(self, preset: str = "ge-10kg-22m"):
        super().__init__()
        self.model = m = ScenarioModel(preset)
        self.preset = PresetControl(m)
        self.target = TargetControl(m)
        self.threshold = ThresholdControl(m)
        self.distance = DistanceControl(m)
        self.mass = MassControl(m)
        self.exposure = ExposureControl(m)
        self.readout = Readout(m)
        self.planning = W.HTML()
        self.planning.add_class("cevns-lesson-readout")
        self.nsquared = NSquaredFigure(m, width=720, height=280)
        self.scan = ThresholdScanFigure(m, width=360, height=290)
        self._build_figure()
        self._update()
        m.observe(self._on_result, names="result")
        controls = W.VBox(
            [
                c.widget
                for c in (
                    self.preset,
                    self.target,
                    self.threshold,
                    self.distance,
                    self.mass,
                    self.exposure,
                )
            ]
            + [self.message],
            layout=W.Layout(width="360px"),
        )
        figures = W.VBox(
            [
                self.planning,
                self._adopt(self.nsquared),
                fluid_row(self._view("design_targets"), self._adopt(self.scan)),
            ],
            layout=W.Layout(width="725px"),
        )
        self.widget = self._frame(self.readout.widget, fluid_row(controls, figures))

    def _build_figure(self):
        from bokeh.models import HoverTool, LabelSet

        names = list(COMPARISON_TARGETS)
        fig = self._figure(
            "design_targets",
            "Same design, other targets",
            "Expected events [events]",
            "Target [chemical formula]",
            width=360,
            height=290,
            y_range=names[::-1],
        )
        src = self._source(
            "design_targets",
            {
                "target": names,
                "events": np.zeros(len(names)),
                "color": [c for c, _ in COMPARISON_TARGETS.values()],
                "label": [""] * len(names),
                "line": ["white"] * len(names),
            },
        )
        bars = fig.hbar(
            y="target",
            right="events",
            height=0.7,
            source=src,
            color="color",
            line_color="line",
            line_width=3,
            alpha=0.85,
        )
        fig.add_layout(
            LabelSet(
                x="events",
                y="target",
                text="label",
                source=src,
                x_offset=4,
                y_offset=-8,
                text_font_size="10pt",
            )
        )
        fig.add_tools(
            HoverTool(
                renderers=[bars], tooltips=[("target", "@target"), ("events", "@events{0.0}")]
            )
        )
        fig.x_range.start = 0

    @safe
    def _on_result(self, _change):
        self._update()

    def _update(self):
        s = self.model.scenario
        events = design_events(s)
        names = list(events)
        values = np.array([events[n] for n in names])
        top = float(values.max())
        # room right of the longest bar for its label (longer labels need more)
        end = top * (1.3 + 0.04 * max(0, len(format_events(top)) - 5)) if top > 0 else 1.0
        colors = [COMPARISON_TARGETS[n][0] for n in names]
        self.sources["design_targets"].data = {
            "target": names,
            "events": values,
            "color": colors,
            "label": [format_events(v) if v > 0 else NO_EVENTS_LABEL for v in values],
            # a bar too short to see (CsI at 40 keVnr: 0.12 events next to argon's 57) keeps
            # its outline in its own colour, a 3 px sliver; the chosen target's is black
            "line": [
                "black" if n == s.target else c if 0 < v < MIN_BAR_FRACTION * end else "white"
                for n, c, v in zip(names, colors, values, strict=True)
            ],
        }
        fig = self.figures["design_targets"]
        self._set(fig.x_range, end=end)
        t_nr = threshold_keVnr(s)
        self._set(fig.title, text=f"Same design, T > {t_nr:.3g} keVnr")
        self.planning.value = self._planning_html(s)
        self.show_error("")

    def _planning_html(self, s: Scenario) -> str:
        result = self.model.result
        n = result.events_total
        days = s.pot / sns.pot_from_days(1.0, 1.4, 1.0)
        per_kg_day = n / (s.mass_kg * days) if days > 0 else 0.0
        precision = f"{100 / math.sqrt(n):.2g}%" if n >= 1 else "no events"
        target = make_target(s.target)
        return (
            '<div style="font-size:15px;line-height:1.35;padding:2px 4px">'
            f"<b>Planning:</b> with {format_events(n)} events the count alone is known to "
            f"± {precision} (Poisson, 1/√N). Rate: {format_events(per_kg_day)} events per kg per "
            f"day at 1.4 MW. {html.escape(target.name)}: mean N = "
            f"{target.mean_neutron_number():.1f} neutrons per nucleus.</div>"
        )
