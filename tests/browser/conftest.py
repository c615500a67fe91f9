"""Real-browser fixtures: Debian Chromium driven by Playwright against live Jupyter servers.

Fixtures
--------
``chromium_browser`` (session)
    A Playwright ``Browser`` from ``/usr/bin/chromium`` (``$CEVNS_CHROMIUM`` overrides). Without
    that binary the tests are skipped, unless ``CI=true``, where they fail (CI must install it).
``browser_page`` (function)
    A fresh context and page (1280x900) with a ``ConsoleErrors`` collector in
    ``browser_page.console_errors``. If the test fails, a screenshot is saved.
``jupyterlab_server`` (session)
    Yields ``LabServer(base_url, token, root_dir)``: a JupyterLab on 127.0.0.1 with isolated
    config, data, runtime and settings dirs, and the news/update toast disabled.
``voila_server`` (function)
    A factory ``start(notebook_path) -> url`` that serves one notebook with Voila and stops it at
    teardown.
``shared_config_server`` (function)
    A factory ``start("server" | "lab", extra_args=()) -> SharedConfigServer`` that runs
    ``jupyter server`` (as ``make app`` does) or ``jupyter lab`` (as ``make explore`` does) on the
    repository with the shared ``jupyter-config/`` on ``JUPYTER_CONFIG_PATH`` and a fresh user
    (empty config, data and settings dirs).

Server logs go to ``tests/browser/output/``.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

from .helpers import (
    CHROMIUM_ARGS,
    CHROMIUM_PATH,
    OUTPUT_DIR,
    ConsoleErrors,
    free_port,
    save_screenshot,
    shutdown_lab_kernels,
    start_process,
    stop_process,
    wait_for_http,
    wait_for_tcp,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
SERVER_START_TIMEOUT = 120.0  # seconds; a cold 2-core machine can take a while


class LabServer(NamedTuple):
    base_url: str
    token: str
    root_dir: Path


class SharedConfigServer(NamedTuple):
    base_url: str
    token: str
    log_path: Path


SHARED_CONFIG_DIR = REPO_ROOT / "jupyter-config"
APP_DEFAULT_URL = "/voila/render/notebooks/00_start_here.ipynb"  # as in the Makefile


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def pytest_collection_modifyitems(config, items):
    # Everything in this folder drives a browser.
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)


@pytest.fixture(autouse=True)
def _shutdown_lab_kernels_after_test(request):
    """Keep the shared JupyterLab lean on 2 cores: stop the kernels each test started."""
    yield
    if "jupyterlab_server" in request.fixturenames:
        server = request.getfixturevalue("jupyterlab_server")
        try:
            shutdown_lab_kernels(server.base_url, server.token)
        except Exception as exc:  # noqa: BLE001 - cleanup must not mask the test result
            print(f"warning: could not shut down lab kernels: {exc}")


@pytest.fixture(scope="session")
def browser_output_dir() -> Path:
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    return OUTPUT_DIR


@pytest.fixture(scope="session")
def chromium_browser():
    chromium = os.environ.get("CEVNS_CHROMIUM", CHROMIUM_PATH)
    if not Path(chromium).exists():
        msg = f"{chromium} not found (apt-get install chromium)"
        if _in_ci():
            pytest.fail(f"{msg}; CI=true, so the browser tests must run", pytrace=False)
        pytest.skip(msg)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover
        if _in_ci():
            pytest.fail(f"playwright is not installed: {exc}", pytrace=False)
        pytest.skip(f"playwright is not installed: {exc}")

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_page(chromium_browser, request, browser_output_dir):
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.console_errors = ConsoleErrors().attach(page)
    try:
        yield page
    finally:
        rep = getattr(request.node, "rep_call", None)
        if rep is not None and rep.failed:
            try:
                save_screenshot(page, f"FAILED-{request.node.name}")
            except Exception:
                pass
        context.close()


def _isolated_env(base: Path) -> dict[str, str]:
    """Environment for servers and their kernels: no user config/state, repo code first."""
    env = os.environ.copy()
    for name in ("config", "data", "runtime", "ipython"):
        (base / name).mkdir(parents=True, exist_ok=True)
    env.update(
        JUPYTER_CONFIG_DIR=str(base / "config"),
        JUPYTER_DATA_DIR=str(base / "data"),
        JUPYTER_RUNTIME_DIR=str(base / "runtime"),
        IPYTHONDIR=str(base / "ipython"),
        JUPYTER_PLATFORM_DIRS="1",
        PYTHONUNBUFFERED="1",
        PYTHONPATH=os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p),
        PATH=os.pathsep.join((str(Path(sys.executable).parent), env.get("PATH", ""))),
    )
    # Test the default (inline, offline) resource choice whatever the caller's shell says.
    env.pop("BOKEH_RESOURCES", None)
    env.pop("JUPYTERLAB_SETTINGS_DIR", None)
    env.pop("JUPYTERLAB_WORKSPACES_DIR", None)
    return env


def _write_lab_settings(settings_dir: Path) -> None:
    notif = settings_dir / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    notif.parent.mkdir(parents=True, exist_ok=True)
    notif.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))


def _start_jupyter(kind: str, args: list[str], *, root_dir: Path, env, log_path: Path):
    """Start ``jupyter <kind>`` on a free loopback port with a fresh token and wait until it
    answers; retried, since a "free" port can be taken before the server binds it. Returns
    (process, base URL, token)."""
    token = secrets.token_hex(16)
    last_error: Exception | None = None
    for _attempt in range(3):
        port = free_port()
        cmd = [
            sys.executable,
            "-m",
            "jupyter",
            kind,
            "--no-browser",
            "--allow-root",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root_dir}",
            *args,
        ]
        proc = start_process(cmd, log_path=log_path, env=env, cwd=root_dir)
        base_url = f"http://127.0.0.1:{port}"
        try:
            wait_for_http(
                f"{base_url}/api/status",
                proc=proc,
                log_path=log_path,
                headers={"Authorization": f"token {token}"},
                timeout=SERVER_START_TIMEOUT,
            )
        except Exception as exc:  # noqa: BLE001
            last_error = exc
            stop_process(proc)
            continue
        return proc, base_url, token
    raise RuntimeError(f"jupyter {kind} did not start: {last_error}")


@pytest.fixture(scope="session")
def jupyterlab_server(
    tmp_path_factory, browser_output_dir, chromium_browser
) -> Iterator[LabServer]:
    # Depends on chromium_browser so that a missing browser skips before a server starts.
    base = tmp_path_factory.mktemp("jupyterlab")
    root_dir = base / "root"
    settings_dir = base / "user-settings"
    workspaces_dir = base / "workspaces"
    for d in (root_dir, settings_dir, workspaces_dir):
        d.mkdir(parents=True, exist_ok=True)
    _write_lab_settings(settings_dir)
    env = _isolated_env(base)
    log_path = browser_output_dir / "jupyterlab-server.log"
    log_path.unlink(missing_ok=True)
    args = [
        f"--LabApp.user_settings_dir={settings_dir}",
        f"--LabApp.workspaces_dir={workspaces_dir}",
        "--LabApp.expose_app_in_browser=True",
        "--LabApp.news_url=",
    ]
    proc, base_url, token = _start_jupyter(
        "lab", args, root_dir=root_dir, env=env, log_path=log_path
    )
    try:
        yield LabServer(base_url, token, root_dir)
    finally:
        stop_process(proc)


@pytest.fixture
def voila_server(
    tmp_path_factory, browser_output_dir, chromium_browser
) -> Iterator[Callable[[Path], str]]:
    """Factory: ``url = voila_server(Path("nb.ipynb"))`` serves that notebook with Voila."""
    procs = []

    def start(notebook: Path, *, extra_args: tuple[str, ...] = ()) -> str:
        notebook = Path(notebook).resolve()
        base = tmp_path_factory.mktemp("voila")
        env = _isolated_env(base)
        log_path = browser_output_dir / f"voila-{notebook.stem}.log"
        log_path.unlink(missing_ok=True)
        last_error: Exception | None = None
        for _attempt in range(3):
            port = free_port()
            cmd = [
                sys.executable,
                "-m",
                "voila",
                str(notebook),
                "--no-browser",
                f"--port={port}",
                "--Voila.ip=127.0.0.1",
                "--Voila.port_retries=0",
                "--VoilaConfiguration.show_tracebacks=True",
                *extra_args,
            ]
            proc = start_process(cmd, log_path=log_path, env=env, cwd=notebook.parent)
            try:
                # Not GET /: that would execute the notebook just to check readiness.
                wait_for_tcp(
                    "127.0.0.1", port, proc=proc, log_path=log_path, timeout=SERVER_START_TIMEOUT
                )
            except Exception as exc:  # noqa: BLE001
                last_error = exc
                stop_process(proc)
                continue
            procs.append(proc)
            return f"http://127.0.0.1:{port}/"
        raise RuntimeError(f"Voila did not start: {last_error}")

    try:
        yield start
    finally:
        for proc in procs:
            stop_process(proc)


@pytest.fixture
def shared_config_server(
    tmp_path_factory, browser_output_dir, chromium_browser
) -> Iterator[Callable[..., SharedConfigServer]]:
    """Factory for servers configured like ``make app`` / ``make explore`` (and Binder)."""
    procs = []

    def start(kind: str = "server", *, extra_args: tuple[str, ...] = ()) -> SharedConfigServer:
        if kind not in {"server", "lab"}:
            raise ValueError(f"kind must be 'server' or 'lab', not {kind!r}")
        base = tmp_path_factory.mktemp(f"shared-{kind}")
        settings_dir = base / "user-settings"
        workspaces_dir = base / "workspaces"
        settings_dir.mkdir()
        workspaces_dir.mkdir()
        env = _isolated_env(base)
        env["JUPYTER_CONFIG_PATH"] = str(SHARED_CONFIG_DIR)
        log_path = browser_output_dir / f"shared-config-{kind}.log"
        log_path.unlink(missing_ok=True)
        if kind == "server":
            kind_args = [f"--ServerApp.default_url={APP_DEFAULT_URL}"]
        else:
            kind_args = [
                f"--LabApp.user_settings_dir={settings_dir}",
                f"--LabApp.workspaces_dir={workspaces_dir}",
            ]
        proc, base_url, token = _start_jupyter(
            kind, [*kind_args, *extra_args], root_dir=REPO_ROOT, env=env, log_path=log_path
        )
        procs.append(proc)
        return SharedConfigServer(base_url, token, log_path)

    try:
        yield start
    finally:
        for proc in procs:
            stop_process(proc)
