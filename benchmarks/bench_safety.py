"""Safety figures of the project file (README, "Safety figures"), with baselines from the same run.

    python benchmarks/bench_safety.py [--trials 150] [--race-seconds 10] [--processes 8] [--flips 300]

1. SIGKILL at random moments across edit bursts, boundary imports, demo builds over an
   existing file, migrations, backups and restores: sound files refused, corrupt files,
   acknowledged edits lost (tests/safety_harness.py).
2. The bad-file corpus (tests/bad_files.py), each file opened by the library and by the
   command line as a separate process, plus random single-byte flips: one-line errors,
   files unchanged.
3. The lock race: N processes for D seconds; overlapping holders with our lock and with
   the earlier "unlock, then delete the lock file" lock as the baseline.
"""

from __future__ import annotations

import argparse
import collections
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]

# the tests' corpus and harness, and this checkout's package (after the path is set)
import bad_files  # noqa: E402
import safety_harness  # noqa: E402

from resilience_map.store import ProjectError, ProjectStore  # noqa: E402


def kill_figures(root: Path, trials: int, seed: int) -> list[str]:
    ws = safety_harness.Workspace.build(root / "ws")
    start = time.monotonic()
    results = safety_harness.run_trials(ws, trials, seed)
    elapsed = time.monotonic() - start
    rows = ["| scenario | trials | killed before it finished | interrupted saves rolled back on open | "
            "sound files refused | corrupt files | acknowledged edits lost |", "|---|---|---|---|---|---|---|"]
    by = collections.defaultdict(list)
    for t in results:
        by[t.scenario].append(t)
    for scenario in (*safety_harness.SCENARIOS, "all"):
        ts = results if scenario == "all" else by[scenario]
        unfinished = sum(1 for t in ts if t.acknowledged == 0 or scenario in ("edits", "backup", "restore"))
        rows.append(f"| {scenario} | {len(ts)} | {unfinished} | {sum(t.journal_left for t in ts)} | "
                    f"{sum(bool(t.refused) for t in ts)} | {sum(bool(t.corrupt) for t in ts)} | "
                    f"{sum(bool(t.lost) for t in ts)} |")
    failures = [t for t in results if not t.ok]
    rows.append(f"\n{trials} trials in {elapsed:.0f} s; failures: {failures or 'none'}")
    return rows


def _cli(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "resilience_map", *map(str, args)], capture_output=True,
                          text=True, cwd=REPO / "tests", env=safety_harness._env(), timeout=300)


def _one_line(result: subprocess.CompletedProcess[str]) -> bool:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    return (result.returncode == 2 and len(lines) == 1 and lines[0].startswith("resilience-map: error:")
            and "Traceback" not in result.stderr)


def corpus_figures(root: Path, flips: int) -> list[str]:
    import geopandas as gpd
    import pyogrio
    from shapely.geometry import box

    sound = root / "sound.gpkg"
    with ProjectStore.create(sound, title="Sound") as store:
        units = store.add_many([_unit(i) for i in range(400)], "bench")
        store.set_boundaries({units[0].uuid: box(21.5, 42.0, 21.9, 42.3)}, "bench")

    def foreign(path: Path) -> None:
        pyogrio.write_dataframe(gpd.GeoDataFrame({"name": ["a"]}, geometry=[box(0, 0, 1, 1)], crs=4326), path)

    geojson = root / "one.geojson"
    geojson.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
                       '{"name": "T0"}, "geometry": {"type": "Polygon", "coordinates": '
                       '[[[21, 42], [22, 42], [22, 43], [21, 42]]]}}]}')
    rows = ["| bad project file | `info` | `import-boundaries` | file unchanged |", "|---|---|---|---|"]
    for bad in bad_files.build_corpus(sound, root / "corpus", foreign):
        before = bad_files.sha256(bad.path)
        info = _cli("info", bad.path)
        imp = _cli("import-boundaries", bad.path, geojson, "--country", "MK", "--source", "test", "--licence", "CC0")
        if bad.error_words is not None:
            info_text = "one-line error" if _one_line(info) else f"FAILED: {info.stderr.strip()[:80]}"
        else:
            info_text = ("opens read-only, says why" if bad.read_only_words and "read-only:" in info.stdout
                         else "opens" if info.returncode == 0 else f"FAILED: {info.stderr.strip()[:80]}")
        imp_text = "one-line error" if _one_line(imp) else f"FAILED: {imp.stderr.strip()[:80]}"
        unchanged = "yes" if bad_files.sha256(bad.path) == before else "NO"
        rows.append(f"| {bad.name} | {info_text} | {imp_text} | {unchanged} |")
    rows += ["", *flip_figures(sound, root / "flips", flips)]
    return rows


def flip_figures(sound: Path, folder: Path, count: int) -> list[str]:
    """Random single-bit flips anywhere in the file, opened in-process (the CLI path is the same)."""
    refused = opened = failed = changed = 0
    for path in bad_files.random_flips(sound, folder, count):
        before = bad_files.sha256(path)
        try:
            with ProjectStore.open(path) as store:
                read_everything(store)
            opened += 1
        except ProjectError as exc:
            refused += 1 if "\n" not in str(exc) else 0
            failed += 1 if "\n" in str(exc) else 0
        except Exception as exc:
            failed += 1
            print(f"  {path.name}: {type(exc).__name__}: {exc}", file=sys.stderr)
        changed += bad_files.sha256(path) != before
    return [f"Random single-bit flips: {count} files → {refused} refused with a one-line error, {opened} opened "
            f"and read normally (the flip hit data SQLite cannot tell from a real value, or unused space), "
            f"{failed} other outcomes (tracebacks, multi-line errors); {changed} files changed."]


def read_everything(store: ProjectStore) -> None:
    """What the window reads of a project: every record, the history, the boundaries."""
    from resilience_map.store.schema import RECORD_TABLES

    store.info()
    for record_type in RECORD_TABLES:
        store.list(record_type)
    store.history()
    store.boundaries()


def _unit(i: int):
    from resilience_map.domain.enums import Country
    from resilience_map.domain.records import Municipality

    return Municipality(registry_id=f"t-{i}", country=Country.MK, name_local=f"Т{i}", name_latin=f"T{i}",
                        name_en=f"T{i}")


def race_figures(root: Path, processes: int, seconds: float) -> list[str]:
    ours = safety_harness.lock_race(root / "race-ours", processes, seconds)
    naive = safety_harness.lock_race(root / "race-naive", processes, seconds, naive=True)
    return ["| lock | processes | seconds | times taken | two holders at once | lock file kept |",
            "|---|---|---|---|---|---|",
            f"| ours (portalocker, file never deleted) | {ours.processes} | {ours.seconds:g} | {ours.acquisitions} | "
            f"**{ours.overlaps}** | {'yes' if ours.lock_file_kept else 'no'} |",
            f"| baseline: the earlier lock (unlock, then delete the file) | {naive.processes} | {naive.seconds:g} | "
            f"{naive.acquisitions} | {naive.overlaps} | {'yes' if naive.lock_file_kept else 'no'} |"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=150)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--race-seconds", type=float, default=10)
    parser.add_argument("--flips", type=int, default=300)
    parser.add_argument("--only", choices=("kills", "corpus", "race"), help="run one section")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rm-safety-") as tmp:
        root = Path(tmp)
        sections = (("kills", "SIGKILL trials", lambda: kill_figures(root, args.trials, args.seed)),
                    ("corpus", "Bad project files", lambda: corpus_figures(root, args.flips)),
                    ("race", "Single-writer lock race", lambda: race_figures(root, args.processes, args.race_seconds)))
        for key, title, figures in sections:
            if args.only and key != args.only:
                continue
            rows = figures()
            print(f"\n### {title}\n")
            print("\n".join(rows), flush=True)

if __name__ == "__main__":
    main()
