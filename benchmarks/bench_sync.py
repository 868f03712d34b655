"""Synchronisation benchmarks, each beside the naive way measured in the same run.

1. Merge 10,000 incoming changes (another copy edited 10,000 values) into a project of
   100,000 indicator values (target ≤ 2 s): ``import_package`` — one transaction, every touched
   record recomputed from its writes in batches. Naive: replay the same changes row by row
   through the record API (read the record, apply the field, save it with its history row).
2. The package: size of a package holding those 10,000 changes.
3. A sync of 10,000 changes to and from a local hub (target ≤ 5 s): laptop A sends 10,000
   edits, laptop B receives them. Naive: the same changes sent one INSERT per row.

Usage:  python benchmarks/bench_sync.py [--changes 10000] [--keep]
Needs PostgreSQL + PostGIS for part 3 (the same Debian packages as the tests); skipped otherwise.
The 100k project comes from benchmarks/bench_records.py's builder (about 20 s).
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

from bench_records import build_synthetic  # noqa: E402

from resilience_map.domain.records import IndicatorValue  # noqa: E402
from resilience_map.store import ProjectStore  # noqa: E402


def edit_values(path: Path, count: int) -> None:
    with ProjectStore.open(path) as store, store.transaction():
        for v in store.list(IndicatorValue)[:count]:
            store.update(dataclasses.replace(v, value=float((v.value + 3) % 10)), "bench")


def bench_merge(folder: Path, base: Path, count: int) -> None:
    from resilience_map.store import lineage
    from resilience_map.sync.package import export_package, import_package, read_package

    sender = Path(shutil.copy(base, folder / "sender.gpkg"))
    receiver = Path(shutil.copy(base, folder / "receiver.gpkg"))
    naive = Path(shutil.copy(base, folder / "naive.gpkg"))
    for path in (receiver, naive):
        ProjectStore.open(path).close()  # each copy takes its replica id before timing
    edit_values(sender, count)
    with ProjectStore.open(sender) as store:
        floor = lineage.knowledge(ProjectStore.open(receiver, read_only=True).connection)
        export_package(store, folder / "changes.rmsync", since=None, for_replica=None)
        store.connection.execute("SELECT 1")
    package = read_package(folder / "changes.rmsync")
    fresh = [w for w in package.writes if w.seq > floor.get(w.origin, 0)]
    size = (folder / "changes.rmsync").stat().st_size
    # a package of just the new changes, as --for would make it
    with ProjectStore.open(sender) as store:
        from resilience_map.sync.state import learn_peer

        with store.transaction():
            learn_peer(store.connection, "receiver", floor)
        export_package(store, folder / "new.rmsync", for_replica="receiver")
    small = (folder / "new.rmsync").stat().st_size
    with ProjectStore.open(receiver) as store:
        start = time.perf_counter()
        result = import_package(store, folder / "new.rmsync")
        merged = time.perf_counter() - start
        assert len(result.merge.applied) == count and len(result.merge.updated) == count
    with ProjectStore.open(naive) as store:
        start = time.perf_counter()
        with store.transaction():
            for w in fresh:  # the naive way: one record at a time through the record API
                record = store.get(IndicatorValue, w.uuid)
                store.update(dataclasses.replace(record, value=float(w.new_value)), w.author)
        replayed = time.perf_counter() - start
    print(f"merge {count:,} incoming changes into 100,000 values: {merged:6.2f} s (target ≤ 2 s)   "
          f"naive row-by-row replay: {replayed:6.2f} s   ratio {replayed / merged:4.1f}×")
    print(f"package size for {count:,} changes: {small / 1024:,.0f} KiB "
          f"({small / count:,.0f} bytes per change); the whole history ({len(package.writes):,} changes): "
          f"{size / 1024 / 1024:,.1f} MiB")


def bench_hub(folder: Path, base: Path, count: int) -> None:
    from tests_helpers import PostgresServer

    import psycopg

    from resilience_map.sync import hub as hub_client
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
        with ProjectStore.open(a) as store:
            start = time.perf_counter()
            sync_with_hub(store, staff)
            initial = time.perf_counter() - start
        with ProjectStore.open(b) as store:
            sync_with_hub(store, staff)
        edit_values(a, count)
        with ProjectStore.open(a) as store:
            start = time.perf_counter()
            sent = sync_with_hub(store, staff)
            send = time.perf_counter() - start
        with ProjectStore.open(b) as store:
            start = time.perf_counter()
            got = sync_with_hub(store, staff)
            receive = time.perf_counter() - start
        assert sent.sent == count and got.received == count
        with psycopg.connect(staff) as pg, ProjectStore.open(a, read_only=True) as store:
            from resilience_map.store import lineage

            writes = [w for w in lineage.writes_after(store.connection, {}) if w.table == "indicator_values"][-count:]
            pg.execute("CREATE TEMP TABLE naive (LIKE rm_hub.changes INCLUDING DEFAULTS)")
            start = time.perf_counter()
            for w in writes:  # the naive way: one statement and round trip per change
                pg.execute("INSERT INTO naive (server_seq, origin, seq, hlc, base, table_name, record_uuid, "
                           "operation, field, old_value, new_value, author, changed_at) "
                           "VALUES (0, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                           (w.origin, w.seq, w.hlc, " ".join(w.base), w.table, w.uuid, w.operation, w.field,
                            w.old_value, w.new_value, w.author, w.changed_at))
            naive = time.perf_counter() - start
        print(f"hub sync of {count:,} changes: send {send:5.2f} s + receive {receive:5.2f} s = "
              f"{send + receive:5.2f} s (target ≤ 5 s)   naive one-INSERT-per-change send alone: {naive:5.2f} s")
        print(f"(first sync of the whole 100k project to an empty hub: {initial:5.1f} s)")
        del hub_client
    finally:
        server.stop()


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
        bench_merge(folder, base, args.changes)
        bench_hub(folder, base, args.changes)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
