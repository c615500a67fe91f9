"""Statistics on the released data: likelihood fits and live constraints.

* :func:`fit` -- the CEvNS count, its 68 % interval and significance, with the nuisances
  (``cevns fit --preset coherent-csi-2017``).
* :func:`nsi_scan` -- the profile-likelihood map over the nu_e vector NSI couplings
  (eps_ee^uV, eps_ee^dV).

Datasets: ``coherent-csi-2017`` (COHERENT, Science 357 (2017) 1123, arXiv:1708.01294; data
release arXiv:1804.09459, doi:10.5281/zenodo.1228631). The likelihood and its nuisance
parameters are described in :mod:`cevns_widgets.stats.csi2017`; the vectorised profile in
:mod:`cevns_widgets.stats._profile`. Minimisation: our own vectorised Newton iteration
(numpy) for the nuisances and :func:`scipy.optimize.brentq` for interval ends; no extra
dependency.
"""

from .fit import DATASETS, FitResult, fit
from .nsi import DELTA_CHI2_2DOF, NSIScan, basis_weights, nsi_scan

__all__ = [
    "DATASETS",
    "DELTA_CHI2_2DOF",
    "FitResult",
    "NSIScan",
    "basis_weights",
    "fit",
    "nsi_scan",
]
