"""Smoke tests of the browser harness and of BokehJS auto-loading.

The notebooks never call ``setup_notebook()``. Plots that draw here show that ``wrap_figure``
(that is, ``ensure_bokehjs``) puts BokehJS into the page in JupyterLab and in Voila.
"""

from __future__ import annotations

import json
import os
import statistics

import pytest

from . import helpers as h

pytestmark = pytest.mark.browser

XS = [0.0, 1.0, 2.0, 3.0]

SMOKE_CELLS = [
    """\
import ipywidgets as W
from bokeh.models import ColumnDataSource
from bokeh.plotting import figure

import cevns_widgets.widgets.bokeh_setup as bs

XS = [0.0, 1.0, 2.0, 3.0]

def ys(v):
    return [v * x for x in XS]

slider = W.FloatSlider(value=1.0, min=0.0, max=5.0, step=0.01, description="v",
                       continuous_update=True, layout=W.Layout(width="500px"))
label = W.Label(value=repr(1.0))
label.add_class("smoke-label")
source = ColumnDataSource(data={"x": XS, "y": ys(1.0)}, name="smoke")
fig = figure(width=450, height=300, title="smoke", y_range=(0, 16))
fig.line("x", "y", source=source, line_width=3)
model = bs.wrap_figure(fig)

def on_value(change):
    v = change["new"]
    source.data = {"x": XS, "y": ys(v)}  # one new dict: one patch message
    label.value = repr(v)

slider.observe(on_value, names="value")
W.VBox([slider, label, model])
""",
]

# The same widget, with a data update in the same execution burst as the first display: the
# stale-canvas race (the view builds from the construction snapshot and misses the patch).
STALE_CELLS = [
    SMOKE_CELLS[0]
    .replace('name="smoke"', 'name="stale"')
    .replace("W.VBox([slider, label, model])", "display(W.VBox([slider, label, model]))")
    + "slider.value = 2.5  # same execution burst as the first display\n",
]

# Settled state after a drag: the kernel-set label differs from the previous value and matches
# the slider readout (frontend value, 2 decimals). BokehJS holds and draws y[1] == that value.
_SETTLED_JS = h.with_live_renderers(
    """
  const [name, previous] = args;
  const lab = document.querySelector('.smoke-label');
  const ro = document.querySelector('.widget-slider .widget-readout');
  if (!lab || !ro) return false;
  const v = Number(lab.textContent.trim());
  const r = Number(ro.textContent.trim());
  if (!Number.isFinite(v) || v === previous || Math.abs(v - r) > 0.0051) return false;
  const views = __cevnsLiveRenderers(name);
  if (views.length !== 1) return false;
  const data = views[0].model.data_source.data.y;
  const drawn = views[0].glyph.y;
  return (data[1] === v && drawn[1] === v) ? v : false;
"""
)


def _label_value(page) -> float:
    return float(page.locator(".smoke-label").inner_text().strip())


def _check_after_drag(page, source: str, previous: float) -> float:
    """Wait until label == readout == BokehJS data == drawn glyph; return the kernel's value."""
    value = page.wait_for_function(
        _SETTLED_JS, arg=[source, previous], polling="raf", timeout=20_000
    ).json_value()
    assert value == _label_value(page)
    expected = [value * x for x in XS]
    assert h.read_bokeh_column(page, source, "y") == pytest.approx(expected, abs=1e-12)
    assert h.read_bokeh_column(page, source, "y", drawn=True) == pytest.approx(expected, abs=1e-12)
    return value


def _smoke_flow(page, name: str) -> None:
    n = h.wait_for_bokeh_canvases(page, 1)
    assert n >= 1
    # First draw: BokehJS holds and draws the construction-time data.
    assert h.read_bokeh_column(page, "smoke", "y") == pytest.approx([1.0 * x for x in XS])
    assert h.read_bokeh_column(page, "smoke", "y", drawn=True) == pytest.approx(XS)
    assert _label_value(page) == 1.0

    h.drag_slider(page, 0, 60)
    v1 = _check_after_drag(page, "smoke", 1.0)
    assert v1 > 1.0
    h.drag_slider(page, 0, -30)
    v2 = _check_after_drag(page, "smoke", v1)
    assert v2 < v1

    shot = h.save_screenshot(page, name)
    assert shot.stat().st_size > 5_000
    page.console_errors.assert_clean()


def test_smoke_jupyterlab(jupyterlab_server, browser_page):
    nb = "smoke_lab.ipynb"
    h.write_notebook(jupyterlab_server.root_dir / nb, SMOKE_CELLS)
    page = browser_page
    h.open_notebook_in_lab(page, jupyterlab_server.base_url, jupyterlab_server.token, nb)
    h.run_all_cells(page, nb)
    assert h.cell_error_outputs(page, nb) == []
    _smoke_flow(page, "smoke-jupyterlab")


def test_smoke_voila(voila_server, browser_page, tmp_path):
    nb = h.write_notebook(tmp_path / "smoke_voila.ipynb", SMOKE_CELLS)
    url = voila_server(nb)
    page = browser_page
    page.goto(url, wait_until="domcontentloaded", timeout=90_000)
    page.wait_for_selector(h.SLIDER_HANDLE, timeout=90_000)
    _smoke_flow(page, "smoke-voila")


def test_stale_snapshot_jupyterlab(jupyterlab_server, browser_page):
    """Same-burst update, then a page reload after a drag: the drawn glyph matches the kernel.

    With a plain ``BokehModel`` the reloaded page draws the construction-time data
    ([0, 1, 2, 3]) while the label shows the current value; ``SyncedBokehModel`` re-syncs.
    """
    nb = "stale_lab.ipynb"
    h.write_notebook(jupyterlab_server.root_dir / nb, STALE_CELLS)
    page = browser_page
    h.open_notebook_in_lab(page, jupyterlab_server.base_url, jupyterlab_server.token, nb)
    h.run_all_cells(page, nb)
    h.wait_for_bokeh_canvases(page, 1)
    expected = [2.5 * x for x in XS]
    # The drawn glyph, not only the model, must reach the kernel's data.
    h.wait_for_bokeh_column(
        page, "stale", "y", f"(ys) => ys[1] === {expected[1]}", drawn=True, timeout=15_000
    )
    assert h.read_bokeh_column(page, "stale", "y") == pytest.approx(expected)

    h.drag_slider(page, 0, 50)
    v1 = _check_after_drag(page, "stale", 2.5)
    h.save_lab_notebook(page, nb)
    page.reload(wait_until="domcontentloaded")
    h.wait_for_lab_notebook(page, nb)
    h.wait_for_bokeh_canvases(page, 1)
    h.wait_for_bokeh_column(
        page, "stale", "y", f"(ys) => ys[1] === {v1}", drawn=True, timeout=15_000
    )
    assert _label_value(page) == v1
    h.save_screenshot(page, "stale-jupyterlab-after-reload")
    page.console_errors.assert_clean()


def test_update_right_after_display_is_drawn_voila(voila_server, browser_page, tmp_path):
    nb = h.write_notebook(tmp_path / "stale_voila.ipynb", STALE_CELLS)
    page = browser_page
    page.goto(voila_server(nb), wait_until="domcontentloaded", timeout=90_000)
    h.wait_for_bokeh_canvases(page, 1, timeout=90_000)
    expected = [2.5 * x for x in XS]
    h.wait_for_bokeh_column(
        page, "stale", "y", f"(ys) => ys[1] === {expected[1]}", drawn=True, timeout=15_000
    )
    assert h.read_bokeh_column(page, "stale", "y") == pytest.approx(expected)
    page.console_errors.assert_clean()


@pytest.mark.parametrize("where", ["jupyterlab", "voila"])
def test_drag_latency(where, jupyterlab_server, voila_server, browser_page, tmp_path):
    """Slider drag -> BokehJS data changed, median over 10 drags (report, loose bound)."""
    page = browser_page
    if where == "jupyterlab":
        nb = "latency_lab.ipynb"
        h.write_notebook(jupyterlab_server.root_dir / nb, SMOKE_CELLS)
        h.open_notebook_in_lab(page, jupyterlab_server.base_url, jupyterlab_server.token, nb)
        h.run_all_cells(page, nb)
    else:
        nb_path = h.write_notebook(tmp_path / "latency_voila.ipynb", SMOKE_CELLS)
        page.goto(voila_server(nb_path), wait_until="domcontentloaded", timeout=90_000)
    h.wait_for_bokeh_canvases(page, 1)
    lat = h.measure_drag_latency(page, "smoke", "y", 0, n=10)
    summary = h.summarize_latency(lat)
    out = h.OUTPUT_DIR / f"latency-{where}.json"
    out.write_text(json.dumps({"latencies_ms": lat, **summary}, indent=2))
    print(f"\n{where}: drag->BokehJS data latency ms: {[round(x, 1) for x in lat]}")
    print(f"{where}: median {statistics.median(lat):.1f} ms")
    # Loose sanity bound only (a loaded 2-core CI box can be slow); the number is reported.
    limit = float(os.environ.get("CEVNS_MAX_DRAG_LATENCY_MS", "1000"))
    assert statistics.median(lat) < limit
    page.console_errors.assert_clean()
