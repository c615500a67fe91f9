"""Projector mode: text that reads from the back of a classroom.

Every dashboard and lesson has a "projector" toggle. On, it sets tick labels and legends to
18 px or more, axis labels to 20 px, other plot text 25 % larger (titles stay 16 px bold:
larger, they would be cut above a narrow plot), and zooms the controls, readouts, tables
and tabs by 25 % (no widget text under 16 px); off, it puts every size back.

The default comes from the environment, so a teacher can open a Voila app already in
projector mode: ``?projector=1`` in the Voila URL (Voila hands the query string to the kernel
as ``$QUERY_STRING``) or ``CEVNS_PROJECTOR=1`` for a whole server (``make app``, Binder).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from urllib.parse import parse_qs

import ipywidgets as W

__all__ = ["ENV_VAR", "ProjectorSwitch", "projector_css", "projector_default"]

ENV_VAR = "CEVNS_PROJECTOR"
_TRUE = {"1", "true", "yes", "on", ""}

#: Smallest sizes (px) in projector mode, per kind of Bokeh text.
TICK_PX = LEGEND_PX = 18
AXIS_LABEL_PX = 20
TITLE_PX = 16  # bold; a larger title would be cut above a narrow plot
OTHER_TEXT_PX = 16
#: Other plot text (annotations, labels) grows by this factor.
SCALE = 1.25
#: Figures grow this much taller, so the larger text does not squeeze the data.
HEIGHT_SCALE = 1.15
#: Controls, readouts and tables grow by this factor: the smallest widget text (13 px)
#: becomes 16 px.
WIDGET_ZOOM = 1.25

# The Bokeh text-size properties and the least size of each in projector mode.
_TEXT_PROPS = {
    "major_label_text_font_size": TICK_PX,
    "axis_label_text_font_size": AXIS_LABEL_PX,
    "label_text_font_size": LEGEND_PX,
    "title_text_font_size": LEGEND_PX,
    "text_font_size": OTHER_TEXT_PX,
}
# Legend rows must grow with their text or the labels overlap.
_LEGEND_SPACING = ("label_height", "glyph_height", "glyph_width")

_SIZE = re.compile(r"^\s*([0-9.]+)\s*(px|pt|em)\s*$")


def projector_default(environ: dict[str, str] | None = None) -> bool:
    """Whether widgets open in projector mode: ``$CEVNS_PROJECTOR`` set to a true value, or
    ``projector`` (``=1``, ``=true`` or bare) in Voila's ``$QUERY_STRING``; an explicit
    ``projector=0`` in the URL wins over the environment variable."""
    env = os.environ if environ is None else environ
    query = parse_qs(env.get("QUERY_STRING", ""), keep_blank_values=True)
    if "projector" in query:
        return query["projector"][-1].strip().lower() in _TRUE
    return env.get(ENV_VAR, "").strip().lower() in _TRUE - {""}


def _px(size) -> float | None:
    """A CSS size string ('11pt', '14px', '1.2em') in px, or None if not a plain size."""
    if not isinstance(size, str):
        return None
    match = _SIZE.match(size)
    if not match:
        return None
    value, unit = float(match.group(1)), match.group(2)
    return value * {"px": 1.0, "pt": 4.0 / 3.0, "em": 16.0}[unit]


def _projector_size(prop: str, original, *, title: bool = False) -> str | None:
    px = _px(original)
    if px is None:
        return None
    if title:  # a figure's title: long ones must still fit above a narrow plot
        return f"{max(TITLE_PX, round(px))}px"
    least = _TEXT_PROPS[prop]
    grown = px * SCALE if prop == "text_font_size" else px
    return f"{max(least, round(grown))}px"


def projector_css(scope: str) -> str:
    """CSS that enlarges the widgets inside ``.{scope}.cevns-projector``.

    Controls, readouts and tables (each box marked ``cevns-panel`` by the fluid layout, not
    again inside another, and the tab bars) are zoomed by ``WIDGET_ZOOM``: their text grows
    from 13-14 px to 16-18 px with the boxes around it, so no label is cut short; the
    figures next to them take what width is left. Bokeh figures are not zoomed: their text
    is restyled through Bokeh (sharp at any size).
    """
    root = f".{scope}.cevns-projector"
    return f"""
{root} .cevns-panel, {root} .lm-TabBar, {root} .p-TabBar {{ zoom: {WIDGET_ZOOM}; }}
{root} .cevns-panel .cevns-panel {{ zoom: 1; }}
"""


class ProjectorSwitch:
    """The projector toggle of one dashboard or lesson.

    Args:
        root: the top widget box; it gets the CSS class ``cevns-projector`` while on.
        figures: called at each toggle, returns the Bokeh figures to restyle (figures made
            after the switch was turned on are restyled at the next toggle).
        value: start on (default: :func:`projector_default`).

    ``toggle`` is the ``ToggleButton`` (class ``cevns-projector-toggle``) to put in the
    layout; ``value`` reads or sets the mode.
    """

    def __init__(
        self,
        root: W.Box,
        figures: Callable[[], Iterable],
        *,
        value: bool | None = None,
    ):
        self._root = root
        self._figures = figures
        self._originals: dict[tuple[str, str], object] = {}
        self.toggle = W.ToggleButton(
            value=False,
            description="projector",
            icon="television",
            tooltip="Larger text for a projector or a big screen (?projector=1 in a Voila URL)",
            layout=W.Layout(width="auto", flex="0 0 auto"),
        )
        self.toggle.add_class("cevns-projector-toggle")
        self.toggle.observe(self._on_toggle, names="value")
        if projector_default() if value is None else value:
            self.toggle.value = True

    @property
    def value(self) -> bool:
        return bool(self.toggle.value)

    @value.setter
    def value(self, on: bool) -> None:
        self.toggle.value = bool(on)

    def _on_toggle(self, change) -> None:
        on = bool(change["new"])
        if on:
            self._root.add_class("cevns-projector")
        else:
            self._root.remove_class("cevns-projector")
        for fig in self._figures():
            self._restyle(fig, on)

    def _restyle(self, fig, on: bool) -> None:
        """Projector sizes for every text of ``fig`` (on), or the remembered ones (off)."""
        from bokeh.models import Title

        for model in fig.references():
            props = model.properties()
            title = isinstance(model, Title)
            for prop in _TEXT_PROPS:
                if prop in props:
                    self._switch(
                        model, prop, on, lambda p, v, t=title: _projector_size(p, v, title=t)
                    )
            if "label_text_font_size" in props:
                for prop in _LEGEND_SPACING:
                    self._switch(model, prop, on, lambda _p, v: max(int(v), LEGEND_PX + 4))
        self._switch(fig, "height", on, lambda _p, v: round(v * HEIGHT_SCALE))

    def _switch(self, model, prop: str, on: bool, grow) -> None:
        key = (model.id, prop)
        if on:
            original = self._originals.get(key, getattr(model, prop))
            if not isinstance(original, str | int | float):
                return
            new = grow(prop, original)
            if new is None:
                return
            self._originals[key] = original
        elif key in self._originals:
            new = self._originals[key]
        else:
            return
        if getattr(model, prop) != new:
            setattr(model, prop, new)
