"""Helpers for driving JupyterLab / Voila pages with Playwright (sync API).

Everything here is plain functions on a Playwright ``Page`` plus a few process utilities used by
``conftest.py``. What BokehJS holds and draws is read straight from the page
(``window.Bokeh.index``). Only views whose root element is attached to the DOM count, so a plot
that the Python model considers updated but whose canvas still shows old data (the stale-canvas
race) is caught.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

OUTPUT_DIR = Path(__file__).resolve().parent / "output"
CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SLIDER_HANDLE = ".widget-slider .noUi-handle"
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]", ""}

# --------------------------------------------------------------------------- processes / ports


def free_port() -> int:
    """A TCP port that was free a moment ago on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_process(cmd: Sequence[str], *, log_path: Path, env: dict[str, str], cwd: Path):
    """Start ``cmd`` in its own process group, stdout+stderr to ``log_path``."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = open(log_path, "ab")  # noqa: SIM115 - closed in stop_process
    log.write(f"$ {' '.join(map(str, cmd))}\n".encode())
    log.flush()
    proc = subprocess.Popen(
        [str(c) for c in cmd],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env=env,
        cwd=str(cwd),
        start_new_session=True,
    )
    proc._cevns_log = log  # type: ignore[attr-defined]
    return proc


def stop_process(proc: subprocess.Popen, timeout: float = 15.0) -> None:
    """SIGTERM the process group we started (kernels included), then SIGKILL if needed."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=timeout)
    # Kernels live in the same process group; make sure none outlives the server.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    log = getattr(proc, "_cevns_log", None)
    if log is not None:
        log.close()


def log_tail(path: Path, n: int = 40) -> str:
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return "<no log>"
    return "\n".join(lines[-n:])


def wait_for_http(
    url: str,
    *,
    proc: subprocess.Popen,
    log_path: Path,
    headers: dict[str, str] | None = None,
    timeout: float = 120.0,
) -> None:
    """Poll ``url`` until it answers 200; fail early (with the log tail) if ``proc`` dies."""
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"server exited with {proc.returncode} before {url} was ready:\n"
                + log_tail(log_path)
            )
        try:
            req = urllib.request.Request(url, headers=headers or {})
            with urllib.request.urlopen(req, timeout=5) as resp:
                if resp.status == 200:
                    return
                last = resp.status
        except (urllib.error.URLError, ConnectionError, OSError) as exc:
            last = exc
        time.sleep(0.25)
    raise TimeoutError(f"{url} not ready after {timeout}s (last: {last}):\n{log_tail(log_path)}")


def wait_for_tcp(
    host: str, port: int, *, proc: subprocess.Popen, log_path: Path, timeout: float = 120.0
) -> None:
    """Poll until something accepts TCP connections on host:port (no HTTP request is made)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"server exited with {proc.returncode} before port {port} opened:\n"
                + log_tail(log_path)
            )
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.settimeout(1.0)
            if s.connect_ex((host, port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"port {port} not open after {timeout}s:\n{log_tail(log_path)}")


# --------------------------------------------------------------------------- notebooks


def write_notebook(path: Path, cells: Iterable[str]) -> Path:
    """Write a code-only notebook with a python3 kernelspec (no kernel picker dialog)."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in cells]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


# --------------------------------------------------------------------------- console errors


class ConsoleErrors:
    """Collect console errors and uncaught page errors, minus known harmless noise.

    Harmless here: Voila's Font Awesome CDN fetch, webpack module federation "Unsatisfied
    version" warnings, and any failed fetch of an external (non-loopback) URL, since these machines
    have no network.
    """

    HARMLESS_PATTERNS = (
        re.compile(r"font-?awesome", re.I),
        re.compile(r"Unsatisfied version", re.I),
    )

    def __init__(self) -> None:
        self.all: list[dict[str, Any]] = []

    def attach(self, page) -> ConsoleErrors:
        page.on("console", self._on_console)
        page.on("pageerror", self._on_pageerror)
        page.on("requestfailed", self._on_requestfailed)
        return self

    def _on_console(self, msg) -> None:
        if msg.type != "error":
            return
        try:
            url = (msg.location or {}).get("url", "")
        except Exception:
            url = ""
        self.all.append({"kind": "console", "text": msg.text, "url": url})

    def _on_pageerror(self, exc) -> None:
        text = f"{getattr(exc, 'name', '')}: {getattr(exc, 'message', exc)}"
        stack = getattr(exc, "stack", "") or ""
        self.all.append({"kind": "pageerror", "text": text, "url": "", "stack": stack})

    def _on_requestfailed(self, request) -> None:
        # Not a console message, but a failed loopback request is worth knowing about.
        self.all.append(
            {
                "kind": "requestfailed",
                "text": f"{request.method} {request.url}: {request.failure}",
                "url": request.url,
            }
        )

    @staticmethod
    def _is_external(url: str) -> bool:
        if not url or url.startswith(("data:", "blob:", "about:")):
            return False
        host = urlparse(url).hostname or ""
        return host not in LOOPBACK_HOSTS

    @classmethod
    def is_harmless(cls, entry: dict[str, Any]) -> bool:
        text = entry.get("text", "")
        if any(p.search(text) for p in cls.HARMLESS_PATTERNS):
            return True
        if cls._is_external(entry.get("url", "")):
            return True
        # "Failed to load resource: net::ERR_..." for an external URL named in the text.
        urls = re.findall(r"https?://[^\s'\")]+", text)
        markers = ("Failed to load resource", "net::ERR", "Failed to fetch")
        fetch_failure = any(k in text for k in markers)
        if fetch_failure and urls and all(cls._is_external(u) for u in urls):
            return True
        if entry["kind"] == "requestfailed" and "net::ERR_ABORTED" in text:
            # Navigations/teardown cancel in-flight loopback requests; not an app error.
            return True
        return False

    def errors(self) -> list[dict[str, Any]]:
        return [e for e in self.all if not self.is_harmless(e)]

    def assert_clean(self) -> None:
        errs = self.errors()
        assert not errs, "browser errors:\n" + json.dumps(errs, indent=2)[:6000]


# --------------------------------------------------------------------------- JupyterLab

_FIND_PANEL_JS = """
(path) => {
  const app = window.jupyterapp;
  if (!app) return null;
  for (const w of app.shell.widgets('main')) {
    if (w.context && w.context.path === path && w.content && w.sessionContext) return w;
  }
  return null;
}
"""


def open_notebook_in_lab(
    page,
    base_url: str,
    token: str,
    nb_path: str,
    *,
    workspace: str | None = None,
    timeout: float = 90_000,
) -> None:
    """Open ``nb_path`` (relative to the server root) and wait until its kernel is idle.

    Each call uses a fresh JupyterLab workspace (unless ``workspace`` is given), so tabs that
    earlier tests opened on the same server are not restored next to this notebook.
    """
    ws = workspace or f"t{secrets.token_hex(6)}"
    page.goto(
        f"{base_url}/lab/workspaces/{ws}/tree/{nb_path}?token={token}",
        wait_until="domcontentloaded",
    )
    wait_for_lab_notebook(page, nb_path, timeout=timeout)


def wait_for_lab_notebook(page, nb_path: str, timeout: float = 90_000) -> None:
    """Wait until JupyterLab shows ``nb_path`` with a connected, idle kernel (e.g. after reload)."""
    page.wait_for_function("() => !!window.jupyterapp", timeout=timeout)
    page.wait_for_function(
        f"""(path) => {{
          const w = ({_FIND_PANEL_JS})(path);
          if (!w || !w.context.isReady || !w.isVisible) return false;
          const k = w.sessionContext.session && w.sessionContext.session.kernel;
          return !!k && k.status === 'idle' && k.connectionStatus === 'connected';
        }}""",
        arg=nb_path,
        timeout=timeout,
        polling=200,
    )


def save_lab_notebook(page, nb_path: str, timeout: float = 30_000) -> None:
    """Save the notebook (outputs included) and wait until it is no longer dirty."""
    page.evaluate(
        f"""async (path) => {{
          const w = ({_FIND_PANEL_JS})(path);
          await w.context.save();
        }}""",
        nb_path,
    )
    page.wait_for_function(
        f"(path) => {{ const w = ({_FIND_PANEL_JS})(path); return w && !w.context.model.dirty; }}",
        arg=nb_path,
        timeout=timeout,
    )


def shutdown_lab_kernels(base_url: str, token: str) -> int:
    """Delete every session (and so its kernel) on a Jupyter server; returns how many."""
    headers = {"Authorization": f"token {token}"}
    req = urllib.request.Request(f"{base_url}/api/sessions", headers=headers)
    with urllib.request.urlopen(req, timeout=10) as resp:
        sessions = json.load(resp)
    for sess in sessions:
        req = urllib.request.Request(
            f"{base_url}/api/sessions/{sess['id']}", headers=headers, method="DELETE"
        )
        with contextlib.suppress(urllib.error.URLError):
            urllib.request.urlopen(req, timeout=30).close()
    return len(sessions)


def run_all_cells(page, nb_path: str, timeout: float = 90_000) -> None:
    """Run all cells through JupyterLab's command and wait until every code cell has run."""
    page.evaluate(
        f"""async (path) => {{
          const w = ({_FIND_PANEL_JS})(path);
          window.jupyterapp.shell.activateById(w.id);
          await w.sessionContext.ready;
          // Do not await the command: it resolves only after execution, which we poll below.
          window.jupyterapp.commands.execute('notebook:run-all-cells');
        }}""",
        nb_path,
    )
    page.wait_for_function(
        f"""(path) => {{
          const w = ({_FIND_PANEL_JS})(path);
          if (!w) return false;
          const k = w.sessionContext.session && w.sessionContext.session.kernel;
          if (!k || k.status !== 'idle') return false;
          const cells = w.content.widgets.filter(c => c.model.type === 'code');
          return cells.every(c => c.model.executionCount !== null);
        }}""",
        arg=nb_path,
        timeout=timeout,
        polling=200,
    )


def cell_error_outputs(page, nb_path: str) -> list[str]:
    """Tracebacks in the notebook's outputs (handy in assertion messages)."""
    return page.evaluate(
        f"""(path) => {{
          const w = ({_FIND_PANEL_JS})(path);
          const out = [];
          for (const c of w.content.widgets) {{
            if (c.model.type !== 'code') continue;
            const outputs = c.model.outputs;
            for (let i = 0; i < outputs.length; i++) {{
              const o = outputs.get(i).toJSON();
              if (o.output_type === 'error') out.push(o.ename + ': ' + o.evalue);
            }}
          }}
          return out;
        }}""",
        nb_path,
    )


# --------------------------------------------------------------------------- Bokeh in the page

# Glyph renderer views whose root view is attached to the document, for a named data source.
_LIVE_RENDERERS_JS = """
function __cevnsLiveRenderers(name) {
  const B = window.Bokeh;
  const out = [];
  if (!B || !B.index) return out;
  for (const root of [...B.index]) {
    if (!root.el || !root.el.isConnected) continue;
    const seen = new Set();
    const visit = (v) => {
      if (seen.has(v)) return;
      seen.add(v);
      const ds = v.model && v.model.data_source;
      if (ds && ds.name === name && v.glyph) out.push(v);
      for (const c of v.children()) visit(c);
    };
    visit(root);
  }
  return out;
}
"""


def with_live_renderers(body: str) -> str:
    """Wrap a JS function body ``(args) => {body}`` that may call
    ``__cevnsLiveRenderers(name)`` (the attached glyph renderer views of a named source)."""
    return f"(args) => {{ {_LIVE_RENDERERS_JS}\n{body} }}"


_READ_JS = with_live_renderers(
    """
  const [name, column, drawn] = args;
  const views = __cevnsLiveRenderers(name);
  if (views.length === 0) return null;
  return views.map(v => {
    const arr = drawn ? v.glyph[column] : v.model.data_source.data[column];
    return arr == null ? null : Array.from(arr, Number);
  });
"""
)


def read_bokeh_columns(page, source_name: str, column: str, *, drawn: bool = False):
    """One list per live renderer of ColumnDataSource ``source_name`` (None if none rendered).

    ``drawn=False`` reads ``data_source.data[column]`` as BokehJS holds it. ``drawn=True`` reads
    the glyph view's array for the glyph field ``column`` (for example "y"), which holds the
    values the canvas was last drawn from.
    """
    return page.evaluate(_READ_JS, [source_name, column, drawn])


def read_bokeh_column(page, source_name: str, column: str, *, drawn: bool = False) -> list[float]:
    """Like :func:`read_bokeh_columns` for exactly one rendered view; raises otherwise."""
    cols = read_bokeh_columns(page, source_name, column, drawn=drawn)
    if not cols:
        raise AssertionError(f"no rendered BokehJS view of a source named {source_name!r}")
    if len(cols) != 1:
        raise AssertionError(f"{len(cols)} rendered views of source {source_name!r}, expected 1")
    if cols[0] is None:
        raise AssertionError(f"source {source_name!r} has no column/field {column!r}")
    return cols[0]


def wait_for_bokeh_column(
    page,
    source_name: str,
    column: str,
    predicate_js: str,
    *,
    drawn: bool = False,
    timeout: float = 20_000,
):
    """Poll (per animation frame) until ``predicate_js(values)`` is true; return the values.

    ``predicate_js`` is a JS expression of a function of an array, for example
    ``"(ys) => ys[1] > 1.5"``.
    """
    handle = page.wait_for_function(
        with_live_renderers(
            f"""
  const [name, column, drawn] = args;
  const views = __cevnsLiveRenderers(name);
  if (views.length !== 1) return false;
  const v = views[0];
  const arr = drawn ? v.glyph[column] : v.model.data_source.data[column];
  if (arr == null) return false;
  const values = Array.from(arr, Number);
  return ({predicate_js})(values) ? values : false;
"""
        ),
        arg=[source_name, column, drawn],
        polling="raf",
        timeout=timeout,
    )
    return handle.json_value()


_PAINTED_CANVASES_JS = """
() => {
  const found = [];
  const walk = (root) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.tagName === 'CANVAS') found.push(el);
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  walk(document);
  let painted = 0;
  for (const c of found) {
    if (!c.isConnected || c.width === 0 || c.height === 0) continue;
    const r = c.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    let ctx = null;
    try { ctx = c.getContext('2d'); } catch (e) { continue; }
    if (!ctx) continue;
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    for (let i = 3; i < d.length; i += 4 * 7) { if (d[i] !== 0) { painted++; break; } }
  }
  return painted;
}
"""


def count_painted_canvases(page) -> int:
    """Number of attached, visible ``<canvas>`` elements (shadow DOM included) with any
    non-transparent pixel. Each Bokeh plot has one painted primary canvas plus overlay layers,
    which stay transparent."""
    return page.evaluate(_PAINTED_CANVASES_JS)


def wait_for_bokeh_canvases(page, n: int = 1, timeout: float = 60_000) -> int:
    """Wait until BokehJS is loaded and at least ``n`` canvases are painted."""
    page.wait_for_function(
        f"() => !!window.Bokeh && ({_PAINTED_CANVASES_JS})() >= {int(n)}",
        polling=250,
        timeout=timeout,
    )
    return count_painted_canvases(page)


# --------------------------------------------------------------------------- sliders


def slider_handle(page, index: int):
    """The ``index``-th *visible* slider handle (hidden JupyterLab tabs are skipped)."""
    return page.locator(SLIDER_HANDLE).locator("visible=true").nth(index)


def drag_slider(page, index: int, dx: float, *, steps: int = 5) -> None:
    """Drag the ``index``-th ``.widget-slider .noUi-handle`` horizontally by ``dx`` pixels."""
    handle = slider_handle(page, index)
    handle.scroll_into_view_if_needed()
    box = handle.bounding_box()
    if box is None:
        raise AssertionError(f"slider handle {index} is not visible")
    x = box["x"] + box["width"] / 2
    y = box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx, y, steps=max(1, steps))
    page.mouse.up()


# --------------------------------------------------------------------------- latency

_LATENCY_ARM_JS = with_live_renderers(
    """
  const [name, column] = args;
  const views = __cevnsLiveRenderers(name);
  if (views.length === 0) throw new Error('no rendered view of source ' + name);
  const ds = views[0].model.data_source;
  const before = JSON.stringify(Array.from(ds.data[column] ?? [], Number));
  const st = { down: false, t_input: null, t_change: null, before };
  const prev = window.__cevnsLatency;
  if (prev && prev.cleanup) prev.cleanup();
  const onDown = () => { st.down = true; };
  const onMove = (ev) => { if (st.down && st.t_input === null) st.t_input = ev.timeStamp; };
  const onChange = () => {
    if (st.t_change !== null) return;
    const now = performance.now();
    const cur = JSON.stringify(Array.from(ds.data[column] ?? [], Number));
    if (cur !== st.before) st.t_change = now;
  };
  window.addEventListener('pointerdown', onDown, true);
  window.addEventListener('pointermove', onMove, true);
  ds.change.connect(onChange);
  st.cleanup = () => {
    window.removeEventListener('pointerdown', onDown, true);
    window.removeEventListener('pointermove', onMove, true);
    ds.change.disconnect(onChange);
  };
  window.__cevnsLatency = st;
  return true;
"""
)


def measure_drag_latency(
    page,
    source_name: str,
    column: str,
    handle_index: int,
    n: int = 10,
    *,
    dx: float = 40.0,
    timeout: float = 15_000,
) -> list[float]:
    """Milliseconds from a slider drag's first pointermove to BokehJS holding new data.

    For each of ``n`` drags (alternating +dx / -dx so the value stays in range) this installs a
    ``pointermove`` listener and a ``source.change`` listener on the live BokehJS
    ColumnDataSource ``source_name``. It then drags the ``handle_index``-th slider handle in a
    single mouse move. The latency is the time from that move (``event.timeStamp``) to the first
    change that makes ``data[column]`` differ from its value before the drag. Both times come
    from the page clock (``performance.now()``). That span covers the slider view, the kernel
    round trip, the Python callback and the BokehJS patch, but not painting.
    """
    results: list[float] = []
    for i in range(n):
        page.evaluate(_LATENCY_ARM_JS, [source_name, column])
        drag_slider(page, handle_index, dx if i % 2 == 0 else -dx, steps=1)
        page.wait_for_function(
            "() => window.__cevnsLatency && window.__cevnsLatency.t_change !== null",
            polling="raf",
            timeout=timeout,
        )
        t_input, t_change = page.evaluate(
            "() => { const s = window.__cevnsLatency; s.cleanup();"
            " return [s.t_input, s.t_change]; }"
        )
        if t_input is None:
            raise AssertionError("no pointermove was seen during the drag")
        results.append(float(t_change) - float(t_input))
        # Let trailing messages (slider echo, mouse-up) settle before the next drag.
        page.wait_for_timeout(150)
    return results


def summarize_latency(values: Sequence[float]) -> dict[str, float]:
    return {
        "n": float(len(values)),
        "median_ms": statistics.median(values),
        "min_ms": min(values),
        "max_ms": max(values),
    }


# --------------------------------------------------------------------------- screenshots


def scroll_to_bokeh(page, index: int = 0) -> bool:
    """Scroll the ``index``-th attached Bokeh root view into the middle of its scroller.

    JupyterLab scrolls the notebook panel, not the page, so a full-page screenshot alone can
    miss the plot.
    """
    return page.evaluate(
        """(i) => {
          const roots = window.Bokeh ? [...window.Bokeh.index].filter(v => v.el?.isConnected) : [];
          if (roots.length <= i) return false;
          roots[i].el.scrollIntoView({block: 'center'});
          return true;
        }""",
        index,
    )


def save_screenshot(page, name: str, *, full_page: bool = True, show_bokeh: bool = True) -> Path:
    """Save a PNG under ``tests/browser/output/`` and return its path.

    With ``show_bokeh`` the first Bokeh plot is scrolled into view first.
    """
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    if show_bokeh:
        try:
            scroll_to_bokeh(page)
        except Exception:
            pass
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)
    path = OUTPUT_DIR / f"{safe}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def wait_until(
    fn: Callable[[], Any], *, timeout: float = 20.0, interval: float = 0.1, what: str = ""
) -> Any:
    """Poll a Python predicate until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what or fn}")
        time.sleep(interval)
