"""Neutrino energy spectra in a form the rate integral can use quickly.

The SM (and magnetic-moment) cross sections are polynomials in 1/E at fixed recoil
energy T, so the energy integral of a spectrum f(E) against dsigma/dT needs only three
tail moments, evaluated at the smallest energy that can produce the recoil, E_min(T):

.. math::

    I_k(x) = \\int_x^{\\infty} f(E)\\, E^{-k}\\, dE, \\qquad k = 0, 1, 2 .

A line spectrum has them in closed form; a tabulated spectrum stores their reverse
cumulative integrals on a fine grid and interpolates. Either way, the recoil spectrum
costs a few array operations per recoil-energy grid, whatever the energy resolution.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class LineSpectrum:
    """A monoenergetic source with ``weight`` neutrinos per unit normalisation.

    Tail moments: :math:`I_k(x) = w\\,E_0^{-k}\\,\\Theta(E_0 - x)`.
    """

    energy_MeV: float
    weight: float = 1.0

    @property
    def max_energy_MeV(self) -> float:
        return self.energy_MeV

    @property
    def line_energies_MeV(self) -> tuple[float, ...]:
        return (self.energy_MeV,)

    def total(self) -> float:
        return self.weight

    def tail_moments(self, e_min_MeV: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return (I0, I1, I2) at each ``e_min_MeV`` (MeV^0, MeV^-1, MeV^-2)."""
        above = np.where(np.asarray(e_min_MeV) <= self.energy_MeV, self.weight, 0.0)
        e0 = self.energy_MeV
        return above, above / e0, above / e0**2

    def density(self, energies_MeV: np.ndarray) -> np.ndarray:
        """A line has no finite density; plots mark it separately (zeros here)."""
        return np.zeros_like(np.asarray(energies_MeV, dtype=float))

    def scaled(self, survival) -> LineSpectrum:
        """This line weighted by a survival probability ``survival(E)``."""
        p = float(survival(np.array([self.energy_MeV]))[0])
        return LineSpectrum(self.energy_MeV, self.weight * p)


@dataclass(frozen=True, eq=False)
class TabulatedSpectrum:
    """A continuous spectrum given on a fine, increasing energy grid (MeV).

    ``density`` is per MeV. It is not renormalised: build it normalised (use
    :meth:`normalised`) and scale with survival probabilities afterwards.
    """

    energies_MeV: np.ndarray
    values: np.ndarray
    _tails: tuple = field(init=False, repr=False)

    def __post_init__(self):
        e = np.asarray(self.energies_MeV, dtype=float)
        f = np.asarray(self.values, dtype=float)
        if e.ndim != 1 or e.shape != f.shape or e.size < 2 or np.any(np.diff(e) <= 0):
            raise ValueError("a tabulated spectrum needs matching 1-D arrays, energies increasing")
        if np.any(f < 0) or not np.all(np.isfinite(f)):
            raise ValueError("spectrum values must be finite and non-negative")
        object.__setattr__(self, "energies_MeV", e)
        object.__setattr__(self, "values", f)
        tails = []
        for k in range(3):
            # f / E^k, taking 0 at E = 0 (physical spectra vanish there at least as E^2).
            g = np.divide(f, e**k, out=np.zeros_like(f), where=e > 0)
            seg = 0.5 * (g[1:] + g[:-1]) * np.diff(e)
            tails.append(np.concatenate([np.cumsum(seg[::-1])[::-1], [0.0]]))
        object.__setattr__(self, "_tails", tuple(tails))

    @classmethod
    def normalised(cls, energies_MeV, values) -> TabulatedSpectrum:
        raw = cls(energies_MeV, values)
        return cls(raw.energies_MeV, raw.values / raw.total())

    @property
    def max_energy_MeV(self) -> float:
        return float(self.energies_MeV[-1])

    @property
    def line_energies_MeV(self) -> tuple[float, ...]:
        return ()

    def total(self) -> float:
        return float(self._tails[0][0])

    def tail_moments(self, e_min_MeV: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return (I0, I1, I2) at each ``e_min_MeV`` by linear interpolation of the tails."""
        x = np.asarray(e_min_MeV, dtype=float)
        e = self.energies_MeV
        return tuple(np.interp(x, e, tail, left=tail[0], right=0.0) for tail in self._tails)

    def density(self, energies_MeV: np.ndarray) -> np.ndarray:
        return np.interp(energies_MeV, self.energies_MeV, self.values, left=0.0, right=0.0)

    def scaled(self, survival) -> TabulatedSpectrum:
        """This spectrum times a survival probability ``survival(E)``."""
        return TabulatedSpectrum(self.energies_MeV, self.values * survival(self.energies_MeV))
