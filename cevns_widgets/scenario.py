"""A scenario: every input of a rate calculation, validated, hashable and JSON-able.

Units are in the field names. Exposure is held as protons on target (POT); the helpers
in :mod:`cevns_widgets.physics.sources.sns` convert GWh or days at a beam power.
"""

from __future__ import annotations

import functools
import json
import math
import numbers
import reprlib
from dataclasses import asdict, dataclass, fields, replace
from typing import NamedTuple

from .physics import constants as C
from .physics.cross_sections import COUPLING_SCHEMES
from .physics.form_factors import FORM_FACTOR_MODELS, NEUTRON_SKIN_RANGE_fm, rms_radius_fm
from .physics.nuclei import make_target
from .physics.rates import PhysicsParams
from .physics.response import (
    EFFICIENCY_MODELS,
    OBSERVABLES,
    PE_SMEARING_MODELS,
    QUENCHING_LABELS,
    QUENCHING_MODELS,
    Response,
    check_pe_smearing_applies,
    check_quenching_applies,
    quenching_targets,
)
from .physics.sources.sns import BEAM_TIMINGS, DEFAULT_BEAM_TIMING, TIMING_EFFICIENCIES

SCENARIO_FORMAT = "cevns-scenario/1"


class ScenarioError(ValueError):
    """An input outside its allowed range or choices; the message says which.

    ``field`` is the name of the input the message is about (a :class:`Scenario` field, or
    an :func:`~cevns_widgets.expected_events` keyword), or ``None``. Messages about a field
    start with its name, so that :meth:`renamed` can say it as the user wrote it.
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field

    def renamed(self, name: str) -> ScenarioError:
        """The same error, naming ``name`` (e.g. ``--mass-kg``) instead of :attr:`field`."""
        message, old = str(self), self.field
        if old is None or name == old:
            return ScenarioError(message, field=name)
        rest = message[len(old) :]
        if message.startswith(old) and not (rest[:1].isalnum() or rest[:1] == "_"):
            message = name + rest
        else:
            message = f"{name}: {message}"
        return ScenarioError(message, field=name)


class Range(NamedTuple):
    """The allowed values of a numeric input: ``low`` to ``high``, both finite."""

    low: float
    high: float
    low_open: bool = False  # True: the value must be > low (else >= low)
    unit: str = ""

    def __contains__(self, value) -> bool:
        above = value > self.low if self.low_open else value >= self.low
        return bool(above and value <= self.high)

    def describe(self) -> str:
        """E.g. ``in (0, 1e9] kg``."""
        text = f"in {'(' if self.low_open else '['}{_fmt(self.low)}, {_fmt(self.high)}]"
        return f"{text} {self.unit}" if self.unit else text


#: The allowed range of every numeric input, in one place: the :class:`Scenario` fields and
#: the exposure keywords of :func:`~cevns_widgets.expected_events` (``cevns rate`` options),
#: which become ``pot``. Physically generous, but finite, so that no input can overflow the
#: calculation. ``threshold`` and ``roi_max`` are in their own units (keVnr, keVee or PE).
RANGES: dict[str, Range] = {
    "mass_kg": Range(0.0, 1e9, True, "kg"),  # up to a megatonne
    "distance_m": Range(0.1, 1e5, False, "m"),  # from the target monolith to 100 km
    "pot": Range(0.0, 1e26, True),  # ~360 years of SNS beam at 1.4 MW
    "nu_per_pot": Range(0.0, 1.0, True),  # ~0.09 at the SNS
    "reactor_power_GW": Range(0.0, 20.0, True, "GW"),  # thermal; the largest cores ~4.6 GW
    "live_days": Range(0.0, 36525.0, True, "days"),  # a century
    "supernova_distance_kpc": Range(1e-3, 1e4, False, "kpc"),  # 200 AU to beyond Andromeda
    "threshold": Range(0.0, 1e6),  # a 1 GeV recoil: far above any SNS signal
    "roi_max": Range(0.0, 1e6, True),
    # Release time axes start before their trigger (LAr 2020 bins begin at -0.1 us).
    "time_window_start_us": Range(-5.0, 1e6, False, "us"),
    "time_window_stop_us": Range(0.0, 1e6, True, "us"),
    "neutron_skin_fm": Range(*NEUTRON_SKIN_RANGE_fm, False, "fm"),
    "sin2w": Range(0.0, 1.0, True),
    "eps_u_ee": Range(-5.0, 5.0),
    "eps_d_ee": Range(-5.0, 5.0),
    "eps_u_mumu": Range(-5.0, 5.0),
    "eps_d_mumu": Range(-5.0, 5.0),
    "magnetic_moment_muB": Range(0.0, 1e-6),
    "sterile_dm2_eV2": Range(0.0, 1e4, False, "eV^2"),
    "sterile_sin2_2theta": Range(0.0, 1.0),
    "quenching_factor": Range(0.0, 1.0, True),
    "lindhard_k": Range(0.0, 1.0, True),
    "light_yield_PE_per_keVee": Range(0.0, 1e4, True, "PE/keVee"),
    "resolution_a": Range(0.0, 100.0, True, "keVee^1/2"),
    "noise_sigma_keVee": Range(0.0, 100.0, True, "keVee"),
    # expected_events / cevns rate keywords that set pot:
    "exposure_GWh": Range(0.0, 1e4, True, "GWh"),
    "beam_days": Range(0.0, 36525.0, True, "days"),  # a century
    "beam_power_MW": Range(0.0, 100.0, True, "MW"),
    "proton_energy_GeV": Range(0.1, 100.0, False, "GeV"),
    # ... and the keyword that sets live_days from the mass:
    "exposure_tonne_years": Range(0.0, 1e6, True, "t yr"),
}


@dataclass(frozen=True)
class Scenario:
    """All inputs of a CEvNS rate calculation at the SNS or a reactor. Defaults: COHERENT
    CsI[Na] 2017 geometry with a bare 6.5 keVnr recoil threshold (use the preset for the
    full response).

    Every numeric field must lie in its finite range in :data:`RANGES` (numpy scalars are
    accepted and stored as floats); anything else raises :class:`ScenarioError`."""

    target: str = "CsI"
    mass_kg: float = 14.6
    distance_m: float = 19.3
    #: The neutrino source (``physics/sources``): "sns" uses pot, nu_per_pot and the beam
    #: timing fields; "reactor" uses the reactor_* fields, live_days and fission_fractions;
    #: "solar" (the Sun) and "diffuse" (atmospheric and DSNB) use live_days and need no
    #: distance.
    source: str = "sns"
    pot: float = 1.76e23
    nu_per_pot: float = 0.08
    reactor_power_GW: float = 3.9
    live_days: float = 100.0
    fission_fractions: tuple[float, float, float, float] = (0.56, 0.08, 0.30, 0.06)
    reactor_spectrum: str = "huber-mueller"
    energy_per_fission: str = "kopeikin-2004"
    #: Standard solar model of the "solar" source (``physics/sources/solar.py``).
    solar_model: str = "b16-gs98"
    #: A supernova burst (``physics/sources/supernova.py``): its distance, and per
    #: component (nue, nuebar, each heavy flavour) the mean energy, pinching and energy.
    supernova_distance_kpc: float = 10.0
    supernova_mean_energies_MeV: tuple[float, float, float] = (12.0, 14.0, 16.0)
    supernova_pinching: tuple[float, float, float] = (3.0, 3.0, 3.0)
    supernova_flavour_energies_erg: tuple[float, float, float] = (5e52, 5e52, 5e52)
    threshold: float = 6.5
    threshold_unit: str = "keVnr"
    roi_max: float | None = None
    time_window_start_us: float | None = None
    time_window_stop_us: float | None = None
    form_factor: str = "helm"
    neutron_skin_fm: float = 0.0
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
    noise_sigma_keVee: float | None = None
    efficiency: str = "none"
    pe_smearing: str = "poisson"
    timing_efficiency: str = "none"
    beam_timing: str = DEFAULT_BEAM_TIMING
    #: The preset this scenario started from (None: built from scratch). Whether it still
    #: matches that preset decides if published numbers and budgets apply (``api.py``).
    preset: str | None = None

    def __post_init__(self):
        _validate(self)

    # --- derived groups used by the cached physics stages ---
    @property
    def physics(self) -> PhysicsParams:
        return PhysicsParams(
            sin2w=self.sin2w,
            couplings=self.couplings,
            form_factor=self.form_factor,
            neutron_skin_fm=self.neutron_skin_fm,
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
            noise_sigma_keVee=self.noise_sigma_keVee,
            efficiency=self.efficiency,
            pe_smearing=self.pe_smearing,
        )

    @property
    def time_window_us(self) -> tuple[float, float] | None:
        if self.time_window_start_us is None and self.time_window_stop_us is None:
            return None
        return (self.time_window_start_us or 0.0, self.time_window_stop_us or math.inf)

    def replace(self, **changes) -> Scenario:
        """A copy with ``changes`` applied (validated)."""
        _refuse_unknown(changes, fields(self))
        return replace(self, **changes)

    # --- JSON ---
    def to_dict(self) -> dict:
        """Every field, but another source's inputs left at their defaults are left out
        (a reactor scenario carries no POT or time window); they read back the same."""
        from .physics.sources import foreign_fields

        others = foreign_fields(self.source)
        data = {k: v for k, v in asdict(self).items() if k not in others or v != _default_field(k)}
        return {"format": SCENARIO_FORMAT, **data}

    def to_json(self, indent: int = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_dict(cls, data: dict) -> Scenario:
        if not isinstance(data, dict):
            raise ScenarioError(f"a scenario must be a JSON object, got {quote(data)}")
        data = dict(data)
        fmt = data.pop("format", SCENARIO_FORMAT)
        if fmt != SCENARIO_FORMAT:
            raise ScenarioError(
                f"unsupported scenario format {quote(fmt)}; expected {SCENARIO_FORMAT}", "format"
            )
        if "neutron_rms_radius_fm" in data:
            _convert_neutron_radius(data)
        _refuse_unknown(data, fields(cls))
        try:
            return cls(**data)
        except TypeError as exc:
            raise ScenarioError(str(exc)) from exc

    @classmethod
    def from_json(cls, text: str) -> Scenario:
        try:
            data = json.loads(text)
        except RecursionError:
            raise ScenarioError("not valid JSON for a scenario: nested too deeply") from None
        except (TypeError, ValueError) as exc:  # JSONDecodeError, bytes that are not UTF-8...
            raise ScenarioError(f"not valid JSON: {shorten(exc)}") from exc
        return cls.from_dict(data)


def _refuse_unknown(given, known_fields) -> None:
    names = sorted(f.name for f in known_fields)
    unknown = sorted(quote(k, 30) for k in set(given) - set(names))
    if unknown:
        listed = ", ".join(unknown[:5]) + (
            f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        )
        raise ScenarioError(f"unknown scenario field(s): {listed}; allowed: {', '.join(names)}")


def _convert_neutron_radius(data: dict) -> None:
    """Read the field of old saved scenarios, ``neutron_rms_radius_fm`` (one absolute
    neutron rms radius for every isotope), as today's ``neutron_skin_fm`` in ``data``:
    null is dropped; on a single-element target the radius becomes the skin on the model's
    radius of its heaviest isotope (R_n - rms_radius_fm(model, A), to 0.01 fm); on a
    compound, where one radius for all elements has no skin equivalent, it is refused."""
    radius = data.pop("neutron_rms_radius_fm")
    if radius is None:
        return
    defaults = {f.name: f.default for f in fields(Scenario)}
    if "neutron_skin_fm" in data:
        raise ScenarioError("give neutron_skin_fm only, not the old neutron_rms_radius_fm too")
    if isinstance(radius, bool) or not isinstance(radius, (int, float)):
        raise ScenarioError(f"neutron_rms_radius_fm must be a number or null, got {quote(radius)}")
    target = data.get("target", defaults["target"])
    model = data.get("form_factor", defaults["form_factor"])
    try:
        t = make_target(target)
    except ValueError as exc:
        raise ScenarioError(str(exc)) from exc
    if len(set(t.Z)) > 1:
        raise ScenarioError(
            f"neutron_rms_radius_fm (one radius for all elements) is no longer supported for "
            f"the compound {target!r}; use neutron_skin_fm, added to each element's own radius"
        )
    if model not in FORM_FACTOR_MODELS or model == "none":
        return  # with F = 1 the radius had no effect (an unknown model is refused later)
    skin = round(float(radius) - float(rms_radius_fm(model, max(t.A))), 2)
    low, high = NEUTRON_SKIN_RANGE_fm
    if not low <= skin <= high:
        raise ScenarioError(
            f"neutron_rms_radius_fm {radius:g} fm is a neutron skin of {skin:+.2f} fm on "
            f"{target}; neutron_skin_fm must be in [{low:g}, {high:g}]"
        )
    data["neutron_skin_fm"] = skin


# --- validation ----------------------------------------------------------------------


#: Longest target name accepted (formulae such as C3F8 or Gd3Ga5O12 are far shorter).
MAX_TARGET_LENGTH = 40

_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = _REPR.maxlong = 40
_REPR.maxlevel = 2


def _fmt(x: float) -> str:
    """A short number: 1e9, 0.1, -5, 1.76e23."""
    text = f"{x:g}"
    if "e" not in text and abs(x) >= 1e4:  # 1e5 rather than 100000, but 36525 as it is
        text = min(text, f"{x:.6e}", key=lambda t: len(_compact(t)))
    return _compact(text)


def _compact(text: str) -> str:
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{int(exponent)}"


def shorten(text: str, limit: int = 80) -> str:
    """``text`` on one line, cut to ``limit`` characters with '...'."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def quote(value, limit: int = 40) -> str:
    """A short piece of an input for a message: at most ``limit`` characters, then '...'."""
    try:
        if isinstance(value, numbers.Integral) and not isinstance(value, bool):
            text = str(int(value))
        elif isinstance(value, numbers.Real) and not isinstance(value, bool):
            text = _fmt(float(value))
        else:
            text = _REPR.repr(value)
    except Exception:  # noqa: BLE001 -- e.g. an int too long to print: say what it is
        text = f"<{type(value).__name__} too large to show>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_number(name: str, value, rng: Range | None = None) -> float:
    """``value`` as a float if it is a number (numpy scalars too) inside ``RANGES[name]``.

    Booleans and strings are refused, as are non-finite numbers; the ScenarioError names
    ``name`` and states the range.
    """
    rng = RANGES[name] if rng is None else rng
    if type(value) is float and math.isfinite(value) and value in rng:
        return value  # the common case, without building a message (slider moves)
    allowed = rng.describe()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        kind = " (a string)" if isinstance(value, str) else ""
        raise ScenarioError(f"{name} must be a number {allowed}, got {quote(value)}{kind}", name)
    try:
        x = float(value)
    except (OverflowError, ValueError, TypeError):  # e.g. an integer with 400 digits
        raise ScenarioError(f"{name} must be {allowed}, got {quote(value)}", name) from None
    if not math.isfinite(x):
        raise ScenarioError(f"{name} must be a finite number {allowed}, got {_fmt(x)}", name)
    if x not in rng:
        raise ScenarioError(f"{name} must be {allowed}, got {_fmt(x)}", name)
    return x


def _is_numeric_field(f) -> bool:
    return bool({"float", "int"} & {part.strip() for part in str(f.type).split("|")})


@functools.cache
def _numeric_fields() -> tuple[tuple[str, bool], ...]:
    """(name, may be None) of every numeric Scenario field, worked out once."""
    return tuple((f.name, "None" in str(f.type)) for f in fields(Scenario) if _is_numeric_field(f))


_ANY_FINITE = Range(-math.inf, math.inf)


def _check_numbers(s: Scenario) -> None:
    """Check every numeric field against ``RANGES`` (finite only, if it has no entry) and
    store it as a plain float (numpy scalars become floats, so the scenario stays JSON-able)."""
    for name, optional in _numeric_fields():
        value = getattr(s, name)
        if value is None and optional:
            continue
        checked = check_number(name, value, RANGES.get(name, _ANY_FINITE))
        if checked is not value:
            object.__setattr__(s, name, checked)


def _check_target(s: Scenario) -> None:
    """The target must parse; any failure of the parser is bad input, said in one line."""
    value = s.target
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TARGET_LENGTH:
        raise ScenarioError(
            f"target must be an element, formula or isotope name (at most "
            f"{MAX_TARGET_LENGTH} characters) such as CsI, Ar or 133Cs; got {quote(value)}",
            "target",
        )
    try:
        per_kg = make_target(value).nuclei_per_kg()
    except ValueError as exc:
        raise ScenarioError(" ".join(str(exc).split()), "target") from exc
    except Exception as exc:  # noqa: BLE001 -- whatever the parser raises, the input is bad
        raise ScenarioError(
            f"target {quote(value)} cannot be read ({type(exc).__name__}); give an element, "
            "formula or isotope such as CsI, Ar or 133Cs",
            "target",
        ) from exc
    if not (len(per_kg) and all(math.isfinite(n) and n > 0 for n in per_kg)):
        raise ScenarioError(f"target {quote(value)} has no nuclei to count", "target")


def inapplicable_fields(scenario: Scenario) -> dict[str, str]:
    """Fields this scenario ignores, each with what it would need: another source's inputs
    (``pot`` for a reactor), a model's knob under another model (``lindhard_k`` with
    constant quenching), ... A snippet and the JSON leave them out, provenance does not
    count them as changes, and an explicit option for one is refused."""
    from .physics.sources import SOURCES, foreign_fields

    out = foreign_fields(scenario.source)
    leptons = set(SOURCES[scenario.source].component_lepton.values())
    for lepton in ("e", "mu"):
        if lepton not in leptons:
            for quark in ("u", "d"):
                out[f"eps_{quark}_{lepton}{lepton}"] = f"a source with nu_{lepton} flavours"
    keVee_reader = "a detector read in keVee (this one counts photoelectrons: a light yield is set)"
    needs = {
        "lindhard_k": (scenario.quenching == "lindhard", "quenching lindhard"),
        "quenching_factor": (scenario.quenching == "constant", "quenching constant"),
        "resolution_a": (scenario.light_yield_PE_per_keVee is None, keVee_reader),
        "noise_sigma_keVee": (
            scenario.light_yield_PE_per_keVee is None and scenario.quenching != "none",
            "a detector read in keVee (a quenching model and no light yield)",
        ),
    }
    out.update({name: what for name, (applies, what) in needs.items() if not applies})
    return out


def follow_target(scenario: Scenario, target: str) -> list[tuple[str, str, str]]:
    """(field, new value, note) for the response pieces that a change to ``target`` makes
    inapplicable: a quenching model or PE smearing measured for another material switches
    to the generic choice (Lindhard, Poisson) instead of refusing the new target."""
    try:
        symbols = {iso.symbol for iso in make_target(target).isotopes}
    except Exception:  # noqa: BLE001 -- validation reports the bad target, in one line
        return []
    out = []
    try:
        check_quenching_applies(scenario.quenching, symbols)
    except ValueError:
        label = QUENCHING_LABELS[scenario.quenching]
        allowed = "/".join(quenching_targets(scenario.quenching))
        note = f"quenching set to Lindhard: {label} describes {allowed} only"
        out.append(("quenching", "lindhard", note))
    if scenario.quenching == "lindhard" and scenario.lindhard_k is not None:
        try:
            before = {iso.symbol for iso in make_target(scenario.target).isotopes}
        except Exception:  # noqa: BLE001 -- the old target was valid; be safe anyway
            before = set()
        if before != symbols:
            note = (
                f"Lindhard k reset to the standard value for {target} "
                f"(k = {scenario.lindhard_k:g} was set for {scenario.target})"
            )
            out.append(("lindhard_k", None, note))
    try:
        check_pe_smearing_applies(scenario.pe_smearing, symbols)
    except ValueError:
        out.append(
            (
                "pe_smearing",
                "poisson",
                "PE statistics set to Poisson: the CsI 2021 gamma response is CsI's",
            )
        )
    return out


def _check_source(s: Scenario) -> None:
    """The source and its own fields; inputs of another source's kind are refused."""
    from .physics.sources import SOURCES, reactor, solar, supernova

    _choice(s, "source", tuple(SOURCES))
    _choice(s, "reactor_spectrum", reactor.REACTOR_SPECTRUM_MODELS)
    _choice(s, "energy_per_fission", reactor.ENERGY_PER_FISSION_MODELS)
    _choice(s, "solar_model", solar.SOLAR_MODELS)
    for name, check in (
        ("supernova_mean_energies_MeV", supernova.check_mean_energies),
        ("supernova_pinching", supernova.check_pinching),
        ("supernova_flavour_energies_erg", supernova.check_flavour_energies),
    ):
        try:
            object.__setattr__(s, name, check(getattr(s, name)))
        except ValueError as exc:
            raise ScenarioError(str(exc), name) from None
    object.__setattr__(s, "fission_fractions", _fission_fractions(s.fission_fractions))
    if not SOURCES[s.source].time_profile:
        timed = [
            name
            for name, default in (
                ("time_window_start_us", None),
                ("time_window_stop_us", None),
                ("timing_efficiency", "none"),
            )
            if getattr(s, name) != default
        ]
        if timed:
            raise ScenarioError(
                f"{timed[0]} applies to a pulsed source (sns), not to source {s.source!r}: "
                "it shines continuously, so there is no time window",
                timed[0],
            )


def _fission_fractions(value) -> tuple[float, ...]:
    """Four fractions (235U, 238U, 239Pu, 241Pu), each in [0, 1], summing to 1 within 1e-3."""
    from .physics.sources.reactor import ISOTOPES

    what = f"fission_fractions must be {len(ISOTOPES)} numbers ({', '.join(ISOTOPES)}) in [0, 1]"
    if isinstance(value, str | bytes | dict) or not hasattr(value, "__len__"):
        raise ScenarioError(f"{what} summing to 1; got {quote(value)}", "fission_fractions")
    if len(value) != len(ISOTOPES):
        raise ScenarioError(f"{what} summing to 1; got {len(value)} numbers", "fission_fractions")
    out = tuple(check_number("fission_fractions", v, Range(0.0, 1.0)) for v in value)
    if abs(sum(out) - 1.0) > 1e-3:
        raise ScenarioError(f"{what} summing to 1; they sum to {sum(out):.4g}", "fission_fractions")
    return out


def _choice(s, name, choices):
    value = getattr(s, name)
    if value not in choices:
        raise ScenarioError(f"{name} must be one of {', '.join(choices)}; got {quote(value)}", name)


def _validate(s: Scenario) -> None:
    _check_target(s)
    # Every numeric field against its RANGES entry (a new numeric field needs only that).
    _check_numbers(s)
    _choice(s, "threshold_unit", OBSERVABLES)
    start, stop = s.time_window_start_us, s.time_window_stop_us
    if start is not None and stop is not None and stop <= start:
        raise ScenarioError(
            f"time window must end after it starts, got {start:g} to {stop:g} us",
            "time_window_stop_us",
        )
    _choice(s, "form_factor", FORM_FACTOR_MODELS)
    _choice(s, "couplings", COUPLING_SCHEMES)
    _choice(s, "quenching", QUENCHING_MODELS)
    _choice(s, "efficiency", EFFICIENCY_MODELS)
    _choice(s, "pe_smearing", PE_SMEARING_MODELS)
    _choice(s, "timing_efficiency", TIMING_EFFICIENCIES)
    _choice(s, "beam_timing", tuple(BEAM_TIMINGS))
    _check_source(s)
    if s.preset is not None:
        from .presets import PRESETS

        _choice(s, "preset", tuple(PRESETS))
    # Responses measured for one material apply to that material only.
    try:
        symbols = {iso.symbol for iso in make_target(s.target).isotopes}
        check_quenching_applies(s.quenching, symbols)
        check_pe_smearing_applies(s.pe_smearing, symbols)
    except ValueError as exc:
        raise ScenarioError(str(exc)) from exc
    try:
        s.response  # noqa: B018 -- builds and checks the response combination
    except ValueError as exc:
        raise ScenarioError(str(exc)) from exc
    if s.neutron_skin_fm and s.form_factor != "none":
        from .physics.form_factors import form_factor, neutron_rms_radius_fm

        t = make_target(s.target)
        r_n = neutron_rms_radius_fm(s.form_factor, t.A, t.N, s.neutron_skin_fm)
        try:
            form_factor(s.form_factor, 0.1, t.A, r_n)
        except ValueError as exc:
            raise ScenarioError(f"neutron_skin_fm {s.neutron_skin_fm:g}: {exc}") from exc


@functools.cache
def _default_scenario() -> Scenario:
    return Scenario()


def _default_field(name: str):
    return getattr(_default_scenario(), name)
