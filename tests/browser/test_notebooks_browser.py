"""The product notebooks in a real browser: notebook 0 in JupyterLab, notebooks 0 and 4 in Voila.

Each test opens the committed notebook, waits until its Bokeh figures are painted, checks that
what BokehJS holds and draws for a named source equals what the kernel computes (recomputed
here with the same library calls), drags a slider with the mouse and checks that the readout
and the figure data follow, that the console has no errors from our code, and keeps a
screenshot in ``tests/browser/output/<name>.png``.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from . import helpers as h

pytestmark = pytest.mark.browser

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
START = "00_start_here.ipynb"
DISCOVERY = "04_discovery_2017.ipynb"


# --------------------------------------------------------------------------- helpers


def drag(page, css: str, dx: float, *, handle: int = 0) -> None:
    """Drag the ``handle``-th slider handle inside the widget with class ``css`` by ``dx`` px."""
    knob = page.locator(f".{css} .noUi-handle").nth(handle)
    knob.scroll_into_view_if_needed()
    # JupyterLab may still be scrolling or laying out cells: wait for the handle to stand still
    # and to be the element under the pointer before pressing.
    box, previous = None, None
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        box = knob.bounding_box()
        if (
            box is not None
            and box == previous
            and knob.evaluate(
                "(el, p) => el.contains(document.elementFromPoint(p[0], p[1]))",
                [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
            )
        ):
            break
        previous = box
        page.wait_for_timeout(150)
    assert box is not None, f"the {css} slider is not visible"
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx, y, steps=6)
    page.mouse.up()


def drag_until(page, css: str, dx: float, moved, *, settle=None):
    """Drag the slider with class ``css`` by ``dx`` px until ``moved(value)`` holds for its
    settled value (``settle(page, css)``, default :func:`wait_settled`) and return that value.
    Up to three tries: on a loaded 2-core machine a press can land before the page settles."""
    settle = settle or wait_settled
    for _ in range(3):
        drag(page, css, dx)
        value = settle(page, css)
        if moved(value):
            return value
    raise AssertionError(f"the {css} slider did not move as expected: {value}")


def readout_numbers(page, css: str) -> list[float]:
    """The numbers shown in the slider readout of the widget with class ``css``."""
    text = page.locator(f".{css} .widget-readout").first.inner_text()
    return [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", text)]


def wait_settled(page, css: str, *, timeout: float = 20.0, read=readout_numbers):
    """Wait until a slider's readout has stopped changing (the drag's last message is in);
    return what ``read(page, css)`` gives then (default: the numbers in the readout)."""
    last, stable_since = None, time.monotonic()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = read(page, css)
        if now != last:
            last, stable_since = now, time.monotonic()
        elif time.monotonic() - stable_since > 0.8:
            return now
        time.sleep(0.1)
    raise TimeoutError(f"the {css} slider did not settle")


def wait_for(fn, *, what: str, timeout: float = 20.0):
    return h.wait_until(fn, timeout=timeout, interval=0.15, what=what)


def same(values, expected, rel: float = 1e-6) -> bool:
    a, b = np.asarray(values, dtype=float), np.asarray(expected, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rel, atol=1e-9))


def bokeh_equals(
    page, source: str, column: str, expected, *, drawn: bool = False, rel: float = 1e-6
) -> bool:
    """True if every attached BokehJS view of ``source`` holds (or, ``drawn``, draws in its
    glyph field ``column``) ``expected``. Glyphs without that field (say the segment sharing
    a marker's source) are skipped; at least one view must have it."""
    cols = [
        c for c in (h.read_bokeh_columns(page, source, column, drawn=drawn) or []) if c is not None
    ]
    return bool(cols) and all(same(c, expected, rel) for c in cols)


def screenshot(page, name: str, css: str) -> Path:
    """Scroll the widget with class ``css`` to the top of its scroller, then save the view."""
    page.locator(f".{css}").first.evaluate("el => el.scrollIntoView({block: 'start'})")
    page.mouse.move(2, 2)  # no hover tooltips or toolbars in the picture
    page.wait_for_timeout(400)
    path = h.save_screenshot(page, name, full_page=False, show_bokeh=False)
    assert path.stat().st_size > 20_000
    return path


def events_text(page) -> float:
    return float(page.locator(".cevns-events").first.inner_text().replace(",", ""))


# --------------------------------------------------------------------------- notebook 0


def _explorer_flow(page, shot: str) -> None:
    """Notebook 0: the explorer on COHERENT CsI 2017, then a threshold drag."""
    from cevns_widgets import evaluate, get_preset
    from cevns_widgets.widgets import ScenarioModel, ThresholdScanFigure

    preset = get_preset("coherent-csi-2017").scenario
    # Recoil spectrum, threshold scan and arrival time (the first tab) are on screen.
    assert h.wait_for_bokeh_canvases(page, 3, timeout=60_000) >= 3

    # What BokehJS holds and draws is what the kernel computed.
    kernel_scan = ThresholdScanFigure(ScenarioModel("coherent-csi-2017"))
    expected = kernel_scan.data("events_vs_threshold")["total"]
    assert bokeh_equals(page, "events_vs_threshold", "total", expected)
    total = evaluate(preset).events_total
    wait_for(
        lambda: bokeh_equals(page, "threshold_marker", "y", [total], drawn=True),
        what="the threshold marker drawn at the kernel's count",
    )
    assert events_text(page) == pytest.approx(total, abs=0.5)

    # Drag the threshold up: readout, marker and count follow the kernel.
    before = wait_settled(page, "cevns-threshold")[0]
    value = drag_until(page, "cevns-threshold", 18, lambda v: v[0] > before)[0]
    new_total = evaluate(preset.replace(threshold=value)).events_total
    assert new_total < total

    def marker_moved():
        return bokeh_equals(page, "threshold_marker", "x", [value]) and bokeh_equals(
            page, "threshold_marker", "y", [new_total], drawn=True, rel=1e-4
        )

    wait_for(marker_moved, what=f"the marker to move to {value} PE")
    wait_for(
        lambda: abs(events_text(page) - new_total) <= 0.5 + 1e-3 * new_total,
        what="the readout to show the new count",
    )
    assert bokeh_equals(page, "events_vs_threshold", "total", expected)  # threshold-free

    screenshot(page, shot, "cevns-explorer")
    page.console_errors.assert_clean()


def test_start_here_jupyterlab(jupyterlab_server, browser_page):
    shutil.copy(NOTEBOOKS / START, jupyterlab_server.root_dir / START)
    page = browser_page
    h.open_notebook_in_lab(page, jupyterlab_server.base_url, jupyterlab_server.token, START)
    h.run_all_cells(page, START)
    assert h.cell_error_outputs(page, START) == []
    # A projector user closes the file browser: the explorer then gets the full width.
    page.evaluate("() => window.jupyterapp.shell.collapseLeft()")
    page.wait_for_function("() => window.jupyterapp.shell.leftCollapsed")
    page.wait_for_timeout(500)  # let the notebook re-lay out before measuring a handle
    _explorer_flow(page, "nb00-jupyterlab")


def test_start_here_voila(voila_server, browser_page):
    page = browser_page
    page.goto(voila_server(NOTEBOOKS / START), wait_until="domcontentloaded", timeout=90_000)
    page.wait_for_selector(".cevns-threshold .noUi-handle", timeout=90_000)
    _explorer_flow(page, "nb00-voila")


# --------------------------------------------------------------------------- notebook 4


def test_discovery_voila(voila_server, browser_page):
    from cevns_widgets import get_preset
    from cevns_widgets.datasets import load_csi_2017
    from cevns_widgets.discovery import compare_with_data

    page = browser_page
    page.goto(voila_server(NOTEBOOKS / DISCOVERY), wait_until="domcontentloaded", timeout=90_000)
    page.wait_for_selector(".cevns-time-window .noUi-handle", timeout=90_000)
    assert h.wait_for_bokeh_canvases(page, 2, timeout=60_000) >= 2
    data = load_csi_2017()
    scenario = get_preset("coherent-csi-2017").scenario

    def check(time_range, qf):
        """BokehJS (held and drawn) equals the kernel's residual and prediction."""
        res = data.residual("on", pe_range=(0, 50), time_range_us=time_range)
        pred = compare_with_data(
            scenario.replace(quenching_factor=qf), pe_range=(0, 50), time_range_us=time_range
        )
        total = pred.neutrons_pe + sum(pred.cevns_pe.values())
        return (
            bokeh_equals(page, "discovery_pe_data", "y", res.pe_excess)
            and bokeh_equals(page, "discovery_pe_data", "y", res.pe_excess, drawn=True)
            and bokeh_equals(page, "discovery_pe_prediction", "total", total)
        )

    wait_for(lambda: check((0.0, 12.0), 0.0878), what="the first draw of the kernel's data")
    excess = page.locator(".cevns-excess").first
    assert excess.inner_text().strip() == "+152"

    # Narrow the time window from the right: the PE residual and the count follow.
    drag(page, "cevns-time-window", -110, handle=1)
    lo, hi = wait_settled(page, "cevns-time-window")
    assert lo == 0.0 and 1.0 <= hi < 12.0 and hi * 2 == round(hi * 2)
    wait_for(lambda: check((lo, hi), 0.0878), what=f"the residual for 0-{hi} us")
    expected = data.residual("on", pe_range=(6, 30), time_range_us=(lo, hi)).excess
    wait_for(lambda: excess.inner_text().strip() == f"{expected:+d}", what="the new excess")

    # Raise the quenching factor: the prediction grows, the data stay.
    predicted = page.locator(".cevns-predicted").first
    before = float(predicted.inner_text())
    drag(page, "cevns-quenching-factor", 45)
    (qf,) = wait_settled(page, "cevns-quenching-factor")
    assert qf > 0.0878
    wait_for(lambda: check((lo, hi), qf), what=f"the prediction at QF {qf}")
    wait_for(lambda: float(predicted.inner_text()) > before, what="a larger prediction")

    screenshot(page, "nb04-voila", "cevns-lesson-discovery")
    page.console_errors.assert_clean()


# --------------------------------------------------------------------------- notebook 7

REACTOR = "07_reactor_cevns.ipynb"


def _reactor_flow(page, shot: str) -> None:
    """Notebook 7: the reactor lesson on CONUS+ 2025; drag the threshold (eVee) and k."""
    from cevns_widgets import evaluate, get_preset
    from cevns_widgets.widgets.band import quenching_band
    from cevns_widgets.widgets.readout import format_events

    conus = get_preset("conus-plus-2025").scenario
    # JupyterLab lays out only the cells in view: bring the lesson there first
    page.locator(".cevns-lesson-reactor").first.scroll_into_view_if_needed()
    assert h.wait_for_bokeh_canvases(page, 2, timeout=60_000) >= 2
    shown = page.locator(".cevns-reactor-events").first
    band_text = page.locator(".cevns-reactor-band").first

    def kernel(s):
        r = evaluate(s)
        return r, format_events(r.events_total)

    failed = []

    def matches(s) -> bool:
        """Readout, band and drawn spectra are the kernel's for scenario ``s``."""
        r, text = kernel(s)
        lo, hi = quenching_band(s).events_range
        _, by = r.observed_spectrum()
        checks = {
            "readout": lambda: shown.inner_text().strip() == text,
            "band": lambda: f"{format_events(lo)} to {format_events(hi)}" in band_text.inner_text(),
            "held": lambda: bokeh_equals(
                page, "observed_spectrum", "reactor_nuebar", by["reactor_nuebar"]
            ),
            # The curves of every source share one data source (a column per component,
            # zeros for the other sources' ones): the reactor line is one of those drawn.
            "drawn": lambda: any(
                c is not None and same(c, by["reactor_nuebar"], 1e-5)
                for c in h.read_bokeh_columns(page, "observed_spectrum", "y", drawn=True) or []
            ),
        }
        for name, check in checks.items():
            if not check():
                failed[:] = [name, repr(text), repr(shown.text_content())]
                return False
        return True

    def settle(s, what: str) -> None:
        try:
            wait_for(lambda: matches(s), what=what)
        except TimeoutError as exc:
            raise AssertionError(f"{what}: the {failed} check never passed") from exc

    settle(conus, "the first draw of the kernel's CONUS+ numbers")
    # The figures draw the source's one component: the SNS flavours' columns hold zeros.
    for flavour in ("prompt_numu", "delayed_nue", "delayed_numubar"):
        held = h.read_bokeh_columns(page, "observed_spectrum", flavour) or []
        assert all(c is None or not np.any(np.asarray(c, dtype=float)) for c in held), flavour

    # Drag the threshold up: the count falls, and equals the kernel's for the new value.
    before = wait_settled(page, "cevns-threshold-evee")[0]
    assert before == pytest.approx(1000 * conus.threshold)
    value = drag_until(page, "cevns-threshold-evee", 30, lambda v: v[0] > before)[0]
    assert value % 5 == 0  # 5 eVee steps
    moved = conus.replace(threshold=round(value / 1000, 6))
    settle(moved, f"the count at {value} eVee")
    assert evaluate(moved).events_total < evaluate(conus).events_total

    # Drag k up: more ionisation per recoil, more events over the same threshold.
    k0 = wait_settled(page, "cevns-lindhard-k")[0]
    k = drag_until(page, "cevns-lindhard-k", 40, lambda v: v[0] > k0)[0]
    quenched = moved.replace(lindhard_k=round(k, 6))
    settle(quenched, f"the count at k = {k}")
    assert evaluate(quenched).events_total > evaluate(moved).events_total

    screenshot(page, shot, "cevns-lesson-reactor")
    page.console_errors.assert_clean()


def test_reactor_voila(voila_server, browser_page):
    page = browser_page
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(voila_server(NOTEBOOKS / REACTOR), wait_until="domcontentloaded", timeout=90_000)
    page.wait_for_selector(".cevns-threshold-evee .noUi-handle", timeout=90_000)
    # the generated tables are there, with the presets' numbers
    assert "CONUS+ 2025" in page.locator(".cevns-reactor-table").first.inner_text()
    _reactor_flow(page, "nb07-voila")


def test_reactor_jupyterlab(jupyterlab_server, browser_page):
    shutil.copy(NOTEBOOKS / REACTOR, jupyterlab_server.root_dir / REACTOR)
    page = browser_page
    page.set_viewport_size({"width": 1280, "height": 720})
    h.open_notebook_in_lab(page, jupyterlab_server.base_url, jupyterlab_server.token, REACTOR)
    h.run_all_cells(page, REACTOR)
    assert h.cell_error_outputs(page, REACTOR) == []
    page.evaluate("() => window.jupyterapp.shell.collapseLeft()")
    page.wait_for_function("() => window.jupyterapp.shell.leftCollapsed")
    page.wait_for_timeout(500)
    _reactor_flow(page, "nb07-jupyterlab")
