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
from .physics.sources import sns
from .presets import get_preset
from .scenario import Scenario, ScenarioError

#: Fractional uncertainties of the COHERENT 2017 prediction (Science 2017): each applies
#: when the scenario has the matching ingredient.
UNCERTAINTY_BUDGET = {"flux": 0.10, "quenching": 0.25, "form_factor": 0.05, "selection": 0.05}


@dataclass(frozen=True, eq=False)
class Result:
    """Numbers and arrays for one scenario. Spectra are in events over the exposure."""

    scenario: Scenario

    # --- cached stages (shared across scenarios through the physics caches) ---
    @cached_property
    def recoil(self) -> RecoilSpectra:
        s = self.scenario
        return _recoil_spectra(s.target, s.physics, s.distance_m if s.physics.oscillates else None)

    @cached_property
    def observed(self) -> ObservedSpectra:
        s = self.scenario
        return observed_spectra(
            s.target, s.physics, s.distance_m if s.physics.oscillates else None, s.response
        )

    @cached_property
    def events_per_unit(self) -> float:
        """Fluence per flavour (nu/cm^2) times target mass (kg)."""
        s = self.scenario
        return sns.fluence_per_cm2(s.pot, s.distance_m, s.nu_per_pot) * s.mass_kg

    @cached_property
    def time_fractions(self) -> dict:
        window = self.scenario.time_window_us
        if window is None:
            return dict.fromkeys(sns.FLAVORS, 1.0)
        return {f: sns.time_window_fraction(f, window[0], min(window[1], 1e6)) for f in sns.FLAVORS}

    @cached_property
    def threshold_observable(self) -> float:
        s = self.scenario
        try:
            return convert_threshold(s.threshold, s.threshold_unit, s.response, s.target, s.physics)
        except ValueError as exc:
            raise ScenarioError(str(exc)) from exc

    @property
    def observable(self) -> str:
        return self.observed.observable

    def _scale(self, flavor: str) -> float:
        return self.events_per_unit * self.time_fractions[flavor]

    # --- numbers ---
    @cached_property
    def events_by_flavor(self) -> dict:
        roi = self.scenario.roi_max
        return {
            f: float(self.observed.above(f, self.threshold_observable, roi)) * self._scale(f)
            for f in sns.FLAVORS
        }

    @property
    def events_total(self) -> float:
        return float(sum(self.events_by_flavor.values()))

    def events_vs_threshold(self, thresholds) -> dict:
        """Events above each threshold (observable units), per flavour and ``total``."""
        roi = self.scenario.roi_max
        out = {f: self.observed.above(f, thresholds, roi) * self._scale(f) for f in sns.FLAVORS}
        out["total"] = sum(out[f] for f in sns.FLAVORS)
        return out

    def uncertainty(self) -> dict:
        """Fractional uncertainty from the published budget, for the ingredients present."""
        s = self.scenario
        parts = {"flux": UNCERTAINTY_BUDGET["flux"]}
        if s.quenching != "none":
            parts["quenching"] = UNCERTAINTY_BUDGET["quenching"]
        if s.form_factor != "none":
            parts["form_factor"] = UNCERTAINTY_BUDGET["form_factor"]
        if s.efficiency != "none":
            parts["selection"] = UNCERTAINTY_BUDGET["selection"]
        fraction = math.sqrt(sum(v**2 for v in parts.values()))
        return {"fraction": fraction, "events": fraction * self.events_total, "components": parts}

    # --- arrays for figures ---
    def recoil_spectrum(self) -> tuple[np.ndarray, dict]:
        """T (keVnr) and dN/dT (events/keVnr) per flavour, before detector response."""
        rs = self.recoil
        return rs.T_keV, {f: rs.by_flavor[f].sum(axis=0) * self._scale(f) for f in sns.FLAVORS}

    def observed_spectrum(self) -> tuple[np.ndarray, dict]:
        """Observable nodes and dN/dx (events per unit observable) per flavour."""
        ob = self.observed
        return ob.nodes, {f: ob.density[f] * self._scale(f) for f in sns.FLAVORS}

    def max_observable(self) -> float:
        return float(self.observed.nodes[-1])

    def notes(self) -> list[str]:
        notes = []
        if self.events_total == 0.0 and self.threshold_observable >= self.max_observable():
            notes.append(
                f"threshold {self.scenario.threshold:g} {self.scenario.threshold_unit} is above "
                f"every possible signal (largest recoil {self.recoil.T_keV[-1]:.3g} keVnr): "
                "no events"
            )
        return notes


def evaluate(scenario: Scenario) -> Result:
    """Compute a :class:`Result` for ``scenario`` (cached physics stages are reused)."""
    return Result(scenario)


_EXPOSURE_KEYS = ("pot", "exposure_GWh", "beam_days")
_THRESHOLD_KEYS = {"threshold_keVnr": "keVnr", "threshold_keVee": "keVee", "threshold_PE": "PE"}


def scenario_from_options(preset: str | None = None, **options) -> tuple[Scenario, dict]:
    """Build a scenario from CLI-style keyword options over an optional preset.

    Returns the scenario and a dict of the exposure inputs as given (echoed in results).
    """
    base = get_preset(preset).scenario if preset else Scenario()
    changes = {k: v for k, v in options.items() if v is not None}
    for key, value in changes.items():
        if isinstance(value, float) and not math.isfinite(value):
            raise ScenarioError(f"{key} must be a finite number, got {value}")
    given_exposure = [k for k in _EXPOSURE_KEYS if k in changes]
    if len(given_exposure) > 1:
        raise ScenarioError(
            f"give the exposure one way only (pot, exposure_GWh or beam_days with "
            f"beam_power_MW), not {', '.join(given_exposure)}"
        )
    exposure = {}
    if "proton_energy_GeV" in changes and not ({"exposure_GWh", "beam_days"} & set(changes)):
        raise ScenarioError("proton_energy_GeV applies only with exposure_GWh or beam_days")
    if "beam_power_MW" in changes and "beam_days" not in changes:
        raise ScenarioError("beam_power_MW applies only with beam_days")
    proton_energy = changes.pop("proton_energy_GeV", 1.0)
    power = changes.pop("beam_power_MW", None)
    if "exposure_GWh" in changes:
        gwh = changes.pop("exposure_GWh")
        _positive("exposure_GWh", gwh)
        _positive("proton_energy_GeV", proton_energy)
        changes["pot"] = sns.pot_from_energy(gwh, proton_energy)
        exposure = {"exposure_GWh": gwh, "proton_energy_GeV": proton_energy}
    elif "beam_days" in changes:
        days = changes.pop("beam_days")
        if power is None:
            raise ScenarioError("beam_days needs beam_power_MW (for example 1.4)")
        for name, value in (
            ("beam_days", days),
            ("beam_power_MW", power),
            ("proton_energy_GeV", proton_energy),
        ):
            _positive(name, value)
        changes["pot"] = sns.pot_from_days(days, power, proton_energy)
        exposure = {"beam_days": days, "beam_power_MW": power, "proton_energy_GeV": proton_energy}
    thresholds = [k for k in _THRESHOLD_KEYS if k in changes]
    if len(thresholds) > 1:
        raise ScenarioError(f"give one threshold, not {', '.join(thresholds)}")
    if thresholds:
        key = thresholds[0]
        changes["threshold"] = changes.pop(key)
        changes["threshold_unit"] = _THRESHOLD_KEYS[key]
    window = changes.pop("time_window_us", None)
    if window is not None:
        if len(window) != 2:
            raise ScenarioError("time_window_us takes two numbers: start and stop in us")
        changes["time_window_start_us"], changes["time_window_stop_us"] = map(float, window)
    return base.replace(**changes), exposure


def _positive(name, value):
    if not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise ScenarioError(f"{name} must be a finite number > 0, got {value!r}")


def result_to_dict(result: Result, preset: str | None = None, exposure: dict | None = None):
    """The JSON-ready summary printed by ``cevns rate --json``."""
    s = result.scenario
    inputs = {k: v for k, v in s.to_dict().items() if k != "format"}
    inputs.update(exposure or {})
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
        "notes": result.notes(),
    }
    if preset:
        p = get_preset(preset)
        out["preset"] = {
            "name": p.name,
            "version": p.version,
            "title": p.title,
            "citation": p.citation,
            "notes": p.notes,
            "published": p.published,
        }
    return out


def expected_events(preset: str | None = None, **options) -> dict:
    """Expected CEvNS events at the SNS, as one dictionary (what ``cevns rate --json`` prints).

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
    return result_to_dict(evaluate(scenario), preset, exposure)
