"""Notebook 7, reactor CEvNS: many more neutrinos, sub-keV recoils, and the quenching question.

``ReactorLesson`` binds a threshold slider in eVee and a Lindhard k slider to a reactor
:class:`ScenarioModel` (CONUS+ 2025 by default) and shows the count, its range over the
quenching band (k from 0.12 to 0.25), the observed spectrum with the band and the recoil
spectrum with the threshold in keVnr. The functions below write the notebook's numbers, so
that no number in its text is typed by hand: ``story`` (the fluxes and energies of the two
sources), ``prediction_answer`` (the largest germanium recoil from a 4 MeV antineutrino),
``experiments_table`` (the reactor presets next to their published results),
``quenching_question`` (Dresden-II vs CONUS+) and ``exercise_numbers``.
"""

from __future__ import annotations

import html
import math

import ipywidgets as W
import numpy as np

from ...api import evaluate
from ...physics.cross_sections import max_recoil_keV
from ...physics.nuclei import make_target
from ...physics.sources import reactor, sns
from ...presets import PRESETS, get_preset
from ...scenario import Scenario
from ..band import BAND_K, quenching_band
from ..figures import ObservedSpectrumFigure, RecoilSpectrumFigure
from ..layout import fluid_row
from ..model import ScenarioModel
from ..readout import format_events, published_text
from ..units import heaviest_element, round_sig, standard_lindhard_k, threshold_keVnr
from ._base import FieldSlider, Lesson, html_table, safe, table_widget

__all__ = [
    "PREDICTION_ENERGY_MeV",
    "ReactorLesson",
    "experiments_table",
    "exercise_numbers",
    "max_recoil_keVnr",
    "prediction_answer",
    "quenching_question",
    "reactor_presets",
    "source_comparison",
    "story",
]

#: The antineutrino energy of the notebook's prediction question (MeV).
PREDICTION_ENERGY_MeV = 4.0
#: The preset the lesson opens and the story compares with the SNS.
MAIN_PRESET = "conus-plus-2025"
#: The SNS preset the story compares with.
SNS_PRESET = "coherent-csi-2017"
_S_PER_DAY = 86400.0


def max_recoil_keVnr(target: str = "Ge", E_MeV: float = PREDICTION_ENERGY_MeV) -> float:
    """The largest recoil T_max = 2E²/(M + 2E) (keVnr) of the target's mean nucleus (masses
    weighted by natural abundance) from a neutrino of ``E_MeV``.

    >>> round(max_recoil_keVnr("Ge", 4.0), 2)
    0.47
    """
    t = make_target(target)
    mass = float(np.average(t.mass_MeV, weights=t.nuclei_per_kg()))
    return float(max_recoil_keV(E_MeV, mass))


def reactor_presets() -> list[str]:
    """The names of the reactor presets, in registry order."""
    return [n for n, p in PRESETS.items() if p.scenario.source == "reactor"]


def _flux_per_cm2_s(s: Scenario) -> float:
    """Neutrinos per cm² per second at the detector (all components)."""
    if s.source == "reactor":
        rate = reactor.antineutrinos_per_second(
            s.reactor_power_GW, s.fission_fractions, s.reactor_spectrum, s.energy_per_fission
        )
    else:  # the SNS at its design power, 1.4 MW of 1 GeV protons
        rate = 3 * s.nu_per_pot * sns.pot_from_days(1.0 / _S_PER_DAY, 1.4, 1.0)
    return rate / (4.0 * math.pi * (100.0 * s.distance_m) ** 2)


def _spectrum_mean_MeV(spec) -> float:
    """Mean energy of one component's spectrum (a tabulated density or a line)."""
    if hasattr(spec, "values"):
        e, v = spec.energies_MeV, spec.values
        return float(np.trapezoid(e * v, e) / np.trapezoid(v, e))
    return float(spec.energy_MeV)


def _mean_energy_MeV(s: Scenario) -> float:
    """Fluence-weighted mean neutrino energy of the scenario's source (MeV)."""
    r = evaluate(s)
    spectra = r.source.spectra(*r.source.spectrum_key(s))
    weights = r.fluence_per_cm2
    total = sum(weights.values())
    return sum(weights[c] * _spectrum_mean_MeV(spectra[c]) for c in spectra) / total


def source_comparison() -> dict:
    """The numbers of the notebook's introduction, all from the library: flux at the
    detector, mean energy, and the largest germanium recoil, for the SNS (COHERENT CsI
    2017's place, at 1.4 MW) and the reactor (CONUS+'s place)."""
    sns_s, reactor_s = get_preset(SNS_PRESET).scenario, get_preset(MAIN_PRESET).scenario
    out = {}
    for key, s in (("sns", sns_s), ("reactor", reactor_s)):
        src = evaluate(s).source
        e_max = max(sp.max_energy_MeV for sp in src.spectra(*src.spectrum_key(s)).values())
        out[key] = {
            "distance_m": s.distance_m,
            "flux_per_cm2_s": _flux_per_cm2_s(s),
            "mean_energy_MeV": _mean_energy_MeV(s),
            "max_energy_MeV": e_max,
            "ge_max_recoil_keVnr": max_recoil_keVnr("Ge", e_max),
        }
    out["flux_ratio"] = out["reactor"]["flux_per_cm2_s"] / out["sns"]["flux_per_cm2_s"]
    return out


def _percent(change: float) -> str:
    """A relative change as '+29 %', or 'less than 0.1 %' when it is that small."""
    if abs(change) < 1e-3:
        return "less than 0.1 %"
    return f"{100 * change:+.2g} %"


def _sci(value: float) -> str:
    mantissa, exponent = f"{value:.2e}".split("e")
    return f"{mantissa} × 10<sup>{int(exponent)}</sup>"


def _order_words(ratio: float) -> str:
    """'about 300 thousand' for 2.8e5 (two significant figures, in words for big powers)."""
    for size, word in ((1e6, " million"), (1e3, " thousand"), (1.0, "")):
        if ratio >= size:
            return f"about {round_sig(ratio / size, 2):g}{word}"
    return f"about {round_sig(ratio, 2):g}"


def _box(inner: str, css: str) -> W.HTML:
    return table_widget(f'<div style="font-size:15px;line-height:1.45">{inner}</div>', css)


def story() -> W.HTML:
    """The introduction's numbers: how many more neutrinos a reactor gives than the SNS, and
    how much less energy each carries (an HTML widget; every number computed here)."""
    c = source_comparison()
    sns_c, r = c["sns"], c["reactor"]
    rows = [
        [
            "SNS (COHERENT CsI, 1.4 MW)",
            f"{sns_c['distance_m']:.3g}",
            _sci(sns_c["flux_per_cm2_s"]),
            f"{sns_c['mean_energy_MeV']:.3g}",
            f"{sns_c['max_energy_MeV']:.3g}",
            f"{sns_c['ge_max_recoil_keVnr']:.3g}",
        ],
        [
            f"reactor ({html.escape(get_preset(MAIN_PRESET).short_title)})",
            f"{r['distance_m']:.3g}",
            _sci(r["flux_per_cm2_s"]),
            f"{r['mean_energy_MeV']:.3g}",
            f"{r['max_energy_MeV']:.3g}",
            f"{r['ge_max_recoil_keVnr']:.3g}",
        ],
    ]
    table = html_table(
        [
            "source",
            "distance [m]",
            "flux [ν/(cm² s)]",
            "mean E [MeV]",
            "largest E [MeV]",
            "largest Ge recoil [keVnr]",
        ],
        rows,
        caption="Two neutrino sources, computed by this library",
        align="lrrrrr",
    )
    text = (
        f"<p>At the detector a power reactor gives <b>{_order_words(c['flux_ratio'])} times</b> "
        f"more neutrinos per cm² per second than the SNS. But its antineutrinos carry "
        f"{sns_c['mean_energy_MeV'] / r['mean_energy_MeV']:.2g} times less energy on average "
        f"({r['mean_energy_MeV']:.2g} against {sns_c['mean_energy_MeV']:.3g} MeV), "
        f"and the largest germanium recoil they can make is "
        f"{sns_c['ge_max_recoil_keVnr'] / r['ge_max_recoil_keVnr']:.2g} times smaller. Most "
        f"reactor recoils in germanium are below a keV, where the detector sees only a "
        f"fraction of the energy as ionisation.</p>"
    )
    return _box(text + table, "cevns-reactor-story")


def prediction_answer(target: str = "Ge", E_MeV: float = PREDICTION_ENERGY_MeV) -> W.HTML:
    """The folded answer to the prediction question, computed: T_max for ``E_MeV`` on
    ``target``, its ionisation signal with standard Lindhard quenching, and a comparison with
    the SNS's 30 MeV prompt line."""
    t_max = max_recoil_keVnr(target, E_MeV)
    t = make_target(target)
    z, a = heaviest_element(target)
    k = standard_lindhard_k(target)
    response = Scenario(target=target, quenching="lindhard").response
    ee = float(response.electron_equivalent_keV(np.array([t_max]), z, a)[0])
    prompt = sns.flavor_spectra()["prompt_numu"].max_energy_MeV
    t_sns = max_recoil_keVnr(target, prompt)
    text = (
        f"<details><summary><b>Answer</b> (open after you have guessed)</summary>"
        f"<p>T<sub>max</sub> = 2E²/(M + 2E) = <b>{t_max:.2g} keVnr</b> = {1000 * t_max:.0f} eVnr "
        f"for a {E_MeV:g} MeV antineutrino on {html.escape(t.name)} (mean nuclear mass "
        f"{float(np.average(t.mass_MeV, weights=t.nuclei_per_kg())) / 1000:.1f} GeV). Most "
        f"recoils are smaller still. With Lindhard quenching (standard k = {k:.3f}) that "
        f"largest recoil shows up as only <b>{1000 * ee:.0f} eVee</b> of ionisation, close to "
        f"the thresholds of the best germanium detectors. The SNS's {prompt:.4g} MeV prompt "
        f"neutrinos can give up to {t_sns:.3g} keVnr: {t_sns / t_max:.0f} times more.</p>"
        "</details>"
    )
    return _box(text, "cevns-reactor-prediction")


def _published_cell(p) -> str:
    text = published_text(p)
    return html.escape(text) if text else "–"


def experiments_table(names=None) -> W.HTML:
    """The reactor presets: power, distance, mass, threshold, live time, this library's
    prediction (with its range over the quenching band) and the published result."""
    rows = []
    for name in names or reactor_presets():
        p = get_preset(name)
        s = p.scenario
        r = evaluate(s)
        band = quenching_band(s)
        spread = ""
        if band is not None:
            lo, hi = band.events_range
            spread = (
                f"<br><small>{format_events(lo)}–{format_events(hi)} for k {band.k_text}</small>"
            )
        unit = "eVee" if s.threshold_unit == "keVee" else "eVnr"
        rows.append(
            [
                html.escape(p.short_title),
                f"{s.reactor_power_GW:g}",
                f"{s.distance_m:.3g}",
                f"{s.mass_kg:.3g}",
                f"{1000 * s.threshold:.0f} {unit}",
                f"{s.live_days:.0f}",
                f"<b>{format_events(r.events_total)}</b>{spread}",
                _published_cell(p),
            ]
        )
    table = html_table(
        [
            "experiment",
            "power [GW]",
            "distance [m]",
            "mass [kg]",
            "threshold",
            "live days",
            "this library [events]",
            "published",
        ],
        rows,
        caption="Reactor CEvNS experiments (the package's presets)",
        align="lrrrrrrl",
    )
    return table_widget(table, "cevns-reactor-table")


def quenching_question() -> W.HTML:
    """Dresden-II and CONUS+ at several Lindhard k: how the count of each depends on the
    quenching model (an HTML widget; the numbers from the presets)."""
    ks = (BAND_K[0], None, 0.162, 0.2, BAND_K[1])
    presets = [n for n in ("dresden-ii-2022", MAIN_PRESET) if n in PRESETS]
    header = ["Lindhard k", *[html.escape(get_preset(n).short_title) for n in presets]]
    rows = []
    for k in ks:
        label = f"{k:g}" if k is not None else "standard (Z, A)"
        cells = []
        for n in presets:
            s = get_preset(n).scenario.replace(lindhard_k=k)
            cells.append(format_events(evaluate(s).events_total))
        rows.append([label, *cells])
    table = html_table(header, rows, caption="Expected events [events] against the quenching k")
    std = standard_lindhard_k("Ge")
    dresden = get_preset("dresden-ii-2022").scenario
    t_nr = threshold_keVnr(dresden)
    text = (
        f"<p>Standard Lindhard k for germanium here is {std:.3f}. Dresden-II's "
        f"{1000 * dresden.threshold:.0f} eVee threshold is a {t_nr:.2g} keVnr recoil with it. "
        "Every number in this table is this library's, with Lindhard quenching only.</p>"
    )
    return _box(table + text, "cevns-reactor-quenching")


def exercise_numbers() -> W.HTML:
    """The numbers behind the exercises' answers, folded, computed from the CONUS+ preset."""
    s = get_preset(MAIN_PRESET).scenario
    n0 = evaluate(s).events_total
    up = evaluate(s.replace(threshold=round(s.threshold + 0.01, 4))).events_total
    down = evaluate(s.replace(threshold=round(s.threshold - 0.01, 4))).events_total
    near = evaluate(s.replace(distance_m=s.distance_m / 2)).events_total
    no_ext = evaluate(s.replace(reactor_spectrum="huber-mueller-no-extension")).events_total
    ibd = reactor.antineutrinos_per_fission_above(s.fission_fractions, reactor.IBD_THRESHOLD_MeV)
    per_fission = reactor.antineutrinos_per_fission(s.fission_fractions)
    items = [
        f"1. At {1000 * s.threshold:.0f} eVee: {format_events(n0)} events; "
        f"{1000 * (s.threshold + 0.01):.0f} eVee: {format_events(up)} "
        f"({_percent(up / n0 - 1)}); {1000 * (s.threshold - 0.01):.0f} eVee: "
        f"{format_events(down)} ({_percent(down / n0 - 1)}).",
        f"2. Half the distance ({s.distance_m / 2:.3g} m): {format_events(near)} events, "
        f"{near / n0:.3g} times more.",
        f"3. Without the spectrum below 2 MeV: {format_events(no_ext)} events "
        f"({_percent(no_ext / n0 - 1)}). Of {per_fission:.3g} antineutrinos per fission, "
        f"{ibd:.3g} are above the {reactor.IBD_THRESHOLD_MeV:g} MeV inverse-beta-decay threshold.",
    ]
    inner = "<br>".join(html.escape(i) for i in items)
    return _box(
        f"<details><summary><b>Numbers behind the answers</b></summary><p>{inner}</p></details>",
        "cevns-reactor-exercise-numbers",
    )


class ReactorLesson(Lesson):
    """Drag a germanium detector's threshold (eVee) and its quenching k at a reactor.

    Args:
        preset: the reactor experiment to start from (default: CONUS+ 2025).

    Sources: the explorer figures' ``observed_spectrum`` (with ``observed_spectrum_band``,
    the spectrum for k from 0.12 to 0.25) and ``recoil_spectrum``. ``events`` is the count
    shown in large type (class ``cevns-reactor-events``).
    """

    name = "reactor"

    def __init__(self, preset: str = MAIN_PRESET):
        super().__init__()
        self.model = m = ScenarioModel(preset)
        s = m.scenario
        if s.source != "reactor" or s.threshold_unit != "keVee" or s.quenching != "lindhard":
            raise ValueError(
                f"ReactorLesson needs a reactor preset with a keVee threshold and Lindhard "
                f"quenching; {preset!r} is not one (try {', '.join(reactor_presets())})"
            )
        self.threshold = FieldSlider(
            m,
            "threshold",
            "Threshold [eVee]",
            low=50.0,
            high=400.0,
            step=5.0,
            scale=1e-3,
            fmt=".0f",
            tooltip="Smallest ionisation signal counted, in eV electron-equivalent",
        )
        self.threshold.slider.add_class("cevns-threshold-evee")
        self.k = FieldSlider(
            m,
            "lindhard_k",
            "Quenching k",
            low=0.10,
            high=0.30,
            step=0.001,
            fmt=".3f",
            tooltip="Lindhard's k: how much of a germanium recoil becomes ionisation",
            when_none="standard Lindhard k for this target",
        )
        self.k.slider.add_class("cevns-lindhard-k")
        self._reset = self._reset_button(
            "preset", "Back to the preset's threshold and k", W.Layout(width="110px")
        )
        self.readout = W.HTML()
        self.readout.add_class("cevns-lesson-readout")
        self.observed = ObservedSpectrumFigure(m, width=540, height=300)
        self.recoil = RecoilSpectrumFigure(m, width=540, height=300)
        for fig in (self.observed, self.recoil):
            fig.set_log(True)  # the sub-keV spectra fall by decades above threshold
        self._update()
        m.observe(self._on_result, names="result")
        controls = W.VBox(
            [self.threshold.widget, self.k.widget, self._reset, self.message],
            layout=W.Layout(width="420px"),
        )
        top = fluid_row(controls, self.readout)
        figures = fluid_row(self._adopt(self.observed), self._adopt(self.recoil))
        self.widget = self._frame(top, figures)

    @property
    def events(self) -> float:
        return self.model.result.events_total

    @safe
    def _on_reset(self, _button):
        self.model.load_preset(self.model.preset or MAIN_PRESET)

    @safe
    def _on_result(self, _change):
        self._update()

    def _update(self):
        r = self.model.result
        s = r.scenario
        band = quenching_band(s)
        k = s.lindhard_k
        k_text = f"{k:g}" if k is not None else f"{standard_lindhard_k(s.target):.3f}"
        band_text = ""
        if band is not None:
            lo, hi = band.events_range
            band_text = (
                f'<div class="cevns-reactor-band" style="font-size:15px;color:#D55E00">'
                f"{format_events(lo)} to {format_events(hi)} events for k {band.k_text}</div>"
            )
        self.readout.value = (
            '<div style="padding:4px 12px;line-height:1.3">'
            '<span class="cevns-reactor-events" style="font-size:44px;font-weight:700">'
            f"{format_events(r.events_total)}</span>"
            '<span style="font-size:18px"> expected CEvNS events</span>'
            f'<div style="font-size:15px">threshold {1000 * s.threshold:.0f} eVee = '
            f"{1000 * threshold_keVnr(s):.0f} eVnr at k = {k_text} · "
            f"{html.escape(s.target)}, {s.mass_kg:.3g} kg, {s.distance_m:.3g} m from "
            f"{s.reactor_power_GW:g} GW, {s.live_days:.0f} live days</div>"
            f"{band_text}</div>"
        )
        self.show_error("")
