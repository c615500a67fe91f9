"""Neutrino sources behind one interface (:class:`~.base.NeutrinoSource`), by name.

To add a source, write its module (spectra per component, fluence per exposure) and list
its ``SOURCE`` here.
"""

from __future__ import annotations

from . import reactor, sns
from .base import NeutrinoSource

#: Every source the scenario can name.
SOURCES: dict[str, NeutrinoSource] = {s.name: s for s in (sns.SOURCE, reactor.SOURCE)}
DEFAULT_SOURCE = "sns"


def get_source(name: str) -> NeutrinoSource:
    """The source called ``name``; an unknown name lists the choices."""
    try:
        return SOURCES[name]
    except KeyError:
        raise ValueError(f"unknown source {name!r}; choose one of {', '.join(SOURCES)}") from None
