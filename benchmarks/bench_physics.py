"""Timing of the physics core for the interactive widgets (a script, not a test).

    .venv/bin/python benchmarks/bench_physics.py [--quick]

Prints a table and writes ``benchmarks/output/physics.json``. Each figure is the median of
many single calls (timeit with number=1, garbage collection off), so that one slow call
(another process on the machine) does not move it:

(a) full recompute of the COHERENT CsI 2017 preset with the rate caches cleared
    (``recoil_spectra`` and ``observed_spectra``), what a physics slider (sin^2 theta_W, form
    factor, neutron skin, NSI) costs; (a0) also clears the physics-independent kinematics
    cache (a new target), the coldest case;
(b) a threshold-only change: ``Scenario.replace(threshold=...)``, ``evaluate``,
    ``events_total`` with warm caches, what the threshold slider costs;
(c) a distance change, the same way;
(d) 100 x 100 scans: threshold x distance (caches warm: no recompute) and mass x sin^2 theta_W
    (100 recomputes), as total time and per point; plus the vectorised threshold scan
    (``Result.events_vs_threshold``) that a plot should use.

The BLAS threading environment (OPENBLAS_NUM_THREADS and friends) is recorded as found.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import os
import platform
import statistics
import sys
import time
import timeit
from pathlib import Path

import numpy as np

import cevns_widgets as cw
from cevns_widgets.physics import rates

OUTPUT = Path(__file__).resolve().parent / "output" / "physics.json"
PRESET = "coherent-csi-2017"
REACTOR_PRESET = "conus-plus-2025"
# events, CsI 2017 preset (must not change; 175.811 before the preset used its own
# release's beam timing)
REFERENCE_TOTAL = 175.755980275121
TARGETS_S = {"full_recompute": 1e-3, "threshold_change": 1e-4}


def clear_rate_caches() -> None:
    rates.recoil_spectra.cache_clear()
    rates.observed_spectra.cache_clear()


def clear_all_caches() -> None:
    clear_rate_caches()
    kinematics = getattr(rates, "_kinematics", None)
    if kinematics is not None:
        kinematics.cache_clear()


def median_time(func, repeats: int) -> dict:
    """Median, min and quartiles (s) of ``repeats`` single calls of ``func``."""
    times = timeit.repeat(func, number=1, repeat=repeats)
    q1, _, q3 = statistics.quantiles(times, n=4) if len(times) > 1 else times * 3
    return {
        "median_s": statistics.median(times),
        "min_s": min(times),
        "q1_s": q1,
        "q3_s": q3,
        "repeats": repeats,
    }


def bench(repeats: int, scan_repeats: int) -> dict:
    scenario = cw.get_preset(PRESET).scenario
    clear_all_caches()
    total = cw.evaluate(scenario).events_total
    if abs(total / REFERENCE_TOTAL - 1) > 1e-6:
        raise SystemExit(f"CsI 2017 preset total changed: {total!r} != {REFERENCE_TOTAL!r}")
    results = {}

    # (a0) coldest: every cache, including the physics-independent kinematics.
    def cold():
        clear_all_caches()
        return cw.evaluate(scenario).events_total

    results["cold_recompute"] = median_time(cold, repeats)

    # (a) full recompute: the rate caches cleared.
    def full():
        clear_rate_caches()
        return cw.evaluate(scenario).events_total

    results["full_recompute"] = median_time(full, repeats)

    # (a') the same for other sources and responses: the response, not the source, sets
    # the cost (a Gaussian resolution folds a 400-bin matrix; Poisson PE are cheaper).
    others = {
        "reactor_full_recompute": cw.get_preset(REACTOR_PRESET).scenario,
        "reactor_bare_full_recompute": cw.get_preset(REACTOR_PRESET).scenario.replace(
            noise_sigma_keVee=None
        ),
        "lar_full_recompute": cw.get_preset("coherent-lar-2020").scenario,
    }
    for key, other in others.items():

        def other_full(other=other):
            clear_rate_caches()
            return cw.evaluate(other).events_total

        results[key] = median_time(other_full, repeats)

    # (b) threshold change with warm caches; cycle the values so that no result repeats.
    _ = cw.evaluate(scenario).events_total
    thresholds = itertools.cycle(np.linspace(5.0, 15.0, 97).tolist())

    def threshold_change():
        return cw.evaluate(scenario.replace(threshold=next(thresholds))).events_total

    results["threshold_change"] = median_time(threshold_change, repeats)

    # (c) distance change, likewise.
    distances = itertools.cycle(np.linspace(15.0, 30.0, 97).tolist())

    def distance_change():
        return cw.evaluate(scenario.replace(distance_m=next(distances))).events_total

    results["distance_change"] = median_time(distance_change, repeats)

    # Where a threshold change spends its time (warm caches).
    s2 = scenario.replace(threshold=7.0)
    r2 = cw.evaluate(s2)
    _ = r2.events_total
    parts = {
        "Scenario.replace (validation)": lambda: scenario.replace(threshold=7.0),
        "Result.time_fractions (3 flavours)": lambda: cw.evaluate(s2).time_fractions,
        "Result.observed (cache lookup)": lambda: cw.evaluate(s2).observed,
        "Result.threshold_observable": lambda: cw.evaluate(s2).threshold_observable,
        "ObservedSpectra.above x 3": lambda: [
            r2.observed.above(f, 6.0, 30.0)
            for f in ("prompt_numu", "delayed_nue", "delayed_numubar")
        ],
    }
    results["threshold_change_breakdown"] = {
        name: median_time(func, repeats)["median_s"] for name, func in parts.items()
    }

    # (d) scans of two parameters, 100 x 100.
    grid_t = np.linspace(0.0, 30.0, 100).tolist()
    grid_d = np.linspace(10.0, 40.0, 100).tolist()
    grid_m = np.linspace(1.0, 100.0, 100).tolist()
    grid_s = np.linspace(0.20, 0.26, 100).tolist()

    def scan_threshold_distance():
        out = np.empty((100, 100))
        for i, d in enumerate(grid_d):
            for j, t in enumerate(grid_t):
                out[i, j] = cw.evaluate(scenario.replace(distance_m=d, threshold=t)).events_total
        return out

    def scan_threshold_distance_vectorised():
        t = np.asarray(grid_t)
        return np.array(
            [
                cw.evaluate(scenario.replace(distance_m=d)).events_vs_threshold(t)["total"]
                for d in grid_d
            ]
        )

    def scan_mass_sin2w():
        clear_rate_caches()
        out = np.empty((100, 100))
        for i, s2w in enumerate(grid_s):
            for j, m in enumerate(grid_m):
                out[i, j] = cw.evaluate(scenario.replace(sin2w=s2w, mass_kg=m)).events_total
        return out

    a, b = scan_threshold_distance(), scan_threshold_distance_vectorised()
    if not np.allclose(a, b, rtol=1e-12, atol=0):
        raise SystemExit("vectorised threshold scan disagrees with single evaluations")
    for name, func in (
        ("scan_threshold_x_distance", scan_threshold_distance),
        ("scan_threshold_x_distance_vectorised", scan_threshold_distance_vectorised),
        ("scan_mass_x_sin2w", scan_mass_sin2w),
    ):
        timing = median_time(func, scan_repeats)
        timing["points"] = 10_000
        timing["per_point_s"] = timing["median_s"] / 10_000
        results[name] = timing

    full_s = results["full_recompute"]["median_s"]
    ratios = {
        "threshold_change / full_recompute": results["threshold_change"]["median_s"] / full_s,
        "distance_change / full_recompute": results["distance_change"]["median_s"] / full_s,
        "full_recompute / cold_recompute": full_s / results["cold_recompute"]["median_s"],
        "reactor (no noise) / CsI 2017 full recompute": (
            results["reactor_bare_full_recompute"]["median_s"] / full_s
        ),
        "reactor (30 eVee noise) / LAr 2020 full recompute": (
            results["reactor_full_recompute"]["median_s"]
            / results["lar_full_recompute"]["median_s"]
        ),
    }
    return {"preset": PRESET, "events_total": total, "results": results, "ratios": ratios}


def machine() -> dict:
    blas = {
        k: v
        for k, v in os.environ.items()
        if k.startswith(("OPENBLAS", "OMP_", "MKL_", "BLIS", "VECLIB"))
    }
    return {
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "platform": platform.platform(),
        "processor": platform.processor(),
        "cpu_count": os.cpu_count(),
        "load_average": list(os.getloadavg()),
        "blas_environment": blas,
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def _us(seconds: float) -> str:
    return f"{seconds * 1e6:10.1f} us"


def report(data: dict) -> str:
    r = data["results"]
    lines = [
        f"CEvNS physics benchmark: {data['preset']} ({data['events_total']:.2f} events)",
        f"machine: {data['machine']['cpu_count']} CPUs, load "
        f"{', '.join(f'{x:.2f}' for x in data['machine']['load_average'])}, "
        f"BLAS env {data['machine']['blas_environment'] or '{}'}",
        "",
        f"{'case':<44}{'median':>13}{'min':>13}  target",
    ]
    rows = [
        ("(a0) cold: every cache cleared", "cold_recompute", None),
        ("(a) full recompute: rate caches cleared", "full_recompute", "full_recompute"),
        ("(a1) reactor conus-plus-2025, no noise", "reactor_bare_full_recompute", None),
        ("(a2) reactor conus-plus-2025 (Gaussian noise)", "reactor_full_recompute", None),
        ("(a3) SNS coherent-lar-2020 (Gaussian resol.)", "lar_full_recompute", None),
        ("(b) threshold change (warm)", "threshold_change", "threshold_change"),
        ("(c) distance change (warm)", "distance_change", None),
    ]
    for label, key, target in rows:
        t = r[key]
        goal = ""
        if target:
            limit = TARGETS_S[target]
            goal = f"< {limit * 1e3:g} ms {'ok' if t['median_s'] < limit else 'MISSED'}"
        lines.append(f"{label:<44}{_us(t['median_s'])}{_us(t['min_s'])}  {goal}")
    lines += ["", f"{'100 x 100 scan':<44}{'total':>13}{'per point':>13}"]
    for label, key in (
        ("threshold x distance (one at a time)", "scan_threshold_x_distance"),
        ("threshold x distance (events_vs_threshold)", "scan_threshold_x_distance_vectorised"),
        ("mass x sin2w (100 recomputes)", "scan_mass_x_sin2w"),
    ):
        t = r[key]
        lines.append(f"{label:<44}{t['median_s'] * 1e3:10.1f} ms{_us(t['per_point_s'])}")
    lines += ["", "ratios"]
    lines += [f"  {k:<50}{v:10.3f}" for k, v in data["ratios"].items()]
    lines += ["", "threshold change, by part (median)"]
    lines += [f"  {k:<42}{_us(v)}" for k, v in r["threshold_change_breakdown"].items()]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (a smoke run)")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="JSON output file")
    args = parser.parse_args(argv)
    repeats, scan_repeats = (50, 2) if args.quick else (2000, 5)
    gc.collect()
    data = bench(repeats, scan_repeats)
    data["machine"] = machine()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(data, indent=2) + "\n")
    print(report(data))
    print(f"\nwritten {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
