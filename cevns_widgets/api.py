"""The public calculation API: :func:`evaluate` a :class:`Scenario` into a :class:`Result`,
or call :func:`expected_events` with keyword arguments (the same options as ``cevns rate``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .physics.rates import ObservedSpectra, RecoilSpectra, convert_threshold, observed_spectra
from .physics.rates import recoil_spectra as _recoil_spectra
from .physics.sources import SOURCES, foreign_fields, get_source, sns
from .physics.sources.base import NeutrinoSource
from .presets import get_preset
from .provenance import Provenance, describe
from .scenario import (
    RANGES,
    Scenario,
    ScenarioError,
    check_number,
    follow_target,
    inapplicable_fields,
    quote,
    shorten,
)


@dataclass(frozen=True, eq=False)
class Result:
    """Numbers and arrays for one scenario. Spectra are in events over the exposure."""

    scenario: Scenario

    # --- the source and the cached stages (shared through the physics caches) ---
    @cached_property
    def source(self) -> NeutrinoSource:
        """The scenario's neutrino source (``physics/sources``)."""
        return get_source(self.scenario.source)

    @property
    def components(self) -> tuple[str, ...]:
        """The source's components: the SNS flavours, or the reactor's antineutrinos."""
        return self.source.components

    @cached_property
    def _source_key(self) -> tuple:
        return (self.source.name, self.source.spectrum_key(self.scenario))

    @cached_property
    def recoil(self) -> RecoilSpectra:
        s = self.scenario
        distance = s.distance_m if s.physics.oscillates else None
        return _recoil_spectra(s.target, s.physics, distance, self._source_key)

    @cached_property
    def observed(self) -> ObservedSpectra:
        s = self.scenario
        distance = s.distance_m if s.physics.oscillates else None
        return observed_spectra(s.target, s.physics, distance, s.response, self._source_key)

    @cached_property
    def fluence_per_cm2(self) -> dict:
        """Neutrinos per cm^2 at the detector, per component, over the exposure."""
        return self.source.fluence(self.scenario)

    def unwindowed_scale(self, component: str) -> float:
        """Fluence of ``component`` (nu/cm^2) times target mass (kg), before time cuts."""
        return self.fluence_per_cm2[component] * self.scenario.mass_kg

    @property
    def events_per_unit(self) -> float:
        """Fluence per component (the same for every SNS flavour) times mass."""
        return self.unwindowed_scale(self.components[0])

    @cached_property
    def time_fractions(self) -> dict:
        """Per flavour: the fraction of neutrinos in the time window on the scenario's beam
        timing, weighted by its timing efficiency."""
        s = self.scenario
        window = s.time_window_us
        if not self.source.time_profile or (window is None and s.timing_efficiency == "none"):
            return dict.fromkeys(self.components, 1.0)
        start, stop = window if window is not None else (-5.0, math.inf)
        pulse = sns.BEAM_TIMINGS[s.beam_timing].pulse
        return {
            f: sns.time_window_fraction(f, start, min(stop, 1e6), s.timing_efficiency, **pulse)
            for f in self.components
        }

    @cached_property
    def threshold_observable(self) -> float:
        s = self.scenario
        try:
            value = convert_threshold(
                s.threshold, s.threshold_unit, s.response, s.target, s.physics
            )
        except ScenarioError:
            raise
        except (ArithmeticError, ValueError) as exc:
            raise ScenarioError(shorten(exc, 200), "threshold") from exc
        if not math.isfinite(value):
            raise ScenarioError(
                f"threshold {s.threshold:g} {s.threshold_unit} cannot be expressed in this "
                f"detector's {s.response.observable} (the response model gives {value})",
                "threshold",
            )
        return value

    @property
    def observable(self) -> str:
        return self.observed.observable

    def _scale(self, flavor: str) -> float:
        return self.unwindowed_scale(flavor) * self.time_fractions[flavor]

    # --- numbers ---
    @cached_property
    def events_by_flavor(self) -> dict:
        """Events per flavour; a ScenarioError (never inf, nan or a traceback from the
        arithmetic) if the inputs cannot give a finite number."""
        roi = self.scenario.roi_max
        threshold = self.threshold_observable
        try:
            out = {
                f: float(self.observed.above(f, threshold, roi)) * self._scale(f)
                for f in self.components
            }
        except ScenarioError:
            raise
        except (ArithmeticError, ValueError) as exc:
            raise ScenarioError(
                f"cannot evaluate this scenario ({type(exc).__name__}: {shorten(exc, 60)})"
            ) from exc
        bad = {f: v for f, v in out.items() if not (math.isfinite(v) and v >= 0)}
        if bad:
            raise ScenarioError(
                f"these inputs give no finite number of events ({', '.join(bad)}: "
                f"{', '.join(str(v) for v in bad.values())}); check mass_kg, pot and distance_m"
            )
        return out

    @property
    def events_total(self) -> float:
        return float(sum(self.events_by_flavor.values()))

    def events_vs_threshold(self, thresholds) -> dict:
        """Events above each threshold (observable units), per flavour and ``total``."""
        roi = self.scenario.roi_max
        out = {f: self.observed.above(f, thresholds, roi) * self._scale(f) for f in self.components}
        out["total"] = sum(out[f] for f in self.components)
        return out

    @cached_property
    def provenance(self) -> Provenance:
        """Which preset (if any) the numbers still belong to, and the response used."""
        return describe(self.scenario)

    def uncertainty(self) -> dict:
        """The fractional uncertainty and what it is based on: the preset's own published
        budget while the scenario matches its preset, else the SNS flux normalisation only
        (said in ``basis``)."""
        parts, basis = self.provenance.uncertainty_components, self.provenance.uncertainty_basis
        per_component = self.source.component_uncertainties
        if per_component is not None and set(parts) == {"flux"} and self.events_total > 0:
            # Components known to different precision (8B 12 %, pp 0.6 %): each count
            # varies with its own flux, independently of the others.
            sigma = per_component(self.scenario)
            counts = self.events_by_flavor
            flux = math.sqrt(sum((sigma[c] * n) ** 2 for c, n in counts.items()))
            parts = {"flux": flux / self.events_total}
        fraction = math.sqrt(sum(v**2 for v in parts.values()))
        return {
            "fraction": fraction,
            "events": fraction * self.events_total,
            "components": dict(parts),
            "basis": basis,
        }

    # --- arrays for figures ---
    def recoil_spectrum(self) -> tuple[np.ndarray, dict]:
        """T (keVnr) and dN/dT (events/keVnr) per flavour, before detector response."""
        rs = self.recoil
        return rs.T_keV, {f: rs.by_flavor[f].sum(axis=0) * self._scale(f) for f in self.components}

    def observed_spectrum(self) -> tuple[np.ndarray, dict]:
        """Observable nodes and dN/dx (events per unit observable) per flavour."""
        ob = self.observed
        return ob.nodes, {f: ob.density[f] * self._scale(f) for f in self.components}

    def max_observable(self) -> float:
        return float(self.observed.nodes[-1])

    def notes(self) -> list[str]:
        """Plain-language remarks on the result, e.g. why it is zero."""
        notes = []
        s = self.scenario
        threshold, obs = self.threshold_observable, self.observable
        said = f"threshold {s.threshold:g} {s.threshold_unit}"
        if s.threshold_unit != obs:
            said += f" (= {threshold:.4g} {obs})"
        if s.roi_max is not None and threshold >= s.roi_max:
            notes.append(
                f"{said} is at or above the upper end of the analysis window "
                f"({s.roi_max:g} {obs}): no events"
            )
        elif self.events_total == 0.0 and threshold >= self.max_observable():
            notes.append(
                f"{said} is above every possible signal (largest recoil "
                f"{self.recoil.T_keV[-1]:.3g} keVnr): no events"
            )
        elif self.events_total == 0.0:
            cuts = [said]
            if s.time_window_us is not None:
                start, stop = s.time_window_us
                cuts.append(f"time window {start:g} to {stop:g} us")
            notes.append(f"no events pass the cuts ({', '.join(cuts)})")
        return notes


def evaluate(scenario: Scenario) -> Result:
    """Compute a :class:`Result` for ``scenario`` (cached physics stages are reused)."""
    if not isinstance(scenario, Scenario):
        raise ScenarioError(
            f"evaluate needs a Scenario (e.g. Scenario.from_json(text)), got {quote(scenario)}"
        )
    return Result(scenario)


_EXPOSURE_KEYS = ("pot", "exposure_GWh", "beam_days")
_THRESHOLD_KEYS = {"threshold_keVnr": "keVnr", "threshold_keVee": "keVee", "threshold_PE": "PE"}
#: Used with ``beam_days`` or ``exposure_GWh`` when neither the call nor the preset says.
DEFAULT_BEAM_POWER_MW = 1.4
DEFAULT_PROTON_ENERGY_GeV = 1.0


def scenario_from_options(
    preset: str | None = None, base: Scenario | None = None, **options
) -> tuple[Scenario, dict]:
    """Build a scenario from CLI-style keyword options over a preset or ``base`` scenario.

    Returns the scenario and a dict of the exposure inputs as given (echoed in results);
    its ``notes`` (if any) say which defaults were assumed. Errors are ScenarioErrors that
    name the keyword as given (``threshold_keVnr``, ``exposure_GWh``, ``time_window_us``)
    and state its range (:data:`cevns_widgets.scenario.RANGES`).
    """
    if base is None:
        base = get_preset(preset).scenario if preset is not None else Scenario()
    elif not isinstance(base, Scenario):
        raise ScenarioError(f"base must be a Scenario, got {quote(base)}", "base")
    elif preset is not None:
        raise ScenarioError("give a preset or a base scenario, not both", "preset")
    source = getattr(base, "preset", None) or preset
    source = get_preset(source) if source else None
    changes = {k: v for k, v in options.items() if v is not None}
    given_exposure = [k for k in _EXPOSURE_KEYS if k in changes]
    if len(given_exposure) > 1:
        raise ScenarioError(
            f"give the exposure one way only (pot, exposure_GWh or beam_days with "
            f"beam_power_MW), not {', '.join(given_exposure)}"
        )
    if "proton_energy_GeV" in changes and not ({"exposure_GWh", "beam_days"} & set(changes)):
        raise ScenarioError(
            "proton_energy_GeV applies only with exposure_GWh or beam_days", "proton_energy_GeV"
        )
    if "beam_power_MW" in changes and "beam_days" not in changes:
        raise ScenarioError("beam_power_MW applies only with beam_days", "beam_power_MW")
    for key in ("exposure_GWh", "beam_days", "beam_power_MW", "proton_energy_GeV"):
        if key in changes:
            changes[key] = check_number(key, changes[key])
    renames, exposure, notes = {}, {}, []
    if given_exposure and given_exposure[0] != "pot":
        key = given_exposure[0]
        renames["pot"] = key
        energy = changes.pop("proton_energy_GeV", None)
        if energy is None:
            energy = _from_preset(
                source, "proton_energy_GeV", DEFAULT_PROTON_ENERGY_GeV, notes, True
            )
        if key == "exposure_GWh":
            gwh = changes.pop("exposure_GWh")
            changes["pot"] = sns.pot_from_energy(gwh, energy)
            exposure = {"exposure_GWh": gwh, "proton_energy_GeV": energy}
        else:
            days = changes.pop("beam_days")
            power = changes.pop("beam_power_MW", None)
            if power is None:
                power = _from_preset(source, "beam_power_MW", DEFAULT_BEAM_POWER_MW, notes, True)
            changes["pot"] = sns.pot_from_days(days, power, energy)
            exposure = {"beam_days": days, "beam_power_MW": power, "proton_energy_GeV": energy}
    if "exposure_tonne_years" in changes:
        _live_days_from_exposure(changes, base, renames, exposure, notes)
    thresholds = [k for k in _THRESHOLD_KEYS if k in changes]
    if len(thresholds) > 1:
        raise ScenarioError(f"give one threshold, not {', '.join(thresholds)}")
    if thresholds:
        key = thresholds[0]
        changes["threshold"] = changes.pop(key)
        changes["threshold_unit"] = _THRESHOLD_KEYS[key]
        renames["threshold"] = key
        if (
            key == "threshold_keVee"
            and "quenching" not in changes
            and base.quenching == "none"
            and base.light_yield_PE_per_keVee is None
            and "light_yield_PE_per_keVee" not in changes
        ):
            # An ionisation or scintillation threshold needs a quenching model: the
            # standard Lindhard one, said in a note (choose another with quenching=...).
            changes["quenching"] = "lindhard"
            notes.append(
                "quenching: Lindhard with the standard k = 0.133 Z^(2/3) A^(-1/2) assumed "
                "for the keVee threshold (set quenching and lindhard_k to choose)"
            )
    window = changes.pop("time_window_us", None)
    if window is not None:
        if isinstance(window, str | bytes | dict) or not _has_two_items(window):
            raise ScenarioError(
                f"time_window_us takes two numbers: start and stop in us; got {quote(window)}",
                "time_window_us",
            )
        changes["time_window_start_us"], changes["time_window_stop_us"] = window
        renames["time_window_start_us"] = "time_window_us start"
        renames["time_window_stop_us"] = "time_window_us stop"
    if changes.get("source", base.source) != base.source and isinstance(changes["source"], str):
        # A new source starts from its own defaults for the old source's inputs (those the
        # new one does not read too: live_days carries from a reactor to the Sun).
        new_fields = getattr(SOURCES.get(changes["source"]), "own_fields", ())
        for field in getattr(SOURCES.get(base.source), "own_fields", ()):
            if field not in changes and field not in new_fields:
                changes[field] = getattr(_DEFAULTS, field)
    if "target" in changes and isinstance(changes["target"], str):
        for field, value, note in follow_target(base, changes["target"]):
            if field not in changes:
                changes[field] = value
                notes.append(note)
    try:
        scenario = base.replace(**changes)
    except ScenarioError as exc:
        name = renames.get(exc.field)
        if exc.field == "pot" and name:  # pot made from the exposure is out of range
            others = " and ".join(f"{k} {v:g}" for k, v in exposure.items() if k != name)
            raise ScenarioError(
                f"{name} {exposure[name]:g} at {others} gives {changes['pot']:.3g} protons "
                f"on target; the protons on target must be {RANGES['pot'].describe()}",
                name,
            ) from None
        raise (exc.renamed(name) if name else exc) from None
    _refuse_unused(scenario, options, renames)
    if notes:
        exposure["notes"] = notes
    return scenario, exposure


_DEFAULTS = Scenario()
#: Days in the year of a tonne-year exposure (a Julian year).
DAYS_PER_YEAR = 365.25


def _live_days_from_exposure(changes, base, renames, exposure, notes) -> None:
    """Turn ``exposure_tonne_years`` in ``changes`` into ``live_days`` for the mass given
    (or the base scenario's), for a source that runs for live days."""
    value = check_number("exposure_tonne_years", changes.pop("exposure_tonne_years"))
    if "live_days" in changes:
        raise ScenarioError(
            "give exposure_tonne_years or live_days, not both", "exposure_tonne_years"
        )
    source = changes.get("source", base.source)
    if "live_days" not in getattr(SOURCES.get(source), "own_fields", ()):
        users = ", ".join(n for n, s in SOURCES.items() if "live_days" in s.own_fields)
        raise ScenarioError(
            f"exposure_tonne_years applies to a source that runs for live days ({users}), "
            f"not to source {quote(source)}",
            "exposure_tonne_years",
        )
    mass_kg = changes.get("mass_kg", base.mass_kg)
    mass_t = check_number("mass_kg", mass_kg) / 1000.0
    changes["live_days"] = value / mass_t * DAYS_PER_YEAR
    renames["live_days"] = "exposure_tonne_years"
    exposure["exposure_tonne_years"] = value
    notes.append(
        f"live_days {changes['live_days']:.4g}: {value:g} t yr on {mass_t:g} t "
        f"({DAYS_PER_YEAR} days a year)"
    )


#: Keywords that set an SNS-only field.
_SETS = {"exposure_GWh": "pot", "beam_days": "pot", "beam_power_MW": "pot"}
_SETS |= {"proton_energy_GeV": "pot", "time_window_us": "time_window_start_us"}
_SETS |= {"exposure_tonne_years": "live_days"}


def _refuse_unused(scenario: Scenario, given: dict, renames: dict) -> None:
    """An option given explicitly (other than as its default) that this scenario would
    ignore is an error, not a silent no-op: lindhard_k with constant quenching, pot or
    beam_days for a reactor, ..."""
    ignored = inapplicable_fields(scenario)
    for key, value in given.items():
        field = _SETS.get(key, key)
        if value is None or field not in ignored:
            continue
        if field == key and value == getattr(_DEFAULTS, field, object()):
            continue
        name = key if key in _SETS else renames.get(field, key)
        raise ScenarioError(
            f"{name} applies only with {ignored[field]}; here it would be ignored", name
        )


def _has_two_items(value) -> bool:
    try:
        return len(value) == 2
    except TypeError:
        return False


def _from_preset(preset, name: str, default: float, notes: list, always_note=False) -> float:
    """The preset's value of ``name`` if it has one (said in ``notes``), else ``default``
    (said in ``notes`` if ``always_note``). ``name`` ends in its unit: ``beam_power_MW``."""
    value = getattr(preset, name, None) if preset is not None else None
    label, unit = name.rsplit("_", 1)
    label = label.replace("_", " ")
    if value is not None:
        notes.append(f"{label} {value:g} {unit} from preset {preset.name}")
        return float(value)
    if always_note:
        notes.append(f"{label} {default:g} {unit} assumed; give the {label} to change it")
    return default


def result_to_dict(result: Result, preset: str | None = None, exposure: dict | None = None):
    """The JSON-ready summary printed by ``cevns rate --json``."""
    s = result.scenario
    # Only this source's own inputs: no beam POT or time window for a reactor, and no
    # reactor power for the SNS.
    others = foreign_fields(s.source)
    inputs = {k: v for k, v in s.to_dict().items() if k != "format" and k not in others}
    exposure = dict(exposure or {})
    exposure_notes = exposure.pop("notes", [])
    inputs.update(exposure)
    inputs["threshold_in_observable"] = result.threshold_observable
    inputs["observable"] = result.observable
    out = {
        "events_total": result.events_total,
        "events_by_flavor": result.events_by_flavor,
        "uncertainty": result.uncertainty(),
        "inputs": inputs,
        "units": {
            "events": "events over the exposure",
            "threshold": s.threshold_unit,
            "roi_max": result.observable,
        },
        "notes": [*exposure_notes, *result.notes()],
    }
    prov = result.provenance
    out["scenario_status"] = prov.to_dict()
    name = preset or prov.preset
    if name:
        p = get_preset(name)
        out["preset"] = {
            "name": p.name,
            "version": p.version,
            "title": p.title,
            "citation": p.citation,
            "notes": p.notes,
            # Published numbers belong to the preset's own analysis only.
            "published": p.published if not prov.custom else {},
            "matches_scenario": not prov.custom,
        }
    return out


def expected_events(preset: str | None = None, **options) -> dict:
    """Expected CEvNS events at the SNS or a reactor, as one dictionary (what
    ``cevns rate --json`` prints).

    Keyword names follow the command line with underscores: ``target``, ``mass_kg``,
    ``distance_m``, ``pot`` (or ``exposure_GWh`` [+ ``proton_energy_GeV``], or
    ``beam_days`` + ``beam_power_MW``), ``nu_per_pot``, ``threshold_keVnr`` (or
    ``threshold_keVee``, ``threshold_PE``), ``form_factor``, ``sin2w``, ... and any
    :class:`Scenario` field. Without a preset or response options, recoils above the keVnr
    threshold are counted with perfect efficiency.

    >>> r = expected_events(target="CsI", mass_kg=14.6, distance_m=19.3, pot=1.76e23,
    ...                     nu_per_pot=0.08, threshold_keVnr=6.5)
    >>> round(r["events_total"])
    411
    """
    scenario, exposure = scenario_from_options(preset, **options)
    try:
        return result_to_dict(evaluate(scenario), preset, exposure)
    except ScenarioError as exc:  # name the threshold keyword as given
        given = [k for k in _THRESHOLD_KEYS if options.get(k) is not None]
        raise (exc.renamed(given[0]) if exc.field == "threshold" and given else exc) from None
