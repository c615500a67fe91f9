"""What a scenario's numbers rest on: the preset it still matches (if any), the detector
response it uses, and which uncertainty budget applies.

A preset's published numbers and its uncertainty budget belong to that preset's own
analysis. Once any input differs (target, mass, response, window, ...) the scenario is
*custom*: no published line, no borrowed budget, and the response is named so that, say,
the CsI[Na] 2017 light yield and efficiency on a xenon target is visible.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from functools import lru_cache

from .physics.nuclei import make_target
from .physics.response import QUENCHING_LABELS
from .physics.sources import get_source
from .scenario import Scenario, inapplicable_fields

#: Said of a custom scenario's uncertainty, after the source's flux basis.
CUSTOM_NOTE = "detector and analysis systematics are not included"


#: Scenario fields that make up the detector response.
RESPONSE_FIELDS = (
    "quenching",
    "quenching_factor",
    "lindhard_k",
    "light_yield_PE_per_keVee",
    "resolution_a",
    "noise_sigma_keVee",
    "efficiency",
    "pe_smearing",
)

EFFICIENCY_LABELS = {
    "none": "perfect efficiency",
    "csi-2017": "CsI[Na] 2017 acceptance",
    "csi-2021": "CsI[Na] 2021 efficiency",
    "lar-2020": "CENNS-10 2020 acceptance",
    "xenonnt-8b-2024": "XENONnT 2024 8B acceptance (SR0+SR1)",
}
#: The target each dataset-specific response piece was measured for.
_EFFICIENCY_TARGET = {
    "csi-2017": "CsI",
    "csi-2021": "CsI",
    "lar-2020": "Ar",
    "xenonnt-8b-2024": "Xe",
}
_SMEARING_TARGET = {"gamma-csi-2021": "CsI"}


@dataclass(frozen=True)
class Provenance:
    """What :func:`describe` finds out about a scenario."""

    preset: str | None  # the preset it started from
    custom: bool  # True unless every input equals that preset's
    changed: tuple[str, ...]  # fields that differ from the preset
    response_label: str
    response_warning: str | None  # a response applied to a target it was not made for
    uncertainty_components: dict
    uncertainty_basis: str

    @property
    def status(self) -> str:
        """One line: ``preset NAME``, or ``custom (based on NAME; changed: ...)``."""
        if not self.custom:
            return f"preset {self.preset}"
        if self.preset is None:
            return "custom"
        shown = ", ".join(self.changed[:4]) + (", ..." if len(self.changed) > 4 else "")
        return f"custom (based on {self.preset}; changed: {shown})"

    def to_dict(self) -> dict:
        return {
            "status": self.status,
            "custom": self.custom,
            "based_on_preset": self.preset,
            "changed": list(self.changed),
            "response": self.response_label,
            "response_warning": self.response_warning,
        }


def changed_fields(a: Scenario, b: Scenario) -> tuple[str, ...]:
    """Fields (other than ``preset`` and those ``a`` ignores) in which two scenarios
    differ; floats to 1e-9."""
    out = []
    ignored = inapplicable_fields(a)
    for f in fields(Scenario):
        if f.name == "preset" or f.name in ignored:
            continue
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, float) and isinstance(y, float):
            if not math.isclose(x, y, rel_tol=1e-9, abs_tol=0.0):
                out.append(f.name)
        elif x != y:
            out.append(f.name)
    return tuple(out)


def describe(scenario: Scenario) -> Provenance:
    """The :class:`Provenance` of ``scenario``."""
    from .presets import PRESETS

    name = scenario.preset
    changed: tuple[str, ...] = ()
    custom = True
    if name is not None:
        changed = changed_fields(scenario, PRESETS[name].scenario)
        custom = bool(changed)
    source = get_source(scenario.source)
    flux = {"flux": source.flux_uncertainty}
    if not custom and PRESETS[name].uncertainty:
        budget = PRESETS[name].uncertainty
        components, basis = dict(budget["components"]), budget["basis"]
    elif not custom:
        components = flux
        basis = (
            f"{PRESETS[name].short_title}: no published prediction budget; flux "
            f"normalisation only: {source.flux_uncertainty_basis}"
        )
    else:
        components = flux
        basis = f"custom scenario: flux normalisation only ({source.flux_uncertainty_basis}); "
        basis += CUSTOM_NOTE
    label, warning = _response_description(scenario)
    return Provenance(name, custom, changed, label, warning, components, basis)


def _response_key(s: Scenario) -> tuple:
    return tuple(getattr(s, f) for f in RESPONSE_FIELDS)


def _response_owner(s: Scenario):
    """The COHERENT preset whose detector response ``s`` uses, if any."""
    from .presets import PRESETS

    key = _response_key(s)
    for p in PRESETS.values():
        ps = p.scenario
        if p.name.startswith("coherent-") and ps.efficiency != "none" and _response_key(ps) == key:
            return p
    return None


def _response_description(s: Scenario) -> tuple[str, str | None]:
    parts = [_quenching_text(s)]
    if s.light_yield_PE_per_keVee is not None:
        stats = "gamma-smeared" if s.pe_smearing != "poisson" else "Poisson"
        parts.append(f"{s.light_yield_PE_per_keVee:g} PE/keVee ({stats})")
    if s.resolution_a is not None:
        parts.append(f"resolution {s.resolution_a:g} sqrt(E/keVee)")
    if s.noise_sigma_keVee is not None:
        parts.append(f"noise sigma {1e3 * s.noise_sigma_keVee:g} eVee")
    parts.append(EFFICIENCY_LABELS[s.efficiency])
    details = ", ".join(parts)
    owner = _response_owner(s)
    if owner is not None:
        label = f"{owner.short_title} detector response ({details})"
        if _elements(owner.scenario.target) != _elements(s.target):
            return label, (
                f"the {owner.short_title} detector response (made for "
                f"{owner.scenario.target}) is applied to {s.target}"
            )
        return label, None
    if s.quenching == "none" and s.efficiency == "none" and not s.response.smeared:
        return "bare nuclear-recoil counter (no quenching, perfect efficiency)", None
    foreign = [
        f"{label} (made for {made_for})"
        for label, made_for in (
            (EFFICIENCY_LABELS.get(s.efficiency), _EFFICIENCY_TARGET.get(s.efficiency)),
            ("CsI 2021 gamma PE smearing", _SMEARING_TARGET.get(s.pe_smearing)),
        )
        if made_for is not None and _elements(made_for) != _elements(s.target)
    ]
    warning = f"{' and '.join(foreign)} applied to {s.target}" if foreign else None
    return details, warning


def _quenching_text(s: Scenario) -> str:
    if s.quenching == "none":
        return "no quenching (keVnr)"
    if s.quenching == "constant":
        return f"quenching factor {s.quenching_factor:g}"
    if s.quenching == "lindhard":
        k = "k from Z and A" if s.lindhard_k is None else f"k = {s.lindhard_k:g}"
        return f"Lindhard quenching ({k})"
    return f"{QUENCHING_LABELS[s.quenching]} quenching"


@lru_cache(maxsize=256)
def _elements(target: str) -> frozenset:
    return frozenset(iso.Z for iso in make_target(target).isotopes)
