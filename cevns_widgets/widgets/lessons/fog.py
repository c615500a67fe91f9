"""Notebook 8, the neutrino fog: when solar neutrinos look like dark matter.

A dark-matter detector sees the CEvNS of solar, atmospheric and diffuse-supernova neutrinos
(:mod:`cevns_widgets.physics.sky`). For a light WIMP the ⁸B recoil spectrum has almost the
same shape as the WIMP's, so beyond some exposure only the 12 % flux uncertainty of ⁸B, not
the statistics, limits a discovery: the discovery limit stops falling as 1/exposure or
1/√exposure and enters the "fog" (O'Hare, PRL 127 (2021) 251802; the numbers here come from
:mod:`cevns_widgets.stats.fog`).

``FogLesson`` has a target, an exposure (t yr), a threshold (keVnr), a WIMP mass and cross
section, and a "match ⁸B" button. Four figures: the neutrino and WIMP recoil spectra, the
discovery limit of this mass against exposure with its fog index n, the fog over mass and
cross section, and the measured ⁸B fluxes next to the solar models. Every number is
computed; the expensive ones are cached per (target, threshold) or per (target, threshold,
mass), so a slider move recomputes only what it changes.

Module functions for the notebook's text: :func:`match_8b` (the WIMP that best mimics ⁸B),
:func:`prediction` (the prediction question with a reveal button), :func:`measurements_table`
(the 2024 ⁸B CEvNS measurements) and :func:`exercise_numbers`.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from functools import lru_cache

import ipywidgets as W
import numpy as np

from ...api import evaluate
from ...physics import sky, wimp
from ...physics.nuclei import make_target
from ...physics.sources import solar
from ...presets import XENONNT_2024_EXPOSURE_t_yr, get_preset
from ...stats import fog as fogstats
from ..controls import is_echo
from ..layout import fluid_row
from ..readout import format_events, human_number
from ..style import (
    BLACK,
    BLUE,
    GREEN,
    GREY,
    ORANGE,
    PURPLE,
    SHADE_COLOR,
    SKY,
    VERMILION,
    add_current_star,
    style_legend,
)
from ._base import Lesson, html_table, safe, sci, slider, table_widget

__all__ = [
    "FLUX_MEASUREMENTS",
    "FogLesson",
    "Match",
    "discovery_curve",
    "exercise_numbers",
    "exposure_to_discover",
    "fog_map_for",
    "match_8b",
    "measurements_table",
    "neutrino_events",
    "prediction",
]

#: Targets of the lesson and their names in the text.
TARGETS = {"Xe": "xenon", "Ar": "argon", "Ge": "germanium"}
#: Upper end of the recoil window of every count and fit (keVnr), as in O'Hare's maps
#: (200 keVnr) but where the atmospheric tail is already negligible for these targets.
MAX_KEVNR = 100.0
#: The neutrino fluxes of the whole lesson: O'Hare's (B16-GS98 with the measured 8B flux,
#: 5.16e6 +- 2 %), so that the fog is his.
SOLAR_MODEL = "ohare-2021"
#: WIMP masses of the fog map (GeV), exposures of the discovery curves (t yr) and the cross
#: sections the fog index is drawn on (cm^2).
MAP_MASSES_GeV = np.geomspace(1.0, 1000.0, 49)
EXPOSURES_t_yr = np.geomspace(1e-4, 1e8, 61)
MAP_SIGMAS_cm2 = np.geomspace(1e-50, 1e-40, 61)
#: Recoil energies of the spectrum figure (keVnr).
RECOIL_keV = np.geomspace(0.03, MAX_KEVNR, 300)
#: Colour of the map where no exposure of the grid discovers a WIMP.
OUT_OF_REACH = "#eadfcc"
#: Fog index at which the colour scale saturates.
N_COLOUR_MAX = 5.0
#: The prediction question: xenon, recoils above 1 keVnr.
PREDICTION_TARGET, PREDICTION_THRESHOLD_keVnr = "Xe", 1.0
PREDICTION_CHOICES_GeV = (0.5, 6.0, 50.0, 500.0)
#: The XENONnT 2024 exposure (t yr): where the lesson opens.
XENONNT_EXPOSURE = float(sum(XENONNT_2024_EXPOSURE_t_yr.values()))

#: Background groups of the spectrum figure: column -> (components, label, colour, dash).
GROUPS = {
    "b8": (("8B",), "⁸B (solar)", VERMILION, "solid"),
    "hep": (("hep",), "hep (solar)", ORANGE, "dashed"),
    "low": (
        ("pp", "7Be_384", "7Be_861", "13N", "15O", "17F", "pep"),
        "pp, ⁷Be, CNO, pep",
        GREEN,
        "dotdash",
    ),
    "atm": (("atmospheric", "dsnb"), "atmospheric + DSNB", BLUE, "dotted"),
}


@dataclass(frozen=True)
class FluxMeasurement:
    """One ⁸B flux (1e6 cm⁻² s⁻¹) with its 1σ errors, and where it comes from."""

    label: str
    value: float
    minus: float
    plus: float
    kind: str  # "model", "sno", "cevns"
    reference: str


#: Solar models (Vinyoles et al. 2017, from physics/sources/solar.py) and measurements.
FLUX_MEASUREMENTS = (
    *(
        FluxMeasurement(
            label,
            solar.FLUXES[model]["8B"][0] / 1e6,
            solar.FLUXES[model]["8B"][0] * solar.FLUXES[model]["8B"][1] / 1e6,
            solar.FLUXES[model]["8B"][0] * solar.FLUXES[model]["8B"][1] / 1e6,
            "model",
            "N. Vinyoles et al., ApJ 835 (2017) 202",
        )
        for model, label in (("b16-gs98", "model B16-GS98"), ("b16-agss09met", "model B16-AGSS09"))
    ),
    # The global fit of solar-neutrino data that O'Hare's fog (and this lesson) uses.
    FluxMeasurement(
        "global fit (used here)",
        solar.FLUXES[SOLAR_MODEL]["8B"][0] / 1e6,
        solar.FLUXES[SOLAR_MODEL]["8B"][0] * solar.FLUXES[SOLAR_MODEL]["8B"][1] / 1e6,
        solar.FLUXES[SOLAR_MODEL]["8B"][0] * solar.FLUXES[SOLAR_MODEL]["8B"][1] / 1e6,
        "model",
        "J. Bergstrom et al., JHEP 03 (2016) 132, as used by O'Hare, PRL 127 (2021) 251802",
    ),
    # SNO's neutral-current measurement, all flavours (stat and syst added in quadrature).
    FluxMeasurement(
        "SNO, all flavours",
        5.25,
        math.hypot(0.16, 0.13),
        math.hypot(0.16, 0.11),
        "sno",
        "SNO Collaboration, Phys. Rev. C 88 (2013) 025501",
    ),
    FluxMeasurement(
        "XENONnT 2024, CEvNS",
        4.7,
        2.3,
        3.6,
        "cevns",
        "XENON Collaboration, PRL 133 (2024) 191002",
    ),
    FluxMeasurement(
        "PandaX-4T 2024, CEvNS",
        8.4,
        3.1,
        3.1,
        "cevns",
        "PandaX Collaboration, PRL 133 (2024) 191001",
    ),
)
_FLUX_COLOURS = {"model": GREY, "sno": GREEN, "cevns": BLUE}


# --------------------------------------------------------------------------- physics, cached


def _key(value: float) -> float:
    """A cache key for a slider value (6 significant figures)."""
    return float(f"{float(value):.6g}")


def _check_target(target: str) -> str:
    if target not in TARGETS:
        raise ValueError(f"target must be one of {', '.join(TARGETS)}; got {target!r}")
    return target


def _check_threshold(threshold_keVnr: float) -> float:
    t = float(threshold_keVnr)
    if not (math.isfinite(t) and 0 < t < MAX_KEVNR):
        raise ValueError(f"threshold must be between 0 and {MAX_KEVNR:g} keVnr; got {t:g}")
    return t


@lru_cache(maxsize=8)
def background_curves(target: str) -> dict[str, np.ndarray]:
    """Neutrino recoil spectra on :data:`RECOIL_keV` (events per t yr per keVnr), grouped as
    in :data:`GROUPS`, plus their ``total``."""
    spectra = sky.neutrino_background_spectra(_check_target(target), RECOIL_keV, SOLAR_MODEL)
    out = {g: sum(spectra[c] for c in comps) for g, (comps, *_rest) in GROUPS.items()}
    out["total"] = sum(spectra.values())
    return out


@lru_cache(maxsize=64)
def neutrino_events(target: str, threshold_keVnr: float) -> dict[str, float]:
    """Neutrino events per tonne-year between the threshold and :data:`MAX_KEVNR`, per group
    of :data:`GROUPS` and in ``total``."""
    E = np.geomspace(_check_threshold(threshold_keVnr), MAX_KEVNR, 2001)
    spectra = sky.neutrino_background_spectra(_check_target(target), E, SOLAR_MODEL)
    out = {
        g: float(np.trapezoid(sum(spectra[c] for c in comps), E))
        for g, (comps, *_rest) in GROUPS.items()
    }
    out["total"] = sum(out.values())
    return out


@lru_cache(maxsize=512)
def wimp_events_per_sigma(target: str, threshold_keVnr: float, mass_GeV: float) -> float:
    """WIMP events per tonne-year per cm² of cross section above the threshold."""
    return float(
        wimp.wimp_events(target, threshold_keVnr, MAX_KEVNR, mass_GeV, 1.0, exposure_tonne_year=1)
    )


@lru_cache(maxsize=512)
def _wimp_shape(target: str, mass_GeV: float) -> np.ndarray:
    return wimp.wimp_recoil_spectrum(target, RECOIL_keV, mass_GeV, 1.0)


@dataclass(frozen=True)
class Match:
    """The WIMP whose recoil spectrum best mimics ⁸B above a threshold.

    ``mass_GeV`` minimises the Asimov χ² between the ⁸B spectrum and a WIMP spectrum with the
    same number of events, in 60 log bins from the threshold to :data:`MAX_KEVNR`, each bin
    weighted by all the neutrino events in it (the Poisson metric of the fog's likelihood).
    ``sigma_cm2`` gives that WIMP as many events as ⁸B; ``events_per_tonne_year`` is that
    number; ``cosine`` (1 = the same shape) is the overlap of the two spectra in that metric.
    """

    target: str
    threshold_keVnr: float
    mass_GeV: float
    sigma_cm2: float
    events_per_tonne_year: float
    cosine: float


def _match_parts(target: str, threshold_keVnr: float):
    edges = fogstats.log_bin_edges(threshold_keVnr, MAX_KEVNR, 60)
    x, w = np.polynomial.legendre.leggauss(8)
    lo, hi = np.log(edges[:-1]), np.log(edges[1:])
    E = np.exp(0.5 * (lo + hi)[:, None] + 0.5 * (hi - lo)[:, None] * x)
    weights = E * w * 0.5 * (hi - lo)[:, None]
    spectra = sky.neutrino_background_spectra(target, E.ravel(), SOLAR_MODEL)
    b8 = np.sum(spectra["8B"].reshape(E.shape) * weights, axis=1)
    total = np.sum(sum(spectra.values()).reshape(E.shape) * weights, axis=1)

    def signal(masses):
        s = wimp.wimp_recoil_spectrum(target, E.ravel(), masses, 1.0)
        return np.sum(s.reshape(s.shape[:-1] + E.shape) * weights, axis=-1)

    return b8, total, signal


def _distance(b8, total, s):
    """χ² per tonne-year between ⁸B and count-matched WIMP spectra ``s`` (n_mass, n_bins)."""
    S = s.sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        scaled = s * (b8.sum() / S)[..., None]
        chi2 = np.sum(np.where(total > 0, (scaled - b8) ** 2 / total, 0.0), axis=-1)
    return np.where(S > 0, chi2, np.inf)


@lru_cache(maxsize=64)
def _match(target: str, threshold_keVnr: float) -> Match:
    from scipy.optimize import minimize_scalar

    b8, total, signal = _match_parts(target, threshold_keVnr)
    if not b8.sum() > 0:
        raise ValueError(
            f"no ⁸B recoils in {TARGETS[target]} above {threshold_keVnr:.3g} keVnr: "
            "lower the threshold to find the WIMP that mimics them"
        )
    grid = np.geomspace(1.0, 100.0, 121)
    d = _distance(b8, total, signal(grid))
    i = int(np.argmin(d))
    lo, hi = np.log(grid[max(i - 1, 0)]), np.log(grid[min(i + 1, grid.size - 1)])
    best = minimize_scalar(
        lambda y: float(_distance(b8, total, signal(np.array([np.exp(y)])))[0]),
        bounds=(lo, hi),
        method="bounded",
        options={"xatol": 1e-5},
    )
    mass = float(np.exp(best.x))
    s = signal(np.array([mass]))[0]
    sigma = float(b8.sum() / s.sum())
    cosine = float(np.sum(s * b8 / total) / math.sqrt(np.sum(s**2 / total) * np.sum(b8**2 / total)))
    return Match(target, threshold_keVnr, mass, sigma, float(b8.sum()), cosine)


def match_8b(target: str = "Xe", threshold_keVnr: float = 1.0) -> Match:
    """The WIMP (mass, cross section) whose recoils above ``threshold_keVnr`` look most like
    the ⁸B neutrinos' (see :class:`Match`); cached per (target, threshold).

    >>> m = match_8b("Xe", 1.0)
    >>> 5 < m.mass_GeV < 7 and 1e-45 < m.sigma_cm2 < 1e-44
    True
    """
    return _match(_check_target(target), _key(_check_threshold(threshold_keVnr)))


@lru_cache(maxsize=24)
def _fog_map(target: str, threshold_keVnr: float) -> fogstats.FogMap:
    return fogstats.fog_map(
        target,
        MAP_MASSES_GeV,
        EXPOSURES_t_yr,
        threshold_keVnr=threshold_keVnr,
        max_keVnr=MAX_KEVNR,
        solar_model=SOLAR_MODEL,
    )


def fog_map_for(target: str, threshold_keVnr: float) -> fogstats.FogMap:
    """The fog map of ``target`` above ``threshold_keVnr`` on :data:`MAP_MASSES_GeV` and
    :data:`EXPOSURES_t_yr` (cached: about 0.1 s to compute)."""
    return _fog_map(_check_target(target), _key(_check_threshold(threshold_keVnr)))


@lru_cache(maxsize=256)
def _curve(target: str, threshold_keVnr: float, mass_GeV: float):
    m = fogstats.fog_map(
        target,
        np.array([mass_GeV]),
        EXPOSURES_t_yr,
        threshold_keVnr=threshold_keVnr,
        max_keVnr=MAX_KEVNR,
        solar_model=SOLAR_MODEL,
    )
    return m.sigma_dl_cm2[0], m.index[0]


def discovery_curve(target: str, threshold_keVnr: float, mass_GeV: float):
    """(σ_DL in cm², fog index n) on :data:`EXPOSURES_t_yr` for one WIMP mass (3σ discovery,
    O'Hare's definition; ``inf``/``nan`` where the WIMP gives no recoil above threshold)."""
    mass = float(mass_GeV)
    if not (math.isfinite(mass) and mass > 0):
        raise ValueError(f"the WIMP mass must be a positive number of GeV; got {mass_GeV!r}")
    return _curve(_check_target(target), _key(_check_threshold(threshold_keVnr)), _key(mass))


def _log_interp(x, xs, ys):
    """ys(x), interpolated linearly in log x and log y (``nan`` outside or where not finite)."""
    ok = np.isfinite(ys) & (ys > 0)
    if ok.sum() < 2:
        return math.nan
    lx = np.log(xs[ok])
    v = np.interp(math.log(x), lx, np.log(ys[ok]), left=np.nan, right=np.nan)
    return float(np.exp(v))


def _index_at(exposure, curve) -> float:
    sigma, n = curve
    ok = np.isfinite(n) & np.isfinite(sigma)
    if ok.sum() < 2:
        return math.nan
    return float(np.interp(math.log(exposure), np.log(EXPOSURES_t_yr[ok]), n[ok]))


def exposure_to_discover(sigma_cm2: float, curve) -> float:
    """Exposure (t yr) at which the discovery limit ``curve`` reaches ``sigma_cm2``: 0 if the
    smallest exposure already does, ``inf`` if the largest does not."""
    limit = curve[0]
    ok = np.isfinite(limit)
    if not ok.any():
        return math.inf
    s, e = limit[ok], EXPOSURES_t_yr[ok]
    if sigma_cm2 >= s[0]:
        return 0.0 if sigma_cm2 > s[0] else float(e[0])
    if sigma_cm2 < s.min():
        return math.inf
    # the limit falls with exposure: interpolate log e against log sigma, decreasing
    j = int(np.argmax(s <= sigma_cm2))
    ls, le = np.log(s[j - 1 : j + 1]), np.log(e[j - 1 : j + 1])
    if ls[0] == ls[1]:
        return float(e[j])
    return float(np.exp(le[0] + (math.log(sigma_cm2) - ls[0]) * (le[1] - le[0]) / (ls[1] - ls[0])))


def _regime(n: float) -> str:
    if not math.isfinite(n):
        return "no discovery possible here"
    if n < 1.25:
        return "background-free: double the exposure, halve the limit"
    if n <= 2.0:
        return "counting above the neutrinos: the limit falls as 1/√exposure or faster"
    return "in the neutrino fog: the limit falls slower than 1/√exposure"


def _exposure_text(e: float) -> str:
    if e == 0:
        return "less than 10⁻⁴ t yr"
    if not math.isfinite(e):
        return f"more than {sci(EXPOSURES_t_yr[-1], 1)} t yr: it hides in the fog"
    return f"{human_number(e, 2)} t yr"


# --------------------------------------------------------------------------- the lesson


def _fog_palette(n: int = 64) -> list[str]:
    """White (clear) to dark slate (dense fog)."""
    a, b = np.array([255, 255, 255]), np.array([47, 62, 78])
    out = []
    for t in np.linspace(0.0, 1.0, n) ** 0.8:
        r, g, bl = (a + (b - a) * t).round().astype(int)
        out.append(f"#{r:02x}{g:02x}{bl:02x}")
    return out


def _edges(values: np.ndarray) -> np.ndarray:
    """Cell edges around log-spaced centres."""
    lv = np.log(values)
    mid = 0.5 * (lv[1:] + lv[:-1])
    return np.exp(np.concatenate([[2 * lv[0] - mid[0]], mid, [2 * lv[-1] - mid[-1]]]))


class FogLesson(Lesson):
    """Drag the exposure, threshold and target of a dark-matter detector, and a WIMP's mass
    and cross section, and watch the discovery limit sink into the neutrino fog.

    Args:
        target: ``"Xe"``, ``"Ar"`` or ``"Ge"``.
        exposure: tonne-years (default: XENONnT's 2024 ⁸B exposure).
        threshold: keVnr.
        mass_GeV, sigma_cm2: the WIMP to start with.

    Sources: ``fog_spectrum`` (``T`` keVnr and the neutrino groups of :data:`GROUPS` and
    ``total`` in events/(t yr keVnr)), ``fog_wimp`` (``T``, ``rate``), ``fog_curve``
    (``exposure`` t yr, ``sigma`` cm², ``n``), ``fog_now`` and ``fog_guides`` (the current
    point and the n = 1 and n = 2 slopes through it), ``fog_cells`` (the map),
    ``fog_edge`` (the n = 2 edge), ``fog_limit`` (σ_DL at this exposure against mass),
    ``fog_wimp_point``, ``fog_match_point`` and ``fog_flux``.
    """

    name = "fog"

    def __init__(
        self,
        target: str = "Xe",
        exposure: float = XENONNT_EXPOSURE,
        threshold: float = 1.0,
        mass_GeV: float = 30.0,
        sigma_cm2: float = 1e-46,
    ):
        super().__init__()
        self.state = {
            "target": _check_target(target),
            "exposure": float(exposure),
            "threshold": _check_threshold(threshold),
            "mass": float(mass_GeV),
            "sigma": float(sigma_cm2),
        }
        self._syncing = False
        self._build_controls()
        self._build_figures()
        self._update(everything=True)
        controls = W.VBox(
            [
                self.target_buttons,
                W.HBox([self.exposure_slider, self.exposure_text]),
                self.threshold_slider,
                self.mass_slider,
                W.HBox([self.sigma_slider, self.sigma_text], layout=W.Layout(align_items="center")),
                self.match_button,
                self.message,
            ],
            layout=W.Layout(width="560px"),
        )
        self.widget = self._frame(
            fluid_row(controls, self.readout),
            fluid_row(self._view("fog_spectrum"), self._view("fog_exposure")),
            fluid_row(self._view("fog_map"), self._view("fog_flux")),
        )

    # --- state --------------------------------------------------------------------------
    @property
    def target(self) -> str:
        return self.state["target"]

    @property
    def exposure(self) -> float:
        return self.state["exposure"]

    @property
    def threshold(self) -> float:
        return self.state["threshold"]

    @property
    def mass(self) -> float:
        return self.state["mass"]

    @property
    def sigma(self) -> float:
        return self.state["sigma"]

    @property
    def curve(self):
        """(σ_DL, n) on :data:`EXPOSURES_t_yr` for the current target, threshold and mass."""
        return discovery_curve(self.target, self.threshold, self.mass)

    def numbers(self) -> dict:
        """Every number of the readout for the current state."""
        curve = self.curve
        e = self.exposure
        nu = neutrino_events(self.target, self.threshold)
        per_sigma = wimp_events_per_sigma(self.target, self.threshold, self.mass)
        return {
            "sigma_dl": _log_interp(e, EXPOSURES_t_yr, curve[0]),
            "n": _index_at(e, curve),
            "b8_events": nu["b8"] * e,
            "nu_events": nu["total"] * e,
            "wimp_events": per_sigma * self.sigma * e,
            "exposure_needed": exposure_to_discover(self.sigma, curve),
        }

    # --- building -----------------------------------------------------------------------
    def _build_controls(self):
        s = self.state
        self.target_buttons = W.ToggleButtons(
            options=[(name, t) for t, name in TARGETS.items()],
            value=s["target"],
            description="Target",
            tooltips=["liquid xenon (XENONnT, LZ, PandaX-4T)", "liquid argon", "germanium"],
            style={"description_width": "138px", "button_width": "110px"},
        )
        self.target_buttons.add_class("cevns-fog-target")
        log = dict(kind=W.FloatLogSlider, base=10)
        self.exposure_slider = slider(
            "Exposure [t yr]",
            s["exposure"],
            -3.0,
            6.0,
            0.01,
            fmt=".3g",
            tooltip="Tonnes of target times years of running",
            css="cevns-fog-exposure",
            width="400px",
            **log,
        )
        self.exposure_text = W.Text(
            placeholder="or type, e.g. 200",
            tooltip="Type an exposure in tonne-years and press Enter",
            continuous_update=False,
            layout=W.Layout(width="140px"),
        )
        self.exposure_text.add_class("cevns-fog-exposure-text")
        self.threshold_slider = slider(
            "Threshold [keVnr]",
            s["threshold"],
            -1.5,
            1.3,
            0.05,
            fmt=".3g",
            tooltip="Smallest nuclear recoil counted",
            css="cevns-fog-threshold",
            width="400px",
            **log,
        )
        self.mass_slider = slider(
            "WIMP mass [GeV]",
            s["mass"],
            0.0,
            3.0,
            0.001,
            fmt=".3g",
            tooltip="Mass of the dark-matter particle",
            css="cevns-fog-mass",
            width="400px",
            **log,
        )
        self.sigma_slider = slider(
            "WIMP σ [cm²]",
            s["sigma"],
            -50.0,
            -40.0,
            0.002,
            fmt=".2e",
            tooltip="WIMP-nucleon spin-independent cross section",
            css="cevns-fog-sigma",
            width="300px",
            readout=False,
            **log,
        )
        # d3's readout can only write 1.00e-46: the value in words next to the slider
        self.sigma_text = W.HTML(layout=W.Layout(width="130px", margin="0 0 0 4px"))
        self.sigma_text.add_class("cevns-fog-sigma-value")
        self.sigma_slider.observe(self._show_sigma, names="value")
        self._show_sigma({"new": self.sigma_slider.value})
        self.match_button = W.Button(
            description="match ⁸B",
            icon="magic",
            tooltip="Set the WIMP that best mimics the ⁸B neutrinos at this target and threshold",
            layout=W.Layout(width="140px", margin="2px 0 2px 142px"),
        )
        self.match_button.add_class("cevns-fog-match")
        self.readout = W.HTML(layout=W.Layout(width="520px"))
        self.readout.add_class("cevns-lesson-readout")
        self.readout.add_class("cevns-fog-readout")
        self.target_buttons.observe(self._on_target, names="value")
        for name, widget in (
            ("exposure", self.exposure_slider),
            ("threshold", self.threshold_slider),
            ("mass", self.mass_slider),
            ("sigma", self.sigma_slider),
        ):
            widget.observe(lambda change, n=name: self._on_slider(n, change), names="value")
        self.exposure_text.observe(self._on_exposure_text, names="value")
        self.match_button.on_click(self._on_match)

    def _build_figures(self):
        from bokeh.models import (
            BoxAnnotation,
            ColorBar,
            FactorRange,
            HoverTool,
            LinearColorMapper,
            Range1d,
            Span,
        )

        # 1. recoil spectra
        fig = self._figure(
            "fog_spectrum",
            "Recoil spectra",
            "Nuclear recoil energy [keVnr]",
            "Rate [events/(t yr keVnr)]",
            width=540,
            height=320,
            x_axis_type="log",
            y_axis_type="log",
            x_range=Range1d(RECOIL_keV[0], MAX_KEVNR),
            y_range=Range1d(1e-5, 1e4),
        )
        empty = np.zeros(RECOIL_keV.size)
        src = self._source("fog_spectrum", {"T": RECOIL_keV, **dict.fromkeys(GROUPS, empty)})
        src.data["total"] = empty
        for col, (_comps, label, colour, dash) in GROUPS.items():
            fig.line(
                "T",
                col,
                source=src,
                color=colour,
                line_dash=dash,
                line_width=2.5,
                legend_label=label,
            )
        total = fig.line(
            "T",
            "total",
            source=src,
            color=BLACK,
            line_width=1.5,
            alpha=0.6,
            legend_label="all neutrinos",
        )
        wimp_src = self._source("fog_wimp", {"T": RECOIL_keV, "rate": empty})
        wimp_line = fig.line(
            "T", "rate", source=wimp_src, color=PURPLE, line_width=3.5, legend_label="WIMP"
        )
        self.threshold_box = BoxAnnotation(
            left=RECOIL_keV[0],
            right=1.0,
            fill_color=SHADE_COLOR,
            fill_alpha=0.18,
            line_alpha=0,
            level="underlay",
        )
        fig.add_layout(self.threshold_box)
        fig.add_tools(
            HoverTool(
                renderers=[total, wimp_line],
                mode="vline",
                tooltips=[
                    ("recoil", "@T{0.00} keVnr"),
                    ("neutrinos", "@total{0.00e0} /(t yr keV)"),
                    ("WIMP", "@rate{0.00e0} /(t yr keV)"),
                ],
            )
        )
        style_legend(fig, "top_right")

        # 2. discovery limit against exposure
        fig = self._figure(
            "fog_exposure",
            "Discovery limit against exposure",
            "Exposure [t yr]",
            "Discovery limit σ_DL [cm²]",
            width=540,
            height=320,
            x_axis_type="log",
            y_axis_type="log",
            x_range=Range1d(EXPOSURES_t_yr[0], EXPOSURES_t_yr[-1]),
        )

        def mapper():  # one per figure: a Bokeh model belongs to one document
            return LinearColorMapper(
                palette=_fog_palette(), low=1.0, high=N_COLOUR_MAX, nan_color=OUT_OF_REACH
            )

        self.n_mapper = mapper()
        none = np.zeros(0)
        curve = self._source("fog_curve", {"exposure": none, "sigma": none, "n": none})
        fig.line("exposure", "sigma", source=curve, color=BLACK, line_width=2)
        dots = fig.scatter(
            "exposure",
            "sigma",
            source=curve,
            size=7,
            line_color="#555555",
            fill_color={"field": "n", "transform": self.n_mapper},
            legend_label="σ_DL (dot colour: fog index n)",
        )
        guides = self._source("fog_guides", {"exposure": none, "n1": none, "n2": none})
        fig.line(
            "exposure",
            "n1",
            source=guides,
            color=SKY,
            line_width=2.5,
            line_dash="dashed",
            legend_label="n = 1: ∝ 1/exposure",
        )
        fig.line(
            "exposure",
            "n2",
            source=guides,
            color=ORANGE,
            line_width=2.5,
            line_dash="dashed",
            legend_label="n = 2: ∝ 1/√exposure",
        )
        now = self._source(
            "fog_now", {"exposure": np.ones(1), "sigma": np.ones(1), "n": np.ones(1)}
        )
        add_current_star(fig, "exposure", "sigma", now, size=20, legend_label="this exposure")
        self.sigma_span = Span(
            location=1e-46,
            dimension="width",
            line_color=PURPLE,
            line_width=2,
            line_dash="dotted",
        )
        fig.add_layout(self.sigma_span)
        fig.add_tools(
            HoverTool(
                renderers=[dots],
                tooltips=[
                    ("exposure", "@exposure{0.0e0} t yr"),
                    ("σ_DL", "@sigma{0.00e0} cm²"),
                    ("fog index n", "@n{0.00}"),
                ],
            )
        )
        style_legend(fig, "bottom_left")

        # 3. the fog over mass and cross section
        fig = self._figure(
            "fog_map",
            "The neutrino fog",
            "WIMP mass [GeV]",
            "WIMP-nucleon σ [cm²]",
            width=540,
            height=340,
            x_axis_type="log",
            y_axis_type="log",
            x_range=Range1d(MAP_MASSES_GeV[0], MAP_MASSES_GeV[-1]),
            y_range=Range1d(MAP_SIGMAS_cm2[0], MAP_SIGMAS_cm2[-1]),
        )
        map_mapper = mapper()
        cells = self._source(
            "fog_cells", {"left": none, "right": none, "bottom": none, "top": none, "n": none}
        )
        quads = fig.quad(
            left="left",
            right="right",
            bottom="bottom",
            top="top",
            source=cells,
            fill_color={"field": "n", "transform": map_mapper},
            line_color=None,
        )
        fig.quad(
            left="left",
            right="right",
            bottom="bottom",
            top="top",
            source=self._source(
                "fog_out_of_reach", {"left": none, "right": none, "bottom": none, "top": none}
            ),
            fill_color=OUT_OF_REACH,
            line_color="#9c8b6e",  # so that its legend swatch shows on the white legend
            legend_label=f"out of reach (no recoil, or > {sci(EXPOSURES_t_yr[-1], 1)} t yr)",
        )
        edge = self._source("fog_edge", {"mass": none, "sigma": none})
        fig.line(
            "mass",
            "sigma",
            source=edge,
            color=ORANGE,
            line_width=3,
            legend_label="edge of the fog (n = 2)",
        )
        limit = self._source("fog_limit", {"mass": none, "sigma": none})
        fig.line(
            "mass",
            "sigma",
            source=limit,
            color=BLUE,
            line_width=2.5,
            line_dash="dashed",
            legend_label="σ_DL at this exposure",
        )
        match = self._source("fog_match_point", {"mass": np.ones(1), "sigma": np.ones(1)})
        fig.scatter(
            "mass",
            "sigma",
            source=match,
            marker="diamond",
            size=16,
            color=VERMILION,
            line_color="black",
            legend_label="⁸B look-alike",
        )
        point = self._source("fog_wimp_point", {"mass": np.ones(1), "sigma": np.ones(1)})
        fig.scatter(
            "mass",
            "sigma",
            source=point,
            marker="star",
            size=20,
            color=PURPLE,
            line_color="black",
            legend_label="your WIMP",
        )
        fig.add_layout(
            ColorBar(
                color_mapper=map_mapper,
                title="fog index n",
                title_text_font_size="10pt",
                major_label_text_font_size="10pt",
                width=12,
                padding=4,
            ),
            "right",
        )
        fig.add_tools(
            HoverTool(
                renderers=[quads],
                tooltips=[
                    ("mass", "@left{0.0} GeV"),
                    ("σ", "@bottom{0.0e0} cm²"),
                    ("n", "@n{0.0}"),
                ],
            )
        )
        style_legend(fig, "top_right")

        # 4. the measured 8B flux
        labels = [m.label for m in FLUX_MEASUREMENTS][::-1]
        fig = self._figure(
            "fog_flux",
            "⁸B flux: solar models and measurements",
            "⁸B flux [10⁶ /(cm² s)]",
            "Model or measurement (kind)",
            width=540,
            height=340,
            y_range=FactorRange(*labels),
            x_range=Range1d(0.0, 13.0),
        )
        rows = FLUX_MEASUREMENTS
        flux = self._source(
            "fog_flux",
            {
                "label": [m.label for m in rows],
                "value": np.array([m.value for m in rows]),
                "low": np.array([m.value - m.minus for m in rows]),
                "high": np.array([m.value + m.plus for m in rows]),
                "colour": [_FLUX_COLOURS[m.kind] for m in rows],
                "reference": [m.reference for m in rows],
            },
        )
        fig.segment("low", "label", "high", "label", source=flux, color="colour", line_width=3)
        marks = fig.scatter(
            "value", "label", source=flux, size=13, color="colour", line_color="black"
        )
        model = FLUX_MEASUREMENTS[0]
        fig.add_layout(
            BoxAnnotation(
                left=model.value - model.minus,
                right=model.value + model.plus,
                fill_color=SHADE_COLOR,
                fill_alpha=0.12,
                line_alpha=0,
                level="underlay",
            )
        )
        fig.add_tools(
            HoverTool(
                renderers=[marks],
                tooltips=[
                    ("", "@label"),
                    ("flux", "@value{0.00} (@low{0.00} to @high{0.00}) ×10⁶ /(cm² s)"),
                    ("source", "@reference"),
                ],
            )
        )
        fig.yaxis.major_label_text_font_size = "11pt"
        fig.ygrid.grid_line_alpha = 0.0

    # --- callbacks ----------------------------------------------------------------------
    @safe
    def _on_target(self, change):
        if self._syncing:
            return
        self.state["target"] = _check_target(change["new"])
        self._update(everything=True)

    @safe
    def _show_sigma(self, change) -> None:
        self.sigma_text.value = f"{sci(float(change['new']), 3)} cm²"

    def _on_slider(self, name: str, change):
        if self._syncing:
            return
        widget = {
            "exposure": self.exposure_slider,
            "threshold": self.threshold_slider,
            "mass": self.mass_slider,
            "sigma": self.sigma_slider,
        }[name]
        new = float(change["new"])
        if is_echo(widget, new, self.state[name]):
            return  # the browser snapped a value we set to the slider's grid
        self._set_state(**{name: new})

    @safe
    def _on_exposure_text(self, change):
        text = str(change["new"]).strip()
        if not text:
            return
        try:
            value = float(text.replace("×10^", "e").replace("x10^", "e"))
        except ValueError:
            raise ValueError(
                f"type the exposure as a number of tonne-years, e.g. 200 or 1e4; got {text!r}"
            ) from None
        lo, hi = 10**self.exposure_slider.min, 10**self.exposure_slider.max
        if not (math.isfinite(value) and lo <= value <= hi):
            raise ValueError(f"the exposure must be between {lo:g} and {hi:g} t yr; got {text}")
        self._set_state(exposure=value)

    @safe
    def _on_match(self, _button):
        m = match_8b(self.target, self.threshold)
        self._set_state(mass=m.mass_GeV, sigma=m.sigma_cm2)

    def _set_state(self, **changes):
        """Settings: ``target``, ``exposure``, ``threshold``, ``mass``, ``sigma``."""
        new = dict(self.state)
        for key, value in changes.items():
            if key not in new:
                raise ValueError(f"unknown setting {key!r}; use one of {', '.join(new)}")
            if key == "target":
                new[key] = _check_target(value)
                continue
            v = float(value)
            if not (math.isfinite(v) and v > 0):
                raise ValueError(f"{key} must be a positive number; got {value!r}")
            new[key] = v
        new["threshold"] = _check_threshold(new["threshold"])
        # compute before touching anything, so that a failure leaves the last good figures
        discovery_curve(new["target"], new["threshold"], new["mass"])
        changed = {k for k in new if new[k] != self.state[k]}
        self.state = new
        self._sync_widgets()
        if changed & {"target", "threshold"}:
            self._update(everything=True)
        else:
            self._update(
                mass="mass" in changed, sigma="sigma" in changed, exposure="exposure" in changed
            )

    def _sync_widgets(self):
        self._syncing = True
        try:
            s = self.state
            if self.target_buttons.value != s["target"]:
                self.target_buttons.value = s["target"]
            for name, widget in (
                ("exposure", self.exposure_slider),
                ("threshold", self.threshold_slider),
                ("mass", self.mass_slider),
                ("sigma", self.sigma_slider),
            ):
                lo, hi = 10**widget.min, 10**widget.max
                shown = min(max(s[name], lo), hi)
                if not np.isclose(widget.value, shown, rtol=1e-9, atol=0.0):
                    widget.value = shown
        finally:
            self._syncing = False

    # --- updates ------------------------------------------------------------------------
    def _update(self, *, everything=False, mass=False, sigma=False, exposure=False):
        """Recompute what changed: ``everything`` (target or threshold), the WIMP ``mass``,
        its ``sigma`` or the ``exposure``."""
        if everything:
            self._update_background()
            self._update_map()
        if everything or mass:
            self._update_curve()
        if everything or mass or sigma:
            self._update_wimp()
        if everything or mass or exposure:
            self._update_point()
        if everything or exposure:
            self._update_limit()
        self._update_readout()
        self.show_error("")

    def _update_background(self):
        curves = background_curves(self.target)
        with np.errstate(invalid="ignore"):
            data = {k: np.where(v > 0, v, np.nan) for k, v in curves.items()}
        self.sources["fog_spectrum"].data = {"T": RECOIL_keV, **data}
        self._set(self.threshold_box, right=self.threshold)
        self._set(
            self.figures["fog_spectrum"].title,
            text=f"Recoil spectra in {TARGETS[self.target]} (grey: below threshold)",
        )
        try:
            m = match_8b(self.target, self.threshold)
            point = {"mass": np.array([m.mass_GeV]), "sigma": np.array([m.sigma_cm2])}
        except ValueError:  # no 8B above this threshold: no look-alike to mark
            point = {"mass": np.zeros(0), "sigma": np.zeros(0)}
        self.sources["fog_match_point"].data = point

    def _update_map(self):
        fm = fog_map_for(self.target, self.threshold)
        n = fm.index_on_grid(MAP_SIGMAS_cm2)  # (n_mass, n_sigma)
        limits = fm.sigma_dl_cm2
        ok = np.isfinite(limits)
        top = np.where(ok.any(1), np.max(np.where(ok, limits, -np.inf), 1), np.nan)
        above = MAP_SIGMAS_cm2[None, :] >= top[:, None]
        n = np.where(np.isnan(n) & above, 1.0, n)  # discovered with the smallest exposure
        # below the limit at the largest exposure stays nan: out of reach, like no signal
        me, se = _edges(MAP_MASSES_GeV), _edges(MAP_SIGMAS_cm2)
        i, j = np.meshgrid(
            np.arange(MAP_MASSES_GeV.size), np.arange(MAP_SIGMAS_cm2.size), indexing="ij"
        )
        self.sources["fog_cells"].data = {
            "left": me[:-1][i].ravel(),
            "right": me[1:][i].ravel(),
            "bottom": se[:-1][j].ravel(),
            "top": se[1:][j].ravel(),
            "n": np.minimum(n, N_COLOUR_MAX).ravel(),
        }
        edge = fm.boundary_cm2(2.0)
        ok = np.isfinite(edge)
        self.sources["fog_edge"].data = {"mass": MAP_MASSES_GeV[ok], "sigma": edge[ok]}
        self._set(
            self.figures["fog_map"].title,
            text=f"The neutrino fog: {TARGETS[self.target]} above {self.threshold:.3g} keVnr",
        )

    def _update_limit(self):
        fm = fog_map_for(self.target, self.threshold)
        e = self.exposure
        sig = np.array([_log_interp(e, EXPOSURES_t_yr, row) for row in fm.sigma_dl_cm2])
        ok = np.isfinite(sig)
        self.sources["fog_limit"].data = {"mass": MAP_MASSES_GeV[ok], "sigma": sig[ok]}

    def _update_curve(self):
        sigma, n = self.curve
        ok = np.isfinite(sigma)
        self.sources["fog_curve"].data = {
            "exposure": EXPOSURES_t_yr[ok],
            "sigma": sigma[ok],
            "n": np.where(np.isfinite(n[ok]), np.minimum(n[ok], N_COLOUR_MAX), np.nan),
        }
        self._set(
            self.figures["fog_exposure"].title,
            text=f"Discovery limit of a {human_number(self.mass)} GeV WIMP against exposure",
        )

    def _update_point(self):
        e = self.exposure
        curve = self.curve
        s_now = _log_interp(e, EXPOSURES_t_yr, curve[0])
        if math.isfinite(s_now):
            n_now = _index_at(e, curve)
            span = np.geomspace(e / 30.0, e * 30.0, 9)
            self.sources["fog_now"].data = {
                "exposure": np.array([e]),
                "sigma": np.array([s_now]),
                "n": np.array([n_now]),
            }
            self.sources["fog_guides"].data = {
                "exposure": span,
                "n1": s_now * (span / e) ** -1.0,
                "n2": s_now * (span / e) ** -0.5,
            }
        else:
            empty = np.zeros(0)
            self.sources["fog_now"].data = {"exposure": empty, "sigma": empty, "n": empty}
            self.sources["fog_guides"].data = {"exposure": empty, "n1": empty, "n2": empty}

    def _update_wimp(self):
        rate = _wimp_shape(self.target, _key(self.mass)) * self.sigma
        with np.errstate(invalid="ignore"):
            self.sources["fog_wimp"].data = {
                "T": RECOIL_keV,
                "rate": np.where(rate > 0, rate, np.nan),
            }
        self.sources["fog_wimp_point"].data = {
            "mass": np.array([self.mass]),
            "sigma": np.array([self.sigma]),
        }
        self._set(self.sigma_span, location=self.sigma)

    def _update_readout(self):
        c = self.numbers()
        name = TARGETS[self.target]
        line = '<div style="font-size:15px">'
        if math.isfinite(c["sigma_dl"]):
            head = (
                f'<span class="cevns-fog-sigma-dl" style="font-size:30px;font-weight:700">'
                f"σ<sub>DL</sub> = {sci(c['sigma_dl'], 2)} cm²</span>"
                f'<div style="font-size:15px">the smallest σ a {human_number(self.mass)} GeV WIMP '
                f"can have and still be discovered (3σ) with {human_number(self.exposure)} t yr "
                f"of {name} above "
                f"{self.threshold:.3g} keVnr</div>"
                f'{line}fog index <b class="cevns-fog-n">n = {c["n"]:.2f}</b>: '
                f"{html.escape(_regime(c['n']))}</div>"
            )
        else:
            head = (
                f'<span class="cevns-fog-sigma-dl" style="font-size:24px;font-weight:700">'
                f"no recoil above {self.threshold:.3g} keVnr</span>"
                f"{line}a {human_number(self.mass)} GeV WIMP is too light to move a {name} "
                "nucleus by that much: lower the threshold or raise the mass</div>"
            )
        wimp_line = (
            f"{line}Your WIMP ({human_number(self.mass)} GeV, {sci(self.sigma, 2)} cm²): "
            f'<b class="cevns-fog-wimp-events">{format_events(c["wimp_events"])}</b> events; '
            f"a 3σ discovery needs {_exposure_text(c['exposure_needed'])}</div>"
        )
        nu_line = (
            f"{line}Neutrinos above threshold in {human_number(self.exposure)} t yr: "
            f'<b class="cevns-fog-b8-events">{format_events(c["b8_events"])}</b> from ⁸B, '
            f"{format_events(c['nu_events'])} in all</div>"
        )
        self.readout.value = (
            f'<div style="line-height:1.3;padding:2px 8px">{head}{nu_line}{wimp_line}</div>'
        )


# --------------------------------------------------------------------------- notebook helpers


def _box(inner: str, css: str) -> W.HTML:
    return table_widget(f'<div style="font-size:15px;line-height:1.45">{inner}</div>', css)


def _answer_text(guess: float | None) -> str:
    m = match_8b(PREDICTION_TARGET, PREDICTION_THRESHOLD_keVnr)
    nearest = min(PREDICTION_CHOICES_GeV, key=lambda c: abs(math.log(c / m.mass_GeV)))
    if guess is None:
        verdict = ""
    elif guess == nearest:
        verdict = "<b>Your guess is right.</b> "
    else:
        verdict = f"<b>You guessed {guess:g} GeV; the answer is nearer {nearest:g} GeV.</b> "
    e8 = solar.component_spectra()["8B"].max_energy_MeV
    xe = make_target(PREDICTION_TARGET)
    xe_mass_GeV = float(np.average(xe.mass_MeV, weights=xe.nuclei_per_kg())) / 1000.0
    t_nu = 2 * (e8 * 1e-3) ** 2 / xe_mass_GeV * 1e6  # keV, E << M
    halo = wimp.DEFAULT_HALO
    t_wimp = float(np.max(wimp.max_recoil_keV(m.mass_GeV, xe_mass_GeV, halo)))
    return (
        f"<p>{verdict}The WIMP whose recoils look most like the ⁸B neutrinos' in xenon above "
        f"{PREDICTION_THRESHOLD_keVnr:g} keVnr has <b>m = {m.mass_GeV:.2f} GeV</b> and "
        f"<b>σ = {sci(m.sigma_cm2, 2)} cm²</b> (it gives the same {m.events_per_tonne_year:.0f} "
        f"events per tonne-year; the two spectra overlap to {100 * m.cosine:.2f} %).</p>"
        f"<p>Why so light: the most energetic ⁸B neutrino ({e8:.1f} MeV) can give a xenon "
        f"nucleus at most 2E²/M ≈ {t_nu:.1f} keVnr, and a {m.mass_GeV:.2f} GeV WIMP at the "
        f"fastest speed the halo allows ({halo.max_speed_kms:.0f} km/s in the lab) gives at "
        f"most {t_wimp:.1f} keVnr. Both spectra fall steeply to that end. Heavier WIMPs give "
        "recoils of tens of keV, where only the far rarer atmospheric neutrinos compete.</p>"
    )


def prediction() -> W.VBox:
    """The notebook's prediction question: pick a WIMP mass, then reveal the computed answer
    (class ``cevns-fog-prediction``; the answer appears in ``children[2]``)."""
    choice = W.RadioButtons(
        options=[(f"about {c:g} GeV", c) for c in PREDICTION_CHOICES_GeV],
        value=None,
        description="Your guess",
        style={"description_width": "100px"},
        layout=W.Layout(width="320px"),
    )
    choice.add_class("cevns-fog-guess")
    button = W.Button(description="Reveal", icon="eye", layout=W.Layout(width="120px"))
    button.add_class("cevns-fog-reveal")
    answer = W.HTML(layout=W.Layout(width="auto", max_width="900px"))
    answer.add_class("cevns-fog-answer")

    def reveal(_button):
        try:
            answer.value = (
                '<div style="font-size:15px;line-height:1.45;max-width:880px">'
                f"{_answer_text(choice.value)}</div>"
            )
        except Exception as exc:  # noqa: BLE001 -- never a traceback in the widget
            answer.value = f"⚠ could not compute the answer: {html.escape(str(exc))}"

    button.on_click(reveal)
    button.layout.margin = "4px 0 4px 16px"
    box = W.VBox([W.VBox([choice, button]), W.HTML(""), answer])
    box.layout.max_width = "100%"
    box.add_class("cevns-lesson")
    box.add_class("cevns-fog-prediction")
    return box


def measurements_table() -> W.HTML:
    """The first ⁸B CEvNS measurements (2024) next to this library's expectation for
    XENONnT (its preset, with the release's efficiency)."""
    preset = get_preset("xenonnt-8b-2024")
    ours = evaluate(preset.scenario).events_total
    rows = [
        [
            "XENONnT (PRL 133 (2024) 191002)",
            f"{XENONNT_EXPOSURE:.2f}",
            "37 on 26.4 background",
            "2.73σ",
            "4.7 (+3.6 −2.3)",
            f"<b>{format_events(ours)}</b> ⁸B events",
        ],
        [
            "PandaX-4T (PRL 133 (2024) 191001)",
            "1.20 paired + 1.04 ionisation-only",
            "–",
            "2.64σ",
            "8.4 ± 3.1",
            "–",
        ],
    ]
    model = solar.FLUXES["b16-gs98"]["8B"]
    table = html_table(
        [
            "experiment",
            "exposure [t yr]",
            "events",
            "significance",
            "⁸B flux [10⁶ /(cm² s)]",
            "this library",
        ],
        rows,
        caption="Solar ⁸B neutrinos seen through CEvNS in xenon dark-matter detectors",
        align="llllll",
    )
    note = (
        f"<p>The B16-GS98 solar model predicts {model[0] / 1e6:.2f} ± "
        f"{model[0] * model[1] / 1e6:.2f} × 10⁶ /(cm² s); the fog above uses the global fit of "
        "the solar-neutrino data, 5.16 ± 0.10 × 10⁶, as O'Hare did. This library's XENONnT "
        "count uses the "
        f"preset <code>{preset.name}</code>: natural xenon, the collaboration's released "
        "efficiency (under 10 % below 2 keVnr), recoils above 0.5 keVnr.</p>"
    )
    return _box(table + note, "cevns-fog-measurements")


def exercise_numbers() -> W.HTML:
    """The numbers behind the exercises' answers, folded."""
    xe = match_8b("Xe", 1.0)
    ar = match_8b("Ar", 1.0)
    ge = match_8b("Ge", 1.0)
    c10 = discovery_curve("Xe", 1.0, 10.0)
    c1000 = discovery_curve("Xe", 1.0, 1000.0)
    n10 = [_index_at(e, c10) for e in (1.0, 100.0, 1e4)]
    ex_needed = exposure_to_discover(xe.sigma_cm2, discovery_curve("Xe", 1.0, xe.mass_GeV))
    b8_3 = neutrino_events("Xe", 3.0)["b8"]
    b8_1 = neutrino_events("Xe", 1.0)["b8"]
    items = [
        f"1. The ⁸B look-alike: xenon {xe.mass_GeV:.2f} GeV, argon {ar.mass_GeV:.2f} GeV, "
        f"germanium {ge.mass_GeV:.2f} GeV (all above 1 keVnr). The look-alike on xenon needs "
        f"{_exposure_text(ex_needed)} for a 3σ discovery.",
        f"2. Fog index of a 10 GeV WIMP on xenon above 1 keVnr: n = {n10[0]:.2f} at 1 t yr, "
        f"{n10[1]:.2f} at 100 t yr, {n10[2]:.2f} at 10⁴ t yr. σ_DL of a 1 TeV WIMP at "
        f"1000 t yr: {sci(_log_interp(1e3, EXPOSURES_t_yr, c1000[0]), 2)} cm².",
        f"3. ⁸B events per t yr in xenon: {human_number(b8_1)} above 1 keVnr, "
        f"{human_number(b8_3)} above 3 keVnr.",
    ]
    inner = "<br>".join(items)
    return _box(
        f"<details><summary><b>Numbers behind the answers</b></summary><p>{inner}</p></details>",
        "cevns-fog-exercise-numbers",
    )
