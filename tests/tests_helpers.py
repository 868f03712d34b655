"""Helpers shared by tests (kept out of conftest so they can be imported by name)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def run_cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run the installed command line in a separate process, from outside the checkout so
    that ``python -m`` imports the installed package (with its data), not the source tree."""
    return subprocess.run([sys.executable, "-m", "resilience_map", *map(str, args)],
                          capture_output=True, text=True, cwd=Path(__file__).parent, timeout=300)
