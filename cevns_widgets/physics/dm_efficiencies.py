r"""Detection efficiencies of the xenon dark-matter detectors' solar-8B CEvNS searches, as
functions of the true nuclear-recoil energy T (keVnr).

An efficiency of T multiplies a recoil spectrum directly: expected events
:math:`N = \varepsilon_\mathrm{exp} \int \mathrm{d}T\, \frac{\mathrm{d}R}{\mathrm{d}T}\,
\epsilon(T)` with the exposure :math:`\varepsilon_\mathrm{exp}` in t yr and
:math:`\mathrm{d}R/\mathrm{d}T` in events / t / yr / keV. The detector physics (light and
charge yields, S1/S2 thresholds, selections, analysis region) is folded in by the
experiment, so a scenario using one of these counts bare recoils: no quenching, no light
yield (``Response(efficiency="xenonnt-8b-2024")``, observable keVnr).

XENONnT 2024 (``"xenonnt-8b-2024"``)
    XENON Collaboration, Phys. Rev. Lett. 133 (2024) 191002, arXiv:2408.02877; data release
    XENONnT/cevns_data_release, doi:10.5281/zenodo.20576156 (CC-BY-4.0). The release's
    mono-energetic nuclear-recoil templates (0.5-5.0 keVnr) are dimensionless; summed over
    the 81 analysis bins each gives the detection efficiency at its energy. The shipped
    table ``data/xenonnt2024_8b_efficiency.csv`` holds those sums for SR0 and SR1 and their
    exposure-weighted combination (SR0 1.174398 t yr, SR1 2.342593 t yr, from the release's
    ``plot.ipynb``). Below 0.5 keVnr the efficiency is zero; above 5.0 keVnr it is held at the
    5.0 keVnr value (``above="hold"``, the default) or set to zero (``above="zero"``). The
    curve does not flatten: it peaks near 3.8 keVnr and falls by a fifth by 5 keVnr (the
    cS2 < 500 PE edge of the analysis region), so the two choices bracket the truth above
    5 keVnr. 8B recoils on xenon end near 4.5 keVnr, so the choice does not touch 8B.

PandaX-4T 2024 (paired and ionisation-only, Phys. Rev. Lett. 133 (2024) 191001,
arXiv:2407.10892)
    Not shipped: no numeric efficiency of recoil energy for either channel was found in a
    public release (see ``data/README.md``), and a curve read off a figure we could not
    see would be made up.

>>> import numpy as np
>>> eff = xenonnt_2024_efficiency(np.array([0.3, 1.0, 3.0]))
>>> [round(float(e), 4) for e in eff]
[0.0, 0.0069, 0.1295]
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from ..datasets import DataFormatError, _parse_table, _readonly, data_file

__all__ = [
    "ABOVE_RANGE_CHOICES",
    "KEVNR_EFFICIENCIES",
    "XENONNT_2024_CITATION",
    "XENONNT_2024_EXPOSURE_T_YR",
    "XENONNT_2024_FILE",
    "XENONNT_2024_RANGE_KEVNR",
    "XENONNT_2024_RUNS",
    "XENONnT2024Efficiency",
    "keVnr_efficiency",
    "load_xenonnt_2024_efficiency",
    "xenonnt_2024_efficiency",
]

XENONNT_2024_CITATION = (
    "XENON Collaboration, E. Aprile et al., Phys. Rev. Lett. 133 (2024) 191002, "
    "arXiv:2408.02877; data release XENONnT/cevns_data_release, doi:10.5281/zenodo.20576156 "
    "(CC-BY-4.0)"
)
XENONNT_2024_FILE = "xenonnt2024_8b_efficiency.csv"
#: Exposure of each science run in t yr: the release's ``plot.ipynb`` (``livetimes``, the
#: factor that turns its /t/yr templates into events). They add up to 3.517, the paper's
#: 3.51 t yr.
XENONNT_2024_EXPOSURE_T_YR = {"sr0": 1.174398, "sr1": 2.342593}
#: The efficiency columns of the table: each run, and their exposure-weighted combination.
XENONNT_2024_RUNS = ("sr0", "sr1", "combined")
#: Recoil energies the release has templates for (keVnr).
XENONNT_2024_RANGE_KEVNR = (0.5, 5.0)
#: What happens above the last tabulated energy: keep its value, or drop to zero.
ABOVE_RANGE_CHOICES = ("hold", "zero")


@dataclass(frozen=True, eq=False)
class XENONnT2024Efficiency:
    """XENONnT SR0 / SR1 detection efficiency of the 8B CEvNS analysis (table
    ``xenonnt2024_8b_efficiency.csv``).

    Attributes
    ----------
    recoil_keVnr : true nuclear-recoil energies, 0.5 to 5.0 keVnr in 0.1 keVnr steps.
    sr0, sr1 : detection efficiency [0-1] in each science run.
    combined : their average weighted by :data:`XENONNT_2024_EXPOSURE_T_YR`.
    citation : the paper and data release to cite.
    """

    recoil_keVnr: np.ndarray
    sr0: np.ndarray
    sr1: np.ndarray
    combined: np.ndarray
    citation: str = XENONNT_2024_CITATION

    @property
    def exposure_t_yr(self) -> float:
        """Total SR0 + SR1 exposure (t yr)."""
        return sum(XENONNT_2024_EXPOSURE_T_YR.values())

    def run(self, name: str) -> np.ndarray:
        """The efficiency column ``name`` (``sr0``, ``sr1`` or ``combined``)."""
        if name not in XENONNT_2024_RUNS:
            raise ValueError(f"run must be one of {', '.join(XENONNT_2024_RUNS)}; got {name!r}")
        return getattr(self, name)


@cache
def load_xenonnt_2024_efficiency() -> XENONnT2024Efficiency:
    """Load the XENONnT 2024 8B detection-efficiency table (checked: a regular 0.1 keVnr grid
    from 0.5 to 5.0 keVnr, values in [0, 1], the combined column equal to the
    exposure-weighted runs).

    >>> t = load_xenonnt_2024_efficiency()
    >>> t.recoil_keVnr.size, float(t.recoil_keVnr[0]), float(t.recoil_keVnr[-1])
    (46, 0.5, 5.0)
    >>> round(t.exposure_t_yr, 3)
    3.517
    """
    name = XENONNT_2024_FILE
    table = _parse_table(data_file(name).read_text(encoding="utf-8"), ncols=4, source=name)
    energy, sr0, sr1, combined = (table[:, i].copy() for i in range(4))
    lo, hi = XENONNT_2024_RANGE_KEVNR
    expected = np.round(np.arange(lo, hi + 0.05, 0.1), 10)
    if energy.shape != expected.shape or not np.allclose(energy, expected, rtol=0, atol=1e-9):
        raise DataFormatError(f"{name}: energies are not {lo:g}..{hi:g} keVnr in 0.1 steps")
    for label, column in (("sr0", sr0), ("sr1", sr1), ("combined", combined)):
        if np.any(column < 0) or np.any(column > 1):
            raise DataFormatError(f"{name}: {label} efficiency outside [0, 1]")
    w0, w1 = XENONNT_2024_EXPOSURE_T_YR["sr0"], XENONNT_2024_EXPOSURE_T_YR["sr1"]
    if not np.allclose(combined, (w0 * sr0 + w1 * sr1) / (w0 + w1), rtol=1e-5, atol=0):
        raise DataFormatError(f"{name}: combined column is not the exposure-weighted runs")
    _readonly(energy, sr0, sr1, combined)
    return XENONnT2024Efficiency(recoil_keVnr=energy, sr0=sr0, sr1=sr1, combined=combined)


def xenonnt_2024_efficiency(T_keVnr, run: str = "combined", above: str = "hold"):
    """XENONnT 2024 detection efficiency at recoil energies ``T_keVnr``, linearly
    interpolated in the 0.1 keVnr table; zero below 0.5 keVnr; above 5.0 keVnr the 5.0 keVnr
    value (``above="hold"``) or zero (``above="zero"``). ``run``: ``sr0``, ``sr1`` or
    ``combined`` (exposure-weighted, the default).

    >>> float(xenonnt_2024_efficiency(7.0)), float(xenonnt_2024_efficiency(7.0, above="zero"))
    (0.1145575, 0.0)
    """
    if above not in ABOVE_RANGE_CHOICES:
        raise ValueError(f"above must be one of {', '.join(ABOVE_RANGE_CHOICES)}; got {above!r}")
    table = load_xenonnt_2024_efficiency()
    eff = table.run(run)
    right = float(eff[-1]) if above == "hold" else 0.0
    T = np.asarray(T_keVnr, dtype=float)
    return np.interp(T, table.recoil_keVnr, eff, left=0.0, right=right)


#: Efficiencies of recoil energy registered in ``response.EFFICIENCY_MODELS`` (variable
#: keVnr), by name.
KEVNR_EFFICIENCIES = {"xenonnt-8b-2024": xenonnt_2024_efficiency}


def keVnr_efficiency(name: str, T_keVnr):
    """Evaluate the registered keVnr efficiency ``name`` at ``T_keVnr``."""
    try:
        curve = KEVNR_EFFICIENCIES[name]
    except KeyError:
        raise ValueError(
            f"unknown keVnr efficiency {name!r}; choose one of {', '.join(KEVNR_EFFICIENCIES)}"
        ) from None
    return curve(T_keVnr)
