"""Bokeh figures of the explorer: each builds once and updates its named sources in place.

Each class takes an optional :class:`~cevns_widgets.widgets.ScenarioModel` to follow, and has
``.widget`` (a ``BokehModel``), ``.panel`` (widget plus its own toggles), ``.update(result)``
and ``.sources`` (name -> ``ColumnDataSource``).
"""

from .base import BaseFigure
from .flux import FluxFigure, ReactorFluxFigure, SkyFluxFigure, SupernovaFluxFigure
from .form_factor import FormFactorFigure
from .nsquared import NSquaredFigure
from .quenching import QuenchingFigure
from .spectra import ObservedSpectrumFigure, RecoilSpectrumFigure
from .threshold_scan import ThresholdScanFigure
from .timing import ArrivalTimeFigure

__all__ = [
    "ArrivalTimeFigure",
    "BaseFigure",
    "FluxFigure",
    "FormFactorFigure",
    "NSquaredFigure",
    "ObservedSpectrumFigure",
    "QuenchingFigure",
    "ReactorFluxFigure",
    "RecoilSpectrumFigure",
    "SkyFluxFigure",
    "SupernovaFluxFigure",
    "ThresholdScanFigure",
]
