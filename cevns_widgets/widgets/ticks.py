"""Axis tick labels for people: 700,000 and 3×10⁻³⁹, never ``7.000e+5``.

Bokeh's default formatter switches to e-notation above 10⁵ and below 10⁻³, and its log
formatter falls back to it on an axis spanning less than a decade. :func:`humanize_axes`
gives every continuous axis of a figure one formatter that writes

* plain numbers with thousands separators between 10⁻³ and 10⁶ (``0.25``, ``12,500``),
  with as many decimals as the tick spacing needs, the same on every tick;
* outside that, a common power of ten with Unicode superscripts (``2.5×10⁻³⁹``); on a log
  axis a power of ten alone (``10⁻³⁹``).

:func:`format_ticks` is the same rule in Python (for tests and readouts).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["format_ticks", "humanize_axes", "people_formatter", "slider_readout_format"]

_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
#: Plain numbers for |tick| in [PLAIN_LOW, PLAIN_HIGH); a power of ten outside.
PLAIN_LOW, PLAIN_HIGH = 1e-3, 1e6

# The JavaScript twin of format_ticks (BokehJS calls it once per tick with all ticks).
_JS = """
const SUP = {"-": "⁻", "0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵",
             "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹"};
const sup = (n) => String(n).split("").map((c) => SUP[c] ?? c).join("");
function decimals(x) {
  for (let d = 0; d < 12; d++) {
    const scaled = Math.abs(x) * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-6 * Math.max(1, scaled)) return d;
  }
  return 12;
}
function plain(x, d) {
  return Number(x.toFixed(d)).toLocaleString("en-US",
    {minimumFractionDigits: d, maximumFractionDigits: d});
}
if (!Number.isFinite(tick)) return "";
if (tick === 0) return "0";
const finite = ticks.filter((t) => Number.isFinite(t) && t !== 0);
const amax = Math.max(Math.abs(tick), ...finite.map(Math.abs));
if (log) {
  const power = Math.round(Math.log10(Math.abs(tick)));
  if (Math.abs(Math.abs(tick) / 10 ** power - 1) < 1e-9) {
    if (power >= -3 && power < 6) return plain(tick, Math.max(0, -power));
    return (tick < 0 ? "-" : "") + "10" + sup(power);
  }
  const exponent = Math.floor(Math.log10(Math.abs(tick)));
  if (exponent >= -3 && exponent < 6) return plain(tick, decimals(tick));
  const mantissa = tick / 10 ** exponent;
  return plain(mantissa, decimals(Number(mantissa.toPrecision(6)))) + "×10" + sup(exponent);
}
let step = Infinity;
for (let i = 1; i < ticks.length; i++) {
  const gap = Math.abs(ticks[i] - ticks[i - 1]);
  if (gap > 0 && gap < step) step = gap;
}
if (!Number.isFinite(step)) step = amax;
if (amax >= LOW && amax < HIGH) return plain(tick, decimals(Number(step.toPrecision(6))));
const exponent = Math.floor(Math.log10(amax));
const scale = 10 ** exponent;
const d = decimals(Number((step / scale).toPrecision(6)));
return plain(tick / scale, d) + "×10" + sup(exponent);
"""


def _decimals(x: float) -> int:
    for d in range(12):
        scaled = abs(x) * 10**d
        if abs(scaled - round(scaled)) < 1e-6 * max(1.0, scaled):
            return d
    return 12


def _plain(x: float, d: int) -> str:
    return f"{round(x, d):,.{d}f}"


def _power(n: int) -> str:
    return "10" + str(n).translate(_SUPERSCRIPTS)


def format_ticks(ticks: Sequence[float], *, log: bool = False) -> list[str]:
    """The labels :func:`people_formatter` draws for ``ticks`` (the Python twin of its
    JavaScript), e.g. ``format_ticks([0, 2e5, 4e5]) == ["0", "200,000", "400,000"]``.

    >>> format_ticks([0, 1e-39, 2e-39])
    ['0', '1×10⁻³⁹', '2×10⁻³⁹']
    >>> format_ticks([1e-40, 1e-39, 1e-38], log=True)
    ['10⁻⁴⁰', '10⁻³⁹', '10⁻³⁸']
    """
    finite = [t for t in ticks if math.isfinite(t) and t != 0]
    gaps = [abs(b - a) for a, b in zip(ticks, ticks[1:], strict=False) if abs(b - a) > 0]
    labels = []
    for tick in ticks:
        if not math.isfinite(tick):
            labels.append("")
        elif tick == 0:
            labels.append("0")
        elif log:
            labels.append(_log_label(tick))
        else:
            amax = max([abs(tick), *map(abs, finite)])
            step = min(gaps) if gaps else amax
            if PLAIN_LOW <= amax < PLAIN_HIGH:
                labels.append(_plain(tick, _decimals(float(f"{step:.6g}"))))
            else:
                exponent = math.floor(math.log10(amax))
                scale = 10.0**exponent
                d = _decimals(float(f"{step / scale:.6g}"))
                labels.append(_plain(tick / scale, d) + "×" + _power(exponent))
    return labels


def _log_label(tick: float) -> str:
    power = round(math.log10(abs(tick)))
    if abs(abs(tick) / 10.0**power - 1) < 1e-9:
        if -3 <= power < 6:
            return _plain(tick, max(0, -power))
        return ("-" if tick < 0 else "") + _power(power)
    exponent = math.floor(math.log10(abs(tick)))
    if -3 <= exponent < 6:
        return _plain(tick, _decimals(tick))
    mantissa = tick / 10.0**exponent
    return _plain(mantissa, _decimals(float(f"{mantissa:.6g}"))) + "×" + _power(exponent)


def people_formatter(*, log: bool = False):
    """A Bokeh tick formatter that writes numbers as :func:`format_ticks` does."""
    from bokeh.models import CustomJSTickFormatter

    return CustomJSTickFormatter(
        code=_JS, args={"log": bool(log), "LOW": PLAIN_LOW, "HIGH": PLAIN_HIGH}
    )


def humanize_axes(fig) -> None:
    """Give every continuous axis of ``fig`` (added ones too) the people formatter.

    Axes that already carry a custom (non-Bokeh-default) formatter keep it: a categorical
    axis, or a formatter a figure chose on purpose (a CustomJSTickFormatter of its own).
    """
    from bokeh.models import (
        BasicTickFormatter,
        ContinuousAxis,
        CustomJSTickFormatter,
        LogAxis,
        LogTickFormatter,
    )

    for axis in fig.select(type=ContinuousAxis):
        formatter = axis.formatter
        if isinstance(formatter, CustomJSTickFormatter) and formatter.code == _JS:
            continue
        if isinstance(formatter, BasicTickFormatter | LogTickFormatter):
            axis.formatter = people_formatter(log=isinstance(axis, LogAxis))


def slider_readout_format(low: float, high: float, fmt: str = ".3g") -> str:
    """A slider readout format (d3-format) for values between ``low`` and ``high``: three
    significant figures written plainly with thousands separators (``3,520``, ``0.0316``)
    where that stays short, i.e. within [10⁻³, 10⁷); ``fmt`` otherwise (such a slider
    should show its value in words next to it instead)."""
    if PLAIN_LOW <= min(abs(low), abs(high)) and max(abs(low), abs(high)) < 10 * PLAIN_HIGH:
        return ",.3r"
    return fmt
