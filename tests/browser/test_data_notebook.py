"""Notebook 10 (what the data say) in a real browser, JupyterLab and Voila.

Each test opens the committed notebook at 1280x720 and waits until each lesson's Bokeh
figures hold what the kernel computes (recomputed here with the same library calls). Then
it switches the fit's dataset, clicks the NSI map (a Bokeh tap that must reach the
kernel), drags an ε slider, switches the map to argon (another map is drawn), drags the
planner's mass slider (its days-to-5σ readout changes) and checks the profiles. Every wait
is on a condition, none is a fixed sleep. JupyterLab runs with its file browser open, so
the lessons must fit or wrap. Screenshots go to ``tests/browser/output/`` or to
``$CEVNS_SHOTS_DIR`` (``nb10_*.png``).
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from . import helpers as h
from .test_notebooks_browser import bokeh_equals, drag_until, wait_for
from .test_sky_notebooks import (
    no_horizontal_clipping,
    open_in_lab,
    open_in_voila,
    shot,
    text_of,
    wait_settled,
)

pytestmark = pytest.mark.browser

NOTEBOOK = "10_what_the_data_say.ipynb"
#: The kernel may need a while for a map on a loaded 2-core machine.
MAP_TIMEOUT = 90.0


def nothing_clipped(page, css: str) -> None:
    """The lesson and every figure in it end inside the area that shows them."""
    no_horizontal_clipping(page, css)
    n = page.locator(f".{css} [class*='cevns-lesson-figure-']").count()
    assert n >= 1
    for i in range(n):
        figure = page.locator(f".{css} [class*='cevns-lesson-figure-']").nth(i)
        right, available = figure.evaluate(
            """el => {
              let p = el.parentElement, avail = document.documentElement.clientWidth;
              while (p) {
                const s = getComputedStyle(p);
                if (['auto', 'scroll', 'hidden'].includes(s.overflowX)) {
                  avail = Math.min(avail, p.getBoundingClientRect().right); break; }
                p = p.parentElement;
              }
              return [el.getBoundingClientRect().right, avail];
            }"""
        )
        assert right <= available + 1, f"figure {i} of {css} ends at {right}px of {available}px"


def _stairs_density(edges, values):
    edges = np.asarray(edges, dtype=float)
    return np.repeat(np.asarray(values) / np.diff(edges), 2)


def _map_canvas(page) -> bytes:
    return page.locator(".cevns-lesson-figure-nsi_map canvas").first.screenshot()


def _fit_flow(page, prefix: str) -> None:
    from cevns_widgets.widgets.lessons import data_say as ds

    page.locator(".cevns-data-fits-table").first.scroll_into_view_if_needed()
    no_horizontal_clipping(page, "cevns-data-fits-table table")
    r = ds.fit_projection(ds.CSI).result
    counted = f"{r.cevns_events:.0f} ± {r.cevns_events_error:.0f}"
    # JupyterLab renders a cell scrolled into view a moment later: wait for its text
    wait_for(lambda: counted in text_of(page, "cevns-data-fits-table"), what=counted)

    css = "cevns-lesson-datafit"
    page.locator(f".{css}").first.scroll_into_view_if_needed()
    assert h.wait_for_bokeh_canvases(page, 2, timeout=60_000) >= 2
    nothing_clipped(page, css)
    for name, key in ((ds.CSI, "csi"), (ds.LAR, "argon"), (ds.CSI21, "csi2021")):
        p = ds.fit_projection(name)
        expected = p.energy.residual / p.energy.widths
        if name != ds.CSI:
            button = page.locator(".cevns-datafit-dataset button", has_text=ds.FIT_DATASETS[name])
            button.first.click()
        wait_for(
            lambda e=expected: bokeh_equals(page, "fit_energy", "y", e, drawn=True, rel=1e-9),
            what=f"the {key} residual drawn",
        )
        fitted = _stairs_density(p.energy.edges, p.energy.fitted)
        wait_for(
            lambda f=fitted: bokeh_equals(page, "fit_energy_model", "fitted", f, rel=1e-9),
            what=f"the {key} fitted CEvNS",
        )
        head = f"{p.result.cevns_events:.0f} ± {p.result.cevns_events_error:.0f} events"
        wait_for(lambda s=head: s in text_of(page, "cevns-datafit-headline"), what=head)
        shot(page, f"{prefix}_fit" if name == ds.CSI else f"{prefix}_fit_{key}", css)


def _nsi_flow(page, prefix: str, *, combined: bool) -> None:
    from cevns_widgets.widgets.lessons import data_say as ds

    css = "cevns-lesson-nsimap"
    page.locator(f".{css}").first.scroll_into_view_if_needed()
    nothing_clipped(page, css)
    csi = ds.nsi_map(ds.CSI)
    wait_for(
        lambda: bokeh_equals(page, "nsi_best", "x", [csi.best[0]], rel=1e-9),
        what="the CsI best fit on the map",
        timeout=MAP_TIMEOUT,
    )
    edges = ds.csi2017.region().pe_edges

    def pick_drawn() -> bool:
        """The picked point BokehJS holds, and the spectrum drawn for it, are the kernel's."""
        xs = h.read_bokeh_columns(page, "nsi_pick", "x") or []
        ys = h.read_bokeh_columns(page, "nsi_pick", "y") or []
        if len(xs) != 1 or not xs[0] or not ys[0]:
            return False
        expected = _stairs_density(edges, ds.nsi_spectrum(xs[0][0], ys[0][0]))
        return bokeh_equals(page, "nsi_spectrum", "y", expected, drawn=True, rel=1e-9)

    wait_for(pick_drawn, what="the Standard-Model point's spectrum")
    before = text_of(page, "cevns-nsi-point")

    # a click on the map (a Bokeh tap event) picks a point in the kernel
    view = page.locator(".cevns-lesson-figure-nsi_map").first
    view.scroll_into_view_if_needed()
    canvas = page.locator(".cevns-lesson-figure-nsi_map canvas").first
    box = canvas.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 0.62 * box["width"], box["y"] + 0.35 * box["height"])
    wait_for(lambda: text_of(page, "cevns-nsi-point") != before, what="a picked point")
    held = h.read_bokeh_column(page, "nsi_pick", "x")
    assert held[0] > 0.05, f"the click should pick a positive ε_u, got {held}"
    wait_for(pick_drawn, what="the spectrum at the clicked point")
    point = text_of(page, "cevns-nsi-point")
    numbers = [float(v.replace("−", "-")) for v in re.findall(r"[−-]?\d+\.\d+", point)]
    assert numbers == pytest.approx(
        [
            h.read_bokeh_column(page, "nsi_pick", "x")[0],
            h.read_bokeh_column(page, "nsi_pick", "y")[0],
        ],
        abs=0.006,
    )

    # the keyboard-free fallback: drag the ε_u slider
    u0 = wait_settled(page, "cevns-nsi-eps-u")
    u1 = drag_until(page, "cevns-nsi-eps-u", -60, lambda v: v != u0, settle=wait_settled)
    wait_for(
        lambda: math.isclose(h.read_bokeh_column(page, "nsi_pick", "x")[0], u1, abs_tol=0.006),
        what=f"the pick at ε_u = {u1}",
    )
    wait_for(pick_drawn, what="the spectrum after the slider drag")
    shot(page, f"{prefix}_nsi_csi", css)

    # argon: another map is drawn
    canvas_before = _map_canvas(page)
    lar = ds.nsi_map(ds.LAR)
    page.locator(".cevns-nsi-dataset button", has_text="argon 2020").first.click()
    wait_for(
        lambda: (
            bokeh_equals(page, "nsi_best", "x", [lar.best[0]], rel=1e-9)
            and bokeh_equals(page, "nsi_best", "y", [lar.best[1]], rel=1e-9)
        ),
        what="the argon best fit on the map",
        timeout=MAP_TIMEOUT,
    )
    wait_for(lambda: _map_canvas(page) != canvas_before, what="the argon map drawn")
    wait_for(lambda: "argon 2020 map" in text_of(page, "cevns-nsi-readout"), what="readout")
    shot(page, f"{prefix}_nsi_argon", css)
    shot(page, f"{prefix}_nsi_argon_map", "cevns-lesson-figure-nsi_map", block="center")

    if combined:
        # the combination is computed on demand, with a progress line meanwhile
        page.locator(".cevns-nsi-dataset button", has_text="CsI + argon").first.click()
        wait_for(
            lambda: "CsI + argon map" in text_of(page, "cevns-nsi-readout"),
            what="the combined map",
            timeout=MAP_TIMEOUT,
        )
        wait_for(
            lambda: (
                not bokeh_equals(page, "nsi_best", "x", [lar.best[0]], rel=1e-9)
                or not bokeh_equals(page, "nsi_best", "y", [lar.best[1]], rel=1e-9)
            ),
            what="the combined best fit",
        )
        assert not page.locator(f".{css} .cevns-message").first.inner_text().strip()
        shot(page, f"{prefix}_nsi_combined", css)


def _planner_flow(page, prefix: str) -> None:
    from cevns_widgets.widgets.lessons import data_say as ds

    css = "cevns-lesson-planner"
    page.locator(f".{css}").first.scroll_into_view_if_needed()
    nothing_clipped(page, css)
    ref = ds.PlannerLesson.plan_reference()
    wait_for(
        lambda: bokeh_equals(page, "plan_curve", "y", ref.significance, drawn=True, rel=1e-9),
        what="the 2017 curve drawn",
    )
    days5 = text_of(page, "cevns-plan-days5")
    assert days5 == ds._days_text(ref.days_to[5])
    m0 = wait_settled(page, "cevns-plan-mass")
    drag_until(page, "cevns-plan-mass", 60, lambda v: v > m0, settle=wait_settled)
    wait_for(lambda: text_of(page, "cevns-plan-days5") != days5, what="a new days-to-5σ readout")

    def marks_match_readout() -> bool:
        held = h.read_bokeh_columns(page, "plan_marks", "days") or []
        if len(held) != 1 or len(held[0]) != 2:
            return False
        shown = text_of(page, "cevns-plan-days5")
        return shown == ds._days_text(held[0][1])

    wait_for(marks_match_readout, what="the 5σ mark at the readout's days")
    shot(page, f"{prefix}_planner", css)


def _profiles_flow(page, prefix: str) -> None:
    from cevns_widgets.widgets.lessons import data_say as ds

    css = "cevns-lesson-profiles"
    page.locator(f".{css}").first.scroll_into_view_if_needed()
    nothing_clipped(page, css)
    no_horizontal_clipping(page, "cevns-profiles-table table")
    prof = ds.sin2w_profiles()
    for key, name in (("csi", ds.CSI), ("combined", ds.COMBINED)):
        wait_for(
            lambda k=key, n=name: bokeh_equals(
                page, f"prof_{k}", "y", prof[n].delta_chi2, drawn=True, rel=1e-9
            ),
            what=f"the {key} profile drawn",
        )
    shot(page, f"{prefix}_profiles", css)


def _flow(page, prefix: str, *, combined: bool) -> None:
    _fit_flow(page, prefix)
    _nsi_flow(page, prefix, combined=combined)
    _planner_flow(page, prefix)
    _profiles_flow(page, prefix)
    page.console_errors.assert_clean()


def test_data_notebook_voila(voila_server, browser_page):
    open_in_voila(browser_page, voila_server, NOTEBOOK, "cevns-nsi-eps-u")
    _flow(browser_page, "nb10_voila", combined=True)


def test_data_notebook_jupyterlab(jupyterlab_server, browser_page):
    open_in_lab(browser_page, jupyterlab_server, NOTEBOOK)
    _flow(browser_page, "nb10_lab", combined=False)
