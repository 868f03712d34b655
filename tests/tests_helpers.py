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


def page_eval(qtbot, window, code: str):
    """Evaluate JavaScript in the map page of ``window`` and return the result as Python data
    (None when it failed or the page is not ready yet)."""
    with qtbot.waitCallback(timeout=10000) as callback:
        window.map_view.evaluate(code, callback)
    return callback.args[0]


def wait_until_drawn(qtbot, window) -> None:
    """Until the page has loaded the project and drawn a legend.

    bool(): pytest-qt takes a callback that returns None as "condition met"."""
    qtbot.waitUntil(lambda: window.map_view.is_ready, timeout=20000)
    qtbot.waitUntil(lambda: bool(page_eval(qtbot, window, "RM.probe.ready() && RM.probe.legendText().length > 0")),
                    timeout=20000)


def sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def poppler(tool: str, *args: str | Path) -> str:
    """Run a poppler-utils tool (pdftotext, pdffonts); skips the test when it is not installed."""
    import shutil

    import pytest

    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed (Debian package poppler-utils, listed in .ci/run)")
    return subprocess.run([tool, *map(str, args)], capture_output=True, text=True, check=True).stdout


def pdf_pages_text(path: Path) -> list[str]:
    """The extracted text of each page, as a reader's copy-paste would give it."""
    return poppler("pdftotext", "-layout", path, "-").split("\f")[:-1]


class PostgresServer:
    """A throw-away PostgreSQL cluster (initdb + pg_ctl from the Debian packages)."""

    SUPERUSER_PASSWORD = "hub-test-superuser"

    def __init__(self, bindir: Path) -> None:
        import tempfile

        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="rm-pg-"))  # not under pytest's 0700 folders
        self.data = self.root / "data"
        self.port = _free_port()
        self._databases = 0

    @classmethod
    def find(cls) -> PostgresServer | None:
        import glob

        for bindir in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]),
                             reverse=True):
            version = bindir.split("/")[-2]
            if int(version) >= 13 and glob.glob(f"/usr/share/postgresql/{version}/extension/postgis.control"):
                return cls(Path(bindir))
        return None

    def _run(self, *args: str) -> None:
        import os

        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *args], check=True, capture_output=True, text=True, timeout=120)

    def start(self) -> None:
        import os
        import shutil

        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        pwfile = self.root / "pw"
        pwfile.write_text(self.SUPERUSER_PASSWORD)
        if os.geteuid() == 0:
            shutil.chown(pwfile, "postgres", "postgres")
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth-local=trust",
                  "--auth-host=scram-sha-256", f"--pwfile={pwfile}", "-E", "UTF8", "--no-sync")
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=50")
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-o", options, "-l",
                  str(self.root / "log"), "-w", "-t", "60", "start")

    def stop(self) -> None:
        import shutil

        try:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, user: str = "postgres", password: str | None = None, dbname: str = "postgres") -> str:
        password = self.SUPERUSER_PASSWORD if password is None and user == "postgres" else password
        auth = f"{user}:{password}" if password else user
        return f"postgresql://{auth}@127.0.0.1:{self.port}/{dbname}"

    def new_database(self) -> str:
        """A fresh empty database; returns its name."""
        import psycopg

        self._databases += 1
        name = f"hub{self._databases}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return name


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def type_text(widget, text: str) -> None:
    """Type text key by key as a keyboard would, Cyrillic and Albanian letters included
    (QTest.keyClicks only knows ASCII keys)."""
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    for ch in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, ch))


# --- synchronisation: a small project, copies of it, exchanges between them ---------------------

def sync_base_project(path: Path) -> Path:
    """Three municipalities, two indicators, one wave, values for two of the municipalities: small
    enough that random edits on three copies collide often."""
    from datetime import date

    from resilience_map.domain.enums import Country
    from resilience_map.domain.records import IndicatorDefinition, IndicatorValue, Municipality, StudyWave
    from resilience_map.store import ProjectStore

    with ProjectStore.create(path, title="Merge test") as store, store.transaction():
        units = store.add_many([Municipality(registry_id=f"mk-{i}", country=Country.MK, name_local=f"M{i}",
                                             name_latin=f"M{i}", name_en=f"M{i}") for i in range(3)], "base")
        inds = store.add_many([IndicatorDefinition(code=f"i{i}", name=f"I{i}", scale_min=0, scale_max=10)
                               for i in range(2)], "base")
        wave = store.add(StudyWave(name="W0", start_date=date(2020, 1, 1)), "base")
        store.add_many([IndicatorValue(municipality_uuid=u.uuid, indicator_uuid=i.uuid, wave_uuid=wave.uuid,
                                       value=1.0) for u in units[:2] for i in inds], "base")
    return path


def replica_snapshot(store) -> tuple:
    """Every record's content and the open conflicts: equal on copies that have converged."""
    from resilience_map.domain.records import IndicatorDefinition, IndicatorValue, Municipality, StudyWave
    from resilience_map.sync.review import conflicts

    records = []
    for record_type in (Municipality, IndicatorDefinition, StudyWave, IndicatorValue):
        for r in store.list(record_type):
            records.append((record_type.__name__, r.uuid,
                            tuple((f, getattr(r, f)) for f in record_type.content_fields())))
    found = {(c.record_uuid, c.field, c.kept_write, c.other_write) for c in conflicts(store)}
    return sorted(records, key=repr), found


def exchange(src, dst, folder: Path) -> None:
    """A package from one copy's store to another's: only what ``dst`` has not seen, once ``src``
    has heard from it."""
    from resilience_map.sync.package import export_package, import_package

    package = folder / "x.rmsync"
    knows = src.connection.execute('SELECT 1 FROM "sync_peers" WHERE peer = ?', (dst.replica_id,)).fetchone()
    export_package(src, package, for_replica=dst.replica_id if knows else None)
    import_package(dst, package)
