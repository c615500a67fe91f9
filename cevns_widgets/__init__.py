"""CEvNS Explorer: coherent elastic neutrino-nucleus scattering, interactive.

The physics lives in :mod:`cevns_widgets.physics` (numpy/scipy only); the widgets in
:mod:`cevns_widgets.widgets` are imported on demand so that the calculation API stays light.
"""

from .api import Result, evaluate, expected_events
from .presets import DEFAULT_PRESET, PRESETS, get_preset
from .scenario import Scenario, ScenarioError

__version__ = "0.1.0"
__all__ = [
    "DEFAULT_PRESET",
    "PRESETS",
    "Result",
    "Scenario",
    "ScenarioError",
    "evaluate",
    "expected_events",
    "get_preset",
]
