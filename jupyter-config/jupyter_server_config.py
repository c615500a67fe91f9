"""Jupyter server settings shared by `make app`, `make explore` and Binder.

The Makefile and binder/start put this folder on JUPYTER_CONFIG_PATH, so the same file
configures the local server and the one on mybinder.org (Voila runs there as a Jupyter
server extension, exactly as in `make app`).
"""

c = get_config()  # noqa: F821 - provided by traitlets when it loads this file

# --- Kernels of closed pages go away ---------------------------------------------------
# Every Voila page load starts a kernel (100-180 MB). A class reloading pages on Binder would
# otherwise exhaust the pod. Two mechanisms:
#
# 1. Voila's own shutdown on page close. Its `beforeunload` beacon posts the `_xsrf` cookie
#    to /voila/api/shutdown/<kernel>, but Voila 0.5 never sets that cookie, so the server
#    answers 403 ("'_xsrf' argument missing", voila#1458). Reading `xsrf_token` before the
#    kernel starts sets the cookie, and the kernel stops as soon as the page closes.


def _set_xsrf_cookie(handler, notebook, cwd):
    """Voila prelaunch hook: make sure the page gets an `_xsrf` cookie."""
    handler.xsrf_token  # noqa: B018 - the property sets the cookie as a side effect


c.VoilaConfiguration.prelaunch_hook = _set_xsrf_cookie

# 2. Culling, for pages that never said goodbye (browser crash, lost network, a laptop
#    closed on Binder): a kernel with no open connection and no activity for
#    cull_idle_timeout seconds is stopped at the next check, so within
#    cull_idle_timeout + cull_interval = 80 s. Kernels of open pages (and of open
#    JupyterLab notebooks) are never culled: cull_connected is False.
c.MappingKernelManager.cull_idle_timeout = 60
c.MappingKernelManager.cull_interval = 20
c.MappingKernelManager.cull_connected = False
c.MappingKernelManager.cull_busy = False
