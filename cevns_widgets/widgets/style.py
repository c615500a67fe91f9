"""Look and feel shared by every figure: colour-blind-safe colours, projector-size fonts.

Colours are Okabe & Ito's palette (safe for the common colour-vision deficiencies); each
flavour also has its own dash pattern, so the curves stay distinguishable in greyscale.
"""

from __future__ import annotations

from typing import Any

from ..physics.sources.sns import FLAVOR_LABELS, FLAVORS

#: Okabe-Ito colours.
BLUE, ORANGE, GREEN, VERMILION = "#0072B2", "#E69F00", "#009E73", "#D55E00"
SKY, PURPLE, YELLOW, BLACK, GREY = "#56B4E9", "#CC79A7", "#F0E442", "#000000", "#6E6E6E"

FLAVOR_COLORS = {"prompt_numu": BLUE, "delayed_nue": ORANGE, "delayed_numubar": GREEN}
FLAVOR_DASHES = {"prompt_numu": "solid", "delayed_nue": "dashed", "delayed_numubar": "dashdot"}
TOTAL_COLOR = BLACK
HIGHLIGHT_COLOR = VERMILION
SHADE_COLOR = GREY

__all__ = [
    "FLAVORS",
    "FLAVOR_COLORS",
    "FLAVOR_DASHES",
    "FLAVOR_LABELS",
    "HIGHLIGHT_COLOR",
    "SHADE_COLOR",
    "TOTAL_COLOR",
    "add_current_star",
    "flavor_line_style",
    "flavor_tooltips",
    "new_figure",
]

AXIS_LABEL_SIZE = "13pt"
TICK_LABEL_SIZE = "11pt"
TITLE_SIZE = "12pt"
LEGEND_SIZE = "10pt"
TOOLS = "pan,wheel_zoom,box_zoom,reset,save"


def new_figure(
    title: str,
    x_label: str,
    y_label: str,
    *,
    width: int,
    height: int,
    tools: str = TOOLS,
    **kwargs: Any,
):
    """A styled Bokeh figure of a fixed size; both axis labels must carry their units."""
    from bokeh.plotting import figure

    fig = figure(
        title=title, width=width, height=height, tools=tools, toolbar_location="right", **kwargs
    )
    fig.toolbar.autohide = True
    fig.toolbar.logo = None
    fig.title.text_font_size = TITLE_SIZE
    fig.title.text_font_style = "bold"
    fig.xaxis.axis_label = x_label
    fig.yaxis.axis_label = y_label
    for axis in (*fig.xaxis, *fig.yaxis):
        axis.axis_label_text_font_size = AXIS_LABEL_SIZE
        axis.axis_label_text_font_style = "normal"
        axis.major_label_text_font_size = TICK_LABEL_SIZE
    fig.min_border_left = 10
    fig.min_border_right = 10
    fig.grid.grid_line_alpha = 0.35
    fig.background_fill_color = "#ffffff"
    fig.border_fill_color = "#ffffff"
    fig.outline_line_color = None
    return fig


def style_legend(fig, location: str = "top_right") -> None:
    """Legend in the plot corner, translucent, click a row to hide its curve."""
    legend = fig.legend[0]
    legend.location = location
    legend.label_text_font_size = LEGEND_SIZE
    legend.background_fill_alpha = 0.75
    legend.border_line_alpha = 0.0
    legend.click_policy = "hide"
    legend.padding = 4
    legend.spacing = 0
    legend.label_height = 14
    legend.glyph_height = 14
    legend.margin = 4


def flavor_line_style(flavor: str) -> dict[str, Any]:
    """Width, colour, dash and legend label of one flavour's curve, the same in every figure."""
    return {
        "line_width": 2.5,
        "color": FLAVOR_COLORS[flavor],
        "line_dash": FLAVOR_DASHES[flavor],
        "legend_label": FLAVOR_LABELS[flavor],
    }


def flavor_tooltips(number_format: str, unit: str) -> list[tuple[str, str]]:
    """Hover rows, one per flavour: its column shown in ``number_format`` with ``unit``."""
    return [(FLAVOR_LABELS[f], f"@{f}{{{number_format}}} {unit}") for f in FLAVORS]


def add_current_star(fig, x: str, y: str, source, *, size: int, legend_label: str):
    """The star that marks the current case (this detector, this nucleus) on a figure."""
    return fig.scatter(
        x,
        y,
        source=source,
        marker="star",
        size=size,
        color=HIGHLIGHT_COLOR,
        line_color="black",
        legend_label=legend_label,
    )
