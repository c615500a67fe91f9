"""The one interface every neutrino source implements, and what the rate fold needs of it.

A source is a set of *components* (the SNS: prompt nu_mu, delayed nu_e and anti-nu_mu; a
reactor: electron antineutrinos), each with a unit-normalised energy spectrum and a
fluence at the detector. The rate fold (:mod:`..rates`) caches recoil spectra per unit
fluence of each component, so a change of exposure, power or distance is a rescale; only
the inputs named in ``spectrum_fields`` (e.g. the fission fractions) recompute spectra.

Adding a source: write one module that builds a :class:`NeutrinoSource` and add it to the
registry in ``sources/__init__.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .oscillation import sterile_survival_probability


@dataclass(frozen=True)
class NeutrinoSource:
    """A neutrino source as the physics core sees it.

    Attributes:
        name: registry key, e.g. ``"sns"``, ``"reactor"``.
        label: a short human name.
        components: component keys in display order.
        component_labels: component -> human label (Unicode allowed).
        component_lepton: component -> ``"e"`` or ``"mu"`` (which NSI couplings apply).
        spectrum_fields: scenario fields the component spectra depend on.
        exposure_fields: scenario fields that set the fluence (a rescale only).
        spectra: ``spectra(*values of spectrum_fields)`` -> {component: spectrum}, each
            normalised to one neutrino (``spectrum.py`` types).
        fluence: ``fluence(scenario)`` -> {component: neutrinos per cm^2 at the detector}.
        distance_spread_m: Gaussian spread of the path length over which a sterile
            oscillation is averaged (source and detector size).
        flux_uncertainty: fractional uncertainty of the fluence normalisation, and
            ``flux_uncertainty_basis`` where it comes from.
        own_fields: every scenario field that only this source reads (exposure, spectrum
            and timing inputs); other sources' fields are not shown for it.
        time_profile: whether arrival-time windows apply (a pulsed source).
        component_uncertainties: ``f(scenario)`` -> {component: fractional flux
            uncertainty}, for a source whose components are known to different precision
            (the Sun); None: ``flux_uncertainty`` for all.
        uses_distance_m: whether the scenario's ``distance_m`` places the detector (False
            for the Sun, the sky and a supernova, whose distances are their own fields);
            a sterile oscillation needs it.
        grid_energies_MeV: neutrino energies whose largest recoils get a dense sub-grid of
            their own, for sources spanning decades in energy (pp to 8B, DSNB to 10 GeV).
    """

    name: str
    label: str
    components: tuple[str, ...]
    component_labels: Mapping[str, str]
    component_lepton: Mapping[str, str]
    spectrum_fields: tuple[str, ...]
    exposure_fields: tuple[str, ...]
    spectra: Callable[..., dict]
    fluence: Callable[[object], dict]
    distance_spread_m: float
    flux_uncertainty: float
    flux_uncertainty_basis: str
    own_fields: tuple[str, ...]
    time_profile: bool = False
    component_uncertainties: Callable[[object], dict] | None = None
    uses_distance_m: bool = True
    grid_energies_MeV: tuple[float, ...] = ()

    def spectrum_key(self, scenario) -> tuple:
        """The hashable inputs of this source's spectra, read from ``scenario``."""
        return tuple(getattr(scenario, f) for f in self.spectrum_fields)

    def spectra_at_detector(
        self, key: tuple, oscillation: tuple[float, float, float] | None = None
    ) -> dict:
        """Component spectra for ``key``; with ``oscillation`` = (distance_m, dm2_eV2,
        sin2_2theta), weighted by the averaged sterile survival probability."""
        base = self.spectra(*key)
        if oscillation is None:
            return base
        distance_m, dm2, s2 = oscillation

        def survival(e):
            return sterile_survival_probability(e, distance_m, dm2, s2, self.distance_spread_m)

        return {name: spec.scaled(survival) for name, spec in base.items()}
