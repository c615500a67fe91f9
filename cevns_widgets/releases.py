"""Parameters read from the COHERENT LAr 2020 and CsI 2021 data releases.

The presets take their exposures, geometry and published counts from here rather than
from retyped numbers; the tests compare the physics core's hard-coded response
coefficients with these files. Files and their provenance: ``data/README.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .datasets import _parse_table, _read_text


@lru_cache(maxsize=1)
def lar_2020_parameters() -> dict:
    """``LArParametersAnlA.yaml`` of the CENNS-10 analysis-A release, as a dict.

    >>> p = lar_2020_parameters()
    >>> p["distanceToTarget"]["value"], p["cevnsPredictionNormalization"]["value"]
    (27.5, 128)
    """
    import yaml

    return yaml.safe_load(_read_text("lar2020_LArParametersAnlA.yaml"))


def lar_2020_value(key: str, parameter: str | None = None):
    """One number of the LAr release YAML: ``key``'s value, or its named ``parameter``."""
    entry = lar_2020_parameters()[key]
    if parameter is None:
        return entry["value"]
    return next(p["value"] for p in entry["parameters"] if p["name"] == parameter)


@dataclass(frozen=True)
class LArCEvNSPDF:
    """The LAr 2020 release's predicted CEvNS events in (keVee, F90, time) bins."""

    energy_keVee: np.ndarray  # bin centres, one per row
    f90: np.ndarray
    time_us: np.ndarray
    events: np.ndarray
    energy_width_keVee: float = 10.0
    time_width_us: float = 0.5

    @property
    def energy_range_keVee(self) -> tuple[float, float]:
        half = 0.5 * self.energy_width_keVee
        return float(self.energy_keVee.min() - half), float(self.energy_keVee.max() + half)

    @property
    def time_range_us(self) -> tuple[float, float]:
        half = 0.5 * self.time_width_us
        return float(self.time_us.min() - half), float(self.time_us.max() + half)

    def time_projection(self) -> tuple[np.ndarray, np.ndarray]:
        """Time bin centres and the events in each (summed over energy and F90)."""
        centres = np.unique(self.time_us)
        return centres, np.array([self.events[self.time_us == t].sum() for t in centres])


@lru_cache(maxsize=1)
def lar_2020_cevns_pdf() -> LArCEvNSPDF:
    """``cevnspdf.txt`` of the LAr 2020 release (sums to the predicted 128 events)."""
    name = "lar2020_cevnspdf.txt"
    t = _parse_table(_read_text(name), ncols=4, source=name)
    return LArCEvNSPDF(t[:, 0], t[:, 1], t[:, 2], t[:, 3])


def _coefficient_sets(name: str) -> dict[str, tuple[float, ...]]:
    """Coefficient rows of a CsI 2021 release file, keyed by the comment line above each
    (the first is the nominal model)."""
    sets, label = {}, None
    text = _read_text(name).split("# ---- original file content follows ----", 1)[1]
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("#"):
            label = line.lstrip("# ").strip()
        elif line:
            key = label or f"set {len(sets)}"
            if key in sets:  # the release repeats a label for the -1 sigma twin
                key += " (2)"
            sets[key] = tuple(float(v) for v in line.split())
    return sets


@lru_cache(maxsize=1)
def csi_2021_efficiency_coefficients() -> dict[str, tuple[float, ...]]:
    """CsI 2021 efficiency a/(1+exp(-b(x-c))) + d: coefficient sets (a, b, c, d).

    >>> csi_2021_efficiency_coefficients()["Nominal efficiency model"]
    (1.32045, 0.285979, 10.8646, -0.333322)
    """
    return _coefficient_sets("csi2021_effCoefficients.txt")


@lru_cache(maxsize=1)
def csi_2021_quenching_coefficients() -> dict[str, tuple[float, ...]]:
    """CsI 2021 E_ee = a x + b x^2 + c x^3 + d x^4 (MeV): coefficient sets (a, b, c, d)."""
    return _coefficient_sets("csi2021_scintRespCoefficients.txt")


@lru_cache(maxsize=1)
def csi_2021_nin_time_pdf() -> tuple[np.ndarray, np.ndarray]:
    """Neutrino-induced-neutron time PDF of the CsI 2021 release: bin centres (us) and the
    probability per 0.01 us bin, normalised to 1."""
    name = "csi2021_ninTrec.txt"
    t = _parse_table(_read_text(name), ncols=2, source=name)
    return t[:, 0], t[:, 1] / t[:, 1].sum()
