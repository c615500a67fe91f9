"""Fluid layouts: dashboards and lessons that fit the screen they are on (about 800-1920 px).

Every figure stretches to the width it is given (``sizing_mode="stretch_width"`` with a
least width, see :func:`~cevns_widgets.widgets.style.new_figure`) and keeps its height.
A :func:`fluid_row` shares its width between its figures in proportion to their natural
widths and wraps them onto the next line only when they would get narrower than their
least width; controls keep their own width. A :func:`fluid_box` is the outermost box: the
whole width of the notebook or Voila page. :func:`mark_panels` marks the controls and text
that projector mode zooms (:mod:`.projector`).
"""

from __future__ import annotations

import ipywidgets as W

__all__ = [
    "basis_px",
    "fluid_box",
    "fluid_row",
    "mark_panels",
    "min_width_px",
    "set_row_children",
]

#: A figure never gets narrower than this (px); at 1920 px the figures share the width.
MIN_FIGURE_PX = 280
#: An HTML text without a width of its own (a readout) wraps onto its own line below
#: this (px).
TEXT_BASIS_PX = 320


def basis_px(widget: W.Widget) -> int:
    """The natural width (px) of a figure view, of a box of figures, or 0 for anything
    else (controls, text): what a row shares its width in proportion to."""
    basis = getattr(widget, "basis_px", None)
    if basis is not None:
        return int(basis)
    if isinstance(widget, W.Box):
        widths = [basis_px(child) for child in widget.children]
        if isinstance(widget, W.HBox):
            return sum(widths)
        return max(widths, default=0)
    return 0


def min_width_px(widget: W.Widget) -> int:
    """The least width (px) a figure view or a box of figures can take."""
    least = getattr(widget, "min_width_px", None)
    if least is not None:
        return int(least)
    if isinstance(widget, W.Box):
        return max((min_width_px(child) for child in widget.children), default=0)
    return 0


def fluid_row(*children: W.Widget, **layout) -> W.HBox:
    """A row that shares its width between the figures in it and wraps when narrow.

    A figure (or a box holding figures) grows and shrinks from its natural width down to
    its least width, a fixed-width box of controls keeps its width, and text without a
    width takes what is left (wrapping). Keyword arguments go to the row's ``Layout``.
    """
    layout = {"flex_flow": "row wrap", "width": "100%", "align_items": "flex-start", **layout}
    row = W.HBox(layout=W.Layout(**layout))
    set_row_children(row, *children)
    return row


def set_row_children(row: W.HBox, *children: W.Widget) -> None:
    """Put ``children`` into a :func:`fluid_row` (e.g. another source's flux figure)."""
    for child in children:
        basis = basis_px(child)
        if basis:
            # grow in proportion to the natural width; wrap only below the least width
            least = min_width_px(child)
            child.layout.flex = f"{basis} 1 {least}px"
            child.layout.min_width = f"{least}px"
            child.layout.width = None
        elif child.layout.flex is None:
            # controls keep their width; a text without one (a readout) takes the rest of
            # the line and wraps
            text = isinstance(child, W.HTML) and not child.layout.width
            child.layout.flex = f"1 1 {TEXT_BASIS_PX}px" if text else "0 0 auto"
        mark_panels(child)
    row.children = tuple(children)


def mark_panels(widget: W.Widget) -> None:
    """Mark the controls and text in ``widget`` that projector mode zooms: ``widget``
    itself if it holds no figure, else each part of it that holds none."""
    if not basis_px(widget):
        widget.add_class("cevns-panel")
    elif isinstance(widget, W.Box):
        for child in widget.children:
            mark_panels(child)


def fluid_box(children, **layout) -> W.VBox:
    """The outermost box of a dashboard or lesson: the full width of the page."""
    layout = {"width": "100%", "max_width": "1920px", **layout}
    return W.VBox(list(children), layout=W.Layout(**layout))
