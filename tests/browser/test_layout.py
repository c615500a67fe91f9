"""Layouts that fit the screen, and projector mode, in a real browser.

Every notebook in Voila and in JupyterLab with the file browser open (what ``make explore``
shows), at 1024, 1280 and 1920 px: nothing inside the explorer or a lesson
sticks out of it, the page never scrolls sideways, every figure is at least 270 px wide and
at 1920 px the widget uses the width it has. Projector mode (``?projector=1`` in Voila, the
toggle in Lab): no widget text under 16 px, Bokeh ticks and legends at 18 px or more, and a
slider in the zoomed controls still drags. The first Voila screen of every notebook has a
"Jump to" link that brings a widget into view. Screenshots: ``tests/browser/output/layout-*.png``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from . import helpers as h
from .test_notebooks_browser import drag_until, events_text, wait_for, wait_settled
from .test_sky_notebooks import open_in_lab

pytestmark = pytest.mark.browser

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
ALL = sorted(p.name for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
WIDTHS = (1024, 1280, 1920)
ROOT = ".cevns-explorer, .cevns-lesson"

# Everything inside each widget root must lie within the root; content clipped on purpose
# (an ellipsis) or in a scroller (a wide table) is judged by that box. Returns offenders.
_OVERFLOW_JS = """
(selector) => {
  const out = [];
  for (const root of document.querySelectorAll(selector)) {
    if (root.parentElement && root.parentElement.closest(selector)) continue;
    const r = root.getBoundingClientRect();
    if (r.width === 0) continue;
    if (root.scrollWidth > root.clientWidth + 1)
      out.push(`root scrolls sideways: ${root.scrollWidth} > ${root.clientWidth}`);
    const walk = (el) => {
      for (const child of el.children) {
        const q = child.getBoundingClientRect();
        if (q.width === 0 || q.height === 0) continue;
        if (q.right > r.right + 1 || q.left < r.left - 1)
          out.push(`${child.className || child.tagName}: ${Math.round(q.left)}-`
                   + `${Math.round(q.right)} outside ${Math.round(r.left)}-${Math.round(r.right)}`);
        const style = getComputedStyle(child);
        // clipped or scrollable (a wide table): judged by its own box, and clipped text
        // must end in an ellipsis (its tooltip has the rest), not be cut mid-word
        if (style.overflowX === "visible") walk(child);
        else if (["hidden", "clip"].includes(style.overflowX)
                 && child.scrollWidth > child.clientWidth + 2
                 && child.innerText.trim().length > 0
                 && !Array.from(child.querySelectorAll("*")).concat([child]).some(
                      (e) => getComputedStyle(e).textOverflow === "ellipsis"))
          out.push(`${child.className || child.tagName} cuts its text: `
                   + `${child.scrollWidth} > ${child.clientWidth}: `
                   + child.innerText.trim().slice(0, 50));
      }
    };
    walk(root);
  }
  const doc = document.scrollingElement;
  if (doc.scrollWidth > doc.clientWidth + 1)
    out.push(`page scrolls sideways: ${doc.scrollWidth} > ${doc.clientWidth}`);
  return out.slice(0, 8);
}
"""

# Width of each visible figure view (px) and of the widget roots.
_WIDTHS_JS = """
(selector) => {
  const figs = [];
  for (const el of document.querySelectorAll(
      '[class*="cevns-figure-"], [class*="cevns-lesson-figure-"]')) {
    const q = el.getBoundingClientRect();
    if (q.width > 0 && q.height > 0) figs.push(Math.round(q.width));
  }
  const roots = Array.from(document.querySelectorAll(selector))
    .map((el) => Math.round(el.getBoundingClientRect().width)).filter((w) => w > 0);
  return {figs, roots};
}
"""

# The smallest effective size (px, CSS zoom included) of any visible widget text.
_SMALLEST_TEXT_JS = """
(selector) => {
  let least = Infinity, where = "";
  for (const root of document.querySelectorAll(selector)) {
    for (const el of root.querySelectorAll("*")) {
      const own = Array.from(el.childNodes).some(
        (n) => n.nodeType === 3 && n.textContent.trim().length > 0);
      // sub- and superscripts (T_max, 10⁶) are smaller by convention
      if (!own || el.closest("sub, sup")) continue;
      const q = el.getBoundingClientRect();
      if (q.width === 0 || q.height === 0) continue;
      let zoom = 1;
      for (let a = el; a && a !== document.documentElement; a = a.parentElement)
        zoom *= parseFloat(getComputedStyle(a).zoom || "1") || 1;
      const size = parseFloat(getComputedStyle(el).fontSize) * zoom;
      if (size < least) { least = size; where = el.textContent.trim().slice(0, 40); }
    }
  }
  return [least, where];
}
"""

# The smallest Bokeh tick-label and legend font sizes (px) of the figures in projector mode.
_BOKEH_SIZES_JS = """
() => {
  const px = (s) => s.endsWith("pt") ? parseFloat(s) * 4 / 3 : parseFloat(s);
  const roots = Array.from(document.querySelectorAll(".cevns-projector"));
  let ticks = Infinity, legends = Infinity, figures = 0;
  for (const view of [...window.Bokeh.index]) {
    if (!view.el || !view.el.isConnected || !roots.some((r) => r.contains(view.el))) continue;
    figures += 1;
    for (const m of view.model.document.all_models) {
      if (m.major_label_text_font_size != null)
        ticks = Math.min(ticks, px(String(m.major_label_text_font_size)));
      if (m.label_text_font_size != null && m.items != null)
        legends = Math.min(legends, px(String(m.label_text_font_size)));
    }
  }
  return [ticks, legends, figures];
}
"""


def check_widths(page, name: str, widths=WIDTHS) -> None:
    """At each width: nothing sticks out, figures >= 270 px, and the width is used."""
    for width in widths:
        page.set_viewport_size({"width": width, "height": 720})
        page.wait_for_timeout(900)  # the Bokeh layouts follow the resize
        offenders = page.evaluate(_OVERFLOW_JS, ROOT)
        assert offenders == [], f"{name} at {width} px: {offenders}"
        sizes = page.evaluate(_WIDTHS_JS, ROOT)
        assert sizes["figs"], f"{name} at {width} px: no figure visible"
        assert min(sizes["figs"]) >= 270, f"{name} at {width} px: figures {sizes['figs']}"
        if width == 1920:
            assert max(sizes["roots"]) >= 0.6 * 1920 - 700, f"{name}: {sizes['roots']}"
        page.locator(ROOT).first.evaluate("el => el.scrollIntoView({block: 'start'})")
        page.mouse.move(2, 2)
        page.wait_for_timeout(300)
        h.save_screenshot(page, f"layout-{name}-{width}", full_page=False, show_bokeh=False)


def check_projector(page, name: str) -> None:
    least, where = page.evaluate(_SMALLEST_TEXT_JS, ".cevns-projector")
    assert least >= 15.9, f"{name}: {where!r} at {least:.1f} px in projector mode"
    ticks, legends, figures = page.evaluate(_BOKEH_SIZES_JS)
    assert figures > 0, f"{name}: no figure in projector mode"
    assert ticks >= 18 and legends >= 18, f"{name}: ticks {ticks} px, legends {legends} px"


def open_voila(page, voila_server, notebook: str, query: str = "") -> None:
    page.set_viewport_size({"width": 1280, "height": 720})
    url = voila_server(NOTEBOOKS / notebook) + query
    page.goto(url, wait_until="domcontentloaded", timeout=120_000)
    page.wait_for_selector(ROOT, timeout=180_000)
    h.wait_for_bokeh_canvases(page, 1, timeout=120_000)
    page.wait_for_timeout(1500)


def check_first_screen_cue(page, name: str) -> None:
    """The first screen has a "Jump to" link; after a click a widget is in view."""
    page.evaluate("() => window.scrollTo(0, 0)")
    page.wait_for_timeout(300)
    link = page.locator('a[href^="#"]', has_text="Jump to").first
    box = link.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 720, f"{name}: no cue on screen"
    link.click()
    page.wait_for_timeout(800)
    in_view = page.evaluate(
        """() => Array.from(document.querySelectorAll('.jupyter-widgets')).some((el) => {
             const q = el.getBoundingClientRect();
             return q.width > 0 && q.top < innerHeight - 100 && q.bottom > 0; })"""
    )
    assert in_view, f"{name}: the cue does not lead to a widget"


@pytest.mark.parametrize("notebook", ALL)
def test_notebook_fits_voila(voila_server, browser_page, notebook):
    page = browser_page
    open_voila(page, voila_server, notebook)
    check_first_screen_cue(page, notebook)
    check_widths(page, f"voila-{notebook[:2]}")
    page.console_errors.assert_clean()


def test_projector_from_url_voila(voila_server, browser_page):
    """``?projector=1`` opens the explorer in projector mode; a zoomed slider still drags
    and the count follows."""
    page = browser_page
    open_voila(page, voila_server, "00_start_here.ipynb", "?projector=1")
    page.wait_for_selector(".cevns-explorer.cevns-projector", timeout=30_000)
    check_projector(page, "voila-00")
    check_widths(page, "voila-00-projector", widths=(1280, 1920))
    page.set_viewport_size({"width": 1280, "height": 720})
    page.wait_for_timeout(600)
    before_count = events_text(page)
    before = wait_settled(page, "cevns-threshold")[0]
    drag_until(page, "cevns-threshold", 20, lambda v: v[0] > before)
    wait_for(lambda: events_text(page) < before_count, what="the count to drop")
    page.console_errors.assert_clean()


@pytest.mark.parametrize("notebook", ALL)
def test_notebook_fits_lab_with_file_browser(jupyterlab_server, browser_page, notebook):
    page = browser_page
    open_in_lab(page, jupyterlab_server, notebook)  # 1280 x 720, file browser open
    h.wait_for_bokeh_canvases(page, 1, timeout=120_000)
    check_widths(page, f"lab-{notebook[:2]}")
    # the projector toggle of the first widget switches it on, and back off
    page.set_viewport_size({"width": 1280, "height": 720})
    toggle = page.locator(".cevns-projector-toggle").first
    toggle.scroll_into_view_if_needed()
    toggle.click()
    page.wait_for_selector(".cevns-projector", timeout=20_000)
    page.wait_for_timeout(800)
    check_projector(page, f"lab-{notebook[:2]}")
    h.save_screenshot(page, f"layout-lab-{notebook[:2]}-projector", full_page=False)
    toggle.click()
    page.wait_for_function("() => !document.querySelector('.cevns-projector')", timeout=20_000)
    page.console_errors.assert_clean()


def test_tick_formatter_javascript_matches_python(browser_page):
    """The formatter BokehJS runs writes what ``format_ticks`` (tested in test_ticks.py)
    writes, over linear and log axes from 10⁻⁴⁵ to 10²⁵."""
    from cevns_widgets.widgets.ticks import _JS, PLAIN_HIGH, PLAIN_LOW, format_ticks

    cases = []
    for exponent in range(-45, 26, 3):
        for digit in (1, 2, 5, 25):
            for offset in (-3, 0, 1, 4):
                step = digit * 10.0**exponent
                cases.append(([float(f"{(offset + i) * step:.12g}") for i in range(6)], False))
        cases.append(([10.0**p for p in range(exponent, exponent + 5)], True))
    cases.append(([2.0, 3.0, 5.0, 7.0], True))  # a log axis spanning less than a decade
    labels = browser_page.evaluate(
        """([code, cases, low, high]) => {
             const format = new Function("tick", "index", "ticks", "log", "LOW", "HIGH", code);
             return cases.map(([ticks, log]) =>
               ticks.map((t, i) => format(t, i, ticks, log, low, high)));
           }""",
        [_JS, cases, PLAIN_LOW, PLAIN_HIGH],
    )
    for (ticks, log), js in zip(cases, labels, strict=True):
        assert js == format_ticks(ticks, log=log), (ticks, log)
