"""binder/, environment.yml and pyproject.toml must agree on the runtime dependencies."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _bounds(requirement: str) -> str:
    return requirement.strip()[len(_name(requirement)) :].replace(" ", "")


def _pyproject() -> dict:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = project["dependencies"] + project["optional-dependencies"]["app"]
    return {_name(r): _bounds(r) for r in reqs}


def _conda(path: Path) -> dict:
    deps = {}
    text = path.read_text().split("dependencies:", 1)[1]
    for line in text.splitlines():
        m = re.match(r"^  - ([A-Za-z0-9_.\-]+)(.*)$", line)
        if m and m.group(1) not in ("pip", "python"):
            deps[m.group(1).lower().replace("_", "-")] = m.group(2).replace(" ", "")
    return deps


def test_binder_environment_matches_pyproject():
    assert _conda(ROOT / "binder" / "environment.yml") == _pyproject()


def test_top_level_environment_matches_pyproject():
    assert _conda(ROOT / "environment.yml") == _pyproject()


def test_binder_pins_python_312_and_installs_package_in_postbuild():
    env = (ROOT / "binder" / "environment.yml").read_text()
    assert re.search(r"^  - python=3\.12$", env, re.MULTILINE)
    assert "-e ." not in env, "a local path in binder's env rebuilds it on every commit"
    post = (ROOT / "binder" / "postBuild").read_text()
    assert post.startswith("#!/bin/bash") and "set -e" in post and "pip install" in post
    start = (ROOT / "binder" / "start").read_text()
    assert start.rstrip().endswith('exec "$@"')


def test_data_files_are_packaged():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["cevns_widgets"]
    data = ROOT / "cevns_widgets" / "data"
    shipped = {p.name for p in data.iterdir() if p.is_file()}
    covered = {p.name for pattern in patterns for p in (ROOT / "cevns_widgets").glob(pattern)}
    assert shipped == covered


def test_readme_links_open_existing_notebooks():
    readme = (ROOT / "README.md").read_text()
    linked = set(re.findall(r"notebooks%2F([0-9A-Za-z_]+\.ipynb)", readme))
    assert "00_start_here.ipynb" in linked
    assert linked == {p.name for p in (ROOT / "notebooks").glob("*.ipynb")}
    makefile = (ROOT / "Makefile").read_text()
    assert "START_NOTEBOOK := notebooks/00_start_here.ipynb" in makefile
