"""The headline: expected events with the published uncertainty budget, in large type."""

from __future__ import annotations

import html
import math
import re

import ipywidgets as W

from ..api import Result
from ..physics.sources import solar
from ..presets import format_published, get_preset
from ..scenario import ScenarioError
from .band import quenching_band
from .controls import solar_model_name, tonne_years
from .lifecycle import Closable
from .model import ScenarioModel
from .style import component_color
from .units import threshold_keVnr

__all__ = ["Readout", "format_events", "human_number"]

#: Inline CSS: a block kept on one line; a line cut with an ellipsis; a line that may wrap
#: anywhere (a long formula) rather than overflow.
_BLOCK = "white-space:nowrap"
_LINE = "white-space:nowrap;overflow:hidden;text-overflow:ellipsis"
_WRAP = "overflow-wrap:anywhere"

_BUDGET_NAMES = {
    "flux": "flux",
    "quenching": "quenching",
    "form_factor": "form factor",
    "selection": "selection",
    "theory": "theory",
    "experiment": "experiment",
    "total": "total",
}


_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _power_of_ten(value: float, digits: int) -> str:
    """'1.23×10⁸': ``digits`` significant figures (trailing zeros dropped), never 'e+08'."""
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".") if "." in mantissa else mantissa
    return f"{mantissa}×10{str(int(exponent)).translate(_SUPERSCRIPTS)}"


#: A number in e-notation in a preset's text ("p < 1.2e-3"), shown as 1.2×10⁻³.
_E_NOTATION = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)[eE]([+-]?\d+)(?![\w.])")


def human_number(value: float, digits: int = 3) -> str:
    """``value`` to ``digits`` significant figures as people write it: like ``:g`` for
    everyday sizes (3.52, 0.0123), thousands separators up to a million (12,300), a power of
    ten beyond that or below a thousandth (1.23×10⁸); never e-notation.

    >>> human_number(1e5), human_number(1.76e23), human_number(3.6), human_number(0.001)
    ('100,000', '1.76×10²³', '3.6', '0.001')
    """
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    value = float(f"{value:.{digits - 1}e}")  # rounded first: 999.7 is 1,000, not 1e+03
    size = abs(value)
    if size < 1e-3 or size >= 1e6:
        return _power_of_ten(value, digits)
    if size < 10**digits:
        return f"{value:.{digits}g}"
    return f"{value:,.0f}"


def format_events(value: float, digits: int = 3) -> str:
    """Events with ``digits`` significant figures, no exponent for everyday sizes (a power of
    ten, 1.23×10⁸, beyond a million or below a thousandth)."""
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    if 1 <= abs(value) < 1e6:
        decimals = max(0, digits - 1 - int(math.floor(math.log10(abs(value)))))
        return f"{value:,.{decimals}f}"
    return human_number(value, digits)


def published_text(preset) -> str:
    """'predicted 173 ± 48, observed 134 ± 22, 6.7σ' for ``preset``."""
    return format_published(preset.published)


_SOURCE_NAMES = {
    "sns": "SNS",
    "reactor": "reactor",
    "solar": "solar",
    "supernova": "supernova",
    "diffuse": "atmospheric + DSNB",
}
#: What a custom scenario's uncertainty is, in a few words per source (the full basis is
#: the line's tooltip).
_CUSTOM_BASIS = {
    "sns": "SNS flux normalisation only",
    "reactor": "reactor flux normalisation only",
    "supernova": "the burst's total energy only, 30 % like a neutron star's binding energy",
    "diffuse": "atmospheric (25 %) and DSNB (50 %) fluxes only",
}


def _custom_basis(s) -> str:
    """A custom scenario's uncertainty basis in a few words."""
    if s.source == "solar":
        sigma = solar.component_uncertainties(s.solar_model)
        return (
            f"solar-model flux of each component only: ⁸B {100 * sigma['8B']:.2g} %, "
            f"hep {100 * sigma['hep']:.2g} %"
        )
    return _CUSTOM_BASIS.get(
        s.source, f"{_SOURCE_NAMES.get(s.source, s.source)} flux normalisation only"
    )


def _exposure_text(s) -> str:
    """The exposure in the source's own terms: POT at the SNS, power and days at a reactor,
    tonne-years at the Sun or the sky, the distance of a supernova."""
    if s.source == "reactor":
        return f"{human_number(s.reactor_power_GW)} GW · {human_number(s.live_days, 4)} live days"
    if s.source in ("solar", "diffuse"):
        exposure = f"{human_number(tonne_years(s))} t yr ({human_number(s.live_days, 4)} live days)"
        if s.source == "solar":
            exposure += f" · {solar_model_name(s.solar_model)}"
        return exposure
    if s.source == "supernova":
        return f"a burst at {human_number(s.supernova_distance_kpc)} kpc"
    return f"{human_number(s.pot)} POT"


def _short_basis(text: str, limit: int = 110) -> str:
    """An uncertainty basis for the readout: past ``limit`` characters its parentheses (the
    references and examples) go, then the clauses after the limit (ending in "…"); the whole
    text is the line's tooltip."""
    if len(text) <= limit:
        return text
    text = re.sub(r"\s*\([^()]*\)", "", text)
    if len(text) <= limit:
        return text
    cut = max(text.rfind(sep, 0, limit) for sep in (", ", "; ", ": "))
    return (text[:cut] if cut > 0 else text[:limit].rstrip()) + "…"


def component_parts(result: Result) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """(listed, others): the components giving at least 0.1 % of the events, and the rest
    (of the Sun's nine, a xenon detector counts 8B and hep)."""
    from .figures.spectra import shown_components

    shown = set(shown_components(result))
    counts = result.events_by_flavor
    listed = [(f, counts[f]) for f in result.components if f in shown]
    others = [(f, counts[f]) for f in result.components if f not in shown]
    return listed, others


class Readout(Closable):
    """Large-type readout of ``model.result``: events +- uncertainty, by flavour, budget, and
    the published numbers when the scenario is exactly a preset's.

    ``widget`` is an ``ipywidgets.HTML``; ``text`` is its plain headline (e.g. "176 ± 49
    events").
    """

    def __init__(self, model: ScenarioModel | None = None):
        self.widget = W.HTML(layout=W.Layout(width="auto"))
        self.widget.add_class("cevns-readout")
        self.text = ""
        self.band_text = ""
        self.model = model
        if model is not None:
            self.update(model.result)
            model.observe(self._on_result, names="result")
            model.observe(self._on_preset, names="preset")

    def _on_result(self, change) -> None:
        self.update(change["new"])

    def _on_preset(self, _change) -> None:
        if self.model is not None:
            self.update(self.model.result)

    def update(self, result: Result) -> None:
        if self.closed:
            return
        try:
            self.widget.value = self._html(result)
        except Exception as exc:  # noqa: BLE001 -- keep the last good readout
            self.widget.value += (
                f'<div style="color:#B00020">could not update: {html.escape(str(exc))}</div>'
            )

    def _html(self, result: Result) -> str:
        s = result.scenario
        total = result.events_total
        unc = result.uncertainty()
        self.text = f"{format_events(total)} ± {format_events(unc['events'], 2)} events"
        labels = result.source.component_labels
        listed, others = component_parts(result)
        parts = " · ".join(
            f'<span style="{_BLOCK}"><span style="color:{component_color(f)};font-weight:600">'
            f"{html.escape(labels[f])}</span> {format_events(n)}</span>"
            for f, n in listed
        )
        if others:
            names = ", ".join(labels[f] for f, _ in others)
            rest = sum(n for _, n in others)
            parts += (
                f' · <span class="cevns-other-components" style="{_BLOCK}" '
                f'title="{html.escape(names)}">{len(others)} others {format_events(rest, 2)}</span>'
            )
        band = quenching_band(s)
        if band is not None:
            lo, hi = band.events_range
            self.band_text = (
                f"{format_events(lo)} to {format_events(hi)} events for Lindhard k {band.k_text}"
            )
            parts += (
                f' · <span class="cevns-band" style="color:#D55E00;font-weight:600">'
                f"{html.escape(self.band_text)}</span>"
            )
        else:
            self.band_text = ""
        budget = ", ".join(
            f"{_BUDGET_NAMES.get(k, k)} {100 * v:.0f}%" for k, v in unc["components"].items()
        )
        prov = result.provenance
        try:
            t_nr = (
                f" ≈ {human_number(threshold_keVnr(s))} keVnr"
                if s.threshold_unit != "keVnr"
                else ""
            )
        except (ValueError, ScenarioError):
            t_nr = ""
        window = s.time_window_us
        cuts = f"threshold {human_number(s.threshold, 6)} {s.threshold_unit}{t_nr}"
        if s.roi_max is not None:
            cuts += f", below {human_number(s.roi_max, 6)} {result.observable}"
        if window is not None:
            cuts += f", {human_number(window[0], 6)}–{human_number(window[1], 6)} µs"
        where = f"{human_number(s.distance_m)} m · " if result.source.uses_distance_m else ""
        setup = (
            f"{html.escape(s.target)} · {human_number(s.mass_kg)} kg · {where}"
            f"{html.escape(_exposure_text(s))} · {cuts}"
        )
        if prov.custom:
            # The same words as the CLI and JSON status line.
            status = "Custom scenario" + html.escape(prov.status.removeprefix("custom"))
            explained = f"{html.escape(_custom_basis(s))}; detector systematics not included"
        else:
            p = get_preset(prov.preset)
            status = f"Preset {html.escape(p.short_title)} (v{p.version})"
            explained = f"{html.escape(_short_basis(unc['basis']))}: {budget}"
        response = f"response: {html.escape(prov.response_label)}"
        # One line each, cut with "…" and the whole text as the tooltip (a long title or a
        # custom scenario's list of changes must not wrap the header); warnings may wrap.
        details = [
            f'<div style="font-size:15px">{parts}</div>',
            f'<div class="cevns-status" style="font-size:13px;font-weight:600;{_LINE}" '
            f'title="{status}">{status}</div>',
            f'<div style="font-size:13px;color:#444;{_LINE}" title="{setup}">{setup}</div>',
            f'<div class="cevns-response" style="font-size:13px;color:#444;{_LINE}" '
            f'title="{response}">{response}</div>',
            f'<div class="cevns-basis" style="font-size:13px;color:#444;{_LINE}" '
            f'title="{html.escape(unc["basis"])}">uncertainty {100 * unc["fraction"]:.0f}%'
            f" ({explained})</div>",
        ]
        if prov.response_warning:
            details.append(
                '<div class="cevns-response-warning" style="font-size:13px;color:#8a5a00;'
                f'{_WRAP}">&#9888; {html.escape(prov.response_warning)}</div>'
            )
        published = self._published(result)
        if published:
            details.append(
                f'<div style="font-size:13px;color:#1f4e79;{_LINE}" title="{published}">'
                f"{published}</div>"
            )
        for note in result.notes():
            details.append(
                f'<div style="font-size:13px;color:#8a5a00;{_WRAP}">&#9888; '
                f"{html.escape(note)}</div>"
            )
        # The headline block keeps its numbers whole (the ± part wraps under the count only
        # if the header is narrower than both); the details shrink (min-width:0) and move
        # under the headline below 300 px, never past the header's edge.
        return (
            '<div style="display:flex;flex-wrap:wrap;align-items:center;column-gap:22px;'
            'row-gap:2px;line-height:1.25;padding:2px 4px;width:100%;box-sizing:border-box">'
            '<div style="flex:0 1 auto;min-width:0;display:flex;flex-wrap:wrap;'
            'justify-content:center;align-items:baseline;column-gap:8px;text-align:center">'
            f'<span class="cevns-events" style="font-size:46px;font-weight:700;{_BLOCK}">'
            f"{format_events(total)}</span>"
            f'<span class="cevns-uncertainty" style="font-size:30px;font-weight:600;{_BLOCK}">'
            f" ± {format_events(unc['events'], 2)}</span>"
            '<div style="flex-basis:100%;font-size:16px;margin-top:-4px">'
            "expected CEvNS events</div></div>"
            f'<div style="flex:1 1 300px;min-width:0">{"".join(details)}</div></div>'
        )

    def _published(self, result: Result) -> str:
        """The preset's published numbers, only while the scenario is exactly that preset."""
        prov = result.provenance
        if prov.custom:
            return ""
        p = get_preset(prov.preset)
        if not p.published:
            return ""
        text = _E_NOTATION.sub(
            lambda m: _power_of_ten(float(m.group(0)), len(m.group(1).replace(".", ""))),
            published_text(p),
        )
        return f"Published ({html.escape(p.short_title)}): {html.escape(text)}"

    def _repr_mimebundle_(self, **kwargs):
        if self.closed:
            return self._closed_bundle()
        return self.widget._repr_mimebundle_(**kwargs)
