r"""Sterile-neutrino disappearance, averaged over the spread of path lengths.

At one distance, :math:`P = 1 - \sin^2 2\theta\,\sin^2(kL)` with
:math:`k = 1.267\,\Delta m^2[\mathrm{eV^2}]/E[\mathrm{MeV}]` per metre. Neutrinos are made
and detected over a region, so L is distributed; for a Gaussian of mean L and width
:math:`\sigma_L`, :math:`\langle\cos 2kL\rangle = \cos(2kL)\,e^{-2k^2\sigma_L^2}`, so

.. math:: \langle P\rangle = 1 - \frac{\sin^2 2\theta}{2}
          \left[1 - \cos(2kL)\,e^{-2k^2\sigma_L^2}\right].
"""

from __future__ import annotations

import numpy as np


def sterile_survival_probability(
    energy_MeV, distance_m: float, dm2_eV2: float, sin2_2theta: float, spread_m: float
):
    """Averaged active-flavour survival (module docstring); ``spread_m`` is sigma_L."""
    e = np.asarray(energy_MeV, dtype=float)
    k = 1.267 * dm2_eV2 / np.where(e > 0, e, np.inf)
    coherence = np.exp(-2.0 * (k * spread_m) ** 2)
    return 1.0 - 0.5 * sin2_2theta * (1.0 - np.cos(2.0 * k * distance_m) * coherence)
