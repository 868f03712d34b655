"""Start-up to a coloured map, and the memory it takes: what a user waits for and pays.

``measure_startup(project)`` launches ``python -m resilience_map PROJECT`` as a user
would (a fresh process, fresh preferences), times it until the app reports its first
choropleth on screen (``RESILIENCE_MAP_EXIT_WHEN_DRAWN``: the map's ``ready`` signal),
and samples the resident memory of the app and all its QtWebEngine processes until it
exits. ``checkout`` runs another copy of the code (e.g. the main branch) the same way,
so a figure and its baseline come from one run on one machine.

Usage:  python benchmarks/startup.py PROJECT [--runs 20] [--baseline /path/to/other/checkout]
Prints ``startup-to-choropleth median: X ms`` and ``peak-rss: X MiB`` (bench_ui's format).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class StartupFigures:
    times_ms: list[float]  # launch → first choropleth on screen, one per run
    peak_rss_mib: float  # largest sum over the app's process tree, over all runs
    peak_pss_mib: float  # the same in proportional set size (shared pages split between processes)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.times_ms)

    def lines(self, suffix: str = "") -> list[str]:
        """The two lines bench_ui prints (``suffix`` e.g. " (previous design)")."""
        return [f"startup-to-choropleth median: {self.median_ms:.0f} ms{suffix}",
                f"peak-rss: {self.peak_rss_mib:.0f} MiB{suffix}"]


def measure_startup(project: Path, runs: int = 20, checkout: Path = REPO, exit_delay_ms: int = 1500,
                    timeout_s: float = 120.0, map_only: bool = False, warm_up: bool = True,
                    cache: Path | None = None) -> StartupFigures:
    """Launch the app ``runs`` times on ``project``; see the module docstring.

    ``map_only``: time ``benchmarks/map_only.py`` instead (the map in a bare window).
    """
    command = ([sys.executable, str(Path(__file__).with_name("map_only.py")), str(project)] if map_only
               else [sys.executable, "-m", "resilience_map", str(project)])
    times: list[float] = []
    peak_rss = peak_pss = 0
    # Caches persist between a user's starts (the previous design cached its page there), so
    # one shared cache folder and one uncounted first run; preferences are fresh every run.
    with tempfile.TemporaryDirectory(prefix="rm-startup-cache-") as own_cache:
        folder = cache or Path(own_cache)
        if warm_up:
            _launch(command, checkout, exit_delay_ms, timeout_s, folder)
        for _ in range(runs):
            elapsed, rss, pss = _launch(command, checkout, exit_delay_ms, timeout_s, folder)
            times.append(elapsed)
            peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
    return StartupFigures(times, peak_rss / 1024, peak_pss / 1024)


def interleaved(project: Path, runs: int, variants: dict[str, dict]) -> dict[str, StartupFigures]:
    """Several variants (keyword arguments of measure_startup), one run of each in turn, so
    a busy machine slows them alike; one uncounted warm-up run each first."""
    results: dict[str, list[StartupFigures]] = {name: [] for name in variants}
    with tempfile.TemporaryDirectory(prefix="rm-startup-caches-") as caches:
        folders = {name: Path(caches) / str(i) for i, name in enumerate(variants)}
        for name, options in variants.items():
            folders[name].mkdir()
            measure_startup(project, 0, cache=folders[name], **options)
        for _ in range(runs):
            for name, options in variants.items():
                results[name].append(measure_startup(project, 1, warm_up=False, cache=folders[name],
                                                     **options))
    return {name: StartupFigures([t for f in figures for t in f.times_ms],
                                 max(f.peak_rss_mib for f in figures), max(f.peak_pss_mib for f in figures))
            for name, figures in results.items()}


def _launch(command: list[str], checkout: Path, exit_delay_ms: int, timeout_s: float,
            cache: Path) -> tuple[float, int, int]:
    """One start: (milliseconds to the first choropleth, peak RSS KiB, peak PSS KiB)."""
    with tempfile.TemporaryDirectory(prefix="rm-startup-") as home:
        env = _environment(Path(home), checkout, exit_delay_ms, cache)
        started = time.perf_counter()
        proc = subprocess.Popen(command, env=env, cwd=home, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                text=True)
        sampler = _Sampler(proc, timeout_s)
        sampler.start()  # memory is sampled from launch to exit, drawing included
        try:
            line = proc.stdout.readline() if proc.stdout else ""
            elapsed = (time.perf_counter() - started) * 1000
            if "drawn" not in line:
                raise RuntimeError(f"the app did not report a drawn map (exit code {proc.poll()})")
            sampler.join()
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            sampler.join()
        return elapsed, sampler.rss, sampler.pss


class _Sampler(threading.Thread):
    """Peak memory of a process tree, sampled every 50 ms until it exits."""

    def __init__(self, proc: subprocess.Popen, timeout_s: float) -> None:
        super().__init__(daemon=True)
        self.proc, self.deadline = proc, time.perf_counter() + timeout_s
        self.rss = self.pss = 0

    def run(self) -> None:
        while self.proc.poll() is None and time.perf_counter() < self.deadline:
            rss, pss = process_tree_memory_kib(self.proc.pid)
            self.rss, self.pss = max(self.rss, rss), max(self.pss, pss)
            time.sleep(0.05)


def _environment(home: Path, checkout: Path, exit_delay_ms: int, cache: Path) -> dict[str, str]:
    env = dict(os.environ, RESILIENCE_MAP_EXIT_WHEN_DRAWN="1",
               RESILIENCE_MAP_EXIT_DELAY_MS=str(exit_delay_ms), PYTHONPATH=str(checkout),
               XDG_CONFIG_HOME=str(home / "config"), XDG_DATA_HOME=str(home / "data"),
               XDG_CACHE_HOME=str(cache))
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu")
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # Chromium refuses its sandbox as root
        env.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    return env


def process_tree_memory_kib(pid: int) -> tuple[int, int]:
    """(RSS, PSS) summed over a process and all its descendants (Linux /proc), in KiB."""
    rss = pss = 0
    stack, seen = [pid], set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            status = Path(f"/proc/{current}/status").read_text()
            rss += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
            pss += int(next(line.split()[1] for line in rollup.splitlines() if line.startswith("Pss:")))
            for task in Path(f"/proc/{current}/task").iterdir():
                stack += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, StopIteration, ValueError):
            continue
    return rss, pss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--baseline", type=Path, help="another checkout to measure the same way (e.g. main)")
    parser.add_argument("--map-only", action="store_true", help="also time the map alone in a bare window")
    args = parser.parse_args()
    variants: dict[str, dict] = {"": {}}
    if args.map_only:
        variants[" (the map alone in a bare window)"] = {"map_only": True}
    if args.baseline:
        variants[f" (baseline: {args.baseline})"] = {"checkout": args.baseline}
    print(f"machine: {os.cpu_count()} cores; project: {args.project.name}; "
          f"{args.runs} runs each, interleaved")
    for suffix, figures in interleaved(args.project, args.runs, variants).items():
        print("\n".join(figures.lines(suffix)))
        print(f"peak-pss: {figures.peak_pss_mib:.0f} MiB{suffix} (shared pages split between processes); "
              f"runs {min(figures.times_ms):.0f}–{max(figures.times_ms):.0f} ms")


if __name__ == "__main__":
    main()
