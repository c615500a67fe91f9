"""A scenario: every input of a rate calculation, validated, hashable and JSON-able.

Units are in the field names. Exposure is held as protons on target (POT); the helpers
in :mod:`cevns_widgets.physics.sources.sns` convert GWh or days at a beam power.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, fields, replace

from .physics import constants as C
from .physics.cross_sections import COUPLING_SCHEMES
from .physics.form_factors import FORM_FACTOR_MODELS
from .physics.nuclei import make_target
from .physics.rates import PhysicsParams
from .physics.response import EFFICIENCY_MODELS, OBSERVABLES, QUENCHING_MODELS, Response

SCENARIO_FORMAT = "cevns-scenario/1"


class ScenarioError(ValueError):
    """An input outside its allowed range or choices; the message says which."""


@dataclass(frozen=True)
class Scenario:
    """All inputs of an SNS CEvNS rate calculation. Defaults: COHERENT CsI[Na] 2017 geometry
    with a bare 6.5 keVnr recoil threshold (use the preset for the full response)."""

    target: str = "CsI"
    mass_kg: float = 14.6
    distance_m: float = 19.3
    pot: float = 1.76e23
    nu_per_pot: float = 0.08
    threshold: float = 6.5
    threshold_unit: str = "keVnr"
    roi_max: float | None = None
    time_window_start_us: float | None = None
    time_window_stop_us: float | None = None
    form_factor: str = "helm"
    neutron_rms_radius_fm: float | None = None
    sin2w: float = C.SIN2W_LOW_ENERGY
    couplings: str = "tree"
    eps_u_ee: float = 0.0
    eps_d_ee: float = 0.0
    eps_u_mumu: float = 0.0
    eps_d_mumu: float = 0.0
    magnetic_moment_muB: float = 0.0
    sterile_dm2_eV2: float = 0.0
    sterile_sin2_2theta: float = 0.0
    quenching: str = "none"
    quenching_factor: float = 1.0
    lindhard_k: float | None = None
    light_yield_PE_per_keVee: float | None = None
    resolution_a: float | None = None
    efficiency: str = "none"

    def __post_init__(self):
        _validate(self)

    # --- derived groups used by the cached physics stages ---
    @property
    def physics(self) -> PhysicsParams:
        return PhysicsParams(
            sin2w=self.sin2w,
            couplings=self.couplings,
            form_factor=self.form_factor,
            neutron_rms_radius_fm=self.neutron_rms_radius_fm,
            eps_u_ee=self.eps_u_ee,
            eps_d_ee=self.eps_d_ee,
            eps_u_mumu=self.eps_u_mumu,
            eps_d_mumu=self.eps_d_mumu,
            magnetic_moment_muB=self.magnetic_moment_muB,
            sterile_dm2_eV2=self.sterile_dm2_eV2,
            sterile_sin2_2theta=self.sterile_sin2_2theta,
        )

    @property
    def response(self) -> Response:
        return Response(
            quenching=self.quenching,
            quenching_factor=self.quenching_factor,
            lindhard_k=self.lindhard_k,
            light_yield_PE_per_keVee=self.light_yield_PE_per_keVee,
            resolution_a=self.resolution_a,
            efficiency=self.efficiency,
        )

    @property
    def time_window_us(self) -> tuple[float, float] | None:
        if self.time_window_start_us is None and self.time_window_stop_us is None:
            return None
        return (self.time_window_start_us or 0.0, self.time_window_stop_us or math.inf)

    def replace(self, **changes) -> Scenario:
        """A copy with ``changes`` applied (validated)."""
        names = {f.name for f in fields(self)}
        unknown = set(changes) - names
        if unknown:
            raise ScenarioError(
                f"unknown scenario field(s): {', '.join(sorted(unknown))}; "
                f"allowed: {', '.join(sorted(names))}"
            )
        return replace(self, **changes)

    # --- JSON ---
    def to_dict(self) -> dict:
        return {"format": SCENARIO_FORMAT, **asdict(self)}

    def to_json(self, indent: int = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_dict(cls, data: dict) -> Scenario:
        if not isinstance(data, dict):
            raise ScenarioError("a scenario must be a JSON object")
        data = dict(data)
        fmt = data.pop("format", SCENARIO_FORMAT)
        if fmt != SCENARIO_FORMAT:
            raise ScenarioError(f"unsupported scenario format {fmt!r}; expected {SCENARIO_FORMAT}")
        names = {f.name for f in fields(cls)}
        unknown = set(data) - names
        if unknown:
            raise ScenarioError(
                f"unknown scenario field(s): {', '.join(sorted(unknown))}; "
                f"allowed: {', '.join(sorted(names))}"
            )
        try:
            return cls(**data)
        except TypeError as exc:
            raise ScenarioError(str(exc)) from exc

    @classmethod
    def from_json(cls, text: str) -> Scenario:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ScenarioError(f"not valid JSON: {exc}") from exc
        return cls.from_dict(data)


# --- validation ----------------------------------------------------------------------


def _number(s, name, *, low=None, high=None, low_open=False, optional=False):
    value = getattr(s, name)
    if value is None and optional:
        return
    bounds = _describe(low, high, low_open)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ScenarioError(f"{name} must be a number{bounds}, got {value!r}")
    if not math.isfinite(value):
        raise ScenarioError(f"{name} must be a finite number{bounds}, got {value}")
    if low is not None and (value <= low if low_open else value < low):
        raise ScenarioError(f"{name} must be{bounds}, got {value:g}")
    if high is not None and value > high:
        raise ScenarioError(f"{name} must be{bounds}, got {value:g}")


def _describe(low, high, low_open):
    if low is None and high is None:
        return ""
    if high is None:
        return f" {'>' if low_open else '>='} {low:g}"
    if low is None:
        return f" <= {high:g}"
    return f" in {'(' if low_open else '['}{low:g}, {high:g}]"


def _choice(s, name, choices):
    value = getattr(s, name)
    if value not in choices:
        raise ScenarioError(f"{name} must be one of {', '.join(choices)}; got {value!r}")


def _validate(s: Scenario) -> None:
    if not isinstance(s.target, str):
        raise ScenarioError(f"target must be a string, got {s.target!r}")
    try:
        make_target(s.target)
    except ValueError as exc:
        raise ScenarioError(str(exc)) from exc
    _number(s, "mass_kg", low=0, low_open=True)
    _number(s, "distance_m", low=0, low_open=True)
    _number(s, "pot", low=0)
    _number(s, "nu_per_pot", low=0, low_open=True)
    _number(s, "threshold", low=0)
    _choice(s, "threshold_unit", OBSERVABLES)
    _number(s, "roi_max", low=0, low_open=True, optional=True)
    _number(s, "time_window_start_us", low=0, optional=True)
    _number(s, "time_window_stop_us", low=0, low_open=True, optional=True)
    start, stop = s.time_window_start_us, s.time_window_stop_us
    if start is not None and stop is not None and stop <= start:
        raise ScenarioError(f"time window must end after it starts, got {start:g} to {stop:g} us")
    _choice(s, "form_factor", FORM_FACTOR_MODELS)
    _number(s, "neutron_rms_radius_fm", low=2.0, high=10.0, optional=True)
    _number(s, "sin2w", low=0, high=1, low_open=True)
    _choice(s, "couplings", COUPLING_SCHEMES)
    for name in ("eps_u_ee", "eps_d_ee", "eps_u_mumu", "eps_d_mumu"):
        _number(s, name, low=-5, high=5)
    _number(s, "magnetic_moment_muB", low=0, high=1e-6)
    _number(s, "sterile_dm2_eV2", low=0, high=1e4)
    _number(s, "sterile_sin2_2theta", low=0, high=1)
    _choice(s, "quenching", QUENCHING_MODELS)
    _number(s, "quenching_factor", low=0, high=1, low_open=True)
    _number(s, "lindhard_k", low=0, high=1, low_open=True, optional=True)
    _number(s, "light_yield_PE_per_keVee", low=0, low_open=True, optional=True)
    _number(s, "resolution_a", low=0, low_open=True, optional=True)
    _choice(s, "efficiency", EFFICIENCY_MODELS)
    try:
        s.response  # noqa: B018 -- builds and checks the response combination
    except ValueError as exc:
        raise ScenarioError(str(exc)) from exc
    if s.neutron_rms_radius_fm is not None and s.form_factor != "none":
        from .physics.form_factors import form_factor

        try:
            form_factor(s.form_factor, 0.1, 100, s.neutron_rms_radius_fm)
        except ValueError as exc:
            raise ScenarioError(str(exc)) from exc
