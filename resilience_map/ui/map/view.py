"""The map widget: a QWebEngineView showing our Leaflet page, talking in typed messages.

The page is loaded once from our URL scheme (:mod:`.scheme`). Afterwards Python sends
:mod:`maps.protocol` messages over QWebChannel and the page answers with its own; both
directions are decoded into the dataclasses and dispatched by type, and anything
unknown is logged and signalled. The page's profile is off the record, may not read
local files, and sends no request to the network unless the user switches on the
online basemap (the request interceptor); WebRTC is cut off by a Chromium flag
(:mod:`.engine`), as it bypasses the interceptor.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from typing import Any

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
from PySide6.QtWidgets import QWidget

from resilience_map.maps import protocol as p
from resilience_map.maps.page import OSM_ATTRIBUTION, OSM_TILE_HOST, OSM_TILES
from resilience_map.ui.map.engine import PAGE_URL, SCHEME
from resilience_map.ui.map.scheme import MapSchemeHandler

log = logging.getLogger(__name__)
ONLINE_BASEMAP_HOSTS = frozenset({OSM_TILE_HOST})
#: Schemes the page may use without asking: its own files and inline data.
PAGE_SCHEMES = frozenset({SCHEME.decode(), "data", "blob"})


class OfflineRequestInterceptor(QWebEngineUrlRequestInterceptor):
    """Lets through the page's own files; basemap tiles only when switched on; nothing else."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.online_basemap = False
        self.blocked: list[str] = []

    def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:
        url = info.requestUrl()
        if url.scheme() in PAGE_SCHEMES:
            return
        if self.online_basemap and url.scheme() == "https" and url.host() in ONLINE_BASEMAP_HOSTS:
            return
        self.blocked.append(url.toString())
        info.block(True)


class MapPage(QWebEnginePage):
    """Keeps the page's console messages (errors in our script reach the log)."""

    def __init__(self, profile: QWebEngineProfile, parent: QObject | None = None) -> None:
        super().__init__(profile, parent)
        self.console: list[str] = []

    def javaScriptConsoleMessage(self, level, message: str, line: int, source: str) -> None:
        text = f"{source.rsplit('/', 1)[-1]}:{line}: {message}"
        self.console.append(text)
        log.debug("map page: %s", text)


class MapBridge(QObject):
    """The object the page sees as ``bridge``: ``send`` carries messages down, ``receive`` up."""

    send = Signal(str)
    received = Signal(str)

    @Slot(str)
    def receive(self, text: str) -> None:
        self.received.emit(text)


class MapView(QWebEngineView):
    """The map widget. Messages sent before the page is ready are queued, not lost."""

    page_ready = Signal()
    unit_clicked = Signal(str)
    activity_clicked = Signal(str)
    style_applied = Signal(str)
    bounds_reported = Signal(int, object)
    protocol_error = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.is_ready = False
        self._queue: list[str] = []
        self.interceptor = OfflineRequestInterceptor(self)
        # Off the record: no disk cache, no cookies. Not parented to the view: Qt needs the
        # page deleted before its profile, which dispose() arranges.
        self.profile = QWebEngineProfile()
        self.profile.setUrlRequestInterceptor(self.interceptor)
        self.scheme_handler = MapSchemeHandler(self.profile)
        self.profile.installUrlSchemeHandler(SCHEME, self.scheme_handler)
        page = MapPage(self.profile, self)
        settings = page.settings()
        attribute = QWebEngineSettings.WebAttribute
        for name, on in ((attribute.LocalContentCanAccessFileUrls, False),
                         (attribute.LocalContentCanAccessRemoteUrls, False),
                         (attribute.WebRTCPublicInterfacesOnly, True),
                         (attribute.PluginsEnabled, False), (attribute.PdfViewerEnabled, False),
                         (attribute.LocalStorageEnabled, False), (attribute.AutoLoadIconsForPage, False)):
            settings.setAttribute(name, on)
        self.setPage(page)
        self.bridge = MapBridge(self)
        self.channel = QWebChannel(self)
        self.channel.registerObject("bridge", self.bridge)
        page.setWebChannel(self.channel)  # before the page loads, so the page finds it
        self.bridge.received.connect(self._on_received)
        self._pending_bounds: dict[int, Callable[[p.Bounds | None], None]] = {}
        self._tokens = itertools.count(1)
        self.handlers = self._dispatch_table()
        self.setUrl(QUrl(PAGE_URL))

    def _dispatch_table(self) -> dict[type[p.FromPage], Callable[[Any], None]]:
        """Python's handler for each message the page can send (a test checks none is missing)."""
        return {
            p.PageReady: lambda _m: self._on_ready(),
            p.UnitClicked: lambda m: self.unit_clicked.emit(m.id),
            p.ActivityClicked: lambda m: self.activity_clicked.emit(m.id),
            p.StyleApplied: lambda m: self.style_applied.emit(m.token),
            p.BoundsReported: self._on_bounds,
            p.UnknownOp: lambda m: self._protocol_error(f"the map page has no handler for {m.received!r}"),
            p.PageError: lambda m: self._protocol_error(f"error in the map page: {m.message}"),
        }

    def _on_received(self, text: str) -> None:
        try:
            message = p.decode(text)
        except p.ProtocolError as exc:
            self._protocol_error(str(exc))
            return
        self.handlers[type(message)](message)

    def _protocol_error(self, text: str) -> None:
        log.warning("map page protocol: %s", text)
        self.protocol_error.emit(text)

    def _on_ready(self) -> None:
        self.is_ready = True
        queued, self._queue = self._queue, []
        for text in queued:
            self.bridge.send.emit(text)
        self.page_ready.emit()

    def send(self, message: p.ToPage) -> None:
        """Send one message to the page (queued until the page says it is ready)."""
        text = p.encode(message)
        if self.is_ready:
            self.bridge.send.emit(text)
        else:
            self._queue.append(text)

    def set_online_basemap(self, on: bool) -> None:
        self.interceptor.online_basemap = on
        self.send(p.SetBasemap(on, OSM_TILES, OSM_ATTRIBUTION))

    # --- the area shown -------------------------------------------------------------------
    def ask_bounds(self, callback: Callable[[p.Bounds | None], None]) -> None:
        """``callback`` gets (west, south, east, north) of what the map shows (None: not ready)."""
        if not self.is_ready:
            callback(None)
            return
        token = next(self._tokens)
        self._pending_bounds[token] = callback
        self.send(p.AskBounds(token))

    def _on_bounds(self, message: p.BoundsReported) -> None:
        callback = self._pending_bounds.pop(message.token, None)
        bounds = tuple(float(v) for v in message.bounds) if len(message.bounds) == 4 else None
        self.bounds_reported.emit(message.token, bounds)
        if callback is not None:
            callback(bounds)  # type: ignore[arg-type]

    # --- teardown ---------------------------------------------------------------------------
    def dispose(self) -> None:
        """Release the page, then its profile (in that order, as QtWebEngine requires)."""
        page = self.page()
        page.setWebChannel(None)  # type: ignore[arg-type]  # None detaches the channel
        page.deleteLater()
        self.profile.deleteLater()

    def closeEvent(self, event) -> None:
        self.dispose()
        super().closeEvent(event)
