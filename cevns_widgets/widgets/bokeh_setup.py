"""Load BokehJS into a Jupyter page so that embedded Bokeh figures actually draw.

Our plots are Bokeh figures wrapped in :class:`jupyter_bokeh.widgets.BokehModel` widgets. That
widget does *not* ship BokehJS: its browser view calls ``window.Bokeh.require(...)`` in its
constructor, so BokehJS must already be in the page when the first view is created, otherwise
the plot stays blank ("Could not create a view for model id ..."). BokehJS is put in the page by
the loader output that :func:`bokeh.io.output_notebook` displays; a headless notebook run never
notices when it is missing, only a browser does.

Public API
----------
``setup_notebook(resources=None, *, force=False)``
    Display the BokehJS loader in the current cell's output. Idempotent per kernel: the second
    call is a no-op unless ``force=True`` (use that after clearing all outputs and reloading the
    page without restarting the kernel).
``ensure_bokehjs()``
    What our widget classes call when they are constructed and when they are displayed; it is
    ``setup_notebook()`` for users who forgot it (see "Where the loader is emitted").
``wrap_figure(fig)``
    Wrap a Bokeh figure or layout in a ``BokehModel`` (a :class:`SyncedBokehModel`), calling
    ``ensure_bokehjs()`` first; its axes get tick labels for people (``ticks.py``) and a
    stretching figure records the widths a fluid row shares (``layout.py``).

Offline vs CDN
--------------
The resource mode is chosen in this order:

1. an explicit ``resources="inline"`` or ``"cdn"`` argument to :func:`setup_notebook`;
2. the environment variable ``BOKEH_RESOURCES`` (``inline`` or ``cdn``). Binder's
   ``binder/start`` sets ``BOKEH_RESOURCES=cdn``, since Binder has network;
3. otherwise ``inline``.

``inline`` embeds the whole BokehJS bundle (~4 MB of JavaScript) in the loader output. It needs no
network, so it works on offline machines and in classrooms. It runs synchronously when the output
is attached, so ``window.Bokeh`` exists before any later output's widget view is created. A
notebook saved with this output is ~9 MB, so commit notebooks without outputs.

``cdn`` makes the loader add ``<script src=...>`` tags for the BokehJS version that matches the
installed ``bokeh``. The output is small and the browser caches the files, but without network
nothing draws. Those scripts load asynchronously, so a BokehModel rendered in the same burst
(Run All, Voila) may be created before BokehJS arrives.

Where the loader is emitted (and why)
-------------------------------------
The loader has to be a *display output that comes before (or with) the first BokehModel output*,
in the same page. JupyterLab and Notebook 7 run output scripts in the order the outputs arrive,
and the inline loader defines ``window.Bokeh`` synchronously. Voila renders the executed
notebook's outputs in document order. So :func:`ensure_bokehjs` displays the loader:

* when a widget is **constructed** (``wrap_figure`` / ``SyncedBokehModel.__init__``), which covers
  widgets built in one cell and displayed, possibly inside a ``VBox``, later in that cell or in a
  later cell;
* when a widget is **displayed** (``SyncedBokehModel._repr_mimebundle_``). Here the loader's
  ``display_data`` is published while IPython formats the widget, so it lands just before the
  widget's output.

Emitting at import time would not be enough: a module imported in a cleared or unexecuted cell
leaves no loader in the page. Emitting for every figure would resend 4 MB each time.

The loader only counts as emitted if it went to a cell's output, meaning the current request is
an ``execute_request``. Output sent while a widget callback (``comm_msg``) runs belongs to no cell,
and the frontend drops it unless an ``Output`` widget captures it. So there we neither emit nor
mark BokehJS as loaded, and the next call made from a cell tries again. Outside a Jupyter kernel
(plain Python, pytest, terminal IPython) everything here is a no-op, except that ``wrap_figure``
still returns a working widget object.

Stale first draw
----------------
``BokehModel`` takes a snapshot of the document (``render_bundle``) when it is constructed. After
that it sends only patches, and only to views that already exist. If the data changes between
construction and the moment the browser builds the view (an update in the same execution burst,
as in Voila, or a re-render after a page reload), the view draws the old snapshot. Its model holds
the new data, but the drawn glyph keeps the old values. :class:`SyncedBokehModel` turns on
ipywidgets' view counting (``_view_count``). When a new view is displayed after the document has
changed, it sends a fresh snapshot, and every view re-renders from it.
"""

from __future__ import annotations

import os
import warnings
from typing import Any

from jupyter_bokeh.widgets import BokehModel

from .layout import MIN_FIGURE_PX
from .ticks import humanize_axes

__all__ = [
    "SyncedBokehModel",
    "bokehjs_loaded_mode",
    "ensure_bokehjs",
    "resolve_resources_mode",
    "setup_notebook",
    "title_width_px",
    "wrap_figure",
]

_VALID_MODES = ("inline", "cdn")
ENV_VAR = "BOKEH_RESOURCES"

# Per-kernel state: the mode BokehJS was loaded with into a cell output, or None.
_loaded_mode: str | None = None


def resolve_resources_mode(resources: str | None = None) -> str:
    """Return ``"inline"`` or ``"cdn"``: explicit argument > ``$BOKEH_RESOURCES`` > inline."""
    if resources is not None:
        mode = str(resources).strip().lower()
        if mode not in _VALID_MODES:
            raise ValueError(f"resources must be one of {_VALID_MODES}, got {resources!r}")
        return mode
    env = os.environ.get(ENV_VAR, "").strip().lower()
    if not env:
        return "inline"
    if env not in _VALID_MODES:
        warnings.warn(
            f"{ENV_VAR}={env!r} is not supported in notebooks here; using 'inline' "
            f"(choose one of {_VALID_MODES})",
            RuntimeWarning,
            stacklevel=3,
        )
        return "inline"
    return env


def bokehjs_loaded_mode() -> str | None:
    """The mode of the BokehJS loader emitted in this kernel, or ``None`` if none yet."""
    return _loaded_mode


def _kernel_request_type() -> str | None:
    """Return the msg_type of the request the kernel is handling, or None outside a kernel.

    ``""`` means that we are inside a kernel but the request type is unknown.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        return None
    ip = get_ipython()
    if ip is None or getattr(ip, "kernel", None) is None:
        return None
    try:
        header = ip.display_pub.parent_header
        msg_type = header.get("msg_type") if isinstance(header, dict) else None
        if msg_type:
            return str(msg_type)
        parent = ip.kernel.get_parent("shell")
        return str(parent.get("header", {}).get("msg_type") or "")
    except Exception:
        return ""


def _emit_loader(mode: str) -> None:
    from bokeh.io import output_notebook
    from bokeh.resources import CDN, INLINE

    output_notebook(resources=INLINE if mode == "inline" else CDN, hide_banner=True)


def setup_notebook(resources: str | None = None, *, force: bool = False) -> bool:
    """Display the BokehJS loader in the current cell's output so that Bokeh widgets render.

    Args:
        resources: ``"inline"`` (works offline, ~4 MB) or ``"cdn"`` (needs network). If ``None``,
            ``$BOKEH_RESOURCES`` is used when set, and ``"inline"`` otherwise.
        force: emit the loader again even if this kernel already did.

    Returns:
        True if a loader was emitted, False if it was skipped. It is skipped when this kernel
        already emitted one, when there is no Jupyter kernel, or when the call is not made while
        a cell runs (for example in a widget callback).
    """
    global _loaded_mode
    mode = resolve_resources_mode(resources)
    request = _kernel_request_type()
    if request is None:
        return False
    if _loaded_mode is not None and not force:
        return False
    if request not in ("execute_request", ""):
        # A callback: output would be dropped by the frontend, so do not pretend it loaded.
        return False
    _emit_loader(mode)
    _loaded_mode = mode
    return True


def ensure_bokehjs() -> bool:
    """Make sure the BokehJS loader has been displayed in this kernel; cheap when it has.

    Called by our widget classes on construction and on display. Returns True if it emitted the
    loader now.
    """
    if _loaded_mode is not None:
        return False
    return setup_notebook()


class SyncedBokehModel(BokehModel):
    """A ``BokehModel`` that loads BokehJS itself and never draws a stale first snapshot.

    * ``ensure_bokehjs()`` runs on construction and on display.
    * ipywidgets view counting is on (``_view_count=0``). When the browser displays a new view
      and the Bokeh document was patched after the last ``render_bundle`` snapshot, a new
      snapshot is sent. Patches that arrive before a view exists are dropped by jupyter_bokeh's
      view, so without this step the first draw can show old data.
    """

    def __init__(self, model: Any, **kwargs: Any) -> None:
        ensure_bokehjs()
        self._bundle_stale = False
        kwargs.setdefault("_view_count", 0)
        super().__init__(model, **kwargs)
        self.observe(self._on_view_count, names="_view_count")

    def update_from_model(self, model: Any) -> None:
        self._bundle_stale = False
        super().update_from_model(model)

    def _document_patched(self, event: Any) -> None:
        # Any change, including one made in the browser, makes the snapshot stale for new views.
        self._bundle_stale = True
        super()._document_patched(event)

    def _on_view_count(self, change: dict[str, Any]) -> None:
        old, new = change.get("old"), change.get("new")
        if new is None or (old is not None and new <= old):
            return
        if self._bundle_stale:
            self.update_from_model(self._model)

    def close(self) -> None:
        """Close the comm and release the Bokeh document (idempotent).

        Beyond ``BokehModel.close`` (which only stops listening to the document) this takes
        the wrapped model out of the document this wrapper made for it and drops the JSON
        snapshot (``render_bundle``, the bulk of a figure's memory), so the figure, its
        ``ColumnDataSource`` objects and the snapshot can be collected.
        """
        model = self.__dict__.get("_model")
        doc = getattr(model, "document", None)
        if self.comm is not None:
            super().close()
        elif doc is not None:
            try:
                doc.remove_on_change(self)
            except KeyError:  # already removed
                pass
        self._bundle_stale = False
        if doc is not None and model is not None and model in doc.roots:
            doc.remove_root(model)
        self.__dict__["_model"] = None
        self.set_trait("render_bundle", {})  # the comm is closed: nothing is sent

    @property
    def _document(self) -> Any:
        model = self.__dict__.get("_model")
        return None if model is None else model.document

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        if self.comm is None:
            return {"text/plain": "BokehModel (closed)"}
        ensure_bokehjs()
        return super()._repr_mimebundle_(**kwargs)


def wrap_figure(fig: Any, **kwargs: Any) -> SyncedBokehModel:
    """Wrap a Bokeh figure or layout (any ``LayoutDOM``) in a ``BokehModel`` widget.

    Calls :func:`ensure_bokehjs` first, so the plot draws even if ``setup_notebook()`` was never
    called. Extra keyword arguments go to the widget (``layout=...``, ``combine_events=...``).
    """
    from bokeh.models import LayoutDOM

    if not isinstance(fig, LayoutDOM):
        raise TypeError(f"wrap_figure expects a Bokeh figure or layout, got {type(fig).__name__}")
    ensure_bokehjs()
    humanize_axes(fig)
    view = SyncedBokehModel(fig, **kwargs)
    if fig.sizing_mode == "stretch_width":
        # what a fluid row shares its width by (cevns_widgets.widgets.layout); never so
        # narrow that the title is cut (up to the natural width it was written for)
        view.basis_px = int(fig.width or MIN_FIGURE_PX)
        least = max(int(fig.min_width or MIN_FIGURE_PX), min(view.basis_px, title_width_px(fig)))
        view.min_width_px = fig.min_width = least
    return view


def title_width_px(fig: Any) -> int:
    """About how wide ``fig`` must be for its title to show whole (px): the title in bold
    DejaVu Sans (~0.6 em a character) plus the y axis and the toolbar."""
    title = getattr(fig.title, "text", "") or ""
    font_px = 16.0
    size = str(getattr(fig.title, "text_font_size", "") or "")
    if size.endswith("pt"):
        font_px = float(size[:-2]) * 4 / 3
    elif size.endswith("px"):
        font_px = float(size[:-2])
    return int(len(title) * 0.6 * font_px) + 90
