"""Timing of the likelihood fit and the NSI scan (cevns_widgets.stats); a script, not a test.

    .venv/bin/python benchmarks/bench_stats.py [--quick]

Prints a table and writes ``benchmarks/output/stats.json``. Each figure is the median of
single calls (timeit with number=1), as in ``bench_physics.py``:

(a) ``stats.fit("coherent-csi-2017")`` with its templates cached (the profile fit, the
    interval search and the significance);
(b) the 101 x 101 ``nsi_scan`` over [-1, 1]^2 with the quadratic basis cached (what a
    slider or a new dataset choice costs once the templates exist), and
(c) the same scan cold: the template caches cleared, so the 6 x 29 scenario evaluations of
    the basis are included.

Target: (b) and (c) about 2 s on the 2-core machine (issue 10).

Profiles and Feldman-Cousins (``cevns_widgets.stats.profiles``, ``.fc``):

(d) 1-D profiles (the parameter's default grid, 43 to 61 points, best fit and both
    intervals included), warm (templates cached) and, for the neutron skin, cold (the
    per-value templates computed);
(e) the (Delta m^2, sin^2 2theta) sterile map, 31 x 21, warm;
(f) the NSI scan on LAr (51 x 51) and on the combination (41 x 41);
(g) Feldman-Cousins toys: CsI sin^2 theta_W on 21 grid values x 100 toys, serial, with a
    pool of threads and with a pool of processes (2 workers each), and LAr sin^2 theta_W
    on 11 values x 50 toys with processes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import timeit
from pathlib import Path

import numpy as np

from cevns_widgets import stats
from cevns_widgets.stats import csi2017, fc, nsi, profiles

OUTPUT = Path(__file__).resolve().parent / "output" / "stats.json"
DATASET = "coherent-csi-2017"
GRID = np.linspace(-1.0, 1.0, 101)
TARGET_S = 2.0


def median_time(func, repeats: int) -> dict:
    times = timeit.repeat(func, number=1, repeat=repeats)
    return {"median_s": statistics.median(times), "min_s": min(times), "repeats": repeats}


def clear_caches() -> None:
    nsi.nsi_model.cache_clear()
    csi2017.sm_model.cache_clear()


def bench(repeats: int) -> dict:
    stats.fit(DATASET)
    stats.nsi_scan(DATASET, GRID, GRID)
    out = {
        "fit": median_time(lambda: stats.fit(DATASET), repeats * 3),
        "nsi_scan_101x101_warm": median_time(lambda: stats.nsi_scan(DATASET, GRID, GRID), repeats),
    }

    def cold():
        clear_caches()
        stats.nsi_scan(DATASET, GRID, GRID)

    out["nsi_scan_101x101_cold"] = median_time(cold, repeats)
    out.update(bench_profiles(max(1, repeats // 2)))
    scan = stats.nsi_scan(DATASET, GRID, GRID)
    out["nsi_scan_converged_fraction"] = float(scan.converged.mean())
    out["cpu_count"] = os.cpu_count()
    out["platform"] = platform.platform()
    out["target_s"] = TARGET_S
    return out


PROFILE_DATASETS = (profiles.CSI, profiles.LAR, profiles.COMBINED)
PROFILE_PARAMETERS = ("sin2w", "neutron_skin_fm", "magnetic_moment_muB")
FC_GRID = np.linspace(0.1, 0.3, 21)


def bench_profiles(repeats: int) -> dict:
    out = {}
    for ds in PROFILE_DATASETS:
        short = {profiles.CSI: "csi", profiles.LAR: "lar", profiles.COMBINED: "csi+lar"}[ds]
        for par in PROFILE_PARAMETERS:
            if par == "neutron_skin_fm":

                def cold(ds=ds, par=par):
                    profiles.csi_grids.cache_clear()
                    profiles.csi_likelihood.cache_clear()
                    profiles.lar_spectra.cache_clear()
                    profiles.lar_ratio.cache_clear()
                    stats.profile(ds, par)

                out[f"profile_{short}_{par}_cold"] = median_time(cold, repeats)
            stats.profile(ds, par)
            out[f"profile_{short}_{par}_warm"] = median_time(
                lambda ds=ds, par=par: stats.profile(ds, par), repeats
            )
    stats.sterile_scan(profiles.CSI)
    out["sterile_scan_csi_31x21_warm"] = median_time(
        lambda: stats.sterile_scan(profiles.CSI), repeats
    )
    stats.sterile_scan(profiles.LAR)
    out["sterile_scan_lar_31x21_warm"] = median_time(
        lambda: stats.sterile_scan(profiles.LAR), repeats
    )
    out["nsi_scan_lar_51x51"] = median_time(lambda: stats.nsi_scan(profiles.LAR), 1)
    out["nsi_scan_csi+lar_41x41"] = median_time(lambda: stats.nsi_scan(profiles.COMBINED), 1)
    base = stats.profile(profiles.CSI, "sin2w", FC_GRID)
    for label, kw in (
        ("serial", dict(workers=1)),
        ("threads", dict(workers=2, executor="threads")),
        ("processes", dict(workers=2, executor="processes")),
    ):
        out[f"fc_csi_sin2w_21x100_{label}"] = median_time(
            lambda kw=kw: fc.fc_profile(
                profiles.CSI, "sin2w", n_toys=100, seed=1, result=base, **kw
            ),
            1,
        )
    lar = stats.profile(profiles.LAR, "sin2w", np.linspace(0.15, 0.4, 11))
    out["fc_lar_sin2w_11x50_processes"] = median_time(
        lambda: fc.fc_profile(profiles.LAR, "sin2w", n_toys=50, seed=1, result=lar, workers=2),
        1,
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args()
    result = bench(3 if args.quick else 7)
    print(f"{'what':32s} {'median':>10s} {'min':>10s}")
    for key, value in result.items():
        if isinstance(value, dict):
            print(f"{key:32s} {value['median_s']:9.3f}s {value['min_s']:9.3f}s")
    print(f"converged fraction of the scan: {result['nsi_scan_converged_fraction']:.4f}")
    OUTPUT.parent.mkdir(exist_ok=True)
    OUTPUT.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
