"""What `pip install .` ships: every package, the data and the web resources."""

from __future__ import annotations

from pathlib import Path

import tomllib

from resilience_map.assets import data_file, resource_file

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_directory_is_listed_in_pyproject() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "resilience_map").rglob("__init__.py")}
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"


def test_installed_package_finds_its_data_and_resources() -> None:
    assert data_file("municipalities.csv").is_file()
    assert data_file("demo_facts.json").is_file() and data_file("indicators.json").is_file()
    assert resource_file("map.js").is_file() and resource_file("map.css").is_file()
