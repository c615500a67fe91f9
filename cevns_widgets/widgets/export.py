"""Taking results away: spectrum CSV, scenario JSON, a Python snippet, and the panel for them.

The pure functions (``spectrum_csv``, ``python_snippet``, ``download_link``) need no widgets.
Downloads are ``<a download>`` links with a ``data:`` URI inside an ``ipywidgets.HTML``, so they
work in JupyterLab, Notebook and Voila alike (no server-side file).
"""

from __future__ import annotations

import base64
import html
import io
import json
from dataclasses import fields

import ipywidgets as W
import numpy as np

from ..api import Result
from ..presets import get_preset
from ..scenario import Scenario, inapplicable_fields
from .lifecycle import Closable
from .model import ScenarioModel, error_message

__all__ = ["ExportPanel", "download_link", "python_snippet", "snippet_options", "spectrum_csv"]

MAX_UPLOAD_BYTES = 100_000
#: What a hidden export panel shows once its links are out of date (no download link in it).
STALE_HTML = (
    '<span class="cevns-links-updating" style="color:#5A5A5A">'
    "updating the downloads for the current scenario…</span>"
)


# --------------------------------------------------------------------------- pure functions


def spectrum_csv(result: Result, kind: str = "recoil") -> str:
    """The current spectrum as CSV text, with the scenario in ``#`` comment lines.

    ``kind="recoil"``: dN/dT (events/keVnr) vs T (keVnr). ``kind="observed"``: dN/dx per unit
    of the detector's observable (PE, keVee or keVnr).
    """
    s = result.scenario
    if kind == "recoil":
        x, by = result.recoil_spectrum()
        xname, what = "T_keVnr", "dN/dT in events per keVnr (before detector response)"
    elif kind == "observed":
        x, by = result.observed_spectrum()
        obs = result.observable
        xname, what = f"x_{obs}", f"dN/dx in events per {obs} (after detector response)"
    else:
        raise ValueError(f"kind must be 'recoil' or 'observed', not {kind!r}")
    components = result.components  # the SNS flavours, or the reactor's antineutrinos
    total = sum(by[f] for f in components)
    table = np.column_stack([x, *(by[f] for f in components), total])
    buf = io.StringIO()
    buf.write(f"# CEvNS Explorer {kind} spectrum: {what}, over the exposure\n")
    buf.write(f"# events_total (above threshold, in the windows): {result.events_total:.6g}\n")
    buf.write(f"# scenario: {json.dumps(s.to_dict(), separators=(',', ':'))}\n")
    buf.write(",".join([xname, *components, "total"]) + "\n")
    np.savetxt(buf, table, fmt="%.6g", delimiter=",")
    return buf.getvalue()


def _diffs(scenario: Scenario, base: Scenario) -> dict:
    # `preset` is said by the call's first argument, not as an option; fields the
    # scenario ignores (lindhard_k with constant quenching, ...) are left out.
    skip = {"preset", *inapplicable_fields(scenario)}
    return {
        f.name: getattr(scenario, f.name)
        for f in fields(Scenario)
        if f.name not in skip and getattr(scenario, f.name) != getattr(base, f.name)
    }


def snippet_options(scenario: Scenario, preset: str | None = None) -> tuple[str | None, dict]:
    """(preset or None, keyword options) for ``expected_events`` reproducing ``scenario``,
    with only the fields that differ from the preset (or from the defaults, if shorter or if a
    field must go back to None, which keyword options cannot express)."""
    candidates = []
    if preset:
        diffs = _diffs(scenario, get_preset(preset).scenario)
        if all(v is not None for v in diffs.values()):
            candidates.append((preset, diffs))
    candidates.append((None, _diffs(scenario, Scenario())))
    return min(candidates, key=lambda c: len(c[1]))


def python_snippet(
    scenario: Scenario, preset: str | None = None, events: float | None = None
) -> str:
    """A short Python snippet that reproduces ``events_total`` with
    ``cevns_widgets.expected_events``."""
    name, options = snippet_options(scenario, preset)
    args = ([repr(name)] if name else []) + [f"{k}={v!r}" for k, v in options.items()]
    one_line = f"result = cevns_widgets.expected_events({', '.join(args)})"
    if len(one_line) <= 100:
        call = one_line
    else:
        call = (
            "result = cevns_widgets.expected_events(\n" + "".join(f"    {a},\n" for a in args) + ")"
        )
    comment = f"  # {events:.4g} in the explorer" if events is not None else ""
    return (
        "import cevns_widgets\n\n"
        + call
        + "\n"
        + f"print(f\"{{result['events_total']:.1f}} events\"){comment}\n"
    )


def data_uri(text: str, mime: str) -> str:
    payload = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return f"data:{mime};charset=utf-8;base64,{payload}"


def download_link(text: str, filename: str, label: str, mime: str = "text/plain") -> str:
    """HTML for a link that downloads ``text`` as ``filename`` (works offline and in Voila)."""
    return (
        f'<a class="cevns-download" download="{html.escape(filename)}" '
        f'href="{data_uri(text, mime)}" target="_blank" '
        'style="display:inline-block;margin:2px 10px 2px 0;padding:3px 8px;'
        'border:1px solid #0072B2;border-radius:3px;color:#0072B2;text-decoration:none">'
        f"&#11015; {html.escape(label)}</a>"
    )


# --------------------------------------------------------------------------- the panel


class ExportPanel(Closable):
    """Download links (spectrum CSV, scenario JSON), a JSON loader and the Python snippet.

    ``active``: when False the links and the snippet are not rebuilt on a change (building
    the CSVs and sending them to a hidden panel at every slider step would be wasted);
    everything is rebuilt as soon as ``active`` is set True again (the explorer does that when
    its "Share" tab is shown). A hidden panel never keeps links to an older scenario: the
    first change after it was built replaces the links and the snippet by a short "updating"
    note (one message), so a browser that shows the panel before the kernel has rebuilt it
    (the tab opens in the browser first) can never download the previous scenario's CSV.
    """

    def __init__(self, model: ScenarioModel, *, active: bool = True):
        self.model = model
        self._active = active
        self._dirty = True
        self.links = W.HTML()
        self.links.add_class("cevns-links")
        self.upload = W.FileUpload(
            accept=".json,application/json",
            multiple=False,
            description="Load scenario (JSON)",
            tooltip="A file saved with the JSON link here",
            layout=W.Layout(width="220px"),
        )
        self.upload_message = W.HTML()
        self.upload_message.add_class("cevns-message")
        self.snippet = W.Textarea(
            description="Python",
            rows=8,
            tooltip="Select all and copy: it reproduces the number",
            layout=W.Layout(width="98%"),
            style={"description_width": "60px"},
        )
        self.snippet.add_class("cevns-snippet")
        self.upload.observe(self._on_upload, names="value")
        model.observe(self._on_change, names=["result", "preset"])
        self.widget = W.VBox(
            [
                W.HTML(
                    "<b>Take it with you</b>: spectra as CSV, the figures as PNG (the save "
                    "icon in each plot's toolbar), the scenario as JSON or as Python."
                ),
                self.links,
                W.HBox([self.upload, self.upload_message]),
                self.snippet,
            ]
        )
        self.refresh()

    @property
    def active(self) -> bool:
        return self._active

    @active.setter
    def active(self, value: bool) -> None:
        self._active = bool(value)
        if self._active and self._dirty:
            self.refresh()

    def _on_change(self, _change) -> None:
        if self.closed:
            return
        if self._active:
            self.refresh()
        elif not self._dirty:
            self._dirty = True
            self._show_stale()

    def _show_stale(self) -> None:
        """Take the links and the snippet of an older scenario out of the (hidden) panel."""
        self.links.value = STALE_HTML
        self.snippet.value = ""

    def refresh(self) -> None:
        """Rebuild every download link and the snippet from the model."""
        if self.closed:
            return
        try:
            result = self.model.result
            s = result.scenario
            self.snippet.value = python_snippet(s, self.model.preset, result.events_total)
            self.links.value = "".join(
                [
                    download_link(
                        spectrum_csv(result, "recoil"),
                        "cevns_recoil_spectrum.csv",
                        "recoil spectrum (CSV)",
                        "text/csv",
                    ),
                    download_link(
                        spectrum_csv(result, "observed"),
                        "cevns_observed_spectrum.csv",
                        f"observed spectrum in {result.observable} (CSV)",
                        "text/csv",
                    ),
                    download_link(
                        s.to_json(), "cevns_scenario.json", "scenario (JSON)", "application/json"
                    ),
                ]
            )
            self._dirty = False
        except Exception as exc:  # noqa: BLE001
            self.upload_message.value = _error_html(error_message(exc))

    def _on_upload(self, change) -> None:
        files = change["new"]
        if not files or self.closed:
            return
        try:
            item = files[0]
            content = bytes(item["content"])
            if len(content) > MAX_UPLOAD_BYTES:
                raise ValueError(
                    f"{item.get('name', 'file')} is {len(content)} bytes: a "
                    "scenario file is a few hundred bytes"
                )
            text = content.decode("utf-8")
            ok = self.model.load_json(text)
            self.upload_message.value = (
                f'<span style="color:#006d4a">loaded {html.escape(item.get("name", ""))}</span>'
                if ok
                else _error_html(self.model.error)
            )
        except Exception as exc:  # noqa: BLE001
            self.upload_message.value = _error_html(error_message(exc))
        finally:
            try:
                self.upload.value = ()
            except Exception:  # noqa: BLE001 -- older ipywidgets cannot clear it
                pass

    def load_text(self, text: str) -> bool:
        """Load a scenario from JSON text as the upload does (message shown inline).
        A closed panel loads nothing and returns False."""
        if self.closed:
            return False
        ok = self.model.load_json(text)
        self.upload_message.value = "" if ok else _error_html(self.model.error)
        return ok

    def _repr_mimebundle_(self, **kwargs):
        if self.closed:
            return self._closed_bundle()
        return self.widget._repr_mimebundle_(**kwargs)


def _error_html(text: str) -> str:
    return f'<span class="cevns-error" style="color:#B00020">&#9888; {html.escape(text)}</span>'
