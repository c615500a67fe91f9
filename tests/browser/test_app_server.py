"""`make app` / Binder server: kernels of closed pages go away, every notebook is served.

The servers here run like `make app` (``jupyter server`` with Voila as an extension and the
shared ``jupyter-config/`` on ``JUPYTER_CONFIG_PATH``, as ``binder/start`` sets it on Binder) and
``make explore`` (``jupyter lab`` with the same folder).
"""

from __future__ import annotations

import http.client
import json
import re
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

from traitlets.config.loader import PyFileConfigLoader

from .conftest import APP_DEFAULT_URL, REPO_ROOT, SHARED_CONFIG_DIR
from .helpers import wait_for_bokeh_canvases, wait_until

# Short culling for the test server (command-line options win over the shared file).
CULL_IDLE_S, CULL_INTERVAL_S = 6, 2
KERNEL_NOTEBOOK = "notebooks/01_what_is_cevns.ipynb"


def _api(server, path: str, method: str = "GET"):
    req = urllib.request.Request(
        f"{server.base_url}{path}",
        headers={"Authorization": f"token {server.token}"},
        method=method,
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        body = resp.read()
    return json.loads(body) if body else None


def _kernel_ids(server) -> set[str]:
    return {k["id"] for k in _api(server, "/api/kernels")}


def _open_app_page(page, server, notebook: str) -> str:
    """Load a Voila page, wait until it has drawn, return its kernel id."""
    resp = page.goto(f"{server.base_url}/voila/render/{notebook}?token={server.token}")
    assert resp is not None and resp.status == 200, resp and resp.status
    wait_for_bokeh_canvases(page, 1, timeout=120_000)
    return _page_kernel_id(page)


def _page_kernel_id(page) -> str:
    return page.evaluate(
        "() => JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"
    )


def test_shared_config_is_used_everywhere_and_culls_within_two_minutes():
    cfg = PyFileConfigLoader("jupyter_server_config.py", path=str(SHARED_CONFIG_DIR)).load_config()
    mkm = cfg.MappingKernelManager
    assert mkm.cull_idle_timeout > 0
    assert mkm.cull_idle_timeout + mkm.cull_interval <= 120, "closed pages must go within 2 min"
    assert mkm.cull_connected is False, "kernels of open pages must survive"
    assert callable(cfg.VoilaConfiguration.prelaunch_hook)

    page_config = json.loads((SHARED_CONFIG_DIR / "labconfig" / "page_config.json").read_text())
    assert page_config["disabledExtensions"]["@jupyterlab/apputils-extension:announcements"]

    makefile = (REPO_ROOT / "Makefile").read_text()
    assert 'JUPYTER_CONFIG_PATH="$(CURDIR)/jupyter-config' in makefile
    for target in ("explore", "app"):
        recipe = re.search(rf"^{target}:.*\n((?:\t.*\n)+)", makefile, re.M)
        assert recipe and "$(JUPYTER_ENV)" in recipe.group(1), f"make {target} must use it"
    assert "--ServerApp.default_url=/voila/render/$(START_NOTEBOOK)" in makefile
    start = (REPO_ROOT / "binder" / "start").read_text()
    assert "jupyter-config" in start and "export JUPYTER_CONFIG_PATH" in start


def test_kernels_of_closed_pages_go_away(shared_config_server, chromium_browser):
    server = shared_config_server(
        "server",
        extra_args=(
            f"--MappingKernelManager.cull_idle_timeout={CULL_IDLE_S}",
            f"--MappingKernelManager.cull_interval={CULL_INTERVAL_S}",
        ),
    )
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(60_000)
    try:
        pages, kernels = {}, {}
        for name in ("closed", "crashed", "open"):
            pages[name] = context.new_page()
            kernels[name] = _open_app_page(pages[name], server, KERNEL_NOTEBOOK)
        assert _kernel_ids(server) == set(kernels.values())

        # Reload: the old page's kernel is shut down, the new page gets a new one.
        old = kernels["closed"]
        pages["closed"].reload()
        wait_for_bokeh_canvases(pages["closed"], 1, timeout=120_000)
        kernels["closed"] = _page_kernel_id(pages["closed"])
        assert kernels["closed"] != old
        wait_until(lambda: old not in _kernel_ids(server), timeout=10, what="reloaded kernel")
        assert _kernel_ids(server) == set(kernels.values())

        # Closing a page: Voila's beforeunload shutdown now succeeds, in seconds.
        t0 = time.monotonic()
        pages["closed"].close(run_before_unload=True)
        wait_until(
            lambda: kernels["closed"] not in _kernel_ids(server), timeout=10, what="shutdown"
        )
        t_shutdown = time.monotonic() - t0

        # A page that never says goodbye (crash, lost network): culled when idle.
        t0 = time.monotonic()
        pages["crashed"].close(run_before_unload=False)
        wait_until(
            lambda: kernels["crashed"] not in _kernel_ids(server),
            timeout=CULL_IDLE_S + CULL_INTERVAL_S + 15,
            what="culling",
        )
        t_cull = time.monotonic() - t0

        # The open page's kernel outlives several cull checks and is still connected.
        time.sleep(2 * CULL_INTERVAL_S + 1)
        assert _kernel_ids(server) == {kernels["open"]}
        model = _api(server, f"/api/kernels/{kernels['open']}")
        assert model["connections"] >= 1 and model["execution_state"] != "dead"
        print(f"close -> kernel gone in {t_shutdown:.1f} s; crash -> culled in {t_cull:.1f} s")

        log = server.log_path.read_text(errors="replace")
        assert "403 POST /voila/api/shutdown" not in log
        assert f"Culling kernels with idle durations > {CULL_IDLE_S} seconds" in log
    finally:
        context.close()
    wait_until(lambda: not _kernel_ids(server), timeout=15, what="last page's kernel")


def test_app_lands_on_notebook_0_and_serves_the_others(shared_config_server, browser_page):
    server = shared_config_server("server")
    page = browser_page
    page.goto(f"{server.base_url}/?token={server.token}")
    assert urlparse(page.url).path == APP_DEFAULT_URL
    wait_for_bokeh_canvases(page, 1, timeout=120_000)

    links = page.eval_on_selector_all("a[href$='.ipynb']", "els => els.map(e => e.href)")
    paths = sorted({urlparse(u).path for u in links})
    assert len(paths) >= 9, paths
    notebooks = REPO_ROOT / "notebooks"
    for path in paths:
        assert path.startswith("/voila/render/notebooks/"), path
        assert (notebooks / Path(path).name).is_file(), path

    # Each linked page answers 200 (read only the status, then stop its kernel).
    host, port = urlparse(server.base_url).hostname, urlparse(server.base_url).port
    for path in paths:
        before = _kernel_ids(server)
        conn = http.client.HTTPConnection(host, port, timeout=60)
        conn.request("GET", path, headers={"Authorization": f"token {server.token}"})
        status = conn.getresponse().status
        conn.close()
        assert status == 200, f"{path}: {status}"
        for kid in _kernel_ids(server) - before:
            _api(server, f"/api/kernels/{kid}", method="DELETE")

    # And a click on the map opens a working app.
    target = next(p for p in paths if "02_" in p)
    with page.expect_navigation() as nav:
        page.click(f"a[href$='{Path(target).name}']")
    assert nav.value.status == 200
    assert urlparse(page.url).path == target
    wait_for_bokeh_canvases(page, 1, timeout=120_000)


def test_explore_shows_no_news_prompt(shared_config_server, browser_page):
    server = shared_config_server("lab")
    page = browser_page
    page.goto(f"{server.base_url}/lab/tree/notebooks/00_start_here.ipynb?token={server.token}")
    page.wait_for_selector(".jp-Notebook", timeout=120_000)
    disabled = page.evaluate(
        "() => JSON.parse(document.getElementById('jupyter-config-data').textContent)"
        ".disabledExtensions"
    )
    assert "@jupyterlab/apputils-extension:announcements" in disabled
    page.wait_for_timeout(4000)  # the prompt would appear right after the app is restored
    assert page.get_by_text("official Jupyter news").count() == 0
    assert page.locator(".jp-toast-message, .Toastify__toast").count() == 0
