"""Backups through the session (no Qt): only sound copies are offered, and a restore that
fails leaves the open project open and unchanged."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests_helpers import sha256

from resilience_map.domain.enums import NoteCategory
from resilience_map.domain.records import MunicipalityNote
from resilience_map.session import (
    Backup,
    ProjectError,
    ProjectSession,
    add_records,
    restore_into,
    verified_backups,
)


@pytest.fixture
def backed_up(demo_project: Path, tmp_path: Path):
    """A session whose opening took one backup copy, and that copy."""
    root = tmp_path / "backups"
    session = ProjectSession(author="Tester", backup_root=root)
    session.open(demo_project)
    yield session, root, verified_backups(demo_project, root)
    session.close()


def test_half_written_copies_are_never_offered(backed_up, demo_project: Path) -> None:
    _session, root, good = backed_up
    assert len(good) == 1
    half = good[0].path.with_name(good[0].path.stem[:-6] + "999999.gpkg")
    half.write_bytes(good[0].path.read_bytes()[:16384])
    empty = good[0].path.with_name(good[0].path.stem[:-6] + "999998.gpkg")
    empty.write_bytes(b"")
    assert [b.path for b in verified_backups(demo_project, root)] == [good[0].path]


def test_a_failed_restore_keeps_the_project_open_and_unchanged(backed_up, demo_project: Path) -> None:
    session, root, good = backed_up
    kumanovo = session.store.municipality_by_registry_id("mk-kumanovo")
    session.do(add_records([MunicipalityNote(municipality_uuid=kumanovo.uuid, category=NoteCategory.NEED,
                                             text="Kept")]))
    before = sha256(demo_project)
    broken = Path(shutil.copy(good[0].path, good[0].path.with_name("broken.gpkg")))
    broken.write_bytes(broken.read_bytes()[:4096])
    with pytest.raises(ProjectError, match="cannot be restored.*still open"):
        restore_into(session, Backup(broken, good[0].taken_at), root)
    assert session.store is not None and session.store.path == demo_project
    assert sha256(demo_project) == before
    notes = session.store.count(MunicipalityNote)
    restore_into(session, good[0], root)  # the sound copy: the note added since is gone
    assert session.store is not None and session.store.count(MunicipalityNote) == notes - 1
