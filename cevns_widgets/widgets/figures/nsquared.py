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


#: Marker sizes (px): a label starts clear of its marker (half the size plus a gap).
DOT_SIZE = 9
STAR_SIZE = 22
#: Where each reference nucleus's label sits, in order of N: above ("a") or below ("b") the
#: dot, alternating so neighbours' labels never meet; 132Xe (same N as 133Cs) to the right.
_LABEL_SIDES = {"132Xe": "r", "184W": "a", "208Pb": "b"}
#: Screen offsets (dx, dy px; +dy is up), text_align and text_baseline of each side.
_SIDES = {
    "a": (0.0, DOT_SIZE / 2 + 3, "center", "bottom"),
    "b": (0.0, -(DOT_SIZE / 2 + 3), "center", "top"),
    "r": (DOT_SIZE / 2 + 4, 0.0, "left", "middle"),
}
#: Cross sections this far below the largest shown are drawn on the floor, like zero.
DYNAMIC_RANGE = 1e-12
#: Below this N (hydrogen: N ~ 0) the star is pinned at the axis' left end (log axis).
N_MIN_DRAWN = 0.5
#: Legend corners tried, the emptiest wins (a high threshold turns the N^2 law over).
_CORNERS = ("top_left", "bottom_right", "top_right", "bottom_left")


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


def _sigma_text(sigma: float, least: float) -> str:
    if sigma <= 0:
        return "0: T above its largest recoil"
    return f"{sigma:.3g} cm²" + ("" if sigma >= least else ": ≈ 0, on the floor")


def _log_range(values, pad_low: float, pad_high: float) -> tuple[float, float]:
    """(start, end) of a log axis around the positive ``values``, padded by these fractions
    of its span (at least one decade)."""
    lo, hi = np.log10(np.min(values)), np.log10(np.max(values))
    span = max(hi - lo, 1.0)
    mid = 0.5 * (lo + hi)
    lo, hi = min(lo, mid - 0.5 * span), max(hi, mid + 0.5 * span)
    return float(10 ** (lo - pad_low * span)), float(10 ** (hi + pad_high * span))


def _fraction(value, start: float, end: float):
    """Where ``value`` lies on a log axis from ``start`` to ``end`` (0 to 1)."""
    return np.log10(np.asarray(value, dtype=float) / start) / np.log10(end / start)


def _emptiest_corner(fx, fy, current: str) -> str:
    """The legend corner covering the fewest points (axis fractions ``fx``, ``fy``); the
    current one unless another is strictly emptier (no flip-flop while dragging)."""

    def covered(corner: str) -> int:
        top, left = corner.startswith("top"), corner.endswith("left")
        in_x = fx < 0.42 if left else fx > 0.58
        in_y = fy > 0.62 if top else fy < 0.38
        return int(np.sum(in_x & in_y))

    best = min(_CORNERS, key=covered)
    return current if covered(current) <= covered(best) else best


class NSquaredFigure(BaseFigure):
    """Cross section per nucleus above the current threshold (keVnr) against N, log-log.

    Sources: ``nsquared_reference`` (``N``, ``sigma``, ``label`` for the reference nuclei, with
    the current form factor model), ``nsquared_line`` (the N^2 line through them at zero
    threshold, across the x range) and ``nsquared_current`` (the current target with all its
    physics settings: it moves as the controls move). ``y`` (and the star's ``x``) is where a
    marker is drawn: ``sigma``, or the floor of the axis for a nucleus with no recoil above
    the threshold (a down triangle, ``sigma`` 0); ``dx``, ``dy``, ``align``, ``baseline``
    place each label beside its marker; ``note`` is the hover text. The axis ranges are
    fixed ranges fitted to all of them.
    """

    name = "nsquared"
    default_width = 430
    default_height = 300

    def _build(self):
        from bokeh.core.properties import field
        from bokeh.models import HoverTool, LabelSet, Range1d

        fig = new_figure(
            "N² law",
            "Neutron number N [dimensionless]",
            "σ per nucleus [cm²]",
            width=self.width,
            height=self.height,
            x_axis_type="log",
            y_axis_type="log",
        )
        fig.xaxis.ticker = [0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500]
        # fixed ranges set from Python (_draw): every nucleus, the star and their labels in view
        fig.x_range = Range1d(3.0, 200.0)
        fig.y_range = Range1d(1e-42, 1e-37)
        line = self._source("nsquared_line", {"N": np.ones(1), "sigma": np.ones(1)})
        text = {"label": [""], "dx": [0.0], "dy": [0.0], "align": ["left"], "baseline": ["top"]}
        ref = self._source(
            "nsquared_reference",
            {"N": [1.0], "sigma": [0.0], "y": [1.0], "marker": ["circle"], **text, "note": [""]},
        )
        cur = self._source(
            "nsquared_current",
            {"N": [1.0], "x": [1.0], "sigma": [0.0], "y": [1.0], **text, "note": [""]},
        )
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
            "y",
            source=ref,
            marker=field("marker"),
            size=DOT_SIZE,
            color=SKY,
            line_color="#1f4e79",
            legend_label="reference nuclei",
        )
        fig.add_layout(
            LabelSet(
                x="N",
                y="y",
                text="label",
                source=ref,
                x_offset=field("dx"),
                y_offset=field("dy"),
                text_align=field("align"),
                text_baseline=field("baseline"),
                text_font_size="9pt",
                text_color="#333333",
            )
        )
        star = add_current_star(fig, "x", "y", cur, size=STAR_SIZE, legend_label="this target")
        fig.add_layout(
            LabelSet(
                x="x",
                y="y",
                text="label",
                source=cur,
                x_offset=field("dx"),
                y_offset=field("dy"),
                text_align=field("align"),
                text_baseline=field("baseline"),
                text_font_size="11pt",
                text_font_style="bold",
                text_color=HIGHLIGHT_COLOR,
            )
        )
        fig.add_tools(
            HoverTool(
                renderers=[dots, star],
                tooltips=[("nucleus", "@label"), ("N", "@N{0.0}"), ("σ", "@note")],
            )
        )
        style_legend(fig, _CORNERS[0])
        return fig

    def _update(self, result: Result) -> None:
        s = result.scenario
        T_thr = threshold_keVnr(s)
        ref_physics = PhysicsParams(form_factor=s.form_factor)
        src = source_key(s)
        w = flux_weights(result)
        changed = False
        if self._changed("line", (ref_physics, src, w)):
            N = np.array([make_target(n).mean_neutron_number() for n in REFERENCE_NUCLEI])
            sig0 = np.array([sigma_above(n, ref_physics, 0.0, src, w) for n in REFERENCE_NUCLEI])
            self._norm = float(np.median(sig0 / N**2))
            changed = True
        if self._changed("reference", (ref_physics, T_thr, src, w)):
            N = np.array([make_target(n).mean_neutron_number() for n in REFERENCE_NUCLEI])
            sig = np.array([sigma_above(n, ref_physics, T_thr, src, w) for n in REFERENCE_NUCLEI])
            self._ref = (N, sig)
            self._title = (
                f"N² law: {_WHERE.get(s.source, '')}flux-averaged σ above T = {T_thr:.3g} keVnr"
            )
            changed = True
        current = (s.target, s.physics, T_thr, src, w)
        if self._changed("current", current):
            sigma = sigma_above(s.target, s.physics, T_thr, src, w)
            self._cur = (make_target(s.target).mean_neutron_number(), sigma, s.target)
            changed = True
        if changed:
            self._draw()

    def _draw(self) -> None:
        """Ranges that hold every nucleus, the star and their labels; a nucleus with no
        recoil above the threshold (sigma = 0, nothing on a log axis) sits on the floor as a
        down triangle instead of vanishing; each label beside its marker, never on it."""
        N, sig = self._ref
        n_cur, sig_cur, target = self._cur
        x_cur = max(n_cur, N_MIN_DRAWN)
        x0, x1 = min(N.min(), x_cur) / 1.6, max(N.max(), x_cur) * 1.5
        n_line = np.geomspace(x0, x1, 50)
        line = self._norm * n_line**2
        # a tail 10^-12 below the largest cross section (or none) is drawn on the floor:
        # the sky's 100 MeV recoils leave lead 10^-200 of carbon's, 200 decades of axis
        least = DYNAMIC_RANGE * max(float(sig.max()), sig_cur, float(line.max()))
        zero = bool(np.any(sig < least) or sig_cur < least)
        positive = np.concatenate([sig[sig >= least], [sig_cur] if sig_cur >= least else [], line])
        # room above for the labels over the dots and the star's; below for the floor row
        y0, y1 = _log_range(positive, 0.18 if zero else 0.1, 0.25)
        floor = float(y0 * (y1 / y0) ** 0.06)
        y = np.where(sig >= least, sig, floor)
        fy = _fraction(y, y0, y1)
        sides = []
        for i, name in enumerate(REFERENCE_NUCLEI):
            side = _LABEL_SIDES.get(name, "ab"[i % 2])
            if side == "b" and fy[i] < 0.2:
                side = "a"  # no room below: above
            elif side == "a" and fy[i] > 0.85:
                side = "b"
            sides.append(_SIDES[side])
        dx, dy, align, baseline = (list(col) for col in zip(*sides, strict=True))
        self._send("nsquared_line", {"N": n_line, "sigma": line})
        self._send(
            "nsquared_reference",
            {
                "N": N,
                "sigma": sig,
                "y": y,
                "marker": ["circle" if v >= least else "inverted_triangle" for v in sig],
                "label": list(REFERENCE_NUCLEI),
                "dx": dx,
                "dy": dy,
                "align": align,
                "baseline": baseline,
                "note": [_sigma_text(v, least) for v in sig],
            },
        )
        # the star's label up and to the left, right of it near the left end, below it near
        # the top: its box starts half a star away in both directions
        y_cur = sig_cur if sig_cur >= least else floor
        fx_cur, fy_cur = _fraction(x_cur, x0, x1), _fraction(y_cur, y0, y1)
        away = STAR_SIZE / 2 + 2
        label = target if n_cur >= N_MIN_DRAWN else f"{target} (N = {n_cur:.2g})"
        self._send(
            "nsquared_current",
            {
                "N": [n_cur],
                "x": [x_cur],
                "sigma": [sig_cur],
                "y": [y_cur],
                "label": [label],
                "dx": [away if fx_cur < 0.3 else -away],
                "dy": [-away if fy_cur > 0.75 else away],
                "align": ["left" if fx_cur < 0.3 else "right"],
                "baseline": ["top" if fy_cur > 0.75 else "bottom"],
                "note": [_sigma_text(sig_cur, least)],
            },
        )
        fig = self.figure
        self._set(fig.x_range, start=x0, end=x1, reset_start=x0, reset_end=x1)
        self._set(fig.y_range, start=y0, end=y1, reset_start=y0, reset_end=y1)
        fx = _fraction(np.append(N, x_cur), x0, x1)
        fy = np.append(fy, fy_cur)
        legend = fig.legend[0]
        self._set(legend, location=_emptiest_corner(fx, fy, legend.location))
        self._set(fig.title, text=self._title + (" (▼: none above T)" if zero else ""))
