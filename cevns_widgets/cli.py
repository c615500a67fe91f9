"""The ``cevns`` command line: expected CEvNS events at the SNS or a reactor, and the named presets.

    cevns rate --preset coherent-csi-2017
    cevns rate --target CsI --mass-kg 14.6 --distance-m 19.3 --pot 1.76e23 \\
        --nu-per-pot 0.08 --threshold-keVnr 6.5 --json
    cevns rate --scenario saved.json --distance-m 30 --save-scenario what_if.json
    cevns spectrum --preset coherent-lar-2020 --csv
    cevns scan distance-m --from 10 --to 100 --steps 10 --log --preset ge-10kg-22m
    cevns presets [--json]
    cevns profile --preset coherent-csi-2017 --parameter sin2w --from 0.1 --to 0.4 --steps 31
    cevns --version

``cevns rate`` options map one to one onto the keyword arguments of
:func:`cevns_widgets.expected_events` (``--mass-kg`` is ``mass_kg``, ``--threshold-keVnr`` is
``threshold_keVnr``); with ``--json`` it prints exactly that function's dictionary.
``--scenario FILE`` starts from a scenario saved by the explorer's Share tab (or by
``--save-scenario``), options override its fields. ``spectrum`` and ``scan`` take the same
options. Bad input exits with status 2 and one line on stderr that names the option as
written and says what is allowed (the numeric ranges are :data:`cevns_widgets.scenario.RANGES`).
"""

from __future__ import annotations

import argparse
import csv
import importlib.metadata
import io
import json
import math
import os
import re
import sys

import numpy as np

from .api import DAYS_PER_YEAR, evaluate, result_to_dict, scenario_from_options
from .physics.cross_sections import COUPLING_SCHEMES
from .physics.form_factors import FORM_FACTOR_MODELS, heaviest_neutron_radius_fm
from .physics.nuclei import COMMON_TARGETS, make_target
from .physics.response import EFFICIENCY_MODELS, PE_SMEARING_MODELS, QUENCHING_MODELS
from .physics.sources import SOURCES
from .physics.sources.reactor import ENERGY_PER_FISSION_MODELS, REACTOR_SPECTRUM_MODELS
from .physics.sources.reactor import ISOTOPES as REACTOR_ISOTOPES
from .physics.sources.sns import BEAM_TIMINGS, TIMING_EFFICIENCIES
from .physics.sources.solar import SOLAR_MODELS
from .presets import PRESETS, format_published
from .scenario import RANGES, Scenario, ScenarioError, quote

PROG = "cevns"

#: Plain-text flavour labels (the terminal may not render Greek letters).
_FLAVOR_TEXT = {
    "prompt_numu": "prompt nu_mu",
    "delayed_nue": "delayed nu_e",
    "delayed_numubar": "delayed anti-nu_mu",
    "reactor_nuebar": "reactor anti-nu_e",
    "7Be_384": "7Be 384 keV line",
    "7Be_861": "7Be 861 keV line",
    "dsnb": "DSNB",
    "nue": "nu_e",
    "nuebar": "anti-nu_e",
    "nux": "nu_x (4 flavours)",
}


class UsageError(Exception):
    """A command-line mistake; the message is printed on one line and the exit status is 2."""


#: What argparse should read as a (negative) number rather than an option: also exponents
#: and the non-finite spellings, so that '--eps-u-ee -1e-2' works and '--sin2w -inf' is
#: rejected by the number check with a clear message.
_NEGATIVE_NUMBER = re.compile(
    r"^-(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$|^-(inf|infinity|nan)$", re.IGNORECASE
)


class _Parser(argparse.ArgumentParser):
    """argparse, but an error is one line on stderr (no usage block) and exit status 2."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = _NEGATIVE_NUMBER

    def error(self, message):
        # Quote at most a short piece of what was typed.
        message = re.sub(r"\S{60,}", lambda m: m.group()[:37] + "...", message)
        raise UsageError(f"{self.prog}: error: {message}")


def finite_float(text: str) -> float:
    """A float that is finite: rejects 'nan', 'inf', '-inf' and anything unparsable."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise argparse.ArgumentTypeError(f"expected a number, got {quote(text)}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def _choices(values) -> str:
    return ", ".join(values)


def _range_of(flag: str):
    """The allowed range (scenario.RANGES) of a numeric option, or None."""
    keyword = flag.lstrip("-").replace("-", "_")
    return RANGES.get("threshold" if keyword in _THRESHOLD_OPTIONS else keyword)


_THRESHOLD_OPTIONS = ("threshold_keVnr", "threshold_keVee", "threshold_PE")


def _add_number(group, flag: str, help: str, *, type=finite_float) -> None:
    """A numeric option (shown as ``X`` in the help, with its allowed range); ``type``
    checks that it is a finite number, the scenario checks the range."""
    rng = _range_of(flag)
    if rng is not None and " in [" not in help and " in (" not in help:
        help = f"{help}; {rng.describe()}"
    group.add_argument(flag, type=type, metavar="X", help=help)


def _add_rate_arguments(p: argparse.ArgumentParser) -> None:
    start = p.add_mutually_exclusive_group()
    start.add_argument(
        "--preset",
        choices=list(PRESETS),
        metavar="NAME",
        help=f"start from a named dataset: {_choices(PRESETS)}",
    )
    start.add_argument(
        "--scenario",
        metavar="FILE",
        help="start from a scenario JSON file (the explorer's Share tab, or --save-scenario)",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="print the expected_events() dictionary as one JSON object",
    )

    g = p.add_argument_group("detector and source")
    g.add_argument(
        "--target",
        metavar="T",
        help="element, formula (a molecule: H2 is hydrogen gas, D2O heavy water) or isotope "
        "(133Cs, Cs-133, D, T), e.g. " + _choices(COMMON_TARGETS),
    )
    _add_number(g, "--mass-kg", "target mass (kg)")
    _add_number(g, "--distance-m", "distance from the SNS mercury target or the reactor core (m)")
    _add_number(g, "--nu-per-pot", "neutrinos of each flavour per proton on target")

    g.add_argument(
        "--source",
        choices=list(SOURCES),
        help="the neutrino source: " + "; ".join(f"{n} ({v.label})" for n, v in SOURCES.items()),
    )

    rx = p.add_argument_group("reactor source (with --source reactor)")
    _add_number(rx, "--reactor-power-GW", "thermal power of the core (GW)")
    _add_number(
        rx, "--live-days", "days of data: reactor on, or live time for --source solar/diffuse"
    )
    rx.add_argument(
        "--fission-fractions",
        type=finite_float,
        nargs=len(REACTOR_ISOTOPES),
        metavar=tuple(f"F{iso}" for iso in REACTOR_ISOTOPES),
        help=f"fractions of fissions from {', '.join(REACTOR_ISOTOPES)} (sum 1; "
        "default 0.56 0.08 0.30 0.06)",
    )
    rx.add_argument(
        "--reactor-spectrum",
        choices=REACTOR_SPECTRUM_MODELS,
        help=f"antineutrino spectrum model: {_choices(REACTOR_SPECTRUM_MODELS)}",
    )
    rx.add_argument(
        "--energy-per-fission",
        choices=ENERGY_PER_FISSION_MODELS,
        help=f"energy released per fission: {_choices(ENERGY_PER_FISSION_MODELS)}",
    )

    sky = p.add_argument_group("the Sun and the sky (with --source solar or diffuse)")
    sky.add_argument(
        "--solar-model",
        choices=SOLAR_MODELS,
        help=f"standard solar model for the fluxes: {_choices(SOLAR_MODELS)}",
    )
    _add_number(
        sky,
        "--exposure-tonne-years",
        "exposure in tonne-years (sets --live-days for the target mass); not with --live-days",
    )

    sn = p.add_argument_group("a supernova burst (with --source supernova)")
    _add_number(sn, "--supernova-distance-kpc", "distance of the supernova (kpc); default 10")
    for flag, what, unit in (
        ("--supernova-mean-energies-MeV", "mean energies", "MeV"),
        ("--supernova-pinching", "pinching parameters alpha", ""),
        ("--supernova-flavour-energies-erg", "emitted energies (nu_x: each heavy flavour)", "erg"),
    ):
        sn.add_argument(
            flag,
            type=finite_float,
            nargs=3,
            metavar=("NUE", "NUEBAR", "NUX"),
            help=f"{what} of nu_e, anti-nu_e and nu_x{f' ({unit})' if unit else ''}",
        )

    e = p.add_argument_group("SNS exposure (one of --pot, --exposure-GWh, --beam-days)")
    ex = e.add_mutually_exclusive_group()
    _add_number(ex, "--pot", "protons on target")
    _add_number(ex, "--exposure-GWh", "integrated beam energy (GWh)")
    _add_number(ex, "--beam-days", "days of beam at --beam-power-MW")
    _add_number(
        e,
        "--beam-power-MW",
        "mean beam power (MW) with --beam-days; default: the preset's, else 1.4",
    )
    _add_number(
        e,
        "--proton-energy-GeV",
        "proton energy (GeV) for --exposure-GWh or --beam-days; default: the preset's, else 1.0",
    )

    t = p.add_argument_group("threshold and analysis window")
    th = t.add_mutually_exclusive_group()
    _add_number(
        th, "--threshold-keVnr", "threshold in nuclear-recoil keV (converted for the observable)"
    )
    _add_number(th, "--threshold-keVee", "threshold in electron-equivalent keV")
    _add_number(th, "--threshold-PE", "threshold in photoelectrons")
    _add_number(t, "--roi-max", "upper end of the analysis region, in the observable")
    t.add_argument(
        "--time-window-us",
        type=finite_float,
        nargs=2,
        metavar=("A", "B"),
        help="arrival-time window after the beam trigger (us)",
    )

    ph = p.add_argument_group("physics")
    ph.add_argument(
        "--form-factor",
        choices=FORM_FACTOR_MODELS,
        help=f"nuclear form factor: {_choices(FORM_FACTOR_MODELS)}",
    )
    _add_number(
        ph,
        "--neutron-skin-fm",
        "neutron skin (fm) added to each isotope's own model radius, R_n = R(A) + skin (default 0)",
    )
    _add_number(ph, "--sin2w", "sin^2 theta_W (default 0.23857, low-energy MS-bar)")
    ph.add_argument(
        "--couplings",
        choices=COUPLING_SCHEMES,
        help=f"nucleon couplings: {_choices(COUPLING_SCHEMES)}",
    )
    for quark in ("u", "d"):
        for flavour in ("ee", "mumu"):
            _add_number(ph, f"--eps-{quark}-{flavour}", f"vector NSI epsilon_{quark}^{flavour}")
    _add_number(ph, "--magnetic-moment-muB", "neutrino magnetic moment (Bohr magnetons)")
    _add_number(ph, "--sterile-dm2-eV2", "3+1 sterile Delta m^2 (eV^2)")
    _add_number(ph, "--sterile-sin2-2theta", "3+1 sterile mixing sin^2 2theta")

    r = p.add_argument_group("detector response")
    r.add_argument(
        "--quenching",
        choices=QUENCHING_MODELS,
        help=f"quenching model: {_choices(QUENCHING_MODELS)}",
    )
    _add_number(r, "--quenching-factor", "quenching factor for --quenching constant")
    _add_number(
        r, "--lindhard-k", "Lindhard k for --quenching lindhard (default 0.133 Z^2/3 A^-1/2)"
    )
    _add_number(
        r, "--light-yield-PE-per-keVee", "light yield (PE/keVee): the observable becomes PE"
    )
    _add_number(r, "--resolution-a", "Gaussian resolution sigma = a sqrt(E[keVee]) (keVee)")
    _add_number(
        r,
        "--noise-sigma-keVee",
        "electronic noise (keVee), added in quadrature to the resolution: "
        "sigma^2 = a^2 E + noise^2",
    )
    r.add_argument(
        "--efficiency",
        choices=EFFICIENCY_MODELS,
        help=f"acceptance curve: {_choices(EFFICIENCY_MODELS)}",
    )
    r.add_argument(
        "--pe-smearing",
        choices=PE_SMEARING_MODELS,
        help=f"photoelectron statistics with a light yield: {_choices(PE_SMEARING_MODELS)}",
    )
    r.add_argument(
        "--timing-efficiency",
        choices=TIMING_EFFICIENCIES,
        help=f"fraction kept vs arrival time: {_choices(TIMING_EFFICIENCIES)}",
    )
    r.add_argument(
        "--beam-timing",
        choices=list(BEAM_TIMINGS),
        help="the dataset whose time axis the time window is on: "
        + "; ".join(f"{t.name} ({t.label})" for t in BEAM_TIMINGS.values()),
    )


#: Arguments of ``cevns rate``, ``spectrum`` and ``scan`` that are not keyword arguments of
#: expected_events.
_NOT_OPTIONS = {
    "command",
    "json",
    "csv",
    "preset",
    "scenario",
    "save_scenario",
    "param",
    "start",
    "stop",
    "steps",
    "log",
    "_option_names",
    "_numeric",
}
#: Most points of a scan.
MAX_SCAN_STEPS = 10000


def _version() -> str:
    try:
        return importlib.metadata.version("cevns_widgets")
    except importlib.metadata.PackageNotFoundError:  # running from a source tree
        from . import __version__

        return __version__


def _steps(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_SCAN_STEPS:
        raise argparse.ArgumentTypeError(
            f"expected a whole number from 1 to {MAX_SCAN_STEPS}, got {text[:40]!r}"
        )
    return value


def _numeric_options(parser: argparse.ArgumentParser) -> dict:
    """PARAM spelling (option without dashes) -> keyword, for every numeric option."""
    return {
        a.option_strings[0][2:]: a.dest
        for a in parser._actions
        if a.option_strings and a.metavar == "X"
    }


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        allow_abbrev=False,
        description="Coherent elastic neutrino-nucleus scattering at the SNS and at reactors.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {_version()}")
    sub = parser.add_subparsers(
        dest="command", metavar="{rate,spectrum,scan,fit,profile,presets}", parser_class=_Parser
    )
    rate = sub.add_parser(
        "rate",
        allow_abbrev=False,
        help="expected events for a preset and/or explicit options",
        description="Expected CEvNS events; options override the preset or scenario file.",
    )
    _add_rate_arguments(rate)
    rate.add_argument(
        "--save-scenario",
        metavar="FILE",
        help="also write the scenario as JSON, to load in the explorer or with --scenario",
    )
    spectrum = sub.add_parser(
        "spectrum",
        allow_abbrev=False,
        help="recoil and observed spectra per flavour",
        description=(
            "Recoil spectrum dN/dT (events/keVnr, before the detector response) and observed "
            "spectrum (events per unit of the observable) per flavour; same options as rate."
        ),
    )
    _add_rate_arguments(spectrum)
    spectrum.add_argument(
        "--csv", action="store_true", help="print CSV with a header line naming the units"
    )
    scan = sub.add_parser(
        "scan",
        allow_abbrev=False,
        help="events over a range of one numeric input",
        description=(
            "Expected events (total and per flavour) as one numeric input varies; the other "
            "options are those of rate."
        ),
    )
    params = _numeric_options(rate)
    scan.add_argument(
        "param",
        metavar="PARAM",
        choices=list(params),
        help="the input to vary, spelled like its option without dashes: " + _choices(params),
    )
    scan.add_argument("--from", dest="start", type=finite_float, required=True, metavar="A")
    scan.add_argument("--to", dest="stop", type=finite_float, required=True, metavar="B")
    scan.add_argument(
        "--steps",
        type=_steps,
        default=11,
        metavar="N",
        help=f"number of points, 1 to {MAX_SCAN_STEPS} (default 11)",
    )
    scan.add_argument("--log", action="store_true", help="space the points logarithmically")
    scan.add_argument("--csv", action="store_true", help="print CSV with a header line")
    _add_rate_arguments(scan)
    fit = sub.add_parser(
        "fit",
        allow_abbrev=False,
        help="likelihood fit of a released dataset: CEvNS events and significance",
        description=(
            "Binned Poisson likelihood fit of a released dataset (cevns_widgets.stats): the "
            "CEvNS events with their 68 %% interval, the significance against no CEvNS and "
            "the best-fit nuisances."
        ),
    )
    fit.add_argument(
        "--preset", default="coherent-csi-2017", metavar="NAME", help="the dataset's preset"
    )
    fit.add_argument("--json", action="store_true", help="print the result as JSON")
    _add_profile_parser(sub)
    _add_plan_parser(sub)
    presets = sub.add_parser(
        "presets",
        allow_abbrev=False,
        help="list the named presets",
        description="List the named, versioned presets.",
    )
    presets.add_argument("--json", action="store_true", help="print them as JSON")
    parser.set_defaults(
        _option_names={a.dest: a.option_strings[0] for a in rate._actions if a.option_strings},
        _numeric=params,
    )
    return parser


def rate_options(args: argparse.Namespace) -> dict:
    """The keyword arguments for expected_events() from parsed ``cevns rate`` arguments."""
    options = {k: v for k, v in vars(args).items() if k not in _NOT_OPTIONS and v is not None}
    if "time_window_us" in options:
        options["time_window_us"] = tuple(options["time_window_us"])
    exposure_with_energy = ("exposure_GWh" in options) or ("beam_days" in options)
    command = getattr(args, "command", None) or "rate"
    if "proton_energy_GeV" in options and not exposure_with_energy:
        raise UsageError(
            f"{PROG} {command}: error: --proton-energy-GeV applies only with "
            "--exposure-GWh or --beam-days"
        )
    if "beam_power_MW" in options and "beam_days" not in options:
        raise UsageError(f"{PROG} {command}: error: --beam-power-MW applies only with --beam-days")
    return options


# --- text output ---------------------------------------------------------------------------------


def _g(value, digits: int = 6) -> str:
    return f"{value:.{digits}g}"


def _input_rows(result: dict) -> list[tuple[str, str]]:
    i = result["inputs"]
    rows = [("target", i["target"]), ("mass", f"{_g(i['mass_kg'])} kg")]
    if "distance_m" in i:
        rows.append(("distance", f"{_g(i['distance_m'])} m"))
    rows += _SOURCE_ROWS[i["source"]](i)
    return rows + _detector_rows(i, i["observable"])


def _sns_rows(i: dict) -> list[tuple[str, str]]:
    exposure = f"{i['pot']:.4g} POT"
    if "exposure_GWh" in i:
        exposure += f" ({_g(i['exposure_GWh'])} GWh at {_g(i['proton_energy_GeV'])} GeV)"
    elif "beam_days" in i:
        exposure += (
            f" ({_g(i['beam_days'])} days at {_g(i['beam_power_MW'])} MW, "
            f"{_g(i['proton_energy_GeV'])} GeV)"
        )
    return [("exposure", exposure), ("neutrinos per POT", f"{_g(i['nu_per_pot'])} per flavour")]


def _reactor_rows(i: dict) -> list[tuple[str, str]]:
    fractions = ", ".join(
        f"{iso} {_g(f)}" for iso, f in zip(REACTOR_ISOTOPES, i["fission_fractions"], strict=True)
    )
    return [
        ("source", f"reactor, {_g(i['reactor_power_GW'])} GW thermal"),
        ("live time", f"{_g(i['live_days'])} days"),
        ("fission fractions", fractions),
        ("spectrum", f"{i['reactor_spectrum']}; energy per fission {i['energy_per_fission']}"),
    ]


def _exposure_row(i: dict) -> tuple[str, str]:
    tonne_years = i["mass_kg"] / 1000.0 * i["live_days"] / DAYS_PER_YEAR
    return ("live time", f"{_g(i['live_days'])} days ({_g(tonne_years, 4)} t yr)")


def _solar_rows(i: dict) -> list[tuple[str, str]]:
    return [("source", f"the Sun, {i['solar_model']} fluxes, at 1 AU"), _exposure_row(i)]


def _diffuse_rows(i: dict) -> list[tuple[str, str]]:
    return [("source", "atmospheric and DSNB neutrinos"), _exposure_row(i)]


def _supernova_rows(i: dict) -> list[tuple[str, str]]:
    def three(values, unit=""):
        return ", ".join(f"{_g(v, 4)}{unit}" for v in values) + " (nue, nuebar, nux)"

    return [
        ("source", f"a supernova at {_g(i['supernova_distance_kpc'])} kpc"),
        ("mean energies", three(i["supernova_mean_energies_MeV"], " MeV")),
        ("pinching", three(i["supernova_pinching"])),
        ("energy/flavour", three(i["supernova_flavour_energies_erg"], " erg")),
    ]


#: The source-specific input rows of the text report.
_SOURCE_ROWS = {
    "supernova": _supernova_rows,
    "sns": _sns_rows,
    "reactor": _reactor_rows,
    "solar": _solar_rows,
    "diffuse": _diffuse_rows,
}


def _detector_rows(i: dict, obs: str) -> list[tuple[str, str]]:
    rows = []
    threshold = f"{_g(i['threshold'])} {i['threshold_unit']}"
    if i["threshold_unit"] != obs:
        threshold += f" (= {_g(i['threshold_in_observable'])} {obs})"
    rows.append(("threshold", threshold))
    if i["roi_max"] is not None:
        rows.append(
            ("analysis region", f"{_g(i['threshold_in_observable'])} to {_g(i['roi_max'])} {obs}")
        )
    start, stop = i.get("time_window_start_us"), i.get("time_window_stop_us")
    if start is not None or stop is not None:
        stop_text = "end" if stop is None else f"{_g(stop)} us"
        timing = BEAM_TIMINGS[i["beam_timing"]].label
        rows.append(("time window", f"{_g(start or 0.0)} us to {stop_text} ({timing})"))
    if i.get("timing_efficiency", "none") != "none":
        rows.append(("timing efficiency", i["timing_efficiency"]))
    form = i["form_factor"]
    if i["neutron_skin_fm"] and form != "none":
        symbol, r_n = heaviest_neutron_radius_fm(
            make_target(i["target"]), form, i["neutron_skin_fm"]
        )
        form += f", neutron skin {i['neutron_skin_fm']:+g} fm (R_n({symbol}) = {r_n:.2f} fm)"
    rows += [
        ("form factor", form),
        ("sin^2 theta_W", f"{_g(i['sin2w'], 6)} ({i['couplings']} couplings)"),
    ]
    nsi = [
        f"{k}={_g(i[k])}" for k in ("eps_u_ee", "eps_d_ee", "eps_u_mumu", "eps_d_mumu") if i.get(k)
    ]
    if nsi:
        rows.append(("NSI", ", ".join(nsi)))
    if i["magnetic_moment_muB"]:
        rows.append(("magnetic moment", f"{_g(i['magnetic_moment_muB'])} mu_B"))
    if i.get("sterile_dm2_eV2") and i.get("sterile_sin2_2theta"):
        rows.append(
            (
                "sterile nu",
                f"dm2 {_g(i['sterile_dm2_eV2'])} eV^2, sin^2 2theta {_g(i['sterile_sin2_2theta'])}",
            )
        )
    if i["quenching"] != "none":
        q = i["quenching"]
        if q == "constant":
            q += f", factor {_g(i['quenching_factor'])}"
        elif q == "lindhard" and i["lindhard_k"] is not None:
            q += f", k = {_g(i['lindhard_k'])}"
        rows.append(("quenching", q))
    if i["light_yield_PE_per_keVee"] is not None:
        stats = "gamma-distributed" if i["pe_smearing"] != "poisson" else "Poisson"
        rows.append(("light yield", f"{_g(i['light_yield_PE_per_keVee'])} PE/keVee, {stats}"))
    if i["resolution_a"] is not None:
        rows.append(("resolution", f"sigma = {_g(i['resolution_a'])} sqrt(E/keVee) keVee"))
    if i["noise_sigma_keVee"] is not None:
        rows.append(("noise", f"sigma = {_g(1e3 * i['noise_sigma_keVee'])} eVee"))
    rows += [("efficiency", i["efficiency"]), ("observable", obs)]
    return rows


def format_rate(result: dict) -> str:
    """The human-readable report of ``cevns rate``."""
    lines = []
    preset = result.get("preset")
    status = result["scenario_status"]
    if preset and not status["custom"]:
        lines += [f"{preset['title']}", f"preset {preset['name']} v{preset['version']}", ""]
    else:
        lines += [f"Scenario: {status['status']}", ""]
    lines.append("Inputs")
    rows = _input_rows(result)
    width = max(len(k) for k, _ in rows)
    lines += [f"  {k:<{width}}  {v}" for k, v in rows]
    lines += ["", "Expected events"]
    flavours = result["events_by_flavor"]
    width = max(len(_FLAVOR_TEXT.get(f, f)) for f in flavours)
    lines += [f"  {_FLAVOR_TEXT.get(f, f):<{width}}  {flavours[f]:10.2f}" for f in flavours]
    unc = result["uncertainty"]
    parts = ", ".join(f"{k} {100 * v:.0f}%" for k, v in unc["components"].items())
    lines.append(
        f"  {'total':<{width}}  {result['events_total']:10.2f} +- "
        f"{unc['events']:.2f}  ({100 * unc['fraction']:.1f}%: {parts})"
    )
    lines += ["", f"Uncertainty basis: {unc['basis']}", f"Response: {status['response']}"]
    if status["response_warning"]:
        lines.append(f"Warning: {status['response_warning']}")
    if preset and not status["custom"]:
        lines += ["", f"Citation: {preset['citation']}"]
        pub = preset.get("published") or {}
        published = format_published(pub, unicode=False)
        if published:
            lines.append(f"Published: {published}")
        if preset.get("notes"):
            lines.append(f"Preset notes: {preset['notes']}")
    if result["notes"]:
        lines += ["", "Notes"] + [f"  - {n}" for n in result["notes"]]
    return "\n".join(lines)


def format_presets() -> str:
    lines = []
    for p in PRESETS.values():
        lines += [f"{p.name} (v{p.version})", f"  {p.title}", f"  {p.citation}"]
    return "\n".join(lines)


def presets_json() -> list[dict]:
    return [
        {
            "name": p.name,
            "version": p.version,
            "title": p.title,
            "citation": p.citation,
            "notes": p.notes,
            "published": p.published,
            "parameters": p.parameters,
        }
        for p in PRESETS.values()
    ]


# --- spectrum and scan ---------------------------------------------------------------------------


def _table_text(title: str, x_label: str, x, columns: dict) -> list[str]:
    """A fixed-width table: ``x`` and one column per flavour plus the total."""
    names = [x_label] + [_FLAVOR_TEXT.get(c, c) for c in columns]
    width = [max(12, len(n)) for n in names]
    lines = [title, "  " + "  ".join(f"{n:>{w}}" for n, w in zip(names, width, strict=True))]
    for i, value in enumerate(x):
        cells = [value] + [col[i] for col in columns.values()]
        lines.append("  " + "  ".join(f"{c:>{w}.5g}" for c, w in zip(cells, width, strict=True)))
    return lines


def _with_total(by_flavor: dict) -> dict:
    columns = {f: np.asarray(v, dtype=float) for f, v in by_flavor.items()}
    columns["total"] = sum(columns.values())
    return columns


def spectrum_data(result) -> dict:
    """Recoil (keVnr) and observed (observable units) spectra per flavour and in total."""
    T, recoil = result.recoil_spectrum()
    x, observed = result.observed_spectrum()
    obs = result.observable
    columns = [*result.components, "total"]
    out = {
        "recoil": {"x": T, "x_unit": "keVnr", "unit": "events/keVnr", **_with_total(recoil)},
        "observed": {"x": x, "x_unit": obs, "unit": f"events/{obs}", **_with_total(observed)},
    }
    for part in out.values():
        part["components"] = list(result.components)
        part["columns"] = columns
        for key in columns:
            if not np.all(np.isfinite(part[key])):
                raise ScenarioError("these inputs give a spectrum that is not finite")
    return out


def format_spectrum(data: dict, notes: list[str]) -> str:
    r, o = data["recoil"], data["observed"]
    cols = lambda part: {c: part[c] for c in part["columns"]}  # noqa: E731
    lines = _table_text(
        f"Recoil spectrum before the detector response, dN/dT in {r['unit']}",
        "T [keVnr]",
        r["x"],
        cols(r),
    )
    lines += [""] + _table_text(
        f"Observed spectrum, dN/dx in {o['unit']}", f"x [{o['x_unit']}]", o["x"], cols(o)
    )
    if notes:
        lines += ["", "Notes"] + [f"  - {n}" for n in notes]
    return "\n".join(lines)


def spectrum_csv(data: dict) -> str:
    """Long format, one header line: spectrum, x, x_unit, the flavours, total, unit."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    columns = data["recoil"]["columns"]
    writer.writerow(["spectrum", "x", "x_unit", *columns, "unit"])
    for name, part in data.items():
        for i, x in enumerate(part["x"]):
            row = [name, repr(float(x)), part["x_unit"]]
            row += [repr(float(part[c][i])) for c in columns]
            writer.writerow([*row, part["unit"]])
    return buf.getvalue().rstrip("\n")


def spectrum_json(data: dict, notes: list[str]) -> dict:
    def part(p):
        return {
            "x": [float(v) for v in p["x"]],
            "x_unit": p["x_unit"],
            "unit": p["unit"],
            "by_flavor": {f: [float(v) for v in p[f]] for f in p["components"]},
            "total": [float(v) for v in p["total"]],
        }

    return {name: part(p) for name, p in data.items()} | {"notes": notes}


def scan_values(start: float, stop: float, steps: int, log: bool) -> list[float]:
    if log and (start <= 0 or stop <= 0):
        raise UsageError(f"{PROG} scan: error: --log needs --from and --to > 0")
    if steps == 1:
        return [start]
    values = np.geomspace(start, stop, steps) if log else np.linspace(start, stop, steps)
    return [float(v) for v in values]


def format_scan(scan: dict) -> str:
    lines = _table_text(
        f"Expected events vs {scan['param']} ({len(scan['values'])} points)",
        scan["param"],
        scan["values"],
        dict(scan["events_by_flavor"]) | {"total": scan["events_total"]},
    )
    if scan["notes"]:
        lines += ["", "Notes"] + [f"  - {n}" for n in scan["notes"]]
    return "\n".join(lines)


def scan_csv(scan: dict) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    components = list(scan["events_by_flavor"])
    writer.writerow([scan["param"], *components, "events_total"])
    for i, value in enumerate(scan["values"]):
        cells = [value, *(scan["events_by_flavor"][f][i] for f in components)]
        writer.writerow([repr(float(c)) for c in [*cells, scan["events_total"][i]]])
    return buf.getvalue().rstrip("\n")


# --- entry point ---------------------------------------------------------------------------------

#: Largest scenario file read by --scenario (a saved scenario is about 1 kB).
MAX_SCENARIO_BYTES = 1_000_000


def _option_message(exc: ScenarioError, option_names: dict) -> str:
    """The error's message naming options as written on the command line: '--mass-kg' for
    the field or keyword 'mass_kg', '--threshold-keVnr' for 'threshold_keVnr', ..."""
    message = str(exc)
    if exc.field in option_names:
        message = str(exc.renamed(option_names[exc.field]))
    # Keywords with an underscore cannot be ordinary words: say them as options anywhere.
    for dest, option in sorted(option_names.items(), key=lambda kv: -len(kv[0])):
        if "_" in dest and dest not in _NOT_OPTIONS:
            message = re.sub(rf"(?<![\w-]){re.escape(dest)}(?!\w)", option, message)
    return message


def _name_options(message: str, option_names: dict) -> str:
    """Say '--mass-kg' where a scenario message starts with the keyword 'mass_kg'."""
    name = message.split(" ", 1)[0]
    return _option_message(ScenarioError(message, name), option_names)


def _one_line(message: str) -> str:
    return " ".join(str(message).split())


def _fail(args, message: str) -> UsageError:
    return UsageError(f"{PROG} {args.command}: error: {message}")


def load_scenario_file(path: str) -> Scenario:
    """The scenario in a JSON file; a ScenarioError (naming the file) if it cannot be used."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_SCENARIO_BYTES + 1)
    except OSError as exc:
        raise ScenarioError(f"cannot read {quote(path)}: {exc.strerror or exc}") from None
    if len(data) > MAX_SCENARIO_BYTES:
        raise ScenarioError(f"{quote(path)} is larger than {MAX_SCENARIO_BYTES} bytes")
    try:
        return Scenario.from_json(data)
    except ScenarioError as exc:
        raise ScenarioError(f"{quote(path)}: {exc}", exc.field) from None


def _scenario(args, **extra):
    """The scenario, exposure echo and preset name for the parsed options (+ ``extra``)."""
    base = None
    if args.scenario is not None:
        try:
            base = load_scenario_file(args.scenario)
        except ScenarioError as exc:
            raise _fail(args, f"--scenario {_one_line(exc)}") from None
    options = rate_options(args) | extra
    try:
        scenario, exposure = scenario_from_options(args.preset, base=base, **options)
    except ScenarioError as exc:
        raise _fail(args, _option_message(exc, args._option_names)) from None
    return scenario, exposure


def _checked(args, compute):
    """``compute()``, turning a ScenarioError (or a ValueError of the physics) into one line."""
    try:
        return compute()
    except ValueError as exc:  # ScenarioError and the physics' own range checks
        if not isinstance(exc, ScenarioError):
            exc = ScenarioError(str(exc))
        names = dict(args._option_names)
        given = [k for k in _THRESHOLD_OPTIONS if getattr(args, k, None) is not None]
        if given:  # the scenario's threshold is the threshold option given
            names["threshold"] = names[given[0]]
        raise _fail(args, _option_message(exc, names)) from None


def _run_rate(args) -> str:
    scenario, exposure = _scenario(args)
    result = evaluate(scenario)
    data = _checked(args, lambda: result_to_dict(result, args.preset, exposure))
    if args.save_scenario:
        try:
            with open(args.save_scenario, "w", encoding="utf-8") as fh:
                fh.write(scenario.to_json() + "\n")
        except OSError as exc:
            raise _fail(
                args,
                f"--save-scenario cannot write {quote(args.save_scenario)}: {exc.strerror or exc}",
            ) from None
    if args.json:
        return json.dumps(data, indent=2, allow_nan=False)
    text = format_rate(data)
    if args.save_scenario:
        saved = args.save_scenario if len(args.save_scenario) <= 200 else quote(args.save_scenario)
        text += f"\n\nScenario saved to {saved} (load it in the explorer's Share tab)"
    return text


def _run_spectrum(args) -> str:
    if args.csv and args.json:
        raise _fail(args, "--csv and --json: choose one")
    scenario, exposure = _scenario(args)
    result = evaluate(scenario)
    data = _checked(args, lambda: spectrum_data(result))
    notes = [*exposure.get("notes", []), *_checked(args, result.notes)]
    if args.csv:
        return spectrum_csv(data)
    if args.json:
        return json.dumps(spectrum_json(data, notes), indent=2, allow_nan=False)
    return format_spectrum(data, notes)


def _run_scan(args) -> str:
    if args.csv and args.json:
        raise _fail(args, "--csv and --json: choose one")
    keyword = args._numeric[args.param]
    if getattr(args, keyword) is not None:
        raise _fail(args, f"{args.param} is scanned: do not also give --{args.param}")
    values = scan_values(args.start, args.stop, args.steps, args.log)
    setattr(args, keyword, values[0])  # the option checks see the scanned input as given
    # Check both ends first (ranges are intervals), so a bad range fails at once.
    ends = [_scenario(args, **{keyword: v}) for v in (values[0], values[-1])]
    for scenario, _ in ends:
        _checked(args, lambda s=scenario: evaluate(s).events_total)
    by_flavor = {f: [] for f in evaluate(ends[0][0]).components}
    totals, notes = [], []
    for value in values:
        scenario, exposure = _scenario(args, **{keyword: value})
        result = evaluate(scenario)
        _checked(args, lambda r=result: r.notes())
        for f in by_flavor:
            by_flavor[f].append(result.events_by_flavor[f])
        totals.append(result.events_total)
        for note in [*exposure.get("notes", []), *result.notes()]:
            if note not in notes and len(notes) < 20:
                notes.append(note)
    scan = {
        "param": keyword,
        "values": values,
        "events_total": totals,
        "events_by_flavor": by_flavor,
        "notes": notes,
    }
    if args.csv:
        return scan_csv(scan)
    if args.json:
        return json.dumps(scan, indent=2, allow_nan=False)
    return format_scan(scan)


def _run_fit(args) -> str:
    from .stats.fit import fit as stats_fit  # imported on use: keeps other commands fast
    from .stats.fit import format_fit

    try:
        result = stats_fit(args.preset)
    except ScenarioError as exc:
        message = str(exc).replace("dataset", "--preset", 1)
        raise _fail(args, _one_line(message)) from None
    if args.json:
        return json.dumps(result.to_dict(), indent=2, allow_nan=False)
    return format_fit(result)


#: What ``cevns profile`` accepts (kept here so that the parser needs no stats import).
PROFILE_DATASETS = (
    "coherent-csi-2017",
    "coherent-lar-2020",
    "coherent-csi-2017+coherent-lar-2020",
)
PROFILE_PARAMETERS = ("sin2w", "neutron_skin_fm", "neutron_radius_fm", "magnetic_moment_muB")
MAX_PROFILE_STEPS = 401
MAX_TOYS = 100_000


def _whole(low: int, high: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = low - 1
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"expected a whole number from {low} to {high}, got {text[:40]!r}"
            )
        return value

    return parse


def _add_profile_parser(sub) -> None:
    p = sub.add_parser(
        "profile",
        allow_abbrev=False,
        help="profile likelihood of a physics parameter from released data",
        description=(
            "1-D profile likelihood of a physics parameter from a released dataset "
            "(cevns_widgets.stats.profiles): -2 delta lnL on a grid, every nuisance profiled, "
            "the best fit and the 68 %% and 90 %% intervals (Wilks, or Feldman-Cousins with "
            "--fc)."
        ),
    )
    p.add_argument(
        "--preset",
        default="coherent-csi-2017",
        metavar="NAME",
        help="the dataset: " + _choices(PROFILE_DATASETS),
    )
    p.add_argument(
        "--parameter",
        default="sin2w",
        choices=PROFILE_PARAMETERS,
        metavar="NAME",
        help="the parameter: " + _choices(PROFILE_PARAMETERS),
    )
    p.add_argument("--from", dest="start", type=finite_float, metavar="A", help="first value")
    p.add_argument("--to", dest="stop", type=finite_float, metavar="B", help="last value")
    p.add_argument(
        "--steps",
        type=_whole(1, MAX_PROFILE_STEPS),
        metavar="N",
        help=f"number of grid points, 1 to {MAX_PROFILE_STEPS} (default: the parameter's grid)",
    )
    p.add_argument("--fc", action="store_true", help="also Feldman-Cousins intervals (toys)")
    p.add_argument(
        "--toys",
        type=_whole(1, MAX_TOYS),
        default=200,
        metavar="N",
        help="toys per grid value with --fc (default 200)",
    )
    p.add_argument("--seed", type=_whole(0, 2**32 - 1), default=0, metavar="N", help="toy seed")
    p.add_argument("--json", action="store_true", help="print the result as JSON")


def _run_profile(args) -> str:
    from .stats import fc as stats_fc  # imported on use: keeps other commands fast
    from .stats import profiles

    if args.preset not in PROFILE_DATASETS:
        raise _fail(
            args, f"--preset must be one of {_choices(PROFILE_DATASETS)}; got {quote(args.preset)}"
        )
    given = [args.start is not None, args.stop is not None]
    if any(given) and not all(given):
        raise _fail(args, "--from and --to go together")
    if args.steps is not None and not all(given):
        raise _fail(args, "--steps needs --from and --to")
    values = None
    if all(given):
        if args.stop < args.start:
            raise _fail(args, "--to must not be below --from")
        steps = args.steps if args.steps is not None else 21
        values = np.linspace(args.start, args.stop, steps)
    if args.fc and args.preset not in stats_fc.FC_DATASETS:
        raise _fail(
            args,
            f"--fc is available for {_choices(stats_fc.FC_DATASETS)}, not {args.preset}",
        )
    try:
        result = profiles.profile(args.preset, args.parameter, values)
        fc = None
        if args.fc:
            fc = stats_fc.fc_profile(
                args.preset, args.parameter, n_toys=args.toys, seed=args.seed, result=result
            )
    except ScenarioError as exc:
        message = str(exc)
        if exc.field == "values":
            message = message.replace("values:", "--from/--to:", 1)
        elif exc.field == "parameter":
            message = message.replace("parameter", "--parameter", 1)
        raise _fail(args, _one_line(message)) from None
    if args.json:
        data = result.to_dict()
        if fc is not None:
            data["feldman_cousins"] = fc.to_dict()
        return json.dumps(data, indent=2, allow_nan=False)
    return profiles.format_profile(result, fc)


def _add_plan_parser(sub) -> None:
    p = sub.add_parser(
        "plan",
        allow_abbrev=False,
        help="expected significance of an SNS design: days to 3 and 5 sigma",
        description=(
            "Median (Asimov) discovery significance of an SNS detector design versus days of "
            "beam, binned in the observable and arrival time (cevns_widgets.stats.planner). "
            "The coherent-csi-2017 preset brings its backgrounds measured from the release; "
            "for other designs give --steady-state-per-keVee-kg-day."
        ),
    )
    start = p.add_mutually_exclusive_group()
    start.add_argument(
        "--preset", default=None, metavar="NAME", help="start from a preset (an SNS one)"
    )
    start.add_argument("--scenario", metavar="FILE", help="start from a scenario JSON file")
    _add_number(
        p,
        "--steady-state-per-keVee-kg-day",
        "steady-state background rate before the beam duty factor",
    )
    _add_number(p, "--brn-per-GWh", "beam-related neutrons in the analysis region per GWh")
    _add_number(p, "--nin-per-GWh", "neutrino-induced neutrons in the region per GWh")
    _add_number(p, "--mean-power-MW", "mean beam power over the run (MW): days from POT")
    _add_number(p, "--proton-energy-GeV", "proton energy (GeV): GWh from POT")
    p.add_argument("--json", action="store_true", help="print the result as JSON")


#: Days of beam the plan's table lists.
PLAN_DAYS = (10.0, 30.0, 100.0, 300.0, 1000.0, 3000.0)


def _run_plan(args) -> str:
    from .presets import get_preset
    from .stats import planner  # imported on use: keeps other commands fast

    name = args.preset
    if name is None and args.scenario is None:
        name = "coherent-csi-2017"
    preset = None
    try:
        if args.scenario is not None:
            scenario = load_scenario_file(args.scenario)
            preset = get_preset(scenario.preset) if scenario.preset else None
        else:
            preset = get_preset(name)
            scenario = preset.scenario
        rate = args.steady_state_per_keVee_kg_day
        if rate is None and scenario == get_preset("coherent-csi-2017").scenario:
            _, backgrounds, power, energy = planner.coherent_2017_design()
        elif rate is None:
            raise ScenarioError(
                "--steady-state-per-keVee-kg-day is needed for this design (only the "
                "unchanged coherent-csi-2017 preset brings its measured backgrounds)"
            )
        else:
            backgrounds = planner.Backgrounds(
                steady_state_per_keVee_kg_day=rate,
                brn_per_GWh=args.brn_per_GWh or 0.0,
                nin_per_GWh=args.nin_per_GWh or 0.0,
            )
            power = getattr(preset, "beam_power_MW", None)
            energy = getattr(preset, "proton_energy_GeV", None) or 1.0
        if args.mean_power_MW is not None:
            power = args.mean_power_MW
        if args.proton_energy_GeV is not None:
            energy = args.proton_energy_GeV
        result = planner.plan(scenario, backgrounds, power, energy, days=PLAN_DAYS)
        now = planner.asimov_significance(result.design)
    except ScenarioError as exc:
        message = str(exc)
        for field in ("steady_state_per_keVee_kg_day", "brn_per_GWh", "nin_per_GWh"):
            message = message.replace(field, "--" + field.replace("_", "-"), 1)
        message = message.replace("beam_power_MW", "--mean-power-MW", 1)
        raise _fail(args, _one_line(message)) from None
    d = result.design
    data = {
        "signal_events": d.signal_events,
        "background_events": d.background_events(),
        "live_days": d.live_days,
        "exposure_GWh": d.exposure_GWh,
        "significance": now,
        "days_to": {f"{k}_sigma": v for k, v in result.days_to.items()},
        "table": [
            {"days": float(x), "significance": float(z)}
            for x, z in zip(result.live_days, result.significance, strict=True)
        ],
        "backgrounds": {
            "steady_state_per_keVee_kg_day": backgrounds.steady_state_per_keVee_kg_day,
            "brn_per_GWh": backgrounds.brn_per_GWh,
            "nin_per_GWh": backgrounds.nin_per_GWh,
        },
        "mean_power_MW": power,
        "proton_energy_GeV": energy,
    }
    if args.json:
        data["days_to"] = {k: (v if math.isfinite(v) else None) for k, v in data["days_to"].items()}
        return json.dumps(data, indent=2, allow_nan=False)
    bkg = ", ".join(f"{k} {v:.1f}" for k, v in d.background_events().items())
    lines = [
        f"Design: {scenario.target}, {scenario.mass_kg:g} kg at {scenario.distance_m:g} m",
        f"  this exposure: {d.live_days:.1f} days, {d.exposure_GWh:.3g} GWh at {power:.3g} MW",
        f"  CEvNS {d.signal_events:.1f} events; background {bkg}",
        f"  expected significance {now:.2f} sigma (Asimov, energy x arrival time)",
        "",
        "Days of beam to",
    ]
    for k, v in result.days_to.items():
        text = f"{v:.0f} days" if math.isfinite(v) else "beyond a million days"
        lines.append(f"  {k} sigma  {text}")
    lines += ["", "  days    sigma"]
    lines += [
        f"  {x:6.0f}  {z:6.2f}" for x, z in zip(result.live_days, result.significance, strict=True)
    ]
    return "\n".join(lines)


def main(argv=None) -> int:
    """Run the command line; returns the exit status (0 ok, 2 bad input)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            raise UsageError(
                f"{PROG}: error: choose a command: rate, spectrum, scan, fit, profile, plan or "
                f"presets (try '{PROG} rate --preset {next(iter(PRESETS))}')"
            )
        if args.command == "fit":
            text = _run_fit(args)
        elif args.command == "profile":
            text = _run_profile(args)
        elif args.command == "plan":
            text = _run_plan(args)
        elif args.command == "presets":
            text = (
                json.dumps(presets_json(), indent=2, allow_nan=False)
                if args.json
                else format_presets()
            )
        else:
            run = {"rate": _run_rate, "spectrum": _run_spectrum, "scan": _run_scan}
            # Non-finite intermediate values are caught as errors, not printed as warnings.
            with np.errstate(all="ignore"):
                text = run[args.command](args)
        print(text)
        return 0
    except UsageError as exc:
        print(_one_line(exc), file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. 'cevns presets | head -1': not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except SystemExit as exc:  # --help, --version, or argparse exiting on its own
        return exc.code if isinstance(exc.code, int) else 0


__all__ = [
    "ScenarioError",
    "build_parser",
    "format_rate",
    "load_scenario_file",
    "main",
    "rate_options",
]
