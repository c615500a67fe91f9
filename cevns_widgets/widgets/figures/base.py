"""What every figure shares: build once, wrap in a BokehModel, update data in place.

A figure class builds its Bokeh figure and named ``ColumnDataSource`` objects once. On each new
:class:`~cevns_widgets.api.Result` it recomputes only the parts whose inputs changed (each part
has a key) and assigns ONE new dict to each source that changed: one patch message per source,
numpy arrays travel as binary buffers. It never re-shows the figure.
"""

from __future__ import annotations

import logging
from typing import Any

import ipywidgets as W
import numpy as np

from ...api import Result
from ..bokeh_setup import ensure_bokehjs, wrap_figure
from ..lifecycle import Closable

log = logging.getLogger(__name__)

__all__ = ["BaseFigure"]


class BaseFigure(Closable):
    """Base class of the explorer's figures.

    Args:
        model: a :class:`~cevns_widgets.widgets.ScenarioModel` to follow (the figure updates
            whenever its result changes). Without one, call :meth:`update` yourself.
        width, height: size in pixels (each class has defaults that fit the explorer).

    Attributes: ``figure`` (the Bokeh figure), ``sources`` (name -> ColumnDataSource),
    ``widget`` (the ``BokehModel`` to display), ``panel`` (the widget plus any ipywidgets
    toggles of this figure; what ``display(fig)`` shows), ``error`` (text of the last failed
    update; the figure then keeps its last good data), ``active`` (True by default; a
    container that hides the figure, like the explorer's tabs, sets it False and the figure
    then only remembers the newest result, drawing it when made active again).
    ``close()`` closes the widgets, releases the Bokeh document and stops following the
    model; a closed figure ignores updates (``update`` returns False).
    """

    default_width = 480
    default_height = 300

    def __init__(self, model=None, *, width: int | None = None, height: int | None = None):
        self.width = int(width or self.default_width)
        self.height = int(height or self.default_height)
        self.model = model
        self.sources: dict[str, Any] = {}
        self.error = ""
        self._keys: dict[str, Any] = {}
        self._result: Result | None = None
        self._pending: Result | None = None
        self._active = True
        self.figure = self._build()
        if model is not None:
            self.update(model.result)
        self.widget = wrap_figure(self.figure)
        self.widget.add_class(f"cevns-figure-{self.name}")
        if model is not None:
            model.observe(self._on_result, names="result")

    name = "figure"

    # --- to implement -------------------------------------------------------------------
    def _build(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def _update(self, result: Result) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    # --- public -------------------------------------------------------------------------
    @property
    def active(self) -> bool:
        return self._active

    @active.setter
    def active(self, value: bool) -> None:
        if self.closed:
            return
        self._active = bool(value)
        if self._active and self._pending is not None:
            pending, self._pending = self._pending, None
            self.update(pending)

    def update(self, result: Result) -> bool:
        """Show ``result``. Returns False (and sets ``error``) if it could not be drawn.

        While the figure is inactive the result is only remembered (drawn on activation).
        A closed figure draws nothing and returns False.
        """
        if self.closed:
            return False
        if not self._active:
            self._pending = result
            return True
        self._pending = None
        try:
            self._update(result)
        except Exception as exc:  # noqa: BLE001 -- keep the last good figure, never raise
            log.exception("could not update the %s figure", self.name)
            self.error = f"{type(exc).__name__}: {exc}"
            return False
        self._result = result
        self.error = ""
        return True

    @property
    def panel(self) -> W.Widget:
        return self.widget

    def data(self, source: str) -> dict[str, np.ndarray]:
        """The current data of the named source (a copy of the dict)."""
        return dict(self.sources[source].data)

    def _repr_mimebundle_(self, **kwargs):
        if self.closed:
            return self._closed_bundle()
        ensure_bokehjs()
        return self.panel._repr_mimebundle_(**kwargs)

    # --- helpers ------------------------------------------------------------------------
    def _on_result(self, change) -> None:
        self.update(change["new"])

    def _changed(self, part: str, key: Any) -> bool:
        """True (and remember ``key``) if ``part`` must be recomputed."""
        if part in self._keys and _equal(self._keys[part], key):
            return False
        self._keys[part] = key
        return True

    def _source(self, name: str, columns: dict[str, Any]):
        from bokeh.models import ColumnDataSource

        src = ColumnDataSource(data=columns, name=name)
        self.sources[name] = src
        return src

    def _send(self, name: str, columns: dict[str, Any]) -> None:
        """Put ``columns`` into the named source as ONE change event (one patch message).

        Columns equal to what the source already holds are left out of the event (each numpy
        column travels as a binary buffer, i.e. extra comm messages); if the column set or the
        length changes, the whole dict is replaced.
        """
        src = self.sources[name]
        current = src.data
        if set(columns) != set(current):
            src.data = columns
            return
        changed = {k: v for k, v in columns.items() if not _same_column(current[k], v)}
        if not changed:
            return
        lengths = {len(v) for v in columns.values()}
        if len(lengths) != 1 or len(changed) == len(columns):
            src.data = columns
        else:
            src.data.update(changed)

    @staticmethod
    def _set(obj, **props) -> None:
        """Set Bokeh properties only where they differ (each change is a patch message)."""
        for k, v in props.items():
            if getattr(obj, k) != v:
                setattr(obj, k, v)


def _same_column(a, b) -> bool:
    if a is b:
        return True
    try:
        a, b = np.asarray(a), np.asarray(b)
        return a.shape == b.shape and a.dtype == b.dtype and bool(np.array_equal(a, b))
    except Exception:  # noqa: BLE001 -- ragged or odd: treat as changed
        return False


def _equal(a, b) -> bool:
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 -- e.g. arrays: treat as changed
        return False
