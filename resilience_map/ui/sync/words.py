"""Synchronisation in words: record titles, values, who and when, and failures as one sentence.

Record titles and values come from the History view's :class:`HistoryDescriber` (names
through :mod:`resilience_map.domain.kinds` and the session's indexes), so a pending change
or a conflict reads like the history: "Trust in institutions, Kumanovo, Baseline 2020 —
Value 4.0 → 6.0", never a uuid.
"""

from __future__ import annotations

import json

from resilience_map.session import HistoryEntry, ProjectSession
from resilience_map.sync.hub import HubError, SyncResult
from resilience_map.sync.package import ImportSummary, PackageError
from resilience_map.sync.review import GEOMETRY_FIELD, WHOLE_RECORD_FIELD, OpenConflict, PendingChange
from resilience_map.ui.errors import USER_ERRORS, one_line, sentence
from resilience_map.ui.history.describe import HistoryDescriber
from resilience_map.ui.widgets.values import timestamp_label

#: Fields whose values are other records' uuids, and how to name those records.
_REFERENCES = {"municipality_uuid": "municipality_name", "indicator_uuid": "indicator_name",
               "wave_uuid": "wave_name"}


def pending_entry(change: PendingChange) -> HistoryEntry:
    """A pending change as the history row it is (for :meth:`HistoryDescriber.row`)."""
    return HistoryEntry(change.seq, change.changed_at, change.author, "", change.table, change.record_uuid,
                        change.operation, change.field, change.old_value, change.new_value, seq=change.seq)


def field_label(field: str) -> str:
    if field == WHOLE_RECORD_FIELD:
        return "Whole record"
    if field == GEOMETRY_FIELD:
        return "Boundary"
    return field.replace("_", " ").capitalize()


def who_when(author: str, changed_at: str) -> str:
    if not author and not changed_at:
        return "—"
    return ", ".join(p for p in (author, timestamp_label(changed_at) if changed_at else "") if p)


class ConflictWords:
    """A conflict's values in words, with names of the records it refers to."""

    def __init__(self, session: ProjectSession, describer: HistoryDescriber) -> None:
        self.session, self.describer = session, describer

    def value(self, conflict: OpenConflict, value: object) -> str:
        if value == "(deleted)":
            return "(deleted)"
        if conflict.field == WHOLE_RECORD_FIELD:
            return str(value)
        if conflict.field == GEOMETRY_FIELD:
            return "a boundary" if value else "no boundary"
        lookup = _REFERENCES.get(conflict.field)
        if lookup and isinstance(value, str):
            return getattr(self.session.indexes, lookup)(value) or value
        return self.describer.value_text(conflict.table, conflict.field, stored_text(value))


def stored_text(value: object) -> str | None:
    """A conflict's value (as decoded from the project) back in the history's text form."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


# --- outcomes ------------------------------------------------------------------------------------

def import_summary(summary: ImportSummary) -> str:
    package = summary.package
    account = f", account {package.account.name}" if package.account else ""
    verb = "would be applied" if summary.dry_run else "applied"
    applied = sum(1 for w in summary.merge.applied if w.operation != "void")
    return (f"{package.path.name} (made by copy {package.sender}{account}): "
            f"{count(applied, 'change')} {verb}, "
            f"{count(len(summary.merge.new_conflicts), 'new conflict')}, {len(summary.refused):,} refused"
            f"{' (dry run: nothing was changed)' if summary.dry_run else ''}.")


def count(n: int, noun: str) -> str:
    """"1 change", "3 changes"."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def hub_summary(result: SyncResult) -> str:
    text = result.summary()
    return text + (" Dry run: nothing was changed." if result.dry_run else "")


def failure_sentence(exc: BaseException, account: str = "") -> str:
    """What went wrong with a package or a hub, in one sentence."""
    if isinstance(exc, PackageError):
        return one_line(exc)
    if isinstance(exc, HubError):
        text = one_line(exc)
        if "password authentication failed" in text:
            who = f" for the account {account}" if account else ""
            return (f"The hub did not accept the password{who}; check the account, type the password "
                    "again and synchronise again (nothing was changed).")
        return text
    if isinstance(exc, USER_ERRORS):
        return sentence(exc)
    import psycopg

    if isinstance(exc, psycopg.Error):
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0].rstrip(".")
        return f"The hub refused the synchronisation ({first}); nothing was changed."
    raise exc


def failures() -> tuple[type[BaseException], ...]:
    """What :func:`failure_sentence` can say (anything else is a bug and must be seen)."""
    import psycopg

    return (PackageError, HubError, psycopg.Error, *USER_ERRORS)
