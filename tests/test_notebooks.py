"""Every notebook runs top to bottom, headless, without errors or warnings from our code.

Each notebook is read from ``notebooks/`` (committed stripped of outputs), executed in memory
with nbclient in a fresh kernel whose working directory is the notebooks folder, and never
written back. A setup cell prepended to the in-memory copy makes Python show every warning
(``warnings.simplefilter("always")``), so a warning from our code reaches the cell's stderr.
Any error output fails; any stderr output fails unless it matches one of the narrow,
third-party patterns in ``KNOWN_THIRD_PARTY_NOISE``. Cells may not print to stdout either:
in Voila the code is hidden, so printed text would be noise without context.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

pytestmark = pytest.mark.notebooks

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))
CELL_TIMEOUT_S = 120

SETUP_CELL = "import warnings\nwarnings.simplefilter('always')"

#: stderr lines that come from third-party packages and say nothing about our code. Each
#: pattern is anchored on the emitting package, so a warning raised in cevns_widgets never
#: matches. (Empty today: add one only with the package it comes from.)
KNOWN_THIRD_PARTY_NOISE: tuple[re.Pattern, ...] = ()


def test_notebooks_exist():
    names = [p.name for p in NOTEBOOKS]
    assert names == [
        "00_start_here.ipynb",
        "01_what_is_cevns.ipynb",
        "02_sns_source.ipynb",
        "03_seeing_a_recoil.ipynb",
        "04_discovery_2017.ipynb",
        "05_targets_and_design.ipynb",
        "06_new_physics.ipynb",
        "07_reactor_cevns.ipynb",
        "08_neutrino_fog.ipynb",
        "09_supernova.ipynb",
        "10_what_the_data_say.ipynb",
    ]


def _is_known_noise(text: str) -> bool:
    lines = [line for line in text.splitlines() if line.strip()]
    return bool(lines) and all(
        any(p.search(line) for p in KNOWN_THIRD_PARTY_NOISE) for line in lines
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_clean(path: Path, monkeypatch):
    monkeypatch.delenv("BOKEH_RESOURCES", raising=False)  # the offline default: inline
    nb = nbformat.read(str(path), as_version=4)
    n_code = sum(c.cell_type == "code" for c in nb.cells)
    nb.cells.insert(0, nbformat.v4.new_code_cell(SETUP_CELL))
    client = nbclient.NotebookClient(
        nb,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK_DIR)}},
        allow_errors=True,
    )
    start = time.monotonic()
    client.execute()
    elapsed = time.monotonic() - start

    problems = []
    for index, cell in enumerate(nb.cells[1:], start=1):
        if cell.cell_type != "code":
            continue
        where = f"cell {index}: {cell.source.splitlines()[0][:60]!r}"
        for out in cell.get("outputs", []):
            kind = out.get("output_type")
            if kind == "error":
                problems.append(f"{where}: {out['ename']}: {out['evalue']}")
            elif kind == "stream" and out.get("name") == "stderr":
                if not _is_known_noise(out.get("text", "")):
                    problems.append(f"{where}: stderr: {out.get('text', '')[:800]}")
            elif kind == "stream" and out.get("name") == "stdout":
                problems.append(f"{where}: printed text: {out.get('text', '')[:300]}")
    assert not problems, f"{path.name} ({elapsed:.1f} s):\n" + "\n".join(problems)
    # Every code cell ran and displayed something or deliberately nothing (no crash).
    assert all(c.get("execution_count") for c in nb.cells if c.cell_type == "code")
    assert n_code >= 1
