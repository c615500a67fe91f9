"""What every lesson widget shares: a styled frame, named Bokeh sources, safe callbacks.

A lesson is one interactive composite for one notebook: a few controls, one or more Bokeh
figures and a readout. Like the explorer's figures it builds each figure once, gives every
``ColumnDataSource`` a ``name`` (browser tests read BokehJS data by that name) and updates a
source by assigning one new dict. A callback never raises: an error becomes a line of text
next to the controls (``message``), and the figures keep their last good data.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as W

from .. import messages
from ..bokeh_setup import ensure_bokehjs, wrap_figure
from ..controls import DESCRIPTION_WIDTH, Control, is_echo
from ..layout import fluid_box, mark_panels
from ..lifecycle import Closable
from ..messages import safe
from ..projector import ProjectorSwitch, projector_css
from ..style import new_figure
from ..ticks import slider_readout_format

__all__ = ["FieldSlider", "Lesson", "html_table", "safe", "sci", "slider", "table_widget"]

_SUPERSCRIPT_DIGITS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")

#: Scoped to lessons: projector-size widget text, tidy tables and message lines.
LESSON_STYLE = (
    """
<style>
.cevns-lesson { --jp-widgets-font-size: 14px; }
.cevns-lesson .widget-html-content, .cevns-lesson .jupyter-widget-html-content {
  line-height: 1.3; min-width: 0; }
.cevns-lesson .cevns-table-scroll { overflow-x: auto; max-width: 100%; }
.cevns-lesson table.cevns-table { border-collapse: collapse; font-size: 14px; margin: 2px 0; }
.cevns-lesson table.cevns-table th, .cevns-lesson table.cevns-table td {
  padding: 2px 10px; border-bottom: 1px solid #ddd; }
.cevns-lesson table.cevns-table tr.cevns-total td { font-weight: 700; border-top: 2px solid #888; }
"""
    + projector_css("cevns-lesson")
    + "</style>"
)


def slider(
    description: str,
    value,
    low: float,
    high: float,
    step: float,
    *,
    fmt: str = ".2f",
    tooltip: str = "",
    width: str = "400px",
    kind=W.FloatSlider,
    css: str = "",
    description_width: str = DESCRIPTION_WIDTH,
    **kwargs,
) -> W.Widget:
    """A slider styled like the explorer's controls (wide description column, live updates)."""
    if kind is W.FloatLogSlider:  # 3,520 rather than 3.52e+3
        fmt = slider_readout_format(10.0**low, 10.0**high, fmt)
    widget = kind(
        value=value,
        min=low,
        max=high,
        step=step,
        description=description,
        tooltip=tooltip,
        continuous_update=True,
        readout_format=fmt,
        style={"description_width": description_width},
        layout=W.Layout(width=width),
        **kwargs,
    )
    if css:
        widget.add_class(css)
    return widget


def sci(value: float, digits: int = 3) -> str:
    """A number in readable scientific notation: 1.57e-38 -> '1.57×10⁻³⁸'."""
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    power = int(exponent)
    if power == 0:
        return mantissa
    return f"{mantissa}×10{str(power).translate(_SUPERSCRIPT_DIGITS)}"


def html_table(
    header: list[str],
    rows: list[list[str]],
    *,
    total: list[str] | None = None,
    caption: str = "",
    align: str = "",
) -> str:
    """A small HTML table (cells are escaped by the caller where they hold user text).

    ``align`` has one letter per column, ``l`` or ``r`` (default: first left, others right).
    """
    align = align or "l" + "r" * (len(header) - 1)
    style = [f' style="text-align:{"left" if a == "l" else "right"}"' for a in align]

    def row(cells, tag="td"):
        return "".join(f"<{tag}{s}>{c}</{tag}>" for s, c in zip(style, cells, strict=True))

    head = row(header, "th")
    body = "".join(f"<tr>{row(r)}</tr>" for r in rows)
    if total:
        body += f'<tr class="cevns-total">{row(total)}</tr>'
    cap = f'<div style="font-weight:600;margin-top:4px">{caption}</div>' if caption else ""
    # a wide table scrolls sideways in a narrow column instead of sticking out of it
    table = f'<table class="cevns-table"><tr>{head}</tr>{body}</table>'
    return f'{cap}<div class="cevns-table-scroll">{table}</div>'


def table_widget(table_html: str, css: str) -> W.HTML:
    """An HTML widget for a table outside a lesson frame (it carries the lesson style)."""
    widget = W.HTML(LESSON_STYLE + table_html)
    widget.add_class("cevns-lesson")
    widget.add_class(css)
    return widget


class Lesson(messages.HasMessage, Closable):
    """Base class of the lesson composites.

    Attributes: ``widget`` (the top ``VBox`` to display; displaying the lesson shows it),
    ``figures`` (name -> Bokeh figure, the lesson's own and any explorer figure it reuses),
    ``sources`` (name -> ``ColumnDataSource``), ``views`` (name -> the ``BokehModel`` widget of
    each own figure) and ``message`` (an HTML line for errors and notes).

    ``close()`` (from :class:`~cevns_widgets.widgets.lifecycle.Closable`) frees every widget
    of the lesson, its Bokeh documents and its observers; a closed lesson ignores ``set``.
    """

    name = "lesson"

    def __init__(self):
        ensure_bokehjs()
        self.figures: dict[str, Any] = {}
        self.sources: dict[str, Any] = {}
        self.views: dict[str, Any] = {}
        self.message = messages.message_line()

    # --- settings -----------------------------------------------------------------------
    def set(self, **changes) -> bool:
        """Change settings as the controls do (each lesson's ``_set_state`` names them): a
        bad value shows one line in ``message`` and changes nothing. Returns whether the
        change was applied. A closed lesson changes nothing and returns False."""
        if self.closed:
            return False
        self._set_state_safely(**changes)
        return not self.error

    @safe
    def _set_state_safely(self, **changes):
        self._set_state(**changes)

    def _set_state(self, **changes):
        raise NotImplementedError(f"{type(self).__name__} has no settings to set")

    # --- building -----------------------------------------------------------------------
    def _figure(
        self,
        name: str,
        title: str,
        x_label: str,
        y_label: str,
        *,
        width: int,
        height: int,
        **kwargs,
    ):
        """A styled Bokeh figure (both labels carry units) registered under ``name``."""
        fig = new_figure(title, x_label, y_label, width=width, height=height, **kwargs)
        self.figures[name] = fig
        return fig

    def _source(self, name: str, data: dict):
        from bokeh.models import ColumnDataSource

        src = ColumnDataSource(data=data, name=name)
        self.sources[name] = src
        return src

    def _view(self, name: str):
        """The ``BokehModel`` widget of figure ``name`` (created once, after the first data)."""
        if name not in self.views:
            view = wrap_figure(self.figures[name])
            view.add_class(f"cevns-lesson-figure-{name}")
            self.views[name] = view
        return self.views[name]

    def _adopt(self, figure_obj) -> W.Widget:
        """Register an explorer figure (a ``BaseFigure``) and return its widget."""
        self.figures[figure_obj.name] = figure_obj.figure
        self.sources.update(figure_obj.sources)
        return figure_obj.widget

    def _reset_button(self, description: str, tooltip: str, layout: W.Layout) -> W.Button:
        """An undo button (class ``cevns-reset``) that calls the lesson's ``_on_reset``."""
        button = W.Button(description=description, icon="undo", tooltip=tooltip, layout=layout)
        button.add_class("cevns-reset")
        button.on_click(self._on_reset)
        return button

    def _frame(self, *rows: W.Widget) -> W.VBox:
        """The lesson's top box: full width (fluid, see :mod:`..layout`), the lesson style
        and a projector toggle (``self.projector``) at the top right."""
        box = fluid_box([])
        self.projector = ProjectorSwitch(box, lambda: self.figures.values())
        bar = W.HBox([self.projector.toggle], layout=W.Layout(justify_content="flex-end"))
        for row in (bar, *rows):
            mark_panels(row)
        style = W.HTML(LESSON_STYLE, layout=W.Layout(height="0px", margin="0"))
        box.children = (style, bar, *rows)
        box.add_class("cevns-lesson")
        box.add_class(f"cevns-lesson-{self.name}")
        return box

    # --- data and display ---------------------------------------------------------------
    def data(self, source: str) -> dict:
        """The current data of the named source (a copy of the dict)."""
        return dict(self.sources[source].data)

    @staticmethod
    def _set(obj, **props) -> None:
        """Set Bokeh properties only where they differ (each change is a patch message)."""
        for key, value in props.items():
            if getattr(obj, key) != value:
                setattr(obj, key, value)

    def show(self) -> None:
        from IPython.display import display

        display(self)

    def _repr_mimebundle_(self, **kwargs):
        if self.closed:
            return self._closed_bundle()
        ensure_bokehjs()
        return self.widget._repr_mimebundle_(**kwargs)


class FieldSlider(Control):
    """A slider bound to one numeric :class:`~cevns_widgets.Scenario` field of a model.

    ``scale`` is the unit the slider shows the field in (the field is ``slider value *
    scale``), e.g. ``scale=1e-10`` shows a magnetic moment in units of 1e-10 Bohr magnetons.
    When the field is None (the detector has no such setting) ``when_none`` is shown next to
    the slider; moving it sets the field (or shows why that is not allowed).
    """

    def __init__(
        self,
        model,
        field: str,
        description: str,
        *,
        low: float,
        high: float,
        step: float,
        scale: float = 1.0,
        fmt: str = ".3f",
        tooltip: str = "",
        log: bool = False,
        width: str = "400px",
        when_none: str = "",
    ):
        self.name = field.replace("_", "-")
        self.fields = (field,)
        self._field = field
        self._spec = dict(
            description=description,
            low=low,
            high=high,
            step=step,
            fmt=fmt,
            tooltip=tooltip,
            log=log,
            width=width,
        )
        self._scale = scale
        self._when_none = when_none
        super().__init__(model)

    def _build(self):
        spec = self._spec
        # a log slider's low and high are exponents; it starts at its lowest value either way
        log = dict(kind=W.FloatLogSlider, base=10) if spec["log"] else {}
        self.slider = slider(
            spec["description"],
            10 ** spec["low"] if spec["log"] else spec["low"],
            spec["low"],
            spec["high"],
            spec["step"],
            fmt=spec["fmt"],
            tooltip=spec["tooltip"],
            width=spec["width"],
            **log,
        )
        self.slider.add_class(f"cevns-{self.name}")
        self.slider.observe(self._on_value, names="value")
        return [self.slider]

    def _shown(self, scenario) -> float | None:
        value = getattr(scenario, self._field)
        return None if value is None else value / self._scale

    @safe
    def _on_value(self, change):
        shown = self._shown(self.model.scenario)
        if self._syncing or (shown is not None and is_echo(self.slider, change["new"], shown)):
            return
        value = float(f"{float(change['new']) * self._scale:.6g}")
        self._apply(**{self._field: value})

    def sync(self, scenario):
        shown = self._shown(scenario)
        if shown is None:
            if not self.error:
                self.show_info(self._when_none)
            return
        if not self.error:
            self.show_info("")
        low, high = self.slider.min, self.slider.max
        if isinstance(self.slider, W.FloatLogSlider):
            low, high = 10**low, 10**high
        value = float(min(max(shown, low), high))
        if abs(self.slider.value - value) > 1e-12 * max(1.0, abs(value)):
            self.slider.value = value
