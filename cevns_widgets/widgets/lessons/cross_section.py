"""Notebook 1, what CEvNS is: one nucleus, one neutrino energy, and what coherence means.

``CrossSectionLesson`` has two sliders, a nucleus (light to heavy) and a neutrino energy, and
four figures:

* dσ/dT at that energy, with the Helm form factor and for a point nucleus (F = 1), the
  largest recoil T_max and the recoil where qR = 1 (coherence fades beyond it) marked;
* T_max = 2E²/(M + 2E) against the nuclear mass: why recoils are keV;
* σ(E)/N² for the COHERENT targets: the N² law, and where the form factor bends it;
* the form factor F²(q) of the nucleus (the explorer's ``FormFactorFigure``), with the
  largest momentum transfer at this energy marked.

Formulas: :mod:`cevns_widgets.physics.cross_sections` (Freedman 1974; Lewin & Smith 1996 for
the Helm form factor).
"""

from __future__ import annotations

import html
import math
from functools import lru_cache

import ipywidgets as W
import numpy as np

from ...physics.constants import HBARC_MeV_fm, PROMPT_NU_ENERGY_MeV
from ...physics.cross_sections import (
    differential_cross_section,
    max_recoil_keV,
    momentum_transfer_fm,
    total_cross_section,
)
from ...physics.form_factors import form_factor, rms_radius_fm
from ...physics.nuclei import make_target
from ...scenario import Scenario
from ..figures import FormFactorFigure
from ..figures.nsquared import REFERENCE_NUCLEI
from ..layout import fluid_row
from ..model import ScenarioModel
from ..style import (
    BLACK,
    BLUE,
    GREEN,
    GREY,
    HIGHLIGHT_COLOR,
    ORANGE,
    PURPLE,
    SHADE_COLOR,
    SKY,
    VERMILION,
    add_current_star,
    style_legend,
)
from ._base import Lesson, safe, sci, slider

__all__ = ["COMPARISON_TARGETS", "CrossSectionLesson", "pretty_nucleus", "sigma_per_nucleus"]

#: Targets compared in the σ/N² figure, with their colours and dash patterns.
COMPARISON_TARGETS = {
    "CsI": (VERMILION, "solid"),
    "Xe": (PURPLE, "dotdash"),
    "NaI": (ORANGE, "dashed"),
    "Ge": (BLUE, "dashdot"),
    "Ar": (GREEN, "dotted"),
}
E_GRID_MeV = np.linspace(1.0, 55.0, 109)
PROTON_MASS_GeV = 0.93827208943  # CODATA 2022 (for the T_max comparison)
#: Typical CEvNS detector thresholds (keVnr) shaded in the T_max figure.
THRESHOLD_BAND_keVnr = (1.0, 10.0)
#: Nuclei named in the T_max figure (the others would overlap).
_LABELLED = {"p", "12C", "23Na", "40Ar", "74Ge", "133Cs", "208Pb"}
#: dσ/dT is drawn up to this multiple of T_max, below this multiple of its peak (the room
#: holds the T_max and qR < 1 labels), with the T_max label this far (px) right of its line
#: and this high (px) above the frame's bottom.
DSIGMA_T_END = 1.1
DSIGMA_HEADROOM = 1.2
TMAX_LABEL_GAP_px = 3
TMAX_LABEL_Y_px = 8
_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _kev(value: float) -> str:
    """Two significant figures without an exponent: 4.5, 0.26, 160 (not 1.6e+02)."""
    rounded = float(f"{value:.2g}")
    return f"{rounded:g}" if rounded < 100 else f"{rounded:.0f}"


def pretty_nucleus(label: str) -> str:
    """'133Cs' -> '¹³³Cs' (other names unchanged)."""
    digits = label[: len(label) - len(label.lstrip("0123456789"))]
    return digits.translate(_SUPERSCRIPTS) + label[len(digits) :] if digits else label


def _weights(target) -> np.ndarray:
    w = np.asarray(target.per_formula_unit, dtype=float)
    return w / w.sum()


@lru_cache(maxsize=64)
def sigma_per_nucleus(target_name: str, form_factor_model: str = "helm") -> np.ndarray:
    """Total cross section per nucleus (cm², averaged over the nuclei of the target) on
    ``E_GRID_MeV``."""
    t = make_target(target_name)
    out = np.zeros_like(E_GRID_MeV)
    for iso, w in zip(t.isotopes, _weights(t), strict=True):
        out += w * total_cross_section(
            E_GRID_MeV, iso.Z, iso.N, iso.A, iso.mass_MeV, form_factor_model=form_factor_model
        )
    return out


def mean_n_squared(target_name: str) -> float:
    t = make_target(target_name)
    return float(np.sum(_weights(t) * t.N**2))


class CrossSectionLesson(Lesson):
    """Coherence, the N² law and keV recoils, for one nucleus at one neutrino energy.

    Args:
        nucleus: one of ``REFERENCE_NUCLEI`` (single isotopes, light to heavy).
        energy_MeV: the neutrino energy to start at (SNS: prompt line 29.8 MeV, delayed up to
            52.8 MeV).

    Sources: ``xs_dsigma`` (``T`` keVnr, ``helm``, ``point`` in cm²/keVnr), ``xs_tmax_curve``
    (``M`` GeV, ``tmax`` keVnr), ``xs_tmax_nuclei`` and ``xs_tmax_current`` (``M``, ``tmax``,
    ``label``), ``xs_sigma_n2`` (``E`` MeV and σ/N² in cm² per target, plus ``current`` and
    ``current_point``), and the explorer's ``form_factor``.
    """

    name = "cross-section"

    def __init__(self, nucleus: str = "133Cs", energy_MeV: float = 30.0):
        super().__init__()
        if nucleus not in REFERENCE_NUCLEI:
            raise ValueError(
                f"nucleus must be one of {', '.join(REFERENCE_NUCLEI)}, got {nucleus!r}"
            )
        self.nucleus_slider = W.SelectionSlider(
            options=[(pretty_nucleus(n), n) for n in REFERENCE_NUCLEI],
            value=nucleus,
            description="Nucleus",
            continuous_update=True,
            tooltip="Light to heavy: carbon-12 to lead-208",
            style={"description_width": "150px"},
            layout=W.Layout(width="470px"),
        )
        self.nucleus_slider.add_class("cevns-nucleus")
        self.energy_slider = slider(
            "Energy E [MeV]",
            energy_MeV,
            5.0,
            55.0,
            0.5,
            fmt=".1f",
            width="470px",
            tooltip="SNS: prompt νμ line at 29.8 MeV, delayed νe and ν̄μ up to 52.8 MeV",
            css="cevns-energy",
            description_width="150px",
        )
        self.readout = W.HTML(layout=W.Layout(width="590px"))
        self.readout.add_class("cevns-lesson-readout")
        self.model = ScenarioModel(preset=None, scenario=Scenario(target=nucleus))
        self.form_factor = FormFactorFigure(self.model, width=540, height=300)
        self._build_figures()
        self._update_nucleus()
        self._update_energy()
        self.nucleus_slider.observe(self._on_nucleus, names="value")
        self.energy_slider.observe(self._on_energy, names="value")
        controls = W.VBox(
            [self.nucleus_slider, self.energy_slider, self.message], layout=W.Layout(width="490px")
        )
        self.widget = self._frame(
            fluid_row(controls, self.readout),
            fluid_row(self._view("xs_dsigma"), self._view("xs_tmax")),
            fluid_row(self._view("xs_sigma_n2"), self._adopt(self.form_factor)),
        )

    # --- state --------------------------------------------------------------------------
    @property
    def nucleus(self) -> str:
        return self.nucleus_slider.value

    @property
    def energy_MeV(self) -> float:
        return float(self.energy_slider.value)

    @property
    def isotope(self):
        return make_target(self.nucleus).isotopes[0]

    def coherence(self) -> dict:
        """Numbers of the readout for the current nucleus and energy (keVnr, fm⁻¹, cm²)."""
        iso, E = self.isotope, self.energy_MeV
        radius = np.sqrt(5.0 / 3.0) * float(rms_radius_fm("helm", iso.A))
        q_coh = 1.0 / radius
        t_coh = (np.sqrt(iso.mass_MeV**2 + (q_coh * HBARC_MeV_fm) ** 2) - iso.mass_MeV) * 1e3
        t_max = float(max_recoil_keV(E, iso.mass_MeV))
        q_max = float(momentum_transfer_fm(t_max, iso.mass_MeV))
        sigma = float(total_cross_section(E, iso.Z, iso.N, iso.A, iso.mass_MeV))
        return {
            "t_max": t_max,
            "q_max": q_max,
            "qR_max": q_max * radius,
            "F2_max": float(form_factor("helm", q_max, iso.A)) ** 2,
            "t_coh": float(t_coh),
            "q_coh": q_coh,
            "radius_fm": radius,
            "sigma": sigma,
            "sigma_over_N2": sigma / iso.N**2,
            "t_max_proton": float(max_recoil_keV(E, PROTON_MASS_GeV * 1e3)),
        }

    # --- figures ------------------------------------------------------------------------
    def _build_figures(self):
        from bokeh.models import (
            BasicTickFormatter,
            BoxAnnotation,
            HoverTool,
            Label,
            LabelSet,
            Span,
        )

        # dσ/dT at fixed E
        fig = self._figure(
            "xs_dsigma",
            "dσ/dT",
            "Recoil energy T [keVnr]",
            "dσ/dT [cm²/keVnr]",
            width=540,
            height=300,
        )
        src = self._source(
            "xs_dsigma", {"T": np.zeros(0), "helm": np.zeros(0), "point": np.zeros(0)}
        )
        fig.line(
            "T",
            "point",
            source=src,
            color=GREY,
            line_width=2.5,
            line_dash="dashed",
            legend_label="point nucleus (F = 1)",
        )
        helm = fig.line(
            "T", "helm", source=src, color=BLUE, line_width=3, legend_label="real nucleus (Helm F²)"
        )
        self.coherent_box = BoxAnnotation(
            left=0, right=0, fill_color=GREEN, fill_alpha=0.12, line_alpha=0, level="underlay"
        )
        self.tmax_span = Span(
            location=0,
            dimension="height",
            line_color=HIGHLIGHT_COLOR,
            line_width=2.5,
            line_dash="dashed",
        )
        # T_max reads upwards just right of its line, where both curves are zero; "qR < 1"
        # sits in the band above the curves' peak (dσ/dT falls from T = 0, F² <= 1): neither
        # can touch a curve, for any nucleus or energy
        self.tmax_label = Label(
            x=0,
            y=TMAX_LABEL_Y_px,
            x_units="data",
            y_units="screen",
            text="T_max",
            text_color=HIGHLIGHT_COLOR,
            text_font_size="11pt",
            text_align="left",
            text_baseline="top",
            angle=math.pi / 2,
            x_offset=TMAX_LABEL_GAP_px,
        )
        self.coh_label = Label(
            x=0,
            y=0,
            x_units="data",
            y_units="data",
            text="qR < 1",
            text_color=GREEN,
            text_font_size="11pt",
            text_baseline="bottom",
            x_offset=4,
        )
        for item in (self.coherent_box, self.tmax_span, self.tmax_label, self.coh_label):
            fig.add_layout(item)
        fig.add_tools(
            HoverTool(
                renderers=[helm],
                mode="vline",
                tooltips=[
                    ("T", "@T{0.00} keVnr"),
                    ("Helm", "@helm{0.00e0} cm²/keV"),
                    ("F = 1", "@point{0.00e0} cm²/keV"),
                ],
            )
        )
        style_legend(fig, "top_right")
        fig.yaxis.formatter = BasicTickFormatter(precision=1)
        fig.x_range.start = 0
        fig.y_range.start = 0

        # T_max against nuclear mass
        fig = self._figure(
            "xs_tmax",
            "Largest recoil T_max = 2E²/(M + 2E)",
            "Nuclear mass M [GeV]",
            "Largest recoil T_max [keVnr]",
            width=540,
            height=300,
            x_axis_type="log",
            y_axis_type="log",
        )
        fig.add_layout(
            BoxAnnotation(
                bottom=THRESHOLD_BAND_keVnr[0],
                top=THRESHOLD_BAND_keVnr[1],
                fill_color=SHADE_COLOR,
                fill_alpha=0.15,
                line_alpha=0,
                level="underlay",
            )
        )
        fig.add_layout(
            Label(
                x=150,
                y=THRESHOLD_BAND_keVnr[1],
                x_units="screen",
                y_units="data",
                text="typical detector thresholds",
                text_font_size="10pt",
                text_color="#555555",
                text_baseline="top",
                y_offset=-2,
            )
        )
        curve = self._source("xs_tmax_curve", {"M": np.zeros(0), "tmax": np.zeros(0)})
        fig.line(
            "M", "tmax", source=curve, color=BLUE, line_width=2.5, legend_label="T_max at this E"
        )
        nuclei = self._source(
            "xs_tmax_nuclei", {"M": np.zeros(0), "tmax": np.zeros(0), "label": []}
        )
        dots = fig.scatter("M", "tmax", source=nuclei, size=9, color=SKY, line_color="#1f4e79")
        fig.add_layout(
            LabelSet(
                x="M",
                y="tmax",
                text="label",
                source=nuclei,
                x_offset=4,
                y_offset=4,
                text_font_size="9pt",
                text_color="#333333",
            )
        )
        current = self._source(
            "xs_tmax_current", {"M": np.zeros(1), "tmax": np.ones(1), "label": [""]}
        )
        add_current_star(fig, "M", "tmax", current, size=22, legend_label="this nucleus")
        fig.add_tools(
            HoverTool(
                renderers=[dots],
                tooltips=[
                    ("nucleus", "@label"),
                    ("M", "@M{0.0} GeV"),
                    ("T_max", "@tmax{0.0} keVnr"),
                ],
            )
        )
        style_legend(fig, "top_right")

        # σ/N² across targets
        fig = self._figure(
            "xs_sigma_n2",
            "σ / N² against energy: the N² law",
            "Neutrino energy E [MeV]",
            "σ / N² per nucleus [cm²]",
            width=540,
            height=300,
        )
        columns = {"E": E_GRID_MeV}
        for target in COMPARISON_TARGETS:
            columns[target] = sigma_per_nucleus(target) / mean_n_squared(target)
        columns["current"] = np.zeros_like(E_GRID_MeV)
        columns["current_point"] = np.zeros_like(E_GRID_MeV)
        src = self._source("xs_sigma_n2", columns)
        fig.line(
            "E",
            "current_point",
            source=src,
            color=BLACK,
            line_width=1.5,
            line_dash="dotted",
            legend_label="this nucleus, F = 1",
        )
        for target, (color, dash) in COMPARISON_TARGETS.items():
            fig.line(
                "E",
                target,
                source=src,
                color=color,
                line_dash=dash,
                line_width=2.5,
                legend_label=target,
            )
        self.current_line = fig.line(
            "E",
            "current",
            source=src,
            color=BLACK,
            line_width=3,
            alpha=0.7,
            legend_label="this nucleus",
        )
        self.energy_span = Span(
            location=0,
            dimension="height",
            line_color=HIGHLIGHT_COLOR,
            line_width=2,
            line_dash="dashed",
        )
        fig.add_layout(self.energy_span)
        fig.add_tools(
            HoverTool(
                renderers=[self.current_line],
                mode="vline",
                tooltips=[
                    ("E", "@E{0.0} MeV"),
                    ("this nucleus", "@current{0.00e0} cm²"),
                    *[(t, f"@{t}{{0.00e0}} cm²") for t in COMPARISON_TARGETS],
                ],
            )
        )
        style_legend(fig, "top_left")
        fig.yaxis.formatter = BasicTickFormatter(precision=1)
        fig.x_range.start = 0
        fig.y_range.start = 0

        # the reused form-factor figure: mark the largest q at this energy
        self.q_span = Span(
            location=0,
            dimension="height",
            line_color=HIGHLIGHT_COLOR,
            line_width=2,
            line_dash="dashed",
        )
        self.form_factor.figure.add_layout(self.q_span)

    # --- updates ------------------------------------------------------------------------
    @safe
    def _on_nucleus(self, _change):
        self._update_nucleus()
        self._update_energy()

    @safe
    def _on_energy(self, _change):
        self._update_energy()

    def _update_nucleus(self):
        nucleus = self.nucleus
        if not self.model.set(target=nucleus):
            raise ValueError(self.model.error)
        iso = self.isotope
        data = self.data("xs_sigma_n2")
        data["current"] = sigma_per_nucleus(nucleus) / iso.N**2
        data["current_point"] = sigma_per_nucleus(nucleus, "none") / iso.N**2
        self.sources["xs_sigma_n2"].data = data
        self.show_error("")

    def _update_energy(self):
        E, iso = self.energy_MeV, self.isotope
        c = self.coherence()
        # up to 1.1 T_max: room right of the T_max line for its label
        T = np.linspace(0.0, c["t_max"] * DSIGMA_T_END, 400)
        opts = (iso.Z, iso.N, iso.A, iso.mass_MeV)
        point = differential_cross_section(T, E, *opts, form_factor_model="none")
        self.sources["xs_dsigma"].data = {
            "T": T,
            "helm": differential_cross_section(T, E, *opts, form_factor_model="helm"),
            "point": point,
        }
        fig = self.figures["xs_dsigma"]
        peak = float(np.max(point))
        self._set(fig.x_range, end=float(T[-1]))
        self._set(fig.y_range, end=peak * DSIGMA_HEADROOM)
        self._set(self.coherent_box, right=min(c["t_coh"], c["t_max"]))
        self._set(self.tmax_span, location=c["t_max"])
        self._set(self.tmax_label, x=c["t_max"], text=f"T_max = {c['t_max']:.3g} keVnr")
        coherent = (
            "qR < 1 for every recoil"
            if c["t_coh"] >= c["t_max"]
            else f"qR < 1 below {_kev(c['t_coh'])} keVnr"
        )
        self._set(self.coh_label, x=0.0, y=peak * 1.03, text=coherent)
        self._set(fig.title, text=f"dσ/dT for {pretty_nucleus(self.nucleus)} at E = {E:g} MeV")

        masses = np.geomspace(0.5, 250.0, 120)
        self.sources["xs_tmax_curve"].data = {"M": masses, "tmax": max_recoil_keV(E, masses * 1e3)}
        names = ["p", *REFERENCE_NUCLEI]
        m_gev = np.array(
            [PROTON_MASS_GeV]
            + [make_target(n).isotopes[0].mass_MeV * 1e-3 for n in REFERENCE_NUCLEI]
        )
        self.sources["xs_tmax_nuclei"].data = {
            "M": m_gev,
            "tmax": max_recoil_keV(E, m_gev * 1e3),
            "label": [pretty_nucleus(n) if n in _LABELLED else "" for n in names],
        }
        self.sources["xs_tmax_current"].data = {
            "M": np.array([iso.mass_MeV * 1e-3]),
            "tmax": np.array([c["t_max"]]),
            "label": [pretty_nucleus(self.nucleus)],
        }
        self._set(
            self.figures["xs_tmax"].title,
            text=f"Largest recoil at E = {E:g} MeV: T_max = 2E²/(M + 2E)",
        )
        self._set(self.energy_span, location=E)
        self._set(self.q_span, location=min(c["q_max"], 0.8))
        self.readout.value = self._readout_html(c)

    def _readout_html(self, c: dict) -> str:
        iso, E = self.isotope, self.energy_MeV
        name = html.escape(pretty_nucleus(self.nucleus))
        prompt = " (the SNS prompt line)" if abs(E - PROMPT_NU_ENERGY_MeV) < 0.3 else ""
        coherent = (
            "every recoil is coherent (qR < 1)"
            if c["t_coh"] >= c["t_max"]
            else f"coherent (qR < 1) below {_kev(c['t_coh'])} keVnr"
        )
        line = '<div style="font-size:15px">'
        return (
            '<div style="line-height:1.3;padding:2px 6px">'
            f'<div style="font-size:16px">{name} (Z = {iso.Z}, N = {iso.N}) hit by a '
            f"{E:g} MeV neutrino{prompt}</div>"
            '<div class="cevns-tmax" style="font-size:34px;font-weight:700">'
            f"T<sub>max</sub> = {c['t_max']:.3g} keVnr</div>"
            f"{line}A free proton would recoil with up to {c['t_max_proton'] / 1e3:.2g} MeV</div>"
            f"{line}{coherent} (radius R = {c['radius_fm']:.2f} fm)</div>"
            f"{line}at T<sub>max</sub>: qR = {c['qR_max']:.2f} and F² = {c['F2_max']:.2f}</div>"
            f"{line}σ = {sci(c['sigma'])} cm² = N² × {sci(c['sigma_over_N2'])} cm²</div></div>"
        )
