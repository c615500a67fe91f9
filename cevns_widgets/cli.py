"""The ``cevns`` command line: expected CEvNS events at the SNS, and the named presets.

    cevns rate --preset coherent-csi-2017
    cevns rate --target CsI --mass-kg 14.6 --distance-m 19.3 --pot 1.76e23 \\
        --nu-per-pot 0.08 --threshold-keVnr 6.5 --json
    cevns presets [--json]

``cevns rate`` options map one to one onto the keyword arguments of
:func:`cevns_widgets.expected_events` (``--mass-kg`` is ``mass_kg``, ``--threshold-keVnr`` is
``threshold_keVnr``); with ``--json`` it prints exactly that function's dictionary. Bad input
exits with status 2 and one line on stderr that says what is allowed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys

from .api import expected_events
from .physics.cross_sections import COUPLING_SCHEMES
from .physics.form_factors import FORM_FACTOR_MODELS
from .physics.nuclei import COMMON_TARGETS
from .physics.response import EFFICIENCY_MODELS, QUENCHING_MODELS
from .physics.sources.sns import FLAVORS
from .presets import PRESETS
from .scenario import ScenarioError

PROG = "cevns"

#: Plain-text flavour labels (the terminal may not render Greek letters).
_FLAVOR_TEXT = {
    "prompt_numu": "prompt nu_mu",
    "delayed_nue": "delayed nu_e",
    "delayed_numubar": "delayed anti-nu_mu",
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
        raise UsageError(f"{self.prog}: error: {message}")


def finite_float(text: str) -> float:
    """A float that is finite: rejects 'nan', 'inf', '-inf' and anything unparsable."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def positive_float(text: str) -> float:
    """A finite float > 0."""
    value = finite_float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text!r}")
    return value


def _choices(values) -> str:
    return ", ".join(values)


def _add_number(group, flag: str, help: str, *, type=finite_float) -> None:
    """A numeric option (shown as ``X`` in the help); ``type`` checks and converts it."""
    group.add_argument(flag, type=type, metavar="X", help=help)


def _add_rate_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--preset",
        choices=list(PRESETS),
        metavar="NAME",
        help=f"start from a named dataset: {_choices(PRESETS)}",
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
        help="element, formula or isotope, e.g. " + _choices(COMMON_TARGETS),
    )
    _add_number(g, "--mass-kg", "target mass (kg)", type=positive_float)
    _add_number(g, "--distance-m", "distance from the mercury target (m)", type=positive_float)
    _add_number(
        g, "--nu-per-pot", "neutrinos of each flavour per proton on target", type=positive_float
    )

    e = p.add_argument_group("exposure (one of --pot, --exposure-GWh, --beam-days)")
    ex = e.add_mutually_exclusive_group()
    _add_number(ex, "--pot", "protons on target")
    _add_number(ex, "--exposure-GWh", "integrated beam energy (GWh)", type=positive_float)
    _add_number(ex, "--beam-days", "days of beam at --beam-power-MW", type=positive_float)
    _add_number(e, "--beam-power-MW", "mean beam power (MW), with --beam-days", type=positive_float)
    _add_number(
        e,
        "--proton-energy-GeV",
        "proton energy (GeV) for --exposure-GWh or --beam-days (default 1.0)",
        type=positive_float,
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
        "--neutron-rms-radius-fm",
        "neutron rms radius (fm); default: the model's A-dependent radius",
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
    r.add_argument(
        "--efficiency",
        choices=EFFICIENCY_MODELS,
        help=f"acceptance curve: {_choices(EFFICIENCY_MODELS)}",
    )


#: Options of ``cevns rate`` that are not keyword arguments of expected_events.
_NOT_OPTIONS = {"command", "json", "preset", "_option_names"}


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        allow_abbrev=False,
        description="Coherent elastic neutrino-nucleus scattering at the SNS.",
    )
    sub = parser.add_subparsers(dest="command", metavar="{rate,presets}", parser_class=_Parser)
    rate = sub.add_parser(
        "rate",
        allow_abbrev=False,
        help="expected events for a preset and/or explicit options",
        description="Expected CEvNS events; options override the preset.",
    )
    _add_rate_arguments(rate)
    presets = sub.add_parser(
        "presets",
        allow_abbrev=False,
        help="list the named presets",
        description="List the named, versioned presets.",
    )
    presets.add_argument("--json", action="store_true", help="print them as JSON")
    parser.set_defaults(
        _option_names={a.dest: a.option_strings[0] for a in rate._actions if a.option_strings}
    )
    return parser


def rate_options(args: argparse.Namespace) -> dict:
    """The keyword arguments for expected_events() from parsed ``cevns rate`` arguments."""
    options = {k: v for k, v in vars(args).items() if k not in _NOT_OPTIONS and v is not None}
    if "time_window_us" in options:
        options["time_window_us"] = tuple(options["time_window_us"])
    exposure_with_energy = ("exposure_GWh" in options) or ("beam_days" in options)
    if "proton_energy_GeV" in options and not exposure_with_energy:
        raise UsageError(
            f"{PROG} rate: error: --proton-energy-GeV applies only with "
            "--exposure-GWh or --beam-days"
        )
    if "beam_power_MW" in options and "beam_days" not in options:
        raise UsageError(f"{PROG} rate: error: --beam-power-MW applies only with --beam-days")
    if "beam_days" in options and "beam_power_MW" not in options:
        raise UsageError(f"{PROG} rate: error: --beam-days needs --beam-power-MW (for example 1.4)")
    return options


# --- text output ---------------------------------------------------------------------------------


def _g(value, digits: int = 6) -> str:
    return f"{value:.{digits}g}"


def _input_rows(result: dict) -> list[tuple[str, str]]:
    i = result["inputs"]
    obs = i["observable"]
    rows = [
        ("target", i["target"]),
        ("mass", f"{_g(i['mass_kg'])} kg"),
        ("distance", f"{_g(i['distance_m'])} m"),
    ]
    exposure = f"{i['pot']:.4g} POT"
    if "exposure_GWh" in i:
        exposure += f" ({_g(i['exposure_GWh'])} GWh at {_g(i['proton_energy_GeV'])} GeV)"
    elif "beam_days" in i:
        exposure += (
            f" ({_g(i['beam_days'])} days at {_g(i['beam_power_MW'])} MW, "
            f"{_g(i['proton_energy_GeV'])} GeV)"
        )
    rows += [("exposure", exposure), ("neutrinos per POT", f"{_g(i['nu_per_pot'])} per flavour")]
    threshold = f"{_g(i['threshold'])} {i['threshold_unit']}"
    if i["threshold_unit"] != obs:
        threshold += f" (= {_g(i['threshold_in_observable'])} {obs})"
    rows.append(("threshold", threshold))
    if i["roi_max"] is not None:
        rows.append(
            ("analysis region", f"{_g(i['threshold_in_observable'])} to {_g(i['roi_max'])} {obs}")
        )
    start, stop = i["time_window_start_us"], i["time_window_stop_us"]
    if start is not None or stop is not None:
        stop_text = "end" if stop is None else f"{_g(stop)} us"
        rows.append(("time window", f"{_g(start or 0.0)} us to {stop_text}"))
    form = i["form_factor"]
    if i["neutron_rms_radius_fm"] is not None and form != "none":
        form += f", neutron rms radius {_g(i['neutron_rms_radius_fm'])} fm"
    rows += [
        ("form factor", form),
        ("sin^2 theta_W", f"{_g(i['sin2w'], 6)} ({i['couplings']} couplings)"),
    ]
    nsi = [f"{k}={_g(i[k])}" for k in ("eps_u_ee", "eps_d_ee", "eps_u_mumu", "eps_d_mumu") if i[k]]
    if nsi:
        rows.append(("NSI", ", ".join(nsi)))
    if i["magnetic_moment_muB"]:
        rows.append(("magnetic moment", f"{_g(i['magnetic_moment_muB'])} mu_B"))
    if i["sterile_dm2_eV2"] and i["sterile_sin2_2theta"]:
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
        rows.append(("light yield", f"{_g(i['light_yield_PE_per_keVee'])} PE/keVee"))
    if i["resolution_a"] is not None:
        rows.append(("resolution", f"sigma = {_g(i['resolution_a'])} sqrt(E/keVee) keVee"))
    rows += [("efficiency", i["efficiency"]), ("observable", obs)]
    return rows


def format_rate(result: dict) -> str:
    """The human-readable report of ``cevns rate``."""
    lines = []
    preset = result.get("preset")
    if preset:
        lines += [f"{preset['title']}", f"preset {preset['name']} v{preset['version']}", ""]
    lines.append("Inputs")
    rows = _input_rows(result)
    width = max(len(k) for k, _ in rows)
    lines += [f"  {k:<{width}}  {v}" for k, v in rows]
    lines += ["", "Expected events"]
    flavours = result["events_by_flavor"]
    width = max(len(_FLAVOR_TEXT[f]) for f in FLAVORS)
    lines += [f"  {_FLAVOR_TEXT[f]:<{width}}  {flavours[f]:10.2f}" for f in FLAVORS]
    unc = result["uncertainty"]
    parts = ", ".join(f"{k} {100 * v:.0f}%" for k, v in unc["components"].items())
    lines.append(
        f"  {'total':<{width}}  {result['events_total']:10.2f} +- "
        f"{unc['events']:.2f}  ({100 * unc['fraction']:.1f}%: {parts})"
    )
    if preset:
        lines += ["", f"Citation: {preset['citation']}"]
        pub = preset.get("published") or {}
        if "predicted" in pub:
            text = f"Published: predicted {_g(pub['predicted'])} +- {_g(pub['predicted_error'])}"
            if "observed" in pub:
                text += f", observed {_g(pub['observed'])} +- {_g(pub['observed_error'])}"
            if "significance_sigma" in pub:
                text += f", {_g(pub['significance_sigma'])} sigma"
            lines.append(text)
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


# --- entry point ---------------------------------------------------------------------------------


def _name_options(message: str, option_names: dict) -> str:
    """Say '--mass-kg' where a scenario message starts with the keyword 'mass_kg'."""
    name = message.split(" ", 1)[0]
    if name in option_names and name not in _NOT_OPTIONS:
        return option_names[name] + message[len(name) :]
    return message


def _one_line(message: str) -> str:
    return " ".join(str(message).split())


def main(argv=None) -> int:
    """Run the command line; returns the exit status (0 ok, 2 bad input)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            raise UsageError(
                f"{PROG}: error: choose a command: rate or presets "
                f"(try '{PROG} rate --preset {next(iter(PRESETS))}')"
            )
        if args.command == "presets":
            text = (
                json.dumps(presets_json(), indent=2, allow_nan=False)
                if args.json
                else format_presets()
            )
            print(text)
            return 0
        options = rate_options(args)
        try:
            result = expected_events(args.preset, **options)
        except ValueError as exc:  # ScenarioError and the physics' own range checks
            message = _name_options(str(exc), args._option_names)
            raise UsageError(f"{PROG} rate: error: {message}") from None
        if args.json:
            print(json.dumps(result, indent=2, allow_nan=False))
        else:
            print(format_rate(result))
        return 0
    except UsageError as exc:
        print(_one_line(exc), file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. 'cevns presets | head -1': not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except SystemExit as exc:  # --help, or argparse exiting on its own
        return exc.code if isinstance(exc.code, int) else 0


__all__ = ["ScenarioError", "build_parser", "format_rate", "main", "rate_options"]
