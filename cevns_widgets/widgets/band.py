"""The germanium quenching band: a reactor scenario's spectrum and count for Lindhard k
from 0.12 to 0.25.

Below a keVnr, how much of a recoil becomes ionisation is uncertain: Lindhard's k = 0.157
is the standard value for germanium, CONUS+ uses its measured 0.162, and other measurements
spread more widely. The band evaluates the scenario at the two edges,
``evaluate(scenario.replace(lindhard_k=k))``, and caches them (the current k does not
matter, so dragging k or anything that is a rescale reuses the cached physics).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

from ..api import Result, evaluate
from ..scenario import Scenario
from .units import threshold_keVnr

__all__ = ["BAND_K", "K_TEXT", "QuenchingBand", "band_applies", "quenching_band"]

#: The Lindhard k range of the band (the issue's knob range for germanium).
BAND_K = (0.12, 0.25)
K_TEXT = f"{BAND_K[0]:g}–{BAND_K[1]:g}"


def band_applies(scenario: Scenario) -> bool:
    """A band is drawn for Lindhard quenching at a reactor (sub-keV recoils)."""
    return scenario.source == "reactor" and scenario.quenching == "lindhard"


@dataclass(frozen=True, eq=False)
class QuenchingBand:
    """The scenario at each edge of :data:`BAND_K`: ``results`` (k low, k high)."""

    key: Scenario
    results: tuple[Result, Result]
    k: tuple[float, float] = BAND_K

    @property
    def k_text(self) -> str:
        return f"{self.k[0]:g}–{self.k[1]:g}"

    @cached_property
    def events(self) -> tuple[float, float]:
        """Events at k low and at k high."""
        return tuple(r.events_total for r in self.results)

    @property
    def events_range(self) -> tuple[float, float]:
        """(fewest, most) events over the band."""
        return min(self.events), max(self.events)

    @cached_property
    def threshold_keVnr(self) -> tuple[float, float]:
        """Where the scenario's threshold lies in keVnr at the band's edges (low, high)."""
        values = [threshold_keVnr(r.scenario) for r in self.results]
        return min(values), max(values)

    def observed_envelope(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(x, lower, upper): the total observed spectrum at both edges on one grid."""
        curves = []
        for r in self.results:
            x, by = r.observed_spectrum()
            curves.append((np.asarray(x, float), sum(by.values())))
        x = np.union1d(curves[0][0], curves[1][0])
        ys = [np.interp(x, cx, cy, left=0.0, right=0.0) for cx, cy in curves]
        return x, np.minimum(*ys), np.maximum(*ys)


@lru_cache(maxsize=32)
def _band(key: Scenario) -> QuenchingBand:
    results = tuple(evaluate(key.replace(lindhard_k=k)) for k in BAND_K)
    for r in results:
        r.events_total  # noqa: B018 -- compute now: a bad edge fails here, not in a figure
    return QuenchingBand(key, results)


def quenching_band(scenario: Scenario) -> QuenchingBand | None:
    """The band for ``scenario`` (cached on everything but k), or None where none applies."""
    if not band_applies(scenario):
        return None
    return _band(scenario.replace(lindhard_k=None, preset=None))
