"""Neutrino sources behind one interface (:class:`~.base.NeutrinoSource`), by name.

To add a source, write its module (spectra per component, fluence per exposure) and list
its ``SOURCE`` here.
"""

from __future__ import annotations

from . import diffuse, reactor, sns, solar, supernova
from .base import NeutrinoSource

#: Every source the scenario can name.
SOURCES: dict[str, NeutrinoSource] = {
    s.name: s for s in (sns.SOURCE, reactor.SOURCE, solar.SOURCE, diffuse.SOURCE, supernova.SOURCE)
}
DEFAULT_SOURCE = "sns"

#: Inputs that a source at astronomical distance does not read: its distance is fixed (the
#: Sun) or its own field (a supernova), and a sterile oscillation averages out long before.
DISTANCE_FIELDS = ("distance_m", "sterile_dm2_eV2", "sterile_sin2_2theta")


def get_source(name: str) -> NeutrinoSource:
    """The source called ``name``; an unknown name lists the choices."""
    try:
        return SOURCES[name]
    except KeyError:
        raise ValueError(f"unknown source {name!r}; choose one of {', '.join(SOURCES)}") from None


def foreign_fields(name: str) -> dict[str, str]:
    """Scenario fields that source ``name`` does not read, each with the source(s) that do:
    other sources' own inputs (``pot`` for a reactor), and the distance for the sky."""
    source = get_source(name)
    owners: dict[str, list[str]] = {}
    for other in SOURCES.values():
        for field in other.own_fields:
            if field not in source.own_fields and other is not source:
                owners.setdefault(field, []).append(repr(other.name))
    out = {
        field: "source "
        + (" or ".join(names) if len(names) < 3 else ", ".join(names[:-1]) + " or " + names[-1])
        for field, names in owners.items()
    }
    if not source.uses_distance_m:
        for field in DISTANCE_FIELDS:
            out[field] = "a source at a distance set in metres (sns, reactor)"
    return out
