"""Interactive pieces of the themed notebooks, one module per lesson (the notebooks stay thin).

Each lesson is one composite of controls, Bokeh figures and a readout; display it::

    from cevns_widgets.widgets.lessons import CrossSectionLesson
    CrossSectionLesson()

=====================  ===========================================  =====================
notebook               lesson                                       module
=====================  ===========================================  =====================
01 What is CEvNS       :class:`CrossSectionLesson`                  ``cross_section``
02 The SNS source      :class:`SourceLesson`                        ``source``
03 Seeing a recoil     :class:`DetectionLesson`                     ``detection``
04 The 2017 discovery  :class:`DiscoveryLesson`, ``subtraction_table``  ``discovery_2017``
05 Targets and design  :class:`DesignerLesson`, ``published_table``   ``design``
06 New physics         :class:`NewPhysicsLesson`                    ``new_physics``
07 Reactor CEvNS       :class:`ReactorLesson`, ``experiments_table``  ``reactor``
08 The neutrino fog    :class:`FogLesson`, ``prediction``            ``fog``
09 A supernova         :class:`SupernovaLesson`, ``detectors_table``  ``supernova``
10 What the data say   :class:`FitLesson`, :class:`NSIMapLesson`,   ``data_say``
                       :class:`PlannerLesson`, :class:`ProfilesLesson`
=====================  ===========================================  =====================

Every lesson has ``widget``, ``figures`` (name -> Bokeh figure), ``sources`` (name ->
``ColumnDataSource``) and ``message`` (where errors appear instead of tracebacks).
"""

from ._base import Lesson
from .cross_section import CrossSectionLesson
from .data_say import FitLesson, NSIMapLesson, PlannerLesson, ProfilesLesson
from .design import DesignerLesson, published_table
from .detection import DetectionLesson
from .discovery_2017 import DiscoveryLesson, subtraction_table
from .fog import FogLesson
from .new_physics import NewPhysicsLesson
from .reactor import (
    ReactorLesson,
    exercise_numbers,
    experiments_table,
    prediction_answer,
    quenching_question,
    story,
)
from .source import SourceLesson
from .supernova import SupernovaLesson

#: Every lesson class, in notebook order.
LESSONS = (
    CrossSectionLesson,
    SourceLesson,
    DetectionLesson,
    DiscoveryLesson,
    DesignerLesson,
    NewPhysicsLesson,
    ReactorLesson,
    FogLesson,
    SupernovaLesson,
    FitLesson,
    NSIMapLesson,
    PlannerLesson,
    ProfilesLesson,
)

__all__ = [
    "LESSONS",
    "CrossSectionLesson",
    "DesignerLesson",
    "DetectionLesson",
    "DiscoveryLesson",
    "FitLesson",
    "FogLesson",
    "Lesson",
    "NSIMapLesson",
    "NewPhysicsLesson",
    "PlannerLesson",
    "ProfilesLesson",
    "ReactorLesson",
    "SourceLesson",
    "SupernovaLesson",
    "experiments_table",
    "exercise_numbers",
    "prediction_answer",
    "published_table",
    "quenching_question",
    "story",
    "subtraction_table",
]
