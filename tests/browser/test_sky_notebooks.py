"""Notebooks 8 (the neutrino fog) and 9 (a supernova) in a real browser, JupyterLab and Voila.

Each test opens the committed notebook at 1280x720, waits until the lesson's Bokeh figures
are painted, checks that what BokehJS holds (and draws) equals what the kernel computes
(recomputed here with the same library calls), moves a control with the mouse and waits for
the readout and the figure data to follow: every wait is on a condition, none is a fixed
sleep. JupyterLab runs with its file browser open (a student's first view), so the lessons
must fit or wrap in the narrower notebook. Screenshots go to ``tests/browser/output/`` or to
``$CEVNS_SHOTS_DIR`` (``nb08_*.png``, ``nb09_*.png``).
"""

from __future__ import annotations

import math
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from . import helpers as h
from .test_notebooks_browser import bokeh_equals, drag, wait_for
from .test_notebooks_browser import wait_settled as _wait_settled

pytestmark = pytest.mark.browser

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
FOG = "08_neutrino_fog.ipynb"
SUPERNOVA = "09_supernova.ipynb"
VIEWPORT = {"width": 1280, "height": 720}


def _shots_dir() -> Path:
    path = Path(os.environ.get("CEVNS_SHOTS_DIR") or h.OUTPUT_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def shot(page, name: str, css: str, *, block: str = "start") -> Path:
    """Scroll the element with class ``css`` into view and save the viewport as ``name``."""
    page.locator(f".{css}").first.evaluate("(el, block) => el.scrollIntoView({block})", block)
    page.mouse.move(2, 2)  # no hover tooltips or toolbars in the picture
    # two animation frames: the scroll is painted before the picture is taken
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    path = _shots_dir() / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    assert path.stat().st_size > 20_000
    return path


def no_horizontal_clipping(page, css: str) -> None:
    """The lesson is no wider than the area that shows it (no hidden right-hand part)."""
    widths = page.locator(f".{css}").first.evaluate(
        """el => {
          const r = el.getBoundingClientRect();
          let p = el.parentElement, avail = document.documentElement.clientWidth;
          while (p) {
            const s = getComputedStyle(p);
            if (['auto', 'scroll', 'hidden'].includes(s.overflowX)) {
              avail = Math.min(avail, p.getBoundingClientRect().right); break; }
            p = p.parentElement;
          }
          return [r.right, avail];
        }"""
    )
    right, available = widths
    assert right <= available + 1, f"the lesson ends at {right}px, its area at {available}px"


def slider_value(page, css: str) -> float:
    """The value in the readout of the slider with class ``css`` (any float notation;
    ipywidgets writes negatives with U+2212)."""
    text = page.locator(f".{css} .widget-readout").first.inner_text().strip()
    return float(text.replace("\u2212", "-"))


def wait_settled(page, css: str, *, timeout: float = 20.0) -> float:
    """The slider's value once its readout has stopped changing."""
    return _wait_settled(page, css, timeout=timeout, read=slider_value)


def text_of(page, css: str) -> str:
    return page.locator(f".{css}").first.inner_text().strip()


def open_in_lab(page, server, name: str) -> None:
    shutil.copy(NOTEBOOKS / name, server.root_dir / name)
    page.set_viewport_size(VIEWPORT)
    h.open_notebook_in_lab(page, server.base_url, server.token, name)
    h.run_all_cells(page, name)
    assert h.cell_error_outputs(page, name) == []
    # the file browser stays open: that is what a student sees first
    assert not page.evaluate("() => window.jupyterapp.shell.leftCollapsed")


def open_in_voila(page, voila_server, name: str, handle_css: str) -> None:
    page.set_viewport_size(VIEWPORT)
    page.goto(voila_server(NOTEBOOKS / name), wait_until="domcontentloaded", timeout=90_000)
    page.wait_for_selector(f".{handle_css} .noUi-handle", timeout=90_000)


# --------------------------------------------------------------------------- notebook 8


def _fog_flow(page, prefix: str) -> None:
    from cevns_widgets.physics import sky
    from cevns_widgets.widgets.lessons import fog

    lesson_css = "cevns-lesson-fog"
    # the prediction: choose 6 GeV and reveal the computed answer
    prediction = page.locator(".cevns-fog-prediction").first
    prediction.scroll_into_view_if_needed()
    prediction.get_by_text("about 6 GeV").click()
    prediction.locator(".cevns-fog-reveal").click()
    match = fog.match_8b("Xe", 1.0)
    wait_for(
        lambda: f"{match.mass_GeV:.2f} GeV" in text_of(page, "cevns-fog-answer"),
        what="the revealed answer",
    )
    assert "right" in text_of(page, "cevns-fog-answer")
    no_horizontal_clipping(page, "cevns-fog-answer")
    page.locator(".cevns-fog-measurements").first.scroll_into_view_if_needed()
    no_horizontal_clipping(page, "cevns-fog-measurements table")
    shot(page, f"{prefix}_prediction", "cevns-fog-prediction", block="start")

    # JupyterLab lays out only the cells in view: bring the lesson there first
    page.locator(f".{lesson_css}").first.scroll_into_view_if_needed()
    assert h.wait_for_bokeh_canvases(page, 4, timeout=60_000) >= 4
    no_horizontal_clipping(page, lesson_css)

    # what BokehJS holds is the kernel's (what it draws: the star below)
    expected_total = sum(
        sky.neutrino_background_spectra("Xe", fog.RECOIL_keV, fog.SOLAR_MODEL).values()
    )
    wait_for(
        lambda: bokeh_equals(page, "fog_spectrum", "total", expected_total, rel=1e-9),
        what="the kernel's neutrino spectrum in BokehJS",
    )

    def star_matches() -> bool:
        """The star on the discovery-limit figure sits on the kernel's limit for the
        exposure BokehJS holds."""
        held = h.read_bokeh_columns(page, "fog_now", "exposure") or []
        if len(held) != 1 or not held[0]:
            return False
        e = held[0][0]
        sigma, _n = fog.discovery_curve("Xe", 1.0, 30.0)
        expected = fog._log_interp(e, fog.EXPOSURES_t_yr, sigma)
        return bokeh_equals(page, "fog_now", "y", [expected], drawn=True, rel=1e-6)

    wait_for(star_matches, what="the star at the kernel's limit")
    before = text_of(page, "cevns-fog-sigma-dl")
    e0 = wait_settled(page, "cevns-fog-exposure")

    # drag the exposure up: the readout and the star follow
    for _ in range(3):  # on a loaded 2-core machine a press can land before the page settles
        drag(page, "cevns-fog-exposure", 25)
        e1 = wait_settled(page, "cevns-fog-exposure")
        if e1 > e0:
            break
    assert e1 > e0
    wait_for(lambda: text_of(page, "cevns-fog-sigma-dl") != before, what="a new σ_DL readout")

    def star_at(e: float) -> bool:
        held = h.read_bokeh_columns(page, "fog_now", "exposure") or []
        return len(held) == 1 and bool(held[0]) and math.isclose(held[0][0], e, rel_tol=5e-3)

    wait_for(lambda: star_at(e1), what=f"the star at {e1} t yr")
    wait_for(star_matches, what="the star at the kernel's limit after the drag")

    # match 8B: the WIMP point moves to the look-alike, the readout says so
    page.locator(".cevns-fog-match").first.click()
    wait_for(
        lambda: bokeh_equals(page, "fog_wimp_point", "mass", [match.mass_GeV], rel=1e-9),
        what="the WIMP at the ⁸B look-alike",
    )
    wait_for(
        lambda: f"{match.mass_GeV:.3g} GeV" in text_of(page, "cevns-fog-readout"),
        what="the readout of the look-alike",
    )
    shot(page, f"{prefix}_lesson", lesson_css)
    shot(page, f"{prefix}_map", "cevns-lesson-figure-fog_map", block="center")
    page.console_errors.assert_clean()


def test_fog_voila(voila_server, browser_page):
    open_in_voila(browser_page, voila_server, FOG, "cevns-fog-exposure")
    _fog_flow(browser_page, "nb08_voila")


def test_fog_jupyterlab(jupyterlab_server, browser_page):
    open_in_lab(browser_page, jupyterlab_server, FOG)
    _fog_flow(browser_page, "nb08_lab")


# --------------------------------------------------------------------------- notebook 9


def _supernova_flow(page, prefix: str) -> None:
    from cevns_widgets import Scenario, evaluate
    from cevns_widgets.physics.sources import supernova as sn
    from cevns_widgets.widgets.readout import format_events

    lesson_css = "cevns-lesson-supernova"

    def kernel(distance_kpc: float) -> float:
        return evaluate(
            Scenario(
                source="supernova",
                target="Xe",
                mass_kg=5900.0,
                supernova_distance_kpc=distance_kpc,
                threshold=1.0,
            )
        ).events_total

    page.locator(f".{lesson_css}").first.scroll_into_view_if_needed()
    assert h.wait_for_bokeh_canvases(page, 2, timeout=60_000) >= 2
    no_horizontal_clipping(page, lesson_css)
    page.locator(".cevns-sn-table").first.scroll_into_view_if_needed()
    no_horizontal_clipping(page, "cevns-sn-table table")
    page.locator(f".{lesson_css}").first.scroll_into_view_if_needed()
    shown = page.locator(".cevns-sn-events").first

    def shows(distance_kpc: float) -> bool:
        n = kernel(distance_kpc)
        return shown.inner_text().strip() == format_events(n) and bokeh_equals(
            page, "sn_now", "y", [n], drawn=True, rel=1e-9
        )

    wait_for(lambda: shows(10.0), what="the count at 10 kpc")
    # the three questions are answered in the readout
    readout = text_of(page, "cevns-sn-readout")
    for name in ("Betelgeuse", "Galactic Centre", "Andromeda (M31)"):
        assert format_events(kernel(sn.NAMED_DISTANCES_kpc[name])) in readout

    # the Betelgeuse button
    page.locator(".cevns-sn-place-betelgeuse").first.click()
    wait_for(lambda: shows(sn.NAMED_DISTANCES_kpc["Betelgeuse"]), what="Betelgeuse's count")
    page.locator(".cevns-sn-place-galactic-centre").first.click()
    wait_for(lambda: shows(sn.NAMED_DISTANCES_kpc["Galactic Centre"]), what="the centre's count")

    # drag the distance out: fewer events, exactly 1/d^2
    d0 = wait_settled(page, "cevns-sn-distance")
    before = shown.inner_text()
    for _ in range(3):
        drag(page, "cevns-sn-distance", 50)
        d1 = wait_settled(page, "cevns-sn-distance")
        if d1 > d0:
            break
    assert d1 > d0
    wait_for(lambda: shown.inner_text() != before, what="a new count after the drag")

    def follows_held_distance() -> bool:
        held = h.read_bokeh_columns(page, "sn_now", "d") or []
        if len(held) != 1 or not held[0]:
            return False
        d = held[0][0]
        return math.isclose(d, d1, rel_tol=5e-3) and shows(d)

    wait_for(follows_held_distance, what=f"the count at {d1} kpc")
    held = np.asarray(h.read_bokeh_column(page, "sn_distance", "events"))
    d = np.asarray(h.read_bokeh_column(page, "sn_distance", "d"))
    np.testing.assert_allclose(held * d**2, held[0] * d[0] ** 2, rtol=1e-9)

    shot(page, f"{prefix}_lesson", lesson_css)
    shot(page, f"{prefix}_figures", "cevns-lesson-figure-sn_distance", block="center")
    page.console_errors.assert_clean()


def test_supernova_voila(voila_server, browser_page):
    open_in_voila(browser_page, voila_server, SUPERNOVA, "cevns-sn-distance")
    _supernova_flow(browser_page, "nb09_voila")


def test_supernova_jupyterlab(jupyterlab_server, browser_page):
    open_in_lab(browser_page, jupyterlab_server, SUPERNOVA)
    _supernova_flow(browser_page, "nb09_lab")
