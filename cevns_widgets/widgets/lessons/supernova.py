"""Notebook 9, a supernova in a dark-matter detector: ten seconds of CEvNS from every flavour.

A core-collapse supernova sends about 10⁵⁸ neutrinos of all six flavours out in ten seconds
(:mod:`cevns_widgets.physics.sources.supernova`). CEvNS is flavour-blind, so a dark-matter
detector sees all of them, the heavy flavours (νμ, ντ and their antiparticles) included, which
most neutrino detectors barely see.

``SupernovaLesson`` has a distance (log kpc) with buttons for Betelgeuse, the Galactic
Centre, the Large Magellanic Cloud and Andromeda (and a box to type any distance), a
detector (xenon 1 t, 5.9 t and 40 t, argon 20 t, COHERENT's CsI 14.6 kg and LAr 24 kg,
germanium 1 t) and a threshold. It shows the expected events (large) with the split by
flavour, the recoil spectrum, and the events against distance with the named places marked.
Each (detector, threshold) is evaluated once with :func:`cevns_widgets.api.evaluate` at
10 kpc; a distance change rescales it by (10 kpc / d)², which is exact for an isotropic burst.

Module functions for the notebook's text: :func:`story` (the burst's numbers),
:func:`detectors_table` (every detector at the named distances) and :func:`exercise_numbers`.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from functools import lru_cache

import ipywidgets as W
import numpy as np

from ...api import evaluate
from ...physics.sources import supernova as sn
from ...scenario import Scenario
from ..controls import is_echo
from ..layout import fluid_row
from ..readout import format_events, human_number
from ..style import (
    BLACK,
    BLUE,
    GREEN,
    GREY,
    ORANGE,
    SHADE_COLOR,
    VERMILION,
    add_current_star,
    style_legend,
)
from ._base import Lesson, html_table, safe, sci, slider, table_widget

__all__ = [
    "DETECTORS",
    "PLACES",
    "Detector",
    "SupernovaLesson",
    "detectors_table",
    "events_at",
    "exercise_numbers",
    "story",
]


@dataclass(frozen=True)
class Detector:
    """A detector of the lesson: its target, mass and usual recoil threshold."""

    label: str
    target: str
    mass_kg: float
    threshold_keVnr: float
    note: str


#: The detectors of the lesson (key -> Detector). The large xenon and argon detectors count
#: recoils above 1 keVnr with their ionisation (S2) signal alone; COHERENT's detectors at
#: their published recoil thresholds.
DETECTORS = {
    "xe-1t": Detector("xenon, 1 t", "Xe", 1000.0, 1.0, "a tonne-scale xenon TPC (XENON1T)"),
    "xe-5.9t": Detector(
        "xenon, 5.9 t (XENONnT)", "Xe", 5900.0, 1.0, "XENONnT's active xenon (LZ is similar)"
    ),
    "xe-40t": Detector(
        "xenon, 40 t (XLZD scale)", "Xe", 40000.0, 1.0, "a next-generation xenon observatory"
    ),
    "ar-20t": Detector(
        "argon, 20 t (DarkSide-20k)", "Ar", 20000.0, 1.0, "DarkSide-20k's fiducial argon"
    ),
    "csi-14.6kg": Detector(
        "CsI, 14.6 kg (COHERENT 2017)", "CsI", 14.6, 6.5, "COHERENT's first CEvNS detector"
    ),
    "lar-24kg": Detector(
        "liquid argon, 24 kg (COHERENT)", "Ar", 24.0, 20.0, "COHERENT's CENNS-10 argon detector"
    ),
    "ge-1t": Detector("germanium, 1 t", "Ge", 1000.0, 1.0, "a tonne of germanium crystals"),
}
DEFAULT_DETECTOR = "xe-5.9t"
#: Short names of the places of :data:`supernova.NAMED_DISTANCES_kpc`, in order of distance.
PLACES = {
    "Betelgeuse": "Betelgeuse",
    "Galactic Centre": "Galactic Centre",
    "Large Magellanic Cloud (SN 1987A)": "LMC",
    "Andromeda (M31)": "Andromeda",
}
_PLACE_COLOURS = (ORANGE, VERMILION, GREEN, BLUE)
#: The distance at which each (detector, threshold) is evaluated (kpc).
REFERENCE_kpc = sn.DEFAULT_DISTANCE_kpc
DISTANCES_kpc = np.geomspace(1e-3, 1e4, 141)
#: Allowed distances (kpc): those of the supernova source.
DISTANCE_RANGE_kpc = sn.DISTANCE_RANGE_kpc
COMPONENTS = sn.COMPONENTS
COMPONENT_STYLE = {
    "nue": ("νe", ORANGE, "dashed"),
    "nuebar": ("ν̄e", GREEN, "dashdot"),
    "nux": ("νμ, ν̄μ, ντ, ν̄τ", BLUE, "solid"),
}


def _check_detector(key: str) -> Detector:
    if key not in DETECTORS:
        raise ValueError(f"detector must be one of {', '.join(DETECTORS)}; got {key!r}")
    return DETECTORS[key]


def _key(value: float) -> float:
    return float(f"{float(value):.6g}")


@lru_cache(maxsize=128)
def _reference(target: str, mass_kg: float, threshold_keVnr: float):
    """evaluate() at the reference distance: (events per component, recoil T, spectra)."""
    result = evaluate(
        Scenario(
            source="supernova",
            target=target,
            mass_kg=mass_kg,
            supernova_distance_kpc=REFERENCE_kpc,
            threshold=threshold_keVnr,
            threshold_unit="keVnr",
        )
    )
    T, by = result.recoil_spectrum()
    return dict(result.events_by_flavor), np.asarray(T), {c: np.asarray(by[c]) for c in COMPONENTS}


def _reference_for(detector: str, threshold_keVnr: float):
    d = _check_detector(detector)
    t = float(threshold_keVnr)
    if not (math.isfinite(t) and t >= 0):
        raise ValueError(f"the threshold must be a number of keVnr >= 0; got {threshold_keVnr!r}")
    return _reference(d.target, d.mass_kg, _key(t))


def events_at(detector: str, distance_kpc: float, threshold_keVnr: float | None = None) -> dict:
    """Expected CEvNS events per component (and ``total``) in ``detector`` from a supernova
    at ``distance_kpc`` (the source's defaults: 3e53 erg, mean energies 12/14/16 MeV);
    ``threshold_keVnr`` defaults to the detector's."""
    d = _check_detector(detector)
    distance = sn.check_distance_kpc(distance_kpc)
    threshold = d.threshold_keVnr if threshold_keVnr is None else threshold_keVnr
    events, _T, _by = _reference_for(detector, threshold)
    scale = (REFERENCE_kpc / distance) ** 2
    out = {c: events[c] * scale for c in COMPONENTS}
    out["total"] = sum(out.values())
    return out


def _parse_distance(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(
            f"type the distance as a number of kiloparsecs, e.g. 8.2 or 0.2; got {text!r}"
        ) from None
    return sn.check_distance_kpc(value)


def _distance_text(kpc: float) -> str:
    if kpc < 1.0:
        return f"{1000 * kpc:.3g} pc"
    return f"{human_number(kpc)} kpc"


def _light_years(kpc: float) -> str:
    ly = kpc * 1e3 * 3.26156
    if ly >= 1e6:
        return f"{ly / 1e6:.2g} million light years"
    return f"{ly:,.0f} light years" if ly >= 100 else f"{ly:.2g} light years"


class SupernovaLesson(Lesson):
    """A supernova burst seen by CEvNS in a dark-matter (or COHERENT) detector.

    Args:
        detector: a key of :data:`DETECTORS`.
        distance_kpc: where the star explodes.

    Sources: ``sn_spectrum`` (``T`` keVnr, the components and ``total`` in events/keVnr over
    the burst), ``sn_distance`` (``d`` kpc, ``events``), ``sn_places`` (``d``, ``events``,
    ``label``) and ``sn_now`` (``d``, ``events``). ``events`` is the count shown in large
    type (class ``cevns-sn-events``).
    """

    name = "supernova"

    def __init__(self, detector: str = DEFAULT_DETECTOR, distance_kpc: float = REFERENCE_kpc):
        super().__init__()
        d = _check_detector(detector)
        self.state = {
            "detector": detector,
            "distance": sn.check_distance_kpc(distance_kpc),
            "threshold": d.threshold_keVnr,
        }
        self._syncing = False
        self._build_controls()
        self._build_figures()
        self._update(everything=True)
        go_to = W.HTML(
            '<div style="text-align:right;padding-right:8px">Go to</div>',
            layout=W.Layout(width="142px"),
        )
        places = W.HBox([go_to, *self.place_buttons])
        controls = W.VBox(
            [
                self.detector_menu,
                self.distance_slider,
                places,
                self.distance_text,
                self.threshold_slider,
                self.message,
            ],
            layout=W.Layout(width="560px"),
        )
        self.widget = self._frame(
            fluid_row(controls, self.readout),
            fluid_row(self._view("sn_spectrum"), self._view("sn_distance")),
        )

    # --- state --------------------------------------------------------------------------
    @property
    def detector(self) -> Detector:
        return DETECTORS[self.state["detector"]]

    @property
    def distance(self) -> float:
        return self.state["distance"]

    @property
    def threshold(self) -> float:
        return self.state["threshold"]

    @property
    def by_component(self) -> dict:
        """Expected events per component and ``total`` for the current state."""
        return events_at(self.state["detector"], self.distance, self.threshold)

    @property
    def events(self) -> float:
        return self.by_component["total"]

    def places(self) -> dict[str, float]:
        """Expected events (total) at each named place, for this detector and threshold."""
        return {
            short: events_at(self.state["detector"], sn.NAMED_DISTANCES_kpc[name], self.threshold)[
                "total"
            ]
            for name, short in PLACES.items()
        }

    # --- building -----------------------------------------------------------------------
    def _build_controls(self):
        self.detector_menu = W.Dropdown(
            options=[(d.label, k) for k, d in DETECTORS.items()],
            value=self.state["detector"],
            description="Detector",
            style={"description_width": "138px"},
            layout=W.Layout(width="540px"),
        )
        self.detector_menu.add_class("cevns-sn-detector")
        log = dict(kind=W.FloatLogSlider, base=10)
        self.distance_slider = slider(
            "Distance [kpc]",
            self.distance,
            math.log10(DISTANCE_RANGE_kpc[0]),
            math.log10(DISTANCE_RANGE_kpc[1]),
            0.01,
            fmt=".3g",
            tooltip="Distance of the supernova in kiloparsecs (1 kpc = 3262 light years)",
            css="cevns-sn-distance",
            width="540px",
            **log,
        )
        self.place_buttons = []
        for name, short in PLACES.items():
            button = W.Button(
                description=short,
                tooltip=f"{name}: {_distance_text(sn.NAMED_DISTANCES_kpc[name])}",
                layout=W.Layout(width="auto", padding="0 10px"),
            )
            button.add_class("cevns-sn-place")
            button.add_class(f"cevns-sn-place-{short.lower().replace(' ', '-')}")
            button.on_click(lambda _b, n=name: self._on_place(n))
            self.place_buttons.append(button)
        self.distance_text = W.Text(
            description="or type [kpc]",
            placeholder="e.g. 2 (the Crab), 3.4 (Cas A)",
            tooltip="Type a distance in kiloparsecs and press Enter",
            continuous_update=False,
            style={"description_width": "138px"},
            layout=W.Layout(width="400px"),
        )
        self.distance_text.add_class("cevns-sn-distance-text")
        self.threshold_slider = slider(
            "Threshold [keVnr]",
            self.threshold,
            -1.0,
            1.5,
            0.02,
            fmt=".3g",
            tooltip="Smallest nuclear recoil counted (each detector starts at its usual one)",
            css="cevns-sn-threshold",
            width="540px",
            **log,
        )
        self.readout = W.HTML(layout=W.Layout(width="520px"))
        self.readout.add_class("cevns-lesson-readout")
        self.readout.add_class("cevns-sn-readout")
        self.detector_menu.observe(self._on_detector, names="value")
        self.distance_slider.observe(
            lambda c: self._on_slider("distance", self.distance_slider, c), names="value"
        )
        self.threshold_slider.observe(
            lambda c: self._on_slider("threshold", self.threshold_slider, c), names="value"
        )
        self.distance_text.observe(self._on_text, names="value")

    def _build_figures(self):
        from bokeh.models import BoxAnnotation, HoverTool, LabelSet, Range1d, Span

        fig = self._figure(
            "sn_spectrum",
            "Recoil spectrum of the burst",
            "Nuclear recoil energy [keVnr]",
            "Events per keVnr [events/keVnr]",
            width=540,
            height=330,
            y_axis_type="log",
            y_range=Range1d(1e-3, 1e2),
        )
        none = np.zeros(0)
        src = self._source("sn_spectrum", {"T": none, **{c: none for c in COMPONENTS}})
        src.data["total"] = none
        for c, (label, colour, dash) in COMPONENT_STYLE.items():
            fig.line(
                "T",
                c,
                source=src,
                color=colour,
                line_dash=dash,
                line_width=2.5,
                legend_label=label,
            )
        total = fig.line(
            "T", "total", source=src, color=BLACK, line_width=3, legend_label="all flavours"
        )
        self.threshold_box = BoxAnnotation(
            left=0.0,
            right=1.0,
            fill_color=SHADE_COLOR,
            fill_alpha=0.2,
            line_alpha=0,
            level="underlay",
        )
        fig.add_layout(self.threshold_box)
        fig.add_tools(
            HoverTool(
                renderers=[total],
                mode="vline",
                tooltips=[("recoil", "@T{0.0} keVnr"), ("all flavours", "@total{0.000} /keVnr")],
            )
        )
        fig.x_range.start = 0.0
        style_legend(fig, "top_right")

        fig = self._figure(
            "sn_distance",
            "Events against distance: 1/d²",
            "Distance of the supernova [kpc]",
            "Expected events [events]",
            width=540,
            height=330,
            x_axis_type="log",
            y_axis_type="log",
            x_range=Range1d(0.05, 1e4),
            y_range=Range1d(1e-4, 1e7),
        )
        curve = self._source("sn_distance", {"d": none, "events": none})
        fig.line("d", "events", source=curve, color=BLACK, line_width=2.5, legend_label="∝ 1/d²")
        fig.add_layout(
            Span(location=1.0, dimension="width", line_color=GREY, line_dash="dashed", line_width=2)
        )
        for name, colour in zip(PLACES, _PLACE_COLOURS, strict=True):
            fig.add_layout(
                Span(
                    location=sn.NAMED_DISTANCES_kpc[name],
                    dimension="height",
                    line_color=colour,
                    line_alpha=0.6,
                    line_width=1.5,
                    line_dash="dotted",
                )
            )
        places = self._source(
            "sn_places", {"d": none, "events": none, "label": [], "align": [], "dx": none}
        )
        dots = fig.scatter(
            "d", "events", source=places, size=11, color=GREY, line_color="black", marker="circle"
        )
        fig.add_layout(
            LabelSet(
                x="d",
                y="events",
                text="label",
                source=places,
                text_align={"field": "align"},
                x_offset={"field": "dx"},
                y_offset=4,
                text_font_size="10pt",
                text_color="#222222",
            )
        )
        now = self._source("sn_now", {"d": np.ones(1), "events": np.ones(1)})
        add_current_star(fig, "d", "events", now, size=22, legend_label="this supernova")
        fig.add_tools(
            HoverTool(
                renderers=[dots],
                tooltips=[("", "@label"), ("distance", "@d{0.000} kpc")],
            )
        )
        style_legend(fig, "bottom_left")

    # --- callbacks ----------------------------------------------------------------------
    @safe
    def _on_detector(self, change):
        if self._syncing:
            return
        d = _check_detector(change["new"])
        self._set_state(detector=change["new"], threshold=d.threshold_keVnr)

    @safe
    def _on_slider(self, name: str, widget, change):
        if self._syncing:
            return
        new = float(change["new"])
        if is_echo(widget, new, self.state[name]):
            return
        self._set_state(**{name: new})

    @safe
    def _on_place(self, name: str):
        self._set_state(distance=sn.NAMED_DISTANCES_kpc[name])

    @safe
    def _on_text(self, change):
        text = str(change["new"]).strip()
        if text:
            self._set_state(distance=_parse_distance(text))

    def _set_state(self, **changes):
        """Settings: ``detector``, ``distance`` (kpc), ``threshold`` (keVnr)."""
        new = dict(self.state)
        for key, value in changes.items():
            if key not in new:
                raise ValueError(f"unknown setting {key!r}; use one of {', '.join(new)}")
            new[key] = value
        _check_detector(new["detector"])
        new["distance"] = sn.check_distance_kpc(new["distance"])
        new["threshold"] = float(new["threshold"])
        _reference_for(new["detector"], new["threshold"])  # fails before anything changes
        everything = new["detector"] != self.state["detector"] or not math.isclose(
            new["threshold"], self.state["threshold"], rel_tol=1e-12
        )
        self.state = new
        self._sync_widgets()
        self._update(everything=everything)

    def _sync_widgets(self):
        self._syncing = True
        try:
            if self.detector_menu.value != self.state["detector"]:
                self.detector_menu.value = self.state["detector"]
            for name, widget in (
                ("distance", self.distance_slider),
                ("threshold", self.threshold_slider),
            ):
                lo, hi = 10**widget.min, 10**widget.max
                shown = min(max(self.state[name], lo), hi)
                if not np.isclose(widget.value, shown, rtol=1e-9, atol=0.0):
                    widget.value = shown
        finally:
            self._syncing = False

    # --- updates ------------------------------------------------------------------------
    def _update(self, *, everything: bool = False):
        """``everything``: the detector or the threshold changed (a new evaluation); else
        only the distance (a rescaling)."""
        _events, T, by = _reference_for(self.state["detector"], self.threshold)
        scale = (REFERENCE_kpc / self.distance) ** 2
        total = sum(by.values())
        peak = float(total.max()) if total.size else 0.0
        if everything:
            keep = total >= 1e-4 * peak if peak > 0 else np.ones(T.size, bool)
            end = float(T[keep][-1]) if keep.any() else 1.0
            self._set(self.figures["sn_spectrum"].x_range, end=end)
            self._set(self.threshold_box, right=self.threshold)
            self._set(
                self.figures["sn_spectrum"].title,
                text=f"Recoil spectrum in {self.detector.label}",
            )
        with np.errstate(invalid="ignore"):
            data = {c: np.where(by[c] > 0, by[c] * scale, np.nan) for c in COMPONENTS}
            data["total"] = np.where(total > 0, total * scale, np.nan)
        self.sources["sn_spectrum"].data = {"T": T, **data}
        if peak > 0:  # four decades below the peak, whatever the distance
            self._set(
                self.figures["sn_spectrum"].y_range, start=1e-4 * peak * scale, end=3 * peak * scale
            )
        ref_total = events_at(self.state["detector"], REFERENCE_kpc, self.threshold)["total"]
        if everything:
            self.sources["sn_distance"].data = {
                "d": DISTANCES_kpc,
                "events": ref_total * (REFERENCE_kpc / DISTANCES_kpc) ** 2,
            }
            places = self.places()
            counts = np.array(list(places.values()))
            if counts.max() > 0:
                self._set(
                    self.figures["sn_distance"].y_range,
                    start=max(counts.min(), 1e-300) / 30,
                    end=counts.max() * 30,
                )
            self.sources["sn_places"].data = {
                "d": np.array([sn.NAMED_DISTANCES_kpc[n] for n in PLACES]),
                "events": np.array(list(places.values())),
                "label": [f"{s}: {format_events(v)}" for s, v in places.items()],
                # the farthest place is labelled on its left, inside the plot
                "align": ["left"] * (len(places) - 1) + ["right"],
                "dx": np.array([6.0] * (len(places) - 1) + [-8.0]),
            }
        self.sources["sn_now"].data = {
            "d": np.array([self.distance]),
            "events": np.array([ref_total * scale]),
        }
        self._update_readout()
        self.show_error("")

    def _update_readout(self):
        by = self.by_component
        d = self.detector
        split = " · ".join(
            f"{COMPONENT_STYLE[c][0]} <b>{format_events(by[c])}</b>" for c in COMPONENTS
        )
        places = self.places()
        rows = [
            [
                html.escape(short),
                _distance_text(sn.NAMED_DISTANCES_kpc[name]),
                f'<b class="cevns-sn-place-events">{format_events(places[short])}</b>',
            ]
            for name, short in PLACES.items()
        ]
        table = html_table(["a supernova at", "distance", "events"], rows, align="lrr")
        here = sn.fluence_per_cm2(self.distance)
        self.readout.value = (
            '<div style="line-height:1.3;padding:2px 8px">'
            '<span class="cevns-sn-events" style="font-size:44px;font-weight:700">'
            f"{format_events(by['total'])}</span>"
            '<span style="font-size:18px"> CEvNS events in about '
            f"{sn.BURST_DURATION_s:g} s</span>"
            f'<div class="cevns-sn-split" style="font-size:15px">{split}</div>'
            f'<div style="font-size:15px">{html.escape(d.label)} above {self.threshold:.3g} keVnr, '
            f"supernova at {_distance_text(self.distance)} ({_light_years(self.distance)}): "
            f"{sci(sum(here.values()), 2)} neutrinos per cm²</div>"
            f"{table}</div>"
        )


# --------------------------------------------------------------------------- notebook helpers


def _box(inner: str, css: str) -> W.HTML:
    return table_widget(f'<div style="font-size:15px;line-height:1.45">{inner}</div>', css)


def story() -> W.HTML:
    """The burst in numbers, from the supernova source: energy, neutrinos emitted per
    flavour group, and how many cross each cm² at 10 kpc."""
    emitted = sn.neutrinos_emitted()
    fluence = sn.fluence_per_cm2(REFERENCE_kpc)
    rows = [
        [
            COMPONENT_STYLE[c][0],
            f"{sn.DEFAULT_MEAN_ENERGIES_MeV[i]:g}",
            sci(emitted[c], 2),
            sci(fluence[c], 2),
        ]
        for i, c in enumerate(COMPONENTS)
    ]
    table = html_table(
        ["neutrinos", "mean energy [MeV]", "emitted", f"per cm² at {REFERENCE_kpc:g} kpc"],
        rows,
        total=["all", "", sci(sum(emitted.values()), 2), sci(sum(fluence.values()), 2)],
        caption="The burst of this library's supernova (pinched spectra, equal energy per flavour)",
    )
    text = (
        f"<p>The star sheds {sci(sn.TOTAL_ENERGY_erg, 1)} erg, shared equally by the six "
        f"flavours, in about {sn.BURST_DURATION_s:g} s. The heavy flavours carry "
        f"{100 * emitted['nux'] / sum(emitted.values()):.0f} % of the neutrinos and, being the "
        "most energetic, an even larger share of the CEvNS recoils.</p>"
    )
    return _box(text + table, "cevns-sn-story")


def detectors_table(threshold_keVnr: float | None = None) -> W.HTML:
    """Every detector of the lesson at its usual threshold: events from the four named
    places, and the distance out to which it expects at least one event."""
    rows = []
    for key, d in DETECTORS.items():
        t = d.threshold_keVnr if threshold_keVnr is None else threshold_keVnr
        cells = [
            format_events(events_at(key, sn.NAMED_DISTANCES_kpc[n], t)["total"]) for n in PLACES
        ]
        at_ref = events_at(key, REFERENCE_kpc, t)["total"]
        reach = REFERENCE_kpc * math.sqrt(at_ref) if at_ref > 0 else 0.0
        rows.append(
            [html.escape(d.label), f"{t:g}", *cells, _distance_text(reach) if reach else "–"]
        )
    table = html_table(
        ["detector", "threshold [keVnr]", *PLACES.values(), "1 event out to"],
        rows,
        caption="Expected CEvNS events from a supernova, per detector",
        align="lrrrrrr",
    )
    return table_widget(table, "cevns-sn-table")


def exercise_numbers() -> W.HTML:
    """The numbers behind the exercises' answers, folded."""
    xe = events_at("xe-5.9t", REFERENCE_kpc)
    low = events_at("xe-5.9t", REFERENCE_kpc, 0.5)["total"]
    high = events_at("xe-5.9t", REFERENCE_kpc, 3.0)["total"]
    csi = events_at("csi-14.6kg", sn.NAMED_DISTANCES_kpc["Betelgeuse"])["total"]
    gc = events_at("xe-40t", sn.NAMED_DISTANCES_kpc["Galactic Centre"])["total"]
    m31 = events_at("xe-40t", sn.NAMED_DISTANCES_kpc["Andromeda (M31)"])["total"]
    items = [
        f"1. XENONnT (5.9 t, 1 keVnr) at 10 kpc: {format_events(xe['total'])} events, of which "
        f"{100 * xe['nux'] / xe['total']:.0f} % from the heavy flavours.",
        f"2. The same at 0.5 keVnr: {format_events(low)}; at 3 keVnr: {format_events(high)}.",
        f"3. 40 t of xenon: {format_events(gc)} events from the Galactic Centre, "
        f"{format_events(m31)} from Andromeda. COHERENT's 14.6 kg of CsI from Betelgeuse: "
        f"{format_events(csi)}.",
    ]
    inner = "<br>".join(items)
    return _box(
        f"<details><summary><b>Numbers behind the answers</b></summary><p>{inner}</p></details>",
        "cevns-sn-exercise-numbers",
    )
