"""The N^2 law: flux-averaged CEvNS cross section per nucleus against neutron number."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ...api import Result
from ...physics.nuclei import make_target
from ...physics.rates import PhysicsParams, recoil_spectra
from ..style import GREY, HIGHLIGHT_COLOR, SKY, add_current_star, new_figure, style_legend
from ..units import source_key, threshold_keVnr
from .base import BaseFigure

__all__ = ["NSquaredFigure", "REFERENCE_NUCLEI", "sigma_above"]

#: Nuclei drawn for comparison (single isotopes, light to heavy).
REFERENCE_NUCLEI = (
    "12C",
    "16O",
    "19F",
    "23Na",
    "28Si",
    "40Ar",
    "74Ge",
    "127I",
    "133Cs",
    "132Xe",
    "184W",
    "208Pb",
)


#: Label offsets (px) that keep neighbours' labels apart.
_LABEL_OFFSETS = {
    "127I": (-30, -16),
    "133Cs": (6, 2),
    "132Xe": (6, -14),
    "184W": (-30, 4),
    "208Pb": (6, -10),
}


@lru_cache(maxsize=256)
def _sigma_tail(
    target: str,
    physics: PhysicsParams,
    source: tuple | None = None,
    weights: tuple[float, ...] | None = None,
):
    """(T keVnr, cross section per nucleus above T in cm^2), averaged over the components of
    ``source`` = (name, spectrum key) (None: the three SNS flavours), weighted by
    ``weights`` (each component's share of the neutrinos; None: equal shares)."""
    if source is None:
        rs = recoil_spectra(target, physics, None)
    else:
        rs = recoil_spectra(target, physics, None, source)
    nuclei = float(np.sum(make_target(target).nuclei_per_kg()))
    if weights is None:
        per_nucleus = rs.total() / (len(rs.by_flavor) * nuclei)
    else:
        per_nucleus = (
            sum(w * rs.by_flavor[f].sum(axis=0) for f, w in zip(rs.by_flavor, weights, strict=True))
            / nuclei
        )
    T = rs.T_keV
    seg = 0.5 * (per_nucleus[1:] + per_nucleus[:-1]) * np.diff(T)
    tail = np.append(np.cumsum(seg[::-1])[::-1], 0.0)
    return T, tail


def sigma_above(
    target: str,
    physics: PhysicsParams,
    T_keVnr: float,
    source: tuple | None = None,
    weights: tuple[float, ...] | None = None,
) -> float:
    """Flux-averaged cross section per nucleus (cm^2) for recoils above ``T_keVnr``."""
    T, tail = _sigma_tail(target, physics, source, weights)
    return float(np.interp(T_keVnr, T, tail, right=0.0))


def flux_weights(result: Result) -> tuple[float, ...] | None:
    """Each component's share of the source's neutrinos (the Sun: pp 91 %), to average the
    cross section over the flux; None for the SNS (equal shares of its three flavours)."""
    if result.scenario.source == "sns":
        return None
    fluence = result.fluence_per_cm2
    total = sum(fluence.values())
    if not total > 0:
        return None
    return tuple(round(fluence[c] / total, 12) for c in result.components)


#: How the title names a source's neutrinos.
_WHERE = {"reactor": "reactor ", "solar": "solar ", "supernova": "supernova ", "diffuse": "sky "}


def _positive(values):
    v = np.asarray(values, dtype=float)
    return np.where(v > 0, v, np.nan)


class NSquaredFigure(BaseFigure):
    """Cross section per nucleus above the current threshold (keVnr) against N, log-log.

    Sources: ``nsquared_reference`` (``N``, ``sigma``, ``label`` for the reference nuclei, with
    the current form factor model), ``nsquared_line`` (the N^2 line through them at zero
    threshold) and ``nsquared_current`` (the current target with all its physics settings:
    it moves as the controls move).
    """

    name = "nsquared"
    default_width = 430
    default_height = 300

    def _build(self):
        from bokeh.models import HoverTool, LabelSet

        fig = new_figure(
            "N² law",
            "Neutron number N [dimensionless]",
            "σ per nucleus [cm²]",
            width=self.width,
            height=self.height,
            x_axis_type="log",
            y_axis_type="log",
        )
        fig.xaxis.ticker = [2, 5, 10, 20, 50, 100, 200]
        nan = np.full(1, np.nan)
        line = self._source("nsquared_line", {"N": nan, "sigma": nan})
        ref = self._source(
            "nsquared_reference",
            {"N": nan, "sigma": nan, "label": np.array([""]), "dx": np.zeros(1), "dy": np.zeros(1)},
        )
        cur = self._source("nsquared_current", {"N": nan, "sigma": nan, "label": np.array([""])})
        fig.line(
            "N",
            "sigma",
            source=line,
            color=GREY,
            line_dash="dashed",
            line_width=2,
            legend_label="∝ N² (no threshold)",
        )
        dots = fig.scatter(
            "N",
            "sigma",
            source=ref,
            size=9,
            color=SKY,
            line_color="#1f4e79",
            legend_label="reference nuclei",
        )
        fig.add_layout(
            LabelSet(
                x="N",
                y="sigma",
                text="label",
                source=ref,
                x_offset="dx",
                y_offset="dy",
                text_font_size="9pt",
                text_color="#333333",
            )
        )
        star = add_current_star(fig, "N", "sigma", cur, size=22, legend_label="this target")
        fig.add_layout(
            LabelSet(
                x="N",
                y="sigma",
                text="label",
                source=cur,
                x_offset=-8,
                y_offset=10,
                text_font_size="11pt",
                text_font_style="bold",
                text_color=HIGHLIGHT_COLOR,
                text_align="right",
            )
        )
        fig.add_tools(
            HoverTool(
                renderers=[dots, star],
                tooltips=[("nucleus", "@label"), ("N", "@N{0.0}"), ("σ", "@sigma{0.00e0} cm²")],
            )
        )
        style_legend(fig, "bottom_right")
        return fig

    def _update(self, result: Result) -> None:
        s = result.scenario
        T_thr = threshold_keVnr(s)
        ref_physics = PhysicsParams(form_factor=s.form_factor)
        src = source_key(s)
        w = flux_weights(result)
        if self._changed("line", (ref_physics, src, w)):
            N = np.array([make_target(n).mean_neutron_number() for n in REFERENCE_NUCLEI])
            sig0 = np.array([sigma_above(n, ref_physics, 0.0, src, w) for n in REFERENCE_NUCLEI])
            c = float(np.median(sig0 / N**2))
            n_line = np.geomspace(4.0, 160.0, 50)
            self.sources["nsquared_line"].data = {"N": n_line, "sigma": c * n_line**2}
        if self._changed("reference", (ref_physics, T_thr, src, w)):
            N = np.array([make_target(n).mean_neutron_number() for n in REFERENCE_NUCLEI])
            sig = np.array([sigma_above(n, ref_physics, T_thr, src, w) for n in REFERENCE_NUCLEI])
            dx, dy = zip(*(_LABEL_OFFSETS.get(n, (6, -5)) for n in REFERENCE_NUCLEI), strict=True)
            self.sources["nsquared_reference"].data = {
                "N": N,
                "sigma": _positive(sig),
                "label": np.array(REFERENCE_NUCLEI),
                "dx": np.array(dx, dtype=float),
                "dy": np.array(dy, dtype=float),
            }
            where = _WHERE.get(s.source, "")
            self._set(
                self.figure.title,
                text=f"N² law: {where}flux-averaged σ above T = {T_thr:.3g} keVnr",
            )
        current = (s.target, s.physics, T_thr, src, w)
        if self._changed("current", current):
            sigma = sigma_above(s.target, s.physics, T_thr, src, w)
            self.sources["nsquared_current"].data = {
                "N": np.array([make_target(s.target).mean_neutron_number()]),
                "sigma": _positive([sigma]),
                "label": np.array([s.target]),
            }
