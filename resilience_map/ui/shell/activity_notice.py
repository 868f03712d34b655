"""A new hub activity the map does not show says so, and why.

An activity entered with dates outside the map's date filter, or without any place,
would otherwise just not appear — and the user would think it was not saved.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMainWindow

from resilience_map.domain.records import HubActivity
from resilience_map.maps.activities import activity_period
from resilience_map.session import ProjectSession, RecordsChanged
from resilience_map.ui.events import follow

DateRange = Callable[[], "tuple[date, date] | None"]


def hidden_reason(activity: HubActivity, shown: tuple[date, date] | None) -> str:
    """Why the map does not show this activity ("" when it does)."""
    if activity.host_lat is None or activity.host_lon is None:
        return (f"“{activity.title}” was saved but has no place on the map (no host municipality or "
                "position); it is listed in the profiles of its municipalities and under Records.")
    if shown is None:
        return ""
    start, end = activity_period(activity)
    if end < shown[0] or start > shown[1]:
        return (f"“{activity.title}” was saved but is hidden on the map: the date filter shows activities "
                f"from {shown[0]:%d %b %Y} to {shown[1]:%d %b %Y}. Widen it under Layers → Hub activities.")
    return ""


class ActivityNotice(QObject):
    """Tells the user in the status bar when an activity they just added is not on the map."""

    def __init__(self, session: ProjectSession, date_range: DateRange, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.date_range = date_range
        self.last = ""
        follow(self, session, {RecordsChanged: self._on_records})

    def _on_records(self, event: RecordsChanged) -> None:
        if event.record_type is not HubActivity or event.origin != "do":
            return
        for activity in event.added:
            assert isinstance(activity, HubActivity)
            reason = hidden_reason(activity, self.date_range())
            if reason:
                self.last = reason
                self.window.statusBar().showMessage(reason, 20_000)
