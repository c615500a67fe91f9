"""The inputs: one small class per control, each bound to a :class:`ScenarioModel`.

Every control has ``.widget`` (show it anywhere) and ``.message`` (an inline HTML line under it
where its own errors and notes appear). A control writes to the model with ``model.set``; when
the model changes from elsewhere (a preset, a JSON file, another control) the control re-syncs
its widgets without sending anything back. Callbacks never raise: errors become messages.
"""

from __future__ import annotations

import contextlib
import functools
import html
import logging

import ipywidgets as W
import numpy as np

from ..api import DAYS_PER_YEAR
from ..physics.form_factors import (
    FORM_FACTOR_LABELS,
    FORM_FACTOR_MODELS,
    NEUTRON_SKIN_RANGE_fm,
    heaviest_neutron_radius_fm,
)
from ..physics.nuclei import COMMON_TARGETS, make_target
from ..physics.rates import recoil_spectra
from ..physics.response import (
    QUENCHING_LABELS,
    QUENCHING_MODELS,
)
from ..physics.sources import get_source, reactor, sns, solar, supernova
from ..presets import PRESETS, get_preset
from ..scenario import Scenario, follow_target
from . import messages, units
from .lifecycle import Closable
from .messages import safe
from .model import (
    EXPLORER_SOURCES,
    SOURCE_LABELS,
    ScenarioModel,
    error_message,
    source_start,
)
from .ticks import slider_readout_format

log = logging.getLogger(__name__)

__all__ = [
    "Control",
    "ControlPanel",
    "DistanceControl",
    "ExposureControl",
    "FormFactorControl",
    "MassControl",
    "PresetControl",
    "QuenchingControl",
    "ReactorControl",
    "SolarModelControl",
    "SourceControl",
    "SupernovaControl",
    "TargetControl",
    "ThresholdControl",
    "TimeWindowControl",
    "TonneYearsControl",
]

DESCRIPTION_WIDTH = "138px"
CONTROL_WIDTH = "340px"
#: Largest time after the pulse the window slider reaches (us); the full range means "no cut".
TIME_WINDOW_MAX_us = 20.0
#: Release time axes start a little before their trigger (LAr 2020: -0.1 us).
TIME_WINDOW_MIN_us = -0.5


def row_label(text: str, tooltip: str = "") -> W.HTML:
    """A right-aligned label in the description column (for widgets whose own description
    would wrap onto a line of its own, like ToggleButtons)."""
    return W.HTML(
        f'<div title="{html.escape(tooltip)}" style="text-align:right;'
        f'padding-right:8px">{html.escape(text)}</div>',
        layout=W.Layout(width=DESCRIPTION_WIDTH, margin="2px 0 2px 2px"),
    )


def _style():
    return {"description_width": DESCRIPTION_WIDTH}


def _layout(width: str = CONTROL_WIDTH, **kw):
    return W.Layout(width=width, **kw)


class Control(messages.HasMessage, Closable):
    """Base class: a group of ipywidgets bound to ``model`` with an inline message line.

    Subclasses build their widgets in ``_build`` (returning the list of children), write with
    ``self._apply(**changes)`` and re-read the model in ``sync(scenario)``. ``fields`` lists the
    scenario fields a control shows; it re-syncs only when one of them changed (or on a preset
    or JSON load, which resets every control).
    """

    name = "control"
    fields: tuple[str, ...] = ()

    def __init__(self, model: ScenarioModel):
        self.model = model
        self._syncing = False
        self.message = messages.message_line()
        children = self._build()
        self.widget = W.VBox([*children, self.message], layout=W.Layout(margin="0 0 2px 0"))
        self.widget.add_class(f"cevns-control-{self.name}")
        model.observe(self._on_scenario, names="scenario")
        self._run_sync(model.scenario)

    # --- to implement -------------------------------------------------------------------
    def _build(self) -> list[W.Widget]:  # pragma: no cover - abstract
        raise NotImplementedError

    def sync(self, scenario: Scenario) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    # --- helpers ------------------------------------------------------------------------
    def _apply(self, **changes) -> bool:
        """Send changes to the model; show its error next to this control if rejected."""
        if self._syncing or self.closed:
            return False
        ok = self.model.set(**changes)
        self.show_error("" if ok else self.model.error)
        return ok

    def _on_scenario(self, change) -> None:
        if self.closed:
            return
        old, new = change["old"], change["new"]
        reset = self.model.last_change in ("preset", "json", "scenario")
        if (
            not reset
            and old is not None
            and self.fields
            and all(getattr(old, f) == getattr(new, f) for f in self.fields)
        ):
            return
        if reset:
            self.show_error("")  # a preset or file replaced everything: old messages go
        self._run_sync(new)

    def _run_sync(self, scenario: Scenario) -> None:
        if self.closed:
            return
        self._syncing = True
        try:
            # one state message per widget however many of its traits change (range, step,
            # description, value...): fewer messages, and the browser never sees a half-set
            # slider (a value outside its old range would be clamped there)
            with contextlib.ExitStack() as stack:
                for w in _descendants(self.widget):
                    stack.enter_context(w.hold_sync())
                self.sync(scenario)
        except Exception as exc:  # noqa: BLE001
            self.show_error(error_message(exc))
        finally:
            self._syncing = False

    def _repr_mimebundle_(self, **kwargs):
        if self.closed:
            return self._closed_bundle()
        return self.widget._repr_mimebundle_(**kwargs)


def _descendants(widget) -> list:
    out = [widget]
    for child in getattr(widget, "children", ()):
        out.extend(_descendants(child))
    return out


def _set_slider(
    slider,
    value: float,
    lo: float | None = None,
    hi: float | None = None,
    step: float | None = None,
) -> None:
    """Set range and value without ipywidgets clamping the value on the way."""
    lo = slider.min if lo is None else lo
    hi = slider.max if hi is None else hi
    if step is not None and slider.step != step:
        slider.step = step
    # widen, set the value, then narrow to the final range
    if lo < slider.min:
        slider.min = lo
    if hi > slider.max:
        slider.max = hi
    value = float(min(max(value, lo), hi))
    if slider.value != value:
        slider.value = value
    if slider.min != lo:
        slider.min = lo
    if slider.max != hi:
        slider.max = hi


def is_echo(slider, new: float, current: float) -> bool:
    """True if ``new`` is only the slider's own snapping of ``current`` to its step grid.

    The browser quantises a slider's value to its step when it draws it and sends that back;
    such an echo must not change the scenario (COHERENT's 14.6 kg is not on a log grid).
    """
    step = float(slider.step)
    if isinstance(slider, W.FloatLogSlider):
        if new <= 0 or current <= 0:
            return False
        base = float(slider.base)
        return abs(np.log(new / current) / np.log(base)) <= 0.5 * step + 1e-9
    return abs(new - current) <= 0.5 * step + 1e-9


def _set_log_slider(slider, value: float) -> str:
    """Set a FloatLogSlider to ``value``, clamped to its range (no event if unchanged).

    Returns a note if ``value`` (e.g. from a JSON file) lies outside the slider's range.
    """
    lo, hi = slider.base**slider.min, slider.base**slider.max
    shown = float(min(max(value, lo), hi))
    if not np.isclose(slider.value, shown, rtol=1e-9, atol=0.0):
        slider.value = shown
    if shown != value:
        return (
            f"{_human(value)} is outside this slider's range ({_human(lo)} to {_human(hi)});"
            " it is used"
        )
    return ""


# --------------------------------------------------------------------------- preset


class PresetControl(Control):
    """Dropdown of named presets (sets every control at once) and a reset button."""

    name = "preset"
    fields = ()

    def _build(self):
        # the title up to its colon: "COHERENT CsI[Na] 2017", "NaI[Tl], 185 kg at 28 m ..."
        options = [
            (p.title.split(":")[0], name)
            for name, p in PRESETS.items()
            if p.scenario.source in EXPLORER_SOURCES
        ]
        self.dropdown = W.Dropdown(
            options=options,
            value=self.model.preset or None,
            description="Preset",
            tooltip="A published configuration: sets every control at once",
            style={"description_width": "60px"},
            layout=_layout("298px"),
        )
        self.reset = W.Button(
            description="",
            icon="undo",
            tooltip="Reset: put every control back to the preset's values",
            layout=W.Layout(width="38px"),
        )
        self.reset.add_class("cevns-reset")
        self.dropdown.observe(self._on_pick, names="value")
        self.reset.on_click(self._on_reset)
        self.model.observe(self._on_preset_name, names="preset")
        return [W.HBox([self.dropdown, self.reset])]

    @safe
    def _on_pick(self, change):
        if self._syncing or change["new"] is None:
            return
        self.show_error("")
        if not self.model.load_preset(change["new"]):
            self.show_error(self.model.error)

    @safe
    def _on_reset(self, _button):
        name = self.dropdown.value or self.model.preset
        self.show_error("")
        if name and not self.model.load_preset(name):
            self.show_error(self.model.error)

    def _on_preset_name(self, change):
        self._run_sync(self.model.scenario)

    def sync(self, scenario):
        name = self.model.preset or None
        if self.dropdown.value != name:
            self.dropdown.value = name
        self.reset.disabled = name is None
        self.dropdown.tooltip = (
            get_preset(name).citation
            if name
            else "A published configuration: sets every control at once"
        )
        if name is None:
            text = "a custom scenario (not from a preset)"
        elif scenario != get_preset(name).scenario:
            text = "modified: ↺ resets every control to the preset"
        else:
            text = ""
        if not self.error:
            self.show_info(text)

    def _on_scenario(self, change):
        # the status ("modified") depends on every field
        self._run_sync(change["new"])


#: What the source buttons say (their tooltips give the long labels).
SOURCE_SHORT_LABELS = {
    "sns": "SNS",
    "reactor": "Reactor",
    "solar": "Sun",
    "supernova": "Supernova",
    "diffuse": "Diffuse",
}


class SourceControl(Control):
    """The neutrino source: the SNS, a nuclear reactor, the Sun, a supernova, or the
    atmospheric and diffuse supernova (DSNB) neutrinos.

    Switching opens that source's main preset (COHERENT CsI[Na] 2017, CONUS+ 2025, XENONnT
    2024) or, for a source without one, a tonne of xenon at 1 keVnr
    (:data:`~.model.SOURCE_SCENARIOS`): a detector built for one source (a 6 PE CsI
    threshold) sees nothing at another. Picking a preset of another source in the preset
    menu switches too.
    """

    name = "source"
    fields = ("source",)

    def _build(self):
        self.toggle = W.ToggleButtons(
            options=[(SOURCE_SHORT_LABELS.get(k, k), k) for k in EXPLORER_SOURCES],
            tooltips=[SOURCE_LABELS[k] for k in EXPLORER_SOURCES],
            style={"button_width": "auto"},
            layout=W.Layout(width="340px", margin="0 0 0 2px"),
        )
        self.toggle.add_class("cevns-source")
        self.toggle.observe(self._on_pick, names="value")
        label = W.HTML(
            '<div style="padding-left:4px" title="where the neutrinos come from">'
            "Neutrino source</div>",
            layout=W.Layout(margin="2px 0 0 2px"),
        )
        return [label, self.toggle]

    @safe
    def _on_pick(self, change):
        new = change["new"]
        if self._syncing or new is None or new == self.model.scenario.source:
            return
        scenario, preset = source_start(new)
        ok = (
            self.model.load_preset(preset)
            if preset
            else self.model.set_scenario(scenario, source="scenario")
        )
        if ok:
            opened = (
                get_preset(preset).short_title
                if preset
                else f"{scenario.mass_kg / 1000:g} t of {scenario.target} at "
                f"{scenario.threshold:g} {scenario.threshold_unit}"
            )
            self.show_info(f"opened {opened}; change any input from there")
        else:
            self.show_error(self.model.error)
            self._run_sync(self.model.scenario)

    def sync(self, scenario):
        if self.toggle.value != scenario.source:
            self.toggle.value = scenario.source


# --------------------------------------------------------------------------- target

_OTHER = "other"


class TargetControl(Control):
    """Target nucleus: a dropdown of common targets plus a free formula or isotope field."""

    name = "target"
    fields = ("target",)

    def _build(self):
        options = [(f"{name}: {desc}", name) for name, desc in COMMON_TARGETS.items()]
        options.append(("other (type below)", _OTHER))
        self.dropdown = W.Dropdown(
            options=options,
            description="Target nucleus",
            tooltip="Detector material: the N^2 of its nuclei sets the rate",
            style=_style(),
            layout=_layout(),
        )
        self.text = W.Text(
            description="or formula",
            placeholder="e.g. GaAs, CF4, Cs-133, xenon",
            tooltip="Any element, compound formula or isotope; press Enter to apply",
            continuous_update=False,
            style=_style(),
            layout=_layout(),
        )
        self.dropdown.observe(self._on_pick, names="value")
        self.text.observe(self._on_text, names="value")
        return [self.dropdown, self.text]

    @safe
    def _on_pick(self, change):
        if self._syncing or change["new"] in (None, _OTHER):
            return
        changes, note = _target_changes(self.model.scenario, change["new"])
        if self._apply(**changes):
            self._syncing = True
            try:
                self.text.value = ""
            finally:
                self._syncing = False
            self.show_info(note)

    @safe
    def _on_text(self, change):
        if self._syncing:
            return
        text = change["new"].strip()
        if not text:
            self.show_error("")
            return
        changes, note = _target_changes(self.model.scenario, text)
        if self._apply(**changes):
            self._run_sync(self.model.scenario)
            self.show_info("; ".join(filter(None, [_describe_target(text), note])))

    def sync(self, scenario):
        target = scenario.target
        if target in COMMON_TARGETS:
            self.dropdown.value = target
            if self.text.value and self.text.value.strip() != target:
                self.text.value = ""
        else:
            self.dropdown.value = _OTHER
            if self.text.value.strip() != target:
                self.text.value = target


def _target_changes(scenario: Scenario, target: str) -> tuple[dict, str]:
    """The scenario changes for a new ``target`` and a note on anything else they change:
    a response measured for another material switches to the generic one
    (:func:`~cevns_widgets.scenario.follow_target`) rather than refusing the target."""
    changes, notes = {"target": target}, []
    for field, value, note in follow_target(scenario, target):
        changes[field] = value
        notes.append(note)
    return changes, "; ".join(notes)


def _describe_target(name: str) -> str:
    t = make_target(name)
    parts = ", ".join(i.label for i in t.isotopes[:6]) + (" ..." if len(t.isotopes) > 6 else "")
    return f"{t.name}: {parts}; mean N = {t.mean_neutron_number():.1f}"


# --------------------------------------------------------------------------- threshold


class ThresholdControl(Control):
    """Detection threshold with a unit switch (keVnr; keVee or PE where the detector has a
    response). Switching the unit converts the value, so the physics stays the same."""

    name = "threshold"
    fields = ()  # the slider range depends on target and response: re-sync on any change

    def _build(self):
        self.slider = W.FloatSlider(
            value=0.0,
            min=0.0,
            max=50.0,
            step=0.1,
            description="Threshold [keVnr]",
            tooltip="Smallest signal the detector counts; events below it are lost",
            continuous_update=True,
            readout_format=".1f",
            style=_style(),
            layout=_layout(),
        )
        self.slider.add_class("cevns-threshold")
        self.unit = W.ToggleButtons(
            options=["keVnr"],
            tooltip="Unit of the threshold: keVnr (nuclear recoil), keVee "
            "(after quenching) or PE (photoelectrons), as this detector allows",
            style={"button_width": "64px"},
            layout=W.Layout(width="210px"),
        )
        self.unit.add_class("cevns-threshold-unit")
        self.slider.observe(self._on_value, names="value")
        self.unit.observe(self._on_unit, names="value")
        unit_row = W.HBox([row_label("Threshold unit", "keVnr, keVee or PE"), self.unit])
        return [self.slider, unit_row]

    @safe
    def _on_value(self, change):
        if self._syncing or is_echo(self.slider, change["new"], self.model.scenario.threshold):
            return
        self._apply(threshold=round(float(change["new"]), 4))

    @safe
    def _on_unit(self, change):
        if self._syncing or change["new"] is None:
            return
        s = self.model.scenario
        new_unit = change["new"]
        value = units.convert(s.threshold, s.threshold_unit, new_unit, s)
        step = units.unit_step(s, new_unit)
        value = round(round(value / step) * step, 4)
        if not self._apply(threshold=value, threshold_unit=new_unit):
            self._run_sync(self.model.scenario)

    def _run_sync(self, scenario):
        # The browser snaps a new value to the step it holds when the value arrives, and
        # sends the snapped value back (0.17 keVee on a 0.5 PE grid comes back as 0). So a
        # finer step goes out alone before the value; a coarser one after it (in sync).
        try:
            step = units.unit_step(scenario, scenario.threshold_unit)
        except Exception:  # noqa: BLE001 -- sync reports it
            step = None
        if step is not None and step < self.slider.step:
            self._syncing = True
            try:
                self.slider.step = step
            finally:
                self._syncing = False
        super()._run_sync(scenario)
        if step is not None and step != self.slider.step:
            self._syncing = True
            try:
                self.slider.step = step
            finally:
                self._syncing = False

    def sync(self, scenario):
        unit = scenario.threshold_unit
        options = units.available_units(scenario)
        if unit not in options:
            options.append(unit)
        if list(self.unit.options) != options:
            self.unit.options = options
        if self.unit.value != unit:
            self.unit.value = unit
        top = min(units.unit_max(scenario, unit), _signal_reach(scenario, unit))
        top = units.nice_ceiling(max(top, scenario.threshold))
        step = units.unit_step(scenario, unit)
        self.slider.readout_format = ".1f" if step >= 0.1 else ".2f" if step >= 0.01 else ".3f"
        self.slider.description = f"Threshold [{unit}]"
        # the value on the finer of the old and new grids; _run_sync sets a coarser step after
        _set_slider(self.slider, scenario.threshold, 0.0, top, min(step, self.slider.step))


#: A source's signal "reaches" the recoil energy where its most energetic component's
#: events above threshold fall to this fraction of that component's total.
REACH_TAIL = 1e-4


@functools.lru_cache(maxsize=64)
def _reach_keVnr(target: str, physics, source: tuple) -> float:
    """The largest recoil energy (keVnr) worth a slider: for each component, where its
    events above the threshold fall to :data:`REACH_TAIL` of its total, the largest of them.

    Per component, so the Sun's pp neutrinos (10^4 times 8B's flux, all below 0.003 keVnr in
    xenon) do not hide 8B's reach; exposure-independent (spectra per unit fluence)."""
    rs = recoil_spectra(target, physics, None, source)
    return float(max(tail_reach(rs.T_keV, rs.by_flavor[f].sum(axis=0)) for f in rs.by_flavor))


def tail_reach(x, density, fraction: float = REACH_TAIL) -> float:
    """The ``x`` above which ``fraction`` of the integral of ``density`` lies (the last
    ``x`` if the density is zero)."""
    x = np.asarray(x, dtype=float)
    d = np.asarray(density, dtype=float)
    seg = 0.5 * (d[1:] + d[:-1]) * np.diff(x)
    tail = np.append(np.cumsum(seg[::-1])[::-1], 0.0)
    if not tail.size or tail[0] <= 0:
        return float(x[-1])
    below = np.nonzero(tail <= fraction * tail[0])[0]
    return float(x[below[0]]) if below.size else float(x[-1])


def _signal_reach(scenario: Scenario, unit: str) -> float:
    """Where a sky source's signal ends in ``unit`` (a supernova in xenon: ~40 keVnr, far
    below the 235 keVnr its highest-energy tail can give); infinite for the SNS and a
    reactor, whose sliders end at the largest recoil."""
    if get_source(scenario.source).uses_distance_m:
        return float("inf")
    t = _reach_keVnr(scenario.target, scenario.physics, units.source_key(scenario))
    return units.convert(t, "keVnr", unit, scenario)


def _set_log_range(slider, lo: float, hi: float) -> None:
    """Set a FloatLogSlider's exponent range keeping its value (clamped into the new range)."""
    if (slider.min, slider.max) == (lo, hi):
        return
    value = float(min(max(slider.value, slider.base**lo), slider.base**hi))
    slider.min, slider.max = min(lo, slider.min), max(hi, slider.max)
    if slider.value != value:
        slider.value = value
    slider.min, slider.max = lo, hi
    _plain_readout(slider)


def _plain_readout(slider):
    """A log slider's readout as people write numbers (3,520, not 3.52e+3) where its range
    allows; returns the slider."""
    low, high = slider.base**slider.min, slider.base**slider.max
    slider.readout_format = slider_readout_format(low, high, slider.readout_format)
    return slider


# --------------------------------------------------------------------------- geometry


class LogFieldControl(Control):
    """One scenario field on a log-scale slider; subclasses set the field and the range."""

    field = ""
    label = ""
    tooltip = ""
    log10_range = (0.0, 1.0)

    @property
    def fields(self):
        return (self.field,)

    def _build(self):
        self.slider = W.FloatLogSlider(
            value=10 ** (sum(self.log10_range) / 2),
            base=10,
            min=self.log10_range[0],
            max=self.log10_range[1],
            step=0.001,
            description=self.label,
            tooltip=self.tooltip,
            continuous_update=True,
            readout_format=".3g",
            style=_style(),
            layout=_layout(),
        )
        _plain_readout(self.slider)
        self.slider.add_class(f"cevns-{self.name}")
        self.slider.observe(self._on_value, names="value")
        return [self.slider]

    @safe
    def _on_value(self, change):
        current = getattr(self.model.scenario, self.field)
        if not self._syncing and not is_echo(self.slider, change["new"], current):
            self._apply(**{self.field: units.round_sig(float(change["new"]), 3)})

    def sync(self, scenario):
        note = _set_log_slider(self.slider, getattr(scenario, self.field))
        if not self.error:
            self.show_info(note)


class DistanceControl(LogFieldControl):
    """Source-detector distance on a log scale, 1 to 100 m (the SNS and a reactor; the Sun
    and the sky need none, a supernova has its own in kpc)."""

    name = "distance"
    field = "distance_m"
    label = "Distance [m]"
    tooltip = "From the mercury target to the detector; flux falls as 1/L^2"
    log10_range = (0.0, 2.0)

    @safe
    def _on_value(self, change):
        if not get_source(self.model.scenario.source).uses_distance_m:
            return  # hidden for the sky: an echo must not change the scenario
        super()._on_value(change)


class MassControl(LogFieldControl):
    """Detector (target) mass on a log scale: 1 g to 10 t at the SNS and a reactor, 1 kg to
    100 t for the Sun and the sky (xenon dark-matter detectors: 6 t today, 40-60 t
    planned)."""

    name = "mass"
    field = "mass_kg"
    label = "Mass [kg]"
    tooltip = "Target mass: 1e-3 kg = 1 g, 1e3 kg = 1 tonne; the rate is proportional"
    log10_range = (-3.0, 4.0)
    #: The range for sources without a distance in metres (the Sun, the sky, a supernova).
    sky_log10_range = (0.0, 5.0)

    def sync(self, scenario):
        sky = not get_source(scenario.source).uses_distance_m
        _set_log_range(self.slider, *(self.sky_log10_range if sky else self.log10_range))
        super().sync(scenario)


# --------------------------------------------------------------------------- exposure

#: Proton energy (GeV) a preset's POT was quoted at, for showing it back in GWh.
PRESET_PROTON_ENERGY_GeV = {"coherent-csi-2017": 0.957}
_EXPOSURE_SLIDERS = {
    # mode: (description, log10 min, log10 max, tooltip)
    "days": ("Exposure [days]", 0.0, 3.7, "Days of running at the beam power below"),
    "GWh": ("Exposure [GWh]", -1.0, 2.5, "Integrated beam energy delivered to the target"),
    "POT": ("Exposure [POT]", 20.0, 25.0, "Protons on target (1 day at 1.4 MW: 7.55e20)"),
}


class ExposureControl(Control):
    """Exposure as days at a beam power, GWh of beam, or protons on target (POT)."""

    name = "exposure"
    fields = ("pot",)

    def _build(self):
        self.mode = W.ToggleButtons(
            options=["days", "GWh", "POT"],
            value="GWh",
            tooltip="Give the exposure as days at a beam power, beam energy (GWh) or protons "
            "on target (POT)",
            style={"button_width": "58px"},
            layout=W.Layout(width="200px"),
        )
        self.slider = W.FloatLogSlider(
            value=7.0,
            base=10,
            min=-1.0,
            max=2.5,
            step=0.001,
            description="Exposure [GWh]",
            continuous_update=True,
            readout_format=".3g",
            style=_style(),
            layout=_layout(),
        )
        _plain_readout(self.slider)
        self.slider.add_class("cevns-exposure")
        self.power = W.FloatSlider(
            value=1.4,
            min=0.1,
            max=3.0,
            step=0.05,
            description="Beam power [MW]",
            tooltip="Mean proton beam power (SNS: 1.4 MW design, 2 MW upgrade); used with days",
            continuous_update=True,
            readout_format=".2f",
            style=_style(),
            layout=_layout(),
        )
        self.power.add_class("cevns-power")
        self.proton_energy = W.BoundedFloatText(
            value=1.0,
            min=0.5,
            max=3.0,
            step=0.001,
            description="Proton E [GeV]",
            tooltip="Kinetic energy per proton: converts GWh and days to POT",
            style=_style(),
            layout=_layout(),
        )
        self.summary = W.HTML(layout=W.Layout(margin="0 0 2px 6px", height="auto"))
        self.mode.observe(self._on_mode, names="value")
        self.slider.observe(self._on_value, names="value")
        self.power.observe(self._on_power, names="value")
        self.proton_energy.observe(self._on_power, names="value")
        self.model.observe(self._on_preset, names="preset")
        self._apply_preset_defaults(self.model.preset)
        mode_row = W.HBox([row_label("Exposure as", "days, GWh or POT"), self.mode])
        return [mode_row, self.slider, self.power, self.proton_energy, self.summary]

    # conversions between the slider value and POT
    def _pot_per_unit(self) -> float:
        ep = float(self.proton_energy.value)
        mode = self.mode.value
        if mode == "days":
            return sns.pot_from_days(1.0, float(self.power.value), ep)
        if mode == "GWh":
            return sns.pot_from_energy(1.0, ep)
        return 1.0

    def _apply_preset_defaults(self, preset: str) -> None:
        self._syncing = True
        try:
            self.proton_energy.value = PRESET_PROTON_ENERGY_GeV.get(preset, 1.0)
            self.mode.value = "GWh" if preset.startswith("coherent") else "days"
            self.power.value = 1.4
            self._configure_slider()
        finally:
            self._syncing = False

    def _configure_slider(self) -> None:
        desc, lo, hi, tip = _EXPOSURE_SLIDERS[self.mode.value]
        self.slider.description = desc
        self.slider.tooltip = tip
        if (self.slider.min, self.slider.max) != (lo, hi):
            # widen first so the value is never clamped on the way
            self.slider.min, self.slider.max = min(lo, self.slider.min), max(hi, self.slider.max)
            self.slider.min, self.slider.max = lo, hi
        self.power.disabled = self.mode.value != "days"

    def _on_preset(self, change):
        self._apply_preset_defaults(change["new"] or "")
        self._run_sync(self.model.scenario)

    @safe
    def _on_mode(self, change):
        if self._syncing:
            return
        self._syncing = True
        try:
            self._configure_slider()
        finally:
            self._syncing = False
        self._run_sync(self.model.scenario)

    @safe
    def _on_value(self, change):
        if self.model.scenario.source != "sns":
            return  # hidden at a reactor: a browser echo must not touch the POT
        if self._syncing or is_echo(
            self.slider, change["new"], self.model.scenario.pot / self._pot_per_unit()
        ):
            return
        value = units.round_sig(float(change["new"]), 3)
        pot = float(f"{value * self._pot_per_unit():.4g}") if self.mode.value != "POT" else value
        if self._apply(pot=pot):
            self._update_summary(self.model.scenario)

    @safe
    def _on_power(self, change):
        if self.model.scenario.source != "sns":
            return
        if self._syncing or (
            change["owner"] is self.power and is_echo(self.power, change["new"], change["old"])
        ):
            return
        if self.mode.value == "POT":
            self._update_summary(self.model.scenario)
            return
        # keep the days (or GWh) shown, recompute the POT they mean
        value = units.round_sig(float(self.slider.value), 3)
        self._apply(pot=float(f"{value * self._pot_per_unit():.4g}"))
        self._update_summary(self.model.scenario)

    def sync(self, scenario):
        note = _set_log_slider(self.slider, scenario.pot / self._pot_per_unit())
        if not self.error:
            self.show_info(note)
        self._update_summary(scenario)

    def _update_summary(self, scenario: Scenario) -> None:
        ep = float(self.proton_energy.value)
        pot = scenario.pot
        gwh = pot / sns.pot_from_energy(1.0, ep)
        days = pot / sns.pot_from_days(1.0, float(self.power.value), ep)
        self.summary.value = (
            f'<div style="color:{messages.INFO_COLOR};line-height:1.25;font-size:13px">'
            f"= {_human(pot)} POT"
            f" · {_human(gwh)} GWh · {_human(days)} days at {float(self.power.value):g} MW</div>"
        )


def _human(value: float) -> str:
    """A number as people write it (1.76×10²³, 12,300), never e-notation."""
    from .readout import human_number  # readout imports this module

    return human_number(value)


# --------------------------------------------------------------------------- the sky


def tonne_years(scenario: Scenario) -> float:
    """The exposure of a scenario that runs for live days, in tonne-years (a Julian year)."""
    return scenario.mass_kg / 1000.0 * scenario.live_days / DAYS_PER_YEAR


class TonneYearsControl(Control):
    """Exposure of a steady sky source (the Sun, atmospheric and DSNB neutrinos) in
    tonne-years, on a log slider from 0.01 to 100 t yr. It sets ``live_days`` for the
    current mass (t yr / t x 365.25 days); moving the mass keeps the live days, so the
    exposure follows the mass."""

    name = "tonne_years"
    fields = ("live_days", "mass_kg")
    #: The sources it is shown for.
    sources = ("solar", "diffuse")

    def _build(self):
        self.slider = W.FloatLogSlider(
            value=1.0,
            base=10,
            min=-2.0,
            max=2.0,
            step=0.001,
            description="Exposure [t yr]",
            tooltip="Tonne-years: target mass times live time (sets the live days for the "
            "mass above)",
            continuous_update=True,
            readout_format=".3g",
            style=_style(),
            layout=_layout(),
        )
        _plain_readout(self.slider)
        self.slider.add_class("cevns-tonne-years")
        self.summary = W.HTML(layout=W.Layout(margin="0 0 2px 6px", height="auto"))
        self.slider.observe(self._on_value, names="value")
        return [self.slider, self.summary]

    @safe
    def _on_value(self, change):
        s = self.model.scenario
        if self._syncing or s.source not in self.sources:
            return  # hidden for the other sources: a browser echo must not change them
        if is_echo(self.slider, change["new"], tonne_years(s)):
            return
        exposure = units.round_sig(float(change["new"]), 3)
        mass_t = s.mass_kg / 1000.0
        days = float(f"{exposure / mass_t * DAYS_PER_YEAR:.5g}")
        if self._apply(live_days=days):
            self._update_summary(self.model.scenario)
        else:
            self.show_error(f"{exposure:g} t yr on {mass_t:.3g} t: {self.model.error}")

    def sync(self, scenario):
        note = _set_log_slider(self.slider, tonne_years(scenario))
        if not self.error:
            self.show_info(note)
        self._update_summary(scenario)

    def _update_summary(self, scenario: Scenario) -> None:
        if scenario.source not in self.sources:
            return
        self.summary.value = (
            f'<div class="cevns-live-days-summary" style="color:{messages.INFO_COLOR};'
            f'line-height:1.25;font-size:13px">= {scenario.live_days:.4g} live days on '
            f"{scenario.mass_kg / 1000:.3g} t</div>"
        )


class SolarModelControl(Control):
    """The standard solar model: B16-GS98 (high metallicity) or B16-AGSS09met (low); the
    note gives its 8B flux, which sets a xenon detector's count."""

    name = "solar_model"
    fields = ("solar_model",)

    def _build(self):
        self.dropdown = W.Dropdown(
            options=[(solar_model_name(m), m) for m in solar.SOLAR_MODELS],
            description="Solar model",
            tooltip="; ".join(solar.SOLAR_MODEL_LABELS[m] for m in solar.SOLAR_MODELS),
            style=_style(),
            layout=_layout(),
        )
        self.dropdown.add_class("cevns-solar-model")
        self.dropdown.observe(self._on_pick, names="value")
        return [self.dropdown]

    @safe
    def _on_pick(self, change):
        if self._syncing or change["new"] is None or self.model.scenario.source != "solar":
            return
        if self._apply(solar_model=change["new"]):
            self._note(self.model.scenario)

    def sync(self, scenario):
        if self.dropdown.value != scenario.solar_model:
            self.dropdown.value = scenario.solar_model
        self._note(scenario)

    def _note(self, scenario):
        if self.error:
            return
        flux, sigma = solar.FLUXES[scenario.solar_model]["8B"]
        self.show_info(f"⁸B flux {_human(flux)} /cm²/s (±{100 * sigma:.0f} %)")


#: Short names of the solar models (the dropdown is narrow; tooltips and the readout's
#: tooltip give the long ones).
SOLAR_MODEL_NAMES = {
    "b16-gs98": "B16-GS98 (high Z)",
    "b16-agss09met": "B16-AGSS09met (low Z)",
    "ohare-2021": "GS98, measured ⁸B",
}


def solar_model_name(model: str) -> str:
    """A short name of a solar model (its key for one added later)."""
    return SOLAR_MODEL_NAMES.get(model, model)


#: Button text of the named supernova distances (tooltips give the full names).
_SHORT_PLACES = {
    "Betelgeuse": "Betelgeuse",
    "Galactic Centre": "Gal. Centre",
    "Large Magellanic Cloud (SN 1987A)": "LMC",
    "Andromeda (M31)": "M31",
}


class SupernovaControl(Control):
    """Distance of a supernova, on a log slider from 0.1 to 1000 kpc, and buttons for the
    named places of :data:`~cevns_widgets.physics.sources.supernova.NAMED_DISTANCES_kpc`
    (Betelgeuse, the Galactic Centre, the LMC, Andromeda). The fluence falls as 1/d^2; the
    note gives it at the Earth."""

    name = "supernova"
    fields = (
        "supernova_distance_kpc",
        "supernova_mean_energies_MeV",
        "supernova_flavour_energies_erg",
    )
    log10_range = (-1.0, 3.0)

    def _build(self):
        lo, hi = self.log10_range
        self.slider = W.FloatLogSlider(
            value=10.0,
            base=10,
            min=lo,
            max=hi,
            step=0.001,
            description="Distance [kpc]",
            tooltip="Distance of the supernova (1 kpc = 3262 light years); the fluence "
            "falls as 1/d^2",
            continuous_update=True,
            readout_format=".3g",
            style=_style(),
            layout=_layout(),
        )
        _plain_readout(self.slider)
        self.slider.add_class("cevns-supernova-distance")
        self.places = {}
        for place, kpc in supernova.NAMED_DISTANCES_kpc.items():
            button = W.Button(
                description=_SHORT_PLACES.get(place, place),
                tooltip=f"{place}: {kpc:g} kpc",
                layout=W.Layout(width="auto", padding="0 6px", margin="0 2px"),
            )
            button.add_class("cevns-place")
            button.on_click(self._on_place_button(place))
            self.places[place] = button
        self.summary = W.HTML(layout=W.Layout(margin="0 0 2px 6px", height="auto"))
        self.slider.observe(self._on_value, names="value")
        row = W.HBox(
            list(self.places.values()),
            layout=W.Layout(justify_content="flex-end", width=CONTROL_WIDTH, margin="0 0 2px 0"),
        )
        return [self.slider, row, self.summary]

    def _on_place_button(self, place: str):
        return lambda _button: self.go_to(place)

    @safe
    def go_to(self, place: str) -> None:
        """Put the supernova at a named place (e.g. "Betelgeuse")."""
        if self.model.scenario.source != "supernova":
            return
        kpc = supernova.NAMED_DISTANCES_kpc[place]
        self.show_error("")
        self._apply(supernova_distance_kpc=kpc)
        self._run_sync(self.model.scenario)

    @safe
    def _on_value(self, change):
        s = self.model.scenario
        if self._syncing or s.source != "supernova":
            return  # hidden for the other sources: a browser echo must not change them
        if is_echo(self.slider, change["new"], s.supernova_distance_kpc):
            return
        if self._apply(supernova_distance_kpc=units.round_sig(float(change["new"]), 3)):
            self._update(self.model.scenario)

    def sync(self, scenario):
        note = _set_log_slider(self.slider, scenario.supernova_distance_kpc)
        if not self.error:
            self.show_info(note)
        self._update(scenario)

    def _update(self, scenario: Scenario) -> None:
        """Highlight the named place the supernova is at, and the fluence note."""
        if scenario.source != "supernova":
            return
        d = scenario.supernova_distance_kpc
        for place, button in self.places.items():
            at = np.isclose(supernova.NAMED_DISTANCES_kpc[place], d, rtol=1e-9)
            style = "info" if at else ""
            if button.button_style != style:
                button.button_style = style
        fluence = sum(
            supernova.fluence_per_cm2(
                d,
                scenario.supernova_flavour_energies_erg,
                scenario.supernova_mean_energies_MeV,
            ).values()
        )
        self.summary.value = (
            f'<div class="cevns-supernova-fluence" style="color:{messages.INFO_COLOR};'
            f'line-height:1.25;font-size:13px">= {_human(fluence)} ν/cm² at the Earth in '
            f"~{supernova.BURST_DURATION_s:g} s</div>"
        )


# --------------------------------------------------------------------------- reactor

_ISOTOPE_LABELS = {"235U": "²³⁵U", "238U": "²³⁸U", "239Pu": "²³⁹Pu", "241Pu": "²⁴¹Pu"}


def rebalanced_fractions(fractions, index: int, value: float, digits: int = 3) -> tuple:
    """Set fission fraction ``index`` to ``value`` and scale the others so the four still sum
    to 1 (shared equally if the others are all zero); rounded to ``digits`` decimals, the
    largest other fraction absorbing the rounding.

    >>> rebalanced_fractions((0.56, 0.08, 0.30, 0.06), 0, 0.8)
    (0.8, 0.036, 0.137, 0.027)
    """
    value = round(min(max(float(value), 0.0), 1.0), digits)
    others = [i for i in range(len(fractions)) if i != index]
    rest = sum(fractions[i] for i in others)
    out = list(fractions)
    out[index] = value
    for i in others:
        share = fractions[i] / rest if rest > 0 else 1.0 / len(others)
        out[i] = round((1.0 - value) * share, digits)
    biggest = max(others, key=lambda i: out[i])
    out[biggest] = round(1.0 - value - sum(out[i] for i in others if i != biggest), digits)
    if out[biggest] < 0:  # rounding can push a tiny remainder below zero
        out[biggest] = 0.0
        out[index] = round(1.0 - sum(out[i] for i in others), digits)
    return tuple(float(x) for x in out)


class ReactorControl(Control):
    """A reactor's exposure and spectrum: thermal power (GW), live days, the fission
    fractions of 235U, 238U, 239Pu and 241Pu (moving one rescales the others, so they always
    sum to 1), the spectrum model and the energy per fission. The line below gives the
    antineutrino flux they make at the detector."""

    name = "reactor"
    fields = (
        "reactor_power_GW",
        "live_days",
        "fission_fractions",
        "reactor_spectrum",
        "energy_per_fission",
        "distance_m",
    )

    def _build(self):
        self.power = W.FloatSlider(
            value=3.6,
            min=0.1,
            max=5.0,
            step=0.01,
            description="Reactor power [GW]",
            tooltip="Thermal power of the core (CONUS+ at Leibstadt: 3.6 GW)",
            continuous_update=True,
            readout_format=".2f",
            style=_style(),
            layout=_layout(),
        )
        self.power.add_class("cevns-reactor-power")
        self.days = W.FloatLogSlider(
            value=100.0,
            base=10,
            min=0.0,
            max=3.6,
            step=0.001,
            description="Live time [days]",
            tooltip="Days of reactor-on data taking",
            continuous_update=True,
            readout_format=".3g",
            style=_style(),
            layout=_layout(),
        )
        _plain_readout(self.days)
        self.days.add_class("cevns-live-days")
        self.fractions = []
        for iso in reactor.ISOTOPES:
            fs = W.FloatSlider(
                value=0.25,
                min=0.0,
                max=1.0,
                step=0.01,
                description=_ISOTOPE_LABELS[iso],
                tooltip=f"Fraction of fissions that are {iso} (the others rescale to sum 1)",
                continuous_update=False,
                readout_format=".2f",
                style={"description_width": "44px"},
                layout=W.Layout(width="168px"),
            )
            fs.add_class(f"cevns-fraction-{iso}")
            fs.observe(self._on_fraction, names="value")
            self.fractions.append(fs)
        self.spectrum = W.Dropdown(
            options=[
                (reactor.REACTOR_SPECTRUM_LABELS[m], m) for m in reactor.REACTOR_SPECTRUM_MODELS
            ],
            description="Spectrum",
            tooltip="Antineutrino spectrum model per fission",
            style=_style(),
            layout=_layout(),
        )
        self.energy = W.Dropdown(
            options=[
                (reactor.ENERGY_PER_FISSION_LABELS[m], m) for m in reactor.ENERGY_PER_FISSION_MODELS
            ],
            description="Energy/fission",
            tooltip="Thermal energy released per fission of each isotope",
            style=_style(),
            layout=_layout(),
        )
        self.summary = W.HTML(layout=W.Layout(margin="0 0 2px 6px", height="auto"))
        self.power.observe(self._on_power, names="value")
        self.days.observe(self._on_days, names="value")
        self.spectrum.observe(self._on_choice("reactor_spectrum"), names="value")
        self.energy.observe(self._on_choice("energy_per_fission"), names="value")
        label = row_label("Fission fractions", "235U, 238U, 239Pu, 241Pu; they sum to 1")
        grid = W.VBox(
            [W.HBox(self.fractions[:2]), W.HBox(self.fractions[2:])],
            layout=W.Layout(margin="0 0 0 4px"),
        )
        return [
            self.power,
            self.days,
            label,
            grid,
            self.spectrum,
            self.energy,
            self.summary,
        ]

    def _hidden(self) -> bool:
        """Shown only at a reactor: an echo from the browser must not change an SNS scenario."""
        return self._syncing or self.model.scenario.source != "reactor"

    @safe
    def _on_power(self, change):
        s = self.model.scenario
        if not self._hidden() and not is_echo(self.power, change["new"], s.reactor_power_GW):
            self._apply(reactor_power_GW=round(float(change["new"]), 3))
            self._update_summary(self.model.scenario)

    @safe
    def _on_days(self, change):
        s = self.model.scenario
        if not self._hidden() and not is_echo(self.days, change["new"], s.live_days):
            self._apply(live_days=units.round_sig(float(change["new"]), 3))
            self._update_summary(self.model.scenario)

    def _on_choice(self, field: str):
        @safe
        def handler(self, change):
            if not self._hidden() and change["new"] is not None:
                self._apply(**{field: change["new"]})

        return lambda change: handler(self, change)

    @safe
    def _on_fraction(self, change):
        if self._hidden():
            return
        index = self.fractions.index(change["owner"])
        current = self.model.scenario.fission_fractions
        if is_echo(change["owner"], change["new"], current[index]):
            return
        new = rebalanced_fractions(current, index, float(change["new"]))
        if self._apply(fission_fractions=new):
            self._run_sync(self.model.scenario)

    def sync(self, scenario):
        _set_slider(self.power, scenario.reactor_power_GW, hi=max(5.0, scenario.reactor_power_GW))
        note = _set_log_slider(self.days, scenario.live_days)
        for slider, value in zip(self.fractions, scenario.fission_fractions, strict=True):
            if abs(slider.value - value) > 1e-12:
                slider.value = float(value)
        self.spectrum.value = scenario.reactor_spectrum
        self.energy.value = scenario.energy_per_fission
        if not self.error:
            self.show_info(note)
        self._update_summary(scenario)

    def _update_summary(self, scenario: Scenario) -> None:
        if scenario.source != "reactor":
            self.summary.value = ""
            return
        rate = reactor.antineutrinos_per_second(
            scenario.reactor_power_GW,
            scenario.fission_fractions,
            scenario.reactor_spectrum,
            scenario.energy_per_fission,
        )
        flux = rate / (4.0 * np.pi * (100.0 * scenario.distance_m) ** 2)
        self.summary.value = (
            f'<div class="cevns-reactor-flux" style="color:{messages.INFO_COLOR};'
            f'line-height:1.25;font-size:13px">= {_human(rate)} ν̄/s from the core · '
            f"{_human(flux)} ν̄/(cm² s) at {scenario.distance_m:.3g} m</div>"
        )


# --------------------------------------------------------------------------- physics


class FormFactorControl(Control):
    """Nuclear form factor model and the neutron skin.

    The skin (fm) is added to each isotope's own model radius, R_n = R(A) + skin, so every
    element of a compound keeps its size; the info line shows the resulting R_n of the
    heaviest isotope (e.g. "skin +0.7 fm: R_n(Cs) = 5.5 fm", the radius fitted to COHERENT
    2017 by Cadeddu et al., arXiv:1710.02730). The button next to it sets the skin back to 0.
    """

    name = "form_factor"
    fields = ("form_factor", "neutron_skin_fm", "target")

    def _build(self):
        self.dropdown = W.Dropdown(
            options=[(FORM_FACTOR_LABELS[m], m) for m in FORM_FACTOR_MODELS],
            description="Form factor",
            style=_style(),
            layout=_layout(),
            tooltip="Loss of coherence at large momentum transfer, F^2(q)",
        )
        low, high = NEUTRON_SKIN_RANGE_fm
        self.skin = W.FloatSlider(
            value=0.0,
            min=low,
            max=high,
            step=0.05,
            description="Neutron skin [fm]",
            tooltip="neutron rms radius minus the model's radius, for every nucleus "
            "(+0.7 fm gives R_n(Cs) = 5.5 fm, fitted to COHERENT 2017)",
            continuous_update=True,
            readout_format="+.2f",
            style=_style(),
            layout=_layout("298px"),
        )
        self.skin.add_class("cevns-skin")
        self.default = W.Button(
            icon="undo",
            tooltip="No skin: neutrons distributed like the model's nucleus",
            layout=W.Layout(width="38px"),
        )
        self.default.add_class("cevns-skin-default")
        self.dropdown.observe(self._on_model, names="value")
        self.skin.observe(self._on_skin, names="value")
        self.default.on_click(self._on_default)
        return [self.dropdown, W.HBox([self.skin, self.default])]

    @safe
    def _on_model(self, change):
        if not self._syncing:
            self._apply(form_factor=change["new"])
            self._run_sync(self.model.scenario)

    @safe
    def _on_default(self, _button):
        self._apply(neutron_skin_fm=0.0)
        self._run_sync(self.model.scenario)

    @safe
    def _on_skin(self, change):
        if self._syncing or is_echo(self.skin, change["new"], self._shown):
            return
        self._apply(neutron_skin_fm=round(float(change["new"]), 2))
        self._note(self.model.scenario)

    def sync(self, scenario):
        self.dropdown.value = scenario.form_factor
        self._shown = round(scenario.neutron_skin_fm, 2)
        _set_slider(self.skin, self._shown)
        self.skin.disabled = scenario.form_factor == "none"
        self.default.disabled = scenario.neutron_skin_fm == 0
        self._note(scenario)

    def _note(self, scenario):
        if self.error:
            return
        if scenario.form_factor == "none":
            self.show_info("F = 1: every nucleon adds coherently at any q")
            return
        skin = scenario.neutron_skin_fm
        symbol, r_n = heaviest_neutron_radius_fm(
            make_target(scenario.target), scenario.form_factor, skin
        )
        if skin:
            self.show_info(f"skin {skin:+g} fm: R_n({symbol}) = {r_n:.3g} fm")
        else:
            self.show_info(f"no skin: R_n({symbol}) = {r_n:.3g} fm, the model's radius")


class QuenchingControl(Control):
    """Quenching model (keVnr -> keVee) and the constant quenching factor.

    Choosing "none" turns the detector into a bare recoil counter: its light yield, efficiency
    and analysis window (which are in keVee or PE) are dropped and the threshold is converted to
    keVnr; a note says so. Any other model keeps them.
    """

    name = "quenching"
    fields = ("quenching", "quenching_factor", "lindhard_k", "target")

    def _build(self):
        self.dropdown = W.Dropdown(
            options=[(QUENCHING_LABELS[m], m) for m in QUENCHING_MODELS],
            description="Quenching",
            style=_style(),
            layout=_layout(),
            tooltip="Fraction of a nuclear recoil's energy that shows up as light or charge",
        )
        self.factor = W.FloatSlider(
            value=0.0878,
            min=0.01,
            max=1.0,
            step=0.0001,  # fine enough to hold the published 0.0878 exactly
            description="QF [keVee/keVnr]",
            tooltip="keVee per keVnr for the constant model (CsI[Na] 2017: 0.0878)",
            continuous_update=True,
            readout_format=".3g",
            style=_style(),
            layout=_layout(),
        )
        self.factor.add_class("cevns-quenching-factor")
        self.k = W.FloatSlider(
            value=0.157,
            min=0.05,
            max=0.35,
            step=0.001,
            description="Lindhard k",
            tooltip="Lindhard's k for the lindhard model (germanium: 0.157 standard, CONUS+ "
            "measured 0.162; sub-keV data spread from about 0.12 to 0.25)",
            continuous_update=True,
            readout_format=".3f",
            style=_style(),
            layout=_layout("298px"),
        )
        self.k.add_class("cevns-lindhard-k")
        self.k_default = W.Button(
            icon="undo",
            tooltip="The standard k = 0.133 Z^(2/3) A^(-1/2) of the heaviest element",
            layout=W.Layout(width="38px"),
        )
        self.k_default.add_class("cevns-lindhard-k-default")
        self.dropdown.observe(self._on_model, names="value")
        self.factor.observe(self._on_factor, names="value")
        self.k.observe(self._on_k, names="value")
        self.k_default.on_click(self._on_k_default)
        self.k_row = W.HBox([self.k, self.k_default])
        return [self.dropdown, self.factor, self.k_row]

    def _standard_k(self, scenario) -> float:
        return units.standard_lindhard_k(scenario.target)

    @safe
    def _on_k(self, change):
        s = self.model.scenario
        shown = s.lindhard_k if s.lindhard_k is not None else self._standard_k(s)
        if self._syncing or is_echo(self.k, change["new"], shown):
            return
        self._apply(lindhard_k=round(float(change["new"]), 3))

    @safe
    def _on_k_default(self, _button):
        self._apply(lindhard_k=None)
        self._run_sync(self.model.scenario)

    @safe
    def _on_model(self, change):
        if self._syncing:
            return
        new = change["new"]
        s = self.model.scenario
        changes = {"quenching": new}
        note = ""
        if new == "none" and s.quenching != "none":
            dropped = [
                n
                for n, v in (
                    ("light yield", s.light_yield_PE_per_keVee),
                    ("efficiency", None if s.efficiency == "none" else 1),
                    ("resolution", s.resolution_a),
                    ("analysis window", s.roi_max),
                )
                if v is not None
            ]
            threshold = units.convert(s.threshold, s.threshold_unit, "keVnr", s)
            changes.update(
                light_yield_PE_per_keVee=None,
                efficiency="none",
                resolution_a=None,
                roi_max=None,
                threshold=round(threshold, 1),
                threshold_unit="keVnr",
            )
            if dropped:
                note = (
                    f"bare recoil counter: {', '.join(dropped)} removed, threshold now "
                    f"{round(threshold, 1):g} keVnr"
                )
        if self._apply(**changes):
            self.show_info(note)
        else:
            self._run_sync(self.model.scenario)
            self.show_error(self.model.error)

    @safe
    def _on_factor(self, change):
        if not self._syncing and not is_echo(
            self.factor, change["new"], self.model.scenario.quenching_factor
        ):
            self._apply(quenching_factor=round(float(change["new"]), 4))

    def sync(self, scenario):
        self.dropdown.value = scenario.quenching
        _set_slider(self.factor, scenario.quenching_factor)
        self.factor.disabled = scenario.quenching != "constant"
        lindhard = scenario.quenching == "lindhard"
        self.factor.layout.display = "none" if lindhard else ""
        self.k_row.layout.display = "" if lindhard else "none"
        k = scenario.lindhard_k
        _set_slider(self.k, k if k is not None else self._standard_k(scenario))
        self.k_default.disabled = k is None
        if lindhard and not self.error:
            std = self._standard_k(scenario)
            self.show_info(
                f"standard k = {std:.3f} (0.133 Z^(2/3) A^(-1/2))"
                if k is None
                else f"k = {k:g}; standard {std:.3f} (↺)"
            )
        elif not self.error and "k = " in self.message.value:
            self.show_info("")


class TimeWindowControl(Control):
    """Time window after the beam pulse (us). The full range means no timing cut."""

    name = "time_window"
    fields = ("time_window_start_us", "time_window_stop_us")

    def _build(self):
        self.slider = W.FloatRangeSlider(
            value=(TIME_WINDOW_MIN_us, TIME_WINDOW_MAX_us),
            min=TIME_WINDOW_MIN_us,
            max=TIME_WINDOW_MAX_us,
            step=0.1,
            description="Time window [µs]",
            continuous_update=True,
            readout_format=".1f",
            tooltip="Count events arriving in this window on the dataset's time axis "
            f"({TIME_WINDOW_MIN_us:g} to {TIME_WINDOW_MAX_us:g} us = no timing cut)",
            style=_style(),
            layout=_layout("440px"),
        )
        self.slider.add_class("cevns-time-window")
        self.slider.observe(self._on_value, names="value")
        return [self.slider]

    @safe
    def _on_value(self, change):
        if self._syncing or self.model.scenario.source != "sns":
            return
        lo, hi = (round(float(v), 2) for v in change["new"])
        if hi <= lo:
            self.show_error("the window must end after it starts")
            return
        if lo <= TIME_WINDOW_MIN_us and hi >= TIME_WINDOW_MAX_us:
            self._apply(time_window_start_us=None, time_window_stop_us=None)
        else:
            self._apply(time_window_start_us=lo, time_window_stop_us=hi)

    def sync(self, scenario):
        window = scenario.time_window_us
        lo, hi = (TIME_WINDOW_MIN_us, TIME_WINDOW_MAX_us) if window is None else window
        value = (
            min(max(lo, TIME_WINDOW_MIN_us), TIME_WINDOW_MAX_us),
            min(hi, TIME_WINDOW_MAX_us),
        )
        if tuple(self.slider.value) != value:
            self.slider.value = value


# --------------------------------------------------------------------------- the panel


class ControlPanel(Closable):
    """Every control of the explorer, bound to one model.

    Attributes ``preset``, ``source``, ``target``, ``threshold``, ``distance``,
    ``supernova``, ``mass``, ``exposure``, ``tonne_years``, ``solar_model``, ``reactor``,
    ``form_factor``, ``quenching`` and ``time_window`` are the individual :class:`Control`
    objects (each with ``.widget``); ``widget`` stacks them (without the time window, which the
    explorer shows next to the arrival-time figure). Controls of one source are hidden for the
    others (:attr:`SOURCE_ONLY`).
    """

    def __init__(self, model: ScenarioModel):
        self.model = model
        self.preset = PresetControl(model)
        self.source = SourceControl(model)
        self.target = TargetControl(model)
        self.threshold = ThresholdControl(model)
        self.distance = DistanceControl(model)
        self.supernova = SupernovaControl(model)
        self.mass = MassControl(model)
        self.exposure = ExposureControl(model)
        self.tonne_years = TonneYearsControl(model)
        self.solar_model = SolarModelControl(model)
        self.reactor = ReactorControl(model)
        self.form_factor = FormFactorControl(model)
        self.quenching = QuenchingControl(model)
        self.time_window = TimeWindowControl(model)
        self.widget = W.VBox([c.widget for c in self.stacked()], layout=W.Layout(width="345px"))
        self.widget.add_class("cevns-controls")
        self._follow_source({"new": model.scenario})
        model.observe(self._follow_source, names="scenario")

    #: Controls shown only for some sources (hidden, not removed, for the others).
    SOURCE_ONLY = {
        "distance": ("sns", "reactor"),
        "exposure": ("sns",),
        "time_window": ("sns",),
        "reactor": ("reactor",),
        "tonne_years": TonneYearsControl.sources,
        "solar_model": ("solar",),
        "supernova": ("supernova",),
    }

    def _follow_source(self, change) -> None:
        if self.closed:
            return
        source = change["new"].source
        for name, only in self.SOURCE_ONLY.items():
            layout = getattr(self, name).widget.layout
            display = "" if source in only else "none"
            if layout.display != display:
                layout.display = display
        tip = (
            "From the reactor core to the detector; flux falls as 1/L^2"
            if source == "reactor"
            else DistanceControl.tooltip
        )
        if self.distance.slider.tooltip != tip:
            self.distance.slider.tooltip = tip

    def stacked(self) -> list[Control]:
        return [
            self.preset,
            self.source,
            self.target,
            self.threshold,
            self.distance,
            self.supernova,
            self.mass,
            self.exposure,
            self.tonne_years,
            self.solar_model,
            self.reactor,
            self.form_factor,
            self.quenching,
        ]

    def all(self) -> list[Control]:
        return [*self.stacked(), self.time_window]

    def errors(self) -> dict[str, str]:
        """Error text shown next to each control (only those with one)."""
        return {c.name: c.error for c in self.all() if c.error}

    def _repr_mimebundle_(self, **kwargs):
        if self.closed:
            return self._closed_bundle()
        return self.widget._repr_mimebundle_(**kwargs)
