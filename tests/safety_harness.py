"""Fault harness for the project file: SIGKILL at random moments, and the single-writer race.

Each kill trial starts a worker process that does real work on a project —
bursts of edits, a boundary import, a demo build over an existing file, a
schema migration, backups, restores — waits until it is under way, kills it with
SIGKILL after a random delay, and then checks, as a user would meet the file:

* it opens (first read-only, as ``resilience-map info`` does, then for editing):
  a refusal of a sound file counts as **refused**;
* SQLite's full integrity check passes: otherwise **corrupt**;
* every edit the worker reported as saved is there, and the one in flight is
  there entirely or not at all: otherwise **lost**.

The lock race starts N processes that take and release a project's lock for D
seconds; each holder creates a marker file with O_EXCL and removes it before
releasing, so two holders at once show up as a failed O_EXCL.

``python benchmarks/bench_safety.py`` runs the full figures; the test suite runs
small versions (tests/test_store_safety.py). Workers run as
``python tests/safety_harness.py --worker SCENARIO ARGS…``.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

# this checkout's package, also when the harness runs as a child process (after the path is set)
from resilience_map.store import ProjectError, ProjectStore  # noqa: E402
from resilience_map.store.recovery import has_journal  # noqa: E402

SCENARIOS = ("edits", "import", "demo", "migration", "backup", "restore")
#: Longest random delay (s) between "under way" and the kill, per scenario: about
#: the time the operation takes on this machine, so kills land all through it.
KILL_WINDOW = {"edits": 1.5, "import": 2.0, "demo": 4.0, "migration": 1.5, "backup": 1.5, "restore": 2.5}
OLD_TITLE = "old project"
DEMO_TITLE = "Resilience Map demo"


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
    return env


# --- the workspace: templates built once per run -------------------------------------------

@dataclass
class Workspace:
    root: Path
    demo: Path  # the demo project
    small: Path  # an empty project titled OLD_TITLE
    demo_v1: Path  # the demo project as schema version 1 wrote it (for the real v1 → v2 migration)
    boundaries: Path  # GeoJSON: a box around the seat of every unit of North Macedonia
    boundary_count: int = 0
    demo_counts: dict[str, int] = field(default_factory=dict)

    @classmethod
    def build(cls, root: Path, demo: Path | None = None) -> Workspace:
        from resilience_map.demo import build_demo

        root.mkdir(parents=True, exist_ok=True)
        if demo is None:
            demo = root / "demo-template.gpkg"
            build_demo(demo)
        small = root / "small-template.gpkg"
        ProjectStore.create(small, title=OLD_TITLE, author="harness").close()
        demo_v1 = Path(shutil.copy(demo, root / "demo-v1-template.gpkg"))
        as_schema_1(demo_v1)
        ws = cls(root, demo, small, demo_v1, root / "mk-boxes.geojson")
        with ProjectStore.open(demo, read_only=True) as store:
            units = [m for m in store.municipalities() if m.country.value == "MK" and m.seat_lon is not None]
            ws.demo_counts = store.info().counts
        features = [{"type": "Feature", "properties": {"name": m.name_latin},
                     "geometry": {"type": "Polygon", "coordinates": [[
                         [m.seat_lon - d, m.seat_lat - d], [m.seat_lon + d, m.seat_lat - d],
                         [m.seat_lon + d, m.seat_lat + d], [m.seat_lon - d, m.seat_lat + d],
                         [m.seat_lon - d, m.seat_lat - d]]]}}
                    for m in units for d in (0.02,)]
        ws.boundaries.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
        ws.boundary_count = _import_count(ws)
        return ws


def as_schema_1(path: Path) -> None:
    """Turn a project into what schema version 1 wrote: no sync tables, no replica columns."""
    from resilience_map.store.schema import HISTORY_SYNC_COLUMNS

    conn = sqlite3.connect(path)
    try:
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                     "AND name LIKE 'sync!_%' ESCAPE '!'").fetchall():
            conn.execute(f'DROP TABLE "{table}"')
        for (index,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' "
                                     "AND tbl_name = 'change_history' AND sql LIKE '%origin%'").fetchall():
            conn.execute(f'DROP INDEX "{index}"')
        for column in HISTORY_SYNC_COLUMNS:
            conn.execute(f"ALTER TABLE change_history DROP COLUMN {column.split()[0]}")
        conn.execute("UPDATE rm_meta SET value = '1' WHERE key = 'schema_version'")
        conn.execute("DELETE FROM rm_meta WHERE key LIKE 'replica%'")
        conn.commit()
        conn.execute("VACUUM")
    finally:
        conn.close()


def _import_count(ws: Workspace) -> int:
    from resilience_map.session import ProjectSession
    from resilience_map.session.boundaries import import_boundary_files

    probe = Path(shutil.copy(ws.demo, ws.root / "probe.gpkg"))
    with ProjectSession.opened(probe, author="harness") as session:
        result = import_boundary_files(session, [ws.boundaries], country="MK", report=None,
                                       source="harness", licence="CC0")
    return result.applied


# --- one kill trial -----------------------------------------------------------------------------

@dataclass
class Trial:
    scenario: str
    delay: float
    acknowledged: int = 0
    journal_left: bool = False
    refused: str = ""
    corrupt: str = ""
    lost: str = ""
    worker_error: str = ""  # the worker failed by itself (a bug in the operation, not the kill)

    @property
    def ok(self) -> bool:
        return not (self.refused or self.corrupt or self.lost or self.worker_error)


_IN_PROCESS = threading.Lock()


def run_trials(ws: Workspace, count: int, seed: int, parallel: int = 2) -> list[Trial]:
    """``count`` trials, the scenarios in turn, kill delays drawn from ``seed``; ``parallel``
    at a time (the machine's cores: a kill lands at a random moment either way)."""
    from concurrent.futures import ThreadPoolExecutor

    rng = random.Random(seed)
    plan = [(SCENARIOS[i % len(SCENARIOS)], i, random.Random(rng.randrange(1 << 30))) for i in range(count)]
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        return list(pool.map(lambda p: run_trial(ws, *p), plan))


def run_trial(ws: Workspace, scenario: str, index: int, rng: random.Random) -> Trial:
    folder = ws.root / f"trial-{index:04d}-{scenario}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    project = folder / "project.gpkg"
    template = {"edits": ws.small, "demo": ws.small, "migration": ws.demo_v1}.get(scenario, ws.demo)
    shutil.copy(template, project)
    if scenario == "restore":
        with _IN_PROCESS:
            _prepare_restores(project, folder / "backups")
    trial = Trial(scenario, rng.uniform(0, KILL_WINDOW[scenario]))
    lines, errors = _run_and_kill(scenario, project, folder, trial.delay, rng.randrange(1 << 30))
    if errors:
        trial.worker_error = errors.strip().splitlines()[-1]
    trial.acknowledged = sum(1 for line in lines if line.startswith("A"))
    trial.journal_left = has_journal(project)
    with _IN_PROCESS:  # the migration check patches the schema version of this process
        try:
            _check(ws, scenario, project, folder, lines, trial)
        except ProjectError as exc:
            trial.refused = f"{type(exc).__name__}: {exc}"
    if trial.ok:
        shutil.rmtree(folder, ignore_errors=True)
    return trial


def _run_and_kill(scenario: str, project: Path, folder: Path, delay: float, seed: int) -> tuple[list[str], str]:
    """The worker's output lines, and its error output if it failed by itself."""
    proc = subprocess.Popen([sys.executable, __file__, "--worker", scenario, str(project), str(folder), str(seed)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()  # "ready": imports done, the work starts now
    if not first.startswith("ready"):
        proc.kill()
        raise RuntimeError(f"worker for {scenario} did not start: {first!r} {proc.stderr.read()[-500:]}")
    lines: list[str] = []
    # Keep draining the (buffered) pipe while waiting, so the worker never blocks on a full pipe.
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout))  # type: ignore[arg-type]
    reader.start()
    deadline = time.monotonic() + delay
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.005)
    with contextlib.suppress(ProcessLookupError):
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    reader.join()
    err = proc.stderr.read()
    failed = proc.returncode not in (0, -signal.SIGKILL)
    return [line.strip() for line in lines if line.strip()], err if failed else ""


def _check(ws: Workspace, scenario: str, project: Path, folder: Path, lines: list[str], trial: Trial) -> None:
    if scenario == "migration":
        done = any(line.startswith("A") for line in lines)
        version = _raw_version(project)
        if done and version == 1:
            trial.lost = "the migration was acknowledged but the file is still at version 1"
        _check_opens(project, trial, read_only_first=version > 1)  # opening upgrades a v1 file
        conn = sqlite3.connect(project)
        try:
            values = conn.execute("SELECT count(*) FROM indicator_values").fetchone()[0]
            unnumbered = conn.execute("SELECT count(*) FROM change_history WHERE table_name != 'rm_meta' "
                                      "AND seq IS NULL").fetchone()[0]
        finally:
            conn.close()
        if not trial.lost and (values != ws.demo_counts["indicator_values"] or unnumbered):
            trial.lost = f"{values} values, {unnumbered} history rows without a sequence after the migration"
        return
    _check_opens(project, trial)
    if trial.refused or trial.corrupt:
        return
    with ProjectStore.open(project, read_only=True) as store:
        trial.lost = _LOSS_CHECKS[scenario](ws, store, folder, lines)


def _raw_version(project: Path) -> int:
    from resilience_map.store.recovery import roll_back_interrupted_save

    roll_back_interrupted_save(project)
    conn = sqlite3.connect(f"{project.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT value FROM rm_meta WHERE key = 'schema_version'").fetchone()[0])
    finally:
        conn.close()


def _check_opens(project: Path, trial: Trial, read_only_first: bool = True) -> None:
    if read_only_first:
        ProjectStore.open(project, read_only=True).close()
    with ProjectStore.open(project) as store:
        if store.read_only:
            trial.refused = f"opened read-only: {store.read_only_reason}"
            return
    conn = sqlite3.connect(f"{project.resolve().as_uri()}?mode=ro", uri=True)
    try:
        result = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    finally:
        conn.close()
    if result != ["ok"]:
        trial.corrupt = "; ".join(result[:3])


def _edits_lost(ws: Workspace, store: ProjectStore, folder: Path, lines: list[str]) -> str:
    acked: dict[str, int | None] = {}
    in_flight: dict[str, int | None] | None = None
    for line in lines:
        if line.startswith("B "):
            op = json.loads(line[2:])
            in_flight = _apply(dict(acked), op)
        elif line.startswith("A") and in_flight is not None:
            acked, in_flight = in_flight, None
    from resilience_map.domain.records import Municipality

    stored = {m.registry_id: m.population for m in store.list(Municipality)}
    inserted = {h.record_uuid for h in store.history() if h.operation == "insert"}
    if not {m.uuid for m in store.list(Municipality)} <= inserted:
        return "a saved record has no history row"
    if stored == acked or (in_flight is not None and stored == in_flight):
        return ""
    missing = sorted(set(acked) - set(stored))[:3]
    return f"{len(acked)} acknowledged records, {len(stored)} stored; e.g. missing {missing}"


def _apply(state: dict[str, int | None], op: dict) -> dict[str, int | None]:
    if op["op"] == "add":
        state.update({rid: None for rid in op["ids"]})
    elif op["op"] == "update":
        state.update(op["populations"])
    else:
        for rid in op["ids"]:
            state.pop(rid, None)
    return state


def _import_lost(ws: Workspace, store: ProjectStore, folder: Path, lines: list[str]) -> str:
    count = store.info().boundaries
    done = any(line.startswith("A") for line in lines)
    if count not in (0, ws.boundary_count) or (done and count != ws.boundary_count):
        return f"{count} boundaries stored (import acknowledged: {done}; complete: {ws.boundary_count})"
    return ""


def _demo_lost(ws: Workspace, store: ProjectStore, folder: Path, lines: list[str]) -> str:
    info = store.info()
    done = any(line.startswith("A") for line in lines)
    if info.title == DEMO_TITLE and info.counts == ws.demo_counts and info.synthetic_data:
        return ""
    if info.title == OLD_TITLE and not done and sum(info.counts.values()) == 0:
        return ""
    return f"project is neither the old file nor the complete demo: {info.title!r}, {info.counts}"


def _backup_lost(ws: Workspace, store: ProjectStore, folder: Path, lines: list[str]) -> str:
    from resilience_map.store.backups import list_backups, verify_copy

    listed = list_backups(store.path, folder / "backups", verify=False)
    broken = [b.path.name for b in listed if verify_copy(b.path)]
    if broken:
        return f"a listed backup is broken: {broken[0]}"
    acked = sum(1 for line in lines if line.startswith("A"))
    if len(listed) < min(acked, 3):
        return f"{acked} backups acknowledged but {len(listed)} listed"
    return ""


def _restore_lost(ws: Workspace, store: ProjectStore, folder: Path, lines: list[str]) -> str:
    title = store.info().title
    began = [line[2:] for line in lines if line.startswith("B ")]
    done = [line[2:] for line in lines if line.startswith("A ")]
    allowed = {done[-1]} if done else {"state 0"}
    if len(began) > len(done):
        allowed.add(began[-1])
    if title not in allowed:
        return f"project holds {title!r}, expected one of {sorted(allowed)}"
    return _backup_lost(ws, store, folder, [])


_LOSS_CHECKS = {"edits": _edits_lost, "import": _import_lost, "demo": _demo_lost,
                "backup": _backup_lost, "restore": _restore_lost}


def _prepare_restores(project: Path, root: Path) -> None:
    from resilience_map.store.backups import make_backup

    for title in ("state A", "state B", "state 0"):
        with ProjectStore.open(project) as store:
            store.set_meta("title", title, "harness")
        if title != "state 0":
            make_backup(project, root, keep=10)


# --- workers (run in the killed process) --------------------------------------------------------

def worker(scenario: str, project: Path, folder: Path, seed: int) -> None:
    rng = random.Random(seed)
    if scenario == "edits":
        _edit_bursts(project, rng)
    elif scenario == "import":
        from resilience_map.session import ProjectSession
        from resilience_map.session.boundaries import import_boundary_files

        _say("ready")
        with ProjectSession.opened(project, author="harness") as session:
            import_boundary_files(session, [folder.parent / "mk-boxes.geojson"], country="MK",
                                  report=None, source="harness", licence="CC0")
        _say("A import")
    elif scenario == "demo":
        from resilience_map.demo import build_demo

        _say("ready")
        build_demo(project, overwrite=True)
        _say("A demo")
    elif scenario == "migration":
        _say("ready")
        ProjectStore.open(project).close()  # the real upgrade from schema 1 to 2
        _say("A migrated")
    elif scenario == "backup":
        from resilience_map.store.backups import make_backup

        _say("ready")
        while True:
            make_backup(project, folder / "backups", keep=3)
            _say("A backup")
    elif scenario == "restore":
        from resilience_map.store.backups import list_backups, restore_backup

        _say("ready")
        for i in range(1_000_000):
            backup = list_backups(project, folder / "backups")[-1 - i % 2]  # the oldest two, in turn
            with ProjectStore.open(backup.path, read_only=True) as copy:
                title = copy.info().title
            _say(f"B {title}")
            restore_backup(backup, project, folder / "backups")
            _say(f"A {title}")


def _edit_bursts(project: Path, rng: random.Random) -> None:
    import dataclasses

    from resilience_map.domain.enums import Country
    from resilience_map.domain.records import Municipality

    store = ProjectStore.open(project)
    live: dict[str, Municipality] = {}
    counter = 0
    _say("ready")
    while True:
        kind = rng.choice(("add", "add", "update", "delete")) if live else "add"
        if kind == "add":
            new = [Municipality(registry_id=f"e-{counter + i}", country=Country.MK, name_local=f"Е{counter + i}",
                                name_latin=f"E{counter + i}", name_en=f"E{counter + i}")
                   for i in range(rng.randint(1, 40))]
            counter += len(new)
            _say("B " + json.dumps({"op": "add", "ids": [m.registry_id for m in new]}))
            for m in store.add_many(new, "harness"):
                live[m.registry_id] = m
        elif kind == "update":
            chosen = rng.sample(sorted(live), min(len(live), rng.randint(1, 20)))
            populations = {rid: rng.randint(1, 10**6) for rid in chosen}
            _say("B " + json.dumps({"op": "update", "populations": populations}))
            with store.transaction():
                for rid in chosen:
                    live[rid] = store.update(dataclasses.replace(live[rid], population=populations[rid],
                                                                 population_year=2021), "harness")
        else:
            chosen = rng.sample(sorted(live), min(len(live), rng.randint(1, 10)))
            _say("B " + json.dumps({"op": "delete", "ids": chosen}))
            store.delete_many(Municipality, [live[rid].uuid for rid in chosen], "harness")
            for rid in chosen:
                del live[rid]
        _say("A")


def _say(line: str) -> None:
    print(line, flush=True)


# --- the lock race ----------------------------------------------------------------------------

@dataclass
class RaceResult:
    processes: int
    seconds: float
    acquisitions: int
    overlaps: int
    lock_file_kept: bool


def lock_race(folder: Path, processes: int, seconds: float, naive: bool = False) -> RaceResult:
    """N processes take and release the project's lock for ``seconds``; count overlaps.

    ``naive`` races the earlier implementation (delete the lock file on release) as
    the baseline."""
    folder.mkdir(parents=True, exist_ok=True)
    project = folder / "race.gpkg"
    project.touch()
    marker = folder / "holder.marker"
    marker.unlink(missing_ok=True)
    go = folder / "go"
    go.unlink(missing_ok=True)
    procs = [subprocess.Popen([sys.executable, __file__, "--race", str(project), str(seconds),
                               "naive" if naive else "real"], stdout=subprocess.PIPE, text=True, env=_env())
             for _ in range(processes)]
    for proc in procs:  # all imported and waiting: then they start together
        assert proc.stdout is not None and proc.stdout.readline().startswith("ready")
    go.touch()
    acquisitions = overlaps = 0
    for proc in procs:
        assert proc.stdout is not None
        taken, clashes = map(int, proc.stdout.read().split())  # the same buffered reader as "ready"
        proc.wait(timeout=seconds + 60)
        acquisitions += taken
        overlaps += clashes
    kept = (folder / "race.gpkg.lock").exists()
    return RaceResult(processes, seconds, acquisitions, overlaps, kept)


def race_worker(project: Path, seconds: float, mode: str) -> None:
    """Take the lock as often as possible; prove exclusivity with an O_EXCL marker file."""
    from resilience_map.store.lock import ProjectLock, ProjectLockedError

    marker = project.with_name("holder.marker")
    go = project.with_name("go")
    taken = clashes = 0
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.001)
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        lock = _NaiveLock(project) if mode == "naive" else ProjectLock(project)
        try:
            lock.acquire()
        except (ProjectLockedError, OSError):
            time.sleep(0.0005)  # a waiter polls; it does not starve the holder of the CPU
            continue
        try:
            fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            clashes += 1
        else:
            os.write(fd, str(os.getpid()).encode())
            os.close(fd)
            time.sleep(random.uniform(0, 0.002))  # hold it for a moment, as a short edit would
            os.unlink(marker)
        finally:
            lock.release()
        taken += 1
    print(taken, clashes, flush=True)


class _NaiveLock:
    """The earlier lock: flock, then unlock and delete the file on release (the baseline)."""

    def __init__(self, project: Path) -> None:
        self.path = project.with_name(project.name + ".lock")
        self.fh = None

    def acquire(self) -> None:
        import fcntl

        fh = open(self.path, "a+")  # noqa: SIM115
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            raise
        self.fh = fh

    def release(self) -> None:
        import fcntl

        fcntl.flock(self.fh.fileno(), fcntl.LOCK_UN)
        self.fh.close()
        self.path.unlink(missing_ok=True)


if __name__ == "__main__":
    if sys.argv[1] == "--worker":
        worker(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]), int(sys.argv[5]))
    elif sys.argv[1] == "--race":
        race_worker(Path(sys.argv[2]), float(sys.argv[3]), sys.argv[4])
