"""Notebook 6, new-physics knobs: each one seen as a change in the recoil spectrum.

``NewPhysicsLesson`` puts the Standard Model spectrum of a detector (default: COHERENT
CsI[Na] 2017) next to the spectrum with the knobs set: the weak mixing angle, vector NSI of
the electron neutrino (ε_ee^uV, ε_ee^dV), a neutrino magnetic moment and a 3+1 sterile
neutrino (Δm², sin²2θ) with the source-detector distance. Figures: both spectra, their
ratio, and the sterile-neutrino disappearance against distance. The readout compares the
event count with the Standard Model and with the measured 134 ± 22 events (Science 2017).

Formulas: :mod:`cevns_widgets.physics.cross_sections` (Barranco et al. 2005 for NSI, Vogel &
Engel 1989 for the magnetic moment) and :func:`cevns_widgets.physics.sources.sns.
sterile_survival_probability`.
"""

from __future__ import annotations

import html
import math
from functools import lru_cache

import ipywidgets as W
import numpy as np

from ...api import evaluate
from ...physics.constants import SIN2W_LOW_ENERGY, MICHEL_ENDPOINT_MeV, PROMPT_NU_ENERGY_MeV
from ...physics.cross_sections import total_cross_section, weak_charge
from ...physics.nuclei import make_target
from ...physics.sources import sns
from ...presets import get_preset
from ...scenario import Scenario
from ..controls import DistanceControl
from ..layout import fluid_row
from ..model import ScenarioModel
from ..readout import format_events
from ..style import BLACK, BLUE, HIGHLIGHT_COLOR, SHADE_COLOR, add_current_star, style_legend
from ..units import threshold_keVnr
from ._base import FieldSlider, Lesson, safe
from .cross_section import pretty_nucleus

__all__ = ["NewPhysicsLesson", "STANDARD_MODEL", "sterile_event_fraction"]

#: The knob values of the Standard Model.
STANDARD_MODEL = {
    "sin2w": SIN2W_LOW_ENERGY,
    "eps_u_ee": 0.0,
    "eps_d_ee": 0.0,
    "eps_u_mumu": 0.0,
    "eps_d_mumu": 0.0,
    "magnetic_moment_muB": 0.0,
    "sterile_sin2_2theta": 0.0,
}
#: Distances drawn (m): the whole range of the distance slider, 1 to 100 m, every 0.1 m.
DISTANCES_m = np.linspace(1.0, 100.0, 991)
#: The distance figure shows 0-60 m (the corridor's detectors) unless the star is further.
DISTANCE_VIEW_m = 60.0
_E_GRID = np.linspace(0.5, MICHEL_ENDPOINT_MeV, 400)
#: Trapezoid-rule weights on _E_GRID (np.trapezoid needs NumPy 2).
_E_WEIGHTS = (
    np.concatenate([[0.0], np.diff(_E_GRID)]) / 2 + np.concatenate([np.diff(_E_GRID), [0.0]]) / 2
)
T_MIN_RATIO_keVnr = 0.5


@lru_cache(maxsize=32)
def _sigma_above(target: str, threshold_keVnr: float) -> tuple[np.ndarray, float]:
    """Cross section per formula unit above the threshold (cm²) on the Michel grid and at the
    prompt line."""
    t = make_target(target)
    grid = np.zeros_like(_E_GRID)
    line = 0.0
    for iso, w in zip(t.isotopes, t.per_formula_unit, strict=True):
        opts = (iso.Z, iso.N, iso.A, iso.mass_MeV)
        grid += w * total_cross_section(_E_GRID, *opts, threshold_keV=threshold_keVnr)
        line += w * total_cross_section(PROMPT_NU_ENERGY_MeV, *opts, threshold_keV=threshold_keVnr)
    return grid, line


def sterile_event_fraction(
    target: str, threshold_keVnr: float, distances_m, dm2_eV2: float, sin2_2theta: float
) -> np.ndarray:
    """Events with a 3+1 sterile neutrino relative to none, at each distance, for recoils
    above ``threshold_keVnr`` (all three SNS flavours, detector response ignored)."""
    grid, line = _sigma_above(target, round(float(threshold_keVnr), 3))
    L = np.asarray(distances_m, dtype=float)[:, None]
    weights = {
        "delayed_nue": sns.michel_nue_pdf(_E_GRID) * grid,
        "delayed_numubar": sns.michel_numubar_pdf(_E_GRID) * grid,
    }
    delayed = sum(weights.values()) * _E_WEIGHTS
    no_osc = line + float(delayed.sum())
    with_osc = (
        line * sns.sterile_survival_probability(PROMPT_NU_ENERGY_MeV, L[:, 0], dm2_eV2, sin2_2theta)
        + sns.sterile_survival_probability(_E_GRID[None, :], L, dm2_eV2, sin2_2theta) @ delayed
    )
    return with_osc / no_osc if no_osc > 0 else np.ones(L.shape[0])


def spectrum_top(T, sm, new, t_look: float) -> float:
    """The top of the spectra worth a y axis (events/keVnr): the whole Standard Model, the
    modified spectrum above ``t_look`` (the threshold), and below it the modified spectrum
    only as far as it exceeds the Standard Model by the factor it has at ``t_look``. A scale
    knob (sin²θ_W, NSI) keeps its whole curve in view; a magnetic moment's 1/T spike at
    T -> 0 does not flatten the spectrum (μ_ν = 5e-10 μ_B: 58 600 events/keVnr at the first
    bin, 86 above the threshold)."""
    T, sm, new = (np.asarray(a, dtype=float) for a in (T, sm, new))
    top = float(sm.max(initial=0.0))
    above = T >= t_look
    if not above.any():
        return max(top, float(new.max(initial=0.0)), 1e-30)
    top = max(top, float(new[above].max()))
    sm_t = float(np.interp(t_look, T, sm))
    if sm_t > 0:
        factor = float(np.interp(t_look, T, new)) / sm_t
        top = max(top, float(np.minimum(new, factor * sm).max()))
    return max(top, 1e-30)


class NewPhysicsLesson(Lesson):
    """Standard Model against modified spectra for the new-physics knobs.

    Args:
        preset: the detector (default: COHERENT CsI[Na] 2017).

    Sources: ``np_spectrum`` (``T`` keVnr, ``sm``, ``new`` in events/keVnr), ``np_ratio``
    (``T``, ``ratio``), ``np_distance`` (``L`` m, ``events`` and ``prompt`` as fractions of the
    no-oscillation value) and ``np_distance_now`` (``L``, ``events``).
    """

    name = "new-physics"

    def __init__(self, preset: str = "coherent-csi-2017"):
        super().__init__()
        self.preset = get_preset(preset)
        start = self.preset.scenario.replace(sterile_dm2_eV2=1.0)
        self.model = m = ScenarioModel(preset=None, scenario=start)
        width = "500px"
        self.knobs = {
            "sin2w": FieldSlider(
                m,
                "sin2w",
                "sin²θ_W",
                low=0.15,
                high=0.35,
                step=0.0001,
                fmt=".4f",
                width=width,
                tooltip="Weak mixing angle (low-energy value 0.23857, PDG)",
            ),
            "eps_u_ee": FieldSlider(
                m,
                "eps_u_ee",
                "NSI ε_u (νe)",
                low=-1.0,
                high=1.0,
                step=0.01,
                fmt=".2f",
                width=width,
                tooltip="Extra vector coupling of νe to up quarks (ε_ee^uV)",
            ),
            "eps_d_ee": FieldSlider(
                m,
                "eps_d_ee",
                "NSI ε_d (νe)",
                low=-1.0,
                high=1.0,
                step=0.01,
                fmt=".2f",
                width=width,
                tooltip="Extra vector coupling of νe to down quarks (ε_ee^dV)",
            ),
            "magnetic_moment_muB": FieldSlider(
                m,
                "magnetic_moment_muB",
                "μ_ν [10⁻¹⁰ μ_B]",
                low=0.0,
                high=100.0,
                step=0.5,
                scale=1e-10,
                fmt=".1f",
                width=width,
                tooltip="Neutrino magnetic moment in units of 1e-10 Bohr magnetons",
            ),
            "sterile_dm2_eV2": FieldSlider(
                m,
                "sterile_dm2_eV2",
                "Sterile Δm² [eV²]",
                low=-1.0,
                high=2.0,
                step=0.01,
                log=True,
                fmt=".3g",
                width=width,
                tooltip="Mass splitting of the sterile neutrino (0.1 to 100 eV²)",
            ),
            "sterile_sin2_2theta": FieldSlider(
                m,
                "sterile_sin2_2theta",
                "Sterile sin²2θ",
                low=0.0,
                high=0.5,
                step=0.01,
                fmt=".2f",
                width=width,
                tooltip="Mixing: how much of each flavour can vanish",
            ),
        }
        self.distance = DistanceControl(m)
        self.reset = self._reset_button(
            "back to the Standard Model",
            "Set every new-physics knob back to its Standard Model value",
            W.Layout(width="240px", margin="4px 0 2px 142px"),
        )
        self.readout = W.HTML(layout=W.Layout(width="540px"))
        self.readout.add_class("cevns-lesson-readout")
        self._build_figures()
        self._update()
        m.observe(self._on_result, names="result")
        k = self.knobs

        def group(title, *controls):
            head = W.HTML(f'<div style="font-weight:700;margin:4px 0 0 8px">{title}</div>')
            return W.VBox([head, *[c.widget for c in controls]])

        left = W.VBox(
            [
                group("Weak mixing angle", k["sin2w"]),
                group("Non-standard interactions of νe", k["eps_u_ee"], k["eps_d_ee"]),
                group("Neutrino magnetic moment", k["magnetic_moment_muB"]),
            ],
            layout=W.Layout(width="540px"),
        )
        right = W.VBox(
            [
                group(
                    "Sterile neutrino (3+1)",
                    k["sterile_dm2_eV2"],
                    k["sterile_sin2_2theta"],
                    self.distance,
                ),
                self.reset,
                self.message,
            ],
            layout=W.Layout(width="540px"),
        )
        self.widget = self._frame(
            fluid_row(left, right),
            fluid_row(self._view("np_spectrum"), self._view("np_ratio")),
            fluid_row(self.readout, self._view("np_distance")),
        )

    # --- figures ------------------------------------------------------------------------
    def _build_figures(self):
        from bokeh.models import BoxAnnotation, HoverTool, Span

        fig = self._figure(
            "np_spectrum",
            "Recoil spectrum",
            "Recoil energy T [keVnr]",
            "dN/dT [events/keVnr]",
            width=540,
            height=300,
        )
        src = self._source("np_spectrum", {"T": np.zeros(0), "sm": np.zeros(0), "new": np.zeros(0)})
        fig.line(
            "T",
            "sm",
            source=src,
            color=BLACK,
            line_width=2.5,
            line_dash="dashed",
            legend_label="Standard Model",
        )
        new = fig.line(
            "T",
            "new",
            source=src,
            color=HIGHLIGHT_COLOR,
            line_width=3,
            legend_label="with your knobs",
        )
        self.threshold_boxes = []
        for name in ("np_spectrum", "np_ratio"):
            box = BoxAnnotation(
                left=0,
                right=0,
                fill_color=SHADE_COLOR,
                fill_alpha=0.22,
                line_alpha=0,
                level="underlay",
            )
            self.threshold_boxes.append(box)
            if name == "np_spectrum":
                fig.add_layout(box)
        fig.add_tools(
            HoverTool(
                renderers=[new],
                mode="vline",
                tooltips=[("T", "@T{0.00} keVnr"), ("SM", "@sm{0.00}"), ("yours", "@new{0.00}")],
            )
        )
        style_legend(fig, "top_right")
        fig.x_range.start = 0
        fig.y_range.start = 0

        fig = self._figure(
            "np_ratio",
            "Ratio to the Standard Model",
            "Recoil energy T [keVnr]",
            "Modified / Standard Model [ratio]",
            width=540,
            height=300,
        )
        fig.add_layout(self.threshold_boxes[1])
        fig.add_layout(
            Span(
                location=1.0,
                dimension="width",
                line_color=BLACK,
                line_dash="dashed",
                line_width=1.5,
            )
        )
        src = self._source("np_ratio", {"T": np.zeros(0), "ratio": np.zeros(0)})
        line = fig.line("T", "ratio", source=src, color=HIGHLIGHT_COLOR, line_width=3)
        fig.add_tools(
            HoverTool(
                renderers=[line],
                mode="vline",
                tooltips=[("T", "@T{0.00} keVnr"), ("ratio", "@ratio{0.000}")],
            )
        )
        fig.x_range.start = 0

        fig = self._figure(
            "np_distance",
            "Sterile neutrino: disappearance with distance",
            "Distance L [m]",
            "Fraction of events left [ratio]",
            width=540,
            height=300,
        )
        src = self._source(
            "np_distance",
            {
                "L": DISTANCES_m,
                "events": np.ones_like(DISTANCES_m),
                "prompt": np.ones_like(DISTANCES_m),
            },
        )
        fig.line(
            "L",
            "prompt",
            source=src,
            color=BLUE,
            line_width=2,
            line_dash="dashed",
            legend_label="prompt νμ line (29.8 MeV)",
        )
        events = fig.line(
            "L",
            "events",
            source=src,
            color=HIGHLIGHT_COLOR,
            line_width=3,
            legend_label="all recoils above threshold",
        )
        now = self._source("np_distance_now", {"L": np.ones(1), "events": np.ones(1)})
        add_current_star(fig, "L", "events", now, size=20, legend_label="this detector")
        fig.add_tools(
            HoverTool(
                renderers=[events],
                mode="vline",
                tooltips=[
                    ("L", "@L{0.0} m"),
                    ("events left", "@events{0.000}"),
                    ("prompt line", "@prompt{0.000}"),
                ],
            )
        )
        style_legend(fig, "bottom_left")
        fig.x_range.start = 0
        fig.x_range.end = DISTANCE_VIEW_m
        fig.y_range.start = 0
        fig.y_range.end = 1.05

    # --- state --------------------------------------------------------------------------
    def standard_model(self) -> Scenario:
        """The current scenario with every new-physics knob at its Standard Model value."""
        return self.model.scenario.replace(**STANDARD_MODEL)

    # --- updates ------------------------------------------------------------------------
    @safe
    def _on_reset(self, _button):
        if not self.model.set(**STANDARD_MODEL):
            self.show_error(self.model.error)

    @safe
    def _on_result(self, _change):
        self._update()

    def _update(self):
        new = self.model.result
        s = new.scenario
        sm = evaluate(self.standard_model())
        T, by_new = new.recoil_spectrum()
        T_sm, by_sm = sm.recoil_spectrum()
        total_new = sum(by_new.values())
        total_sm = np.interp(T, T_sm, sum(by_sm.values()), right=0.0)
        self.sources["np_spectrum"].data = {"T": T, "sm": total_sm, "new": total_new}
        keep = (T >= T_MIN_RATIO_keVnr) & (total_sm > 1e-9 * total_sm.max())
        ratio = total_new[keep] / total_sm[keep]
        self.sources["np_ratio"].data = {"T": T[keep], "ratio": ratio}
        fig = self.figures["np_ratio"]
        if ratio.size:
            # the whole curve, however far it goes (sin²θ_W = 0.35: 1.77; μ_ν: 1/T), with
            # the Standard Model line at 1 and at least 0.8-1.2 in view
            r_lo, r_hi = float(ratio.min()), float(ratio.max())
            pad = 0.05 * (max(1.2, r_hi) - min(0.8, r_lo))
            low = max(0.0, min(0.8, r_lo - pad))
            self._set(fig.y_range, start=low, end=max(1.2, r_hi + pad))
        t_end = float(T[keep][-1]) if ratio.size else float(T[-1])
        for name in ("np_spectrum", "np_ratio"):
            self._set(self.figures[name].x_range, end=t_end)
        t_nr = threshold_keVnr(s)
        self._set(
            self.figures["np_spectrum"].y_range,
            end=1.08 * spectrum_top(T, total_sm, total_new, max(t_nr, T_MIN_RATIO_keVnr)),
        )
        for box in self.threshold_boxes:
            self._set(box, right=t_nr)

        frac = sterile_event_fraction(
            s.target, t_nr, DISTANCES_m, s.sterile_dm2_eV2, s.sterile_sin2_2theta
        )
        prompt = sns.sterile_survival_probability(
            PROMPT_NU_ENERGY_MeV, DISTANCES_m, s.sterile_dm2_eV2, s.sterile_sin2_2theta
        )
        self.sources["np_distance"].data = {
            "L": DISTANCES_m,
            "events": frac,
            "prompt": np.asarray(prompt, dtype=float),
        }
        here = float(
            sterile_event_fraction(
                s.target, t_nr, [s.distance_m], s.sterile_dm2_eV2, s.sterile_sin2_2theta
            )[0]
        )
        self.sources["np_distance_now"].data = {
            "L": np.array([s.distance_m]),
            "events": np.array([here]),
        }
        self._set(
            self.figures["np_distance"].x_range, end=max(DISTANCE_VIEW_m, 1.05 * s.distance_m)
        )
        self._set(
            self.figures["np_distance"].title,
            text=f"Sterile ν: events left at {s.distance_m:.3g} m: {100 * here:.1f}%",
        )
        self.readout.value = self._readout_html(
            new.events_total, sm.events_total, s, new.uncertainty()["fraction"]
        )
        self.show_error("")

    def _readout_html(self, n_new: float, n_sm: float, s: Scenario, fraction: float) -> str:
        change = (n_new / n_sm - 1) if n_sm > 0 else math.nan
        target = make_target(s.target)
        heavy = max(target.isotopes, key=lambda i: i.Z)
        q_sm = float(weak_charge(heavy.Z, heavy.N, SIN2W_LOW_ENERGY))
        q_mu = float(weak_charge(heavy.Z, heavy.N, s.sin2w, eps_u=s.eps_u_mumu, eps_d=s.eps_d_mumu))
        q_e = float(weak_charge(heavy.Z, heavy.N, s.sin2w, eps_u=s.eps_u_ee, eps_d=s.eps_d_ee))
        lines = [
            f'<div style="font-size:15px">{html.escape(self.preset.title.split(":")[0])}, '
            f"{s.distance_m:.3g} m: Standard Model {format_events(n_sm)} events</div>",
            '<div><span style="font-size:16px">with your knobs </span>'
            f'<span class="cevns-events" style="font-size:38px;font-weight:700">'
            f"{format_events(n_new)}</span>"
            f'<span style="font-size:24px;font-weight:600"> ({100 * change:+.1f}%)</span></div>',
            f'<div style="font-size:15px">Weak charge of {pretty_nucleus(heavy.label)}: '
            f"Q = {q_sm:.1f} in the Standard Model; now {q_mu:.1f} for νμ, {q_e:.1f} for νe</div>",
        ]
        pub = self.preset.published
        if "observed" in pub and s.distance_m == self.preset.scenario.distance_m:
            err = math.hypot(pub["observed_error"], fraction * n_new)
            pull = (n_new - pub["observed"]) / err
            lines.append(
                f'<div style="font-size:15px;color:#1f4e79">Measured: {pub["observed"]:g} ± '
                f"{pub['observed_error']:g} (Science 2017). Your model is "
                f'<b class="cevns-pull">{abs(pull):.1f}σ</b> away (measurement error and the '
                f"{100 * fraction:.0f}% prediction uncertainty, in quadrature)</div>"
            )
        return '<div style="line-height:1.3;padding:2px 6px">' + "".join(lines) + "</div>"
