"""The explorer at the extremes (issue 11): every control of the ControlPanel over its whole
range, every source, target and option, the new-physics knobs a scenario file can set; after
each change every figure's data are finite, every range set from Python holds what the user
looks at (the counted spectrum, each nucleus and the star of the N² law), and the header
readout has no e-notation and keeps its long lines on one line with a tooltip.

One explorer for the module (it takes seconds to build); each example starts from a source's
opening scenario, so examples do not depend on each other.
"""

from __future__ import annotations

import re

import ipywidgets as W
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cevns_widgets.widgets import Explorer
from cevns_widgets.widgets.model import EXPLORER_SOURCES
from cevns_widgets.widgets.units import threshold_keVnr

#: Formulas a user can type in the target field: the heaviest natural element, superheavy,
#: hydrogen (N = 0 on a log axis), light gases, compounds with heavy and light nuclei.
FORMULAS = ("U", "294Og", "1H", "H2O", "He", "PbWO4", "W", "Pb", "CF4", "GaAs", "Bi4Ge3O12")
#: The new-physics knobs (no explorer control; a scenario file or a lesson sets them), over
#: the new-physics lesson's slider ranges.
PHYSICS = {
    "magnetic_moment_muB": (0.0, 1e-8),
    "sin2w": (0.15, 0.35),
    "eps_u_ee": (-1.0, 1.0),
    "eps_d_ee": (-1.0, 1.0),
    "eps_u_mumu": (-1.0, 1.0),
    "eps_d_mumu": (-1.0, 1.0),
    "sterile_dm2_eV2": (0.1, 100.0),
    "sterile_sin2_2theta": (0.0, 0.5),
}
#: Columns where NaN is deliberate: a log axis draws nothing there (a sky component outside
#: its spectrum, a line the other source lacks).
NAN_ALLOWED = {"sky_flux": None, "sky_flux_lines": {"flux"}}
E_NOTATION = re.compile(r"\d(?:\.\d+)?[eE][+-]?\d")
RTOL = 1e-9


@pytest.fixture(scope="module")
def ex():
    explorer = Explorer()
    explorer.activate_all()
    yield explorer
    explorer.close()


# --------------------------------------------------------------------------- driving


def _start(ex, source: str) -> None:
    """The source's opening scenario (its preset, or the explorer's start for it)."""
    ex.controls.source.toggle.value = "sns" if source != "sns" else "reactor"
    ex.controls.source.toggle.value = source
    ex.model.set(**{k: 0.0 for k in PHYSICS if k != "sin2w"})
    ex.log_toggle.value = False
    ex.activate_all()


def _shown_widgets(widget) -> list:
    """The widgets under ``widget`` a user can see (none under a hidden box)."""
    if getattr(getattr(widget, "layout", None), "display", "") == "none":
        return []
    out = [widget]
    for child in getattr(widget, "children", ()):
        out.extend(_shown_widgets(child))
    return out


def _options(w) -> list:
    return [v for v in w._options_values if v is not None]


def _slider_values(w, data=None) -> list:
    """The ends of a slider's range (and, with ``data``, one drawn inside it)."""
    lo, hi = float(w.min), float(w.max)
    if isinstance(w, W.FloatLogSlider):
        ends = [w.base**lo, w.base**hi]
        inner = (lambda e: w.base**e) if data else None
    else:
        ends = [lo, hi]
        inner = (lambda v: v) if data else None
    if data is None:
        return ends
    value = data.draw(st.one_of(st.sampled_from(ends), st.floats(lo, hi).map(inner)))
    return [value]


def _controls(ex) -> list[tuple[str, W.Widget]]:
    """Every visible, enabled input of the control panel, the time window and the log toggle."""
    found = []
    for control in ex.controls.all():
        if control.widget.layout.display == "none":
            continue
        for w in _shown_widgets(control.widget):
            if getattr(w, "disabled", False):
                continue
            if isinstance(
                w,
                W.FloatSlider
                | W.FloatLogSlider
                | W.FloatRangeSlider
                | W.Dropdown
                | W.ToggleButtons
                | W.Button
                | W.BoundedFloatText,
            ):
                # named by its CSS class (a description can change: "Exposure [days]")
                label = w._dom_classes[0] if w._dom_classes else ""
                if not label or isinstance(w, W.Button):  # the place buttons share a class
                    label += w.description or w.tooltip
                found.append((f"{control.name}.{label}", w))
            elif isinstance(w, W.Text) and control.name == "target":
                found.append(("target.formula", w))
    found.append(("log toggle", ex.log_toggle))
    return found


def _act(ex, w, value) -> None:
    if isinstance(w, W.Button):
        w.click()
    else:
        w.value = value
    ex.activate_all()  # a source switch hands the flux tab to another figure


def _values(w, data=None) -> list:
    """What to set ``w`` to: a slider's ends (or one drawn value), each option, a formula."""
    if isinstance(w, W.FloatRangeSlider):
        lo, hi = float(w.min), float(w.max)
        if data is None:
            return [(lo, hi), (lo, lo + 1.0), (hi - 1.0, hi)]
        a = data.draw(st.floats(lo, hi))
        b = data.draw(st.floats(lo, hi))
        return [(min(a, b), max(a, b))] if abs(a - b) > 0.2 else [(lo, hi)]
    if isinstance(w, W.FloatSlider | W.FloatLogSlider | W.BoundedFloatText):
        if isinstance(w, W.BoundedFloatText):
            ends = [float(w.min), float(w.max)]
            return ends if data is None else [data.draw(st.floats(*ends))]
        return _slider_values(w, data)
    if isinstance(w, W.Dropdown | W.ToggleButtons):
        options = _options(w)
        return options if data is None else [data.draw(st.sampled_from(options))]
    if isinstance(w, W.Text):
        return list(FORMULAS) if data is None else [data.draw(st.sampled_from(FORMULAS))]
    if isinstance(w, W.ToggleButton):
        return [True, False] if data is None else [data.draw(st.booleans())]
    return [None]  # a button: click it


# --------------------------------------------------------------------------- checks


def _column(values) -> np.ndarray:
    if len(values) and isinstance(values[0], np.ndarray | list):  # multi-line: list of arrays
        return np.concatenate([np.asarray(v) for v in values])
    return np.asarray(values)


def _shown_figures(ex) -> list:
    source = ex.model.scenario.source
    figs = [ex.recoil, ex.threshold_scan, ex.observed, ex.nsquared, ex.form_factor]
    figs += [ex.quenching, ex.flux_figure(source)]
    return [*figs, ex.timing] if source == "sns" else figs


def _check_finite(fig, where: str) -> None:
    for name, cds in fig.sources.items():
        allowed = NAN_ALLOWED.get(name, set())
        for col, values in cds.data.items():
            v = _column(values)
            if v.dtype.kind not in "fiu":
                continue
            bad = ~np.isfinite(v)
            if allowed is None or col in allowed:
                bad = np.isinf(v)
            assert not bad.any(), f"{where}: {fig.name}.{name}.{col} has {v[bad][:3]}"


def _inside(value, start, end, what: str) -> None:
    lo, hi = min(start, end), max(start, end)
    assert lo * (1 - RTOL) - RTOL <= value <= hi * (1 + RTOL) + RTOL, (
        f"{what}: {value:.4g} outside [{lo:.4g}, {hi:.4g}]"
    )


def _check_spectrum(fig, threshold: float, where: str) -> None:
    """The counted spectrum (above the threshold, up to the x end) is never clipped at the
    top, and in the log view never below the floor; the threshold is on the x axis."""
    data = fig.sources[fig.name].data
    x = np.asarray(data[fig._x_column], dtype=float)
    shown = [f for f in fig._shown if f in data] or list(fig._components)
    visible = sum(np.asarray(data[f], dtype=float) for f in shown)
    xr = fig.figure.x_range
    _inside(threshold, xr.start, xr.end, f"{where}: {fig.name} threshold")
    counted = visible[(x >= threshold) & (x <= xr.end)]
    if not counted.size or not np.nanmax(counted) > 0:
        return
    peak = float(np.nanmax(counted))
    y = fig.figure.extra_y_ranges["log"] if fig.log_y else fig.figure.y_range
    _inside(peak, y.start if fig.log_y else 0.0, y.end, f"{where}: {fig.name} counted peak")


def _check_nsquared(fig, where: str) -> None:
    """Every reference nucleus and the star inside both ranges (with room for the labels);
    each label's box starts clear of its marker."""
    xr, yr = fig.figure.x_range, fig.figure.y_range
    for name in ("nsquared_reference", "nsquared_current"):
        d = fig.sources[name].data
        xs = np.asarray(d["x"] if "x" in d else d["N"], dtype=float)
        ys = np.asarray(d["y"], dtype=float)
        fx = np.log10(xs / xr.start) / np.log10(xr.end / xr.start)
        fy = np.log10(ys / yr.start) / np.log10(yr.end / yr.start)
        for label, a, b in zip(d["label"], fx, fy, strict=True):
            assert 0.02 < a < 0.98 and 0.02 < b < 0.98, f"{where}: {label} at ({a:.3f}, {b:.3f})"
        size = 22 if name == "nsquared_current" else 9
        for label, dx, dy, align, base in zip(
            d["label"], d["dx"], d["dy"], d["align"], d["baseline"], strict=True
        ):
            # the text box's near edge, measured from the marker's centre (px)
            clear_x = (align == "left" and dx > size / 2) or (align == "right" and -dx > size / 2)
            clear_y = (base == "bottom" and dy > size / 2) or (base == "top" and -dy > size / 2)
            assert clear_x or clear_y, f"{where}: label {label} on its marker"
    line = fig.sources["nsquared_line"].data
    assert np.all(np.asarray(line["sigma"]) <= yr.end) and np.all(
        np.asarray(line["sigma"]) >= yr.start
    )


def _check_other_ranges(fig, where: str) -> None:
    """Figures with a y range set from Python: the data they ask the user to look at inside."""
    from bokeh.models import Range1d

    yr = fig.figure.y_range
    if not isinstance(yr, Range1d):
        return
    if fig.name == "quenching":
        ys = _column(fig.sources["quenching"].data["ys"])
        assert np.nanmax(ys) <= yr.end, f"{where}: QF {np.nanmax(ys):.3g} > {yr.end:.3g}"
    elif fig.name == "flux_spectrum":
        d = fig.sources["flux_spectrum"].data
        michel = max(float(np.max(d[f])) for f in ("delayed_nue", "delayed_numubar"))
        _inside(michel, yr.start, yr.end, f"{where}: Michel spectra")
        _inside(fig.line_label.y, yr.start, yr.end, f"{where}: prompt-line label")
    elif fig.name == "supernova_flux":
        _inside(float(np.max(fig.sources[fig.name].data["total"])), yr.start, yr.end, where)
    elif fig.name == "sky_flux":
        d = fig.sources["sky_flux_lines"].data
        for flux in np.asarray(d["flux"], dtype=float):
            if np.isfinite(flux):
                _inside(flux, yr.start, yr.end, f"{where}: sky line")
    elif fig.name == "form_factor":
        d = fig.sources["form_factor"].data
        assert np.max(d["F2_neutron"]) <= yr.end and np.max(d["F2_proton"]) <= yr.end
        xr = fig.figure.x_range  # the title's qR = 1 line is drawn
        _inside(fig.coherence.location, xr.start, xr.end, f"{where}: qR = 1")


def _check_readout(ex, where: str) -> None:
    value = ex.readout.widget.value
    found = E_NOTATION.findall(re.sub(r"<[^>]*>", " ", value))
    assert not found, f"{where}: e-notation {found} in the readout"
    for cls in ("cevns-status", "cevns-basis"):
        tag = re.search(rf'<div class="{cls}" style="([^"]*)"', value)
        assert tag and "text-overflow:ellipsis" in tag.group(1) and "nowrap" in tag.group(1)


def _check(ex, where: str) -> None:
    s = ex.model.scenario
    for fig in _shown_figures(ex):
        assert fig.error == "", f"{where}: {fig.name}: {fig.error}"
        _check_finite(fig, where)
        _check_other_ranges(fig, where)
    _check_spectrum(ex.recoil, threshold_keVnr(s), where)
    _check_spectrum(ex.observed, float(ex.model.result.threshold_observable), where)
    _check_nsquared(ex.nsquared, where)
    _check_readout(ex, where)


# --------------------------------------------------------------------------- the tests


@pytest.mark.parametrize("source", EXPLORER_SOURCES)
def test_every_control_at_both_ends_of_its_range(ex, source):
    """Each visible control of the source at each end of its range (each option, each
    formula), one at a time from the source's opening scenario, then the threshold at its
    top with it: the heavy nuclei lose every recoil there."""
    _start(ex, source)
    names = [name for name, _ in _controls(ex)]
    assert len(set(names)) == len(names), names
    for name in names:
        if name.startswith(("preset.", "source.")):
            continue  # they open other scenarios: the property test and the next test
        _start(ex, source)
        for value in _values(dict(_controls(ex))[name]):
            _start(ex, source)
            w = dict(_controls(ex)).get(name)
            if w is None:
                continue
            _act(ex, w, value)
            _check(ex, f"{source}: {name} = {value!r}")
            slider = ex.controls.threshold.slider
            _act(ex, slider, slider.max)
            _check(ex, f"{source}: {name} = {value!r}, threshold {slider.max}")


def test_every_preset_and_the_new_physics_at_their_ends(ex):
    for preset in _options(ex.controls.preset.dropdown):
        ex.controls.preset.dropdown.value = preset
        ex.activate_all()
        _check(ex, preset)
        for field, ends in PHYSICS.items():
            for value in ends:
                ex.model.set(**{field: value})
                _check(ex, f"{preset}: {field} = {value}")
            ex.model.set(**{field: 0.23857 if field == "sin2w" else 0.0})


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_any_walk_through_the_controls_keeps_the_figures_in_view(ex, data):
    """From a source's opening scenario, a few random steps: a control to a value in its
    range (its ends as likely as any), or a new-physics knob."""
    source = data.draw(st.sampled_from(EXPLORER_SOURCES), label="source")
    _start(ex, source)
    for step in range(data.draw(st.integers(1, 5), label="steps")):
        if data.draw(st.integers(0, 5), label="physics?") == 0:
            field = data.draw(st.sampled_from(sorted(PHYSICS)), label="field")
            lo, hi = PHYSICS[field]
            value = data.draw(st.one_of(st.sampled_from([lo, hi]), st.floats(lo, hi)))
            ex.model.set(**{field: value})
            _check(ex, f"{source} step {step}: {field} = {value!r}")
            continue
        controls = _controls(ex)
        name, w = data.draw(st.sampled_from(controls), label="control")
        (value,) = _values(w, data)[:1]
        _act(ex, w, value)
        _check(ex, f"{source} step {step}: {name} = {value!r}")


@pytest.mark.parametrize(
    "changes",
    [
        {"mass_kg": 1e-3},
        {"mass_kg": 1e4, "pot": 1e25},
        {"mass_kg": 1e-3, "pot": 1e20, "distance_m": 100.0},
    ],
)
def test_readout_numbers_are_human_at_extreme_masses(ex, changes):
    _start(ex, "sns")
    assert ex.model.set(**changes), ex.model.error
    _check(ex, str(changes))
    value = ex.readout.widget.value
    if changes.get("pot") == 1e25:
        assert "10,000 kg" in value and "1×10²⁵ POT" in value
    if changes["mass_kg"] == 1e-3:
        assert "0.001 kg" in value


def test_readout_keeps_a_long_title_on_one_line_with_a_tooltip(ex):
    """A preset changed in many ways: the status line lists every change, cut with an
    ellipsis, its whole text the tooltip. A supernova next door in 100 t: the counts are
    powers of ten, not e-notation."""
    ex.controls.preset.dropdown.value = "coherent-csi-2017"
    ex.controls.mass.slider.value = 1e4
    ex.controls.distance.slider.value = 1.0
    ex.controls.target.text.value = "Bi4Ge3O12"
    ex.controls.form_factor.dropdown.value = "klein-nystrand"
    ex.controls.form_factor.skin.value = 0.5
    ex.activate_all()
    _check(ex, "many changes")
    value = ex.readout.widget.value
    status = re.search(r'<div class="cevns-status" style="[^"]*" title="([^"]*)">([^<]*)<', value)
    assert status and status.group(1) == status.group(2)
    assert status.group(1).startswith("Custom scenario") and "changed:" in status.group(1)
    assert "10,000 kg" in value
    _start(ex, "supernova")
    ex.controls.mass.slider.value = 1e5
    ex.controls.supernova.slider.value = 0.1
    _check(ex, "supernova next door")
    value = ex.readout.widget.value
    events = re.search(r'class="cevns-events"[^>]*>([^<]+)<', value).group(1)
    assert "×10" in events and "e+" not in events
    assert "100,000 kg" in value and "a burst at 0.1 kpc" in value


def test_magnetic_moment_spike_does_not_flatten_the_recoil_spectrum(ex):
    """5e-10 μ_B: the 1/T term piles ~700x the counted peak into the lowest bins; the y axis
    follows the counted spectrum (the lesson's rule), the Standard Model view is unchanged."""
    ex.controls.preset.dropdown.value = "coherent-csi-2017"
    ex.activate_all()
    ex.model.set(magnetic_moment_muB=0.0)
    sm_end = ex.recoil.figure.y_range.end
    ex.model.set(magnetic_moment_muB=5e-10)
    data = ex.recoil.sources["recoil_spectrum"].data
    assert np.max(data["total"]) > 100 * ex.recoil.figure.y_range.end  # the spike is cut
    assert ex.recoil._counted_peak > 0.3 * ex.recoil.figure.y_range.end
    assert ex.recoil.figure.y_range.end == pytest.approx(sm_end, rel=0.1)
    ex.model.set(magnetic_moment_muB=0.0)
    assert ex.recoil.figure.y_range.end == sm_end


def test_heavy_nuclei_stay_on_the_n_squared_plot_above_their_reach(ex):
    """At the top of the SNS threshold range W and Pb (largest recoil ~29 keVnr) have no
    cross section above it: they sit on the floor as down triangles, labelled, in view."""
    _start(ex, "sns")
    ex.controls.threshold.unit.value = "keVnr"
    ex.controls.threshold.slider.value = ex.controls.threshold.slider.max
    ref = ex.nsquared.sources["nsquared_reference"].data
    heavy = [i for i, n in enumerate(ref["label"]) if n in ("184W", "208Pb")]
    assert all(ref["sigma"][i] == 0 for i in heavy)
    assert all(ref["marker"][i] == "inverted_triangle" for i in heavy)
    assert "none above T" in ex.nsquared.figure.title.text
    _check_nsquared(ex.nsquared, "top threshold")
    ex.controls.target.text.value = "1H"  # N = 0: pinned at the left end, said in its label
    cur = ex.nsquared.sources["nsquared_current"].data
    assert cur["label"][0] == "1H (N = 0)" and cur["x"][0] > ex.nsquared.figure.x_range.start
    _check_nsquared(ex.nsquared, "1H")
