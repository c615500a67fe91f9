"""Notebook 10, what the data say: the likelihood fits of the released data, live.

Four lessons, each a thin view of :mod:`cevns_widgets.stats` (nothing is fitted here):

* :class:`FitLesson` -- the fit over the data. The beam-on counts minus the fitted
  backgrounds (the residual), projected on energy (PE or keVee) and on arrival time, with
  the fitted CEvNS template and the Standard-Model prediction over it, for CsI[Na] 2017,
  argon 2020 and CsI[Na] 2021 (:func:`cevns_widgets.stats.fit`); the headline next to the
  paper's.
* :class:`NSIMapLesson` -- Fig. 4 of the 2017 paper, live: the Δχ² map over the νe vector
  NSI couplings (ε_ee^uV, ε_ee^dV) from :func:`cevns_widgets.stats.nsi_scan` for CsI,
  argon or both, with its 68/90/99 % contours. A click on the map (or the two sliders, or
  a typed pair) picks a point; the CsI 2017 CEvNS spectrum predicted there is drawn over
  the data's residual.
* :class:`PlannerLesson` -- :func:`cevns_widgets.stats.planner.plan` with sliders: the
  expected significance against days of beam, and the days to 3σ and 5σ.
* :class:`ProfilesLesson` -- the profile likelihood of sin²θ_W (CsI, argon, combined).

Everything expensive is computed once per kernel and cached (the fits, each map, the
profiles, each planner configuration), so a control recomputes only what it changes.
:func:`fits_table` is the notebook's table of the three fits and
:func:`exercise_numbers` the numbers behind its answers.

Data: COHERENT, Science 357 (2017) 1123 (release arXiv:1804.09459); PRL 126 (2021) 012002
(release arXiv:2006.12659); PRL 129 (2022) 081801 (release with arXiv:2110.07730).
"""

from __future__ import annotations

import dataclasses
import html
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache

import ipywidgets as W
import numpy as np

from ...stats import csi2017, csi2021, lar2020
from ...stats import planner as planning
from ...stats._profile import NU, C, R
from ...stats.fit import FitResult, fit
from ...stats.nsi import DELTA_CHI2_2DOF, NSIScan, basis_weights, nsi_model, nsi_scan
from ...stats.profiles import DELTA_CHI2_1DOF, PARAMETERS, ProfileResult, profile
from ..controls import is_echo
from ..layout import fluid_row
from ..readout import format_events
from ..style import BLACK, BLUE, GREY, ORANGE, PURPLE, VERMILION, style_legend
from ._base import Lesson, html_table, safe, slider, table_widget

__all__ = [
    "FitLesson",
    "FitProjection",
    "NSIMapLesson",
    "PlannerLesson",
    "ProfilesLesson",
    "exercise_numbers",
    "fit_projection",
    "fits_table",
    "nsi_map",
    "nsi_spectrum",
    "planned",
    "sin2w_profiles",
]

CSI, LAR, CSI21 = csi2017.NAME, lar2020.NAME, csi2021.NAME
COMBINED = f"{CSI}+{LAR}"
#: The datasets of the fit lesson and their short names.
FIT_DATASETS = {CSI: "CsI[Na] 2017", LAR: "argon 2020", CSI21: "CsI[Na] 2021"}
#: Where each paper's numbers come from.
PAPERS = {
    CSI: "COHERENT, Science 357 (2017) 1123",
    LAR: "COHERENT, PRL 126 (2021) 012002 (analysis A)",
    CSI21: "COHERENT, PRL 129 (2022) 081801",
}
#: The datasets of the NSI map, their names and the grid points per axis over [-1, 1]: the
#: stats defaults for one experiment; the combination (11 s for 41 x 41) on a coarser grid.
MAP_DATASETS = {CSI: "CsI 2017", LAR: "argon 2020", COMBINED: "CsI + argon"}
MAP_POINTS = {CSI: 101, LAR: 51, COMBINED: 25}
#: The combined map is computed in this many strips, with a progress line between them.
COMBINED_PARTS = 5
#: Contours of the map: confidence level, label, colour, dash, width.
LEVELS = (
    (0.68, "68 %", VERMILION, "solid", 3.5),
    (0.90, "90 %", BLACK, "dashed", 2.5),
    (0.99, "99 %", BLACK, "dotted", 2.5),
)
#: Δχ² where the map's colour saturates.
DCHI2_MAX = 25.0
#: Days of beam of the planner's curve, and its significance axis (σ).
PLAN_DAYS = np.geomspace(1.0, 3000.0, 20)
PLAN_SIGMA_RANGE = (0.0, 20.0)
#: The 2017 data: live days with beam, and the paper's observed significance.
LIVE_DAYS_2017 = 308.1
#: Colours of the three datasets in the profiles figure.
PROFILE_STYLE = {
    CSI: ("CsI 2017", BLUE, "solid", 2.5),
    LAR: ("argon 2020", ORANGE, "dashed", 2.5),
    COMBINED: ("CsI + argon", BLACK, "solid", 3.5),
}

_SIGN = str.maketrans("-", "−")


def _num(value: float, fmt: str = ".2f") -> str:
    """A signed number with a real minus sign."""
    return format(value, fmt).translate(_SIGN)


def _readout(css: str, width: str = "520px") -> W.HTML:
    widget = W.HTML(layout=W.Layout(width=width))
    widget.add_class("cevns-lesson-readout")
    widget.add_class(css)
    return widget


def _stairs(edges: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A histogram as a polyline: x = e0 e1 e1 e2 ..., y = v0 v0 v1 v1 ..."""
    return np.repeat(edges, 2)[1:-1], np.repeat(values, 2)


# =========================================================================== 1. the fits


@dataclass(frozen=True, eq=False)
class Histogram:
    """One projection of a fit (events per bin): data minus fitted backgrounds, its 1σ
    error, the fitted CEvNS and the Standard-Model prediction."""

    edges: np.ndarray
    residual: np.ndarray
    error: np.ndarray
    fitted: np.ndarray
    predicted: np.ndarray

    @property
    def widths(self) -> np.ndarray:
        return np.diff(self.edges)

    @property
    def centres(self) -> np.ndarray:
        return 0.5 * (self.edges[1:] + self.edges[:-1])


@dataclass(frozen=True, eq=False)
class FitProjection:
    """The fit of one dataset (``result``) projected on energy and on arrival time."""

    dataset: str
    result: FitResult
    energy: Histogram
    time: Histogram
    energy_label: str
    energy_unit: str


def _project(cells: dict, var_e: np.ndarray, var_t: np.ndarray) -> tuple[Histogram, Histogram]:
    """Histograms from per-cell (energy, time) arrays and the projected variances."""
    resid = cells["data"] - cells["background"]
    out = []
    for axis, edges, var in ((1, cells["e_edges"], var_e), (0, cells["t_edges"], var_t)):
        out.append(
            Histogram(
                edges=np.asarray(edges, dtype=float),
                residual=resid.sum(axis=axis),
                error=np.sqrt(np.maximum(var, 0.0)),
                fitted=cells["fitted"].sum(axis=axis),
                predicted=cells["predicted"].sum(axis=axis),
            )
        )
    return out[0], out[1]


def _csi2017_cells() -> tuple[dict, np.ndarray, np.ndarray]:
    """CsI 2017 at the best fit of :func:`~cevns_widgets.stats.fit` (the same profile)."""
    model = csi2017.sm_model()
    reg = csi2017.region()
    w = np.ones((1, 2))
    theta = model.normalised.profile(w).params
    # the model's per-cell arrays at the fitted nuisances: CEvNS template and steady state
    st = model.normalised._state(theta, w)
    shape = reg.data.n.shape
    steady = st["b"][0].reshape(shape)
    r = float(theta[0, R])
    sm_theta = np.array([[1.0, 0.0, 1.0, r]])  # the SM count at the nominal quenching
    data = reg.data.n.astype(float)
    cells = {
        "e_edges": reg.pe_edges,
        "t_edges": reg.time_edges_us,
        "data": data,
        "background": steady + float(theta[0, NU]) * np.asarray(reg.data.neutrons, dtype=float),
        "fitted": float(theta[0, C]) * st["tmpl"][0].reshape(shape),
        "predicted": model.likelihood._state(sm_theta, w)["tmpl"][0].reshape(shape),
    }
    # the steady state is measured in the anticoincidence and beam-off windows, 1 + 2r
    # times the beam-on exposure: its estimate has variance b / (1 + 2r)
    var_b = steady / (1.0 + 2.0 * r)
    return cells, data.sum(1) + var_b.sum(1), data.sum(0) + var_b.sum(0)


def _lar2020_cells() -> tuple[dict, np.ndarray, np.ndarray]:
    """Argon 2020 at the release-PDF fit (summed over F90)."""
    m = lar2020.model()
    p = lar2020.profiled().params
    th = p[4:]
    cevns, _ = m.cevns.evaluate(th)
    brn, _ = m.prompt_brn.evaluate(th)
    background = p[1] * brn + p[2] * m.delayed_brn + p[3] * m.steady_state
    e_c, ie = np.unique(m.grid[:, 0], return_inverse=True)
    t_c, it = np.unique(m.grid[:, 2], return_inverse=True)

    def grid2d(values):
        out = np.zeros((e_c.size, t_c.size))
        np.add.at(out, (ie, it), values)
        return out

    def edges(c):
        h = 0.5 * float(np.min(np.diff(c)))
        return np.append(c - h, c[-1] + h)

    data = grid2d(m.counts)
    cells = {
        "e_edges": edges(e_c),
        "t_edges": edges(t_c),
        "data": data,
        "background": grid2d(background),
        "fitted": grid2d(p[0] * cevns),
        "predicted": grid2d(m.sm_events * m.cevns.nominal),
    }
    # the backgrounds' shapes come from high-statistics release PDFs: data noise only
    return cells, data.sum(1), data.sum(0)


def _csi2021_cells() -> tuple[dict, np.ndarray, np.ndarray]:
    """CsI 2021 at its best fit (steady state: the anticoincidence PE spectrum)."""
    m = csi2021.model()
    _v, p = m.minimise()
    d = m.data
    shape = d.n.shape
    s = m.expected_beam(p)
    steady = m.steady_state(np.maximum(s, 0.0), p).reshape(shape)
    data = d.n.astype(float)
    cells = {
        "e_edges": csi2021.PE_EDGES,
        "t_edges": csi2021.TIME_EDGES_US,
        "data": data,
        "background": p[1] * d.brn + p[2] * d.nin + steady,
        "fitted": (p[0] * m.shape).reshape(shape),
        "predicted": (m.sm_events * m.shape).reshape(shape),
    }
    # the steady state is nu_ss x the AC counts of each PE bin spread flat in time
    nt = shape[1]
    var_e = data.sum(1) + p[3] ** 2 * d.a.sum(1)
    var_t = data.sum(0) + p[3] ** 2 * d.a.sum() / nt**2
    return cells, var_e, var_t


_CELLS: dict[str, tuple[Callable, str, str]] = {
    CSI: (_csi2017_cells, "Light collected [PE]", "PE"),
    LAR: (_lar2020_cells, "Energy [keVee]", "keVee"),
    CSI21: (_csi2021_cells, "Light collected [PE]", "PE"),
}


def _check_fit_dataset(dataset) -> str:
    if dataset not in FIT_DATASETS:
        raise ValueError(f"dataset must be one of {', '.join(FIT_DATASETS)}; got {dataset!r}")
    return dataset


@cache
def fit_projection(dataset: str = CSI) -> FitProjection:
    """The fit of ``dataset`` (:func:`cevns_widgets.stats.fit`) and its projections."""
    _check_fit_dataset(dataset)
    result = fit(dataset)
    make, label, unit = _CELLS[dataset]
    cells, var_e, var_t = make()
    energy, time = _project(cells, var_e, var_t)
    return FitProjection(dataset, result, energy, time, label, unit)


def _published(result: FitResult) -> tuple[str, str]:
    """The paper's 'N ± e events' and 'Zσ' (or '–')."""
    pub = result.published
    events = f"{pub['cevns_events']:.0f} ± {pub['cevns_events_error']:.0f}"
    z = pub.get("significance_sigma")
    return events, (f"{z:g}σ" if z else "–")


def fits_table() -> W.HTML:
    """The three fits of this library next to the papers' results."""
    rows = []
    for ds, name in FIT_DATASETS.items():
        r = fit_projection(ds).result
        events, z = _published(r)
        rows.append(
            [
                name,
                f"<b>{r.cevns_events:.0f} ± {r.cevns_events_error:.0f}</b>",
                f"<b>{r.significance_sigma:.1f}σ</b>",
                f"{r.sm_prediction:.0f}",
                events,
                z,
                html.escape(PAPERS[ds]),
            ]
        )
    table = html_table(
        ["dataset", "fit [events]", "significance", "SM prediction", "paper", "paper σ", "paper"],
        rows,
        caption="CEvNS events fitted to the released data (68 % interval), against the papers",
        align="lrrrrrl",
    )
    note = (
        '<div style="font-size:14px;max-width:900px">The fits are this library\'s '
        "(<code>cevns fit</code>): its own CEvNS template, the released backgrounds and "
        "Wilks' theorem. The argon prediction (128) is the release's; the CsI 2021 paper's "
        "significance is not in its data release.</div>"
    )
    return table_widget(table + note, "cevns-data-fits-table")


class FitLesson(Lesson):
    """The fit over the data: residual (data minus fitted backgrounds) in energy and in
    arrival time with the fitted CEvNS over it, for one of three released datasets.

    Sources: ``fit_energy`` and ``fit_time`` (``x`` bin centres, ``y`` residual per unit,
    ``lo``/``hi`` its 1σ band), ``fit_energy_model`` and ``fit_time_model`` (``x`` and the
    stairs ``fitted`` and ``predicted`` per unit).
    """

    name = "datafit"

    def __init__(self, dataset: str = CSI):
        super().__init__()
        self.dataset = _check_fit_dataset(dataset)
        self.dataset_buttons = W.ToggleButtons(
            options=[(name, ds) for ds, name in FIT_DATASETS.items()],
            value=self.dataset,
            description="Dataset",
            tooltips=[PAPERS[ds] for ds in FIT_DATASETS],
            style={"description_width": "80px", "button_width": "130px"},
        )
        self.dataset_buttons.add_class("cevns-datafit-dataset")
        self.dataset_buttons.observe(self._on_dataset, names="value")
        self.readout = _readout("cevns-datafit-readout", "540px")
        self._build_figures()
        self._update()
        controls = W.VBox([self.dataset_buttons, self.message], layout=W.Layout(width="520px"))
        self.widget = self._frame(
            fluid_row(controls, self.readout),
            fluid_row(self._view("fit_energy"), self._view("fit_time")),
        )

    @property
    def projection(self) -> FitProjection:
        return fit_projection(self.dataset)

    def _build_figures(self):
        from bokeh.models import Range1d, Span

        none = np.zeros(0)
        for key, x_label, unit in (
            ("fit_energy", "Light collected [PE]", "PE"),
            ("fit_time", "Arrival time after the beam pulse [µs]", "µs"),
        ):
            fig = self._figure(
                key,
                "",
                x_label,
                f"Beam on − background [events/{unit}]",
                width=540,
                height=330,
                x_range=Range1d(0.0, 1.0),
            )
            fig.add_layout(Span(location=0.0, dimension="width", line_color=GREY, line_width=1))
            model = self._source(f"{key}_model", {"x": none, "fitted": none, "predicted": none})
            fig.line(
                "x",
                "predicted",
                source=model,
                color=BLUE,
                line_width=2.5,
                line_dash="dashed",
                legend_label="SM prediction",
            )
            fig.line(
                "x",
                "fitted",
                source=model,
                color=VERMILION,
                line_width=3,
                legend_label="fitted CEvNS",
            )
            points = self._source(key, {"x": none, "y": none, "lo": none, "hi": none})
            fig.segment("x", "lo", "x", "hi", source=points, color=BLACK, line_width=1.5)
            fig.scatter(
                "x", "y", source=points, size=7, color=BLACK, legend_label="data − background"
            )
            style_legend(fig, "top_right")

    @safe
    def _on_dataset(self, change):
        if change["new"] != self.dataset:
            self._set_state(dataset=change["new"])

    def _set_state(self, **changes):
        """Settings: ``dataset``."""
        unknown = set(changes) - {"dataset"}
        if unknown:
            raise ValueError(f"unknown setting {unknown.pop()!r}; use dataset")
        dataset = changes.get("dataset", self.dataset)
        fit_projection(_check_fit_dataset(dataset))  # compute first: a failure changes nothing
        self.dataset = dataset
        if self.dataset_buttons.value != dataset:
            self.dataset_buttons.value = dataset
        self._update()

    def _update(self):
        p = self.projection
        name = FIT_DATASETS[self.dataset]
        for key, hist, unit, label in (
            ("fit_energy", p.energy, p.energy_unit, p.energy_label),
            ("fit_time", p.time, "µs", "Arrival time after the beam pulse [µs]"),
        ):
            w = hist.widths
            y, err = hist.residual / w, hist.error / w
            self.sources[key].data = {
                "x": hist.centres,
                "y": y,
                "lo": y - err,
                "hi": y + err,
            }
            x, fitted = _stairs(hist.edges, hist.fitted / w)
            self.sources[f"{key}_model"].data = {
                "x": x,
                "fitted": fitted,
                "predicted": _stairs(hist.edges, hist.predicted / w)[1],
            }
            fig = self.figures[key]
            self._set(fig.x_range, start=float(hist.edges[0]), end=float(hist.edges[-1]))
            self._set(fig.xaxis[0], axis_label=label)
            self._set(fig.yaxis[0], axis_label=f"Beam on − background [events/{unit}]")
            what = "light" if unit == "PE" else ("energy" if unit == "keVee" else "time")
            self._set(fig.title, text=f"{name}: the residual in {what}")
        r = p.result
        events, z = _published(r)
        lo, hi = r.cevns_events_interval
        line = '<div style="font-size:15px;line-height:1.35">'
        self.readout.value = (
            f'<div style="padding:2px 8px">'
            f'<span class="cevns-datafit-headline" style="font-size:28px;font-weight:700">'
            f"{r.cevns_events:.0f} ± {r.cevns_events_error:.0f} events, "
            f"{r.significance_sigma:.1f}σ</span>"
            f"{line}this library's fit of {name} (68 % interval {lo:.0f} to {hi:.0f})</div>"
            f'{line}<span class="cevns-datafit-paper">the paper: <b>{events}</b> events'
            f"{f', <b>{z}</b>' if z != '–' else ''}</span></div>"
            f'<div style="font-size:13px;color:#5a5a5a">{html.escape(PAPERS[self.dataset])}'
            "</div>"
            f"{line}Standard Model prediction: {format_events(r.sm_prediction)} events "
            f"(fit / SM = {r.ratio_to_sm:.2f})</div></div>"
        )
        self.show_error("")


# =========================================================================== 2. the NSI map

_MAPS: dict[tuple[str, int], NSIScan] = {}


def _check_map_dataset(dataset) -> str:
    if dataset not in MAP_DATASETS:
        raise ValueError(f"dataset must be one of {', '.join(MAP_DATASETS)}; got {dataset!r}")
    return dataset


def nsi_map(
    dataset: str = CSI,
    points: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> NSIScan:
    """The Δχ² map of :func:`~cevns_widgets.stats.nsi_scan` over [-1, 1]², ``points`` per
    axis (default :data:`MAP_POINTS`), computed once per kernel. The combination is
    computed in :data:`COMBINED_PARTS` strips of ε_u, calling ``progress(done, total)``
    before each; their Δχ² are joined through the Standard-Model point every strip shares,
    which gives the same map as one call."""
    _check_map_dataset(dataset)
    points = int(points or MAP_POINTS[dataset])
    key = (dataset, points)
    if key in _MAPS:
        return _MAPS[key]
    grid = np.linspace(-1.0, 1.0, points)
    parts = COMBINED_PARTS if dataset == COMBINED else 1
    strips = [s for s in np.array_split(np.arange(points), parts) if s.size]
    if len(strips) == 1:
        scan = nsi_scan(dataset, grid, grid)
    else:
        rel, events, conv = [], [], []
        for k, rows in enumerate(strips):
            if progress is not None:
                progress(k, len(strips))
            s = nsi_scan(dataset, grid[rows], grid)
            rel.append(s.delta_chi2 - s.sm_delta_chi2)  # chi2 - chi2(SM)
            events.append(s.cevns_events)
            conv.append(s.converged)
        chi2 = np.concatenate(rel, axis=0)
        low = min(float(chi2.min()), 0.0)
        i, j = np.unravel_index(int(np.argmin(chi2)), chi2.shape)
        scan = NSIScan(
            dataset=dataset,
            eps_u=grid,
            eps_d=grid,
            delta_chi2=chi2 - low,
            cevns_events=np.concatenate(events, axis=0),
            best=(float(grid[i]), float(grid[j])),
            sm_delta_chi2=-low,
            converged=np.concatenate(conv, axis=0),
        )
    _MAPS[key] = scan
    return scan


def nsi_spectrum(eps_u: float, eps_d: float) -> np.ndarray:
    """CEvNS events per 2-PE bin of the CsI 2017 region (6-30 PE, 0-12 µs) predicted at
    (ε_ee^uV, ε_ee^dV), nominal quenching and normalisation: the scan's own template."""
    like = nsi_model(CSI).likelihood
    weights = np.concatenate([[1.0, 1.0], basis_weights(eps_u, eps_d)])[None, :]
    prompt, delayed, *_ = like.splines.evaluate(np.zeros(1), weights)
    return (prompt + delayed)[0]


def _contours(scan: NSIScan, level: float) -> dict:
    import contourpy

    gen = contourpy.contour_generator(
        x=scan.eps_u, y=scan.eps_d, z=scan.delta_chi2.T, line_type="Separate"
    )
    lines = [seg for seg in gen.lines(level) if len(seg) > 1]
    return {"xs": [seg[:, 0] for seg in lines], "ys": [seg[:, 1] for seg in lines]}


def _bilinear(scan: NSIScan, u: float, d: float) -> float:
    from scipy.interpolate import RegularGridInterpolator

    f = RegularGridInterpolator((scan.eps_u, scan.eps_d), scan.delta_chi2)
    return float(f([[u, d]])[0])


def _region_text(dchi2: float) -> str:
    for cl, label, *_ in LEVELS:
        if dchi2 <= DELTA_CHI2_2DOF[cl]:
            return f"inside the {label} region"
    return "outside the 99 % region: excluded"


_PAIR = re.compile(
    r"^\s*\(?\s*([-+−]?[\d.]+(?:e[-+]?\d+)?)\s*[,; ]\s*([-+−]?[\d.]+(?:e[-+]?\d+)?)\s*\)?\s*$"
)


def _parse_pair(text: str) -> tuple[float, float]:
    m = _PAIR.match(text.replace("−", "-"))
    if not m:
        raise ValueError(f"type two numbers, ε_u and ε_d, e.g. 0.3, -0.2; got {text!r}")
    return float(m.group(1)), float(m.group(2))


class NSIMapLesson(Lesson):
    """Fig. 4 of the 2017 paper, live: where the data allow the νe non-standard vector
    couplings (ε_ee^uV, ε_ee^dV), for CsI 2017, argon 2020 or both.

    Click the map, drag the sliders or type a pair to pick a point: the CsI 2017 CEvNS
    spectrum predicted there is drawn over the data's residual.

    Args:
        dataset: ``"coherent-csi-2017"``, ``"coherent-lar-2020"`` or their combination.
        eps_u, eps_d: the point to start on (default: the Standard Model, 0, 0).
        points: grid points per axis for each dataset (default :data:`MAP_POINTS`).

    Sources: ``nsi_map`` (the image), ``nsi_c68``, ``nsi_c90``, ``nsi_c99`` (contours,
    ``xs``/``ys``), ``nsi_sm``, ``nsi_best``, ``nsi_pick`` (points ``x``, ``y``),
    ``nsi_residual`` (CsI 2017 data minus fitted background per PE), ``nsi_spectrum`` and
    ``nsi_spectrum_sm`` (stairs ``x``, ``y`` in events/PE: the picked point and the SM).
    """

    name = "nsimap"

    def __init__(
        self,
        dataset: str = CSI,
        eps_u: float = 0.0,
        eps_d: float = 0.0,
        points: dict | None = None,
    ):
        super().__init__()
        self.points = {**MAP_POINTS, **(points or {})}
        self.state = {"dataset": _check_map_dataset(dataset), "eps_u": 0.0, "eps_d": 0.0}
        self.state.update(self._checked(eps_u=eps_u, eps_d=eps_d))
        self._syncing = False
        self._build_controls()
        self._build_figures()
        self._update_map()
        self._update_pick()
        controls = W.VBox(
            [
                self.dataset_buttons,
                self.eps_u_slider,
                self.eps_d_slider,
                W.HBox([self.pair_text, self.sm_button]),
                self.message,
            ],
            layout=W.Layout(width="560px"),
        )
        self.widget = self._frame(
            fluid_row(controls, self.readout),
            fluid_row(self._view("nsi_map"), self._view("nsi_spectrum")),
        )

    # --- state --------------------------------------------------------------------------
    @property
    def dataset(self) -> str:
        return self.state["dataset"]

    @property
    def eps_u(self) -> float:
        return self.state["eps_u"]

    @property
    def eps_d(self) -> float:
        return self.state["eps_d"]

    @property
    def scan(self) -> NSIScan:
        """The map on screen."""
        return nsi_map(self.dataset, self.points[self.dataset])

    def numbers(self) -> dict:
        """What the readout says about the picked point."""
        dchi2 = _bilinear(self.scan, self.eps_u, self.eps_d)
        return {
            "delta_chi2": dchi2,
            "region": _region_text(dchi2),
            "csi_events": float(nsi_spectrum(self.eps_u, self.eps_d).sum()),
            "csi_sm_events": float(nsi_spectrum(0.0, 0.0).sum()),
        }

    # --- building -----------------------------------------------------------------------
    def _build_controls(self):
        self.dataset_buttons = W.ToggleButtons(
            options=[(name, ds) for ds, name in MAP_DATASETS.items()],
            value=self.dataset,
            description="Data",
            tooltips=[
                "COHERENT CsI[Na] 2017 (Science 2017, Fig. 4)",
                "COHERENT argon 2020 (analysis A)",
                "both, with one shared neutrino-flux uncertainty (about 10 s to compute)",
            ],
            style={"description_width": "80px", "button_width": "130px"},
        )
        self.dataset_buttons.add_class("cevns-nsi-dataset")
        self.eps_u_slider = slider(
            "ε_u (up quarks)",
            self.eps_u,
            -1.0,
            1.0,
            0.01,
            fmt=".2f",
            tooltip="νe coupling to up quarks, in units of the Fermi constant",
            css="cevns-nsi-eps-u",
            width="460px",
            description_width="140px",
        )
        self.eps_d_slider = slider(
            "ε_d (down quarks)",
            self.eps_d,
            -1.0,
            1.0,
            0.01,
            fmt=".2f",
            tooltip="νe coupling to down quarks, in units of the Fermi constant",
            css="cevns-nsi-eps-d",
            width="460px",
            description_width="140px",
        )
        self.pair_text = W.Text(
            placeholder="or type ε_u, ε_d: 0.3, -0.2",
            tooltip="Type the two couplings and press Enter",
            continuous_update=False,
            layout=W.Layout(width="236px", margin="2px 0 2px 144px"),
        )
        self.pair_text.add_class("cevns-nsi-pair")
        self.sm_button = W.Button(
            description="Standard Model",
            icon="crosshairs",
            tooltip="Back to ε_u = ε_d = 0",
            layout=W.Layout(width="156px"),
        )
        self.sm_button.add_class("cevns-nsi-sm")
        self.readout = _readout("cevns-nsi-readout", "500px")
        self.dataset_buttons.observe(self._on_dataset, names="value")
        self.eps_u_slider.observe(lambda c: self._on_slider("eps_u", c), names="value")
        self.eps_d_slider.observe(lambda c: self._on_slider("eps_d", c), names="value")
        self.pair_text.observe(self._on_pair, names="value")
        self.sm_button.on_click(self._on_sm)

    def _build_figures(self):
        from bokeh.events import Tap
        from bokeh.models import ColorBar, HoverTool, LinearColorMapper, Range1d
        from bokeh.palettes import Blues256

        fig = self._figure(
            "nsi_map",
            "Δχ² of the data (click to pick a point)",
            "ε_ee^uV: νe with up quarks [no unit]",
            "ε_ee^dV: νe with down quarks [no unit]",
            width=540,
            height=470,
            tools="tap,pan,wheel_zoom,box_zoom,reset,save",
            x_range=Range1d(-1.0, 1.0),
            y_range=Range1d(-1.0, 1.0),
        )
        mapper = LinearColorMapper(palette=list(Blues256)[::-1], low=0.0, high=DCHI2_MAX)
        one = np.ones(1)
        image = self._source(
            "nsi_map",
            {"image": [np.zeros((2, 2))], "x": -one, "y": -one, "dw": 2 * one, "dh": 2 * one},
        )
        img = fig.image(
            image="image", x="x", y="y", dw="dw", dh="dh", source=image, color_mapper=mapper
        )
        for cl, label, colour, dash, width in LEVELS:
            src = self._source(f"nsi_c{round(100 * cl)}", {"xs": [], "ys": []})
            fig.multi_line(
                "xs",
                "ys",
                source=src,
                color=colour,
                line_dash=dash,
                line_width=width,
                legend_label=f"{label} (Δχ² = {DELTA_CHI2_2DOF[cl]:.1f})",
            )
        sm = self._source("nsi_sm", {"x": np.zeros(1), "y": np.zeros(1)})
        fig.scatter(
            "x",
            "y",
            source=sm,
            marker="star",
            size=20,
            color="white",
            line_color="black",
            line_width=1.5,
            legend_label="Standard Model",
        )
        best = self._source("nsi_best", {"x": np.zeros(1), "y": np.zeros(1)})
        fig.scatter(
            "x",
            "y",
            source=best,
            marker="x",
            size=14,
            color=VERMILION,
            line_width=3,
            legend_label="best fit",
        )
        pick = self._source("nsi_pick", {"x": np.zeros(1), "y": np.zeros(1)})
        fig.scatter(
            "x",
            "y",
            source=pick,
            marker="circle",
            size=16,
            fill_color=PURPLE,
            fill_alpha=0.85,
            line_color="black",
            line_width=1.5,
            legend_label="your point",
        )
        fig.add_layout(
            ColorBar(
                color_mapper=mapper,
                title="Δχ²",
                title_text_font_size="11pt",
                major_label_text_font_size="11pt",
                width=12,
                padding=4,
            ),
            "right",
        )
        fig.add_tools(
            HoverTool(
                renderers=[img],
                tooltips=[("ε_u", "$x{0.00}"), ("ε_d", "$y{0.00}"), ("Δχ²", "@image{0.0}")],
            )
        )
        style_legend(fig, "bottom_left")
        fig.on_event(Tap, self._on_tap)

        # the CsI 2017 spectrum at the picked point, over the data's residual
        fig = self._figure(
            "nsi_spectrum",
            "CsI 2017: CEvNS predicted at your point",
            "Light collected [PE]",
            "CEvNS [events/PE]",
            width=540,
            height=400,
        )
        edges = csi2017.region().pe_edges
        hist = fit_projection(CSI).energy
        w = hist.widths
        y, err = hist.residual / w, hist.error / w
        resid = self._source(
            "nsi_residual", {"x": hist.centres, "y": y, "lo": y - err, "hi": y + err}
        )
        x, sm_stairs = _stairs(edges, nsi_spectrum(0.0, 0.0) / np.diff(edges))
        fig.line(
            "x",
            "y",
            source=self._source("nsi_spectrum_sm", {"x": x, "y": sm_stairs}),
            color=BLUE,
            line_width=2.5,
            line_dash="dashed",
            legend_label="Standard Model",
        )
        fig.line(
            "x",
            "y",
            source=self._source("nsi_spectrum", {"x": x, "y": sm_stairs}),
            color=PURPLE,
            line_width=3.5,
            legend_label="your point",
        )
        fig.segment("x", "lo", "x", "hi", source=resid, color=BLACK, line_width=1.5)
        fig.scatter("x", "y", source=resid, size=7, color=BLACK, legend_label="data − background")
        style_legend(fig, "top_right")

    # --- callbacks ----------------------------------------------------------------------
    @safe
    def _on_dataset(self, change):
        if self._syncing:
            return
        self._set_state(dataset=change["new"])

    @safe
    def _on_slider(self, name: str, change):
        if self._syncing:
            return
        widget = self.eps_u_slider if name == "eps_u" else self.eps_d_slider
        if is_echo(widget, float(change["new"]), self.state[name]):
            return
        self._set_state(**{name: float(change["new"])})

    @safe
    def _on_pair(self, change):
        text = str(change["new"]).strip()
        if not text:
            return
        u, d = _parse_pair(text)
        self._set_state(eps_u=u, eps_d=d)

    @safe
    def _on_sm(self, _button):
        self._set_state(eps_u=0.0, eps_d=0.0)

    @safe
    def _on_tap(self, event):
        if event.x is None or event.y is None:
            return
        x, y = float(event.x), float(event.y)
        if not (-1.0 <= x <= 1.0 and -1.0 <= y <= 1.0):
            raise ValueError(
                f"that click is outside the map (ε_u = {x:.2f}, ε_d = {y:.2f}); "
                "pick a point between −1 and 1"
            )
        self._set_state(eps_u=round(x, 3), eps_d=round(y, 3))

    def pick(self, eps_u: float, eps_d: float) -> bool:
        """Pick a point, as a click on the map does. Returns whether it was accepted."""
        return self.set(eps_u=eps_u, eps_d=eps_d)

    @staticmethod
    def _checked(**changes) -> dict:
        out = {}
        for key, value in changes.items():
            if key == "dataset":
                out[key] = _check_map_dataset(value)
                continue
            if key not in ("eps_u", "eps_d"):
                raise ValueError(f"unknown setting {key!r}; use dataset, eps_u or eps_d")
            try:
                v = float(value)
            except (TypeError, ValueError):
                raise ValueError(f"{key} must be a number; got {value!r}") from None
            if not (math.isfinite(v) and -1.0 <= v <= 1.0):
                raise ValueError(f"{key} must lie between −1 and 1 (the map); got {value!r}")
            out[key] = v
        return out

    def _set_state(self, **changes):
        """Settings: ``dataset``, ``eps_u``, ``eps_d`` (a bad one changes nothing)."""
        new = {**self.state, **self._checked(**changes)}
        if new["dataset"] != self.dataset:
            try:
                self._compute_map(new["dataset"])  # before touching anything
            except Exception:
                self._sync_widgets()  # the buttons go back to the map on screen
                raise
        changed = {k for k in new if new[k] != self.state[k]}
        self.state = new
        self._sync_widgets()
        if "dataset" in changed:
            self._update_map()
        self._update_pick()

    def _compute_map(self, dataset: str) -> None:
        points = self.points[dataset]
        if (dataset, points) in _MAPS:
            return

        def progress(done: int, total: int) -> None:
            self.show_info(
                f"computing the {MAP_DATASETS[dataset]} map ({points} × {points} points): "
                f"part {done + 1} of {total}…"
            )

        self.show_info(f"computing the {MAP_DATASETS[dataset]} map ({points} × {points} points)…")
        nsi_map(dataset, points, progress)

    def _sync_widgets(self):
        self._syncing = True
        try:
            if self.dataset_buttons.value != self.dataset:
                self.dataset_buttons.value = self.dataset
            for name, widget in (("eps_u", self.eps_u_slider), ("eps_d", self.eps_d_slider)):
                if not np.isclose(widget.value, self.state[name], rtol=0.0, atol=1e-12):
                    widget.value = self.state[name]
        finally:
            self._syncing = False

    # --- updates ------------------------------------------------------------------------
    def _update_map(self):
        scan = self.scan
        h = float(scan.eps_u[1] - scan.eps_u[0])
        lo = float(scan.eps_u[0]) - 0.5 * h
        self.sources["nsi_map"].data = {
            "image": [np.ascontiguousarray(scan.delta_chi2.T)],
            "x": np.array([lo]),
            "y": np.array([lo]),
            "dw": np.array([2.0 + h]),
            "dh": np.array([2.0 + h]),
        }
        for cl, *_ in LEVELS:
            self.sources[f"nsi_c{round(100 * cl)}"].data = _contours(scan, DELTA_CHI2_2DOF[cl])
        self.sources["nsi_best"].data = {
            "x": np.array([scan.best[0]]),
            "y": np.array([scan.best[1]]),
        }
        n = scan.eps_u.size
        self._set(
            self.figures["nsi_map"].title,
            text=f"Δχ²: {MAP_DATASETS[self.dataset]} ({n} × {n} grid; click to pick a point)",
        )

    def _update_pick(self):
        u, d = self.eps_u, self.eps_d
        self.sources["nsi_pick"].data = {"x": np.array([u]), "y": np.array([d])}
        edges = csi2017.region().pe_edges
        spectrum = nsi_spectrum(u, d) / np.diff(edges)
        x, y = _stairs(edges, spectrum)
        self.sources["nsi_spectrum"].data = {"x": x, "y": y}
        c = self.numbers()
        scan = self.scan
        fit_csi = fit_projection(CSI).result
        line = '<div style="font-size:15px;line-height:1.35">'
        self.readout.value = (
            f'<div style="padding:2px 8px">'
            f'<span class="cevns-nsi-point" style="font-size:22px;font-weight:700">'
            f"ε_u = {_num(u)}, ε_d = {_num(d)}</span>"
            f'{line}<span class="cevns-nsi-dchi2" style="font-size:20px;font-weight:700">'
            f"Δχ² = {c['delta_chi2']:.1f}</span> on the {MAP_DATASETS[self.dataset]} map: "
            f"{html.escape(c['region'])}</div>"
            f'{line}CsI 2017 predicts <b class="cevns-nsi-events">'
            f"{format_events(c['csi_events'])}</b> CEvNS events here (Standard Model "
            f"{format_events(c['csi_sm_events'])}; the fit to the data: "
            f"{fit_csi.cevns_events:.0f} ± {fit_csi.cevns_events_error:.0f})</div>"
            f"{line}best fit of this map: ε_u = {_num(scan.best[0])}, ε_d = "
            f"{_num(scan.best[1])}; the Standard Model is at Δχ² = "
            f"{scan.sm_delta_chi2:.1f}</div></div>"
        )
        self.show_error("")


# =========================================================================== 3. the planner


@cache
def _design_2017():
    return planning.coherent_2017_design()


def _check_positive(name: str, value, low: float, high: float) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number; got {value!r}") from None
    if not (math.isfinite(v) and low <= v <= high):
        raise ValueError(f"{name} must lie between {low:g} and {high:g}; got {value!r}")
    return v


#: The planner's settings: name -> (label, low, high) of what it accepts.
PLAN_LIMITS = {
    "steady_state": ("the steady-state background", 0.0, 1e6),
    "brn": ("the beam neutrons per GWh", 0.0, 1e4),
    "mass_kg": ("the detector mass", 0.01, 1e5),
    "beam_power_MW": ("the beam power", 0.01, 100.0),
    "distance_m": ("the distance", 1.0, 1000.0),
}


def default_plan_settings() -> dict:
    """The 2017 CsI[Na] settings, from
    :func:`~cevns_widgets.stats.planner.coherent_2017_design`."""
    scenario, bkg, power, _energy = _design_2017()
    return {
        "steady_state": float(bkg.steady_state_per_keVee_kg_day),
        "brn": float(bkg.brn_per_GWh),
        "mass_kg": float(scenario.mass_kg),
        "beam_power_MW": float(power),
        "distance_m": float(scenario.distance_m),
    }


@lru_cache(maxsize=128)
def planned(
    steady_state: float, brn: float, mass_kg: float, beam_power_MW: float, distance_m: float
) -> planning.Plan:
    """:func:`~cevns_widgets.stats.planner.plan` of the 2017 detector with these settings,
    on :data:`PLAN_DAYS` (cached per setting)."""
    scenario, bkg, _power, energy = _design_2017()
    scenario = scenario.replace(mass_kg=mass_kg, distance_m=distance_m)
    bkg = dataclasses.replace(bkg, steady_state_per_keVee_kg_day=steady_state, brn_per_GWh=brn)
    return planning.plan(scenario, bkg, beam_power_MW, energy, days=PLAN_DAYS)


def _days_text(days: float) -> str:
    if not math.isfinite(days):
        return "more than 10⁶ days"
    if days < 1.0:
        return "under a day"
    years = days / 365.25
    extra = f" ({years:.1f} years of beam)" if years >= 1.0 else ""
    return f"{days:,.0f} days{extra}"


class PlannerLesson(Lesson):
    """How long until 3σ and 5σ? The median (Asimov) significance of a CsI[Na] detector at
    the SNS against days of beam, starting from the 2017 configuration.

    Sliders: the steady-state background (per keVee per kg per day, log), beam-related
    neutrons per GWh, the detector mass, the beam power and the distance. A typed number of
    days gives the significance there.

    Sources: ``plan_curve`` (``days``, ``z``), ``plan_reference`` (the 2017 design),
    ``plan_marks`` (the days to 3σ and 5σ), ``plan_2017`` (the 2017 design at its live days)
    and ``plan_paper`` (the paper's 6.7σ after 308.1 days).
    """

    name = "planner"

    def __init__(self, **settings):
        super().__init__()
        self.defaults = default_plan_settings()
        self.state = dict(self.defaults)
        self.state.update(self._checked(**settings))
        self.read_days: float | None = None
        self._syncing = False
        self._build_controls()
        self._build_figure()
        self._update()
        controls = W.VBox(
            [*self.sliders.values(), W.HBox([self.days_text, self.reset]), self.message],
            layout=W.Layout(width="560px"),
        )
        self.widget = self._frame(fluid_row(controls, self.readout), fluid_row(self._view("plan")))
        self.widget.layout.max_width = "100%"

    @property
    def plan(self) -> planning.Plan:
        return planned(**self.state)

    def numbers(self) -> dict:
        """The readout's numbers: days to 3σ and 5σ, and the events per 100 days of beam."""
        p = self.plan
        d = p.design
        per100 = 100.0 / d.live_days
        bkg = d.background_events()
        out = {
            "days_3sigma": float(p.days_to[3]),
            "days_5sigma": float(p.days_to[5]),
            "cevns_per_100_days": d.signal_events * per100,
            "steady_state_per_100_days": bkg["steady_state"] * per100,
            "brn_per_100_days": bkg["brn"] * per100,
        }
        if self.read_days is not None:
            out["read_days"] = self.read_days
            out["read_sigma"] = planning.asimov_significance(d, self.read_days / d.live_days)
        return out

    def _build_controls(self):
        s = self.state
        log = dict(kind=W.FloatLogSlider, base=10)
        common = dict(width="520px", description_width="215px")
        self.sliders = {
            "steady_state": slider(
                "Steady state [/(keVee kg d)]",
                s["steady_state"],
                -1.0,
                4.0,
                0.01,
                fmt=".3g",
                tooltip="Background from radioactivity and cosmic rays, before the 12 µs window",
                css="cevns-plan-ss",
                **log,
                **common,
            ),
            "brn": slider(
                "Beam neutrons [/GWh]",
                s["brn"],
                0.0,
                20.0,
                0.05,
                fmt=".2f",
                tooltip="Prompt neutrons from the beam reaching the detector, per GWh",
                css="cevns-plan-brn",
                **common,
            ),
            "mass_kg": slider(
                "Detector mass [kg]",
                s["mass_kg"],
                0.0,
                3.0,
                0.01,
                fmt=".3g",
                tooltip="Mass of CsI[Na]",
                css="cevns-plan-mass",
                **log,
                **common,
            ),
            "beam_power_MW": slider(
                "Beam power [MW]",
                s["beam_power_MW"],
                0.2,
                5.0,
                0.01,
                fmt=".2f",
                tooltip="Proton beam power on the SNS target (2017: about 1 MW)",
                css="cevns-plan-power",
                **common,
            ),
            "distance_m": slider(
                "Distance [m]",
                s["distance_m"],
                5.0,
                50.0,
                0.1,
                fmt=".1f",
                tooltip="From the mercury target to the detector",
                css="cevns-plan-distance",
                **common,
            ),
        }
        for name, widget in self.sliders.items():
            widget.continuous_update = False  # each value is a plan (~1 s): on release
            widget.observe(lambda change, n=name: self._on_slider(n, change), names="value")
        self.days_text = W.Text(
            placeholder="σ after N days, e.g. 500",
            tooltip="Type a number of days of beam and press Enter",
            continuous_update=False,
            layout=W.Layout(width="210px", margin="2px 0 2px 219px"),
        )
        self.days_text.add_class("cevns-plan-days-text")
        self.days_text.observe(self._on_days, names="value")
        self.reset = self._reset_button(
            "2017", "Back to the 2017 detector and backgrounds", W.Layout(width="90px")
        )
        self.readout = _readout("cevns-plan-readout", "500px")

    def _build_figure(self):
        from bokeh.models import Label, Legend, Range1d, Span

        fig = self._figure(
            "plan",
            "Expected significance of a CsI[Na] detector at the SNS",
            "Days of beam [days]",
            "Median significance [σ]",
            width=840,
            height=360,
            x_axis_type="log",
            x_range=Range1d(PLAN_DAYS[0], PLAN_DAYS[-1]),
            y_range=Range1d(*PLAN_SIGMA_RANGE),
        )
        for z, text in ((3.0, "3σ: evidence"), (5.0, "5σ: discovery")):
            fig.add_layout(Span(location=z, dimension="width", line_color=GREY, line_dash="dashed"))
            fig.add_layout(
                Label(
                    x=PLAN_DAYS[-1],
                    y=z,
                    text=text,
                    x_offset=-112,
                    y_offset=2,
                    text_font_size="11pt",
                    text_color=GREY,
                )
            )
        none = np.zeros(0)
        ref = self.plan_reference()
        items = []
        items.append(
            fig.line(
                "days",
                "z",
                source=self._source(
                    "plan_reference", {"days": ref.live_days, "z": ref.significance}
                ),
                color=GREY,
                line_width=2.5,
                line_dash="dotdash",
            )
        )
        items.append(
            fig.line(
                "days",
                "z",
                source=self._source("plan_curve", {"days": none, "z": none}),
                color=BLUE,
                line_width=3.5,
            )
        )
        items.append(
            fig.scatter(
                "days",
                "z",
                source=self._source("plan_marks", {"days": none, "z": none}),
                size=12,
                color=BLUE,
                line_color="black",
            )
        )
        d = ref.design
        items.append(
            fig.scatter(
                "days",
                "z",
                source=self._source(
                    "plan_2017",
                    {
                        "days": np.array([d.live_days]),
                        "z": np.array([planning.asimov_significance(d)]),
                    },
                ),
                marker="star",
                size=20,
                color=VERMILION,
                line_color="black",
            )
        )
        items.append(
            fig.scatter(
                "days",
                "z",
                source=self._source(
                    "plan_paper",
                    {
                        "days": np.array([LIVE_DAYS_2017]),
                        "z": np.array([csi2017.PUBLISHED["significance_sigma"]]),
                    },
                ),
                marker="diamond",
                size=18,
                color=ORANGE,
                line_color="black",
            )
        )
        labels = (
            "the 2017 detector",
            "your detector",
            "days to 3σ and 5σ",
            "2017: expected (SM)",
            "2017: the paper, 6.7σ",
        )
        legend = Legend(items=[(t, [r]) for t, r in zip(labels, items, strict=True)])
        fig.add_layout(legend, "right")
        style_legend(fig, "top_left")

    @staticmethod
    def plan_reference() -> planning.Plan:
        """The 2017 design's plan (computed once)."""
        return planned(**default_plan_settings())

    # --- callbacks ----------------------------------------------------------------------
    @safe
    def _on_slider(self, name: str, change):
        if self._syncing:
            return
        new = float(change["new"])
        if is_echo(self.sliders[name], new, self.state[name]):
            return
        self._set_state(**{name: new})

    @safe
    def _on_days(self, change):
        text = str(change["new"]).strip()
        if not text:
            return
        try:
            days = float(text.replace(",", ""))
        except ValueError:
            raise ValueError(f"type a number of days of beam, e.g. 500; got {text!r}") from None
        if not (math.isfinite(days) and 1.0 <= days <= 1e6):
            raise ValueError(f"the days must lie between 1 and 10⁶; got {text}")
        self.read_days = days
        self._update_readout()
        self.show_error("")

    @safe
    def _on_reset(self, _button):
        self._set_state(**self.defaults)

    @staticmethod
    def _checked(**changes) -> dict:
        out = {}
        for key, value in changes.items():
            if key not in PLAN_LIMITS:
                raise ValueError(f"unknown setting {key!r}; use one of {', '.join(PLAN_LIMITS)}")
            label, low, high = PLAN_LIMITS[key]
            out[key] = _check_positive(label, value, low, high)
        return out

    def _set_state(self, **changes):
        """Settings: ``steady_state``, ``brn``, ``mass_kg``, ``beam_power_MW``,
        ``distance_m`` (any value in :data:`PLAN_LIMITS`; a bad one changes nothing)."""
        new = {**self.state, **self._checked(**changes)}
        if new == self.state:
            self.show_error("")  # a good input, and nothing to recompute
            return
        self.show_info("computing the significance curve…")
        try:
            planned(**new)
        except Exception:
            self._sync_widgets()  # the sliders go back to the curve on screen
            raise  # compute first: a failure leaves the last good figure
        self.state = new
        self._sync_widgets()
        self._update()

    def _sync_widgets(self):
        self._syncing = True
        try:
            for name, widget in self.sliders.items():
                lo, hi = widget.min, widget.max
                if isinstance(widget, W.FloatLogSlider):
                    lo, hi = 10**lo, 10**hi
                shown = min(max(self.state[name], lo), hi)
                if not np.isclose(widget.value, shown, rtol=1e-9, atol=0.0):
                    widget.value = shown
        finally:
            self._syncing = False

    def _update(self):
        p = self.plan
        self.sources["plan_curve"].data = {"days": p.live_days, "z": p.significance}
        marks = [(p.days_to[k], float(k)) for k in (3, 5) if math.isfinite(p.days_to[k])]
        self.sources["plan_marks"].data = {
            "days": np.array([m[0] for m in marks]),
            "z": np.array([m[1] for m in marks]),
        }
        self._update_readout()
        self.show_error("")

    def _update_readout(self):
        c = self.numbers()
        line = '<div style="font-size:15px;line-height:1.35">'
        big = 'style="font-size:26px;font-weight:700"'
        read = ""
        if "read_days" in c:
            read = (
                f'{line}after {c["read_days"]:,.0f} days: <b class="cevns-plan-read">'
                f"{c['read_sigma']:.1f}σ</b></div>"
            )
        self.readout.value = (
            f'<div style="padding:2px 8px">'
            f'<div>3σ after <span class="cevns-plan-days3" {big}>'
            f"{_days_text(c['days_3sigma'])}</span></div>"
            f'<div>5σ after <span class="cevns-plan-days5" {big}>'
            f"{_days_text(c['days_5sigma'])}</span></div>"
            f"{line}per 100 days of beam: {format_events(c['cevns_per_100_days'])} CEvNS "
            f"events, {format_events(c['steady_state_per_100_days'])} steady-state and "
            f"{format_events(c['brn_per_100_days'])} beam-neutron background events in the "
            "12 µs window</div>"
            f"{read}</div>"
        )


# =========================================================================== 4. profiles

PROFILE_DATASETS = (CSI, LAR, COMBINED)


@cache
def sin2w_profiles() -> dict[str, ProfileResult]:
    """The profile of sin²θ_W on its default grid for CsI 2017, argon 2020 and both."""
    return {ds: profile(ds, "sin2w") for ds in PROFILE_DATASETS}


def _interval_text(p: ProfileResult, cl: float) -> str:
    lo, hi = p.intervals[cl]
    return f"{lo:.3f}–{hi:.3f}"


class ProfilesLesson(Lesson):
    """What the data say about the weak mixing angle: the profile likelihood of
    sin²θ_W for CsI 2017, argon 2020 and both, every nuisance profiled at every value.

    Sources: ``prof_csi``, ``prof_lar``, ``prof_combined`` (``x`` sin²θ_W, ``y`` Δχ²).
    """

    name = "profiles"

    def __init__(self):
        super().__init__()
        from bokeh.models import Label, Range1d, Span

        results = sin2w_profiles()
        sm = PARAMETERS["sin2w"].sm
        fig = self._figure(
            "profiles",
            "Profile likelihood of the weak mixing angle",
            "sin²θ_W [no unit]",
            "−2 Δln L = Δχ² [no unit]",
            width=560,
            height=360,
            x_range=Range1d(0.05, 0.5),
            y_range=Range1d(0.0, 10.0),
        )
        for cl, label in ((0.68, "68 %"), (0.90, "90 %")):
            level = DELTA_CHI2_1DOF[cl]
            fig.add_layout(
                Span(location=level, dimension="width", line_color=GREY, line_dash="dashed")
            )
            fig.add_layout(
                Label(
                    x=0.5,
                    y=level,
                    text=label,
                    x_offset=-40,
                    y_offset=2,
                    text_font_size="11pt",
                    text_color=GREY,
                )
            )
        fig.line(
            "x",
            "y",
            source=self._source("prof_sm", {"x": np.array([sm, sm]), "y": np.array([0.0, 10.0])}),
            color=PURPLE,
            line_width=2.5,
            legend_label=f"Standard Model, {sm:.4f}",
        )
        for ds, key in zip(PROFILE_DATASETS, ("csi", "lar", "combined"), strict=True):
            label, colour, dash, width = PROFILE_STYLE[ds]
            p = results[ds]
            fig.line(
                "x",
                "y",
                source=self._source(f"prof_{key}", {"x": p.values, "y": p.delta_chi2}),
                color=colour,
                line_dash=dash,
                line_width=width,
                legend_label=label,
            )
        style_legend(fig, "top_right")
        rows = [
            [
                PROFILE_STYLE[ds][0],
                f"<b>{results[ds].best_fit:.3f}</b>",
                _interval_text(results[ds], 0.68),
                _interval_text(results[ds], 0.90),
                f"{results[ds].sm_delta_chi2:.1f}",
            ]
            for ds in PROFILE_DATASETS
        ]
        table = html_table(
            ["data", "best fit", "68 %", "90 %", "SM at Δχ² ="],
            rows,
            caption="sin²θ_W from the data",
        ).replace("<table ", '<table style="white-space:nowrap" ')
        self.table = W.HTML(table, layout=W.Layout(width="520px"))
        self.table.add_class("cevns-profiles-table")
        self.widget = self._frame(
            fluid_row(self._view("profiles"), W.VBox([self.table, self.message]))
        )
        self.widget.layout.max_width = "100%"


# =========================================================================== notebook helpers


def exercise_numbers() -> W.HTML:
    """The numbers behind the exercises' answers, folded."""
    sm = nsi_spectrum(0.0, 0.0).sum()
    flip = nsi_spectrum(0.4, 0.0).sum()
    csi_map = nsi_map(CSI)
    flip_dchi2 = _bilinear(csi_map, 0.4, 0.0)
    ref = PlannerLesson.plan_reference()
    s = default_plan_settings()
    tenfold = planned(**{**s, "steady_state": 10 * s["steady_state"]})
    prof = sin2w_profiles()
    items = [
        f"1. At (ε_u, ε_d) = (0.4, 0) CsI 2017 predicts {flip:.0f} CEvNS events, against "
        f"{sm:.0f} in the Standard Model; Δχ² there is {flip_dchi2:.1f} on the CsI map.",
        f"2. Days to 5σ with the 2017 backgrounds: {_days_text(ref.days_to[5])}; with ten "
        f"times the steady-state background: {_days_text(tenfold.days_to[5])}.",
        "3. sin²θ_W: "
        + "; ".join(
            f"{PROFILE_STYLE[ds][0]} {prof[ds].best_fit:.3f} (68 % {_interval_text(prof[ds], 0.68)}"
            f", SM at Δχ² = {prof[ds].sm_delta_chi2:.1f})"
            for ds in PROFILE_DATASETS
        )
        + ".",
    ]
    inner = "<br>".join(items)
    return table_widget(
        '<div style="font-size:15px;line-height:1.45">'
        f"<details><summary><b>Numbers behind the answers</b></summary><p>{inner}</p>"
        "</details></div>",
        "cevns-data-exercise-numbers",
    )
