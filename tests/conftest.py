"""Shared fixtures. Qt runs headless; Chromium runs without sandbox or GPU (CI is root)."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox --disable-gpu")
os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")

#: The checkout under test: subprocesses (CLI, killed writers) import the same code,
#: whether or not the package is installed.
REPO_ROOT = Path(__file__).resolve().parents[1]
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH", "")) if p)

import pytest  # noqa: E402

try:  # QtWebEngine must be imported before pytest-qt creates the QApplication
    from PySide6 import QtWebEngineWidgets  # noqa: F401
except ImportError:  # pragma: no cover - the Qt-free core's tests still run
    pass

#: Real boundary files kept beside the repository (never copied into it). CI has them at
#: ../shared; RESILIENCE_MAP_SHARED points elsewhere (e.g. from a clone in another folder).
SHARED_ROOT = Path(os.environ.get("RESILIENCE_MAP_SHARED", REPO_ROOT.parent / "shared"))
SHARED_BOUNDARIES = SHARED_ROOT / "data" / "boundaries"


@pytest.fixture
def shared_boundaries() -> Path:
    """Folder of the real boundary GeoJSON files; skips the test when absent."""
    if not (SHARED_BOUNDARIES / "MK_adm2.geojson").exists():
        pytest.skip(f"real boundary files not found at {SHARED_BOUNDARIES}")
    return SHARED_BOUNDARIES


#: The shared files by short name (a country code, and the City of Skopje's ten).
SHARED_FILES = {c: f"{c}_adm2.geojson" for c in ("AL", "BA", "XK", "ME", "MK", "RS")} | {
    "MK_skopje": "MK_skopje_adm2.geojson"}


@pytest.fixture(scope="session")
def shared_plans() -> dict:
    """Match plan of every shared file against the bundled registry (built once; read only)."""
    if not (SHARED_BOUNDARIES / "MK_adm2.geojson").exists():
        pytest.skip(f"real boundary files not found at {SHARED_BOUNDARIES}")
    from resilience_map.io.boundaries import read_boundaries
    from resilience_map.io.matching import plan_boundary_import
    from resilience_map.io.registry import load_registry

    return {name: plan_boundary_import(read_boundaries(SHARED_BOUNDARIES / file), load_registry(),
                                       country=name.split("_")[0])
            for name, file in SHARED_FILES.items()}


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every test's preferences and data away from the real user's, on every OS.

    QSettings is switched to INI files under a fresh folder per test (on Windows and
    macOS the native registry/plist would ignore the XDG variables); the XDG variables
    cover platformdirs and subprocesses; backups go to the same temporary home.
    """
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("RESILIENCE_MAP_DATA_HOME", str(home / "data"))
    try:
        from PySide6.QtCore import QSettings
    except ImportError:  # pragma: no cover - the Qt-free core's tests still run
        return
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.IniFormat, scope, str(home / "config"))
        QSettings.setPath(QSettings.Format.NativeFormat, scope, str(home / "config"))


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo project without boundaries, built once per test session (do not modify)."""
    from resilience_map.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.gpkg"
    build_demo(path)
    return path


def private_copy(template: Path, folder: Path) -> Path:
    """A copy of a session-wide project that one test may change."""
    import shutil

    return Path(shutil.copy(template, folder / template.name))


@pytest.fixture
def demo_project(demo_template: Path, tmp_path: Path) -> Path:
    """A private copy of the demo project (no boundaries) that a test may change."""
    return private_copy(demo_template, tmp_path)


@pytest.fixture(scope="session")
def sync_base_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small project the synchronisation tests copy into replicas, built once (do not modify)."""
    from tests_helpers import sync_base_project

    return sync_base_project(tmp_path_factory.mktemp("sync-base") / "base.gpkg")


@pytest.fixture
def make_replica(sync_base_template: Path, tmp_path: Path):
    """Factory: ``make_replica("a")`` is a new copy of the small sync project — a replica of its own."""
    import shutil

    return lambda name: Path(shutil.copy(sync_base_template, tmp_path / f"{name}.gpkg"))


@pytest.fixture(scope="session")
def demo_bounded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Demo project with the real boundaries of all six countries (built once; do not modify)."""
    if not (SHARED_BOUNDARIES / "MK_adm2.geojson").exists():
        pytest.skip(f"real boundary files not found at {SHARED_BOUNDARIES}")
    from resilience_map.demo import build_demo

    path = tmp_path_factory.mktemp("demo-bounded") / "demo.gpkg"
    build_demo(path, sorted(SHARED_BOUNDARIES.glob("*_adm2.geojson")))
    return path


@pytest.fixture
def demo_bounded(demo_bounded_template: Path, tmp_path: Path) -> Path:
    """A private copy of the demo project with real boundaries."""
    return private_copy(demo_bounded_template, tmp_path)


@pytest.fixture(scope="session")
def synthetic_100k(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """100,000 indicator values over the real registry, built once per session (do not modify).

    The same builder as the benchmarks (:mod:`resilience_map.synthetic`).
    """
    from resilience_map.synthetic import build_synthetic

    return build_synthetic(tmp_path_factory.mktemp("synthetic") / "synthetic-100k.gpkg")


@pytest.fixture
def open_session():
    """Factory: ``open_session(path, author="Tester")`` → a ProjectSession on ``path``,
    closed after the test (the one way tests get a session; no test builds its own)."""
    from resilience_map.session import ProjectSession

    opened: list = []

    def make(path: Path, author: str = "Tester", read_only: bool = False):
        session = ProjectSession(author=author)
        session.open(path, read_only=read_only)
        opened.append(session)
        return session

    yield make
    for session in opened:
        session.close()


@pytest.fixture
def demo_session(open_session, demo_project: Path):
    """A session (author "Tester") on a private copy of the demo project."""
    return open_session(demo_project)


@pytest.fixture
def session(demo_session):
    """The session most UI tests work on (the demo session; test_session.py has its own)."""
    return demo_session


@pytest.fixture
def window(qtbot):
    """A shown main window with fresh preferences and the author "Tester"; closed afterwards."""
    from PySide6.QtCore import QSettings

    from resilience_map.ui.app import create_application
    from resilience_map.ui.main_window import MainWindow

    create_application()
    QSettings().clear()
    QSettings().setValue("author_name", "Tester")
    win = MainWindow()
    win.resize(1400, 900)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.session.close()


#: Set by .ci/run where the shared files exist: a test skipped for want of them fails the run.
REQUIRE_SHARED = os.environ.get("RESILIENCE_MAP_REQUIRE_SHARED") == "1"
SHARED_SKIP_WORDS = "real boundary file"
_skipped_for_shared: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and SHARED_SKIP_WORDS in str(report.longrepr):
        _skipped_for_shared.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail loudly when tests that need the shared files were skipped where they must run;
    guard against C extensions that drop references to None (PySide6 6.12's
    runJavaScript did): on Python < 3.12 that crashes the interpreter at exit."""
    import sys

    if REQUIRE_SHARED and _skipped_for_shared:
        writer = session.config.get_terminal_writer()
        writer.line("")
        writer.line(f"ERROR: {len(_skipped_for_shared)} tests that need the shared boundary "
                    f"files were skipped, but RESILIENCE_MAP_REQUIRE_SHARED=1 "
                    f"(files expected at {SHARED_BOUNDARIES}):", red=True, bold=True)
        for nodeid in _skipped_for_shared[:20]:
            writer.line(f"  {nodeid}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED

    if sys.version_info < (3, 12) and hasattr(session.config, "_none_refs_at_start"):
        lost = session.config._none_refs_at_start - sys.getrefcount(None)
        if lost > 1000:
            session.config.get_terminal_writer().line(f"WARNING: {lost} references to None were lost")


def pytest_sessionstart(session: pytest.Session) -> None:
    import sys

    session.config._none_refs_at_start = sys.getrefcount(None)


@pytest.fixture(scope="session")
def postgres_server():
    """A real PostgreSQL + PostGIS server for the hub tests: its own data directory and port on
    127.0.0.1, run as the ``postgres`` user when the tests run as root (as CI does), stopped at
    the end even when tests fail. Skips only when the Debian packages are not installed."""
    from tests_helpers import PostgresServer

    server = PostgresServer.find()
    if server is None:
        pytest.skip("PostgreSQL 13+ with PostGIS is not installed (Debian: postgresql postgresql-15-postgis-3)")
    server.start()
    try:
        yield server
    finally:
        server.stop()
