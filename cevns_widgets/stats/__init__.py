"""Statistics on the released data: likelihood fits and live constraints.

* :func:`fit` -- the CEvNS count, its 68 % interval and significance, with the nuisances
  (``cevns fit --preset coherent-csi-2017``).
* :func:`nsi_scan` -- the profile-likelihood map over the nu_e vector NSI couplings
  (eps_ee^uV, eps_ee^dV), for CsI 2017, LAr 2020 or both.
* :func:`profile` -- 1-D profile likelihoods of sin^2 theta_W, the neutron radius (skin)
  and the neutrino magnetic moment, with 68 % / 90 % intervals (``cevns profile``), and
  :func:`sterile_scan`, the (Delta m^2, sin^2 2theta) map of a 3+1 sterile neutrino
  (:mod:`cevns_widgets.stats.profiles`); :func:`fc_profile`, their Feldman-Cousins
  intervals from toys on local cores or a Dask cluster (:mod:`cevns_widgets.stats.fc`).
* :func:`fog_map`, :func:`discovery_limit` -- the neutrino fog of dark-matter searches
  (O'Hare, PRL 127 (2021) 251802): WIMP discovery limits against the solar, atmospheric
  and DSNB CEvNS backgrounds with their flux uncertainties, and the fog index.

Datasets: ``coherent-csi-2017`` (COHERENT, Science 357 (2017) 1123, arXiv:1708.01294; data
release arXiv:1804.09459, doi:10.5281/zenodo.1228631), likelihood in
:mod:`cevns_widgets.stats.csi2017`, vectorised profile in :mod:`cevns_widgets.stats._profile`;
``coherent-lar-2020`` (COHERENT, PRL 126 (2021) 012002, arXiv:2003.10630; release
arXiv:2006.12659, doi:10.5281/zenodo.3903810), the release's 3-D PDFs and shape
systematics in :mod:`cevns_widgets.stats.lar2020`; ``coherent-csi-2021`` (COHERENT, PRL 129
(2022) 081801, arXiv:2110.07730, and its release), the selected events with the release's
neutron PDFs in :mod:`cevns_widgets.stats.csi2021`. The NSI scan and the profiles use CsI
2017, LAr 2020 or their combination (``coherent-csi-2017+coherent-lar-2020``).
Minimisation: our own vectorised Newton iteration (numpy) for the CsI nuisances,
scipy's L-BFGS-B for LAr, and :func:`scipy.optimize.brentq` for interval ends; no extra
dependency.
"""

from .fc import FCResult, fc_profile
from .fit import DATASETS, FitResult, fit
from .fog import FogMap, discovery_limit, fog_index, fog_map
from .nsi import DELTA_CHI2_2DOF, NSIScan, basis_weights, nsi_scan
from .profiles import (
    DELTA_CHI2_1DOF,
    PARAMETERS,
    PROFILE_DATASETS,
    ProfileResult,
    SterileScan,
    profile,
    sterile_scan,
)

__all__ = [
    "DATASETS",
    "DELTA_CHI2_1DOF",
    "FCResult",
    "PARAMETERS",
    "PROFILE_DATASETS",
    "ProfileResult",
    "SterileScan",
    "fc_profile",
    "profile",
    "sterile_scan",
    "FogMap",
    "discovery_limit",
    "fog_index",
    "fog_map",
    "DELTA_CHI2_2DOF",
    "FitResult",
    "NSIScan",
    "basis_weights",
    "fit",
    "nsi_scan",
]
