r"""Detector response: quenching, light yield, photoelectron statistics, resolution,
efficiency. From a nuclear recoil T (keVnr) to what a detector records.

The chain (REFERENCE.md sec. 6):

* quenching: electron-equivalent energy E_ee(T) = QF(T) T, in keVee;
* light yield: mean photoelectrons mu(T) = LY E_ee(T); the count is Poisson(mu);
* resolution (no light yield): Gaussian in keVee with sigma = a sqrt(E_ee);
* efficiency: a function of the observable (PE or keVee).

The observable is PE when a light yield is set, keVee when only quenching is set, and
keVnr for a bare recoil counter (perfect efficiency, no quenching).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import special

QUENCHING_MODELS = ("none", "constant", "lindhard", "csi-2021", "lar-2020", "csi-measured")
QUENCHING_LABELS = {
    "none": "none (keVnr)",
    "constant": "constant factor",
    "lindhard": "Lindhard",
    "csi-2021": "CsI[Na] 2021 polynomial",
    "lar-2020": "argon linear (2020)",
    "csi-measured": "CsI[Na] measured points (TUNL + Chicago)",
}
EFFICIENCY_MODELS = ("none", "csi-2017", "csi-2021", "lar-2020")
#: The observable each efficiency curve is a function of.
EFFICIENCY_VARIABLE = {"csi-2017": "PE", "csi-2021": "PE", "lar-2020": "keVee"}
OBSERVABLES = ("keVnr", "keVee", "PE")


# --- quenching --------------------------------------------------------------------------


def lindhard_k(Z, A):
    """Lindhard's k = 0.133 Z^(2/3) A^(-1/2) (Lindhard et al. 1963)."""
    return 0.133 * np.asarray(Z, dtype=float) ** (2 / 3) / np.sqrt(A)


def lindhard_quenching(T_keVnr, Z, A, k=None):
    r"""Lindhard quenching factor.

    .. math:: QF = \frac{k\,g(\epsilon)}{1 + k\,g(\epsilon)},\quad
              g = 3\epsilon^{0.15} + 0.7\epsilon^{0.6} + \epsilon,\quad
              \epsilon = 11.5\,T[\mathrm{keV}]\,Z^{-7/3}

    >>> round(float(lindhard_quenching(10.0, 32, 72.63, k=0.157)), 3)
    0.234
    """
    k = lindhard_k(Z, A) if k is None else k
    eps = 11.5 * np.asarray(T_keVnr, dtype=float) * np.asarray(Z, dtype=float) ** (-7 / 3)
    g = 3 * eps**0.15 + 0.7 * eps**0.6 + eps
    return k * g / (1 + k * g)


def csi_2021_electron_equivalent_keV(T_keVnr):
    """CsI[Na] 2021 quenching (arXiv:2110.07730): E_ee = a x + b x^2 + c x^3 + d x^4,
    x = T in MeV, E_ee in MeV; returned in keVee."""
    x = np.asarray(T_keVnr, dtype=float) * 1e-3
    a, b, c, d = 0.0554628, 4.30681, -111.707, 840.384
    return (a * x + b * x**2 + c * x**3 + d * x**4) * 1e3


def argon_quenching(T_keVnr):
    """CENNS-10 LAr 2020 (arXiv:2003.10630): QF = 0.246 + 0.00078 T[keVnr]."""
    return 0.246 + 0.00078 * np.asarray(T_keVnr, dtype=float)


@lru_cache(maxsize=1)
def _csi_measured_points():
    from ..datasets import load_csi_quenching_measurements

    points = load_csi_quenching_measurements()
    energies = np.concatenate([points.tunl.recoil_keVnr, points.chicago.recoil_keVnr])
    factors = np.concatenate([points.tunl.qf, points.chicago.qf])
    order = np.argsort(energies)
    return energies[order], factors[order]


# --- efficiency -------------------------------------------------------------------------


def csi_2017_efficiency(pe):
    """CsI[Na] 2017 acceptance (arXiv:1804.09459): a / (1 + exp(-k (x - x0))) H(x), with
    a = 0.6655, k = 0.4942, x0 = 10.8507; H = 0 below 5 PE, 0.5 in [5, 6), 1 from 6 PE."""
    x = np.asarray(pe, dtype=float)
    step = np.where(x < 5, 0.0, np.where(x < 6, 0.5, 1.0))
    return 0.6655 / (1 + np.exp(-0.4942 * (x - 10.8507))) * step


def csi_2021_efficiency(pe):
    """CsI[Na] 2021 efficiency (arXiv:2110.07730): a / (1 + exp(-b (x - c))) + d, clipped
    to [0, 1], with a = 1.32045, b = 0.285979, c = 10.8646, d = -0.333322."""
    x = np.asarray(pe, dtype=float)
    return np.clip(1.32045 / (1 + np.exp(-0.285979 * (x - 10.8646))) - 0.333322, 0.0, 1.0)


@lru_cache(maxsize=1)
def _lar_efficiency_table():
    from ..datasets import load_lar_2020_efficiency

    table = load_lar_2020_efficiency()
    return np.asarray(table.keVee_centers, dtype=float), np.asarray(table.efficiency, dtype=float)


def lar_2020_efficiency(E_keVee):
    """CENNS-10 analysis-A acceptance vs keVee (doi:10.5281/zenodo.3903810), interpolated."""
    e, eff = _lar_efficiency_table()
    return np.interp(E_keVee, e, eff, left=0.0, right=float(eff[-1]))


def efficiency_curve(name: str, x):
    """Evaluate efficiency ``name`` at observable values ``x``."""
    if name == "none":
        return np.ones_like(np.asarray(x, dtype=float))
    if name == "csi-2017":
        return csi_2017_efficiency(x)
    if name == "csi-2021":
        return csi_2021_efficiency(x)
    if name == "lar-2020":
        return lar_2020_efficiency(x)
    raise ValueError(f"unknown efficiency {name!r}; choose one of {', '.join(EFFICIENCY_MODELS)}")


# --- the response as a whole --------------------------------------------------------------


@dataclass(frozen=True)
class Response:
    """A detector's response settings; hashable so that results can be cached on it.

    ``quenching_factor`` is used by the ``constant`` model, ``lindhard_k`` (None: the
    Lindhard value from Z and A) by ``lindhard``. ``resolution_a`` is a in
    sigma(E_ee) = a sqrt(E_ee[keVee]) (keVee), used when there is no light yield.
    """

    quenching: str = "none"
    quenching_factor: float = 1.0
    lindhard_k: float | None = None
    light_yield_PE_per_keVee: float | None = None
    resolution_a: float | None = None
    efficiency: str = "none"

    def __post_init__(self):
        if self.quenching not in QUENCHING_MODELS:
            raise ValueError(
                f"unknown quenching {self.quenching!r}; choose one of {', '.join(QUENCHING_MODELS)}"
            )
        if self.efficiency not in EFFICIENCY_MODELS:
            raise ValueError(
                f"unknown efficiency {self.efficiency!r}; choose one of "
                f"{', '.join(EFFICIENCY_MODELS)}"
            )
        if self.light_yield_PE_per_keVee is not None and self.quenching == "none":
            raise ValueError("a light yield needs a quenching model (PE count keVee, not keVnr)")
        needed = EFFICIENCY_VARIABLE.get(self.efficiency)
        if needed is not None and needed != self.observable:
            hint = "set a light yield" if needed == "PE" else "set quenching, no light yield"
            raise ValueError(
                f"efficiency {self.efficiency!r} is a function of {needed}, but this detector "
                f"records {self.observable}: {hint}"
            )

    @property
    def observable(self) -> str:
        if self.light_yield_PE_per_keVee is not None:
            return "PE"
        return "keVnr" if self.quenching == "none" else "keVee"

    def electron_equivalent_keV(self, T_keVnr, Z=None, A=None):
        """E_ee(T) in keVee (equal to T for ``none``)."""
        T = np.asarray(T_keVnr, dtype=float)
        q = self.quenching
        if q == "none":
            return T
        if q == "constant":
            return self.quenching_factor * T
        if q == "lindhard":
            return lindhard_quenching(T, Z, A, self.lindhard_k) * T
        if q == "csi-2021":
            return csi_2021_electron_equivalent_keV(T)
        if q == "lar-2020":
            return argon_quenching(T) * T
        energies, factors = _csi_measured_points()
        return np.interp(T, energies, factors) * T

    def mean_observable(self, T_keVnr, Z=None, A=None):
        """The mean observable (keVnr, keVee or PE) for a recoil T."""
        e_ee = self.electron_equivalent_keV(T_keVnr, Z, A)
        if self.light_yield_PE_per_keVee is not None:
            return self.light_yield_PE_per_keVee * e_ee
        return e_ee

    def quenching_factor_curve(self, T_keVnr, Z=None, A=None):
        T = np.asarray(T_keVnr, dtype=float)
        safe = np.where(T > 0, T, 1e-6)
        return self.electron_equivalent_keV(safe, Z, A) / safe


def poisson_matrix(n_max: int, mean):
    """P(n | mean) for n = 0..n_max (rows) at each mean (columns).

    Computed in one buffer, in place (the same operations as
    ``exp(n log(mu) - mu - lgamma(n + 1))``): fresh large temporaries cost page faults.
    """
    n = np.arange(n_max + 1, dtype=float)
    mu = np.maximum(np.asarray(mean, dtype=float), 1e-300)
    out = np.multiply.outer(n, np.log(mu))
    out -= mu
    out -= special.gammaln(n + 1)[:, None]
    return np.exp(out, out=out)


def gaussian_bin_matrix(edges, mean, sigma):
    """Probability that a Gaussian(mean, sigma) value lands in each bin of ``edges``."""
    sigma = np.maximum(np.asarray(sigma, dtype=float), 1e-9)
    z = np.subtract.outer(np.asarray(edges, dtype=float), np.asarray(mean, dtype=float))
    z /= sigma
    cdf = special.ndtr(z, out=z)
    return np.diff(cdf, axis=0)
