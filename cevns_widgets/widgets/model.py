"""The state every control and figure shares: one validated scenario and its result.

``ScenarioModel`` is a traitlets object, so widgets ``observe`` it. A change goes through
:meth:`ScenarioModel.set`: the scenario is validated (``Scenario.replace``) and evaluated; on
failure nothing changes except ``error``, so the figures keep the last good result.
"""

from __future__ import annotations

import logging

from traitlets import Any, HasTraits, Instance, Unicode

from ..api import Result, evaluate
from ..physics.sources import SOURCES
from ..presets import DEFAULT_PRESET, get_preset
from ..scenario import Scenario, ScenarioError

log = logging.getLogger(__name__)

__all__ = ["ScenarioModel"]


#: The sources whose components the explorer's figures and readout know how to draw.
EXPLORER_SOURCES = ("sns", "reactor", "solar", "supernova", "diffuse")
#: The preset the explorer opens when the source control switches to a source...
SOURCE_PRESETS = {"sns": DEFAULT_PRESET, "reactor": "conus-plus-2025", "solar": "xenonnt-8b-2024"}
#: ... and, for a source without a preset, the scenario it opens: a tonne of xenon with a
#: 1 keVnr nuclear-recoil threshold (the S2-only reach of a xenon TPC; no efficiency curve),
#: a supernova at the conventional 10 kpc, or a year of atmospheric and DSNB neutrinos.
SOURCE_SCENARIOS = {
    "supernova": Scenario(
        source="supernova", target="Xe", mass_kg=1000.0, threshold=1.0, threshold_unit="keVnr"
    ),
    "diffuse": Scenario(
        source="diffuse",
        target="Xe",
        mass_kg=1000.0,
        live_days=365.25,
        threshold=1.0,
        threshold_unit="keVnr",
    ),
}
#: Labels of the source choice.
SOURCE_LABELS = {
    "sns": "SNS (pion decay at rest)",
    "reactor": "Nuclear reactor",
    "solar": "The Sun (solar neutrinos: pp, ⁷Be, CNO, pep, ⁸B, hep)",
    "supernova": "A core-collapse supernova (a ~10 s burst, all flavours)",
    "diffuse": "Atmospheric and diffuse supernova (DSNB) neutrinos",
}
assert set(EXPLORER_SOURCES) <= set(SOURCES)
assert set(EXPLORER_SOURCES) == set(SOURCE_PRESETS) | set(SOURCE_SCENARIOS)


def source_start(source: str) -> tuple[Scenario, str]:
    """The scenario the explorer opens for ``source`` and the name of its preset ('' for a
    source without one)."""
    if source in SOURCE_PRESETS:
        p = get_preset(SOURCE_PRESETS[source])
        return p.scenario, p.name
    return SOURCE_SCENARIOS[source], ""


def _checked_result(scenario: Scenario) -> Result:
    """Evaluate and touch the numbers that can still fail (threshold conversion)."""
    if scenario.source not in EXPLORER_SOURCES:
        raise ScenarioError(
            f"the explorer draws {', '.join(EXPLORER_SOURCES)} scenarios; for source "
            f"{scenario.source!r} use "
            f"cevns_widgets.expected_events(source={scenario.source!r}, ...) or "
            f"'cevns rate --source {scenario.source}'",
            "source",
        )
    result = evaluate(scenario)
    result.threshold_observable  # noqa: B018 -- raises ScenarioError for a bad unit
    result.events_total  # noqa: B018
    return result


def error_message(exc: BaseException) -> str:
    """A one-line human message for an exception raised by an input (never a traceback)."""
    if isinstance(exc, ScenarioError | ValueError):
        return str(exc)
    log.exception("unexpected error in a CEvNS widget callback")
    return f"could not compute this: {type(exc).__name__}: {exc}"


class ScenarioModel(HasTraits):
    """A scenario, its :class:`~cevns_widgets.api.Result` and the last input error.

    Args:
        preset: name of the preset to start from (``DEFAULT_PRESET``: COHERENT CsI 2017).
            Pass ``None`` with ``scenario`` to start elsewhere.
        scenario: a :class:`~cevns_widgets.Scenario` to start from instead of a preset.

    Traits (observe them): ``scenario``, ``result`` (always consistent with ``scenario``),
    ``error`` (text of the last rejected change, ``""`` after a good one) and ``preset``
    (the name of the preset the scenario came from, ``""`` if none; snippets are written
    relative to it).
    """

    scenario = Instance(Scenario)
    result = Instance(Result)
    error = Unicode("")
    preset = Unicode("")
    #: What the last change was ("preset", "json", or a control's name); informative only.
    last_change = Any(None)

    def __init__(self, preset: str | None = DEFAULT_PRESET, scenario: Scenario | None = None):
        super().__init__()
        if scenario is None:
            p = get_preset(preset or DEFAULT_PRESET)
            scenario, name = p.scenario, p.name
        else:
            name = preset or ""
        result = _checked_result(scenario)
        self.set_trait("preset", name)
        self.set_trait("scenario", scenario)
        self.set_trait("result", result)

    # --- changes ----------------------------------------------------------------------
    def set(self, **changes) -> bool:
        """Apply field changes (``Scenario`` field names). Returns True if accepted.

        On a bad value ``error`` holds the reason and the scenario and result stay as they were.
        """
        try:
            new = self.scenario.replace(**changes)
            result = _checked_result(new)
        except Exception as exc:  # noqa: BLE001 -- shown to the user, never raised in a widget
            self.error = error_message(exc)
            return False
        self._commit(new, result, "set")
        return True

    def set_scenario(
        self, scenario: Scenario, *, preset: str = "", source: str = "scenario"
    ) -> bool:
        """Replace the whole scenario (validated), e.g. one loaded from JSON."""
        try:
            if not isinstance(scenario, Scenario):
                raise ScenarioError(f"expected a Scenario, got {type(scenario).__name__}")
            result = _checked_result(scenario)
        except Exception as exc:  # noqa: BLE001
            self.error = error_message(exc)
            return False
        self._commit(scenario, result, source, preset=preset)
        return True

    def load_preset(self, name: str) -> bool:
        """Set every field from the preset ``name``."""
        try:
            p = get_preset(name)
        except ScenarioError as exc:
            self.error = str(exc)
            return False
        return self.set_scenario(p.scenario, preset=p.name, source="preset")

    def load_json(self, text: str) -> bool:
        """Load a scenario saved with ``Scenario.to_json`` (validated; errors go to ``error``)."""
        try:
            scenario = Scenario.from_json(text)
        except Exception as exc:  # noqa: BLE001
            self.error = error_message(exc)
            return False
        return self.set_scenario(scenario, preset="", source="json")

    def _commit(
        self, scenario: Scenario, result: Result, source: str, preset: str | None = None
    ) -> None:
        self.error = ""
        self.last_change = source
        # Every value is in place before any observer runs: observers of `preset` already see
        # the new scenario, and observers of `scenario` (the controls) a matching result.
        with self.hold_trait_notifications():
            if preset is not None:
                self.preset = preset
            if scenario != self.scenario:
                self.result = result
                self.scenario = scenario
