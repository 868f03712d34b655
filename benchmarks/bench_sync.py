"""Synchronisation benchmarks, each beside the naive way measured in the same run.

1. Merge 10,000 incoming changes (another copy edited 10,000 values) into a project of
   100,000 indicator values (target ≤ 2 s), the way the command line and the window do it: a
   session step (``Synchronisation.import_package``: one transaction, every touched record
   recomputed from its writes in batches, change events, undo step) — and the bare store-level
   merge. Naive: replay the same changes row by row through the record API (read the record,
   apply the field, save it with its history row).
2. The package: size of a package holding those 10,000 changes.
3. A sync of 10,000 changes to and from a local hub (target ≤ 5 s), as session steps: laptop A
   sends 10,000 edits, laptop B receives them. Naive: the same changes sent one INSERT per row.

Each figure is wall-clock time, with this process's CPU time beside it (on the shared, busy
machine the wall clock also counts time spent waiting for a core; the load average is printed).

Usage:  python benchmarks/bench_sync.py [--changes 10000] [--keep]
Needs PostgreSQL + PostGIS for part 3 (the same Debian packages as the tests); skipped otherwise.
The 100k project comes from resilience_map.synthetic, the builder the tests use too.
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks"), str(ROOT / "tests")]

from resilience_map.domain.records import IndicatorValue  # noqa: E402
from resilience_map.session import ProjectSession  # noqa: E402
from resilience_map.session.synchronise import Synchronisation  # noqa: E402
from resilience_map.store import ProjectStore  # noqa: E402
from resilience_map.synthetic import build_synthetic  # noqa: E402


class Clock:
    """Wall-clock and CPU seconds of one block."""

    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu

    def __str__(self) -> str:
        return f"{self.wall:5.2f} s (CPU {self.cpu:4.2f} s)"


def session_on(path: Path) -> tuple[ProjectSession, Synchronisation]:
    session = ProjectSession(author="bench")
    session.open(path)
    return session, Synchronisation(session)


def edit_values(path: Path, count: int) -> None:
    with ProjectStore.open(path) as store, store.transaction():
        for v in store.list(IndicatorValue)[:count]:
            store.update(dataclasses.replace(v, value=float((v.value + 3) % 10)), "bench")


def bench_merge(folder: Path, base: Path, count: int) -> None:
    from resilience_map.store import lineage
    from resilience_map.sync.package import export_package, import_package, read_package
    from resilience_map.sync.state import learn_peer

    sender = Path(shutil.copy(base, folder / "sender.gpkg"))
    copies = [Path(shutil.copy(base, folder / f"{name}.gpkg")) for name in ("session", "store", "naive")]
    for path in copies:
        ProjectStore.open(path).close()  # each copy takes its replica id before timing
    edit_values(sender, count)
    with ProjectStore.open(copies[0], read_only=True) as receiver:
        floor = lineage.knowledge(receiver.connection)
    with ProjectStore.open(sender) as store:
        export_package(store, folder / "changes.rmsync")
        with store.transaction():  # a package of just the new changes, as --for would make it
            learn_peer(store.connection, "receiver", floor)
        export_package(store, folder / "new.rmsync", for_replica="receiver")
    size = (folder / "changes.rmsync").stat().st_size
    small = (folder / "new.rmsync").stat().st_size
    history = len(read_package(folder / "changes.rmsync").writes)
    fresh = [w for w in read_package(folder / "new.rmsync").writes if w.table == "indicator_values"]

    session, sync = session_on(copies[0])
    with Clock() as stepped:
        summary = sync.import_package(folder / "new.rmsync")  # read, checked, merged, events, undo step
    assert len(summary.merge.applied) == count and len(summary.merge.updated) == count
    session.close()
    with ProjectStore.open(copies[1]) as store, Clock() as merged:
        import_package(store, folder / "new.rmsync")
    with ProjectStore.open(copies[2]) as store, Clock() as replayed, store.transaction():
        for w in fresh:  # the naive way: one record at a time through the record API
            record = store.get(IndicatorValue, w.uuid)
            store.update(dataclasses.replace(record, value=float(w.new_value)), w.author)
    print(f"merge {count:,} incoming changes into 100,000 values (target ≤ 2 s): as a session step {stepped}; "
          f"store merge alone {merged}; naive row-by-row replay {replayed}; "
          f"ratio {replayed.wall / stepped.wall:4.1f}×")
    print(f"package size for {count:,} changes: {small / 1024:,.0f} KiB ({small / count:,.0f} bytes per change); "
          f"the whole history ({history:,} changes): {size / 1024 / 1024:,.1f} MiB")


def bench_hub(folder: Path, base: Path, count: int) -> None:
    import psycopg
    from tests_helpers import PostgresServer

    from resilience_map.sync.hub import add_account, init_hub, sync_with_hub

    server = PostgresServer.find()
    if server is None:
        print("hub benchmark skipped: PostgreSQL with PostGIS is not installed")
        return
    server.start()
    try:
        db = server.new_database()
        url = server.url(dbname=db)
        init_hub(url)
        add_account(url, "bench_staff", "pw", None)
        staff = server.url("bench_staff", "pw", db)
        a = Path(shutil.copy(base, folder / "hub-a.gpkg"))
        b = Path(shutil.copy(base, folder / "hub-b.gpkg"))
        with ProjectStore.open(a) as store, Clock() as initial:
            sync_with_hub(store, staff)
        with ProjectStore.open(b) as store:
            sync_with_hub(store, staff)
        edit_values(a, count)
        session, sync = session_on(a)
        with Clock() as send:
            sent = sync.sync_hub(staff)
        session.close()
        session, sync = session_on(b)
        with Clock() as receive:
            got = sync.sync_hub(staff)
        session.close()
        assert sent.sent == count and got.received == count
        with psycopg.connect(staff) as pg, ProjectStore.open(a, read_only=True) as store:
            from resilience_map.store import lineage

            writes = [w for w in lineage.writes_after(store.connection, {}) if w.table == "indicator_values"][-count:]
            records = {w.uuid: store.get(IndicatorValue, w.uuid) for w in writes}
            pg.execute("CREATE TEMP TABLE naive_changes (LIKE rm_hub.changes INCLUDING ALL)")
            pg.execute("CREATE TEMP TABLE naive_values (LIKE rm_hub.indicator_values INCLUDING ALL)")
            pg.execute("INSERT INTO naive_values SELECT * FROM rm_hub.indicator_values")
            with Clock() as naive_send:  # the naive way: one statement and round trip per change and record
                for w in writes:
                    pg.execute("INSERT INTO naive_changes (origin, seq, hlc, base, table_name, record_uuid, "
                               "operation, field, old_value, new_value, author, changed_at) "
                               "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                               (w.origin, w.seq, w.hlc, " ".join(w.base), w.table, w.uuid, w.operation, w.field,
                                w.old_value, w.new_value, w.author, w.changed_at))
                for r in records.values():
                    pg.execute("UPDATE naive_values SET value = %s, modified_at = %s, modified_by = %s, "
                               "version = %s WHERE uuid = %s", (r.value, r.modified_at, r.modified_by, r.version,
                                                                r.uuid))
                pg.commit()
        naive_copy = Path(shutil.copy(base, folder / "hub-naive.gpkg"))
        with ProjectStore.open(naive_copy) as store, Clock() as naive_receive, store.transaction():
            for w in writes:  # and received by replaying them row by row through the record API
                record = store.get(IndicatorValue, w.uuid)
                store.update(dataclasses.replace(record, value=float(w.new_value)), w.author)
        total, naive = send.wall + receive.wall, naive_send.wall + naive_receive.wall
        print(f"hub sync of {count:,} changes as session steps (target ≤ 5 s): send {send} + receive {receive} "
              f"= {total:5.2f} s; naive (one statement per change and record, replay row by row): "
              f"send {naive_send} + receive {naive_receive} = {naive:5.2f} s; ratio {naive / total:4.1f}×")
        print(f"(first sync of the whole 100k project to an empty hub: {initial})")
    finally:
        server.stop()


def load_average() -> str:
    """The 1, 5 and 15-minute load averages (the machine is shared: figures depend on them)."""
    path = Path("/proc/loadavg")
    return " ".join(path.read_text().split()[:3]) if path.exists() else "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=10_000)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    try:
        start = time.perf_counter()
        base = build_synthetic(folder / "base.gpkg")
        print(f"(built the 100,000-value project in {time.perf_counter() - start:.1f} s)")
        print(f"(load average before: {load_average()})")
        bench_merge(folder, base, args.changes)
        bench_hub(folder, base, args.changes)
        print(f"(load average after: {load_average()})")
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
