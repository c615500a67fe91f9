"""The nuclear form factor F^2(q) of the target's heaviest isotope, coherence limit marked."""

from __future__ import annotations

import numpy as np

from ...api import Result
from ...physics.constants import HBARC_MeV_fm
from ...physics.cross_sections import max_recoil_keV
from ...physics.form_factors import form_factor, neutron_rms_radius_fm, rms_radius_fm
from ...physics.nuclei import make_target
from ...physics.sources import sns
from ..style import BLUE, GREY, SHADE_COLOR, VERMILION, new_figure, style_legend
from .base import BaseFigure


def _max_energy_MeV(result) -> float:
    """The largest neutrino energy of the scenario's source (SNS: the Michel endpoint)."""
    if result.scenario.source == "sns":
        return sns.flavor_spectra()["delayed_nue"].max_energy_MeV
    src = result.source
    spectra = src.spectra(*src.spectrum_key(result.scenario))
    return max(sp.max_energy_MeV for sp in spectra.values())


__all__ = ["FormFactorFigure"]

Q_MAX_PLOT = 0.8  # fm^-1
_SHORT = {
    "helm": "Helm",
    "klein-nystrand": "Klein-Nystrand",
    "fermi": "sym. Fermi",
    "none": "F = 1",
}


def _q_fm(T_keV, M_MeV):
    T = np.asarray(T_keV) * 1e-3
    return np.sqrt(2 * M_MeV * T + T**2) / HBARC_MeV_fm


class FormFactorFigure(BaseFigure):
    """F^2(q) for neutrons (model radius plus the neutron skin) and protons of the heaviest
    isotope.

    Source ``form_factor``: ``q`` (fm^-1), ``F2_neutron``, ``F2_proton``. The dotted line marks
    qR = 1 (R = sqrt(5/3) r_rms, the equivalent sphere): coherence holds well to its left. The
    grey region is beyond the largest q SNS neutrinos (52.8 MeV) can reach.
    """

    name = "form_factor"
    default_width = 430
    default_height = 260

    def _build(self):
        from bokeh.models import BoxAnnotation, HoverTool, Span

        fig = new_figure(
            "Form factor",
            "Momentum transfer q [fm⁻¹]",
            "F²(q) [dimensionless]",
            width=self.width,
            height=self.height,
        )
        q = np.linspace(0.0, Q_MAX_PLOT, 241)
        src = self._source(
            "form_factor", {"q": q, "F2_neutron": np.ones_like(q), "F2_proton": np.ones_like(q)}
        )
        n = fig.line(
            "q", "F2_neutron", source=src, color=BLUE, line_width=3, legend_label="neutrons"
        )
        fig.line(
            "q",
            "F2_proton",
            source=src,
            color=VERMILION,
            line_width=2,
            line_dash="dashed",
            legend_label="protons",
        )
        self.coherence = Span(
            location=0.2, dimension="height", line_color=GREY, line_dash="dotted", line_width=2
        )
        self.reach = BoxAnnotation(
            left=Q_MAX_PLOT, fill_color=SHADE_COLOR, fill_alpha=0.2, line_alpha=0, level="underlay"
        )
        fig.add_layout(self.coherence)
        fig.add_layout(self.reach)
        fig.add_tools(
            HoverTool(
                renderers=[n],
                mode="vline",
                tooltips=[
                    ("q", "@q{0.000} fm⁻¹"),
                    ("F² neutrons", "@F2_neutron{0.000}"),
                    ("F² protons", "@F2_proton{0.000}"),
                ],
            )
        )
        style_legend(fig, "top_right")
        fig.y_range.start = 0
        fig.y_range.end = 1.05
        fig.x_range.start = 0
        fig.x_range.end = Q_MAX_PLOT
        return fig

    def _update(self, result: Result) -> None:
        s = result.scenario
        key = (s.target, s.form_factor, s.neutron_skin_fm, s.source)
        if not self._changed("data", key):
            return
        target = make_target(s.target)
        iso = max(target.isotopes, key=lambda i: i.A)
        q = self.sources["form_factor"].data["q"]
        model = s.form_factor
        f_p = np.asarray(form_factor(model, q, iso.A))
        skin = s.neutron_skin_fm if model != "none" else 0.0
        radius = float(neutron_rms_radius_fm(model, iso.A, iso.N, skin)) if skin else None
        f_n = np.asarray(form_factor(model, q, iso.A, radius)) if radius else f_p
        self.sources["form_factor"].data = {"q": q, "F2_neutron": f_n**2, "F2_proton": f_p**2}
        rms = radius or float(rms_radius_fm(model if model != "none" else "helm", iso.A))
        q_coh = 1.0 / (np.sqrt(5.0 / 3.0) * rms)
        q_reach = float(_q_fm(max_recoil_keV(_max_energy_MeV(result), iso.mass_MeV), iso.mass_MeV))
        self._set(self.coherence, location=float(q_coh))
        self._set(self.reach, left=min(q_reach, Q_MAX_PLOT))
        self._set(
            self.figure.title, text=(f"{iso.label}, {_SHORT[model]}: qR = 1 at {q_coh:.2f} fm⁻¹")
        )
