"""Timing of the neutrino-fog map (cevns_widgets.stats.fog); a script, not a test.

    .venv/bin/python benchmarks/bench_fog.py [--quick]

Prints a table. Each figure is the median of single calls (timeit with number=1), as in
``bench_stats.py``:

(a) ``fog_map("Xe")``: 50 masses x 50 exposures, 50 recoil bins, the 11 CEvNS background
    components of ``physics/sky.py`` with their flux uncertainties as nuisances (WIMP and
    background spectra, bin integrals and all the discovery limits);
(b) the same with the rate caches of ``physics/rates.py`` cleared before every call, so the
    background recoil spectra are recomputed too;
(c) ``discovery_limit`` alone on the binned inputs of (a): the profile-likelihood solve.

Target: (a) under 2 s on the 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import timeit

import numpy as np

from cevns_widgets.physics import rates, sky, wimp
from cevns_widgets.stats import fog

TARGET_S = 2.0


def median_time(func, repeats: int) -> dict:
    times = timeit.repeat(func, number=1, repeat=repeats)
    return {"median_s": statistics.median(times), "min_s": min(times), "repeats": repeats}


def clear_rate_caches() -> None:
    for name in dir(rates):
        cached = getattr(rates, name)
        if hasattr(cached, "cache_clear"):
            cached.cache_clear()


def binned_inputs():
    fm = fog.fog_map("Xe")
    edges = fm.bin_edges_keVnr
    signal = fog._bin_integrals(
        lambda E: wimp.wimp_recoil_spectrum("Xe", E, fm.masses_GeV, 1.0), edges, 16
    )
    backgrounds = fog._bin_integrals(
        lambda E: np.stack(list(sky.neutrino_background_spectra("Xe", E).values())), edges, 16
    )
    return signal, backgrounds, fm.uncertainties, fm.exposures_tonne_year


def bench(repeats: int) -> dict:
    first = timeit.timeit(lambda: fog.fog_map("Xe"), number=1)
    signal, backgrounds, u, exposures = binned_inputs()

    def cold():
        clear_rate_caches()
        fog.fog_map("Xe")

    return {
        "first call in this process": {"median_s": first, "min_s": first, "repeats": 1},
        "fog_map Xe 50x50": median_time(lambda: fog.fog_map("Xe"), repeats),
        "fog_map Xe 50x50, caches cleared": median_time(cold, repeats),
        "discovery_limit 50x50 only": median_time(
            lambda: fog.discovery_limit(signal, backgrounds, u, exposures), repeats
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args()
    result = bench(3 if args.quick else 9)
    print(f"{'what':36s} {'median':>10s} {'min':>10s}")
    for key, value in result.items():
        print(f"{key:36s} {value['median_s']:9.3f}s {value['min_s']:9.3f}s")
    print(f"target {TARGET_S:.1f} s; {os.cpu_count()} CPUs; {platform.platform()}")


if __name__ == "__main__":
    main()
