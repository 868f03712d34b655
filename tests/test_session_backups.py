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
    session.wait_for_backup()  # made on a thread of its own while the window draws
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


def test_the_first_edit_waits_for_the_opening_backup_and_is_refused_without_one(
        demo_project: Path, tmp_path: Path) -> None:
    """The copy is made beside the window's start; no edit is written before a copy exists."""
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the backup folder should be")
    session = ProjectSession(author="Tester", backup_root=blocked)
    session.open(demo_project)  # opens at once: the map need not wait for the copy
    kumanovo = session.require_store().municipality_by_registry_id("mk-kumanovo")
    before = sha256(demo_project)
    note = MunicipalityNote(municipality_uuid=kumanovo.uuid, category=NoteCategory.NEED, text="Waits")
    with pytest.raises(ProjectError, match=r"^No backup copy of .*demo.gpkg.*nothing"):
        session.do(add_records([note]))
    assert sha256(demo_project) == before and len(session.stack) == 0
    blocked.unlink()  # the user makes room: the next edit makes the copy, then saves
    session.do(add_records([note]))
    assert len(verified_backups(demo_project, blocked)) == 1
    assert session.require_store().count(MunicipalityNote) > 0
    session.close()
