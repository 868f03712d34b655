"""The map: a QWebEngineView showing our Leaflet page, fed over QWebChannel.

The page is loaded once from a file URL. Afterwards Python only sends small JSON
commands (load a project, apply colours, select, filter); the page is never
rebuilt for a restyle. A request interceptor blocks every http(s) request unless
the user switched on the online basemap, so the app never waits on a network.
"""

from __future__ import annotations

import itertools
import json
import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Signal, Slot
from PySide6.QtWebChannel import QWebChannel
from PySide6.QtWebEngineCore import (
    QWebEnginePage,
    QWebEngineProfile,
    QWebEngineSettings,
    QWebEngineUrlRequestInfo,
    QWebEngineUrlRequestInterceptor,
)
from PySide6.QtWebEngineWidgets import QWebEngineView

from resilience_map.maps.page import OSM_ATTRIBUTION, OSM_TILES, write_page

log = logging.getLogger(__name__)
ONLINE_BASEMAP_HOSTS = frozenset({"tile.openstreetmap.org"})


class OfflineRequestInterceptor(QWebEngineUrlRequestInterceptor):
    """Blocks network requests; only basemap tiles pass, and only when switched on."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.online_basemap = False
        self.blocked: list[str] = []

    def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:  # noqa: N802 (Qt API)
        url = info.requestUrl()
        if url.scheme() not in ("http", "https", "ws", "wss", "ftp"):
            return
        if self.online_basemap and url.host() in ONLINE_BASEMAP_HOSTS:
            return
        self.blocked.append(url.toString())
        info.block(True)


class MapPage(QWebEnginePage):
    """Keeps the page's console messages (errors in our script show up in the log)."""

    def __init__(self, profile: QWebEngineProfile, parent: QObject | None = None) -> None:
        super().__init__(profile, parent)
        self.console: list[str] = []

    def javaScriptConsoleMessage(self, level, message: str, line: int, source: str) -> None:  # noqa: N802
        text = f"{source.rsplit('/', 1)[-1]}:{line}: {message}"
        self.console.append(text)
        log.debug("map page: %s", text)


class MapBridge(QObject):
    """The object the page sees as ``bridge``: one signal down, a few slots up."""

    command = Signal(str)  # JSON message to the page
    ready = Signal()
    municipality_clicked = Signal(str)
    activity_clicked = Signal(str)
    snapshot_ready = Signal(str)
    style_applied = Signal(str)
    eval_result = Signal(int, str)

    @Slot()
    def pageReady(self) -> None:  # noqa: N802 (called from JavaScript)
        self.ready.emit()

    @Slot(str)
    def municipalityClicked(self, uuid: str) -> None:  # noqa: N802
        self.municipality_clicked.emit(uuid)

    @Slot(str)
    def activityClicked(self, uuid: str) -> None:  # noqa: N802
        self.activity_clicked.emit(uuid)

    @Slot(str)
    def snapshotReady(self, token: str) -> None:  # noqa: N802
        self.snapshot_ready.emit(token)

    @Slot(str)
    def styleApplied(self, token: str) -> None:  # noqa: N802
        self.style_applied.emit(token)

    @Slot(int, str)
    def evalResult(self, token: int, text: str) -> None:  # noqa: N802
        self.eval_result.emit(token, text)


class MapView(QWebEngineView):
    """The map widget. Commands sent before the page is ready are queued, not lost."""

    page_ready = Signal()

    def __init__(self, page_folder: Path, parent=None, cache_dir: Path | None = None) -> None:
        super().__init__(parent)
        self.is_ready = False
        self._queue: list[str] = []
        self.interceptor = OfflineRequestInterceptor(self)
        # Off the record: no disk cache, no cookies. Not parented to the view: Qt needs the
        # page deleted before its profile, which dispose() arranges.
        self.profile = QWebEngineProfile()
        self.profile.setUrlRequestInterceptor(self.interceptor)
        page = MapPage(self.profile, self)
        settings = page.settings()
        # allowed so the optional online basemap can load tiles; the interceptor is the gate
        settings.setAttribute(QWebEngineSettings.WebAttribute.LocalContentCanAccessRemoteUrls, True)
        settings.setAttribute(QWebEngineSettings.WebAttribute.LocalContentCanAccessFileUrls, True)
        self.setPage(page)
        self.bridge = MapBridge(self)
        self.channel = QWebChannel(self)
        self.channel.registerObject("bridge", self.bridge)
        page.setWebChannel(self.channel)  # before the page loads, so the page finds it
        self.bridge.ready.connect(self._on_ready)
        self.bridge.eval_result.connect(self._on_eval_result)
        self._pending: dict[int, Callable[[object], None]] = {}
        self._tokens = itertools.count(1)
        self.setUrl(QUrl.fromLocalFile(str(write_page(page_folder, cache_dir))))

    def dispose(self) -> None:
        """Release the page, then its profile (in that order, as QtWebEngine requires)."""
        page = self.page()
        page.setWebChannel(None)
        page.deleteLater()
        self.profile.deleteLater()

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        self.dispose()
        super().closeEvent(event)

    def _on_ready(self) -> None:
        self.is_ready = True
        queued, self._queue = self._queue, []
        for message in queued:
            self.bridge.command.emit(message)
        self.page_ready.emit()

    def send(self, message: dict) -> None:
        """Send one command to the page (queued until the page says it is ready)."""
        text = json.dumps(message, ensure_ascii=False, separators=(",", ":"))
        if self.is_ready:
            self.bridge.command.emit(text)
        else:
            self._queue.append(text)

    def set_online_basemap(self, on: bool) -> None:
        self.interceptor.online_basemap = on
        self.send({"op": "basemap", "on": on, "url": OSM_TILES, "attribution": OSM_ATTRIBUTION})

    def evaluate(self, script: str, callback: Callable[[object], None]) -> None:
        """Evaluate JavaScript in the page; ``callback`` gets the result as Python data
        (None if it failed or the page is not ready).

        Goes over our QWebChannel rather than QWebEnginePage.runJavaScript: in PySide6
        6.12 every runJavaScript call drops a reference to Python's None, which crashes
        the interpreter after a few thousand calls.
        """
        if not self.is_ready:
            callback(None)
            return
        token = next(self._tokens)
        self._pending[token] = callback
        self.send({"op": "eval", "token": token, "script": script})

    def _on_eval_result(self, token: int, text: str) -> None:
        callback = self._pending.pop(token, None)
        if callback is not None:
            callback(json.loads(text) if text else None)
