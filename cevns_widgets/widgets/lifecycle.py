"""Closing a composite (the explorer, a lesson): free its widgets, Bokeh documents and observers.

An ipywidget stays alive in ``ipywidgets.Widget.widgets`` (the registry of open comms) until it
is closed, and ``Box.close()`` does not close the children, their ``Layout`` or their
``Style``. A ``BokehModel`` keeps a JSON snapshot of its document (``render_bundle``) and is
registered as a listener of that document. A ``ScenarioModel`` keeps every observer, so a
shared model keeps a dropped explorer's figures alive and updating. Re-running a cell that
creates an explorer therefore leaked its ~300 widgets and several MiB each time.

:class:`Closable` gives ``close()`` to every composite here, in one place. ``close()`` walks
the object's attributes (through dicts, lists and tuples) to the objects of this package it is
made of (controls, figures, readout, export panel, ...), and then

* closes every widget found there and everything below it (children, ``layout``, ``style``,
  any widget-valued trait), drops the widgets' observers, click and message handlers;
* releases each ``BokehModel`` wrapper (its document listener, its document, its snapshot);
* removes, from each ``ScenarioModel`` (or other ``HasTraits``) reached, the observers that
  belong to the closed objects, including lambdas that refer to them, so a shared model stops
  calling into closed figures;
* forgets the Bokeh objects (figures, ``ColumnDataSource`` objects) the parts hold, so they
  can be collected even while the closed object itself is still referenced (IPython's ``Out``
  history keeps the last displayed object);
* marks every part closed: their update methods then return without doing anything.

``close()`` is idempotent and never raises.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from collections.abc import Iterable
from typing import Any

import ipywidgets as W
from traitlets import HasTraits

log = logging.getLogger(__name__)

__all__ = ["Closable", "close_object", "close_widgets", "widget_tree"]

#: Objects of these modules are the parts of a composite that ``close()`` walks into.
_PACKAGE = __name__.rsplit(".", 1)[0]  # cevns_widgets.widgets


def _is_bokeh_model(value: Any) -> bool:
    try:
        from bokeh.model import Model
    except ImportError:  # pragma: no cover - bokeh is a dependency
        return False
    return isinstance(value, Model)


def _items(value: Any) -> Iterable[Any]:
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, list | tuple | set | frozenset):
        return list(value)
    return ()


def widget_tree(*roots: Any) -> list[W.Widget]:
    """Every widget reachable from ``roots`` through widget-valued traits (``children``,
    ``layout``, ``style``, a ``Tab``'s children, ...), each once, parents first."""
    seen: dict[int, W.Widget] = {}
    stack = list(roots)
    while stack:
        value = stack.pop()
        if isinstance(value, W.Widget):
            if id(value) in seen:
                continue
            seen[id(value)] = value
            # the stored values only: reading a trait could build a default widget
            stack.extend(value._trait_values.values())
        else:
            stack.extend(_items(value))
    return list(seen.values())


def _clear_handlers(widget: W.Widget) -> None:
    """Drop what calls back into Python from a widget: observers, click, message and
    submit handlers (``CallbackDispatcher`` attributes)."""
    try:
        widget.unobserve_all()
    except Exception:  # noqa: BLE001 -- best effort, never raise from close()
        pass
    for value in list(vars(widget).values()):
        if isinstance(value, W.CallbackDispatcher):
            value.callbacks.clear()


def close_widgets(*roots: Any) -> int:
    """Close every widget of :func:`widget_tree` (``roots`` and all below them) and drop
    their handlers. Returns how many were open."""
    closed = 0
    for widget in widget_tree(*roots):
        was_open = widget.comm is not None
        try:
            widget.close()
        except Exception:  # noqa: BLE001 -- a half-built widget: still drop its handlers
            log.debug("could not close %r", widget, exc_info=True)
        _clear_handlers(widget)
        closed += was_open
    return closed


def _refers_to(handler: Any, owners: set[int], depth: int = 0) -> bool:
    """True if an observer ``handler`` belongs to one of ``owners`` (ids): a bound method of
    one, a partial or a closure (lambda) holding one."""
    if depth > 3 or handler is None:
        return False
    if id(handler) in owners or id(getattr(handler, "__self__", None)) in owners:
        return True
    if isinstance(handler, functools.partial):
        return any(
            _refers_to(v, owners, depth + 1)
            for v in (handler.func, *handler.args, *handler.keywords.values())
        )
    for cell in getattr(handler, "__closure__", None) or ():
        try:
            content = cell.cell_contents
        except ValueError:  # an empty cell
            continue
        if _refers_to(content, owners, depth + 1):
            return True
    return False


def _detach(model: HasTraits, owners: set[int]) -> int:
    """Remove from ``model`` every observer that belongs to ``owners``; returns how many."""
    removed = 0
    notifiers = getattr(model, "_trait_notifiers", {})
    for by_type in list(notifiers.values()):
        for kind, handlers in list(by_type.items()):
            keep = [h for h in handlers if not _refers_to(h, owners)]
            removed += len(handlers) - len(keep)
            by_type[kind] = keep
    return removed


def _parts(root: Any) -> tuple[list[Any], list[W.Widget], list[HasTraits]]:
    """(the parts reachable from ``root`` through attributes, dicts, lists and tuples: the
    :class:`Closable` objects and other helper objects of this package, but not its shared
    constants (dataclasses); the widgets they hold; the other ``HasTraits`` objects they hold,
    e.g. a ``ScenarioModel``)."""
    parts: dict[int, Any] = {}
    widgets: dict[int, W.Widget] = {}
    models: dict[int, HasTraits] = {}
    stack = [root]
    while stack:
        value = stack.pop()
        if isinstance(value, W.Widget):
            widgets.setdefault(id(value), value)
        elif isinstance(value, HasTraits):
            models.setdefault(id(value), value)
        elif isinstance(value, dict | list | tuple | set | frozenset):
            stack.extend(_items(value))
        elif (
            id(value) not in parts
            and hasattr(value, "__dict__")
            and (
                isinstance(value, Closable)
                or (
                    type(value).__module__.startswith(_PACKAGE)
                    and not dataclasses.is_dataclass(value)  # shared constants, not parts
                )
            )
        ):
            parts[id(value)] = value
            stack.extend(vars(value).values())
    return list(parts.values()), list(widgets.values()), list(models.values())


def _forget_bokeh(part: Any) -> None:
    """Drop a part's references to Bokeh objects (figures, sources, renderers)."""
    for name, value in list(vars(part).items()):
        if _is_bokeh_model(value):
            setattr(part, name, None)
        elif (
            isinstance(value, dict)
            and value
            and any(_is_bokeh_model(v) or isinstance(v, W.Widget) for v in value.values())
        ):
            value.clear()  # figures, sources, views, ...
        elif isinstance(value, list | tuple) and any(_is_bokeh_model(v) for v in value):
            setattr(part, name, type(value)())


def close_object(root: Any) -> None:
    """Close ``root`` and the parts it is made of (see the module's docstring)."""
    parts, widgets, models = _parts(root)
    owners = {id(p) for p in parts}
    closables = [p for p in parts if isinstance(p, Closable)]
    for part in closables:
        part.__dict__["_closed"] = True  # first: callbacks running from here on do nothing
    for model in models:
        try:
            _detach(model, owners | {id(w) for w in widgets})
        except Exception:  # noqa: BLE001 -- never raise from close()
            log.debug("could not detach observers from %r", model, exc_info=True)
    close_widgets(*widgets)
    for part in closables:
        _forget_bokeh(part)


class Closable:
    """Mixin: ``close()`` frees what the object made (widgets, Bokeh documents, observers).

    ``closed`` tells whether it was closed; update methods of a closed object do nothing.
    """

    _closed = False

    @property
    def closed(self) -> bool:
        return bool(self.__dict__.get("_closed", False))

    def close(self) -> None:
        """Close every widget of this object and stop it following its model (idempotent).

        The object cannot be displayed or updated afterwards: make a new one instead.
        """
        if self.closed:
            return
        try:
            close_object(self)
        except Exception:  # noqa: BLE001 -- close() never raises
            log.exception("could not close %s completely", type(self).__name__)
        self.__dict__["_closed"] = True

    def _closed_bundle(self) -> dict[str, str]:
        """What displaying a closed object shows (a line of text, no widget)."""
        name = type(self).__name__
        return {"text/plain": f"{name} (closed: create a new {name} to show it again)"}
