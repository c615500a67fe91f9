"""Jupyter widgets of the CEvNS explorer (ipywidgets controls + Bokeh figures)."""

from .bokeh_setup import ensure_bokehjs, setup_notebook

__all__ = ["ensure_bokehjs", "setup_notebook"]
