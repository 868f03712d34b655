"""Synchronisation in the window: File → Synchronise… (a hub or a package file), the status-bar
counts of changes not sent and open conflicts, the Pending changes list and the Conflicts dock."""

from resilience_map.ui.sync.feature import SyncFeature

__all__ = ["SyncFeature"]
