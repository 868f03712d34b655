"""The sentences a refused step or a refused Save shows (Qt-free helpers the views share)."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from resilience_map.domain.validation import ValidationError
from resilience_map.ui.errors import STEP_REFUSALS, refusal
from resilience_map.ui.outputs.save_dialog import path_problem


def test_a_rule_keeps_its_reason_and_ends_with_one_full_stop() -> None:
    exc = ValidationError("municipality_uuid", "2 values still refer to Kumanovo.")
    assert isinstance(exc, STEP_REFUSALS)
    assert refusal(exc) == "2 values still refer to Kumanovo."
    assert refusal(ValidationError("title", "is required")) == "is required."


def test_a_full_disk_is_said_in_words() -> None:
    exc = OSError(errno.ENOSPC, "No space left on device")
    assert isinstance(exc, STEP_REFUSALS)
    assert refusal(exc) == ("This could not be done because the disk is full; nothing was changed. "
                            "Free some space and try again.")


@pytest.mark.parametrize(("typed", "words"), [("", "Name the file to write."), ("   ", "Name the file to write.")])
def test_save_needs_a_name(tmp_path: Path, typed: str, words: str) -> None:
    assert path_problem(typed, tmp_path / "map.pdf") == words


def test_save_needs_an_existing_folder(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "map.pdf"
    assert path_problem(str(missing), missing) == f"The folder {missing.parent} does not exist."
    assert path_problem(str(tmp_path / "map.pdf"), tmp_path / "map.pdf") == ""
