"""Jupyter widgets of the CEvNS explorer (ipywidgets controls + Bokeh figures).

Quick start::

    from cevns_widgets.widgets import Explorer
    Explorer()                      # the whole dashboard (COHERENT CsI 2017)

One figure linked to one control::

    from cevns_widgets.widgets import ScenarioModel, ThresholdControl, RecoilSpectrumFigure
    model = ScenarioModel("coherent-csi-2017")
    ipywidgets.VBox([ThresholdControl(model).widget, RecoilSpectrumFigure(model).widget])
"""

from .bokeh_setup import ensure_bokehjs, setup_notebook, wrap_figure
from .controls import (
    Control,
    ControlPanel,
    DistanceControl,
    ExposureControl,
    FormFactorControl,
    MassControl,
    PresetControl,
    QuenchingControl,
    ReactorControl,
    SolarModelControl,
    SupernovaControl,
    TargetControl,
    ThresholdControl,
    TimeWindowControl,
    TonneYearsControl,
)
from .explorer import Explorer
from .export import ExportPanel, python_snippet, spectrum_csv
from .figures import (
    ArrivalTimeFigure,
    BaseFigure,
    FluxFigure,
    FormFactorFigure,
    NSquaredFigure,
    ObservedSpectrumFigure,
    QuenchingFigure,
    ReactorFluxFigure,
    RecoilSpectrumFigure,
    SkyFluxFigure,
    SupernovaFluxFigure,
    ThresholdScanFigure,
)
from .model import ScenarioModel
from .readout import Readout

__all__ = [
    "ArrivalTimeFigure",
    "BaseFigure",
    "Control",
    "ControlPanel",
    "DistanceControl",
    "Explorer",
    "ExportPanel",
    "ExposureControl",
    "FluxFigure",
    "FormFactorControl",
    "FormFactorFigure",
    "MassControl",
    "NSquaredFigure",
    "ObservedSpectrumFigure",
    "PresetControl",
    "QuenchingControl",
    "QuenchingFigure",
    "ReactorControl",
    "ReactorFluxFigure",
    "Readout",
    "RecoilSpectrumFigure",
    "ScenarioModel",
    "SkyFluxFigure",
    "SolarModelControl",
    "SupernovaControl",
    "SupernovaFluxFigure",
    "TargetControl",
    "ThresholdControl",
    "ThresholdScanFigure",
    "TimeWindowControl",
    "TonneYearsControl",
    "ensure_bokehjs",
    "python_snippet",
    "setup_notebook",
    "spectrum_csv",
    "wrap_figure",
]
