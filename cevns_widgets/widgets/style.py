"""Look and feel shared by every figure: colour-blind-safe colours, projector-size fonts.

Colours are Okabe & Ito's palette (safe for the common colour-vision deficiencies); each
flavour also has its own dash pattern, so the curves stay distinguishable in greyscale.
"""

from __future__ import annotations

from typing import Any

from ..physics.sources import SOURCES
from ..physics.sources.sns import FLAVOR_LABELS, FLAVORS
from .layout import MIN_FIGURE_PX

#: Okabe-Ito colours.
BLUE, ORANGE, GREEN, VERMILION = "#0072B2", "#E69F00", "#009E73", "#D55E00"
SKY, PURPLE, YELLOW, BLACK, GREY = "#56B4E9", "#CC79A7", "#F0E442", "#000000", "#6E6E6E"

FLAVOR_COLORS = {
    # the SNS flavours and the reactor's antineutrinos
    "prompt_numu": BLUE,
    "delayed_nue": ORANGE,
    "delayed_numubar": GREEN,
    "reactor_nuebar": PURPLE,
    # the Sun: the strong colours for what a xenon detector sees (8B blue, hep vermilion);
    # the two 7Be lines share green and the CNO cycle (13N, 15O, 17F) purple, told apart
    # by their dashes
    "pp": SKY,
    "7Be_384": GREEN,
    "7Be_861": GREEN,
    "13N": PURPLE,
    "15O": PURPLE,
    "17F": PURPLE,
    "pep": ORANGE,
    "8B": BLUE,
    "hep": VERMILION,
    # atmospheric and diffuse supernova neutrinos
    "dsnb": VERMILION,
    "atmospheric": BLUE,
    # a supernova burst: nu_e and anti-nu_e as at the SNS and a reactor, the heavy four blue
    "nue": ORANGE,
    "nuebar": PURPLE,
    "nux": BLUE,
}
FLAVOR_DASHES = {
    "prompt_numu": "solid",
    "delayed_nue": "dashed",
    "delayed_numubar": "dashdot",
    "reactor_nuebar": "solid",
    "pp": "solid",
    "7Be_384": "dotted",
    "7Be_861": "solid",
    "13N": "solid",
    "15O": "dashed",
    "17F": "dotted",
    "pep": "dashdot",
    "8B": "solid",
    "hep": "dashed",
    "dsnb": "dashed",
    "atmospheric": "solid",
    "nue": "dashed",
    "nuebar": "dashdot",
    "nux": "solid",
}
#: Every component of every source, in registry order, and its label (Unicode).
COMPONENTS: tuple[str, ...] = tuple(c for src in SOURCES.values() for c in src.components)
COMPONENT_LABELS: dict[str, str] = {
    c: src.component_labels[c] for src in SOURCES.values() for c in src.components
}
#: Components drawn as one legend entry (same colour, told apart by dash): the two 7Be
#: lines and the CNO cycle; nine solar legend rows would cover a small figure.
COMPONENT_GROUPS: dict[str, tuple[str, ...]] = {
    "⁷Be": ("7Be_384", "7Be_861"),
    "CNO": ("13N", "15O", "17F"),
}
#: A fallback palette for components of sources added later (never yellow: unreadable on
#: white).
_SPARE_COLORS = (SKY, VERMILION, GREY, BLUE)
TOTAL_COLOR = BLACK
HIGHLIGHT_COLOR = VERMILION
SHADE_COLOR = GREY

__all__ = [
    "COMPONENTS",
    "COMPONENT_GROUPS",
    "COMPONENT_LABELS",
    "FLAVORS",
    "FLAVOR_COLORS",
    "FLAVOR_DASHES",
    "FLAVOR_LABELS",
    "HIGHLIGHT_COLOR",
    "SHADE_COLOR",
    "TOTAL_COLOR",
    "add_current_star",
    "component_color",
    "component_group",
    "field",
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
    """A styled Bokeh figure; both axis labels must carry their units.

    The figure stretches to the width of its box (``width`` is its natural width, see
    :mod:`~cevns_widgets.widgets.layout`; never narrower than ``MIN_FIGURE_PX``) and keeps
    its ``height``.
    """
    from bokeh.plotting import figure

    fig = figure(
        title=title,
        width=width,
        height=height,
        tools=tools,
        toolbar_location="right",
        sizing_mode="stretch_width",
        min_width=min(width, MIN_FIGURE_PX),
        **kwargs,
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


def component_color(component: str) -> str:
    """The colour of a source component (an SNS flavour, the reactor's antineutrinos...)."""
    if component in FLAVOR_COLORS:
        return FLAVOR_COLORS[component]
    index = COMPONENTS.index(component) if component in COMPONENTS else len(component)
    return _SPARE_COLORS[index % len(_SPARE_COLORS)]


def component_group(component: str) -> str | None:
    """The legend group a component belongs to ("CNO", "⁷Be"), or None."""
    return next((g for g, members in COMPONENT_GROUPS.items() if component in members), None)


def field(column: str) -> str:
    """A hover-text reference to ``column`` that BokehJS parses whatever its name ("8B",
    "7Be_384": a bare @ name cannot start with a digit)."""
    return f"@{{{column}}}"


def component_label(component: str) -> str:
    return COMPONENT_LABELS.get(component, component)


def flavor_line_style(flavor: str) -> dict[str, Any]:
    """Width, colour, dash and legend label of one component's curve (an SNS flavour or
    another source's component), the same in every figure."""
    return {
        "line_width": 2.5,
        "color": component_color(flavor),
        "line_dash": FLAVOR_DASHES.get(flavor, "solid"),
        "legend_label": component_label(flavor),
    }


def flavor_tooltips(number_format: str, unit: str, components=FLAVORS) -> list[tuple[str, str]]:
    """Hover rows, one per component (default: the SNS flavours): its column shown in
    ``number_format`` with ``unit``."""
    return [(component_label(f), f"{field(f)}{{{number_format}}} {unit}") for f in components]


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
