"""Errors the store raises; each message is one sentence a user can act on."""

from __future__ import annotations


class ProjectError(Exception):
    """Base class: the project file could not be opened, read or written."""


class NotAProjectError(ProjectError):
    """The file is not a GeoPackage, or a GeoPackage made by another program."""


class CorruptProjectError(ProjectError):
    """The file is damaged (truncated, half-written, failed integrity check)."""


class NewerProjectError(ProjectError):
    """The file was written by a newer Resilience Map than this one."""


class ProjectReadOnlyError(ProjectError):
    """The project was opened read-only (file not writable), so edits are refused."""


class RecordNotFoundError(ProjectError):
    """No record with that id exists (it may have been deleted elsewhere)."""


class StaleRecordError(ProjectError):
    """The record changed in the file since it was read; reload and edit again."""
