"""Physical constants used by the physics core, each with its source.

Unit convention of the core: energies in MeV (neutrinos, nuclear masses) and keV
(nuclear recoils), lengths in fm (nuclear) and m (baselines), cross sections in cm^2.

CODATA values come from :mod:`scipy.constants`; particle masses and lifetimes from the
PDG tables shipped with the ``particle`` package.
"""

from __future__ import annotations

from particle import Particle
from scipy import constants as _sc

_CODATA = _sc.physical_constants

#: Fermi constant G_F / (hbar c)^3 in GeV^-2 (CODATA 2022).
G_FERMI_GeV2 = _CODATA["Fermi coupling constant"][0]
#: hbar c in MeV fm (CODATA 2022).
HBARC_MeV_fm = _CODATA["reduced Planck constant times c in MeV fm"][0]
#: (hbar c)^2 in GeV^2 cm^2: converts GeV^-2 to cm^2.
HBARC2_GeV2_cm2 = (HBARC_MeV_fm * 1e-3 * 1e-13) ** 2
#: Atomic mass unit in MeV (CODATA 2022).
AMU_MeV = _CODATA["atomic mass constant energy equivalent in MeV"][0]
#: Electron mass in MeV (CODATA 2022).
ELECTRON_MASS_MeV = _CODATA["electron mass energy equivalent in MeV"][0]
#: Fine-structure constant (CODATA 2022).
ALPHA_EM = _sc.fine_structure
#: Classical electron radius in cm (CODATA 2022); r_e^2 = alpha^2 (hbar c / m_e)^2.
ELECTRON_RADIUS_cm = _CODATA["classical electron radius"][0] * 100.0

#: Low-energy MS-bar weak mixing angle sin^2 theta_W(Q -> 0) (PDG 2024, Electroweak review).
#: Not scipy's "weak mixing angle" (0.22305), which is the on-shell 1 - m_W^2/m_Z^2.
SIN2W_LOW_ENERGY = 0.23857
#: The value used by SNOwGLoBES cross-section tables (for validation only).
SIN2W_SNOWGLOBES = 0.231

#: Radiatively corrected nucleon vector couplings (PDG Electroweak review; Erler & Su,
#: Prog. Part. Nucl. Phys. 71 (2013) 119), normalised so that tree level is 1/2 - 2 s_W^2, -1/2.
GV_PROTON_RADIATIVE = 0.0298
GV_NEUTRON_RADIATIVE = -0.5117

_PION = Particle.from_pdgid(211)
_MUON = Particle.from_pdgid(-13)
#: Charged pion mass in MeV (PDG, via ``particle``).
PION_MASS_MeV = float(_PION.mass)
#: Muon mass in MeV (PDG, via ``particle``).
MUON_MASS_MeV = float(_MUON.mass)
#: Charged pion lifetime in microseconds (PDG: 26.03 ns).
PION_LIFETIME_us = float(_PION.lifetime) * 1e-3
#: Muon lifetime in microseconds (PDG: 2.197 us).
MUON_LIFETIME_us = float(_MUON.lifetime) * 1e-3

#: Prompt nu_mu energy from pi+ decay at rest, (m_pi^2 - m_mu^2) / (2 m_pi) = 29.79 MeV.
PROMPT_NU_ENERGY_MeV = (PION_MASS_MeV**2 - MUON_MASS_MeV**2) / (2.0 * PION_MASS_MeV)
#: Endpoint of the Michel spectra from mu+ decay at rest, m_mu / 2 = 52.83 MeV.
MICHEL_ENDPOINT_MeV = MUON_MASS_MeV / 2.0

#: Joules per GeV (exact, SI 2019).
J_PER_GeV = _sc.electron_volt * 1e9
#: Joules per GWh.
J_PER_GWh = 3.6e12
#: Seconds per day.
S_PER_DAY = 86400.0
