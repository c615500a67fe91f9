r"""Detector response: quenching, light yield, photoelectron statistics, resolution,
efficiency. From a nuclear recoil T (keVnr) to what a detector records.

The chain (REFERENCE.md sec. 6):

* quenching: electron-equivalent energy E_ee(T) = QF(T) T, in keVee;
* light yield: mean photoelectrons mu(T) = LY E_ee(T); the count is Poisson(mu), or
  gamma-distributed around mu (CsI 2021 release);
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
#: Elements a quenching model was measured for; models not listed (``none``, ``constant``,
#: ``lindhard``) are generic. ``csi-2021`` and ``csi-measured`` are CsI[Na] data (Cs and I
#: recoils, arXiv:2110.07730; TUNL and Chicago), ``lar-2020`` is liquid argon
#: (arXiv:2003.10630): elsewhere they would be an extrapolation to another material.
QUENCHING_TARGETS = {"csi-2021": ("Cs", "I"), "csi-measured": ("Cs", "I"), "lar-2020": ("Ar",)}
EFFICIENCY_MODELS = ("none", "csi-2017", "csi-2021", "lar-2020", "xenonnt-8b-2024")
#: The observable each efficiency curve is a function of.
EFFICIENCY_VARIABLE = {
    "csi-2017": "PE",
    "csi-2021": "PE",
    "lar-2020": "keVee",
    "xenonnt-8b-2024": "keVnr",  # physics/dm_efficiencies.py
}
OBSERVABLES = ("keVnr", "keVee", "PE")
#: How photoelectron counts scatter around their mean: Poisson statistics, or the CsI 2021
#: release's gamma-distributed response (continuous PE, wider than Poisson).
PE_SMEARING_MODELS = ("poisson", "gamma-csi-2021")


# --- quenching --------------------------------------------------------------------------


def quenching_targets(model: str) -> tuple[str, ...] | None:
    """Element symbols ``model`` describes, or None for a generic model (any target).

    >>> quenching_targets("lar-2020"), quenching_targets("lindhard")
    (('Ar',), None)
    """
    return QUENCHING_TARGETS.get(model)


def check_quenching_applies(model: str, element_symbols) -> None:
    """Raise ValueError if ``model`` was measured for other elements than ``element_symbols``
    (a target-specific model applies only when every element of the target is covered)."""
    allowed = quenching_targets(model)
    if allowed is None:
        return
    others = sorted(set(element_symbols) - set(allowed))
    if others:
        raise ValueError(
            f"quenching {model!r} describes {'/'.join(allowed)} only, not "
            f"{', '.join(others)}: choose lindhard or constant for this target"
        )


#: Elements each PE-smearing model was measured for (None: any).
_PE_SMEARING_TARGETS = {"poisson": None, "gamma-csi-2021": ("Cs", "I")}


def check_pe_smearing_applies(model: str, element_symbols) -> None:
    """Raise ValueError if the PE smearing ``model`` was measured for other elements (the
    CsI 2021 gamma response describes the CsI[Na] crystal only)."""
    allowed = _PE_SMEARING_TARGETS.get(model)
    others = sorted(set(element_symbols) - set(allowed)) if allowed else []
    if others:
        raise ValueError(
            f"PE smearing {model!r} describes the {'/'.join(allowed)} crystal only, not "
            f"{', '.join(others)}: choose poisson for this target"
        )


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


@lru_cache(maxsize=1)
def _csi_measured_map():
    r"""Monotone E_ee(T) through the measured CsI[Na] points, as (T nodes, E_ee nodes).

    The TUNL and Chicago points scatter (QF 0.05-0.10 at neighbouring energies), so
    QF_i T_i is not increasing in T: interpolating QF would make a larger recoil give less
    light, and counts could rise with a keVnr threshold. E_ee(T) must be non-decreasing
    for quenching to be a change of variable. We take the least-squares non-decreasing fit
    to the points :math:`(T_i, QF_i T_i)` (isotonic regression, pool-adjacent-violators),
    each pooled block of points placed at its centroid (mean T, mean E_ee), so the nodes
    are strictly increasing; we interpolate them linearly from (0, 0) and continue above
    the last node with its QF (E_ee = QF_n T), as the QF interpolation did.
    """
    energies, factors = _csi_measured_points()
    # Pool adjacent violators: blocks [sum T, sum E_ee, count] with increasing mean E_ee.
    blocks: list[list[float]] = []
    for t, e in zip(energies, energies * factors, strict=True):
        blocks.append([t, e, 1.0])
        while len(blocks) > 1 and blocks[-2][1] / blocks[-2][2] >= blocks[-1][1] / blocks[-1][2]:
            t2, e2, n2 = blocks.pop()
            blocks[-1] = [blocks[-1][0] + t2, blocks[-1][1] + e2, blocks[-1][2] + n2]
    t_nodes = [b[0] / b[2] for b in blocks]
    e_nodes = [b[1] / b[2] for b in blocks]
    return np.array([0.0, *t_nodes]), np.array([0.0, *e_nodes])


def csi_measured_electron_equivalent_keV(T_keVnr):
    """E_ee (keVee) from the measured CsI[Na] points (TUNL + Chicago), made monotone:
    see :func:`_csi_measured_map`."""
    T = np.asarray(T_keVnr, dtype=float)
    t_nodes, e_nodes = _csi_measured_map()
    slope_above = e_nodes[-1] / t_nodes[-1]
    return np.where(T <= t_nodes[-1], np.interp(T, t_nodes, e_nodes), slope_above * T)


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
    from .dm_efficiencies import KEVNR_EFFICIENCIES

    if name in KEVNR_EFFICIENCIES:
        return KEVNR_EFFICIENCIES[name](x)
    raise ValueError(f"unknown efficiency {name!r}; choose one of {', '.join(EFFICIENCY_MODELS)}")


# --- the response as a whole --------------------------------------------------------------


@dataclass(frozen=True)
class Response:
    r"""A detector's response settings; hashable so that results can be cached on it.

    ``quenching_factor`` is used by the ``constant`` model, ``lindhard_k`` (None: the
    Lindhard value from Z and A) by ``lindhard``. Without a light yield the energy
    resolution is Gaussian with :math:`\sigma^2 = a^2 E_{ee} + \sigma_0^2` (keVee):
    ``resolution_a`` is a (statistics, e.g. Fano), ``noise_sigma_keVee`` is
    :math:`\sigma_0` (electronic noise, what sets sub-keV germanium thresholds).
    """

    quenching: str = "none"
    quenching_factor: float = 1.0
    lindhard_k: float | None = None
    light_yield_PE_per_keVee: float | None = None
    resolution_a: float | None = None
    efficiency: str = "none"
    pe_smearing: str = "poisson"
    noise_sigma_keVee: float | None = None

    @property
    def smeared(self) -> bool:
        """True when a Gaussian energy resolution applies (no light yield)."""
        return self.resolution_a is not None or self.noise_sigma_keVee is not None

    def sigma_keVee(self, E_keVee):
        """Gaussian resolution at ``E_keVee``: sqrt(a^2 E + sigma_0^2)."""
        e = np.maximum(np.asarray(E_keVee, dtype=float), 0.0)
        a, noise = self.resolution_a or 0.0, self.noise_sigma_keVee or 0.0
        return np.sqrt(a * a * e + noise * noise)

    def __post_init__(self):
        if self.pe_smearing not in PE_SMEARING_MODELS:
            raise ValueError(
                f"unknown PE smearing {self.pe_smearing!r}; choose one of "
                f"{', '.join(PE_SMEARING_MODELS)}"
            )
        if self.pe_smearing != "poisson" and self.light_yield_PE_per_keVee is None:
            raise ValueError(
                f"PE smearing {self.pe_smearing!r} needs a light yield (it smears photoelectrons)"
            )
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
        return csi_measured_electron_equivalent_keV(T)

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


#: CsI 2021 release PE response (arXiv:2110.07730 ancillary files): a = A_GAMMA / E_ee,
#: b = B_GAMMA * E_ee, E_ee in keVee.
CSI_2021_GAMMA_A = 0.0749
CSI_2021_GAMMA_B = 9.56


def gamma_pe_bin_matrix(edges_PE, mean_PE, light_yield_PE_per_keVee: float):
    r"""Probability that a recoil with mean ``mean_PE`` lands in each PE bin of ``edges_PE``,
    for the CsI 2021 release's gamma-distributed response.

    The release gives, for an electron-equivalent energy :math:`E` (keVee),

    .. math:: P(x) = \frac{[a(1+b)]^{1+b}}{\Gamma(1+b)}\, x^{b}\, e^{-a(1+b)x},
              \quad a = 0.0749/E,\ b = 9.56\,E,

    a gamma distribution with shape :math:`1 + b` and mean :math:`1/a = 13.35\,E` PE
    (the light yield); its variance is :math:`\text{mean}^2/(1 + b)`. The mean here is
    ``mean_PE`` and :math:`E` = ``mean_PE / light_yield``, so a quenching or light-yield
    change moves the distribution consistently.
    """
    mean = np.maximum(np.asarray(mean_PE, dtype=float), 1e-12)
    e_ee = mean / light_yield_PE_per_keVee
    shape = 1.0 + CSI_2021_GAMMA_B * e_ee
    scale = mean / shape
    x = np.asarray(edges_PE, dtype=float)[:, None] / scale[None, :]
    cdf = special.gammainc(shape[None, :], x)
    return np.diff(cdf, axis=0)


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


#: Photoelectron counts below this are kept one by one; above, in integer bins about
#: PE_BIN_RATIO wide (Poisson sigma/n = n^-1/2 is already < 2.3 % there).
PE_UNIT_BINS = 2000
PE_BIN_RATIO = 0.01


def pe_bin_lower_edges(n_max: int) -> np.ndarray:
    """Integer lower edges of PE bins covering 0..``n_max``: 0, 1, ..., PE_UNIT_BINS - 1,
    then geometric steps of PE_BIN_RATIO, the last edge >= ``n_max``.

    >>> e = pe_bin_lower_edges(10**6)
    >>> int(e[0]), int(e[PE_UNIT_BINS]), bool(e[-1] >= 10**6), e.size < 3000
    (0, 2000, True, True)
    """
    unit = np.arange(PE_UNIT_BINS, dtype=float)
    steps = int(np.ceil(np.log(max(n_max, PE_UNIT_BINS) / PE_UNIT_BINS) / np.log1p(PE_BIN_RATIO)))
    coarse = np.ceil(PE_UNIT_BINS * (1 + PE_BIN_RATIO) ** np.arange(steps + 2))
    return np.unique(np.concatenate([unit, coarse]))


def poisson_bin_matrix(lower_edges, mean):
    r"""Poisson probability of each PE bin: rows are bins
    :math:`[e_i, e_{i+1})` of integer ``lower_edges`` (the last one open-ended), columns the
    means. Unit bins use the probability mass function (:func:`poisson_matrix`), wider ones
    differences of the Poisson CDF,
    :math:`P(n < e) = Q(e, \mu)` (regularised upper incomplete gamma, ``scipy.special.pdtr``).
    Each column sums to 1 exactly (the CDF differences telescope to 1 minus the unit bins).
    """
    e = np.asarray(lower_edges, dtype=float)
    mu = np.asarray(mean, dtype=float)
    widths = np.diff(e)
    k = int(np.argmax(widths > 1)) if np.any(widths > 1) else e.size  # unit bins 0..k-1
    out = np.empty((e.size, mu.size))
    out[:k] = poisson_matrix(k - 1, mu)
    if k == e.size:
        return out
    cdf = np.ones((e.size - k + 1, mu.size))  # P(n < e_i), i = k..end, then 1
    cdf[0] = np.minimum(out[:k].sum(axis=0), 1.0)
    reach = mu + 12.0 * np.sqrt(mu) + 10.0 >= e[k]  # columns with weight past the unit bins
    if np.any(reach):
        cdf[1:-1, reach] = special.pdtr(e[k + 1 :, None] - 1.0, mu[reach][None, :])
    np.maximum.accumulate(cdf, axis=0, out=cdf)
    out[k:] = np.diff(cdf, axis=0)
    return out


def gaussian_bin_matrix(edges, mean, sigma):
    """Probability that a Gaussian(mean, sigma) value lands in each bin of ``edges``."""
    sigma = np.maximum(np.asarray(sigma, dtype=float), 1e-9)
    z = np.subtract.outer(np.asarray(edges, dtype=float), np.asarray(mean, dtype=float))
    z /= sigma
    cdf = special.ndtr(z, out=z)
    return np.diff(cdf, axis=0)
