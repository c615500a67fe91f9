"""The notebooks teach in one shape, and every figure they show has axes with units.

Reads the notebook files (no kernel): each has a numbered title, a "Learning goals" section
with bullets, a "Predict first" question before its interactive cell, "What to notice" after
it, and exercises with answers folded in ``<details><summary>Answer</summary>``. Notebooks
are committed stripped and thin (a few short code cells calling the library), and their prose
uses no TeX (Voila serves no MathJax). Then builds the explorer and every lesson and checks
each Bokeh figure: both axes labelled with a unit in [..] or (..), fonts readable on a
projector, named data sources, and a width that fits a 1280 px screen.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")

from cevns_widgets.widgets.layout import MIN_FIGURE_PX  # noqa: E402

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))
IDS = [p.stem for p in NOTEBOOKS]
INTERACTIVE = re.compile(r"\b(Explorer|\w+Lesson)\(")
UNIT = re.compile(r"\[[^\]]+\]|\([^)]+\)")
MAX_CODE_LINES_PER_CELL = 8
MAX_CODE_LINES = 16


def _read(path: Path):
    return nbformat.read(str(path), as_version=4)


def _markdown(nb) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "markdown"]


def _section(nb, heading: str) -> tuple[int, str]:
    """(cell index, text) of the markdown cell holding ``## heading`` (text up to the next
    heading of the same level)."""
    pattern = re.compile(rf"^##\s+{re.escape(heading)}\s*$", re.MULTILINE)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        m = pattern.search(cell.source)
        if m:
            rest = cell.source[m.end() :]
            nxt = re.search(r"^##\s", rest, re.MULTILINE)
            return i, rest[: nxt.start()] if nxt else rest
    raise AssertionError(f"no '## {heading}' section")


def _interactive_cell(nb) -> int:
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and INTERACTIVE.search(cell.source):
            return i
    raise AssertionError("no interactive cell (Explorer(...) or a ...Lesson(...))")


def _strip_code(text: str) -> str:
    text = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    return re.sub(r"`[^`]*`", "", text)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_numbered_title(path):
    nb = _read(path)
    number = int(path.name[:2])
    assert nb.cells[0].cell_type == "markdown"
    assert re.match(rf"#\s+{number}\.\s+\S", nb.cells[0].source), nb.cells[0].source[:80]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_learning_goals(path):
    _, text = _section(_read(path), "Learning goals")
    bullets = re.findall(r"^\s*[-*]\s+\S", text, re.MULTILINE)
    assert len(bullets) >= 2, "state at least two learning goals as bullets"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_predict_then_drag_then_notice(path):
    nb = _read(path)
    predict, text = _section(nb, "Predict first")
    assert "?" in text, "the prediction section must ask a question"
    interactive = _interactive_cell(nb)
    notice, text = _section(nb, "What to notice")
    assert predict < interactive < notice
    assert len(re.findall(r"^\s*[-*]\s+\S", text, re.MULTILINE)) >= 2


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_exercises_with_folded_answers(path):
    nb = _read(path)
    index, text = _section(nb, "Exercises")
    assert index > _interactive_cell(nb)
    answers = re.findall(
        r"<details>\s*<summary>\s*Answer\s*</summary>(.*?)</details>", text, re.DOTALL
    )
    assert answers, "each exercise needs an answer in <details><summary>Answer</summary>"
    assert all(a.strip() for a in answers), "an answer is empty"
    assert text.count("<details>") == text.count("</details>") == len(answers)
    # Markdown inside <details> renders only after a blank line (JupyterLab and Voila).
    assert all(a.startswith("\n\n") for a in answers)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_stripped_and_thin(path):
    nb = _read(path)
    nbformat.validate(nb)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    assert set(nb.metadata) <= {"kernelspec", "language_info"}
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, "a notebook needs at least one code cell"
    for cell in code:
        assert cell.outputs == [] and cell.execution_count is None, "commit without outputs"
        lines = [ln for ln in cell.source.splitlines() if ln.strip()]
        assert len(lines) <= MAX_CODE_LINES_PER_CELL, cell.source
        imports = re.findall(r"^\s*(?:from|import)\s+([\w.]+)", cell.source, re.MULTILINE)
        assert all(m.split(".")[0] == "cevns_widgets" for m in imports), imports
    total = sum(len([ln for ln in c.source.splitlines() if ln.strip()]) for c in code)
    assert total <= MAX_CODE_LINES


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_prose_needs_no_mathjax(path):
    for text in _markdown(_read(path)):
        prose = _strip_code(text)
        assert "$" not in prose and "\\(" not in prose and "\\frac" not in prose, prose[:200]


def test_start_here_opens_the_explorer_and_maps_the_others():
    nb = _read(NOTEBOOK_DIR / "00_start_here.ipynb")
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert re.search(r"^Explorer\(\)", code, re.MULTILINE), "notebook 0 shows Explorer()"
    text = "\n".join(_markdown(nb))
    links = set(re.findall(r"\]\(([^)]+\.ipynb)\)", text))
    others = {p.name for p in NOTEBOOKS} - {"00_start_here.ipynb"}
    assert links == others, f"the map must link every other notebook: {links ^ others}"


# --------------------------------------------------------------------------- figures


@pytest.fixture(scope="module")
def built():
    """The explorer and every lesson, as the notebooks build them: name -> object."""
    from cevns_widgets.widgets import Explorer
    from cevns_widgets.widgets.lessons import LESSONS

    objects = {"Explorer": Explorer()}
    objects.update({cls.__name__: cls() for cls in LESSONS})
    return objects


def _bokeh_figures(obj) -> dict:
    if hasattr(obj, "controls"):  # the explorer: its figures are BaseFigure objects
        return {name: f.figure for name, f in obj.figures.items()}
    return dict(obj.figures)


def _all_figures(built):
    for owner, obj in built.items():
        for name, fig in _bokeh_figures(obj).items():
            yield f"{owner}.{name}", fig


def test_every_lesson_is_checked(built):
    from cevns_widgets.widgets import lessons

    names = {n for n in lessons.__all__ if n.endswith("Lesson") and n != "Lesson"}
    assert names <= set(built)
    sources = "".join(p.read_text() for p in NOTEBOOKS)
    assert all(n in sources for n in names), "every lesson is used by a notebook"


def test_every_axis_has_units(built):
    missing = []
    for where, fig in _all_figures(built):
        for axis in (*fig.xaxis, *fig.yaxis):
            label = axis.axis_label or ""
            if not label.strip() or not UNIT.search(label):
                missing.append(f"{where}: {label!r}")
    assert not missing, "axis labels need units in [..] or (..):\n" + "\n".join(missing)


def test_fonts_readable_on_a_projector(built):
    small = []
    for where, fig in _all_figures(built):
        for axis in (*fig.xaxis, *fig.yaxis):
            for prop in ("axis_label_text_font_size", "major_label_text_font_size"):
                size = getattr(axis, prop)
                if not (size.endswith("pt") and float(size[:-2]) >= 11):
                    small.append(f"{where}.{prop} = {size}")
    assert not small, "\n".join(small)


def test_sources_are_named_and_figures_fit(built):
    from bokeh.models import ColumnDataSource

    for where, fig in _all_figures(built):
        # fluid: the figure stretches to its box, down to a least width that keeps its
        # title whole, never above its natural width (the browser tests check the fit at
        # 1024-1920 px)
        assert fig.sizing_mode == "stretch_width", where
        assert MIN_FIGURE_PX <= fig.min_width <= max(fig.width, MIN_FIGURE_PX), where
        for renderer in fig.renderers:
            src = getattr(renderer, "data_source", None)
            if isinstance(src, ColumnDataSource):
                assert src.name, f"{where}: every data source needs a name"
    for owner, obj in built.items():
        assert obj.widget.layout.width == "100%", owner


def _sliders(widget):
    import ipywidgets as W

    kinds = (W.FloatSlider, W.FloatLogSlider, W.FloatRangeSlider, W.SelectionSlider)
    if isinstance(widget, kinds):
        yield widget
    for child in getattr(widget, "children", ()):
        yield from _sliders(child)


def test_lessons_survive_every_slider_extreme(built, caplog):
    """Each lesson slider at its ends: no exception escapes or is logged as unexpected (an
    input error is shown as text instead), and data columns stay consistent."""
    import logging

    import ipywidgets as W

    caplog.set_level(logging.ERROR, logger="cevns_widgets")

    for owner, obj in built.items():
        if owner == "Explorer":
            continue
        for s in _sliders(obj.widget):
            if isinstance(s, W.SelectionSlider):
                values = [s.options[0][1], s.options[-1][1]]
            elif isinstance(s, W.FloatRangeSlider):
                values = [(s.min, s.max), (s.min, s.min), (s.min, s.min + s.step)]
            elif isinstance(s, W.FloatLogSlider):
                values = [s.base**s.min, s.base**s.max]
            else:
                values = [s.min, s.max]
            original = s.value
            for value in [*values, original]:
                s.value = value  # a callback that raised would propagate here
            for name, src in obj.sources.items():
                lengths = {len(v) for v in src.data.values()}
                assert len(lengths) <= 1, f"{owner}.{name}: ragged columns after {s.description}"
        assert not obj.error, f"{owner}: {obj.error}"
    assert not caplog.records, [r.getMessage() for r in caplog.records]
